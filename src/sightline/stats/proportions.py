"""A share with its 95% interval.

Two intervals, both standard and documented in docs/reporting.md:

- **Wilson score** (Wilson 1927; Newcombe 1998 method 3): the default for every share on a dashboard.
  Brown, Cai and DasGupta (2001) recommend it because its coverage stays close to 95% even for small n
  and shares near 0 or 1, where the textbook Wald interval fails.
- **Clopper-Pearson** (1934, "exact"; Newcombe 1998 method 5): guarantees at least 95% coverage and is
  wider; used where a conservative interval is wanted (e.g. very small groups).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Literal

from scipy import stats as _scipy

Method = Literal["wilson", "clopper_pearson"]


@dataclass(frozen=True)
class Proportion:
    """`successes` of `n`; `estimate` is the share (0..1), [`low`, `high`] its interval.

    With n = 0 there is no share: estimate, low and high are None.
    """

    successes: int
    n: int
    estimate: float | None
    low: float | None
    high: float | None
    method: Method
    confidence: float = 0.95


def _check(successes: int, n: int, confidence: float) -> None:
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got {successes} of {n}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")


@functools.lru_cache(maxsize=16)
def _z(confidence: float) -> float:
    return float(_scipy.norm.ppf(1 - (1 - confidence) / 2))


def wilson(successes: int, n: int, *, confidence: float = 0.95) -> Proportion:
    """The Wilson score interval: the p whose score test does not reject at 1 - confidence."""
    _check(successes, n, confidence)
    if n == 0:
        return Proportion(successes, n, None, None, None, "wilson", confidence)
    z = _z(confidence)
    p = successes / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    denominator = 1 + z * z / n
    low = 0.0 if successes == 0 else (centre - spread) / denominator
    high = 1.0 if successes == n else (centre + spread) / denominator
    return Proportion(successes, n, p, low, high, "wilson", confidence)


def clopper_pearson(successes: int, n: int, *, confidence: float = 0.95) -> Proportion:
    """The exact interval from the beta quantiles of the binomial tails (Clopper and Pearson 1934)."""
    _check(successes, n, confidence)
    if n == 0:
        return Proportion(successes, n, None, None, None, "clopper_pearson", confidence)
    alpha = 1 - confidence
    low = 0.0 if successes == 0 else float(_scipy.beta.ppf(alpha / 2, successes, n - successes + 1))
    high = (
        1.0
        if successes == n
        else float(_scipy.beta.ppf(1 - alpha / 2, successes + 1, n - successes))
    )
    return Proportion(successes, n, successes / n, low, high, "clopper_pearson", confidence)


def proportion(
    successes: int, n: int, *, method: Method = "wilson", confidence: float = 0.95
) -> Proportion:
    """`successes` of `n` with the interval `method` names (Wilson unless told otherwise)."""
    if method == "wilson":
        return wilson(successes, n, confidence=confidence)
    if method == "clopper_pearson":
        return clopper_pearson(successes, n, confidence=confidence)
    raise ValueError(f"unknown interval method {method!r}")
