"""A written population has caseworkers and a schedule that keeps the default policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sightline.scheduling.bulk import schedule_rebuild
from sightline.scheduling.models import IntakeSchedule, RescreenDue
from sightline.scheduling.services import schedule_refresh
from sightline.synth import Population, SynthParams, generate
from sightline.synth.db import write_population
from sightline.tenancy.permissions import Permission, has_permission
from sightline.youth.models import IntakeEpisode

pytestmark = pytest.mark.django_db

SCHEDULE_COLUMNS = (
    "intake_id",
    "agency_id",
    "youth_id",
    "assigned_to_id",
    "program",
    "date_of_birth",
    "intake_on",
    "exit_on",
    "eligible_on",
    "kind",
    "due_on",
    "due_from",
    "basis",
    "last_final_on",
    "last_final_level",
    "first_due_on",
    "first_screened_on",
    "policy_id",
)
RESCREEN_COLUMNS = (
    "screening_id",
    "agency_id",
    "youth_id",
    "intake_id",
    "assigned_to_id",
    "program",
    "screened_on",
    "level",
    "due_on",
    "rescreened_on",
)


@pytest.fixture(scope="module")
def population() -> Population:
    return generate(SynthParams(seed=31, youth=400))


def _stored() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    return (
        sorted(IntakeSchedule.objects.values_list(*SCHEDULE_COLUMNS)),
        sorted(RescreenDue.objects.values_list(*RESCREEN_COLUMNS)),
    )


def test_assigned_screener_belongs_to_the_agency_and_may_screen(population: Any) -> None:
    write_population(population)
    intakes = IntakeEpisode.objects.select_related("assigned_to", "agency")
    assigned = [intake for intake in intakes if intake.assigned_to_id is not None]
    assert 0.9 * intakes.count() < len(assigned) < intakes.count()
    for intake in assigned:
        assert has_permission(intake.assigned_to, Permission.SCREENING_EDIT, agency=intake.agency)


def test_bulk_rebuild_writes_the_same_rows_as_the_refresh_service(population: Any) -> None:
    write_population(population)
    assert schedule_refresh() == len(population.tables["youth"]["id"])
    expected = _stored()
    assert expected[0] and expected[1]
    done: list[int] = []
    assert (
        schedule_rebuild(batch_size=150, progress=done.append)
        == sum(done)
        == len(population.tables["youth"]["id"])
    )
    assert _stored() == expected


def test_possible_concern_rescreens_fall_30_days_later(population: Any) -> None:
    write_population(population)
    schedule_rebuild()
    possible = RescreenDue.objects.filter(level="possible_concern")
    assert possible.exists()
    for row in possible:
        assert row.due_on == row.screened_on + dt.timedelta(days=30)
    # Kept policy: most possible-concern rescreens that were owed happened within two months.
    owed = possible.filter(intake__isnull=False, due_on__lte=population.params.end)
    soon = [
        row
        for row in owed
        if row.rescreened_on is not None and (row.rescreened_on - row.screened_on).days <= 60
    ]
    assert len(soon) > 0.6 * owed.count()
