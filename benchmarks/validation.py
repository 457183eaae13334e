"""A validation study's computations against plain scikit-learn / statsmodels calls (issue 20).

    python -m benchmarks.validation [--youth 20000] [--seed 2026] [--repeats 3]

Builds a study sample from a generated synthetic population (against the hidden truth, so every youth
with a screening counts), then times, in the same run, each part of `validation.study.run_study` and the
same figures computed with scikit-learn and statsmodels:

- ROC: `stats.roc` (curve, AUC, DeLong interval, Youden) vs `sklearn.metrics.roc_curve` + `roc_auc_score`
  + Youden argmax (scikit-learn has no DeLong interval, so the reference does less);
- accuracy at both cut-offs and by every fairness group: `stats.diagnostic_accuracy` vs
  `sklearn.metrics.confusion_matrix` + `statsmodels.stats.proportion.proportion_confint(method="beta")`
  for the six shares + the log interval of the two likelihood ratios by hand;
- agreement by role pair: `stats.cohen_kappa` (with its standard errors) vs
  `statsmodels.stats.inter_rater.cohens_kappa` on `sklearn.metrics.confusion_matrix`;
- DIF of every indicator by gender group: `stats.dif` vs four `statsmodels.api.Logit` fits per indicator
  on the youth (null, M0, M1, M2) and their likelihood-ratio statistics.

Before timing, the run aborts unless both sides give the same figures. Alpha and the ICCs have no
scikit-learn / statsmodels counterpart; their time is reported alone. Goal (issue 20): no slower.
Exit status 1 when the study is slower than the reference in total.
"""

from __future__ import annotations

import argparse
import math
import platform
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from sightline import stats
from sightline.synth import SynthParams, generate
from sightline.synth.study import sample_from_population
from sightline.validation.study import StudySample, run_study


def _best(function: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return min(times), result


def _groups(sample: StudySample) -> list[np.ndarray]:
    masks = []
    for dimension in ("gender_group", "race_ethnicity", "age_band", "agency_type"):
        labels = sample.groups[dimension]
        masks += [labels == label for label in sorted(set(labels.tolist()), key=str)]
    return masks


# --- ours -------------------------------------------------------------------------------------------


def ours_roc(sample: StudySample) -> stats.RocResult:
    return stats.roc(sample.reference, sample.total)


def ours_accuracy(sample: StudySample) -> list[stats.DiagnosticAccuracy]:
    results = [stats.diagnostic_accuracy(sample.reference, sample.level >= k) for k in (1, 2)]
    positive = sample.level >= 1
    results += [
        stats.diagnostic_accuracy(sample.reference[m], positive[m]) for m in _groups(sample)
    ]
    return results


def ours_kappa(sample: StudySample) -> list[stats.Kappa]:
    levels = list(range(len(sample.levels)))
    return [
        stats.cohen_kappa(
            sample.pair_level[sample.pair_roles == roles, 0],
            sample.pair_level[sample.pair_roles == roles, 1],
            weights="linear",
            categories=levels,
        )
        for roles in sorted(set(sample.pair_roles.tolist()))
    ]


def _endorsed(sample: StudySample) -> np.ndarray:
    return ((sample.ratings > 0) & ~np.isin(sample.ratings, sample.missing_codes)).astype(float)


def ours_dif(sample: StudySample) -> tuple[stats.ItemDif, ...]:
    return stats.dif(_endorsed(sample), sample.groups["gender_group"])


# --- reference: scikit-learn and statsmodels ----------------------------------------------------------


def reference_roc(sample: StudySample) -> tuple[float, float]:
    from sklearn.metrics import roc_auc_score, roc_curve

    fpr, tpr, thresholds = roc_curve(sample.reference, sample.total)
    auc = roc_auc_score(sample.reference, sample.total)
    return float(auc), float(thresholds[int(np.argmax(tpr - fpr))])


def _reference_2x2(truth: np.ndarray, screen: np.ndarray) -> list[tuple[float, float]]:
    from sklearn.metrics import confusion_matrix
    from statsmodels.stats.proportion import proportion_confint

    tn, fp, fn, tp = (int(v) for v in confusion_matrix(truth, screen, labels=[0, 1]).ravel())
    shares = [(tp, tp + fn), (tn, tn + fp), (tp, tp + fp), (tn, tn + fn)]
    shares += [(tp + fn, tp + fp + fn + tn), (tp + tn, tp + fp + fn + tn)]
    out = [
        tuple(float(v) for v in proportion_confint(x, n, method="beta")) if n else (math.nan,) * 2
        for x, n in shares
    ]
    for x1, n1, x2, n2 in ((tp, tp + fn, fp, fp + tn), (fn, tp + fn, tn, fp + tn)):
        if min(x1, x2, n1, n2) == 0:
            out.append((math.nan, math.nan))
            continue
        ratio = (x1 / n1) / (x2 / n2)
        se = math.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
        out.append(
            (ratio * math.exp(-1.959963984540054 * se), ratio * math.exp(1.959963984540054 * se))
        )
    return out


def reference_accuracy(sample: StudySample) -> list[list[tuple[float, float]]]:
    truth = sample.reference.astype(int)
    results = [_reference_2x2(truth, (sample.level >= k).astype(int)) for k in (1, 2)]
    positive = (sample.level >= 1).astype(int)
    results += [_reference_2x2(truth[m], positive[m]) for m in _groups(sample)]
    return results


def reference_kappa(sample: StudySample) -> list[tuple[float, float]]:
    from sklearn.metrics import confusion_matrix
    from statsmodels.stats.inter_rater import cohens_kappa

    levels = list(range(len(sample.levels)))
    out = []
    for roles in sorted(set(sample.pair_roles.tolist())):
        chosen = sample.pair_roles == roles
        table = confusion_matrix(
            sample.pair_level[chosen, 0], sample.pair_level[chosen, 1], labels=levels
        )
        result = cohens_kappa(table, wt="linear")
        out.append((float(result.kappa), float(result.std_kappa)))
    return out


def reference_dif(sample: StudySample) -> list[tuple[float, float]]:
    import statsmodels.api as sm

    endorsed = _endorsed(sample)
    labels = sample.groups["gender_group"].astype(str)
    levels, counts = np.unique(labels, return_counts=True)
    base = levels[int(np.argmax(counts))]
    dummies = np.column_stack([(labels == lv).astype(float) for lv in levels if lv != base])
    total = endorsed.sum(axis=1)
    centred = total - total.mean()
    ones = np.ones((total.size, 1))
    m0 = np.column_stack([ones, centred])
    m1 = np.column_stack([m0, dummies])
    m2 = np.column_stack([m1, dummies * centred[:, None]])
    out = []
    for item in range(endorsed.shape[1]):
        y = endorsed[:, item]
        llf = [sm.Logit(y, d).fit(disp=0).llf for d in (m0, m1, m2)]
        out.append((2 * (llf[1] - llf[0]), 2 * (llf[2] - llf[1])))
    return out


def _check(sample: StudySample) -> None:
    roc, (auc, youden) = ours_roc(sample), reference_roc(sample)
    assert roc.auc.estimate is not None and abs(roc.auc.estimate - auc) < 1e-12
    assert roc.youden.threshold == youden
    for mine, theirs in zip(ours_accuracy(sample), reference_accuracy(sample), strict=True):
        figures = [mine.sensitivity, mine.specificity, mine.ppv, mine.npv, mine.prevalence]
        figures += [mine.accuracy, mine.lr_positive, mine.lr_negative]
        for figure, (low, high) in zip(figures, theirs, strict=True):
            if math.isnan(low):
                continue
            assert abs(figure.low - low) < 1e-9 and abs(figure.high - high) < 1e-9  # type: ignore[operator]
    for mine_k, (kappa, se) in zip(ours_kappa(sample), reference_kappa(sample), strict=True):
        assert abs(mine_k.estimate - kappa) < 1e-12 and abs(mine_k.se - se) < 1e-12  # type: ignore[operator]
    for mine_d, (uniform, non_uniform) in zip(ours_dif(sample), reference_dif(sample), strict=True):
        assert abs(mine_d.uniform.statistic - uniform) < 1e-5
        assert abs(mine_d.non_uniform.statistic - non_uniform) < 1e-5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--youth", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    population = generate(SynthParams(seed=args.seed, youth=args.youth))
    sample = sample_from_population(population, reference="truth")
    del population
    prepared = time.perf_counter() - started
    print(
        f"validation study: {sample.reference.size:,} index screenings, {sample.pair_roles.size:,} "
        f"double screens ({args.youth:,} youth, seed {args.seed}; generated in {prepared:.1f} s) "
        f"on {platform.python_implementation()} {platform.python_version()}"
    )
    _check(sample)
    print("  same figures on both sides: checked")
    parts = [
        ("ROC + AUC (+ DeLong)", ours_roc, reference_roc),
        ("accuracy, cut-offs and groups", ours_accuracy, reference_accuracy),
        ("kappa by role pair", ours_kappa, reference_kappa),
        ("DIF, every indicator", ours_dif, reference_dif),
    ]
    ours_total = reference_total = 0.0
    for name, ours, reference in parts:
        mine, _ = _best(lambda ours=ours: ours(sample), args.repeats)
        theirs, _ = _best(lambda reference=reference: reference(sample), args.repeats)
        ours_total, reference_total = ours_total + mine, reference_total + theirs
        print(
            f"  {name:<32} sightline {mine * 1000:9.1f} ms   sklearn/statsmodels {theirs * 1000:9.1f} ms"
        )
    alone, _ = _best(
        lambda: (
            stats.cronbach_alpha(
                np.where(np.isin(sample.ratings, sample.missing_codes), np.nan, sample.ratings)
            ),
            [stats.icc(sample.pair_total.astype(float), "ICC1")],
        ),
        args.repeats,
    )
    print(f"  {'alpha + ICC (no counterpart)':<32} sightline {alone * 1000:9.1f} ms")
    whole, _ = _best(lambda: run_study(sample), args.repeats)
    print(
        f"  total of the compared parts: sightline {ours_total:.3f} s, reference "
        f"{reference_total:.3f} s ({reference_total / ours_total:.1f}x); whole run_study {whole:.3f} s"
    )
    return 0 if ours_total <= reference_total else 1


if __name__ == "__main__":
    raise SystemExit(main())
