"""Prevalence by group against published examples.

- Agresti A (2007), An Introduction to Categorical Data Analysis, 2nd ed., Table 2.3 (Physicians' Health
  Study): myocardial infarction in 189 of 11,034 physicians on placebo and 104 of 11,037 on aspirin;
  printed: proportions 0.0171 and 0.0094, Pearson X² = 25.01 (df 1).
- Newcombe RG (1998), Statistics in Medicine 17:857, Table II, Wilson intervals (method 3):
  81/263 -> 0.2553-0.3662, 15/148 -> 0.0624-0.1605, 0/20 -> 0.0000-0.1611.
"""

from __future__ import annotations

import numpy as np
import pytest

from sightline.stats import prevalence_by_group


def _youth(groups: dict[str, tuple[int, int]]) -> tuple[np.ndarray, list[str]]:
    positive: list[int] = []
    labels: list[str] = []
    for label, (successes, n) in groups.items():
        positive += [1] * successes + [0] * (n - successes)
        labels += [label] * n
    return np.array(positive), labels


def test_aspirin_trial_matches_agresti() -> None:
    positive, group = _youth({"placebo": (189, 11034), "aspirin": (104, 11037)})
    result = prevalence_by_group(positive, group)

    shares = {g.group: g.share for g in result.groups}
    assert round(shares["placebo"].estimate, 4) == 0.0171
    assert round(shares["aspirin"].estimate, 4) == 0.0094
    assert result.test is not None and result.test.method == "chi_square"
    assert round(result.test.statistic, 2) == 25.01 and result.test.dof == 1
    assert result.n == 22071 and result.overall.successes == 293


def test_group_intervals_match_newcombe_and_small_groups_are_flagged_not_hidden() -> None:
    positive, group = _youth({"a": (81, 263), "b": (15, 148), "c": (0, 20)})
    result = prevalence_by_group(positive, group)

    by_label = {g.group: g for g in result.groups}
    assert [(round(g.share.low, 4), round(g.share.high, 4)) for g in result.groups] == [
        (0.2553, 0.3662),
        (0.0624, 0.1605),
        (0.0, 0.1611),
    ]
    assert [g.small for g in result.groups] == [False, False, True]
    assert by_label["c"].share.n == 20  # shown, with its interval, and flagged
    # An expected count under 5 (group c: 20 x 96/431 = 4.45) switches to Fisher's test.
    assert result.test is not None and result.test.method == "fisher_monte_carlo"


def test_exact_intervals_on_request() -> None:
    positive, group = _youth({"a": (1, 29), "b": (15, 148)})
    result = prevalence_by_group(positive, group, method="clopper_pearson")

    # Newcombe 1998 Table II, method 5: 1/29 -> 0.0009-0.1776.
    assert (round(result.groups[0].share.low, 4), round(result.groups[0].share.high, 4)) == (
        0.0009,
        0.1776,
    )


def test_one_group_has_no_test() -> None:
    result = prevalence_by_group([1, 0, 1], ["x", "x", "x"])

    assert result.test is None and len(result.groups) == 1


def test_rejects_mismatched_input() -> None:
    with pytest.raises(ValueError, match="one value each"):
        prevalence_by_group([1, 0], ["a"])
