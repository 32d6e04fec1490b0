"""``hirecrew audit bias``: the NYC Local Law 144 bias-audit tables from a decisions CSV.

The CSV has one line per individual the tool assessed::

    candidate_id,sex,race_ethnicity,selected
    c-001,Female,Hispanic or Latino,yes
    c-002,Male,White,0
    c-003,Unknown,Asian,1

(``score`` instead of or next to ``selected`` for ``--mode scoring``.) The tables are printed
by sex, race/ethnicity and the 14 intersectional categories with the four-fifths and
significance diagnostics; ``--json`` prints ``{"sex", "race_ethnicity", "intersectional",
"unknown"}``. Only aggregates are printed: the command writes nothing and never echoes an
individual's demographics.
"""

from __future__ import annotations

import json
import textwrap
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cli.common import EXIT_INVALID, fail
from domain.bias_audit import (
    FOUR_FIFTHS,
    BiasAuditResult,
    CategoryRow,
    Decision,
    audit_decisions,
    read_decisions,
)
from domain.errors import DomainError


class Mode(StrEnum):
    """How the tool's output is turned into rates (6 RCNY §5-300)."""

    SELECTION = "selection"
    SCORING = "scoring"


def _exclusions(items: list[str]) -> dict[str, str]:
    exclusions: dict[str, str] = {}
    for item in items:
        category, sep, justification = item.partition("=")
        if not sep or not category.strip() or not justification.strip():
            raise fail(f"--exclude '{item}': expected CATEGORY=JUSTIFICATION", EXIT_INVALID)
        exclusions[category.strip()] = justification.strip()
    return exclusions


def bias(
    input_file: Annotated[
        Path | None,
        typer.Option(
            "--input",
            help="decisions CSV: candidate_id,sex,race_ethnicity,selected (or score)",
            show_default=False,
        ),
    ] = None,
    project: Annotated[
        str | None,
        typer.Option(
            "--project",
            help="audit a project of the server's database instead (selection mode: "
            "shortlisted by screening, against the candidates' self-identification)",
            show_default=False,
        ),
    ] = None,
    mode: Annotated[
        Mode, typer.Option("--mode", help="selection rates, or rates above the median score")
    ] = Mode.SELECTION,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude",
            help=(
                "leave a category under 2% of the data out of the impact ratios, with the "
                "auditor's justification (6 RCNY §5-301(d)): CATEGORY=JUSTIFICATION (repeat)"
            ),
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
) -> None:
    """LL144 bias audit of a decisions CSV, with four-fifths and significance diagnostics.

    Selection (or scoring) rates and impact ratios per sex, race/ethnicity and intersectional
    category (6 RCNY §5-301); exit 2, naming the file and line, on a malformed file.
    """
    exclusions = _exclusions(exclude or [])
    if (input_file is None) == (project is None):
        raise fail("give either --input DECISIONS.csv or --project ID", EXIT_INVALID)
    try:
        if project is not None:
            if mode is not Mode.SELECTION:
                raise fail("a project's audit is in selection mode", EXIT_INVALID)
            decisions = _project_decisions(project)
        else:
            assert input_file is not None
            decisions = read_decisions(input_file, mode=mode.value)
        result = audit_decisions(decisions, mode=mode.value, exclusions=exclusions)
    except DomainError as exc:
        raise fail(str(exc), EXIT_INVALID) from exc
    if as_json:
        typer.echo(json.dumps(result.tables()))
    else:
        typer.echo(render(result))


def _project_decisions(project_id: str) -> list[Decision]:
    """A project's decisions from the server's database (HIRECREW_DATABASE__URL)."""
    from cli.common import settings_for
    from server.admin import project_decisions

    found = project_decisions(settings_for(None), project_id)
    if found is None:
        raise fail(f"no project with id '{project_id}' in the database", EXIT_INVALID)
    return found


# --- the table ---------------------------------------------------------------------------


def _number(value: float | None, width: int, spec: str) -> str:
    return f"{'-' if value is None else format(value, spec):>{width}}"


def _marks(row: CategoryRow) -> str:
    marks = []
    if row.reference:
        marks.append("highest")
    if row.below_four_fifths:
        marks.append("BELOW 4/5")
    if row.excluded:
        marks.append("excluded")
    elif row.excludable:
        marks.append("<2% *")
    if row.small_sample:
        marks.append("small n")
    return ", ".join(marks)


def _table(title: str, rows: list[CategoryRow], counted: str) -> list[str]:
    width = max(len("category"), *(len(r.category) for r in rows))
    head = (
        f"{'category':<{width}}  {'n':>6}  {counted:>8}  {'rate':>6}  {'impact':>6}  "
        f"{'z':>6}  {'Fisher p':>8}  {'shortfall':>9}  notes"
    )
    lines = [title, head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r.category:<{width}}  {r.n:>6}  {r.selected:>8}  {_number(r.rate, 6, '.1%')}  "
            f"{_number(r.impact_ratio, 6, '.3f')}  {_number(r.z, 6, '.2f')}  "
            f"{_number(r.fisher_p_two_sided, 8, '.4f')}  {_number(r.shortfall, 9, '.1f')}  "
            f"{_marks(r)}".rstrip()
        )
    return lines


def render(result: BiasAuditResult) -> str:
    """The audit as text tables, with the notes a reader needs to interpret them."""
    scoring = result.mode == "scoring"
    counted = "above M" if scoring else "selected"
    rate = "scoring rate" if scoring else "selection rate"
    lines = [f"Bias audit ({rate}s): {result.assessed} individuals assessed"]
    if scoring:
        lines.append(
            f"median score of the full sample (unknown categories included): "
            f"{result.median_score:g}; a score equal to the median does not count as above it"
        )
    for title, rows in (
        ("Sex categories", result.sex),
        ("Race/ethnicity categories", result.race_ethnicity),
        ("Intersectional categories", result.intersectional),
    ):
        lines += ["", *_table(title, rows, counted)]
    all_rows = [*result.sex, *result.race_ethnicity, *result.intersectional]
    notes = [
        f"Unknown category: {result.unknown} individuals with an unknown sex or race/ethnicity "
        f"({result.unknown_sex} unknown sex, {result.unknown_race_ethnicity} unknown "
        "race/ethnicity) are left out of the tables that need the unknown category "
        "(6 RCNY §5-301(b)(5)).",
        f"impact = {rate} / the highest {rate} of the table; z (pooled), Fisher's exact p "
        "(two-sided) and the shortfall (selections short of the highest rate) compare each "
        "category with the highest one.",
        f"BELOW 4/5: impact ratio under {FOUR_FIFTHS:.2f}, the EEOC four-fifths rule of thumb "
        "(29 CFR 1607.4(D)); LL144 itself sets no pass/fail threshold. Read it with the "
        "significance tests; 'small n' marks comparisons where Fisher's exact test is the one "
        "to use.",
    ]
    if any(r.excludable and not r.excluded and r.n for r in all_rows):
        notes.append(
            "* under 2% of the table's data: the auditor may leave it out of the impact ratios "
            "with a written justification (6 RCNY §5-301(d); --exclude CATEGORY=JUSTIFICATION); "
            "its n and rate must still be published."
        )
    notes += [
        f"excluded from the impact ratios: {r.category}: {r.exclusion_justification}"
        for r in all_rows
        if r.excluded
    ]
    lines.append("")
    lines += [textwrap.fill(note, width=100, subsequent_indent="  ") for note in notes]
    return "\n".join(lines)
