"""One shape for every figure a validation study reports: a point estimate, its interval and its n.

`Proportion` (from `proportions`) already has this shape for shares; `Estimate` is the same shape for
everything that is not a share of successes: likelihood ratios, AUCs, kappas, alphas, ICCs, R² differences.
A page, a JSON export and a PDF can therefore render any figure the same way: "estimate (low-high), n".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats as _scipy


@dataclass(frozen=True)
class Estimate:
    """`estimate` with its `confidence` interval [`low`, `high`] computed from `n` observations.

    `method` names how the interval was obtained (e.g. "delong", "feldt", "log"), so a report can say so.
    Any of estimate, low and high is None when the data do not define it (e.g. a likelihood ratio with a
    zero denominator, or an interval that needs a non-empty cell); the figure is then shown as missing,
    never as 0.
    """

    estimate: float | None
    low: float | None
    high: float | None
    n: int
    method: str
    confidence: float = 0.95


def z_value(confidence: float) -> float:
    """The two-sided standard-normal critical value for `confidence` (1.959964... for 0.95)."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    return float(_scipy.norm.ppf(1 - (1 - confidence) / 2))


def finite_or_none(value: float) -> float | None:
    """Infinities and NaN become None: JSON has no infinity, and a report shows None as missing."""
    return value if math.isfinite(value) else None
