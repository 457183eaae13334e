"""The worklist CSV: columns, cell formatting and the CSV-injection guard."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

import pytest
import time_machine

from sightline.common.spreadsheet import safe_cell
from sightline.scheduling.exports import HEADER, age_on, worklist_csv, worklist_row
from sightline.scheduling.models import IntakeSchedule
from sightline.scheduling.selectors import agency_worklist
from sightline.scheduling.services import schedule_refresh_youth
from tests import factories
from tests.conftest import World

TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC), tick=False):
        yield


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rReturn", "'\rReturn"),
        ("Plain = text", "Plain = text"),
        ("", ""),
        (None, ""),
        (34, "34"),
        (dt.date(2026, 2, 4), "2026-02-04"),
    ],
)
def test_safe_cell(value: object, cell: str) -> None:
    assert safe_cell(value) == cell


def test_age_on_counts_whole_years() -> None:
    assert age_on(dt.date(2010, 3, 10), TODAY) == 16
    assert age_on(dt.date(2010, 3, 11), TODAY) == 15


def _rows(world: World) -> list[IntakeSchedule]:
    return list(agency_worklist(user=world.supervisor, agency_id=world.agency_a.pk, today=TODAY))


def test_worklist_row_has_every_column(world: World) -> None:
    youth = factories.registered_youth(
        world.agency_a,
        by=world.screener,
        first_name="Olivia",
        last_name="Owens",
        case_number="CW-1",
        date_of_birth=dt.date(2010, 5, 17),
        intake_on=dt.date(2026, 1, 5),
        program="Foster care",
        assigned_to=world.screener,
    )
    (row,) = _rows(world)
    cells = worklist_row(row, today=TODAY)
    assert len(cells) == len(HEADER)
    assert cells == [
        "CW-1",
        str(youth.pseudonym),
        "Olivia",
        "Owens",
        "15",
        "Foster care",
        world.screener.get_full_name() or "screener",
        "Overdue",
        "2026-02-04",
        "34",
        "",
        "",
    ]


def test_worklist_row_labels_the_last_level_and_unassigned(world: World) -> None:
    youth = factories.registered_youth(
        world.agency_a, by=world.screener, intake_on=dt.date(2026, 1, 5)
    )
    factories.screening(
        youth, screener=world.screener, status="final", screened_on=dt.date(2026, 1, 20)
    )
    schedule_refresh_youth(youth.pk)
    (row,) = _rows(world)
    cells = worklist_row(row, today=TODAY)
    assert cells[6] == "Unassigned"
    assert cells[7] == "Up to date"
    assert cells[9] == "0"
    assert cells[10:] == ["2026-01-20", "No concern"]


def test_worklist_csv_streams_header_then_rows(world: World) -> None:
    factories.registered_youth(
        world.agency_a,
        by=world.screener,
        first_name="=cmd|' /C calc'!A0",
        intake_on=dt.date(2026, 1, 5),
    )
    lines = list(worklist_csv(_rows(world), today=TODAY))
    assert len(lines) == 2
    parsed = list(csv.reader(io.StringIO("".join(lines))))
    assert parsed[0] == list(HEADER)
    assert parsed[1][2] == "'=cmd|' /C calc'!A0"
