"""Are two classifications related? Tests of independence in a contingency table.

`compare_groups` is what a report calls: Pearson's chi-square when every expected count is at least 5
(Cochran's rule, Agresti 2007 §2.4.7), otherwise Fisher's exact test (exact for 2x2; for rxc by SciPy's Monte
Carlo method, seeded). Rows or columns that are all zero carry no information and are
dropped first; a table with fewer than two non-empty rows or columns has no test (None).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats as _scipy

TestMethod = Literal["chi_square", "fisher_exact", "fisher_monte_carlo"]

# Cochran's rule: the chi-square approximation is trusted when every expected count is at least this.
MIN_EXPECTED = 5.0
MONTE_CARLO_RESAMPLES = 5_000  # standard error of p at most 0.007


@dataclass(frozen=True)
class IndependenceTest:
    """The result of a test of independence; `statistic` is X² for chi-square, the odds ratio for a
    2x2 Fisher test and the table's probability for an rxc Fisher test."""

    method: TestMethod
    statistic: float
    p_value: float
    dof: int
    n: int
    min_expected: float


def _table(counts: object) -> np.ndarray:
    table = np.asarray(counts, dtype=np.int64)
    if table.ndim != 2:
        raise ValueError("a contingency table has two dimensions")
    if (table < 0).any():
        raise ValueError("counts cannot be negative")
    kept: np.ndarray = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    return kept


def _expected(table: np.ndarray) -> np.ndarray:
    expected: np.ndarray = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    return expected


def chi_square(counts: object) -> IndependenceTest | None:
    """Pearson's X² test of independence, without Yates's continuity correction."""
    table = _table(counts)
    if min(table.shape) < 2:
        return None
    result = _scipy.chi2_contingency(table, correction=False)
    return IndependenceTest(
        method="chi_square",
        statistic=float(result.statistic),
        p_value=float(result.pvalue),
        dof=int(result.dof),
        n=int(table.sum()),
        min_expected=float(_expected(table).min()),
    )


def fisher_exact(counts: object, *, seed: int = 0) -> IndependenceTest | None:
    """Fisher's exact test, two-sided. 2x2: the conditional test (p sums the tables at most as
    probable as the observed one). rxc: Monte Carlo (5,000 tables, seeded, so repeatable)."""
    table = _table(counts)
    if min(table.shape) < 2:
        return None
    dof = (table.shape[0] - 1) * (table.shape[1] - 1)
    min_expected = float(_expected(table).min())
    n = int(table.sum())
    if table.shape == (2, 2):
        result = _scipy.fisher_exact(table)
        return IndependenceTest(
            "fisher_exact", float(result.statistic), float(result.pvalue), dof, n, min_expected
        )
    # SciPy computes rxc tables by Monte Carlo over tables with the observed margins; a fixed seed
    # makes the page and its export show the same p.
    result = _scipy.fisher_exact(
        table,
        method=_scipy.MonteCarloMethod(
            n_resamples=MONTE_CARLO_RESAMPLES, rng=np.random.default_rng(seed)
        ),
    )
    return IndependenceTest(
        "fisher_monte_carlo",
        _scalar(result.statistic),
        _scalar(result.pvalue),
        dof,
        n,
        min_expected,
    )


def _scalar(value: object) -> float:
    # SciPy's Monte Carlo path returns a one-element array for some tables instead of a scalar.
    return float(np.asarray(value, dtype=np.float64).reshape(-1)[0])


def compare_groups(counts: object) -> IndependenceTest | None:
    """The test a report shows: chi-square when every expected count is >= 5, else Fisher's.

    Kept per process by the table's counts: a dashboard asks for the same tables on every view, and
    the seeded Monte Carlo gives the same answer anyway."""
    table = np.asarray(counts, dtype=np.int64)
    if table.ndim != 2:
        raise ValueError("a contingency table has two dimensions")
    return _compare(table.shape, tuple(int(v) for v in table.ravel()))


@functools.lru_cache(maxsize=4096)
def _compare(shape: tuple[int, ...], values: tuple[int, ...]) -> IndependenceTest | None:
    table = _table(np.array(values, dtype=np.int64).reshape(shape))
    if min(table.shape) < 2:
        return None
    if _expected(table).min() >= MIN_EXPECTED:
        return chi_square(table)
    return fisher_exact(table)
