"""Medians and quantiles, from raw values or from {value: count} histograms.

Reports fetch "how many youth waited d days" as one row per d, never one per youth, so every function
takes optional `weights` (whole counts). The median's 95% interval is the distribution-free one from the
binomial order statistics (e.g. Conover 1999 §3.2; Campbell and Gardner 1988): the widest-coverage-kept
pair (x(r), x(n+1-r)) with P(r <= B <= n-r) >= 95% for B ~ Binomial(n, 1/2).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import stats as _scipy


@dataclass(frozen=True)
class Median:
    """The median of `n` values with a distribution-free interval; all None when n is 0. The interval is
    None too when n is too small for any order-statistic pair to reach the confidence (n < 6 for 95%)."""

    estimate: float | None
    low: float | None
    high: float | None
    n: int
    confidence: float = 0.95


def _sorted(
    values: Iterable[float], weights: Iterable[int] | None
) -> tuple[np.ndarray, np.ndarray]:
    v = np.asarray(list(values), dtype=np.float64)
    w = np.ones(len(v), dtype=np.int64) if weights is None else np.asarray(list(weights), np.int64)
    if v.shape != w.shape:
        raise ValueError("values and weights differ in length")
    if (w < 0).any():
        raise ValueError("weights are counts and cannot be negative")
    order = np.argsort(v, kind="stable")
    return v[order], w[order]


def _order_statistic(v: np.ndarray, cumulative: np.ndarray, k: int) -> float:
    """The k-th smallest value (1-based) of the expanded sample."""
    return float(v[int(np.searchsorted(cumulative, k))])


def quantile(
    values: Iterable[float], q: float, *, weights: Iterable[int] | None = None
) -> float | None:
    """The q-quantile (0..1) by linear interpolation between order statistics (Hyndman and Fan 1996
    type 7, the default of R and NumPy); None for no values."""
    if not 0 <= q <= 1:
        raise ValueError(f"q must lie in [0, 1], got {q}")
    v, w = _sorted(values, weights)
    cumulative = np.cumsum(w)
    n = int(cumulative[-1]) if len(cumulative) else 0
    if n == 0:
        return None
    h = (n - 1) * q + 1  # 1-based rank
    below = int(np.floor(h))
    low = _order_statistic(v, cumulative, below)
    high = _order_statistic(v, cumulative, min(below + 1, n))
    return low + (h - below) * (high - low)


def median(
    values: Iterable[float] | Mapping[float, int],
    *,
    weights: Iterable[int] | None = None,
    confidence: float = 0.95,
) -> Median:
    """The median (the mean of the two middle values when n is even) and its interval.

    `values` may be a {value: count} mapping, the shape the reporting queries return.
    """
    if isinstance(values, Mapping):
        v, w = _sorted(list(values.keys()), list(values.values()))
    else:
        v, w = _sorted(values, weights)
    cumulative = np.cumsum(w)
    n = int(cumulative[-1]) if len(cumulative) else 0
    if n == 0:
        return Median(None, None, None, 0, confidence)
    middle = (
        _order_statistic(v, cumulative, (n + 1) // 2) + _order_statistic(v, cumulative, n // 2 + 1)
    ) / 2
    # Largest r with P(r <= B <= n - r) >= confidence, i.e. 1 - 2 P(B <= r - 1) >= confidence.
    r = int(_scipy.binom.ppf((1 - confidence) / 2, n, 0.5))
    while r >= 1 and 1 - 2 * _scipy.binom.cdf(r - 1, n, 0.5) < confidence:
        r -= 1
    while 1 - 2 * _scipy.binom.cdf(r, n, 0.5) >= confidence:
        r += 1
    if r < 1:
        return Median(middle, None, None, n, confidence)
    low = _order_statistic(v, cumulative, r)
    high = _order_statistic(v, cumulative, n + 1 - r)
    return Median(middle, low, high, n, confidence)
