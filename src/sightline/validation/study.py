"""A validation study over one screening per youth: pure NumPy and `sightline.stats`, no Django.

The caller (the synthetic-population adapter `validation.synthetic`, later the de-identified export)
builds a `StudySample`: for each youth the index screening (their first final screening of the chosen
instrument in the period, so youth are independent), the reference finding it is judged against, the
youth's groups, and the pairs of screenings where a second screener re-rated the same youth. `run_study`
then computes every figure of issue 20's study, each with its interval and n:

- reliability: Cronbach's alpha of the indicators (NEI and unanswered as missing, listwise) and the
  item statistics;
- accuracy at each of the instrument's cut-offs (screen positive at or above a level) and the ROC of the
  total against the reference;
- agreement between the first and the second screener, by role pair: Cohen's kappa of the levels
  (linear weights, the levels being ordered) and ICC(1) of the totals (a one-way model: different pairs
  of screeners rate different youth);
- fairness: accuracy at the first concern cut-off and the reference prevalence by gender group,
  race/ethnicity, age band and agency type, and logistic-regression DIF of each indicator by gender group.

Groups under `small_n` youth are reported and flagged, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from sightline import stats

FAIRNESS_DIMENSIONS = ("gender_group", "race_ethnicity", "age_band", "agency_type")
SMALL_GROUP = 30


@dataclass(frozen=True)
class StudySample:
    """One row per youth (the index screening) plus the double-screen pairs.

    `ratings` holds the instrument's indicators (int codes; `missing_codes` mark NEI / unanswered);
    `level` is the index of the screening's level in `levels` (0 = lowest); `reference` the 0/1
    finding of the reference standard for the youth."""

    instrument: str
    levels: tuple[str, ...]
    indicators: tuple[str, ...]
    ratings: npt.NDArray[np.int8]
    total: npt.NDArray[np.int64]
    level: npt.NDArray[np.int64]
    reference: npt.NDArray[np.bool_]
    groups: Mapping[str, npt.NDArray[np.object_]]
    missing_codes: tuple[int, ...]
    pair_level: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros((0, 2), np.int64))
    pair_total: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros((0, 2), np.int64))
    pair_roles: npt.NDArray[np.object_] = field(default_factory=lambda: np.zeros(0, object))
    reference_name: str = "criterion"


@dataclass(frozen=True)
class CutoffAccuracy:
    level: str
    accuracy: stats.DiagnosticAccuracy


@dataclass(frozen=True)
class PairAgreement:
    roles: str
    kappa: stats.Kappa | None
    icc: stats.Icc | None
    n: int
    small: bool


@dataclass(frozen=True)
class GroupAccuracy:
    group: str
    accuracy: stats.DiagnosticAccuracy
    small: bool


@dataclass(frozen=True)
class Fairness:
    dimension: str
    accuracy: tuple[GroupAccuracy, ...]
    prevalence: stats.GroupComparison


@dataclass(frozen=True)
class DimensionDif:
    """DIF of every indicator across the groups of one fairness dimension."""

    dimension: str
    items: tuple[stats.ItemDif, ...]


@dataclass(frozen=True)
class Study:
    instrument: str
    reference: str
    n: int
    reliability: stats.Reliability | None
    cutoffs: tuple[CutoffAccuracy, ...]
    roc: stats.RocResult | None
    agreement: tuple[PairAgreement, ...]
    fairness: tuple[Fairness, ...]
    dif: tuple[stats.ItemDif, ...]
    indicators: tuple[str, ...]
    # DIF by every fairness dimension with two groups or more (`dif` is the gender-group one).
    dif_by_dimension: tuple[DimensionDif, ...] = ()


def _reliability(sample: StudySample, confidence: float) -> stats.Reliability | None:
    items = sample.ratings.astype(np.float64)
    items[np.isin(sample.ratings, sample.missing_codes)] = np.nan
    try:
        return stats.cronbach_alpha(items, confidence=confidence)
    except ValueError:
        return None  # fewer than two complete youth: no alpha to show


def _agreement(sample: StudySample, small_n: int, confidence: float) -> tuple[PairAgreement, ...]:
    results = []
    for roles in sorted(set(sample.pair_roles.tolist())):
        chosen = sample.pair_roles == roles
        n = int(chosen.sum())
        levels = sample.pair_level[chosen]
        kappa = stats.cohen_kappa(
            levels[:, 0],
            levels[:, 1],
            weights="linear",
            categories=list(range(len(sample.levels))),
            confidence=confidence,
        )
        totals = sample.pair_total[chosen].astype(np.float64)
        icc = stats.icc(totals, "ICC1", confidence=confidence) if n >= 2 else None
        results.append(PairAgreement(str(roles), kappa, icc, n, n < small_n))
    return tuple(results)


def _fairness(
    sample: StudySample, positive: npt.NDArray[np.bool_], small_n: int, confidence: float
) -> tuple[Fairness, ...]:
    results = []
    for dimension in FAIRNESS_DIMENSIONS:
        labels = sample.groups.get(dimension)
        if labels is None:
            continue
        rows = []
        for label in sorted(set(labels.tolist()), key=str):
            chosen = labels == label
            rows.append(
                GroupAccuracy(
                    str(label),
                    stats.diagnostic_accuracy(
                        sample.reference[chosen], positive[chosen], confidence=confidence
                    ),
                    bool(chosen.sum() < small_n),
                )
            )
        prevalence = stats.prevalence_by_group(
            sample.reference, labels, small_n=small_n, confidence=confidence
        )
        results.append(Fairness(dimension, tuple(rows), prevalence))
    return tuple(results)


def _dif(sample: StudySample, dimension: str = "gender_group") -> tuple[stats.ItemDif, ...]:
    labels = sample.groups.get(dimension)
    if labels is None or len(set(labels.tolist())) < 2:
        return ()
    # An indicator is endorsed when rated above 0; NEI counts as not endorsed, as in the total.
    endorsed = ((sample.ratings > 0) & ~np.isin(sample.ratings, sample.missing_codes)).astype(float)
    return stats.dif(endorsed, labels)


def run_study(
    sample: StudySample,
    *,
    small_n: int = SMALL_GROUP,
    confidence: float = 0.95,
    progress: Callable[[str, int], None] | None = None,
) -> Study:
    """Every figure of the study, each with its `confidence` interval and n.

    `progress(part, percent)` is called as each part finishes (for a background task's progress)."""

    def done(part: str, percent: int) -> None:
        if progress is not None:
            progress(part, percent)

    n = int(sample.reference.size)
    both = bool(sample.reference.any() and not sample.reference.all())
    reliability = _reliability(sample, confidence)
    done("reliability", 15)
    cutoffs = tuple(
        CutoffAccuracy(
            level,
            stats.diagnostic_accuracy(
                sample.reference, sample.level >= index, confidence=confidence
            ),
        )
        for index, level in enumerate(sample.levels)
        if index > 0
    )
    roc = stats.roc(sample.reference, sample.total, confidence=confidence) if both else None
    done("accuracy", 35)
    agreement = _agreement(sample, small_n, confidence)
    done("agreement", 50)
    first_concern = sample.level >= 1
    fairness = _fairness(sample, first_concern, small_n, confidence)
    done("fairness", 70)
    dif_by_dimension = tuple(
        DimensionDif(dimension, _dif(sample, dimension)) for dimension in FAIRNESS_DIMENSIONS
    )
    dif = next((d.items for d in dif_by_dimension if d.dimension == "gender_group"), ())
    done("dif", 100)
    return Study(
        instrument=sample.instrument,
        reference=sample.reference_name,
        n=n,
        reliability=reliability,
        cutoffs=cutoffs,
        roc=roc,
        agreement=agreement,
        fairness=fairness,
        dif=dif,
        indicators=sample.indicators,
        dif_by_dimension=tuple(d for d in dif_by_dimension if d.items),
    )
