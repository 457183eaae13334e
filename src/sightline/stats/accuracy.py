"""How well a dichotomous screen agrees with a reference standard: the 2x2 table and its figures.

Sensitivity, specificity, the predictive values, prevalence and accuracy are shares, so each comes with the
exact Clopper-Pearson interval of `proportions.clopper_pearson` (Clopper and Pearson 1934): validation
groups are often small, and the exact interval keeps at least its nominal coverage there.

The likelihood ratios LR+ = sens / (1 - spec) and LR- = (1 - sens) / spec are ratios of two independent
binomial proportions; their interval is the log method of Simel, Samsa and Matchar (1991, J Clin Epidemiol
44:763-770), i.e. Katz's log interval for a risk ratio:

    SE(ln LR+) = sqrt(1/TP - 1/(TP+FN) + 1/FP - 1/(FP+TN))
    SE(ln LR-) = sqrt(1/FN - 1/(TP+FN) + 1/TN - 1/(FP+TN))

A ratio whose denominator is zero has no estimate (None); an interval that needs a zero cell is None too,
rather than silently adding 0.5 to the cells.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sightline.stats.estimates import Estimate, z_value
from sightline.stats.proportions import Proportion, clopper_pearson


@dataclass(frozen=True)
class TwoByTwo:
    """Counts of the screen (rows) against the reference standard (columns)."""

    true_positive: int
    false_positive: int
    false_negative: int
    true_negative: int

    @property
    def n(self) -> int:
        return self.true_positive + self.false_positive + self.false_negative + self.true_negative


@dataclass(frozen=True)
class DiagnosticAccuracy:
    """Every figure of a 2x2 validation table, each with its 95% interval and its n."""

    counts: TwoByTwo
    sensitivity: Proportion
    specificity: Proportion
    ppv: Proportion
    npv: Proportion
    prevalence: Proportion
    accuracy: Proportion
    lr_positive: Estimate
    lr_negative: Estimate


def _binary(values: npt.ArrayLike, name: str) -> npt.NDArray[np.bool_]:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    if array.dtype != np.bool_:
        if not np.isin(array, (0, 1)).all():
            raise ValueError(f"{name} must hold only 0/1 or booleans")
        array = array.astype(bool)
    return array


def two_by_two(y_true: npt.ArrayLike, y_pred: npt.ArrayLike) -> TwoByTwo:
    """Cross-tabulate a screen's results `y_pred` against the reference standard `y_true` (0/1)."""
    truth = _binary(y_true, "y_true")
    screen = _binary(y_pred, "y_pred")
    if truth.shape != screen.shape:
        raise ValueError("y_true and y_pred must have the same length")
    return TwoByTwo(
        true_positive=int(np.count_nonzero(truth & screen)),
        false_positive=int(np.count_nonzero(~truth & screen)),
        false_negative=int(np.count_nonzero(truth & ~screen)),
        true_negative=int(np.count_nonzero(~truth & ~screen)),
    )


def _ratio(
    numerator: tuple[int, int], denominator: tuple[int, int], n: int, confidence: float
) -> Estimate:
    """The ratio of two independent proportions x1/n1 over x2/n2 with the log (Katz) interval."""
    (x1, n1), (x2, n2) = numerator, denominator
    if n1 == 0 or n2 == 0 or x2 == 0:
        return Estimate(None, None, None, n, "log", confidence)
    ratio = (x1 / n1) / (x2 / n2)
    if x1 == 0:
        return Estimate(ratio, None, None, n, "log", confidence)
    se = math.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
    z = z_value(confidence)
    return Estimate(
        ratio, ratio * math.exp(-z * se), ratio * math.exp(z * se), n, "log", confidence
    )


def accuracy_from_counts(counts: TwoByTwo, *, confidence: float = 0.95) -> DiagnosticAccuracy:
    """All figures from the four counts (what a study computes per group once it has counted)."""
    tp, fp, fn, tn = (
        counts.true_positive,
        counts.false_positive,
        counts.false_negative,
        counts.true_negative,
    )
    positives, negatives = tp + fn, fp + tn

    def share(successes: int, n: int) -> Proportion:
        return clopper_pearson(successes, n, confidence=confidence)

    return DiagnosticAccuracy(
        counts=counts,
        sensitivity=share(tp, positives),
        specificity=share(tn, negatives),
        ppv=share(tp, tp + fp),
        npv=share(tn, tn + fn),
        prevalence=share(positives, counts.n),
        accuracy=share(tp + tn, counts.n),
        # LR+ = (TP/positives) / (FP/negatives); LR- = (FN/positives) / (TN/negatives).
        lr_positive=_ratio((tp, positives), (fp, negatives), counts.n, confidence),
        lr_negative=_ratio((fn, positives), (tn, negatives), counts.n, confidence),
    )


def diagnostic_accuracy(
    y_true: npt.ArrayLike, y_pred: npt.ArrayLike, *, confidence: float = 0.95
) -> DiagnosticAccuracy:
    """Sensitivity, specificity, PPV, NPV, prevalence, accuracy (Clopper-Pearson) and LR+/LR- (log
    method) of the 0/1 screen `y_pred` against the 0/1 reference `y_true`."""
    return accuracy_from_counts(two_by_two(y_true, y_pred), confidence=confidence)
