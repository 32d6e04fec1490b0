"""Bias audit: the DCWP rule's own example tables, COMPLIANCE.md's worked examples, properties.

Golden numbers come from 6 RCNY §5-301 (the selection-tool example after (b), the scoring-tool
example after (d)) and COMPLIANCE.md §1.4 and §2.3; each is checked to the precision printed
there.
"""

from __future__ import annotations

import ast
import math
import random
from fractions import Fraction
from pathlib import Path

import pytest

from domain.bias_audit import (
    BiasAuditResult,
    CategoryRow,
    Decision,
    DecisionsFileError,
    RaceEthnicity,
    Sex,
    audit_decisions,
    fisher_exact,
    intersectional_label,
    race_label,
    rate_table,
    read_decisions,
    two_proportion_z,
    yates_chi2,
)
from domain.errors import DomainError

R = RaceEthnicity
HISPANIC, WHITE, BLACK = R.HISPANIC_OR_LATINO, R.WHITE, R.BLACK
NHPI, ASIAN, NAAN, TWO = R.NATIVE_HAWAIIAN, R.ASIAN, R.NATIVE_AMERICAN, R.TWO_OR_MORE
M, F = Sex.MALE, Sex.FEMALE


def _row(rows: list[CategoryRow], category: str) -> CategoryRow:
    return next(r for r in rows if r.category == category)


def _pct(value: float | None, places: int) -> float:
    assert value is not None
    return round(100 * value, places)


def _people(
    sex: Sex | None, race: RaceEthnicity | None, n: int, hits: int, start: int
) -> list[Decision]:
    """``n`` individuals, the first ``hits`` selected (score 90), the rest not (score 10)."""
    return [
        Decision(
            candidate_id=f"c{start + i}",
            sex=sex,
            race_ethnicity=race,
            selected=i < hits,
            score=90.0 if i < hits else 10.0,
        )
        for i in range(n)
    ]


def _dataset(cells: list[tuple[Sex | None, RaceEthnicity | None, int, int]]) -> list[Decision]:
    decisions: list[Decision] = []
    for sex, race, n, hits in cells:
        decisions += _people(sex, race, n, hits, len(decisions))
    return decisions


# --- 6 RCNY §5-301(b) example: a selection tool -------------------------------------------

# (sex, race, # of applicants, # selected, printed selection rate %, printed impact ratio)
DCWP_SELECTION_INTERSECTIONAL = [
    (M, HISPANIC, 205, 90, 43.9, 0.841),
    # The rule prints this row's last two columns transposed ("0.827  43.2%").
    (F, HISPANIC, 190, 82, 43.2, 0.827),
    (M, WHITE, 412, 215, 52.2, 1.000),
    (M, BLACK, 226, 95, 42.0, 0.806),
    (M, NHPI, 87, 37, 42.5, 0.815),
    (M, ASIAN, 321, 167, 52.0, 0.997),
    (M, NAAN, 24, 11, 45.8, 0.878),
    (M, TWO, 115, 52, 45.2, 0.866),
    (F, WHITE, 385, 197, 51.2, 0.981),
    (F, BLACK, 164, 75, 45.7, 0.876),
    (F, NHPI, 32, 15, 46.9, 0.898),
    (F, ASIAN, 295, 135, 45.8, 0.877),
    (F, NAAN, 17, 7, 41.2, 0.789),
    (F, TWO, 98, 44, 44.9, 0.860),
]

# The race/ethnicity table as printed: (race, n, selected, rate %, impact ratio to 2 d.p.)
DCWP_SELECTION_RACE = [
    (HISPANIC, 408, 204, 50, 0.97),
    (WHITE, 797, 412, 52, 1.00),
    (BLACK, 390, 170, 44, 0.84),
    (NHPI, 119, 52, 44, 0.85),
    (ASIAN, 616, 302, 49, 0.95),
    (NAAN, 41, 18, 44, 0.85),
    (TWO, 213, 96, 45, 0.87),
]


@pytest.fixture(scope="module")
def dcwp_selection() -> BiasAuditResult:
    """The example's 2,571 individuals (the intersectional table) and its 250 unknowns."""
    cells: list[tuple[Sex | None, RaceEthnicity | None, int, int]] = [
        (sex, race, n, hits) for sex, race, n, hits, _, _ in DCWP_SELECTION_INTERSECTIONAL
    ]
    cells.append((None, None, 250, 100))
    return audit_decisions(_dataset(cells), mode="selection")


def test_dcwp_selection_sex_table(dcwp_selection: BiasAuditResult) -> None:
    male, female = dcwp_selection.sex
    assert (male.category, male.n, male.selected) == ("Male", 1390, 667)
    assert (female.category, female.n, female.selected) == ("Female", 1181, 555)
    assert round(_pct(male.rate, 0)) == 48 and round(_pct(female.rate, 0)) == 47
    # COMPLIANCE §1.4: 667/1390 = 0.4799, 555/1181 = 0.4699.
    assert round(male.rate or 0, 4) == 0.4799 and round(female.rate or 0, 4) == 0.4699
    assert male.impact_ratio == 1.0 and male.reference
    assert round(female.impact_ratio or 0, 3) == 0.979
    assert dcwp_selection.unknown == 250


@pytest.mark.parametrize(
    ("sex", "race", "n", "hits", "rate", "ratio"), DCWP_SELECTION_INTERSECTIONAL
)
def test_dcwp_selection_intersectional_table(
    dcwp_selection: BiasAuditResult,
    sex: Sex,
    race: RaceEthnicity,
    n: int,
    hits: int,
    rate: float,
    ratio: float,
) -> None:
    row = _row(dcwp_selection.intersectional, intersectional_label(sex, race))
    assert (row.n, row.selected) == (n, hits)
    assert _pct(row.rate, 1) == rate
    assert round(row.impact_ratio or 0, 3) == ratio


def test_dcwp_selection_transposed_row_is_detected(dcwp_selection: BiasAuditResult) -> None:
    """The published Hispanic-female row reads "0.827  43.2%"; the rate is 43.2%, the IR 0.827."""
    row = _row(dcwp_selection.intersectional, "Hispanic or Latino Female")
    printed_rate, printed_ratio = 0.827, 0.432
    assert round(row.rate or 0, 3) != printed_rate
    assert round(row.impact_ratio or 0, 3) != printed_ratio
    assert (round(row.rate or 0, 3), round(row.impact_ratio or 0, 3)) == (0.432, 0.827)


def test_dcwp_selection_flags(dcwp_selection: BiasAuditResult) -> None:
    # Only NA/AN women fall under four-fifths (0.789); White men are the reference.
    below = [r.category for r in dcwp_selection.intersectional if r.below_four_fifths]
    assert below == ["Not Hispanic or Latino Native American or Alaska Native Female"]
    assert [r.category for r in dcwp_selection.intersectional if r.reference] == [
        "Not Hispanic or Latino White Male"
    ]
    # COMPLIANCE §1.4: NA/AN male 24 (0.93%), NHPI female 32 (1.25%), NA/AN female 17 (0.66%)
    # of N = 2,571 are each under 2% -- flagged, still reported with their ratio.
    excludable = {r.category: r for r in dcwp_selection.intersectional if r.excludable}
    assert {c: round(100 * (r.share or 0), 2) for c, r in excludable.items()} == {
        "Not Hispanic or Latino Native American or Alaska Native Male": 0.93,
        "Not Hispanic or Latino Native Hawaiian or Pacific Islander Female": 1.24,
        "Not Hispanic or Latino Native American or Alaska Native Female": 0.66,
    }
    assert all(r.impact_ratio is not None and not r.excluded for r in excludable.values())
    # 32/2571 = 1.2446%: COMPLIANCE prints 1.25%, which is 1.2446 rounded twice.
    assert round(32 / 2571 * 100, 3) == 1.245


@pytest.mark.parametrize(("race", "n", "hits", "rate", "ratio"), DCWP_SELECTION_RACE)
def test_dcwp_selection_race_table(
    race: RaceEthnicity, n: int, hits: int, rate: int, ratio: float
) -> None:
    rows = rate_table([(race_label(r), n_, k) for r, n_, k, _, _ in DCWP_SELECTION_RACE])
    row = _row(rows, race_label(race))
    assert round(_pct(row.rate, 0)) == rate
    assert round(row.impact_ratio or 0, 2) == ratio


def test_dcwp_race_table_from_individuals(dcwp_selection: BiasAuditResult) -> None:
    """COMPLIANCE §1.4: White 412/797 = 0.517 is the highest; Black 0.436 -> 0.843; NA/AN 0.849.

    From the individuals of the intersectional table every race row equals the printed race
    table except Hispanic or Latino: the rule prints 204 of 408, its own intersectional rows
    add up to 172 of 395.
    """
    rows = dcwp_selection.race_ethnicity
    white = _row(rows, race_label(WHITE))
    assert white.reference and round(white.rate or 0, 3) == 0.517
    assert round(_row(rows, race_label(BLACK)).rate or 0, 3) == 0.436
    assert round(_row(rows, race_label(BLACK)).impact_ratio or 0, 3) == 0.843
    assert round(_row(rows, race_label(NAAN)).impact_ratio or 0, 3) == 0.849
    for race, n, hits, _, _ in DCWP_SELECTION_RACE:
        row = _row(rows, race_label(race))
        expected = (395, 172) if race is HISPANIC else (n, hits)
        assert (row.n, row.selected) == expected
    assert _row(rows, race_label(NAAN)).excludable  # 41 of 2,571 = 1.6%


# --- 6 RCNY §5-301(d) example: a scoring tool ("culture fit") -----------------------------

# (sex, race, # of applicants, # above the median, printed scoring rate %, printed IR)
DCWP_SCORING_INTERSECTIONAL = [
    (M, HISPANIC, 16, 12, 75.0, 1.00),
    (F, HISPANIC, 12, 6, 50.0, 0.67),
    (M, WHITE, 20, 7, 35.0, 0.47),
    (M, BLACK, 20, 10, 50.0, 0.67),
    (M, NHPI, 4, 3, 75.0, 1.00),
    (M, ASIAN, 12, 7, 58.3, 0.78),
    (M, NAAN, 8, 5, 62.5, 0.83),
    (M, TWO, 12, 6, 50.0, 0.67),
    (F, WHITE, 20, 8, 40.0, 0.53),
    (F, BLACK, 12, 6, 50.0, 0.67),
    (F, NHPI, 4, 2, 50.0, 0.67),
    (F, ASIAN, 12, 3, 25.0, 0.33),
    (F, NAAN, 8, 5, 62.5, 0.83),
    (F, TWO, 8, 4, 50.0, 0.67),
]

# (race, n, printed scoring rate %, printed IR)
DCWP_SCORING_RACE = [
    (HISPANIC, 28, 64.2, 1.00),
    (WHITE, 40, 37.5, 0.58),
    (BLACK, 32, 50.0, 0.78),
    (NHPI, 8, 62.5, 0.97),
    (ASIAN, 24, 41.7, 0.65),
    (NAAN, 16, 62.5, 0.97),
    (TWO, 20, 50.0, 0.78),
]


@pytest.fixture(scope="module")
def dcwp_scoring() -> BiasAuditResult:
    """168 scored individuals (above the median: 90, else 10) and the 15 unknowns."""
    cells: list[tuple[Sex | None, RaceEthnicity | None, int, int]] = [
        (sex, race, n, hits) for sex, race, n, hits, _, _ in DCWP_SCORING_INTERSECTIONAL
    ]
    # Unknown in both sex and race/ethnicity, as the rule's note implies: its sex table and its
    # intersectional table count the same 168 individuals.
    cells.append((None, None, 15, 7))
    return audit_decisions(_dataset(cells), mode="scoring")


def test_dcwp_scoring_sex_table(dcwp_scoring: BiasAuditResult) -> None:
    assert dcwp_scoring.median_score == 10.0  # 91 of 183 scores are 90, 92 are 10
    male, female = dcwp_scoring.sex
    assert (male.n, female.n) == (92, 76)
    assert (_pct(male.rate, 1), _pct(female.rate, 1)) == (54.3, 44.7)
    assert male.impact_ratio == 1.0 and round(female.impact_ratio or 0, 2) == 0.82
    assert dcwp_scoring.unknown == 15


@pytest.mark.parametrize(("race", "n", "rate", "ratio"), DCWP_SCORING_RACE)
def test_dcwp_scoring_race_table(
    dcwp_scoring: BiasAuditResult, race: RaceEthnicity, n: int, rate: float, ratio: float
) -> None:
    row = _row(dcwp_scoring.race_ethnicity, race_label(race))
    assert row.n == n
    if race is HISPANIC:
        # The rule prints 64.2%, but 18/28 = 64.29% rounds to 64.3% (Asian's 10/24 = 41.67% is
        # printed rounded, 41.7%): a truncation in the rule. Its impact ratios are unaffected.
        assert row.selected == 18 and _pct(row.rate, 1) == 64.3
        assert math.floor(1000 * (row.rate or 0)) / 10 == rate
    else:
        assert _pct(row.rate, 1) == rate
    assert round(row.impact_ratio or 0, 2) == ratio


def test_dcwp_scoring_white_vs_hispanic(dcwp_scoring: BiasAuditResult) -> None:
    """COMPLIANCE §1.4: White 37.5% vs the highest, Hispanic 64.2% -> IR 0.58."""
    hispanic = _row(dcwp_scoring.race_ethnicity, race_label(HISPANIC))
    white = _row(dcwp_scoring.race_ethnicity, race_label(WHITE))
    assert hispanic.reference and (hispanic.n, hispanic.selected) == (28, 18)
    assert white.rate == 0.375 and round(white.impact_ratio or 0, 2) == 0.58


@pytest.mark.parametrize(("sex", "race", "n", "hits", "rate", "ratio"), DCWP_SCORING_INTERSECTIONAL)
def test_dcwp_scoring_intersectional_table(
    dcwp_scoring: BiasAuditResult,
    sex: Sex,
    race: RaceEthnicity,
    n: int,
    hits: int,
    rate: float,
    ratio: float,
) -> None:
    row = _row(dcwp_scoring.intersectional, intersectional_label(sex, race))
    assert (row.n, row.selected) == (n, hits)
    assert _pct(row.rate, 1) == rate
    assert round(row.impact_ratio or 0, 2) == ratio


def test_dcwp_scoring_first_of_tied_highest_is_the_reference(dcwp_scoring: BiasAuditResult) -> None:
    # Hispanic men and NHPI men both score 75%; both have IR 1.00, the first is the reference.
    tops = [r for r in dcwp_scoring.intersectional if r.impact_ratio == 1.0]
    assert [r.category for r in tops] == [
        "Hispanic or Latino Male",
        "Not Hispanic or Latino Native Hawaiian or Pacific Islander Male",
    ]
    assert tops[0].reference and not tops[1].reference
    assert tops[1].z == 0.0 and tops[1].fisher_p_two_sided == pytest.approx(1.0)


# --- COMPLIANCE.md §1.4 toy scoring example ------------------------------------------------


def _scored(sex: Sex | None, scores: list[float], start: int = 0) -> list[Decision]:
    return [
        Decision(candidate_id=f"{start + i}", sex=sex, race_ethnicity=WHITE, score=s)
        for i, s in enumerate(scores)
    ]


def test_toy_scoring_example() -> None:
    decisions = _scored(M, [55, 62, 70, 71, 80, 90]) + _scored(F, [50, 58, 60, 65, 72, 85], 6)
    result = audit_decisions(decisions, mode="scoring")
    assert result.median_score == 67.5
    male, female = result.sex
    assert round(male.rate or 0, 3) == 0.667 and round(female.rate or 0, 3) == 0.333
    assert (male.selected, female.selected) == (4, 2)
    assert female.impact_ratio == pytest.approx(0.50)


def test_scoring_a_score_equal_to_the_median_is_not_above() -> None:
    # Median of [1, 2, 2, 2, 3, 5] is 2: only 3 and 5 are above it; the three 2s are not.
    decisions = _scored(M, [2, 2, 3]) + _scored(F, [1, 2, 5], 3)
    result = audit_decisions(decisions, mode="scoring")
    assert result.median_score == 2.0
    assert [(r.n, r.selected) for r in result.sex] == [(3, 1), (3, 1)]


def test_scoring_median_is_of_the_full_sample_unknowns_included() -> None:
    """Unknowns are part of "the full sample of applicants" (§5-301(c)(1); COMPLIANCE NYC-2)."""
    known = _scored(M, [10, 20]) + _scored(F, [30, 40], 2)  # alone: median 25
    unknown = _scored(None, [50, 60, 70], 4)  # with them: median 40
    result = audit_decisions(known + unknown, mode="scoring")
    assert result.median_score == 40.0
    assert [(r.n, r.selected) for r in result.sex] == [(2, 0), (2, 0)]
    assert result.unknown == 3 and result.unknown_sex == 3
    # Every rate is 0: the impact ratio is 0/0, null rather than invented.
    assert all(r.impact_ratio is None and r.rate == 0.0 for r in result.sex)


def test_scoring_needs_every_score() -> None:
    with pytest.raises(DomainError, match="score"):
        audit_decisions(
            [Decision("a", M, WHITE, score=1.0), Decision("b", F, WHITE)], mode="scoring"
        )


# --- COMPLIANCE.md §2.3: EEOC technical assistance examples --------------------------------


def test_eeoc_example_48_of_80_vs_12_of_40() -> None:
    white, black = rate_table([("White", 80, 48), ("Black", 40, 12)])
    assert (white.rate, black.rate) == (0.6, 0.3)
    assert black.impact_ratio == pytest.approx(0.50) and black.below_four_fifths
    assert round(black.z or 0, 2) == 3.10 and round(black.z_p_value or 0, 4) == 0.0019
    assert round(black.fisher_p_two_sided or 0, 4) == 0.0034
    assert round(black.fisher_p_one_sided or 0, 4) == 0.0017
    assert round(black.chi2_yates or 0, 2) == 8.44
    assert round(black.chi2_yates_p_value or 0, 4) == 0.0037


def test_eeoc_borderline_48_of_80_vs_21_of_50() -> None:
    _, b = rate_table([("A", 80, 48), ("B", 50, 21)])
    assert b.rate == 0.42 and round(b.impact_ratio or 0, 2) == 0.70 and b.below_four_fifths
    assert round(b.z or 0, 2) == 2.00 and round(b.z_p_value or 0, 3) == 0.045
    assert round((b.z or 0) ** 2, 2) == 4.00  # Pearson chi-square without correction = z^2
    assert round(b.chi2_yates or 0, 2) == 3.31 and round(b.chi2_yates_p_value or 0, 3) == 0.069
    assert round(b.fisher_p_two_sided or 0, 4) == 0.0495
    assert round(b.fisher_p_one_sided or 0, 3) == 0.034
    assert b.shortfall == pytest.approx(9.0)
    assert b.flips_to_four_fifths == 3  # ceil(0.8 * 0.6 * 50) - 21 = 24 - 21
    assert not b.small_sample
    # Three more selections reach four-fifths; two do not.
    assert (21 + 3) / 50 / 0.6 >= 0.8 > (21 + 2) / 50 / 0.6


# --- Fisher and z against exact enumeration -----------------------------------------------


def _fisher_by_enumeration(a: int, n_a: int, b: int, n_b: int) -> tuple[Fraction, Fraction]:
    """Every table with the observed margins, probabilities as exact fractions."""
    k, n = a + b, n_a + n_b
    probability = {
        x: Fraction(math.comb(n_a, x) * math.comb(n_b, k - x), math.comb(n, k))
        for x in range(max(0, k - n_b), min(k, n_a) + 1)
    }
    assert sum(probability.values()) == 1
    two = sum((p for p in probability.values() if p <= probability[a]), Fraction(0))
    one = sum((p for x, p in probability.items() if x >= a), Fraction(0))
    return two, one


def test_fisher_hand_computed() -> None:
    # 3/3 vs 0/3: P(X=3) = C(3,3)C(3,0)/C(6,3) = 1/20; X=0 is as extreme: two-sided 2/20.
    assert fisher_exact(3, 3, 0, 3) == pytest.approx((0.1, 0.05))
    # 2/2 vs 0/2: 1/C(4,2) = 1/6 each tail.
    assert fisher_exact(2, 2, 0, 2) == pytest.approx((1 / 3, 1 / 6))
    # Equal tables: p = 1.
    assert fisher_exact(1, 2, 1, 2) == pytest.approx((1.0, 5 / 6))


@pytest.mark.parametrize(
    ("a", "n_a", "b", "n_b"),
    [(3, 5, 0, 4), (1, 4, 3, 3), (7, 10, 2, 10), (0, 3, 0, 4), (5, 5, 5, 5), (9, 12, 4, 15)]
    + [(a, 8, b, 6) for a in range(0, 9, 2) for b in range(0, 7, 3)],
)
def test_fisher_matches_exact_enumeration(a: int, n_a: int, b: int, n_b: int) -> None:
    two, one = _fisher_by_enumeration(a, n_a, b, n_b)
    got_two, got_one = fisher_exact(a, n_a, b, n_b)
    assert got_two == pytest.approx(float(two), rel=1e-9)
    assert got_one == pytest.approx(float(one), rel=1e-9)


def test_fisher_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError):
        fisher_exact(5, 4, 0, 3)


def test_z_hand_computed() -> None:
    # 3/3 vs 0/3: pooled 1/2, SE = sqrt(1/4 * 2/3), z = 1/SE = sqrt(6).
    z, p = two_proportion_z(3, 3, 0, 3) or (0.0, 0.0)
    assert z == pytest.approx(math.sqrt(6))
    assert p == pytest.approx(math.erfc(math.sqrt(3)))  # 2 * (1 - Phi(sqrt 6))
    # 6/10 vs 2/10: pooled 0.4, SE = sqrt(0.24 * 0.2) = sqrt(0.048), z = 0.4 / SE.
    z, _ = two_proportion_z(6, 10, 2, 10) or (0.0, 0.0)
    assert z == pytest.approx(0.4 / math.sqrt(0.048))
    assert two_proportion_z(0, 5, 0, 5) is None  # nobody selected: no variance
    assert two_proportion_z(1, 1, 0, 0) is None


def test_yates_hand_computed() -> None:
    # 48,32 / 12,28: N (|ad-bc| - N/2)^2 / (r1 r2 c1 c2) = 120 * 900^2 / (80*40*60*60).
    chi2, _ = yates_chi2(48, 80, 12, 40) or (0.0, 0.0)
    assert chi2 == pytest.approx(120 * 900**2 / (80 * 40 * 60 * 60))
    chi2, p = yates_chi2(1, 2, 1, 2) or (1.0, 0.0)
    assert (chi2, p) == (0.0, 1.0)  # the correction stops at 0


# --- the 2% rule ---------------------------------------------------------------------------


def test_excludable_at_the_two_percent_boundary() -> None:
    rows = rate_table([("big", 961, 400), ("1.9%", 19, 5), ("2.0%", 20, 5)])  # of 1,000
    assert [r.excludable for r in rows] == [False, True, False]
    assert [r.share for r in rows] == [0.961, 0.019, 0.02]
    assert all(r.impact_ratio is not None for r in rows)  # flagged, never dropped


def test_excludable_by_sex_from_decisions() -> None:
    # 1 woman of 50 is exactly 2%: not excludable; 1 of 51 is 1.96%: excludable.
    fifty = _dataset([(M, WHITE, 49, 20), (F, WHITE, 1, 1)])
    assert [r.excludable for r in audit_decisions(fifty).sex] == [False, False]
    fifty_one = _dataset([(M, WHITE, 50, 20), (F, WHITE, 1, 1)])
    assert [r.excludable for r in audit_decisions(fifty_one).sex] == [False, True]


def test_exclusion_needs_an_excludable_category_and_a_justification() -> None:
    counts = [("big", 961, 400), ("small", 19, 19), ("mid", 20, 5)]
    rows = rate_table(counts, exclusions={"small": "19 of 1,000: too few for a stable ratio"})
    big, small, mid = rows
    # The excluded category keeps n and rate and is not the highest rate divided by.
    assert (small.n, small.rate, small.impact_ratio, small.excluded) == (19, 1.0, None, True)
    assert small.exclusion_justification == "19 of 1,000: too few for a stable ratio"
    assert small.z is None and not small.reference
    assert big.reference and big.impact_ratio == 1.0
    assert mid.impact_ratio == pytest.approx((5 / 20) / (400 / 961))
    # Without the exclusion the small category is the reference.
    assert rate_table(counts)[1].reference
    with pytest.raises(DomainError, match="under 2%"):
        rate_table(counts, exclusions={"mid": "because"})
    with pytest.raises(DomainError, match="justification"):
        rate_table(counts, exclusions={"small": "  "})


def test_exclusion_of_an_unknown_category_is_refused() -> None:
    with pytest.raises(DomainError, match="not a category"):
        audit_decisions(_dataset([(M, WHITE, 5, 1)]), exclusions={"Martian": "why"})


# --- properties ----------------------------------------------------------------------------


def _random_decisions(seed: int) -> list[Decision]:
    rng = random.Random(seed)
    sexes: list[Sex | None] = [M, F, None]
    races: list[RaceEthnicity | None] = [*RaceEthnicity, None]
    return [
        Decision(
            candidate_id=str(i),
            sex=rng.choice(sexes),
            race_ethnicity=rng.choice(races),
            selected=rng.random() < rng.choice([0.1, 0.4, 0.7]),
            score=float(rng.randint(0, 20)),  # many ties, some at the median
        )
        for i in range(rng.randint(1, 400))
    ]


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("mode", ["selection", "scoring"])
def test_properties(seed: int, mode: str) -> None:
    decisions = _random_decisions(seed)
    result = audit_decisions(decisions, mode="scoring" if mode == "scoring" else "selection")
    tables = (result.sex, result.race_ethnicity, result.intersectional)
    assert [len(t) for t in tables] == [2, 7, 14]  # every category listed, n = 0 included
    for table in tables:
        ratios = [r.impact_ratio for r in table if r.impact_ratio is not None]
        references = [r for r in table if r.reference]
        if ratios:
            assert len(references) == 1 and references[0].impact_ratio == 1.0
            assert max(ratios) == 1.0
            assert references[0].rate == max(r.rate or 0 for r in table)
            assert all(0.0 <= ratio <= 1.0 for ratio in ratios)
        for r in table:
            assert 0 <= r.selected <= r.n
            assert (r.rate is None) == (r.n == 0)
            if r.impact_ratio is not None:
                assert r.below_four_fifths == (r.impact_ratio < 0.8)
            if r.fisher_p_two_sided is not None:
                assert 0.0 <= r.fisher_p_one_sided <= 1.0  # type: ignore[operator]
                assert 0.0 <= r.fisher_p_two_sided <= 1.0
                assert (r.shortfall or 0) >= -1e-9
    # Unknowns are excluded from the tables that need the unknown attribute, and counted.
    assert sum(r.n for r in result.sex) == sum(d.sex is not None for d in decisions)
    assert sum(r.n for r in result.race_ethnicity) == sum(
        d.race_ethnicity is not None for d in decisions
    )
    both = sum(d.sex is not None and d.race_ethnicity is not None for d in decisions)
    assert sum(r.n for r in result.intersectional) == both
    assert result.unknown == len(decisions) - both


@pytest.mark.parametrize("seed", range(10))
def test_unknowns_do_not_change_selection_tables(seed: int) -> None:
    decisions = [d for d in _random_decisions(seed) if d.sex and d.race_ethnicity]
    if not decisions:
        return
    unknowns = [
        Decision("u1", None, WHITE, selected=True),
        Decision("u2", M, None, selected=True),
        Decision("u3", None, None, selected=False),
    ]
    before = audit_decisions(decisions)
    after = audit_decisions(decisions + unknowns)
    assert after.intersectional == before.intersectional
    assert after.unknown == before.unknown + 3
    assert (after.unknown_sex, after.unknown_race_ethnicity) == (2, 2)


def test_tables_json_has_exactly_the_four_keys() -> None:
    result = audit_decisions(_dataset([(M, WHITE, 3, 1), (F, ASIAN, 2, 1), (None, None, 1, 1)]))
    tables = result.tables()
    assert list(tables) == ["sex", "race_ethnicity", "intersectional", "unknown"]
    assert tables["unknown"] == 1
    row = tables["sex"][0]  # type: ignore[index]
    assert {"category", "n", "selected", "rate", "impact_ratio", "excludable"} <= set(row)


def test_no_decisions_is_an_error() -> None:
    with pytest.raises(DomainError):
        audit_decisions([])


# --- the decisions file --------------------------------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "decisions.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_read_decisions_accepts_the_documented_values(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "\ufeffCandidate_ID, Sex ,RACE_ETHNICITY,selected,notes\n"
        "a,Male,White,1,x\n"
        "b,female,Hispanic or Latino,No,\n"
        "\n"
        "c,UNKNOWN,Black or African American (Not Hispanic or Latino),TRUE,\n"
        "d,Female,two or more  races,false,\n"
        "e,Male,Unknown,yes,\n"
        "f,Female,Asian,0,\n",
    )
    decisions = read_decisions(path)
    assert [d.selected for d in decisions] == [True, False, True, False, True, False]
    assert [d.sex for d in decisions] == [M, F, None, F, M, F]
    assert [d.race_ethnicity for d in decisions] == [WHITE, HISPANIC, BLACK, TWO, None, ASIAN]


def test_read_decisions_scoring_needs_only_a_score(tmp_path: Path) -> None:
    path = _write(tmp_path, "candidate_id,sex,race_ethnicity,score\na,Male,White,71.5\n")
    assert read_decisions(path, mode="scoring")[0].score == 71.5


@pytest.mark.parametrize(
    ("text", "mode", "where", "message"),
    [
        ("", "selection", "", "empty"),
        ("candidate_id,sex,race_ethnicity,selected\n", "selection", "", "no decisions"),
        ("candidate_id,sex,selected\na,Male,1\n", "selection", ":1:", "'race_ethnicity'"),
        ("candidate_id,sex,race_ethnicity\na,Male,White\n", "selection", ":1:", "'selected'"),
        ("candidate_id,sex,race_ethnicity,selected\na,Male,White,1\n", "scoring", ":1:", "score"),
        (
            "candidate_id,sex,race_ethnicity,selected\na,Male,White,1\nb,M,White,0\n",
            "selection",
            ":3:",
            "column 'sex': 'M' is not one of Male, Female, Unknown",
        ),
        (
            "candidate_id,sex,race_ethnicity,selected\na,Male,Latino,1\n",
            "selection",
            ":2:",
            "column 'race_ethnicity': 'Latino' is not an EEO-1 category",
        ),
        (
            "candidate_id,sex,race_ethnicity,selected\na,Male,White,maybe\n",
            "selection",
            ":2:",
            "column 'selected': 'maybe' is not a yes/no value",
        ),
        (
            "candidate_id,sex,race_ethnicity,score\na,Male,White,1\nb,Male,White,high\n",
            "scoring",
            ":3:",
            "column 'score': 'high' is not a finite number",
        ),
        (
            "candidate_id,sex,race_ethnicity,score\na,Male,White,nan\n",
            "scoring",
            ":2:",
            "column 'score'",
        ),
        (
            "candidate_id,sex,race_ethnicity,selected\na,Male,,1\n",
            "selection",
            ":2:",
            "column 'race_ethnicity': empty value",
        ),
        (
            "candidate_id,sex,race_ethnicity,selected\na,Male,White\n",
            "selection",
            ":2:",
            "column 'selected': empty value",
        ),
        (
            "candidate_id,sex,race_ethnicity,selected\na,Male,White,1,extra\n",
            "selection",
            ":2:",
            "5 fields",
        ),
        (
            "candidate_id,sex,race_ethnicity,selected\na,Male,White,1\n\na,Female,Asian,0\n",
            "selection",
            ":4:",
            "already appears on line 2",
        ),
    ],
)
def test_read_decisions_errors_name_file_line_and_column(
    tmp_path: Path, text: str, mode: str, where: str, message: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(DecisionsFileError) as caught:
        read_decisions(path, mode="scoring" if mode == "scoring" else "selection")
    assert str(caught.value).startswith(f"{path}{where}")
    assert message in str(caught.value)


def test_read_decisions_unreadable(tmp_path: Path) -> None:
    with pytest.raises(DecisionsFileError, match="cannot read"):
        read_decisions(tmp_path / "missing.csv")
    path = tmp_path / "latin1.csv"
    path.write_bytes("candidate_id,sex,race_ethnicity,selected\na,Mâle,White,1\n".encode("latin-1"))
    with pytest.raises(DecisionsFileError, match="UTF-8"):
        read_decisions(path)


# --- demographic data stays here -----------------------------------------------------------


def test_module_writes_nothing_and_logs_nothing() -> None:
    """The audit reads its input and returns aggregates: no writes, no logging, no printing
    (COMPLIANCE EEO-3: self-ID data only in the aggregated audit module)."""
    import domain.bias_audit as module

    tree = ast.parse(Path(module.__file__ or "").read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (
            node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")]
        )
    }
    assert not imported & {"logging", "pickle", "shelve", "sqlite3", "tempfile", "shutil", "os"}
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    names = {
        c.func.attr if isinstance(c.func, ast.Attribute) else getattr(c.func, "id", "")
        for c in calls
    }
    assert not names & {"print", "write", "write_text", "write_bytes", "writer", "dump"}
    opens = [c for c in calls if isinstance(c.func, ast.Attribute) and c.func.attr == "open"]
    assert len(opens) == 1 and not opens[0].args  # Path.open() in its default read mode
