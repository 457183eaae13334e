"""Logistic regression (Newton-Raphson) and DIF by the logistic-regression method.

The regression is checked against Agresti A (2007), An Introduction to Categorical Data Analysis, 2nd ed.,
Table 3.1 and section 3.2 (snoring and heart disease, 2,484 subjects; snoring scores 0, 2, 4, 5):
printed logit fit -3.8662 + 0.3973 x with standard errors 0.1662 and 0.0500.

No published DIF analysis ships its raw data with printed LR statistics we could copy, so the DIF method
is checked (1) against statsmodels' independent maximum-likelihood fits of the same nested models and
(2) by planting DIF in simulated responses: the planted item must be found, with a larger Nagelkerke ΔR²
than the others, and with no DIF the uniform-DIF p-values must not be too small too often.
"""

from __future__ import annotations

import numpy as np
import pytest

from sightline.stats import dif, logistic_regression, nagelkerke_r2

SNORING = np.array([0, 2, 4, 5])
HEART_DISEASE_YES = np.array([24, 35, 21, 30])
TOTALS = np.array([1379, 638, 213, 254])


def test_snoring_fit_matches_agresti() -> None:
    x = np.column_stack([np.ones(8), np.concatenate([SNORING, SNORING])])
    y = np.concatenate([np.ones(4), np.zeros(4)])
    weights = np.concatenate([HEART_DISEASE_YES, TOTALS - HEART_DISEASE_YES])

    fit = logistic_regression(x, y, weights=weights)

    assert fit.converged and fit.n == 2484
    assert [round(b, 4) for b in fit.coefficients] == [-3.8662, 0.3973]
    assert [round(se, 4) for se in fit.standard_errors] == [0.1662, 0.0500]


def _responses(rng: np.random.Generator, n: int, shift: float) -> tuple[np.ndarray, np.ndarray]:
    """Rasch-like responses to 8 indicators; indicator 3 is `shift` logits easier for group "b"."""
    ability = rng.normal(size=n)
    group = rng.choice(np.array(["a", "b"]), size=n)
    difficulty = np.linspace(-1, 1, 8)
    logits = ability[:, None] - difficulty[None, :]
    logits[:, 3] += shift * (group == "b")
    items = (rng.random((n, 8)) < 1 / (1 + np.exp(-logits))).astype(float)
    return items, group


def test_planted_uniform_dif_is_found_with_the_largest_effect() -> None:
    items, group = _responses(np.random.default_rng(7), 3000, shift=1.0)

    results = dif(items, group)

    planted = results[3]
    assert planted.converged
    assert planted.uniform.p_value < 1e-10
    assert planted.non_uniform.p_value > 0.001  # the planted DIF is uniform
    assert planted.effect.estimate == max(r.effect.estimate for r in results)
    assert planted.effect.low is None and planted.effect.n == 3000


def test_without_dif_uniform_p_values_are_not_too_small() -> None:
    # 8 items x 25 data sets with no DIF: under the null about 5% of p-values fall below 0.05.
    rng = np.random.default_rng(8)
    p_values = [r.uniform.p_value for _ in range(25) for r in dif(*_responses(rng, 400, shift=0.0))]

    assert np.mean(np.array(p_values) < 0.05) < 0.10


def test_nested_models_match_statsmodels() -> None:
    sm = pytest.importorskip("statsmodels.api")
    items, group = _responses(np.random.default_rng(9), 800, shift=0.7)
    total = items.sum(axis=1)
    centred = total - total.mean()
    dummy = (group == "a").astype(float)  # "a" or "b": the smaller of the two is the dummy
    if (group == "a").sum() > (group == "b").sum():
        dummy = 1 - dummy
    designs = [
        np.column_stack([np.ones_like(total), centred]),
        np.column_stack([np.ones_like(total), centred, dummy]),
        np.column_stack([np.ones_like(total), centred, dummy, dummy * centred]),
    ]
    y = items[:, 3]
    ours = [logistic_regression(d, y) for d in designs]
    theirs = [sm.Logit(y, d).fit(disp=0) for d in designs]
    null = sm.Logit(y, np.ones((800, 1))).fit(disp=0)

    for mine, reference in zip(ours, theirs, strict=True):
        assert mine.log_likelihood == pytest.approx(reference.llf, abs=1e-8)
        assert mine.coefficients == pytest.approx(reference.params, abs=1e-6)
        assert mine.standard_errors == pytest.approx(reference.bse, abs=1e-6)
    result = dif(items, group)[3]
    assert result.uniform.statistic == pytest.approx(2 * (theirs[1].llf - theirs[0].llf), abs=1e-7)
    assert result.non_uniform.statistic == pytest.approx(
        2 * (theirs[2].llf - theirs[1].llf), abs=1e-7
    )
    expected_delta = nagelkerke_r2(theirs[2].llf, null.llf, 800) - nagelkerke_r2(
        theirs[0].llf, null.llf, 800
    )
    assert result.effect.estimate == pytest.approx(expected_delta, abs=1e-9)


def test_nagelkerke_r2_is_cox_snell_rescaled_to_one() -> None:
    # Nagelkerke (1991), Biometrika 78:691: R²_N = (1 - (L0/L1)^(2/n)) / (1 - L0^(2/n)).
    assert nagelkerke_r2(-50.0, -50.0, 100) == 0.0
    assert nagelkerke_r2(0.0, -69.31471805599453, 100) == pytest.approx(1.0)


def test_separation_is_reported_not_hidden() -> None:
    # Group "b" endorses indicator 0 always, whatever the total: no finite maximum likelihood.
    rng = np.random.default_rng(3)
    items = (rng.random((200, 4)) < 0.5).astype(float)
    group = np.array(["a"] * 120 + ["b"] * 80)
    items[120:, 0] = 1.0

    assert not dif(items, group)[0].converged
