"""Every figure of the dashboards against an independent count (plain SQL into pandas, in
`tests/reporting/independent.py`) over the synthetic programme, and the suppression of every figure
that leaves an agency against the linear-algebra attack."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sightline.reporting import figures
from sightline.reporting.models import PeriodKind
from sightline.reporting.scope import Period, resolve
from sightline.tenancy.models import Agency, Membership, Role, User
from tests import factories
from tests.reporting.independent import current_screenings, rows
from tests.reporting.published import published_region, region_boards
from tests.stats.attack import recoverable

pytestmark = pytest.mark.django_db

YEAR = Period(PeriodKind.YEAR, dt.date(2025, 1, 1))
TODAY = dt.date(2026, 7, 1)
LEVELS = ["no_concern", "possible_concern", "clear_concern"]
COLUMN = {
    "gender": "gender_identity",
    "screener_role": "screener_role",
    "instrument": "instrument_id",
    "age_band": "age_band",
}


@pytest.fixture
def analyst(programme: Any) -> User:
    person = factories.user(username="state-analyst")
    for agency in Agency.objects.all():
        Membership.objects.create(user=person, agency=agency, role=Role.ANALYST)
    return person


@pytest.fixture
def busiest_agency(programme: Any) -> Agency:
    frame = in_year(current_screenings())
    return Agency.objects.get(pk=int(frame["agency_id"].value_counts().idxmax()))


def in_year(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[(frame["screened_on"] >= YEAR.start) & (frame["screened_on"] <= YEAR.end)]


def shown(table: figures.Table) -> dict[str, list[int | None]]:
    return {row.key: [c.count for c in row.cells] for row in table.rows}


def expected(frame: pd.DataFrame, column: str) -> dict[str, list[int]]:
    grouped = frame.groupby([column, "level"]).size()
    return {
        str(key): [int(grouped.get((key, level), 0)) for level in LEVELS]
        for key in frame[column].unique()
    }


def test_agency_dashboard_equals_independent_counts(busiest_agency: Agency) -> None:
    supervisor = factories.member(busiest_agency, Role.SUPERVISOR)
    scope = resolve(supervisor, "agency", str(busiest_agency.pk))
    frame = in_year(current_screenings())
    frame = frame[frame["agency_id"] == busiest_agency.pk]

    board = figures.dashboard(user=supervisor, scope=scope, period=YEAR, today=TODAY)

    assert [code for code, _label in board.levels] == LEVELS
    assert board.headlines[0].cell.count == len(frame)
    assert board.headlines[1].cell.count == frame["youth_id"].nunique()
    tables = {t.key: t for t in board.breakdowns}
    for key, column in COLUMN.items():
        assert shown(tables[key]) == expected(frame, column), key
    month = frame.assign(m=frame["month"].map(dt.date.isoformat))
    by_month = expected(month, "m")
    assert {k: v for k, v in shown(board.trends[0]).items() if any(v)} == by_month
    total = [int((frame["level"] == level).sum()) for level in LEVELS]
    assert [c.count for c in board.levels_table.rows[0].cells] == total
    assert board.suppression is None


def test_youth_with_clear_concern_is_by_the_highest_level(busiest_agency: Agency) -> None:
    supervisor = factories.member(busiest_agency, Role.SUPERVISOR)
    scope = resolve(supervisor, "agency", str(busiest_agency.pk))
    frame = in_year(current_screenings())
    frame = frame[frame["agency_id"] == busiest_agency.pk]
    clear_youth = frame[frame["level"] == "clear_concern"]["youth_id"].nunique()

    board = figures.dashboard(user=supervisor, scope=scope, period=YEAR, today=TODAY)

    youth, clear = board.headlines[1].cell, board.headlines[2].cell
    assert clear.count == clear_youth
    assert clear.share is not None and clear.share.n == youth.count


def test_follow_up_equals_independent_count(busiest_agency: Agency) -> None:
    supervisor = factories.member(busiest_agency, Role.SUPERVISOR)
    scope = resolve(supervisor, "agency", str(busiest_agency.pk))
    frame = in_year(current_screenings())
    frame = frame[frame["agency_id"] == busiest_agency.pk]
    done = {
        screening
        for (screening,) in rows(
            "SELECT DISTINCT screening_id FROM screenings_followupaction "
            "WHERE completed_on IS NOT NULL"
        )
    }

    board = figures.dashboard(user=supervisor, scope=scope, period=YEAR, today=TODAY)

    for row in board.follow_up.rows:
        at_level = frame[frame["level"] == row.key]
        followed = int(at_level["id"].isin(done).sum())
        assert [c.count for c in row.cells] == [followed, len(at_level) - followed]


def test_state_dashboard_publishes_no_small_cell_and_hides_nothing_recoverable(
    analyst: User,
) -> None:
    scope = resolve(analyst, "state", "CA")
    frame = in_year(current_screenings())

    board = figures.dashboard(user=analyst, scope=scope, period=YEAR, today=TODAY)

    assert board.suppression == (1, 10)
    family = [board.levels_table, *board.trends, *board.breakdowns]
    published: dict[str, list[list[int | None]]] = {}
    for table in family:
        grid = [[c.count for c in (*r.cells, r.total)] for r in (*table.rows, table.total)]
        published[table.key] = grid
        for line in grid:
            assert not any(v is not None and 1 <= v <= 10 for v in line), table.key
    # Unsuppressed cells are the true counts.
    tables = {t.key: t for t in board.breakdowns}
    for key, column in COLUMN.items():
        truth = expected(frame, column)
        for row_key, counts in shown(tables[key]).items():
            for count, true in zip(counts, truth[row_key], strict=True):
                assert count is None or count == true
    # The attack: every table of the period together, their shared "all" row joined.
    same = {}
    for key, grid in published.items():
        if key == "levels":
            continue
        last = len(grid) - 1
        for j in range(len(grid[0])):
            same[(key, last, j)] = ("levels", 1, j)
    assert recoverable(published, same) == []
    assert any(c is None for grid in published.values() for line in grid for c in line)


def test_analyst_cannot_open_an_agency_report(analyst: User) -> None:
    from sightline.tenancy.access import Forbidden

    # A member of the agency, refused what the role does not allow: 403 (the access layer's rule).
    with pytest.raises(Forbidden):
        resolve(analyst, "agency", str(Agency.objects.first().pk))  # type: ignore[union-attr]


def test_state_figures_are_unchanged_when_suppression_is_off(analyst: User, settings: Any) -> None:
    settings.SIGHTLINE_SUPPRESS_HIGH = 0  # nothing lies in 1..0
    scope = resolve(analyst, "state", "CA")
    frame = in_year(current_screenings())

    board = figures.dashboard(user=analyst, scope=scope, period=YEAR, today=TODAY)

    tables = {t.key: t for t in board.breakdowns}
    by_type = frame.groupby(["agency_type", "level"]).size()
    for row in tables["agency_type"].rows:
        assert [c.count for c in row.cells] == [int(by_type.get((row.key, lv), 0)) for lv in LEVELS]
    assert np.isclose(
        board.levels_table.rows[0].cells[2].share.estimate,  # type: ignore[union-attr]
        (frame["level"] == "clear_concern").mean(),
    )


def test_state_and_county_dashboards_together_give_no_hidden_cell_back(analyst: User) -> None:
    boards = region_boards(analyst, YEAR, TODAY)
    assert len(boards) == 3  # the state and its two counties

    tables, same, sums, rows_only, unpublished = published_region(boards)

    for name, grid in tables.items():
        for line in grid:
            assert not any(v is not None and 1 <= v <= 10 for v in line), name
    found = recoverable(tables, same, sums, rows_only)
    assert [cell for cell in found if cell[0] not in unpublished] == []
    # The same county figures whichever report they are read in.
    state_agencies = {
        r.key: r for t in boards["state"].breakdowns if t.key == "agency" for r in t.rows
    }
    for county in (b for name, b in boards.items() if name != "state"):
        for row in next(t for t in county.breakdowns if t.key == "agency").rows:
            assert [c.count for c in row.cells] == [c.count for c in state_agencies[row.key].cells]


def test_suppressing_each_level_alone_would_give_cells_back(
    analyst: User, monkeypatch: Any
) -> None:
    # The control for the test above: with the region's relations ignored, the same attack wins.
    from sightline.reporting import suppressing

    def alone(state: Any, counties: list[Any], _names: list[str]) -> list[Any]:
        return [suppressing.protect(raw, {}, on=True) for raw in (state, *counties)]

    monkeypatch.setattr(figures, "protect_region", alone)
    tables, same, sums, rows_only, unpublished = published_region(
        region_boards(analyst, YEAR, TODAY)
    )

    found = recoverable(tables, same, sums, rows_only)
    assert [cell for cell in found if cell[0] not in unpublished] != []
