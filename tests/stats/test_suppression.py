"""Small-cell suppression holds against the linear-algebra attack (`tests/stats/attack.py`).

The attack is written apart from the suppression code: it takes only what a reader of the published
tables sees and solves for each suppressed cell by rank and by linear-programming bounds.
"""

from __future__ import annotations

import numpy as np
import pytest

from sightline.stats.suppression import suppress, suppress_family
from tests.stats.attack import recoverable


def published(table) -> list[list[int | None]]:  # type: ignore[no-untyped-def]
    return [
        [table.cell(i, j) for j in range(table.values.shape[1])]
        for i in range(table.values.shape[0])
    ]


def test_primary_suppression_alone_would_be_recovered_by_the_attack() -> None:
    # The attack is real: suppressing only the 1-10 cells leaves the 3 recoverable from its row total.
    values = [[3, 20, 30, 53], [40, 50, 60, 150], [43, 70, 90, 203]]
    naive = [[None, 20, 30, 53], [40, 50, 60, 150], [43, 70, 90, 203]]

    assert recoverable({"t": naive})
    assert values[0][0] == 3


def test_no_published_cell_lies_between_1_and_10() -> None:
    rng = np.random.default_rng(1)
    for _ in range(200):
        table = suppress(rng.integers(0, 25, size=(rng.integers(1, 6), rng.integers(1, 5))))
        shown = table.values[~table.suppressed]
        assert not ((shown >= 1) & (shown <= 10)).any()


@pytest.mark.parametrize("seed", range(60))
def test_no_suppressed_cell_is_recoverable_from_totals(seed: int) -> None:
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 30, size=(rng.integers(2, 6), rng.integers(2, 5)))

    table = suppress(counts)

    assert recoverable({"t": published(table)}) == []


@pytest.mark.parametrize("seed", range(25))
def test_differencing_two_tables_of_the_same_period_recovers_nothing(seed: int) -> None:
    # Two breakdowns of the same screenings (say by gender and by age band) share the "all" row.
    rng = np.random.default_rng(100 + seed)
    levels = rng.integers(20, 80, size=3)
    by_gender = np.vstack([rng.multinomial(level, [0.5, 0.45, 0.05]) for level in levels]).T
    by_age = np.vstack([rng.multinomial(level, [0.1, 0.5, 0.4]) for level in levels]).T

    gender, age = suppress_family([by_gender, by_age])

    shared_row = gender.values.shape[0] - 1
    age_row = age.values.shape[0] - 1
    same = {("age", age_row, j): ("gender", shared_row, j) for j in range(4)}
    assert recoverable({"gender": published(gender), "age": published(age)}, same) == []
    assert np.array_equal(gender.suppressed[-1], age.suppressed[-1])


def test_a_lone_group_is_protected_against_all_minus_the_rest() -> None:
    # "All" minus every published group would give the small one back.
    counts = np.array([[40, 30, 25], [35, 28, 20], [2, 1, 0]])

    table = suppress(counts)

    assert table.suppressed[2, 0] and table.suppressed[2, 1]
    assert recoverable({"t": published(table)}) == []


def test_a_lone_non_zero_cell_is_hidden_with_every_total_that_equals_it() -> None:
    table = suppress([[0, 0], [0, 4]])

    assert table.suppressed[1, 1] and table.suppressed[1, 2] and table.suppressed[2, 2]
    assert recoverable({"t": published(table)}) == []


def test_a_lone_hidden_cell_of_a_sum_gets_the_cheapest_other_non_zero_cell_as_company() -> None:
    from sightline.stats.suppression import lone_cells

    state_is_hidden = [("state", 9, True), ("a", 0, False), ("b", 40, False), ("c", 25, False)]
    none_hidden = [("state", 30, False), ("d", 30, False)]
    two_hidden = [("state", 12, True), ("e", 5, True), ("f", 7, False)]

    assert lone_cells([state_is_hidden, none_hidden, two_hidden]) == {"c"}
    assert lone_cells([[("state", 4, False), ("g", 4, True), ("h", 0, False)]]) == {"state"}


def test_cells_forced_in_a_family_are_hidden_and_stay_protected() -> None:
    by_gender = np.array([[30, 22, 14], [28, 25, 19]])
    by_age = np.array([[20, 17, 12], [38, 30, 21]])
    forced = np.zeros((3, 4), dtype=bool)
    forced[0, 0] = True  # another report had to hide this figure

    gender, age = suppress_family([by_gender, by_age], forced=[forced, None])

    assert gender.suppressed[0, 0]
    same = {("age", 2, j): ("gender", 2, j) for j in range(4)}
    assert recoverable({"gender": published(gender), "age": published(age)}, same) == []
    assert np.array_equal(gender.suppressed[-1], age.suppressed[-1])
