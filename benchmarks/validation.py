"""A validation study's computations against plain scikit-learn / statsmodels calls (issue 20).

    python -m benchmarks.validation [--screenings 1000000 | --youth 20000] [--seed 2026] [--repeats 3]
        [--reference-items 4] [--reference-resamples 20] [--resamples 2000]

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

- bootstrap of the AUC (the study itself uses no bootstrap: its intervals are exact, DeLong, Feldt and
  large-sample ones; this part is the 2,000-resample percentile bootstrap the issue asks to time):
  the same resamples of youth on both sides (resample r draws its indices from a generator seeded with
  (seed, r)); ours counts each resample's (score, reference) cells with one `bincount` and takes the
  Mann-Whitney AUC from the counts (the total is an integer score), the reference calls
  `sklearn.metrics.roc_auc_score` on the resampled rows.

The input is generated with the generator's array path (`synth.generate` + `synth.study.
sample_from_population`), not through the database: writing a 1.3M-youth population with the bulk
writer alone takes minutes (ADR 0006: 246 s for 1,000,000 youth on PostgreSQL) and the study reads the
same values back. `--screenings N` generates enough youth for about N index screenings (one per youth).

Every part is timed `--repeats` times and the median reported. Two references are too slow to run in
full at a million screenings on the shared machine (statsmodels' Logit on every youth, sklearn on 2,000
resamples): they are run on `--reference-items` indicators and `--reference-resamples` resamples, every
one of which is checked against ours, and their time is scaled to all 26 indicators / all resamples
(each indicator's three fits and each resample are the same-size problem; the output says so).
`--reference-items 26 --reference-resamples 2000` runs both in full (docs/benchmarks.md has such a run).

Before timing is accepted, both sides must give the same figures. Alpha and the ICCs have no
scikit-learn / statsmodels counterpart; their time is reported alone. Goal (issue 20): no slower.
Exit status 1 when the study is slower than the reference in total.
"""

from __future__ import annotations

import argparse
import math
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from sightline import stats
from sightline.synth import SynthParams, generate
from sightline.synth.study import sample_from_population
from sightline.validation.study import StudySample, run_study


def _median(function: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


INDEX_SCREENINGS_PER_YOUTH = 0.776  # seed 2026, CSE-IT 2.0 and the Brief together (measured)


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
    out = []
    for roles in sorted(set(sample.pair_roles.tolist())):
        pairs = sample.pair_level[sample.pair_roles == roles]  # as run_study selects them
        out.append(stats.cohen_kappa(pairs[:, 0], pairs[:, 1], weights="linear", categories=levels))
    return out


def _endorsed(sample: StudySample) -> np.ndarray:
    return ((sample.ratings > 0) & ~np.isin(sample.ratings, sample.missing_codes)).astype(float)


def ours_dif(sample: StudySample) -> tuple[stats.ItemDif, ...]:
    return stats.dif(_endorsed(sample), sample.groups["gender_group"])


def _resample(n: int, seed: int, r: int) -> np.ndarray:
    """Resample r of n youth, with replacement: the same draws on both sides."""
    drawn: np.ndarray = np.random.default_rng([seed, r]).integers(0, n, n, dtype=np.int32)
    return drawn


def ours_bootstrap(sample: StudySample, resamples: int, seed: int) -> np.ndarray:
    """The AUC of each resample, from its (score, reference) cell counts (Mann-Whitney, ties 1/2)."""
    score = sample.total - sample.total.min()
    width = int(score.max()) + 1
    cell = score * 2 + sample.reference.astype(np.int64)
    aucs = np.empty(resamples)
    for r in range(resamples):
        counts = np.bincount(cell[_resample(cell.size, seed, r)], minlength=2 * width)
        negative, positive = counts[0::2].astype(float), counts[1::2].astype(float)
        below = np.cumsum(negative) - negative
        aucs[r] = (positive @ below + 0.5 * positive @ negative) / (positive.sum() * negative.sum())
    return aucs


def bootstrap_interval(aucs: np.ndarray) -> tuple[float, float]:
    """The 95% percentile interval of the bootstrap AUCs."""
    low, high = np.percentile(aucs, [2.5, 97.5])
    return float(low), float(high)


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


def reference_bootstrap(sample: StudySample, resamples: int, seed: int) -> np.ndarray:
    from sklearn.metrics import roc_auc_score

    n = sample.total.size
    return np.array(
        [
            roc_auc_score(sample.reference[idx], sample.total[idx])
            for idx in (_resample(n, seed, r) for r in range(resamples))
        ]
    )


def reference_dif(sample: StudySample, items: int | None = None) -> list[tuple[float, float]]:
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
    for item in range(endorsed.shape[1] if items is None else items):
        y = endorsed[:, item]
        llf = [sm.Logit(y, d).fit(disp=0).llf for d in (m0, m1, m2)]
        out.append((2 * (llf[1] - llf[0]), 2 * (llf[2] - llf[1])))
    return out


def _same_roc(roc: stats.RocResult, reference: tuple[float, float]) -> None:
    auc, youden = reference
    assert roc.auc.estimate is not None and abs(roc.auc.estimate - auc) < 1e-12
    assert roc.youden.threshold == youden


def _same_accuracy(
    ours: list[stats.DiagnosticAccuracy], reference: list[list[tuple[float, float]]]
) -> None:
    for mine, theirs in zip(ours, reference, strict=True):
        figures = [mine.sensitivity, mine.specificity, mine.ppv, mine.npv, mine.prevalence]
        figures += [mine.accuracy, mine.lr_positive, mine.lr_negative]
        for figure, (low, high) in zip(figures, theirs, strict=True):
            if math.isnan(low):
                continue
            assert abs(figure.low - low) < 1e-9 and abs(figure.high - high) < 1e-9  # type: ignore[union-attr,operator]


def _same_kappa(ours: list[stats.Kappa], reference: list[tuple[float, float]]) -> None:
    for mine_k, (kappa, se) in zip(ours, reference, strict=True):
        assert abs(mine_k.estimate - kappa) < 1e-12 and abs(mine_k.se - se) < 1e-12  # type: ignore[operator]


def _same_dif(ours: tuple[stats.ItemDif, ...], reference: list[tuple[float, float]]) -> None:
    assert reference
    for mine_d, (uniform, non_uniform) in zip(ours, reference, strict=False):
        assert abs(mine_d.uniform.statistic - uniform) < 1e-5
        assert abs(mine_d.non_uniform.statistic - non_uniform) < 1e-5


def _same_bootstrap(ours: np.ndarray, reference: np.ndarray) -> None:
    assert reference.size and np.allclose(ours[: reference.size], reference, rtol=0, atol=1e-12)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--youth", type=int, default=None)
    size.add_argument(
        "--screenings", type=int, default=None, help="about this many index screenings"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--resamples", type=int, default=2000)
    parser.add_argument(
        "--slow-repeats",
        type=int,
        default=1,
        help="timings of the slow parts: the bootstrap (both sides), the DIF reference, run_study",
    )
    parser.add_argument(
        "--reference-items", type=int, default=None, help="default: every indicator"
    )
    parser.add_argument("--reference-resamples", type=int, default=None, help="default: all")
    args = parser.parse_args(argv)
    youth = args.youth or (
        math.ceil(args.screenings / INDEX_SCREENINGS_PER_YOUTH) if args.screenings else 20_000
    )

    started = time.perf_counter()
    population = generate(SynthParams(seed=args.seed, youth=youth))
    in_population = int(population.tables["screenings"]["id"].size)
    sample = sample_from_population(population, reference="truth")
    del population
    prepared = time.perf_counter() - started
    print(
        f"validation study: {sample.reference.size:,} index screenings, {sample.pair_roles.size:,} "
        f"double screens ({youth:,} youth, {in_population:,} screenings in all, seed {args.seed}; "
        f"generated with the array path in {prepared:.1f} s) on {platform.python_implementation()} "
        f"{platform.python_version()}, median of {args.repeats} "
        f"({args.slow_repeats} for the slow parts)"
    )
    items = len(sample.indicators)
    ref_items = min(args.reference_items or items, items)
    ref_resamples = min(args.reference_resamples or args.resamples, args.resamples)
    seed = args.seed
    parts: list[
        tuple[str, Callable[[], Any], Callable[[], Any], Callable[[Any, Any], None], float]
    ] = [
        (
            "ROC + AUC (+ DeLong)",
            lambda: ours_roc(sample),
            lambda: reference_roc(sample),
            _same_roc,
            1.0,
        ),
        (
            "accuracy, cut-offs and groups",
            lambda: ours_accuracy(sample),
            lambda: reference_accuracy(sample),
            _same_accuracy,
            1.0,
        ),
        (
            "kappa by role pair",
            lambda: ours_kappa(sample),
            lambda: reference_kappa(sample),
            _same_kappa,
            1.0,
        ),
        (
            "DIF, every indicator",
            lambda: ours_dif(sample),
            lambda: reference_dif(sample, ref_items),
            _same_dif,
            items / ref_items,
        ),
        (
            f"bootstrap AUC, {args.resamples:,} resamples",
            lambda: ours_bootstrap(sample, args.resamples, seed),
            lambda: reference_bootstrap(sample, ref_resamples, seed),
            _same_bootstrap,
            args.resamples / ref_resamples,
        ),
    ]
    import sklearn.metrics  # noqa: F401 -- imported before timing, as ours are
    import statsmodels.api
    import statsmodels.stats.inter_rater
    import statsmodels.stats.proportion  # noqa: F401

    ours_total = reference_total = 0.0
    results: dict[str, Any] = {}
    for name, ours, reference, same, scale in parts:
        slow = name.startswith("bootstrap")
        mine, mine_result = _median(ours, args.slow_repeats if slow else args.repeats)
        theirs, their_result = _median(
            reference, args.slow_repeats if slow or name.startswith("DIF") else args.repeats
        )
        results[name] = mine_result
        same(mine_result, their_result)  # the same figures, or the run stops here
        theirs *= scale
        ours_total, reference_total = ours_total + mine, reference_total + theirs
        note = "" if scale == 1.0 else f"  (measured on 1/{scale:g}, scaled)"
        print(
            f"  {name:<34} sightline {mine:9.3f} s   sklearn/statsmodels {theirs:9.3f} s"
            f"   ratio {mine / theirs:6.3f}{note}",
            flush=True,
        )
    print("  same figures on both sides: checked (every reference result against ours)")
    low, high = bootstrap_interval(results[parts[-1][0]])
    print(f"  bootstrap 95% interval of the AUC: {low:.4f}-{high:.4f}")
    alone, _ = _median(
        lambda: (
            stats.cronbach_alpha(
                np.where(np.isin(sample.ratings, sample.missing_codes), np.nan, sample.ratings)
            ),
            [stats.icc(sample.pair_total.astype(float), "ICC1")],
        ),
        args.repeats,
    )
    print(f"  {'alpha + ICC (no counterpart)':<34} sightline {alone:9.3f} s")
    whole, study = _median(lambda: run_study(sample), args.slow_repeats)
    print(
        f"  total of the compared parts: sightline {ours_total:.2f} s, reference "
        f"{reference_total:.2f} s (ratio {ours_total / reference_total:.3f}, reference "
        f"{reference_total / ours_total:.1f}x slower); whole run_study {whole:.2f} s "
        f"(n = {study.n:,})"
    )
    return 0 if ours_total <= reference_total else 1


if __name__ == "__main__":
    raise SystemExit(main())
