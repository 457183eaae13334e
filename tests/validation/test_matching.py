"""The one criterion matcher: records of the same youth within the window, any positive wins."""

from __future__ import annotations

import numpy as np
import pytest

from sightline.validation.matching import match_criterion


def days(*values: str) -> np.ndarray:
    return np.array(values, dtype="datetime64[D]")


def test_window_is_inclusive_on_both_sides_and_per_youth() -> None:
    match = match_criterion(
        [1, 1, 1, 2, 3],
        days("2024-01-31", "2024-03-01", "2023-12-01", "2024-01-31", "2024-01-31"),
        [1, 2],
        days("2024-01-01", "2024-01-01"),
        [True, False],
        window_days=30,
    )
    assert match.matched.tolist() == [True, False, False, True, False]
    assert match.finding.tolist() == [True, False, False, False, False]
    assert match.record.tolist() == [0, -1, -1, 1, -1]


def test_any_positive_record_in_the_window_makes_the_reference_positive() -> None:
    match = match_criterion(
        [7],
        days("2024-06-01"),
        [7, 7, 7],
        days("2024-05-30", "2024-06-20", "2025-01-01"),
        [False, True, True],
        window_days=20,
    )
    assert match.matched.tolist() == [True]
    assert match.finding.tolist() == [True]
    assert match.record.tolist() == [0]  # the nearest record, 2 days before


def test_nearest_record_ties_go_to_the_earlier_one() -> None:
    match = match_criterion(
        [5],
        days("2024-06-10"),
        [5, 5],
        days("2024-06-15", "2024-06-05"),
        [True, False],
        window_days=10,
    )
    assert match.record.tolist() == [1]


def test_agrees_with_a_plain_loop_on_random_data() -> None:
    rng = np.random.default_rng(3)
    s_youth, s_day = rng.integers(0, 50, 400), rng.integers(0, 1000, 400)
    r_youth, r_day = rng.integers(0, 50, 300), rng.integers(0, 1000, 300)
    finding = rng.random(300) < 0.3
    match = match_criterion(s_youth, s_day, r_youth, r_day, finding, window_days=45)
    for i in range(400):
        near = np.flatnonzero((r_youth == s_youth[i]) & (np.abs(r_day - s_day[i]) <= 45))
        assert match.matched[i] == (near.size > 0)
        assert match.finding[i] == bool(finding[near].any())
        if near.size:
            gap = np.abs(r_day[near] - s_day[i])
            assert gap[near.tolist().index(match.record[i])] == gap.min()


def test_no_records_and_bad_input() -> None:
    match = match_criterion([1], [10], [], np.array([], dtype=np.int64), [], window_days=5)
    assert match.matched.tolist() == [False] and match.record.tolist() == [-1]
    with pytest.raises(ValueError):
        match_criterion([1], [1], [1], [1], [True], window_days=-1)
