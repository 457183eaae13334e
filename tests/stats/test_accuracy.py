"""Diagnostic accuracy of a 2x2 table against published worked examples.

Altman DG, Bland JM (1994). Diagnostic tests 1: sensitivity and specificity. BMJ 308:1552, and
Diagnostic tests 2: predictive values. BMJ 309:102. The liver scan against pathology: 231 true positives,
32 false positives, 27 false negatives, 54 true negatives; printed to two decimals: sensitivity 0.90,
specificity 0.63, PPV 0.88, NPV 0.67, prevalence 0.75.

The exact intervals are `proportions.clopper_pearson`, checked here through the 2x2 against Newcombe
(1998, Statistics in Medicine 17:857-872) Table II, method 5. The log interval of the likelihood ratios
(Simel, Samsa and Matchar 1991) is checked against the worked example of Scott, Greenburg and Poole (2008,
Internal Medicine Journal 38:120-129, Table 1) as printed with Simel's formula in the documentation of R's
epiR `epi.tests` (Stevenson; 670 true positives, 202 false positives, 74 false negatives, 640 true
negatives: sensitivity 0.90 (0.88 to 0.92), specificity 0.76 (0.73 to 0.79), LR+ 3.75 (3.32 to 4.24)), and
by its coverage, which an error in its standard error breaks.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sightline.stats import TwoByTwo, accuracy_from_counts, diagnostic_accuracy, two_by_two

LIVER_SCAN = TwoByTwo(true_positive=231, false_positive=32, false_negative=27, true_negative=54)


def _arrays(counts: TwoByTwo) -> tuple[np.ndarray, np.ndarray]:
    truth = [1] * counts.true_positive + [0] * counts.false_positive
    truth += [1] * counts.false_negative + [0] * counts.true_negative
    screen = [1] * (counts.true_positive + counts.false_positive)
    screen += [0] * (counts.false_negative + counts.true_negative)
    return np.array(truth), np.array(screen)


def test_liver_scan_figures_match_altman_and_bland() -> None:
    # Altman & Bland 1994 (BMJ 308:1552 and 309:102), printed to two decimals.
    result = diagnostic_accuracy(*_arrays(LIVER_SCAN))

    assert result.counts == LIVER_SCAN
    assert round(result.sensitivity.estimate, 2) == 0.90
    assert round(result.specificity.estimate, 2) == 0.63
    assert round(result.ppv.estimate, 2) == 0.88
    assert round(result.npv.estimate, 2) == 0.67
    assert round(result.prevalence.estimate, 2) == 0.75
    assert (result.sensitivity.n, result.specificity.n, result.prevalence.n) == (258, 86, 344)
    # LR+ = sens / (1 - spec) and LR- = (1 - sens) / spec (Deeks & Altman 2004, BMJ 329:168).
    assert result.lr_positive.estimate == pytest.approx((231 / 258) / (32 / 86))
    assert result.lr_negative.estimate == pytest.approx((27 / 258) / (54 / 86))


def test_intervals_are_clopper_pearson_as_printed_by_newcombe() -> None:
    # Newcombe 1998 Table II, method 5: 81/263 -> 0.2527 to 0.3676; 0/20 -> 0.0000 to 0.1684.
    counts = TwoByTwo(true_positive=81, false_positive=20, false_negative=182, true_negative=0)
    result = accuracy_from_counts(counts)

    assert (round(result.sensitivity.low, 4), round(result.sensitivity.high, 4)) == (0.2527, 0.3676)
    assert result.sensitivity.method == "clopper_pearson"
    assert (result.specificity.low, round(result.specificity.high, 4)) == (0.0, 0.1684)


def test_likelihood_ratio_interval_matches_scott_et_al_as_printed_by_epir() -> None:
    # Scott et al. 2008 Table 1; epiR epi.tests, example 1 (exact intervals, Simel et al. 1991 for LR+).
    result = accuracy_from_counts(TwoByTwo(670, 202, 74, 640))

    assert (result.sensitivity.n, result.specificity.n) == (744, 842)
    figures = {
        "sensitivity": result.sensitivity,
        "specificity": result.specificity,
        "lr_positive": result.lr_positive,
    }
    printed = {
        name: (round(f.estimate, 2), round(f.low, 2), round(f.high, 2))
        for name, f in figures.items()
    }
    assert printed == {
        "sensitivity": (0.90, 0.88, 0.92),
        "specificity": (0.76, 0.73, 0.79),
        "lr_positive": (3.75, 3.32, 4.24),
    }
    assert result.lr_positive.method == result.lr_negative.method


def test_zero_cells_give_missing_ratios_not_zero_or_infinity() -> None:
    perfect_specificity = accuracy_from_counts(TwoByTwo(10, 0, 5, 20))

    assert perfect_specificity.lr_positive.estimate is None
    assert perfect_specificity.lr_positive.low is None
    no_false_negative = accuracy_from_counts(TwoByTwo(10, 4, 0, 20))
    assert no_false_negative.lr_negative.estimate == 0.0
    assert no_false_negative.lr_negative.low is None


def test_log_interval_for_likelihood_ratios_has_its_nominal_coverage() -> None:
    # 4,000 simulated studies with sens 0.8, spec 0.7 (true LR+ 8/3, LR- 2/7), 150 positives and 250
    # negatives: the 95% log interval should cover the truth in about 95% of them (binomial SE 0.34%).
    rng = np.random.default_rng(20)
    true_positive = rng.binomial(150, 0.8, size=4000)
    true_negative = rng.binomial(250, 0.7, size=4000)
    covered_positive = covered_negative = 0
    for tp, tn in zip(true_positive, true_negative, strict=True):
        result = accuracy_from_counts(TwoByTwo(int(tp), int(250 - tn), int(150 - tp), int(tn)))
        covered_positive += result.lr_positive.low <= 8 / 3 <= result.lr_positive.high
        covered_negative += result.lr_negative.low <= 2 / 7 <= result.lr_negative.high

    assert 0.935 <= covered_positive / 4000 <= 0.965
    assert 0.935 <= covered_negative / 4000 <= 0.965


def test_log_interval_is_symmetric_on_the_log_scale() -> None:
    lr = accuracy_from_counts(LIVER_SCAN).lr_positive

    assert math.log(lr.estimate) - math.log(lr.low) == pytest.approx(
        math.log(lr.high) - math.log(lr.estimate)
    )
    assert lr.method == "log" and lr.n == 344


def test_two_by_two_rejects_non_binary_input() -> None:
    with pytest.raises(ValueError, match="0/1"):
        two_by_two([0, 1, 2], [0, 1, 1])
    with pytest.raises(ValueError, match="same length"):
        two_by_two([0, 1], [0, 1, 1])
