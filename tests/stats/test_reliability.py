"""Cronbach's alpha, Feldt's interval and item statistics against pingouin's printed examples.

Vallat R (2018). Pingouin: statistics in Python. JOSS 3:1026. The `pingouin.cronbach_alpha` reference
page prints, for its example data sets (copied to tests/stats/data):

- cronbach_alpha (long format): (0.591719, array([0.195, 0.84 ]))
- cronbach_wide_missing, pairwise ("In R: psych::alpha(data, use='pairwise')"): (0.732661, [0.435, 0.909])
- cronbach_wide_missing, listwise ("use='complete.obs'"): alpha 0.801695.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as scipy_stats

from sightline.stats import cronbach_alpha
from tests.stats.reference import long_to_wide, wide

LIKERT = long_to_wide("pingouin_cronbach_alpha.csv", "Subj", "Items", "Scores")
BINARY_MISSING = wide("pingouin_cronbach_wide_missing.csv")


def test_likert_example_matches_pingouin() -> None:
    result = cronbach_alpha(LIKERT)

    assert round(result.alpha.estimate, 6) == 0.591719
    assert (round(result.alpha.low, 3), round(result.alpha.high, 3)) == (0.195, 0.840)
    assert (result.alpha.n, result.k, result.alpha.method) == (15, 10, "feldt")


def test_pairwise_deletion_matches_pingouin_and_psych() -> None:
    result = cronbach_alpha(BINARY_MISSING, missing="pairwise")

    assert round(result.alpha.estimate, 6) == 0.732661
    assert (round(result.alpha.low, 3), round(result.alpha.high, 3)) == (0.435, 0.909)
    assert result.alpha.n == 12


def test_listwise_deletion_matches_pingouin_estimate_with_the_complete_n() -> None:
    # pingouin prints alpha 0.801695 after listwise deletion. Its printed interval [0.581, 0.933] takes
    # n = 12 (the rows before deletion); Feldt's interval needs the n the alpha was computed from, the
    # 9 complete rows, so we check the interval against Feldt's formula with n = 9 and show that
    # pingouin's figures are the same formula with n = 12.
    result = cronbach_alpha(BINARY_MISSING, missing="listwise")

    assert round(result.alpha.estimate, 6) == 0.801695
    assert result.alpha.n == 9

    def feldt(n: int) -> tuple[float, float]:
        alpha, k = result.alpha.estimate, 11
        upper_f = scipy_stats.f.ppf(0.975, n - 1, (n - 1) * (k - 1))
        lower_f = scipy_stats.f.ppf(0.025, n - 1, (n - 1) * (k - 1))
        return 1 - (1 - alpha) * upper_f, 1 - (1 - alpha) * lower_f

    assert (result.alpha.low, result.alpha.high) == pytest.approx(feldt(9))
    assert tuple(round(bound, 3) for bound in feldt(12)) == (0.581, 0.933)


def test_item_statistics_agree_with_direct_computation() -> None:
    # Corrected item-total correlation: Pearson's r of the item with the sum of the other items;
    # alpha if deleted: alpha of the remaining items (Cronbach 1951's definition applied to them).
    result = cronbach_alpha(LIKERT)

    for item in result.items:
        rest = np.delete(LIKERT, item.index, axis=1)
        expected_r = np.corrcoef(LIKERT[:, item.index], rest.sum(axis=1))[0, 1]
        assert item.item_total == pytest.approx(expected_r)
        k = rest.shape[1]
        expected_alpha = (
            k / (k - 1) * (1 - rest.var(axis=0, ddof=1).sum() / rest.sum(axis=1).var(ddof=1))
        )
        assert item.alpha_if_deleted == pytest.approx(expected_alpha)


def test_feldt_interval_has_its_nominal_coverage() -> None:
    # Parallel items (true score + independent error, loading chosen so the population alpha is
    # 0.8 with k = 6): Feldt's interval is exact under normality, so about 95% of 2,000 samples cover.
    rng = np.random.default_rng(11)
    k, n = 6, 40
    item_reliability = 0.8 / (k - 0.8 * (k - 1))  # Spearman-Brown inverted
    covered = 0
    for _ in range(2000):
        true = rng.normal(size=(n, 1))
        items = true * np.sqrt(item_reliability) + rng.normal(size=(n, k)) * np.sqrt(
            1 - item_reliability
        )
        alpha = cronbach_alpha(items).alpha
        covered += alpha.low <= 0.8 <= alpha.high

    assert 0.935 <= covered / 2000 <= 0.965


def test_rejects_unknown_missing_policy() -> None:
    with pytest.raises(ValueError, match="policy"):
        cronbach_alpha(LIKERT, missing="mean")  # type: ignore[arg-type]
