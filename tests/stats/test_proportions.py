"""Shares and their 95% intervals against published worked examples.

Newcombe RG (1998). Two-sided confidence intervals for the single proportion: comparison of seven
methods. Statistics in Medicine 17:857-872, Table II: the four examples 81/263, 15/148, 0/20 and 1/29,
method 3 (Wilson score, no continuity correction) and method 5 (Clopper-Pearson "exact"), printed to
four decimals. Brown, Cai and DasGupta (2001, Statistical Science 16:101-133) recommend Wilson for
the reason the dashboards use it; their argument is about coverage, which the last test checks.
"""

from __future__ import annotations

import pytest
from scipy import stats as scipy_stats

from sightline.stats import clopper_pearson, proportion, wilson

# (successes, n): (Wilson low, high), (Clopper-Pearson low, high) — Newcombe 1998, Table II.
NEWCOMBE_TABLE_II = {
    (81, 263): ((0.2553, 0.3662), (0.2527, 0.3676)),
    (15, 148): ((0.0624, 0.1605), (0.0578, 0.1617)),
    (0, 20): ((0.0000, 0.1611), (0.0000, 0.1684)),
    (1, 29): ((0.0061, 0.1718), (0.0009, 0.1776)),
}


@pytest.mark.parametrize(("successes", "n"), list(NEWCOMBE_TABLE_II))
def test_wilson_matches_newcombe_table_ii(successes: int, n: int) -> None:
    published_low, published_high = NEWCOMBE_TABLE_II[(successes, n)][0]

    result = wilson(successes, n)

    assert result.estimate == pytest.approx(successes / n)
    assert round(result.low, 4) == published_low
    assert round(result.high, 4) == published_high
    assert result.n == n


@pytest.mark.parametrize(("successes", "n"), list(NEWCOMBE_TABLE_II))
def test_clopper_pearson_matches_newcombe_table_ii(successes: int, n: int) -> None:
    published_low, published_high = NEWCOMBE_TABLE_II[(successes, n)][1]

    result = clopper_pearson(successes, n)

    assert round(result.low, 4) == published_low
    assert round(result.high, 4) == published_high


def test_no_denominator_has_no_share() -> None:
    result = proportion(0, 0)

    assert (result.estimate, result.low, result.high, result.n) == (None, None, None, 0)


@pytest.mark.parametrize("bad", [(-1, 5), (6, 5)])
def test_impossible_counts_are_refused(bad: tuple[int, int]) -> None:
    with pytest.raises(ValueError):
        wilson(*bad)


def test_exact_interval_covers_at_least_95_percent() -> None:
    # Clopper-Pearson's defining guarantee: for every p, P(p in interval) >= 0.95. Checked on a grid
    # for n = 30 with the binomial probabilities from SciPy (not with our interval code's own maths).
    n = 30
    intervals = [clopper_pearson(k, n) for k in range(n + 1)]
    for step in range(1, 100):
        p = step / 100
        covered = sum(
            scipy_stats.binom.pmf(k, n, p)
            for k, ci in enumerate(intervals)
            if ci.low is not None and ci.high is not None and ci.low <= p <= ci.high
        )
        assert covered >= 0.95 - 1e-9, p
