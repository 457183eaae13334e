"""Internal consistency of a scale: Cronbach's alpha, its interval, and item statistics.

alpha = k / (k - 1) * (1 - trace(C) / sum(C)) for the k x k item covariance matrix C (Cronbach 1951).
Its interval is Feldt's (Feldt, Woodruff and Salih 1987, Applied Psychological Measurement 11:93-103):
(1 - alpha) / (1 - alpha_population) follows F(n - 1, (n - 1)(k - 1)), so

    low  = 1 - (1 - alpha) F(1 - a/2; n - 1, (n - 1)(k - 1))
    high = 1 - (1 - alpha) F(a/2;     n - 1, (n - 1)(k - 1)).

Missing answers (NaN), two documented policies:

- "listwise" (default): only youth who answered every item count; n is their number. Unbiased when answers
  are missing completely at random, and every figure comes from the same youth.
- "pairwise": each covariance C[i, j] uses the youth who answered both i and j (as pandas.DataFrame.cov and
  R's psych::alpha(use="pairwise") do); n is every youth with at least one answer. It keeps more data but
  the matrix may be estimated from different subsets, so treat its interval as approximate.

Item statistics come from the same C: the corrected item-total correlation (item against the sum of the
other items) and alpha if the item were deleted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats as _scipy

from sightline.stats.estimates import Estimate

MissingPolicy = Literal["listwise", "pairwise"]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ItemStatistics:
    """One item: its column `index`, corrected item-total correlation and alpha without it."""

    index: int
    item_total: float | None
    alpha_if_deleted: float | None


@dataclass(frozen=True)
class Reliability:
    alpha: Estimate
    items: tuple[ItemStatistics, ...]
    k: int
    missing: MissingPolicy


def _covariance(data: FloatArray, missing: MissingPolicy) -> tuple[FloatArray, int]:
    if missing == "listwise":
        complete = data[~np.isnan(data).any(axis=1)]
        n = complete.shape[0]
        if n < 2:
            raise ValueError("alpha needs at least two youth who answered every item")
        covariance: FloatArray = np.cov(complete, rowvar=False)
        return covariance, n
    if missing == "pairwise":
        answered = ~np.isnan(data)
        n = int(answered.any(axis=1).sum())
        mask = answered.astype(np.float64)
        values = np.where(answered, data, 0.0)
        pairs = mask.T @ mask  # youth who answered both i and j
        if (pairs < 2).any():
            raise ValueError("pairwise alpha needs every pair of items answered by two youth")
        sums = values.T @ mask  # sums[i, j]: sum of item i over youth who answered i and j
        products = values.T @ values
        covariance = (products - sums * sums.T / pairs) / (pairs - 1)
        return covariance, n
    raise ValueError(f"unknown missing-data policy {missing!r}")


def _alpha(covariance: FloatArray) -> float | None:
    k = int(covariance.shape[0])
    total = float(covariance.sum())
    if total <= 0:
        return None
    return k / (k - 1) * (1 - float(np.trace(covariance)) / total)


def cronbach_alpha(
    items: npt.ArrayLike, *, missing: MissingPolicy = "listwise", confidence: float = 0.95
) -> Reliability:
    """Cronbach's alpha of an (n youth x k items) matrix with Feldt's interval and item statistics."""
    data = np.asarray(items, dtype=np.float64)
    if data.ndim != 2 or data.shape[1] < 2:
        raise ValueError("items must be an (n x k) matrix with at least two items")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    covariance, n = _covariance(data, missing)
    k = covariance.shape[0]
    alpha = _alpha(covariance)
    low = high = None
    if alpha is not None:
        tail = (1 - confidence) / 2
        df1, df2 = n - 1, (n - 1) * (k - 1)
        low = 1 - (1 - alpha) * float(_scipy.f.ppf(1 - tail, df1, df2))
        high = 1 - (1 - alpha) * float(_scipy.f.ppf(tail, df1, df2))
    statistics = []
    for i in range(k):
        others = [j for j in range(k) if j != i]
        rest = covariance[np.ix_(others, others)]
        rest_variance = float(rest.sum())
        item_rest = float(covariance[i, others].sum())
        denominator = float(covariance[i, i]) * rest_variance
        correlation = item_rest / math.sqrt(denominator) if denominator > 0 else None
        statistics.append(
            ItemStatistics(i, correlation, _alpha(rest) if len(others) >= 2 else None)
        )
    return Reliability(
        alpha=Estimate(alpha, low, high, n, "feldt", confidence),
        items=tuple(statistics),
        k=k,
        missing=missing,
    )
