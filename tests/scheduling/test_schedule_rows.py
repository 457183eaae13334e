"""Stored schedule rows: kept current by the services, read by the worklist selectors in SQL."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from sightline import instruments
from sightline.audit.models import AuditEvent
from sightline.scheduling import errors, rules
from sightline.scheduling.errors import SchedulingError
from sightline.scheduling.models import IntakeSchedule, RescreenDue, ScreeningPolicy
from sightline.scheduling.policies import policy_in_force
from sightline.scheduling.selectors import (
    agency_worklist,
    my_worklist,
    schedules_visible_to,
    state_counts,
)
from sightline.scheduling.services import policy_create, schedule_refresh
from sightline.screenings.services import (
    screening_amend,
    screening_finalize,
    screening_save_draft,
    screening_start,
)
from sightline.tenancy.models import AgencyType, Role
from sightline.youth.services import intake_assign, intake_close, intake_open, youth_update
from tests import factories
from tests.conftest import World

TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 10, 20, tzinfo=dt.UTC), tick=False):
        yield


def _youth(world: World, **extra: Any) -> Any:
    return factories.registered_youth(
        world.agency_a, by=world.screener, last_name=f"Lee{random.random()}", **extra
    )


def _finalize(world: World, youth: Any, *, on: dt.date, code: int = 0) -> Any:
    return factories.finalized_screening(youth, by=world.screener, screened_on=on, rating=code)


def _row(youth: Any) -> IntakeSchedule:
    return IntakeSchedule.objects.get(youth=youth, exit_on__isnull=True)


def test_opening_an_intake_writes_its_schedule(world: World) -> None:
    youth = _youth(world)
    intake = intake_open(
        youth=youth, by=world.screener, intake_on=dt.date(2026, 2, 1), assigned_to=world.screener
    )
    row = IntakeSchedule.objects.get(pk=intake.pk)
    assert (row.kind, row.due_on, row.first_due_on, row.assigned_to_id) == (
        "first",
        dt.date(2026, 3, 3),
        dt.date(2026, 3, 3),
        world.screener.pk,
    )
    assert row.status_on(TODAY).days_overdue == 7


def test_finalizing_moves_the_due_date_and_amending_does_not(world: World) -> None:
    youth = _youth(world, intake_on=dt.date(2026, 1, 5))
    final = _finalize(world, youth, on=dt.date(2026, 1, 20), code=0)
    row = _row(youth)
    assert (row.kind, row.due_on, row.first_screened_on) == (
        "rescreen",
        dt.date(2026, 7, 20),
        dt.date(2026, 1, 20),
    )
    # An amendment keeps the contact date; when it changes the level, the 30-day rule follows it.
    amendment = screening_amend(screening=final, by=world.screener, reason="Late information")
    definition = instruments.load("cse-it-2.0")
    first = definition.indicators[0].id
    screening_save_draft(
        screening=amendment,
        by=world.screener,
        expected_lock_version=amendment.lock_version,
        indicator_ratings={**amendment.indicator_ratings, first: 1},
    )
    amendment.refresh_from_db()
    amended = screening_finalize(
        screening=amendment, by=world.screener, expected_lock_version=amendment.lock_version
    )
    row = _row(youth)
    assert row.last_final_on == dt.date(2026, 1, 20)
    assert row.last_final_level == amended.level
    level = definition.level(amended.level)
    sooner = rules.SoonerRescreen(level.rescreen_days, level.label) if level.rescreen_days else None
    expected_due = rules.rescreen_due(
        last_final_on=dt.date(2026, 1, 20), sooner_rescreen=sooner, policy=rules.Policy()
    )[0]
    assert row.due_on == expected_due
    # One rescreen record per screening chain, not per version.
    assert RescreenDue.objects.filter(youth=youth).count() == 1


def test_draft_and_voided_screenings_do_not_count(world: World) -> None:
    youth = _youth(world, intake_on=dt.date(2026, 1, 5))
    screening_start(
        youth=youth,
        by=world.screener,
        instrument_id="cse-it-2.0",
        reason="intake",
        screener_role="child_welfare_worker",
        known_for="under_month",
    )
    schedule_refresh()
    row = _row(youth)
    assert (row.kind, row.last_final_on, row.first_screened_on) == ("first", None, None)


def test_closing_the_intake_stops_the_clock(world: World) -> None:
    youth = _youth(world, intake_on=dt.date(2026, 1, 5))
    intake = youth.intakes.get()
    intake_close(intake=intake, by=world.screener, exit_on=dt.date(2026, 3, 1))
    stored = IntakeSchedule.objects.get(pk=intake.pk)
    assert stored.exit_on == dt.date(2026, 3, 1)
    assert stored.status_on(TODAY).state is rules.State.NOT_ELIGIBLE
    assert not schedules_visible_to(user=world.screener, today=TODAY).filter(pk=intake.pk).exists()


def test_an_intake_closed_today_leaves_the_worklists_today(world: World) -> None:
    youth = _youth(world, intake_on=dt.date(2026, 1, 5))
    intake = youth.intakes.get()
    intake_assign(intake=intake, by=world.supervisor, assigned_to=world.screener)
    assert [r.pk for r in my_worklist(user=world.screener, today=TODAY)] == [intake.pk]
    intake_close(intake=intake, by=world.screener, exit_on=TODAY)
    assert not my_worklist(user=world.screener, today=TODAY).exists()
    assert not schedules_visible_to(user=world.supervisor, today=TODAY).exists()


def test_birthday_and_high_risk_changes_reschedule(world: World) -> None:
    youth = _youth(world, date_of_birth=dt.date(2016, 6, 1), intake_on=dt.date(2026, 1, 5))
    assert _row(youth).eligible_on == dt.date(2026, 6, 1)
    youth_update(youth=youth, by=world.screener, high_risk=True)
    assert _row(youth).eligible_on == dt.date(2026, 1, 5)
    youth_update(youth=youth, by=world.screener, high_risk=False, date_of_birth=dt.date(2015, 6, 1))
    assert _row(youth).eligible_on == dt.date(2026, 1, 5)


def test_reassigning_moves_the_youth_between_caseloads(world: World) -> None:
    youth = _youth(world, intake_on=dt.date(2026, 1, 5))
    intake = youth.intakes.get()
    assert not my_worklist(user=world.screener, today=TODAY).exists()
    intake_assign(intake=intake, by=world.supervisor, assigned_to=world.screener)
    assert [r.pk for r in my_worklist(user=world.screener, today=TODAY)] == [intake.pk]
    intake_assign(intake=intake, by=world.supervisor, assigned_to=world.supervisor)
    assert not my_worklist(user=world.screener, today=TODAY).exists()


def test_only_screeners_of_the_agency_can_be_assigned(world: World) -> None:
    from sightline.youth.errors import ASSIGNEE_NOT_SCREENER, YouthError

    youth = _youth(world, intake_on=dt.date(2026, 1, 5))
    intake = youth.intakes.get()
    for person in (world.outsider, world.analyst):
        with pytest.raises(YouthError) as caught:
            intake_assign(intake=intake, by=world.supervisor, assigned_to=person)
        assert caught.value.message == ASSIGNEE_NOT_SCREENER
    assert IntakeSchedule.objects.get(pk=intake.pk).assigned_to_id is None


def test_sql_state_matches_the_rules_on_every_day(world: World) -> None:
    """The worklist's SQL state and `Schedule.status_on` agree for many stored schedules and days."""
    rng = random.Random(7)
    from sightline.youth.models import IntakeEpisode

    for _ in range(40):
        # One youth per open intake: a youth has at most one (a database constraint).
        youth = factories.youth(world.agency_a, created_by=world.screener, intake_on=None)
        intake = IntakeEpisode.objects.create(
            youth=youth,
            agency=world.agency_a,
            intake_on=dt.date(2026, 1, 1),
            created_by=world.screener,
        )
        due_on = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 120))
        IntakeSchedule.objects.create(
            intake=intake,
            agency=world.agency_a,
            youth=youth,
            date_of_birth=youth.date_of_birth,
            intake_on=dt.date(2026, 1, 1),
            eligible_on=dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 60)),
            kind="rescreen",
            due_on=due_on,
            due_from=due_on - dt.timedelta(days=rng.randint(0, 40)),
            basis="Rescreen",
        )
    for offset in range(0, 130, 3):
        day = dt.date(2026, 1, 1) + dt.timedelta(days=offset)
        for row in schedules_visible_to(user=world.screener, today=day):
            assert row.state == row.status_on(day).state.value, (row.pk, day)


def test_selectors_are_scoped(world: World) -> None:
    youth = _youth(world, intake_on=dt.date(2026, 1, 5))
    assert schedules_visible_to(user=world.outsider, today=TODAY).count() == 0
    assert schedules_visible_to(user=world.analyst, today=TODAY).count() == 0
    assert schedules_visible_to(user=world.supervisor, today=TODAY).get().youth_id == youth.pk
    with pytest.raises(PermissionDenied):
        agency_worklist(user=world.screener, agency_id=world.agency_a.pk, today=TODAY)
    with pytest.raises(PermissionDenied):
        agency_worklist(user=world.outsider, agency_id=world.agency_a.pk, today=TODAY)
    rows = agency_worklist(user=world.supervisor, agency_id=world.agency_a.pk, today=TODAY)
    assert state_counts(rows) == {"not_eligible": 0, "due": 0, "overdue": 1, "up_to_date": 0}


def test_agency_worklist_filters(world: World) -> None:
    old = _youth(world, date_of_birth=dt.date(2009, 1, 1), intake_on=dt.date(2026, 3, 1))
    young = _youth(world, date_of_birth=dt.date(2014, 1, 1), intake_on=dt.date(2026, 1, 5))
    intake_assign(intake=young.intakes.get(), by=world.supervisor, assigned_to=world.screener)

    def ids(**filters: Any) -> set[int]:
        rows = agency_worklist(
            user=world.supervisor, agency_id=world.agency_a.pk, today=TODAY, **filters
        )
        return {row.youth_id for row in rows}

    assert ids(state="overdue") == {young.pk}
    assert ids(state="due") == {old.pk}
    assert ids(age_band="16_17") == {old.pk}
    assert ids(age_band="10_13") == {young.pk}
    assert ids(assigned_to_id=world.screener.pk) == {young.pk}
    assert ids(unassigned=True) == {old.pk}
    with pytest.raises(ValueError):
        ids(state="late")
    with pytest.raises(ValueError):
        ids(age_band="teen")


def test_policy_history_and_the_policy_in_force(world: World) -> None:
    assert policy_in_force(world.agency_a, on=TODAY).pk is None  # the CSE-IT defaults
    assert policy_in_force(world.agency_a, on=TODAY).instrument_id == "cse-it-2.0"
    hotline = factories.agency(name="County Hotline", type=AgencyType.HOTLINE)
    assert policy_in_force(hotline, on=TODAY).instrument_id == "cse-it-brief"

    first = policy_create(
        agency=world.agency_a, by=world.agency_admin, effective_from=TODAY, rescreen_months=3
    )
    later = policy_create(
        agency=world.agency_a,
        by=world.agency_admin,
        effective_from=dt.date(2026, 6, 1),
        first_screen_days=14,
        reason="County directive",
    )
    assert policy_in_force(world.agency_a, on=TODAY) == first
    assert policy_in_force(world.agency_a, on=dt.date(2026, 6, 1)) == later
    # Settings not given carry over from the version in force.
    assert (later.rescreen_months, later.first_screen_days) == (3, 14)
    assert AuditEvent.objects.filter(object_type="screeningpolicy").count() == 2


def test_policy_applies_to_clocks_starting_on_or_after_its_date(world: World) -> None:
    before = _youth(world, intake_on=dt.date(2026, 3, 1))
    policy_create(
        agency=world.agency_a, by=world.agency_admin, effective_from=TODAY, first_screen_days=14
    )
    today_intake = _youth(world, intake_on=TODAY)
    assert _row(before).due_on == dt.date(2026, 3, 31)
    assert _row(today_intake).due_on == dt.date(2026, 3, 24)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"effective_from": dt.date(2026, 3, 9)}, "effective_from", errors.POLICY_RETROACTIVE),
        ({"min_age": "ten"}, "min_age", errors.NOT_A_WHOLE_NUMBER),
        ({"min_age": 40}, "min_age", errors.OUT_OF_RANGE.format(low=0, high=25)),
        ({"rescreen_months": 0}, "rescreen_months", errors.OUT_OF_RANGE.format(low=1, high=36)),
        (
            {"include_high_risk_under_min_age": "yes"},
            "include_high_risk_under_min_age",
            errors.NOT_YES_NO,
        ),
        ({"instrument_id": "phq-9"}, "instrument_id", errors.UNKNOWN_INSTRUMENT),
        ({"colour": "red"}, "colour", errors.UNKNOWN_FIELD),
    ],
)
def test_bad_policy_input_is_refused_and_writes_nothing(
    world: World, changes: dict[str, Any], field: str, message: str
) -> None:
    arguments = {"effective_from": TODAY, **changes}
    with pytest.raises(SchedulingError) as caught:
        policy_create(agency=world.agency_a, by=world.agency_admin, **arguments)
    assert (caught.value.field, caught.value.message) == (field, message)
    assert not ScreeningPolicy.objects.exists()


def test_only_agency_admins_change_the_policy(world: World) -> None:
    for person in (world.supervisor, world.screener, world.analyst):
        with pytest.raises(PermissionDenied):
            policy_create(agency=world.agency_a, by=person, effective_from=TODAY)
    other_admin = factories.member(world.agency_b, Role.AGENCY_ADMIN, username="admin-b")
    with pytest.raises(PermissionDenied):
        policy_create(agency=world.agency_a, by=other_admin, effective_from=TODAY)
    assert not ScreeningPolicy.objects.exists()


def test_bulk_refresh_rebuilds_missing_rows(world: World) -> None:
    youth = _youth(world, intake_on=dt.date(2026, 1, 5))
    IntakeSchedule.objects.all().delete()
    done: list[int] = []
    assert schedule_refresh(batch_size=1, progress=done.append) == 1
    assert done == [1]
    assert _row(youth).due_on == dt.date(2026, 2, 4)
