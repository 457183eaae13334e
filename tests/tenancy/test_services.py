from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from sightline.audit.context import AuditContext
from sightline.audit.models import AuditAction, AuditEvent
from sightline.tenancy import errors
from sightline.tenancy.errors import TenancyError
from sightline.tenancy.models import Membership, Role, TrainingRecord
from sightline.tenancy.services import membership_create, training_record_create
from tests import factories
from tests.conftest import World

pytestmark = pytest.mark.usefixtures("installed_instruments")

TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _today() -> object:
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC), tick=False) as traveller:
        yield traveller


def _training(world: World, **overrides: object) -> TrainingRecord:
    values: dict[str, object] = {
        "by": world.agency_admin,
        "agency": world.agency_a,
        "user": world.analyst,
        "instrument_id": "cse-it-brief",
        "trained_on": dt.date(2026, 2, 1),
        "trainer": "  Dana Trainer ",
        "expires_on": dt.date(2028, 2, 1),
    }
    values.update(overrides)
    return training_record_create(**values)  # type: ignore[arg-type]


def test_agency_admin_records_training_and_it_is_audited(world: World) -> None:
    request = RequestFactory().post("/staff/1/training", REMOTE_ADDR="10.1.2.3")
    record = _training(world, context=AuditContext.from_request(request))

    assert record.user == world.analyst
    assert record.recorded_by == world.agency_admin
    assert record.trainer == "Dana Trainer"
    event = AuditEvent.objects.get()
    assert (event.action, event.object_type, event.object_id) == (
        AuditAction.CREATE,
        "trainingrecord",
        str(record.pk),
    )
    assert event.actor == world.agency_admin
    assert event.agency == world.agency_a
    assert event.youth_id is None
    assert event.ip_address == "10.1.2.3"
    assert event.detail == {"user_id": world.analyst.pk, "instrument_id": "cse-it-brief"}


def test_training_may_have_no_expiry_and_may_expire_the_same_day(world: World) -> None:
    assert _training(world, expires_on=None).expires_on is None
    assert _training(world, expires_on=dt.date(2026, 2, 1)).expires_on == dt.date(2026, 2, 1)


def _assert_nothing_written() -> None:
    assert not TrainingRecord.objects.filter(user__username="analyst").exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    "persona", ["screener", "supervisor", "analyst", "researcher", "system_admin", "outsider"]
)
def test_only_an_agency_admin_records_training(world: World, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        _training(world, by=getattr(world, persona))
    _assert_nothing_written()


def test_agency_admin_cannot_record_training_at_another_agency(world: World) -> None:
    with pytest.raises(PermissionDenied):
        _training(world, agency=world.agency_b, user=world.outsider)
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message", "field"),
    [
        ({"instrument_id": "cse-it-9"}, errors.UNKNOWN_INSTRUMENT, "instrument_id"),
        ({"expires_on": dt.date(2026, 1, 31)}, errors.EXPIRES_BEFORE_TRAINED, "expires_on"),
        ({"trained_on": dt.date(2026, 3, 11)}, errors.TRAINED_IN_FUTURE, "trained_on"),
        ({"trained_on": "2026-02-01"}, errors.NOT_A_DATE, "trained_on"),
        ({"trained_on": dt.datetime(2026, 2, 1, tzinfo=dt.UTC)}, errors.NOT_A_DATE, "trained_on"),
        ({"expires_on": "2027-01-01"}, errors.NOT_A_DATE, "expires_on"),
        ({"trainer": "   "}, errors.TRAINER_REQUIRED, "trainer"),
        ({"trainer": None}, errors.TRAINER_REQUIRED, "trainer"),
        ({"trainer": "x" * 201}, errors.TRAINER_TOO_LONG, "trainer"),
    ],
)
def test_training_validation(
    world: World, overrides: dict[str, object], message: str, field: str
) -> None:
    with pytest.raises(TenancyError) as caught:
        _training(world, **overrides)
    assert (caught.value.message, caught.value.field) == (message, field)
    _assert_nothing_written()


def test_training_today_is_allowed(world: World) -> None:
    assert _training(world, trained_on=TODAY, expires_on=None).trained_on == TODAY


def test_training_needs_an_active_member_of_the_agency(world: World) -> None:
    with pytest.raises(TenancyError, match=errors.NOT_AN_ACTIVE_MEMBER):
        _training(world, user=world.outsider)
    Membership.objects.filter(user=world.analyst).update(active=False)
    with pytest.raises(TenancyError, match=errors.NOT_AN_ACTIVE_MEMBER):
        _training(world)
    _assert_nothing_written()


def test_training_needs_an_active_user(world: World) -> None:
    world.analyst.is_active = False
    world.analyst.save()
    with pytest.raises(TenancyError, match=errors.NOT_AN_ACTIVE_MEMBER):
        _training(world)
    _assert_nothing_written()


def test_agency_admin_adds_a_member_and_it_is_audited(world: World) -> None:
    newcomer = factories.user(username="newcomer")
    membership = membership_create(
        by=world.agency_admin,
        agency=world.agency_a,
        user=newcomer,
        role=Role.SCREENER,
        screener_role="clinician",
    )
    assert (membership.role, membership.screener_role, membership.active) == (
        "screener",
        "clinician",
        True,
    )
    event = AuditEvent.objects.get()
    assert (event.action, event.object_type, event.actor, event.agency) == (
        AuditAction.CREATE,
        "membership",
        world.agency_admin,
        world.agency_a,
    )
    assert event.detail == {"user_id": newcomer.pk, "role": "screener"}


def test_a_person_may_belong_to_two_agencies(world: World) -> None:
    admin_b = factories.member(world.agency_b, Role.AGENCY_ADMIN, username="admin_b")
    membership_create(by=admin_b, agency=world.agency_b, user=world.screener, role=Role.SUPERVISOR)
    assert world.screener.memberships.count() == 2


@pytest.mark.parametrize(
    "persona", ["screener", "supervisor", "analyst", "researcher", "system_admin", "outsider"]
)
def test_only_an_agency_admin_adds_members(world: World, persona: str) -> None:
    newcomer = factories.user()
    with pytest.raises(PermissionDenied):
        membership_create(
            by=getattr(world, persona), agency=world.agency_a, user=newcomer, role=Role.SCREENER
        )
    assert not newcomer.memberships.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("role", "screener_role", "message"),
    [
        ("boss", "", errors.UNKNOWN_ROLE),
        (Role.SYSTEM_ADMIN, "", errors.ROLE_NOT_GRANTABLE),
        (Role.SCREENER, "astronaut", errors.UNKNOWN_SCREENER_ROLE),
    ],
)
def test_membership_validation(world: World, role: str, screener_role: str, message: str) -> None:
    newcomer = factories.user()
    with pytest.raises(TenancyError, match=message):
        membership_create(
            by=world.agency_admin,
            agency=world.agency_a,
            user=newcomer,
            role=role,
            screener_role=screener_role,
        )
    assert not newcomer.memberships.exists()
    assert not AuditEvent.objects.exists()


def test_membership_is_refused_for_an_existing_or_inactive_member(world: World) -> None:
    Membership.objects.filter(user=world.analyst).update(active=False)
    for person in (world.screener, world.analyst):
        with pytest.raises(TenancyError, match=errors.ALREADY_A_MEMBER):
            membership_create(
                by=world.agency_admin, agency=world.agency_a, user=person, role=Role.SUPERVISOR
            )
    assert not AuditEvent.objects.exists()


def test_membership_is_refused_for_a_deactivated_account(world: World) -> None:
    newcomer = factories.user(is_active=False)
    with pytest.raises(TenancyError, match=errors.USER_INACTIVE):
        membership_create(
            by=world.agency_admin, agency=world.agency_a, user=newcomer, role=Role.SCREENER
        )
    assert not AuditEvent.objects.exists()


def test_users_without_an_email_do_not_collide(db: None) -> None:
    from sightline.tenancy.models import User

    first = User.objects.create_user(username="no-mail-1", password="x")
    second = User.objects.create_user(username="no-mail-2", password="x")
    assert first.email is None and second.email is None
