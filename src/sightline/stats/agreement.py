"""Agreement between raters: Cohen's kappa (weighted or not), Fleiss' kappa, and the six ICCs.

**Cohen's kappa** (Cohen 1960; weighted, Cohen 1968) for two raters on the same youth, with agreement
weights w[i, j]: 1 on the diagonal, 0 elsewhere (None); 1 - |i - j| / (c - 1) ("linear", Cicchetti and
Allison 1971); 1 - (i - j)^2 / (c - 1)^2 ("quadratic", Fleiss and Cohen 1973). Its interval uses the
large-sample standard error of Fleiss, Cohen and Everitt (1969, Psychological Bulletin 72:323-327),
which does not assume kappa = 0; the test of kappa = 0 uses their null standard error. These are the
formulas of SAS PROC FREQ's AGREE option.

**Fleiss' kappa** (Fleiss 1971, Psychological Bulletin 76:378-382) for m raters per subject, from the
subjects x categories table of counts. Its test of kappa = 0 uses the null variance of Fleiss, Nee and
Landis (1979); no closed-form non-null variance exists, so its interval is a percentile bootstrap over
subjects (2,000 resamples, seeded, so a report re-runs to the same figures).

**ICC** for an (n targets x k raters) matrix: the six forms of Shrout and Fleiss (1979, Psychological
Bulletin 86:420-428) from the two-way ANOVA mean squares, with their F-based intervals (ICC2's by the
Satterthwaite approximation of Shrout and Fleiss eq. 11 / McGraw and Wong 1996). Targets with a missing
rating are dropped (listwise), since the ANOVA needs a complete table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats as _scipy

from sightline.stats.estimates import Estimate, z_value

Weights = Literal["linear", "quadratic"] | None
IccForm = Literal["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]
ICC_FORMS: tuple[IccForm, ...] = ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")
FloatArray = npt.NDArray[np.float64]
BOOTSTRAP_RESAMPLES = 2_000


@dataclass(frozen=True)
class Kappa:
    """A kappa with its interval (`kappa.low`, `kappa.high`), standard errors and the test of kappa = 0.

    `se` is the large-sample standard error (Cohen's kappa) or the bootstrap standard error (Fleiss'
    kappa); `se_null`, `z` and `p_value` test kappa = 0."""

    kappa: Estimate
    se: float | None
    se_null: float | None
    z: float | None
    p_value: float | None
    weights: str

    @property
    def estimate(self) -> float | None:
        return self.kappa.estimate


@dataclass(frozen=True)
class Icc:
    """One Shrout-Fleiss ICC with its F test of ICC = 0 (F, df1, df2, p)."""

    form: IccForm
    icc: Estimate
    f: float
    df1: int
    df2: int
    p_value: float
    k: int


def _weight_matrix(categories: int, weights: Weights) -> FloatArray:
    i, j = np.indices((categories, categories))
    if weights is None:
        identity: FloatArray = (i == j).astype(np.float64)
        return identity
    span = max(categories - 1, 1)
    if weights == "linear":
        linear: FloatArray = 1.0 - np.abs(i - j) / span
        return linear
    if weights == "quadratic":
        quadratic: FloatArray = 1.0 - (i - j) ** 2 / span**2
        return quadratic
    raise ValueError(f"unknown kappa weights {weights!r}")


def cohen_kappa_table(
    table: npt.ArrayLike, *, weights: Weights = None, confidence: float = 0.95
) -> Kappa:
    """Cohen's kappa from a c x c table (rows: rater A, columns: rater B, categories in order)."""
    counts = np.asarray(table, dtype=np.float64)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ValueError("a kappa table is square: the same categories for both raters")
    if (counts < 0).any():
        raise ValueError("counts cannot be negative")
    n = int(counts.sum())
    label = weights or "unweighted"
    if n == 0:
        return Kappa(
            Estimate(None, None, None, 0, "fleiss_cohen_everitt", confidence),
            None,
            None,
            None,
            None,
            label,
        )
    w = _weight_matrix(counts.shape[0], weights)
    p = counts / n
    rows, columns = p.sum(axis=1), p.sum(axis=0)
    observed = float((w * p).sum())
    expected = float((w * np.outer(rows, columns)).sum())
    if expected >= 1:
        # Both raters used one category only: chance agreement is total, kappa is undefined.
        return Kappa(
            Estimate(None, None, None, n, "fleiss_cohen_everitt", confidence),
            None,
            None,
            None,
            None,
            label,
        )
    kappa = (observed - expected) / (1 - expected)
    w_row = w @ columns  # mean weight of row category i against rater B's distribution
    w_column = rows @ w  # mean weight of column category j against rater A's distribution
    spread = w - (w_row[:, None] + w_column[None, :]) * (1 - kappa)
    variance = (float((p * spread**2).sum()) - (kappa - expected * (1 - kappa)) ** 2) / (
        n * (1 - expected) ** 2
    )
    null_spread = w - (w_row[:, None] + w_column[None, :])
    null_variance = (float((np.outer(rows, columns) * null_spread**2).sum()) - expected**2) / (
        n * (1 - expected) ** 2
    )
    se = math.sqrt(max(variance, 0.0))
    se_null = math.sqrt(max(null_variance, 0.0))
    z_crit = z_value(confidence)
    z = kappa / se_null if se_null > 0 else None
    return Kappa(
        kappa=Estimate(
            kappa, kappa - z_crit * se, kappa + z_crit * se, n, "fleiss_cohen_everitt", confidence
        ),
        se=se,
        se_null=se_null,
        z=z,
        p_value=float(2 * _scipy.norm.sf(abs(z))) if z is not None else None,
        weights=label,
    )


def cohen_kappa(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    *,
    weights: Weights = None,
    categories: npt.ArrayLike | None = None,
    confidence: float = 0.95,
) -> Kappa:
    """Cohen's kappa between rater `a` and rater `b` (one rating each per youth).

    `categories` gives the ordered category list (needed for weighted kappa when a category may go
    unused, e.g. scores 0..2 where nobody scored 1); by default the sorted union of both raters' values."""
    first, second = np.asarray(a), np.asarray(b)
    if first.shape != second.shape or first.ndim != 1:
        raise ValueError("a and b must be one-dimensional with one rating each per youth")
    levels = (
        np.unique(np.concatenate([first, second])) if categories is None else np.asarray(categories)
    )
    index_a = np.searchsorted(levels, first) if categories is None else _positions(levels, first)
    index_b = np.searchsorted(levels, second) if categories is None else _positions(levels, second)
    c = levels.size
    table = np.bincount(index_a * c + index_b, minlength=c * c).reshape(c, c)
    return cohen_kappa_table(table, weights=weights, confidence=confidence)


def _positions(
    levels: npt.NDArray[np.generic], values: npt.NDArray[np.generic]
) -> npt.NDArray[np.intp]:
    """The index of each value in `levels`: by binary search over the sorted levels (a million
    ratings in milliseconds), or by a dictionary for levels that do not sort (mixed types)."""
    try:
        order = np.argsort(levels, kind="stable")
        ordered = levels[order]
        found = np.minimum(np.searchsorted(ordered, values), max(ordered.size - 1, 0))
        known = ordered[found] == values if ordered.size else np.zeros(values.shape, dtype=bool)
    except TypeError:
        lookup = {value: i for i, value in enumerate(levels.tolist())}
        try:
            return np.array([lookup[value] for value in values.tolist()], dtype=np.intp)
        except KeyError as missing:
            raise ValueError(f"rating {missing.args[0]!r} is not among the categories") from None
    if not np.all(known):
        unknown = values.tolist()[int(np.flatnonzero(~np.asarray(known))[0])]
        raise ValueError(f"rating {unknown!r} is not among the categories")
    positions: npt.NDArray[np.intp] = order[found].astype(np.intp)
    return positions


def _fleiss(counts: FloatArray) -> float | None:
    m = counts.sum(axis=1)[0]
    n = counts.shape[0]
    shares = counts.sum(axis=0) / (n * m)
    agreement = float(((counts * (counts - 1)).sum(axis=1) / (m * (m - 1))).mean())
    chance = float((shares**2).sum())
    return None if chance >= 1 else (agreement - chance) / (1 - chance)


def fleiss_kappa(
    table: npt.ArrayLike,
    *,
    confidence: float = 0.95,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = 0,
) -> Kappa:
    """Fleiss' kappa from an (n subjects x c categories) table of how many raters chose each category.

    Every subject must have the same number m >= 2 of raters."""
    counts = np.asarray(table, dtype=np.float64)
    if counts.ndim != 2 or counts.shape[0] < 2:
        raise ValueError("need an (n subjects x c categories) table with at least two subjects")
    raters = counts.sum(axis=1)
    if not np.all(raters == raters[0]) or raters[0] < 2:
        raise ValueError("every subject needs the same number (>= 2) of raters")
    n, m = counts.shape[0], float(raters[0])
    kappa = _fleiss(counts)
    if kappa is None:
        return Kappa(
            Estimate(None, None, None, n, "bootstrap", confidence), None, None, None, None, "fleiss"
        )
    shares = counts.sum(axis=0) / (n * m)
    pq = shares * (1 - shares)
    se_null = math.sqrt(
        2 * (pq.sum() ** 2 - (pq * (1 - 2 * shares)).sum()) / (n * m * (m - 1) * pq.sum() ** 2)
    )
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, n, size=(resamples, n))
    replicates = np.array([_fleiss(counts[pick]) for pick in picks], dtype=object)
    finite = np.array([value for value in replicates if value is not None], dtype=np.float64)
    tail = (1 - confidence) / 2
    low, high = (float(q) for q in np.quantile(finite, [tail, 1 - tail]))
    z = kappa / se_null if se_null > 0 else None
    return Kappa(
        kappa=Estimate(kappa, low, high, n, "bootstrap", confidence),
        se=float(finite.std(ddof=1)),
        se_null=se_null,
        z=z,
        p_value=float(2 * _scipy.norm.sf(abs(z))) if z is not None else None,
        weights="fleiss",
    )


@dataclass(frozen=True)
class _MeanSquares:
    n: int
    k: int
    rows: float  # between targets
    columns: float  # between raters
    error: float  # residual
    within: float  # within targets (raters + residual), the one-way model's error


def _mean_squares(ratings: npt.ArrayLike) -> _MeanSquares:
    data = np.asarray(ratings, dtype=np.float64)
    if data.ndim != 2:
        raise ValueError("ratings must be an (n targets x k raters) matrix")
    data = data[~np.isnan(data).any(axis=1)]
    n, k = data.shape
    if n < 2 or k < 2:
        raise ValueError("an ICC needs at least two complete targets and two raters")
    grand = data.mean()
    ss_rows = k * float(((data.mean(axis=1) - grand) ** 2).sum())
    ss_columns = n * float(((data.mean(axis=0) - grand) ** 2).sum())
    ss_total = float(((data - grand) ** 2).sum())
    ss_error = ss_total - ss_rows - ss_columns
    return _MeanSquares(
        n=n,
        k=k,
        rows=ss_rows / (n - 1),
        columns=ss_columns / (k - 1),
        error=ss_error / ((n - 1) * (k - 1)),
        within=(ss_columns + ss_error) / (n * (k - 1)),
    )


def icc(ratings: npt.ArrayLike, form: IccForm, *, confidence: float = 0.95) -> Icc:
    """One of the six Shrout-Fleiss ICCs of an (n targets x k raters) matrix, with its interval.

    ICC1/ICC1k: one-way random (each target rated by different raters); ICC2/ICC2k: two-way random,
    absolute agreement; ICC3/ICC3k: two-way mixed, consistency. The "k" forms are the reliability of the
    mean of the k ratings."""
    if form not in ICC_FORMS:
        raise ValueError(f"unknown ICC form {form!r}; one of {', '.join(ICC_FORMS)}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    ms = _mean_squares(ratings)
    n, k = ms.n, ms.k
    tail = (1 - confidence) / 2
    if form in ("ICC1", "ICC1k"):
        df1, df2 = n - 1, n * (k - 1)
        f = ms.rows / ms.within
        error = ms.within
    else:
        df1, df2 = n - 1, (n - 1) * (k - 1)
        f = ms.rows / ms.error
        error = ms.error
    p_value = float(_scipy.f.sf(f, df1, df2))
    f_low = f / float(_scipy.f.ppf(1 - tail, df1, df2))
    f_high = f * float(_scipy.f.ppf(1 - tail, df2, df1))
    if form in ("ICC1", "ICC3"):
        estimate = (ms.rows - error) / (ms.rows + (k - 1) * error)
        low, high = (f_low - 1) / (f_low + k - 1), (f_high - 1) / (f_high + k - 1)
    elif form in ("ICC1k", "ICC3k"):
        estimate = (ms.rows - error) / ms.rows
        low, high = 1 - 1 / f_low, 1 - 1 / f_high
    else:
        single = (ms.rows - ms.error) / (
            ms.rows + (k - 1) * ms.error + k * (ms.columns - ms.error) / n
        )
        low, high = _icc2_interval(ms, single, tail)
        if form == "ICC2":
            estimate = single
        else:
            estimate = (ms.rows - ms.error) / (ms.rows + (ms.columns - ms.error) / n)
            low, high = (k * low / (1 + (k - 1) * low), k * high / (1 + (k - 1) * high))
    return Icc(
        form=form,
        icc=Estimate(estimate, low, high, n, "f", confidence),
        f=f,
        df1=df1,
        df2=df2,
        p_value=p_value,
        k=k,
    )


def _icc2_interval(ms: _MeanSquares, single: float, tail: float) -> tuple[float, float]:
    """Shrout and Fleiss (1979) eq. 11: Satterthwaite's degrees of freedom for ICC(2,1)."""
    n, k = ms.n, ms.k
    fj = ms.columns / ms.error
    numerator = (k - 1) * (n - 1) * (k * single * fj + n * (1 + (k - 1) * single) - k * single) ** 2
    denominator = (n - 1) * k**2 * single**2 * fj**2 + (
        n * (1 + (k - 1) * single) - k * single
    ) ** 2
    v = numerator / denominator
    f_upper = float(_scipy.f.ppf(1 - tail, n - 1, v))
    f_lower = float(_scipy.f.ppf(1 - tail, v, n - 1))
    spread = k * ms.columns + (k * n - k - n) * ms.error
    low = n * (ms.rows - f_upper * ms.error) / (f_upper * spread + n * ms.rows)
    high = n * (f_lower * ms.rows - ms.error) / (spread + n * f_lower * ms.rows)
    return low, high


def icc_all(ratings: npt.ArrayLike, *, confidence: float = 0.95) -> tuple[Icc, ...]:
    """All six forms, in Shrout and Fleiss's order."""
    return tuple(icc(ratings, form, confidence=confidence) for form in ICC_FORMS)
