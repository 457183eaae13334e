"""Coverage figures from stored schedule rows, checked against hand-computed expectations."""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from sightline import instruments
from sightline.audit.models import AuditAction, AuditEvent
from sightline.reporting import coverage as cov
from sightline.scheduling.errors import SchedulingError
from sightline.scheduling.models import IntakeSchedule, RescreenDue
from sightline.scheduling.services import schedule_refresh
from sightline.tenancy.models import Role
from sightline.youth.models import IntakeEpisode
from sightline.youth.services import intake_close, intake_open
from tests import factories
from tests.conftest import World

INTAKE = dt.date(2026, 1, 5)
DUE = INTAKE + dt.timedelta(days=30)  # first screening due under the default policy
TODAY = dt.date(2026, 6, 1)
PERIOD = {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 3, 31), "today": TODAY}


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC), tick=False):
        yield


def _finalize(by: Any, youth: Any, *, on: dt.date, concern: bool = False) -> Any:
    """A final CSE-IT screening on `on`: no concern, or a possible concern (a total of 5)."""
    definition = instruments.load("cse-it-2.0")
    ratings = {i.id: int(concern and n < 5) for n, i in enumerate(definition.indicators)}
    return factories.finalized_screening(youth, by=by, screened_on=on, ratings=ratings)


def _intake(
    world: World,
    *,
    intake_on: dt.date = INTAKE,
    exit_on: dt.date | None = None,
    program: str = "",
    assigned_to: Any = None,
    screened_after: list[int] | None = None,
    concern: bool = False,
    agency: Any = None,
    youth: Any = None,
) -> Any:
    """A youth with one intake (through the services) and final screenings `screened_after` days
    after intake; the first one a possible concern when `concern`."""
    agency = agency or world.agency_a
    by = world.screener if agency == world.agency_a else world.outsider
    if youth is None:
        youth = factories.registered_youth(
            agency,
            by=by,
            last_name=f"Quillfeather{IntakeEpisode.objects.count()}",
            intake_on=intake_on,
            program=program,
            assigned_to=assigned_to,
        )
    else:
        intake_open(youth=youth, by=by, intake_on=intake_on, program=program)
    for index, days in enumerate(screened_after or []):
        _finalize(by, youth, on=intake_on + dt.timedelta(days=days), concern=concern and not index)
    if exit_on is not None:
        intake = IntakeEpisode.objects.get(youth=youth, exit_on__isnull=True)
        intake_close(intake=intake, by=by, exit_on=exit_on)
    return youth


def _report(world: World, user: Any = None, **kwargs: Any) -> cov.CoverageReport:
    schedule_refresh()
    return cov.coverage(user=user or world.supervisor, **{**PERIOD, **kwargs})


def test_first_screening_figures_are_hand_computed(world: World) -> None:
    # Screened on day 12, day 30 (the due date: on time), day 31 (late), never.
    for days in ([12], [30], [31], []):
        _intake(world, screened_after=days)
    report = _report(world)
    assert IntakeSchedule.objects.filter(first_due_on=DUE).count() == 4
    (row,) = report.rows
    assert row.label == "Harbor Child Welfare"
    assert (row.first_due, row.first_on_time, row.never_screened) == (4, 2, 1)
    assert row.first_share == pytest.approx(0.5)
    assert row.median_days == 30  # median of [12, 30, 31]
    assert report.total.first_due == 4 and report.total.median_days == 30


def test_median_of_an_even_count_is_the_mean_of_the_middle_two(world: World) -> None:
    for days in ([10], [13], [20], [40]):
        _intake(world, screened_after=days)
    report = _report(world)
    assert report.total.median_days == statistics.median([10, 13, 20, 40]) == 16.5


def test_period_boundaries_and_today(world: World) -> None:
    # Due on the first day of the period, on its last day, and the day before the period.
    _intake(world, intake_on=dt.date(2025, 12, 2))  # due 2026-01-01: counts
    _intake(world, intake_on=dt.date(2026, 3, 1))  # due 2026-03-31: counts
    _intake(world, intake_on=dt.date(2025, 12, 1))  # due 2025-12-31: outside
    report = _report(world)
    assert report.total.first_due == 2
    # A due date on today (or later) has not passed yet: it does not count.
    due_today = _report(world, end=dt.date(2026, 3, 31), today=dt.date(2026, 3, 31))
    assert due_today.total.first_due == 1
    assert _report(world, today=dt.date(2026, 4, 1)).total.first_due == 2


def test_carried_over_screening_and_exit_before_due_do_not_count(world: World) -> None:
    # Screened 20 days before a new intake: the screening carries over, no first screening owed.
    youth = _intake(
        world, intake_on=dt.date(2025, 12, 1), exit_on=dt.date(2025, 12, 20), screened_after=[15]
    )
    _intake(world, youth=youth)
    # Left on day 10, never screened: not owed. Left on day 10 but screened on day 5: counts.
    _intake(world, exit_on=INTAKE + dt.timedelta(days=10))
    _intake(world, exit_on=INTAKE + dt.timedelta(days=10), screened_after=[5])
    # Left on the due date itself: still in the intake that day, owed.
    _intake(world, exit_on=DUE)
    report = _report(world)
    assert IntakeSchedule.objects.filter(intake_on=INTAKE, first_due_on=None).count() == 1
    # The December intake's own first screening fell due on 2025-12-31, outside the period.
    assert (report.total.first_due, report.total.first_on_time) == (2, 1)
    assert report.total.never_screened == 1


def test_rescreens_on_the_due_date_on_time_the_day_after_late(world: World) -> None:
    # Screened on day 0 (no concern): rescreen due six months later, 2026-07-05.
    _intake(world, intake_on=dt.date(2025, 7, 1), screened_after=[0, 184])  # 2026-01-01 on time
    _intake(world, intake_on=dt.date(2025, 7, 1), screened_after=[0, 185])  # 2026-01-02 late
    _intake(world, intake_on=dt.date(2025, 7, 1), screened_after=[0])  # never rescreened
    schedule_refresh()
    assert set(RescreenDue.objects.values_list("due_on", flat=True)) == {
        dt.date(2026, 1, 1),  # six months after 2025-07-01
        dt.date(2026, 7, 1),  # after the rescreens: not in the period
        dt.date(2026, 7, 2),
    }
    report = _report(world)
    assert (report.total.rescreens_due, report.total.rescreens_on_time) == (3, 1)
    assert report.total.rescreen_share == pytest.approx(1 / 3)


def test_possible_concern_calls_for_a_rescreen_after_30_days(world: World) -> None:
    # Possible concern on day 0 (2026-01-05): rescreen due 2026-02-04; done on day 30.
    _intake(world, screened_after=[0, 30], concern=True)
    schedule_refresh()
    first = RescreenDue.objects.order_by("screened_on").first()
    assert first is not None and first.level == "possible_concern"
    assert first.due_on == dt.date(2026, 2, 4) and first.rescreened_on == dt.date(2026, 2, 4)
    report = _report(world)
    assert (report.total.rescreens_due, report.total.rescreens_on_time) == (1, 1)


def test_rescreen_after_the_youth_left_is_not_owed(world: World) -> None:
    _intake(world, intake_on=dt.date(2025, 7, 1), exit_on=dt.date(2025, 9, 1), screened_after=[0])
    assert _report(world).total.rescreens_due == 0


def test_grouping_by_program_and_by_screener(world: World) -> None:
    _intake(world, program="Group home", assigned_to=world.screener, screened_after=[5])
    _intake(world, program="Group home", assigned_to=world.supervisor, screened_after=[40])
    _intake(world, program="", assigned_to=None)
    by_program = _report(world, group_by="program")
    assert [(r.label, r.first_due, r.first_on_time) for r in by_program.rows] == [
        ("Harbor Child Welfare — (no program)", 1, 0),
        ("Harbor Child Welfare — Group home", 2, 1),
    ]
    assert by_program.rows[1].median_days == 22.5
    by_screener = _report(world, group_by="screener")
    assert {r.label: (r.first_due, r.never_screened) for r in by_screener.rows} == {
        "screener": (1, 0),
        "supervisor": (1, 0),
        cov.UNASSIGNED: (1, 1),
    }


def test_screeners_are_named_even_after_leaving_the_agency(world: World) -> None:
    world.screener.first_name, world.screener.last_name = "Dana", "Okafor"
    world.screener.save(update_fields=["first_name", "last_name"])
    _intake(world, assigned_to=world.screener, screened_after=[5])
    moved = _intake(world, screened_after=[8])
    # Assigned while at agency A, now only a member elsewhere: still named, never "Unassigned".
    IntakeEpisode.objects.filter(youth=moved).update(assigned_to=world.outsider)
    labels = {r.label: r.first_on_time for r in _report(world, group_by="screener").rows}
    assert labels == {"Dana Okafor": 1, "outsider": 1}


def test_scope(world: World) -> None:
    _intake(world, screened_after=[3])
    _intake(world, agency=world.agency_b)
    analyst_b = factories.member(world.agency_b, Role.ANALYST, username="analyst-b")
    assert [r.label for r in _report(world, world.analyst).rows] == ["Harbor Child Welfare"]
    assert [r.label for r in _report(world, analyst_b).rows] == ["Bayside Probation"]
    with pytest.raises(PermissionDenied, match="this agency"):
        _report(world, world.analyst, agency_ids=[world.agency_b.pk])
    supervisor_b = factories.member(world.agency_b, Role.SUPERVISOR, username="supervisor-b")
    assert [r.label for r in _report(world, supervisor_b, group_by="screener").rows] == [
        cov.UNASSIGNED
    ]
    with pytest.raises(PermissionDenied, match="this agency"):
        _report(world, supervisor_b, agency_ids=[world.agency_a.pk])
    with pytest.raises(PermissionDenied) as denied:
        _report(world, world.outsider)
    assert str(denied.value) == cov.NO_AGGREGATE_VIEW
    with pytest.raises(PermissionDenied) as refused:
        _report(world, world.analyst, group_by="screener")
    assert str(refused.value) == cov.SCREENER_GROUPING_REFUSED


def test_bad_inputs(world: World) -> None:
    with pytest.raises(SchedulingError) as reversed_:
        _report(world, start=dt.date(2026, 3, 1), end=dt.date(2026, 2, 1))
    assert reversed_.value.message == cov.PERIOD_REVERSED and reversed_.value.field == "end"
    with pytest.raises(SchedulingError) as not_a_date:
        _report(world, start="2026-01-01")
    assert not_a_date.value.field == "start"
    with pytest.raises(SchedulingError) as grouping:
        _report(world, group_by="youth")
    assert grouping.value.field == "group_by"


def test_empty_period_has_no_rows_and_dashes(world: World) -> None:
    report = _report(world)
    assert report.rows == []
    assert report.total.first_share is None and report.total.median_days is None


def test_csv_is_audited_and_has_no_youth_identity(world: World) -> None:
    youth = _intake(world, program="=cmd", screened_after=[12])
    report = _report(world, group_by="program")
    text = cov.coverage_csv(report, user=world.supervisor)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(cov.CSV_HEADER)
    assert rows[1] == ["Harbor Child Welfare — =cmd", "1", "1", "100.0", "12", "0", "0", "0", ""]
    assert rows[2][0] == "Total"
    assert youth.last_name not in text and youth.first_name not in text
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == world.supervisor
    assert event.detail["kind"] == "coverage" and event.detail["group_by"] == "program"
