"""Bias audit of an automated employment decision tool (AEDT) over its recorded decisions.

Two sets of numbers, kept apart as COMPLIANCE.md asks (NYC-6):

- the **NYC Local Law 144 tables** of 6 RCNY §5-301: per category, the number assessed, the
  selection rate (or scoring rate) and the impact ratio, separately for sex, race/ethnicity and
  the 14 intersectional categories, plus the number of individuals in an unknown category.
  LL144 sets no pass/fail threshold;
- the **UGESP diagnostics** (29 CFR 1607.4(D), COMPLIANCE §2.2) comparing each category with the
  highest-rate category: the four-fifths flag, a pooled two-proportion z test, Fisher's exact
  test (two- and one-sided), the Yates-corrected chi-square, the shortfall and the number of
  flips that would lift the impact ratio to 0.80.

Rates
-----
``selection`` mode (§5-300 "selection rate"): ``rate = selected / n``.

``scoring`` mode (§5-300 "scoring rate", §5-301(c)(1)): ``M`` is the median score of the full
sample of assessed applicants -- *including* those in an unknown category, since they are part
of the sample (the choice COMPLIANCE NYC-2 recommends) -- and ``rate = |{score > M}| / n``: a
score equal to the median does not count. In that mode a row's ``selected`` is the number of
individuals of the category scoring above the median.

``impact_ratio = rate / highest rate`` among the categories of the same dimension that have
individuals and are not excluded under §5-301(d) (below). Ties for the highest rate go to the
first category in the rule's order. When every rate is 0 the ratio is 0/0: reported as null.

Unknown categories
------------------
An individual whose sex or race/ethnicity is unknown is left out of every calculation that needs
the unknown attribute (unknown sex: the sex and intersectional tables; unknown race/ethnicity:
the race/ethnicity and intersectional tables) and counted in ``unknown`` (§5-301(b)(5),
(c)(5)): the number of individuals "not included in the required calculations because they fall
within an unknown category" -- as in the rule's own note, "individuals with an unknown sex or
race/ethnicity category".

The 2% rule
-----------
A category holding less than 2% of the data of its table (the individuals that table's
calculations include, N = 2,571 in COMPLIANCE §1.4) is flagged ``excludable``. Nothing is
dropped unless the operator asks: §5-301(d) lets an independent auditor *exclude* such a category
"from the required calculations for impact ratio" only with a written justification, and the
excluded category's number of applicants and rate must still be published. So an excluded
category keeps ``n``, ``selected`` and ``rate``, gets ``impact_ratio = null``, and cannot be the
highest-rate category the others are divided by.

Demographic data
----------------
This module is pure: it reads a decisions file it is given and returns aggregates. It never
writes, logs or caches individual rows, and its errors name a file, line and column, never a
candidate's demographics next to their id (COMPLIANCE EEO-3, requirement 5).
"""

from __future__ import annotations

import csv
import math
import statistics
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from domain.errors import DomainError

__all__ = [
    "FOUR_FIFTHS",
    "AuditMode",
    "BiasAuditResult",
    "CategoryRow",
    "Decision",
    "DecisionsFileError",
    "RaceEthnicity",
    "Sex",
    "audit_decisions",
    "fisher_exact",
    "intersectional_label",
    "race_label",
    "rate_table",
    "read_decisions",
    "two_proportion_z",
    "yates_chi2",
]

AuditMode = Literal["selection", "scoring"]

# 29 CFR 1607.4(D): a rate under four-fifths of the highest rate is evidence of adverse impact.
FOUR_FIFTHS = 0.8
# §5-301(d): "a category that represents less than 2% of the data", as an exact fraction 1/50.
_EXCLUDABLE_DENOMINATOR = 50
# UGESP small-sample guidance as summarised by Biddle (COMPLIANCE EEO-2): Fisher is the test.
_SMALL_N = 30
_SMALL_EXPECTED = 5.0
# scipy's tolerance for "as or less likely than the observed table" in the two-sided Fisher p.
_FISHER_RELATIVE_TOLERANCE = 1e-7

_NOT_HISPANIC = "(Not Hispanic or Latino)"
_UNKNOWN = "unknown"


class Sex(StrEnum):
    """EEO-1 sex categories (§5-301(b)(3)(i))."""

    MALE = "Male"
    FEMALE = "Female"


class RaceEthnicity(StrEnum):
    """EEO-1 race/ethnicity categories, in the order of the rule's tables (§5-301)."""

    HISPANIC_OR_LATINO = "Hispanic or Latino"
    WHITE = "White"
    BLACK = "Black or African American"
    NATIVE_HAWAIIAN = "Native Hawaiian or Pacific Islander"
    ASIAN = "Asian"
    NATIVE_AMERICAN = "Native American or Alaska Native"
    TWO_OR_MORE = "Two or More Races"


def race_label(race: RaceEthnicity) -> str:
    """The category as the rule's tables name it: "White (Not Hispanic or Latino)"."""
    if race is RaceEthnicity.HISPANIC_OR_LATINO:
        return race.value
    return f"{race.value} {_NOT_HISPANIC}"


def intersectional_label(sex: Sex, race: RaceEthnicity) -> str:
    """The intersectional category in the rule's wording (§5-301(b)(3)(iii)):
    "Hispanic or Latino Male", "Not Hispanic or Latino Black or African American Female"."""
    if race is RaceEthnicity.HISPANIC_OR_LATINO:
        return f"{race.value} {sex.value}"
    return f"Not Hispanic or Latino {race.value} {sex.value}"


# The 14 intersectional categories in the order of the rule's example table: Hispanic or Latino
# male and female, then the six non-Hispanic races for men, then for women.
_INTERSECTIONS: tuple[tuple[Sex, RaceEthnicity], ...] = (
    (Sex.MALE, RaceEthnicity.HISPANIC_OR_LATINO),
    (Sex.FEMALE, RaceEthnicity.HISPANIC_OR_LATINO),
    *(
        (sex, race)
        for sex in Sex
        for race in RaceEthnicity
        if race is not RaceEthnicity.HISPANIC_OR_LATINO
    ),
)


class DecisionsFileError(DomainError):
    """A decisions file that cannot be audited; the message names the file, line and column."""


@dataclass(frozen=True, slots=True)
class Decision:
    """One assessed individual. ``None`` for sex or race/ethnicity means unknown."""

    candidate_id: str
    sex: Sex | None
    race_ethnicity: RaceEthnicity | None
    selected: bool = False
    score: float | None = None


class CategoryRow(BaseModel):
    """One category of one table: the LL144 numbers, then the UGESP diagnostics.

    The diagnostics compare the category with the table's highest-rate category (the row with
    ``reference`` true); they are null on that row, on excluded rows and where undefined.
    """

    model_config = ConfigDict(frozen=True)

    category: str
    n: int
    selected: int  # scoring mode: the number scoring above the full-sample median
    rate: float | None
    impact_ratio: float | None
    excludable: bool
    share: float | None  # n / the individuals this table's calculations include
    excluded: bool = False
    exclusion_justification: str | None = None
    reference: bool = False
    below_four_fifths: bool | None = None
    z: float | None = None
    z_p_value: float | None = None
    fisher_p_two_sided: float | None = None
    fisher_p_one_sided: float | None = None
    chi2_yates: float | None = None
    chi2_yates_p_value: float | None = None
    shortfall: float | None = None
    flips_to_four_fifths: int | None = None
    small_sample: bool | None = None


class BiasAuditResult(BaseModel):
    """The three tables of §5-301 and the count of individuals in an unknown category."""

    model_config = ConfigDict(frozen=True)

    mode: AuditMode
    assessed: int
    median_score: float | None  # scoring mode only
    sex: list[CategoryRow]
    race_ethnicity: list[CategoryRow]
    intersectional: list[CategoryRow]
    unknown: int  # unknown sex or race/ethnicity: left out of at least one table
    unknown_sex: int
    unknown_race_ethnicity: int

    def tables(self) -> dict[str, object]:
        """``{"sex", "race_ethnicity", "intersectional", "unknown"}`` as JSON-ready values."""
        return self.model_dump(
            mode="json", include={"sex", "race_ethnicity", "intersectional", "unknown"}
        )


# --- statistics --------------------------------------------------------------------------


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_exact(a: int, n_a: int, b: int, n_b: int) -> tuple[float, float]:
    """Fisher's exact test on ``a`` of ``n_a`` selected against ``b`` of ``n_b`` (COMPLIANCE 2.2).

    Conditional on the margins, X (selections in group A) is hypergeometric:
    ``P(X=x) = C(n_a, x) C(n_b, K-x) / C(N, K)`` with ``K = a+b``, ``N = n_a+n_b``.

    Returns:
        ``(two_sided, one_sided)``: the sum of ``P(X=x)`` over the tables no more likely than the
        observed one, and ``P(X >= a)`` (group A selected at least as often as observed).

    Raises:
        ValueError: counts outside ``0 <= a <= n_a``, ``0 <= b <= n_b``.
    """
    if not (0 <= a <= n_a and 0 <= b <= n_b):
        raise ValueError(f"invalid counts: {a}/{n_a} and {b}/{n_b}")
    k, n = a + b, n_a + n_b
    low, high = max(0, k - n_b), min(k, n_a)
    log_total = _log_comb(n, k)
    log_p = [_log_comb(n_a, x) + _log_comb(n_b, k - x) - log_total for x in range(low, high + 1)]
    observed = log_p[a - low]
    cutoff = observed + math.log1p(_FISHER_RELATIVE_TOLERANCE)
    two_sided = math.fsum(math.exp(p) for p in log_p if p <= cutoff)
    one_sided = math.fsum(math.exp(p) for p in log_p[a - low :])
    return min(1.0, two_sided), min(1.0, one_sided)


def two_proportion_z(a: int, n_a: int, b: int, n_b: int) -> tuple[float, float] | None:
    """Pooled two-proportion z test: ``(z, two-sided p)``, ``z > 0`` when A's rate is higher.

    ``None`` when a group is empty or the pooled rate is 0 or 1 (the standard error is 0).
    """
    if n_a == 0 or n_b == 0:
        return None
    pooled = (a + b) / (n_a + n_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if se == 0:
        return None
    z = (a / n_a - b / n_b) / se
    return z, math.erfc(abs(z) / math.sqrt(2))


def yates_chi2(a: int, n_a: int, b: int, n_b: int) -> tuple[float, float] | None:
    """Yates-corrected chi-square on the 2x2 table and its p (1 degree of freedom).

    ``N (|ad - bc| - N/2)^2 / (r1 r2 c1 c2)``, the correction stopping at 0 as scipy's does;
    ``None`` when a margin is 0.
    """
    n = n_a + n_b
    selected, rejected = a + b, n - a - b
    denominator = n_a * n_b * selected * rejected
    if denominator == 0:
        return None
    cross = abs(a * (n_b - b) - (n_a - a) * b)
    statistic = n * max(0.0, cross - n / 2) ** 2 / denominator
    return statistic, math.erfc(math.sqrt(statistic / 2))


def _flips_to_four_fifths(a: int, n_a: int, b: int, n_b: int) -> int:
    """Extra selections in B for ``IR >= 0.8``: ``ceil(0.8 * SR_A * n_B) - b`` in integers
    (``(b+f)/n_b >= 4a/(5 n_a)``), so 24.000000000000004 never rounds up to 25."""
    needed = -(-4 * a * n_b // (5 * n_a))
    return max(0, needed - b)


def _small_sample(a: int, n_a: int, b: int, n_b: int) -> bool:
    n = n_a + n_b
    selected = a + b
    expected = [r * c / n for r in (n_a, n_b) for c in (selected, n - selected)]
    return min(n_a, n_b) < _SMALL_N or min(expected) < _SMALL_EXPECTED


# --- tables ------------------------------------------------------------------------------


def _compared(row: CategoryRow, top: CategoryRow) -> CategoryRow:
    """``row`` with its impact ratio and diagnostics against the highest-rate ``top``."""
    assert row.rate is not None and top.rate is not None and top.rate > 0
    a, n_a, b, n_b = top.selected, top.n, row.selected, row.n
    impact = row.rate / top.rate
    z = two_proportion_z(a, n_a, b, n_b)
    chi2 = yates_chi2(a, n_a, b, n_b)
    fisher_two, fisher_one = fisher_exact(a, n_a, b, n_b)
    return row.model_copy(
        update={
            "impact_ratio": impact,
            "below_four_fifths": impact < FOUR_FIFTHS,
            "z": z[0] if z else None,
            "z_p_value": z[1] if z else None,
            "fisher_p_two_sided": fisher_two,
            "fisher_p_one_sided": fisher_one,
            "chi2_yates": chi2[0] if chi2 else None,
            "chi2_yates_p_value": chi2[1] if chi2 else None,
            "shortfall": top.rate * n_b - b,
            "flips_to_four_fifths": _flips_to_four_fifths(a, n_a, b, n_b),
            "small_sample": _small_sample(a, n_a, b, n_b),
        }
    )


def rate_table(
    counts: Sequence[tuple[str, int, int]], *, exclusions: Mapping[str, str] | None = None
) -> list[CategoryRow]:
    """One table from ``(category, n, selected)`` counts, in the order given.

    Args:
        counts: each category's number assessed and number selected (or scoring above the
            median); the table's data is their sum.
        exclusions: category -> the auditor's justification for leaving it out of the impact
            ratio calculations (§5-301(d)); names of other tables' categories are ignored.

    Returns:
        One row per category, ``n = 0`` included (rate and impact ratio null).

    Raises:
        DomainError: counts out of range, or an exclusion of a category that is not under 2%
            of the data or that has no justification.
    """
    exclusions = exclusions or {}
    total = sum(n for _, n, _ in counts)
    rows: list[CategoryRow] = []
    for category, n, selected in counts:
        if not 0 <= selected <= n:
            raise DomainError(f"{category}: {selected} selected of {n} is not a valid count")
        # §5-301(d): "less than 2% of the data" -- exact: n/total < 1/50.
        excludable = n * _EXCLUDABLE_DENOMINATOR < total
        justification = exclusions.get(category)
        if justification is not None:
            if not excludable:
                raise DomainError(
                    f"{category} holds {n} of {total} individuals ({n / total:.1%}); "
                    "6 RCNY §5-301(d) allows excluding only a category under 2% of the data"
                )
            if not justification.strip():
                raise DomainError(
                    f"excluding {category} needs the auditor's justification (§5-301(d))"
                )
        rows.append(
            CategoryRow(
                category=category,
                n=n,
                selected=selected,
                rate=selected / n if n else None,
                impact_ratio=None,
                excludable=excludable,
                share=n / total if total else None,
                excluded=justification is not None,
                exclusion_justification=justification.strip() if justification else None,
            )
        )
    # §5-301(d): an excluded category is left out of "the required calculations for impact
    # ratio", so it is neither divided nor the highest rate the others are divided by.
    candidates = [r for r in rows if r.rate is not None and not r.excluded]
    if not candidates:
        return rows
    top = max(candidates, key=lambda r: r.rate or 0.0)  # max keeps the first of equal rates
    if not top.rate:  # every rate is 0: the impact ratio is 0/0
        return rows
    result: list[CategoryRow] = []
    for row in rows:
        if row is top:
            update = {"impact_ratio": 1.0, "reference": True, "below_four_fifths": False}
            result.append(row.model_copy(update=update))
        elif row in candidates:
            result.append(_compared(row, top))
        else:
            result.append(row)
    return result


def audit_decisions(
    decisions: Iterable[Decision],
    *,
    mode: AuditMode = "selection",
    exclusions: Mapping[str, str] | None = None,
) -> BiasAuditResult:
    """The §5-301 bias audit of an AEDT's decisions, with the UGESP diagnostics.

    Args:
        decisions: every individual the AEDT assessed, unknown categories included.
        mode: ``selection`` (rates of ``selected``) or ``scoring`` (rates of a score strictly
            above the full-sample median).
        exclusions: category label -> justification, for categories under 2% of their table's
            data that the auditor leaves out of the impact ratios (§5-301(d)).

    Returns:
        The sex, race/ethnicity and intersectional tables and the unknown count.

    Raises:
        DomainError: no decisions, a decision without a score in scoring mode, an exclusion
            that names no category or one that §5-301(d) does not allow.
    """
    rows = list(decisions)
    if not rows:
        raise DomainError("no decisions to audit")
    median: float | None = None
    if mode == "scoring":
        scores = [d.score for d in rows]
        if any(s is None for s in scores):
            raise DomainError("scoring mode needs a score for every individual assessed")
        # §5-301(c)(1): "the median score for the full sample of applicants", unknowns included.
        median = float(statistics.median(s for s in scores if s is not None))

    def counted(d: Decision) -> bool:
        if median is None:
            return d.selected
        return d.score is not None and d.score > median  # "above" the median: ties do not count

    unknown_names = sorted(set(exclusions or {}) - set(_all_labels()))
    if unknown_names:
        raise DomainError(
            f"cannot exclude {', '.join(map(repr, unknown_names))}: not a category of the audit"
        )

    def table(
        keys: Sequence[tuple[str, Hashable]], key_of: Callable[[Decision], Hashable | None]
    ) -> list[CategoryRow]:
        n = dict.fromkeys((k for _, k in keys), 0)
        hits = dict.fromkeys((k for _, k in keys), 0)
        for d in rows:
            k = key_of(d)
            if k is None:
                continue
            n[k] += 1
            hits[k] += int(counted(d))
        return rate_table([(label, n[k], hits[k]) for label, k in keys], exclusions=exclusions)

    return BiasAuditResult(
        mode=mode,
        assessed=len(rows),
        median_score=median,
        sex=table([(s.value, s) for s in Sex], lambda d: d.sex),
        race_ethnicity=table(
            [(race_label(r), r) for r in RaceEthnicity], lambda d: d.race_ethnicity
        ),
        intersectional=table(
            [(intersectional_label(s, r), (s, r)) for s, r in _INTERSECTIONS],
            lambda d: (
                (d.sex, d.race_ethnicity)
                if d.sex is not None and d.race_ethnicity is not None
                else None
            ),
        ),
        unknown=sum(1 for d in rows if d.sex is None or d.race_ethnicity is None),
        unknown_sex=sum(1 for d in rows if d.sex is None),
        unknown_race_ethnicity=sum(1 for d in rows if d.race_ethnicity is None),
    )


def _all_labels() -> list[str]:
    return [
        *(s.value for s in Sex),
        *(race_label(r) for r in RaceEthnicity),
        *(intersectional_label(s, r) for s, r in _INTERSECTIONS),
    ]


# --- the decisions file ------------------------------------------------------------------

_COLUMNS: dict[AuditMode, tuple[str, ...]] = {
    "selection": ("candidate_id", "sex", "race_ethnicity", "selected"),
    "scoring": ("candidate_id", "sex", "race_ethnicity", "score"),
}
_TRUE = frozenset({"1", "true", "yes"})
_FALSE = frozenset({"0", "false", "no"})


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


_SEXES = {_normal(s.value): s for s in Sex}
_RACES = {
    **{_normal(r.value): r for r in RaceEthnicity},
    **{_normal(race_label(r)): r for r in RaceEthnicity},
}


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:40] + "...")


def read_decisions(path: Path, *, mode: AuditMode = "selection") -> list[Decision]:
    """Read a decisions CSV: ``candidate_id, sex, race_ethnicity`` and ``selected`` (selection
    mode) or ``score`` (scoring mode); other columns are ignored, header names are
    case-insensitive.

    ``sex`` is Male, Female or Unknown; ``race_ethnicity`` one of :class:`RaceEthnicity` (with
    or without " (Not Hispanic or Latino)") or Unknown, case-insensitive; ``selected`` is
    1/0, true/false or yes/no; ``score`` a finite number.

    Raises:
        DecisionsFileError: ``FILE:LINE: column 'NAME': problem`` for the first problem found.
    """
    columns = _COLUMNS[mode]
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return _parse(path, csv.reader(handle), columns)
    except OSError as exc:
        raise DecisionsFileError(f"{path}: cannot read the file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise DecisionsFileError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except csv.Error as exc:
        raise DecisionsFileError(f"{path}: not a readable CSV file: {exc}") from exc


def _parse(path: Path, reader: Iterable[list[str]], columns: Sequence[str]) -> list[Decision]:
    rows = iter(reader)
    header = next(rows, None)
    line = getattr(reader, "line_num", 1)
    if header is None or not any(cell.strip() for cell in header):
        raise DecisionsFileError(
            f"{path}: the file is empty; expected a header line: {','.join(columns)}"
        )
    names = [_normal(cell) for cell in header]
    missing = [c for c in columns if c not in names]
    if missing:
        raise DecisionsFileError(
            f"{path}:{line}: missing column {', '.join(map(repr, missing))} "
            f"(the header has {', '.join(map(repr, header))}; expected {','.join(columns)})"
        )
    index = {c: names.index(c) for c in columns}
    decisions: list[Decision] = []
    first_line: dict[str, int] = {}
    for cells in rows:
        line = getattr(reader, "line_num", line + 1)
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are not individuals
        if len(cells) > len(header):
            raise DecisionsFileError(
                f"{path}:{line}: {len(cells)} fields but the header has {len(header)}"
            )

        def cell(column: str, cells: list[str] = cells, line: int = line) -> str:
            position = index[column]
            value = cells[position].strip() if position < len(cells) else ""
            if not value:
                raise DecisionsFileError(f"{path}:{line}: column '{column}': empty value")
            return value

        candidate_id = cell("candidate_id")
        if candidate_id in first_line:
            raise DecisionsFileError(
                f"{path}:{line}: column 'candidate_id': {_shown(candidate_id)} already appears "
                f"on line {first_line[candidate_id]}; each individual is counted once"
            )
        first_line[candidate_id] = line
        decisions.append(
            Decision(
                candidate_id=candidate_id,
                sex=_sex(path, line, cell("sex")),
                race_ethnicity=_race(path, line, cell("race_ethnicity")),
                selected=_selected(path, line, cell("selected")) if "selected" in index else False,
                score=_score(path, line, cell("score")) if "score" in index else None,
            )
        )
    if not decisions:
        raise DecisionsFileError(f"{path}: no decisions after the header line")
    return decisions


def _sex(path: Path, line: int, value: str) -> Sex | None:
    key = _normal(value)
    if key == _UNKNOWN:
        return None
    if key not in _SEXES:
        raise DecisionsFileError(
            f"{path}:{line}: column 'sex': {_shown(value)} is not one of Male, Female, Unknown"
        )
    return _SEXES[key]


def _race(path: Path, line: int, value: str) -> RaceEthnicity | None:
    key = _normal(value)
    if key == _UNKNOWN:
        return None
    if key not in _RACES:
        allowed = ", ".join([*(r.value for r in RaceEthnicity), "Unknown"])
        raise DecisionsFileError(
            f"{path}:{line}: column 'race_ethnicity': {_shown(value)} is not an EEO-1 "
            f"category; use one of {allowed}"
        )
    return _RACES[key]


def _selected(path: Path, line: int, value: str) -> bool:
    key = value.casefold()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise DecisionsFileError(
        f"{path}:{line}: column 'selected': {_shown(value)} is not a yes/no value; "
        "use 1/0, true/false or yes/no"
    )


def _score(path: Path, line: int, value: str) -> float:
    try:
        score = float(value)
    except ValueError:
        score = math.nan
    if not math.isfinite(score):
        raise DecisionsFileError(
            f"{path}:{line}: column 'score': {_shown(value)} is not a finite number"
        )
    return score
