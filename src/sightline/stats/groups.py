"""Prevalence (or any share) by group, each with its interval, and a test that the groups differ.

Every group is reported, however small: a group under `small_n` youth is flagged (`small=True`) so a
page can say "interpret with care" instead of hiding it. (Suppression for publication is a separate,
later step: `suppression.suppress`.) The test is `independence.compare_groups` on the groups x
{positive, negative} table: Pearson's chi-square when every expected count is at least 5, otherwise
Fisher's exact test.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sightline.stats.independence import IndependenceTest, compare_groups
from sightline.stats.proportions import Method, Proportion, proportion

SMALL_GROUP = 30


@dataclass(frozen=True)
class GroupShare:
    group: Hashable
    share: Proportion
    small: bool

    @property
    def estimate(self) -> float | None:
        return self.share.estimate


@dataclass(frozen=True)
class GroupComparison:
    groups: tuple[GroupShare, ...]
    overall: Proportion
    test: IndependenceTest | None
    n: int


def prevalence_by_group(
    positive: npt.ArrayLike,
    group: npt.ArrayLike | Sequence[Hashable],
    *,
    method: Method = "wilson",
    small_n: int = SMALL_GROUP,
    confidence: float = 0.95,
) -> GroupComparison:
    """The share of `positive` (0/1) youth in each `group` label (groups in sorted order)."""
    flags = np.asarray(positive)
    labels = np.asarray(group, dtype=object)
    if flags.ndim != 1 or flags.shape != labels.shape:
        raise ValueError("positive and group need one value each per youth")
    if not np.isin(flags, (0, 1)).all():
        raise ValueError("positive must hold only 0/1 or booleans")
    flags = flags.astype(bool)
    keys, inverse = np.unique(labels.astype(str), return_inverse=True)
    # Keep the caller's label objects (not their string forms) for the report.
    first = {key: labels[np.flatnonzero(inverse == i)[0]] for i, key in enumerate(keys)}
    positives = np.bincount(inverse, weights=flags, minlength=keys.size).astype(np.int64)
    totals = np.bincount(inverse, minlength=keys.size).astype(np.int64)
    shares = tuple(
        GroupShare(
            group=first[key],
            share=proportion(
                int(positives[i]), int(totals[i]), method=method, confidence=confidence
            ),
            small=bool(totals[i] < small_n),
        )
        for i, key in enumerate(keys)
    )
    table = np.column_stack([positives, totals - positives])
    return GroupComparison(
        groups=shares,
        overall=proportion(
            int(positives.sum()), int(totals.sum()), method=method, confidence=confidence
        ),
        test=compare_groups(table),
        n=int(totals.sum()),
    )
