"""Cohen's kappa, Fleiss' kappa and the Shrout-Fleiss ICCs against published worked examples.

- SAS/STAT User's Guide, PROC FREQ "Getting Started: Agreement Study" (skin condition, two
  dermatologists, Table 3.2 / 40.2): simple kappa 0.3449, ASE 0.0724, 95% CI 0.2030-0.4868; weighted
  kappa (Cicchetti-Allison, i.e. linear weights) 0.5082, ASE 0.0655, 95% CI 0.3798-0.6366. The ASE is
  that of Fleiss, Cohen and Everitt (1969).
- A second SAS printout (quoted in statsmodels' test suite, `table10`): kappa 0.4842, ASE 0.1380, CI
  0.2137-0.7547, ASE under H0 0.1484, Z 3.2626; linear weighted 0.4701, ASE 0.1457, CI 0.1845-0.7558.
- Fleiss, Levin and Paik (2003), Statistical Methods for Rates and Proportions, 3rd ed., Table 18.1
  (100 patients, two diagnosticians, 3 categories): kappa = 0.676 (printed 0.68).
- Fleiss (1971), Psychological Bulletin 76:378, Table 1: 30 patients, 6 psychiatrists, 5 diagnoses,
  kappa = 0.430; R package irr's kappam.fleiss(diagnoses) prints Kappa 0.43, z = 17.7 (17.65183).
- Wikipedia's "Fleiss' kappa" worked example (10 subjects, 14 raters, 5 categories): kappa 0.210.
- Pingouin's `intraclass_corr` reference page (wine data, 8 targets x 4 judges), rounded to 3 places:
  ICC1 0.728 F 11.680 (7, 24) CI [0.43, 0.93]; ICC2 0.728 F 11.787 (7, 21) [0.43, 0.93]; ICC3 0.729
  [0.43, 0.93]; ICC1k 0.914 [0.75, 0.98]; ICC2k 0.914 [0.75, 0.98]; ICC3k 0.915 [0.75, 0.98].
"""

from __future__ import annotations

import numpy as np
import pytest

from sightline.stats import ICC_FORMS, cohen_kappa, cohen_kappa_table, fleiss_kappa, icc, icc_all
from tests.stats.reference import long_to_wide

SKIN = [[10, 4, 1, 0], [5, 10, 12, 2], [2, 4, 12, 5], [0, 2, 6, 13]]
SAS_TABLE10 = [[0, 4, 1], [0, 8, 0], [0, 1, 5]]
FLEISS_LEVIN_PAIK_18_1 = [[75, 1, 4], [5, 4, 1], [0, 0, 10]]

# Fleiss (1971) Table 1 as raw ratings (irr's `diagnoses` data): 30 patients x 6 raters, codes 1-5.
DIAGNOSES = np.array(
    [
        [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
        [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
        [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
        [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
        [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
        [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
        [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
        [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
    ]
)  # fmt: skip
WIKIPEDIA_FLEISS = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]  # fmt: skip


def _rounded(value: float | None, places: int) -> float:
    assert value is not None
    return round(value, places)


def test_skin_condition_simple_kappa_matches_sas() -> None:
    result = cohen_kappa_table(SKIN)

    assert _rounded(result.estimate, 4) == 0.3449
    assert _rounded(result.se, 4) == 0.0724
    assert (_rounded(result.kappa.low, 4), _rounded(result.kappa.high, 4)) == (0.2030, 0.4868)
    assert result.kappa.n == 88


def test_skin_condition_weighted_kappa_matches_sas() -> None:
    result = cohen_kappa_table(SKIN, weights="linear")

    assert _rounded(result.estimate, 4) == 0.5082
    assert _rounded(result.se, 4) == 0.0655
    assert (_rounded(result.kappa.low, 4), _rounded(result.kappa.high, 4)) == (0.3798, 0.6366)


def test_second_sas_example_including_the_test_of_zero() -> None:
    simple = cohen_kappa_table(SAS_TABLE10)
    weighted = cohen_kappa_table(SAS_TABLE10, weights="linear")

    assert [_rounded(v, 4) for v in (simple.estimate, simple.se, simple.kappa.low, simple.kappa.high)] == [
        0.4842, 0.1380, 0.2137, 0.7547
    ]  # fmt: skip
    assert [_rounded(v, 4) for v in (simple.se_null, simple.z, simple.p_value)] == [
        0.1484,
        3.2626,
        0.0011,
    ]
    assert [
        _rounded(v, 4)
        for v in (weighted.estimate, weighted.se, weighted.kappa.low, weighted.kappa.high)
    ] == [0.4701, 0.1457, 0.1845, 0.7558]
    assert [_rounded(v, 4) for v in (weighted.se_null, weighted.z)] == [0.1426, 3.2971]


def test_fleiss_levin_paik_table_18_1() -> None:
    assert _rounded(cohen_kappa_table(FLEISS_LEVIN_PAIK_18_1).estimate, 3) == 0.676


def test_kappa_from_raw_ratings_equals_kappa_from_their_table() -> None:
    # The skin table expanded to one (derm 1, derm 2) pair per patient, categories coded 0-3.
    pairs = [(i, j) for i in range(4) for j in range(4) for _ in range(SKIN[i][j])]
    a, b = (np.array(column) for column in zip(*pairs, strict=True))

    assert cohen_kappa(a, b).estimate == pytest.approx(0.3448753, abs=1e-6)
    assert _rounded(cohen_kappa(a, b, weights="linear").estimate, 4) == 0.5082


def test_unused_category_needs_explicit_categories_for_weights() -> None:
    # Scores 0-3 where nobody scored 1: declared, 0-vs-2 is two of three steps apart (linear weight
    # 1/3); inferred from the data, the unused 1 vanishes and 0-vs-2 looks one step apart (weight 1/2).
    a = np.array([0, 0, 2, 2, 3, 3, 0, 2])
    b = np.array([0, 2, 2, 3, 3, 3, 0, 0])
    table = np.zeros((4, 4))
    for i, j in zip(a, b, strict=True):
        table[i, j] += 1
    declared = cohen_kappa(a, b, weights="linear", categories=[0, 1, 2, 3])
    inferred = cohen_kappa(a, b, weights="linear")

    assert declared.estimate == pytest.approx(cohen_kappa_table(table, weights="linear").estimate)
    assert inferred.estimate == pytest.approx(
        cohen_kappa_table(table[np.ix_([0, 2, 3], [0, 2, 3])], weights="linear").estimate
    )
    assert declared.estimate != pytest.approx(inferred.estimate)
    with pytest.raises(ValueError, match="not among the categories"):
        cohen_kappa(a, b, categories=[0, 2])


ANXIETY_RATER_2 = [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4]
ANXIETY_RATER_3 = [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2]


@pytest.mark.parametrize(
    ("weights", "kappa", "z"),
    [
        # R package irr, kappa2(anxiety[, 2:3]), kappa2(..., "equal") and kappa2(..., "squared") on
        # irr's `anxiety` data (raters 2 and 3), as quoted in statsmodels' test suite.
        (None, -0.006289308, -0.0604067),
        ("linear", 0.1459075, 1.282472),
        ("quadratic", 0.2520325, 1.437451),
    ],
)
def test_weighted_kappas_match_irr(weights: str | None, kappa: float, z: float) -> None:
    # Nobody used 5: irr (like our default) weights the categories that occur, 1, 2, 3, 4, 6, by rank.
    result = cohen_kappa(np.array(ANXIETY_RATER_2), np.array(ANXIETY_RATER_3), weights=weights)  # type: ignore[arg-type]

    assert result.estimate == pytest.approx(kappa, abs=5e-8)
    assert result.z == pytest.approx(z, abs=5e-6)


def test_fleiss_kappa_matches_fleiss_1971_and_irr() -> None:
    table = np.stack([(code == DIAGNOSES).sum(axis=1) for code in range(1, 6)], axis=1)
    result = fleiss_kappa(table)

    assert _rounded(result.estimate, 3) == 0.430
    assert _rounded(result.estimate, 7) == 0.4302445
    assert _rounded(result.z, 5) == 17.65183
    assert result.kappa.low < result.estimate < result.kappa.high
    assert result.kappa.n == 30


def test_fleiss_kappa_matches_wikipedia_example() -> None:
    assert _rounded(fleiss_kappa(WIKIPEDIA_FLEISS).estimate, 3) == 0.210


def test_fleiss_bootstrap_is_repeatable() -> None:
    assert fleiss_kappa(WIKIPEDIA_FLEISS).kappa == fleiss_kappa(WIKIPEDIA_FLEISS).kappa


PINGOUIN_ICC = {
    "ICC1": (0.728, 11.680, 7, 24, 0.43, 0.93),
    "ICC2": (0.728, 11.787, 7, 21, 0.43, 0.93),
    "ICC3": (0.729, 11.787, 7, 21, 0.43, 0.93),
    "ICC1k": (0.914, 11.680, 7, 24, 0.75, 0.98),
    "ICC2k": (0.914, 11.787, 7, 21, 0.75, 0.98),
    "ICC3k": (0.915, 11.787, 7, 21, 0.75, 0.98),
}
WINE = long_to_wide("pingouin_icc.csv", "Wine", "Judge", "Scores")


@pytest.mark.parametrize("form", ICC_FORMS)
def test_icc_forms_match_pingouin(form: str) -> None:
    estimate, f, df1, df2, low, high = PINGOUIN_ICC[form]
    result = icc(WINE, form)  # type: ignore[arg-type]

    assert _rounded(result.icc.estimate, 3) == estimate
    assert round(result.f, 3) == f
    assert (result.df1, result.df2) == (df1, df2)
    assert (_rounded(result.icc.low, 2), _rounded(result.icc.high, 2)) == (low, high)
    assert result.p_value < 1e-4 and result.icc.n == 8 and result.k == 4


def test_icc_drops_targets_with_a_missing_rating() -> None:
    with_gap = np.vstack([WINE, [1.0, np.nan, 3.0, 4.0]])

    assert [r.icc for r in icc_all(with_gap)] == [r.icc for r in icc_all(WINE)]
