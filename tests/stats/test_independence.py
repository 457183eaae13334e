"""Tests of independence against Agresti's worked examples.

Agresti A (2007). An Introduction to Categorical Data Analysis, 2nd ed., Wiley:
- Table 2.5, party identification by gender (GSS): X² = 30.1 with df = 2, P < 0.001 (§2.4.3);
- Table 2.8, Fisher's tea tasting (§2.6.2): [[3, 1], [1, 3]], P(n11 >= 3) = 0.243 one-sided, so the
  two-sided P (tables as or less probable: n11 in {0, 1, 3, 4}) is 0.486.
"""

from __future__ import annotations

import pytest

from sightline.stats import chi_square, compare_groups, fisher_exact

PARTY_BY_GENDER = [[762, 327, 468], [484, 239, 477]]  # females, males x Dem, Ind, Rep
TEA_TASTING = [[3, 1], [1, 3]]


def test_chi_square_matches_agresti_table_2_5() -> None:
    result = chi_square(PARTY_BY_GENDER)

    assert result is not None
    assert round(result.statistic, 1) == 30.1
    assert result.dof == 2
    assert result.p_value < 0.001
    assert result.n == 2757


def test_fisher_matches_agresti_tea_tasting() -> None:
    result = fisher_exact(TEA_TASTING)

    assert result is not None
    assert round(result.p_value, 3) == 0.486
    assert result.method == "fisher_exact"


def test_small_expected_counts_use_fisher_large_use_chi_square() -> None:
    assert compare_groups(TEA_TASTING).method == "fisher_exact"  # type: ignore[union-attr]
    assert compare_groups(PARTY_BY_GENDER).method == "chi_square"  # type: ignore[union-attr]


def test_r_by_c_fisher_matches_r_documentation_job_satisfaction() -> None:
    # R's `?fisher.test` example (Agresti 2002, Categorical Data Analysis, Table 2.8): job
    # satisfaction by income, 4x4, n = 104; R prints p-value = 0.7827 (network algorithm, exact).
    # Ours is Monte Carlo with 5,000 tables (standard error about 0.006), and repeatable.
    job = [[1, 3, 10, 6], [2, 3, 10, 7], [1, 6, 14, 12], [0, 1, 9, 11]]

    first, second = fisher_exact(job), fisher_exact(job)

    assert first is not None and second is not None
    assert first.p_value == pytest.approx(0.7827, abs=0.015)
    assert first.p_value == second.p_value
    assert first.method == "fisher_monte_carlo"


def test_empty_rows_are_dropped_and_one_group_has_no_test() -> None:
    assert compare_groups([[5, 7], [0, 0]]) is None
    with_empty = compare_groups([[762, 327, 468], [0, 0, 0], [484, 239, 477]])
    assert with_empty is not None and round(with_empty.statistic, 1) == 30.1


def test_r_by_c_fisher_on_a_sparse_table_gives_a_plain_number() -> None:
    # A sparse table on which SciPy's Monte Carlo returns one-element arrays.
    sparse = [[0, 2, 0], [2, 0, 0], [0, 1, 0], [2, 1, 0], [1, 0, 0], [2, 0, 0], [3, 0, 1]]

    result = fisher_exact(sparse)

    assert result is not None and isinstance(result.p_value, float)
    assert 0 < result.p_value <= 1
