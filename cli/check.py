"""``hirecrew check jd FILE``: the job-ad checker from a terminal (no crewai import).

Exit codes: 0 nothing blocks publication (warnings may be printed), 1 blocking findings,
2 the file cannot be read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cli.common import EXIT_FAILED, fail
from domain.job_ad_check import JobAdReport, check_job_ad

app = typer.Typer(help="Check texts before they are published.", no_args_is_help=True)

MAX_AD_BYTES = 1_000_000  # a job ad is a few KB; anything this large is not one


@app.command("jd")
def check_jd(
    file: Annotated[Path, typer.Argument(help="the job ad: plain text or Markdown")],
    as_json: Annotated[
        bool, typer.Option("--json", help="print the findings as a JSON list")
    ] = False,
    no_statements: Annotated[
        bool,
        typer.Option(
            "--no-statements",
            help="do not require the EEO, accommodation and AEDT statements (a draft)",
        ),
    ] = False,
) -> None:
    """Find exclusionary wording in a job ad: gender-coded words (with the balance), age,
    disability, national origin and citizenship, religion, sex, pregnancy and family status,
    culture fit, criminal record, and missing required statements."""
    text = _read(file)
    report = check_job_ad(text, require_statements=not no_statements)
    if as_json:
        typer.echo(
            json.dumps(
                [
                    finding.model_dump(
                        include={
                            "span",
                            "start",
                            "end",
                            "category",
                            "severity",
                            "why",
                            "suggestion",
                        }
                    )
                    for finding in report.findings
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        _print(file, text, report)
    if report.blocking:
        raise typer.Exit(EXIT_FAILED)


def _read(file: Path) -> str:
    try:
        if file.stat().st_size > MAX_AD_BYTES:
            raise fail(f"{file}: {file.stat().st_size:,} bytes is not a job ad (limit 1 MB)")
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise fail(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise fail(f"{file}: cannot read it ({exc.strerror or exc})") from exc


def _print(file: Path, text: str, report: JobAdReport) -> None:
    for finding in report.findings:
        line = text.count("\n", 0, finding.start) + 1
        column = finding.start - (text.rfind("\n", 0, finding.start) + 1) + 1
        colour = typer.colors.RED if finding.severity == "blocking" else typer.colors.YELLOW
        where = f"{file}:{line}:{column}"
        typer.secho(f"{where}: {finding.severity} [{finding.category}]", fg=colour, bold=True)
        if finding.span:
            typer.echo(f"  {finding.span!r}")
        typer.echo(f"  why: {finding.why}")
        if finding.suggestion is not None:
            rewrite = finding.suggestion or "(remove it)"
            label = "add" if not finding.span else "suggest"
            typer.echo(f"  {label}: {rewrite}")
    gender = report.gender
    weak = f", {gender.weak} of them weak evidence" if gender.weak else ""
    typer.echo(
        f"gender coding: {gender.balance} ({gender.masculine} masculine-coded, "
        f"{gender.feminine} feminine-coded words{weak})"
    )
    for word in gender.words:
        if word.weak:
            typer.echo(f"  weak: {word.word!r} ({word.coding}): {word.note}")
    typer.echo(f"{report.blocking} blocking, {report.warnings} warnings")
