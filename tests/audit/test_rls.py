"""Row-level security, the second wall: as a non-owner database role, with the application's own
agency filter switched off, not one row of another agency comes back (PostgreSQL only)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from sightline.screenings.services import followup_create
from sightline.tenancy import access
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row-level security is PostgreSQL's"
)

TABLES = [
    "youth_youth",
    "youth_intakeepisode",
    "screenings_screening",
    "screenings_followupaction",
    "scheduling_intakeschedule",
    "scheduling_rescreendue",
]


def _sql(statement: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return list(cursor.fetchall()) if cursor.description else []


@pytest.fixture
def both_agencies(world: World) -> None:
    for agency, screener in ((world.agency_a, world.screener), (world.agency_b, world.outsider)):
        youth = factories.registered_youth(agency, by=screener, intake_on=dt.date(2026, 1, 5))
        final = factories.finalized_screening(youth, by=screener, screened_on=dt.date(2026, 2, 2))
        followup_create(
            screening=final,
            by=screener,
            kind="referral",
            owner=screener,
            due_on=dt.date(2026, 3, 1),
        )
    for table in TABLES:
        agencies = {row[0] for row in _sql(f"SELECT DISTINCT agency_id FROM {table}")}
        assert agencies == {world.agency_a.pk, world.agency_b.pk}, table  # both have rows


@pytest.fixture
def app_role(both_agencies: None, settings: Any) -> str:
    """A non-owner role like production's, for the rest of this test's transaction."""
    settings.SIGHTLINE_ROW_LEVEL_SECURITY = True
    role = f"sl_audit_rls_{uuid.uuid4().hex[:8]}"
    _sql(f"CREATE ROLE {role} NOLOGIN")
    _sql(f"GRANT USAGE ON SCHEMA public TO {role}")
    _sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
    _sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    _sql(f"SET LOCAL ROLE {role}")
    return role


def test_a_non_owner_role_sees_only_the_agencies_set_for_it(world: World, app_role: str) -> None:
    _sql("SELECT set_config('app.agency_ids', %s, true)", [str(world.agency_a.pk)])
    for table in TABLES:
        agencies = {row[0] for row in _sql(f"SELECT agency_id FROM {table}")}
        assert agencies == {world.agency_a.pk}, table
        foreign = _sql(f"SELECT count(*) FROM {table} WHERE agency_id = %s", [world.agency_b.pk])
        assert foreign == [(0,)], table


def test_no_agency_set_is_no_row_at_all(world: World, app_role: str) -> None:
    _sql("SELECT set_config('app.agency_ids', '', true)")
    for table in TABLES:
        assert _sql(f"SELECT count(*) FROM {table}") == [(0,)], table


def test_a_non_owner_role_cannot_write_into_another_agency(world: World, app_role: str) -> None:
    from django.db.utils import ProgrammingError

    _sql("SELECT set_config('app.agency_ids', %s, true)", [str(world.agency_a.pk)])
    # Rows of agency B are invisible, so an UPDATE aimed at them changes nothing ...
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE youth_intakeepisode SET program = 'x' WHERE agency_id = %s",
            [world.agency_b.pk],
        )
        assert cursor.rowcount == 0
    # ... and moving an own row into agency B is refused by the policy's check.
    with pytest.raises(ProgrammingError, match="row-level security"):
        _sql("UPDATE youth_intakeepisode SET agency_id = %s", [world.agency_b.pk])


def test_with_the_app_filter_switched_off_pages_show_no_foreign_row(
    world: World, app_role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The access layer's agency filter removed: the outsider (agency B) lists youth and opens
    agency A's youth by id; the database alone keeps agency A's rows out."""
    monkeypatch.setattr(access, "scoped", lambda queryset, *, user, permission: queryset)
    own = _sql("SELECT id FROM youth_youth")  # under no setting yet: none visible
    assert own == []
    client = Client()
    client.force_login(world.outsider)
    _sql("RESET ROLE")
    a_ids = [
        r[0] for r in _sql("SELECT id FROM youth_youth WHERE agency_id = %s", [world.agency_a.pk])
    ]
    b_ids = [
        r[0] for r in _sql("SELECT id FROM youth_youth WHERE agency_id = %s", [world.agency_b.pk])
    ]
    # Control: as the owner (no row-level security) the filter is really off: A's youth show.
    control = client.get(reverse("web:youth-list")).content.decode()
    assert all(reverse("web:youth-detail", args=[y]) in control for y in a_ids)
    _sql(f"SET LOCAL ROLE {app_role}")
    listing = client.get(reverse("web:youth-list"))
    assert listing.status_code == 200
    body = listing.content.decode()
    for youth_id in b_ids:
        assert reverse("web:youth-detail", args=[youth_id]) in body
    for youth_id in a_ids:
        assert reverse("web:youth-detail", args=[youth_id]) not in body
        assert client.get(reverse("web:youth-detail", args=[youth_id])).status_code == 404


def test_the_owner_role_is_not_limited(world: World, both_agencies: None) -> None:
    """The migrating owner bypasses the policies (no FORCE): the app and the suite keep working."""
    _sql("SELECT set_config('app.agency_ids', '', true)")
    for table in TABLES:
        assert len({row[0] for row in _sql(f"SELECT agency_id FROM {table}")}) == 2, table
