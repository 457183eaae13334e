"""The statistical pieces of the generator: dates, the graded response model, 'not enough information'.

Pure NumPy; `population.py` wires them into tables.
"""

from __future__ import annotations

import numpy as np

from sightline.instruments import MISSING, NEI, Definition

KNOWN_FOR_CODES = np.array(
    ["under_day", "under_week", "under_month", "under_6_months", "under_year", "year_or_more"],
    dtype=object,
)
# How much of the trait a screener sees, and how NEI scales, by how long they have known the youth
# (index as KNOWN_FOR_CODES). Assumption: a mild effect, smaller than the screener-role effect.
KNOWN_FOR_TRAIT_SCALE = np.array([0.8, 0.85, 0.9, 0.95, 1.0, 1.0])
KNOWN_FOR_NEI_SCALE = np.array([1.5, 1.3, 1.1, 1.0, 0.9, 0.8])


def add_months(days: np.ndarray, months: int) -> np.ndarray:
    """`days` (datetime64[D]) plus calendar months; a day past the month's end becomes its last day."""
    month = days.astype("datetime64[M]")
    day_in_month = (days - month.astype("datetime64[D]")).astype(np.int64)
    target = month + np.timedelta64(months, "M")
    month_len = (
        (target + np.timedelta64(1, "M")).astype("datetime64[D]") - target.astype("datetime64[D]")
    ).astype(np.int64)
    shifted: np.ndarray = target.astype("datetime64[D]") + np.minimum(day_in_month, month_len - 1)
    return shifted


def known_for_index(days_known: np.ndarray) -> np.ndarray:
    """Index into KNOWN_FOR_CODES from the days between intake and the screening."""
    return np.searchsorted(np.array([1, 7, 30, 182, 365]), days_known, side="right").astype(np.int8)


def indicator_parameters(
    definition: Definition, domain_irt: dict[str, tuple[float, float, float]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Discrimination a and thresholds b1 < b2 per indicator, from its domain (unknown domain: mean)."""
    fallback = tuple(float(np.mean([v[i] for v in domain_irt.values()])) for i in range(3))
    rows = np.array([domain_irt.get(ind.domain, fallback) for ind in definition.indicators])
    return rows[:, 0], rows[:, 1], rows[:, 2]


def sample_ratings(
    rng: np.random.Generator,
    theta: np.ndarray,
    nei_probability: np.ndarray,
    params: tuple[np.ndarray, np.ndarray, np.ndarray],
    *,
    minimum_rated: int,
) -> np.ndarray:
    """Ratings (rows x indicators, int8) from the graded response model, with NEI cells.

    P(X >= k) = logistic(a (theta - b_k)). Each cell is NEI with its row's probability, but never so
    many that fewer than `minimum_rated` indicators stay rated: a screener who knows that little
    cannot finalize, so the extra NEI cells keep the rating the model gave them.
    """
    a, b1, b2 = params
    n, k = theta.shape[0], a.shape[0]
    u = rng.random((n, k))
    t = theta[:, None]
    ratings = (u < 1.0 / (1.0 + np.exp(-a * (t - b1)))).astype(np.int8)
    ratings += u < 1.0 / (1.0 + np.exp(-a * (t - b2)))
    nei = rng.random((n, k)) < nei_probability[:, None]
    max_nei = k - minimum_rated
    too_many = np.flatnonzero(nei.sum(axis=1) > max_nei)
    if too_many.size:
        keys = np.where(nei[too_many], rng.random((too_many.size, k)), np.inf)
        rank = np.argsort(np.argsort(keys, axis=1), axis=1)
        nei[too_many] &= rank < max_nei
    ratings[nei] = NEI
    rated: np.ndarray = ratings
    return rated


def blank_some(rng: np.random.Generator, ratings: np.ndarray, share: float) -> None:
    """Set about `share` of the cells to MISSING in place (an unfinished draft)."""
    ratings[rng.random(ratings.shape) < share] = MISSING
