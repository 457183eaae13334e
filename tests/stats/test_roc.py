"""ROC, AUC with DeLong's interval, Youden's cut-off and the paired DeLong test, against pROC.

Reference: the aSAH data of the R package pROC (Robin et al. 2011, BMC Bioinformatics 12:77), outcome
"Poor" as the case level, controls < cases (pROC's automatic direction for these predictors).
"""

from __future__ import annotations

import numpy as np
import pytest

from sightline.stats import auc_delong, compare_auc, roc
from tests.stats.reference import asah

DATA = asah()


def test_s100b_auc_and_delong_interval_match_proc() -> None:
    # pROC reference manual, print(roc1) and ci.auc(roc1) for roc(aSAH$outcome, aSAH$s100b):
    # "Area under the curve: 0.7314", "95% CI: 0.6301-0.8326 (DeLong)".
    result = roc(DATA["poor"], DATA["s100b"])

    assert round(result.auc.estimate, 4) == 0.7314
    assert (round(result.auc.low, 4), round(result.auc.high, 4)) == (0.6301, 0.8326)
    assert result.auc.method == "delong"
    assert (result.n_positive, result.n_negative, result.auc.n) == (41, 72, 113)


def test_wfns_and_ndka_intervals_match_proc() -> None:
    # pROC reference manual, ci(roc2) for roc(aSAH$outcome, aSAH$wfns): "95% CI: 0.7485-0.8988
    # (DeLong)", AUC 0.8237; pROC's test suite (tests/testthat/test-ci.auc.R) prints the NDKA interval
    # as 0.501244999271703, 0.611957994579946, 0.722670989888189.
    wfns = auc_delong(DATA["poor"], DATA["wfns"])
    ndka = auc_delong(DATA["poor"], DATA["ndka"])

    assert (round(wfns.estimate, 4), round(wfns.low, 4), round(wfns.high, 4)) == (
        0.8237,
        0.7485,
        0.8988,
    )
    assert (ndka.low, ndka.estimate, ndka.high) == pytest.approx(
        (0.501244999271703, 0.611957994579946, 0.722670989888189), abs=1e-12
    )


def test_youden_cutoff_matches_proc_best_coordinates() -> None:
    # pROC reference manual, coords(roc1, "best"): threshold 0.205, specificity 0.8055556,
    # sensitivity 0.6341463. pROC prints the midpoint between two observed values (0.19 and 0.22);
    # we report the observed score at and above which a youth screens positive, the same cut.
    cutoff = roc(DATA["poor"], DATA["s100b"]).youden

    assert cutoff.threshold == 0.22
    assert round(cutoff.specificity, 7) == 0.8055556
    assert round(cutoff.sensitivity, 7) == 0.6341463
    assert 0.19 < 0.205 < cutoff.threshold


@pytest.mark.parametrize(
    ("first", "second", "z", "p", "low", "high"),
    [
        # pROC's test suite (tests/testthat/test-roc.test.R), roc.test(r.wfns, r.s100b) and
        # roc.test(r.ndka, r.s100b) with DeLong's paired method.
        (
            "wfns",
            "s100b",
            2.20898359144091,
            0.0271757822291882,
            0.0104061769564846,
            0.174214419249478,
        ),
        (
            "ndka",
            "s100b",
            -1.39077002573558,
            0.164295175223054,
            -0.2876917446341914,
            0.0488706064228094,
        ),
        (
            "wfns",
            "ndka",
            2.79777591868904,
            0.00514557970691098,
            0.0634011709339876,
            0.3600405634833566,
        ),
    ],
)
def test_paired_delong_test_matches_proc_roc_test(
    first: str, second: str, z: float, p: float, low: float, high: float
) -> None:
    comparison = compare_auc(DATA["poor"], DATA[first], DATA[second])

    assert comparison.z == pytest.approx(z, abs=1e-10)
    assert comparison.p_value == pytest.approx(p, abs=1e-10)
    assert (comparison.difference.low, comparison.difference.high) == pytest.approx(
        (low, high), abs=1e-10
    )
    assert comparison.n == 113


def test_identical_scores_do_not_differ() -> None:
    # pROC's test suite: roc.test(r.wfns, r.wfns) gives Z = 0 and p = 1.
    comparison = compare_auc(DATA["poor"], DATA["wfns"], DATA["wfns"])

    assert (comparison.z, comparison.p_value, comparison.difference.estimate) == (0.0, 1.0, 0.0)


def test_curve_runs_from_origin_to_corner_through_every_threshold() -> None:
    result = roc(DATA["poor"], DATA["wfns"])
    curve = result.curve

    assert (curve.fpr[0], curve.tpr[0], curve.fpr[-1], curve.tpr[-1]) == (0, 0, 1, 1)
    assert list(curve.thresholds[1:]) == [5, 4, 3, 2, 1]
    assert np.all(np.diff(curve.fpr) >= 0) and np.all(np.diff(curve.tpr) >= 0)
    # The trapezoidal area under the empirical curve is the Mann-Whitney AUC (Bamber 1975).
    assert np.trapezoid(curve.tpr, curve.fpr) == pytest.approx(result.auc.estimate, abs=1e-12)


def test_needs_both_classes() -> None:
    with pytest.raises(ValueError, match="positive and one negative"):
        roc([1, 1, 1], [0.1, 0.2, 0.3])
