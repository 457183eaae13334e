"""Differential item functioning (DIF) of binary indicators by logistic regression.

For each indicator, youth are matched on the total score (the sum of all indicators, Swaminathan and
Rogers 1990, J Educ Meas 27:361-370) and three nested models are fitted (Zumbo 1999, "A handbook on the
theory and methods of DIF"):

    M0: logit P(item) = b0 + b1 total
    M1: M0 + group                      (uniform DIF: one group endorses more at every total)
    M2: M1 + group x total              (non-uniform DIF: the gap changes with the total)

The likelihood-ratio statistics 2(llf_M1 - llf_M0) (uniform, df = g - 1), 2(llf_M2 - llf_M1) (non-uniform,
df = g - 1) and 2(llf_M2 - llf_M0) (both, df = 2(g - 1)) are referred to chi-square. The effect size is the
difference of Nagelkerke's (1991) R² between M2 and M0 (Zumbo 1999): below 0.13 negligible, 0.13-0.26
moderate, above 0.26 large (Zumbo-Thomas); Jodoin and Gierl (2001) propose 0.035 and 0.070 instead. A
significant test with a negligible effect is not DIF worth acting on.

The logistic regressions are fitted here by Newton-Raphson (iteratively reweighted least squares) in
NumPy, so the package needs no statsmodels at run time. A fit that has not converged (e.g. a group in
which every youth endorses the indicator: quasi-separation) is reported as such, never silently used.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats as _scipy
from scipy.special import expit

from sightline.stats.estimates import Estimate

FloatArray = npt.NDArray[np.float64]
MAX_ITERATIONS = 50
TOLERANCE = 1e-10


@dataclass(frozen=True)
class LogisticFit:
    coefficients: FloatArray
    standard_errors: FloatArray
    log_likelihood: float
    iterations: int
    converged: bool
    n: int


def _log_likelihood(y: FloatArray, eta: FloatArray, weights: FloatArray) -> float:
    # log p = -log(1 + e^-eta), log(1 - p) = -log(1 + e^eta), computed stably.
    return float((weights * (y * -np.logaddexp(0, -eta) + (1 - y) * -np.logaddexp(0, eta))).sum())


def logistic_regression(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    *,
    weights: npt.ArrayLike | None = None,
    max_iterations: int = MAX_ITERATIONS,
) -> LogisticFit:
    """Maximum-likelihood logistic regression of 0/1 `y` on the design matrix `x` (include the intercept
    column yourself), with optional frequency `weights`. Newton-Raphson with step halving; standard
    errors from the inverse information matrix."""
    design = np.asarray(x, dtype=np.float64)
    outcome = np.asarray(y, dtype=np.float64)
    if design.ndim != 2 or outcome.shape != (design.shape[0],):
        raise ValueError("x must be (n x p) and y must have n values")
    w = np.ones_like(outcome) if weights is None else np.asarray(weights, dtype=np.float64)
    beta = np.zeros(design.shape[1])
    eta = design @ beta
    llf = _log_likelihood(outcome, eta, w)
    converged = False
    iteration = 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007 - the count is reported
        mu = expit(eta)
        gradient = design.T @ (w * (outcome - mu))
        information = design.T @ (design * (w * mu * (1 - mu))[:, None])
        try:
            step = np.linalg.solve(information, gradient)
        except np.linalg.LinAlgError:
            break
        for _ in range(30):  # halve the step until the likelihood does not fall
            candidate = beta + step
            candidate_eta = design @ candidate
            candidate_llf = _log_likelihood(outcome, candidate_eta, w)
            if candidate_llf >= llf - 1e-12:
                break
            step = step / 2
        change = abs(candidate_llf - llf)
        beta, eta, llf = candidate, candidate_eta, candidate_llf
        if change < TOLERANCE * (abs(llf) + TOLERANCE) and np.abs(step).max() < 1e-8:
            converged = True
            break
    mu = expit(eta)
    information = design.T @ (design * (w * mu * (1 - mu))[:, None])
    try:
        covariance = np.linalg.inv(information)
        errors = np.sqrt(np.clip(np.diag(covariance), 0, None))
    except np.linalg.LinAlgError:
        errors = np.full(design.shape[1], np.nan)
        converged = False
    if not np.isfinite(beta).all() or np.abs(beta).max() > 30:
        converged = False  # separation: estimates run off to infinity
    return LogisticFit(beta, errors, llf, iteration, converged, int(w.sum()))


def nagelkerke_r2(log_likelihood: float, null_log_likelihood: float, n: int) -> float:
    """Nagelkerke's (1991) R²: Cox-Snell's R² divided by its maximum, so a perfect model reaches 1."""
    # A model nesting the null never fits worse at its maximum; a lower value is a failed fit (flagged
    # `converged=False` by the caller), and would overflow exp() here.
    gain = max(0.0, log_likelihood - null_log_likelihood)
    cox_snell = 1 - math.exp(-2 * gain / n)
    maximum = 1 - math.exp(2 * null_log_likelihood / n)
    return cox_snell / maximum if maximum > 0 else 0.0


@dataclass(frozen=True)
class LikelihoodRatio:
    statistic: float
    df: int
    p_value: float


@dataclass(frozen=True)
class ItemDif:
    """DIF of one indicator: three LR tests, and the Nagelkerke R² difference M2 - M0 as effect size."""

    item: int
    uniform: LikelihoodRatio
    non_uniform: LikelihoodRatio
    total: LikelihoodRatio
    effect: Estimate  # estimate = ΔR² (no interval: low and high are None)
    converged: bool
    n: int


def _lr(larger: LogisticFit, smaller: LogisticFit, df: int) -> LikelihoodRatio:
    statistic = max(0.0, 2 * (larger.log_likelihood - smaller.log_likelihood))
    return LikelihoodRatio(statistic, df, float(_scipy.chi2.sf(statistic, df)))


def dif(
    items: npt.ArrayLike,
    group: npt.ArrayLike | Sequence[Hashable],
    *,
    reference: Hashable | None = None,
) -> tuple[ItemDif, ...]:
    """Logistic-regression DIF of each 0/1 column of `items` (n youth x k indicators) across `group`.

    The matching criterion is the total score over all k indicators. `reference` is the group whose
    dummy is left out (default: the largest group). Youth with a missing indicator are dropped."""
    data = np.asarray(items, dtype=np.float64)
    labels = np.asarray(group, dtype=object).astype(str)
    if data.ndim != 2 or labels.shape != (data.shape[0],):
        raise ValueError("items must be (n x k) and group must have n labels")
    complete = ~np.isnan(data).any(axis=1)
    data, labels = data[complete], labels[complete]
    if not np.isin(data, (0, 1)).all():
        raise ValueError("DIF by logistic regression needs 0/1 indicators")
    levels, counts = np.unique(labels, return_counts=True)
    if levels.size < 2:
        raise ValueError("DIF needs at least two groups")
    base = str(reference) if reference is not None else str(levels[int(np.argmax(counts))])
    if base not in levels:
        raise ValueError(f"reference group {reference!r} is not among the groups")
    others = [level for level in levels if level != base]
    n = data.shape[0]
    total = data.sum(axis=1)
    centre = total.mean()  # centring keeps the interaction columns well conditioned
    # The models depend on a youth only through (total, group): fit them to the distinct cells with
    # frequency weights, the same likelihood, so a million youth cost as little as a thousand.
    group_index = np.searchsorted(levels, labels)
    cells, cell_of = np.unique(np.column_stack([total, group_index]), axis=0, return_inverse=True)
    cell_of = cell_of.ravel()
    cell_total = cells[:, 0] - centre
    dummies = np.column_stack(
        [(cells[:, 1] == np.searchsorted(levels, level)).astype(np.float64) for level in others]
    )
    ones = np.ones((cells.shape[0], 1))
    m0_design = np.column_stack([ones, cell_total])
    m1_design = np.column_stack([m0_design, dummies])
    m2_design = np.column_stack([m1_design, dummies * cell_total[:, None]])
    size = np.bincount(cell_of, minlength=cells.shape[0]).astype(np.float64)
    g = len(others)
    results = []
    for index in range(data.shape[1]):
        endorsed = np.bincount(cell_of, weights=data[:, index], minlength=cells.shape[0])
        # Each cell twice: once as y = 1 weighted by its endorsements, once as y = 0 by the rest.
        y = np.concatenate([np.ones(cells.shape[0]), np.zeros(cells.shape[0])])
        weights = np.concatenate([endorsed, size - endorsed])

        def fit(
            design: FloatArray, y: FloatArray = y, weights: FloatArray = weights
        ) -> LogisticFit:
            return logistic_regression(np.vstack([design, design]), y, weights=weights)

        null = fit(ones)
        m0, m1, m2 = fit(m0_design), fit(m1_design), fit(m2_design)
        delta = nagelkerke_r2(m2.log_likelihood, null.log_likelihood, n) - nagelkerke_r2(
            m0.log_likelihood, null.log_likelihood, n
        )
        results.append(
            ItemDif(
                item=index,
                uniform=_lr(m1, m0, g),
                non_uniform=_lr(m2, m1, g),
                total=_lr(m2, m0, 2 * g),
                effect=Estimate(delta, None, None, n, "nagelkerke_delta_r2"),
                converged=m0.converged and m1.converged and m2.converged,
                n=n,
            )
        )
    return tuple(results)
