from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from sightline.tenancy.access import agency_ids_visible_to
from sightline.tenancy.models import Membership, Role
from sightline.tenancy.permissions import (
    ROLE_PERMISSIONS,
    Permission,
    has_permission,
    permissions_anywhere,
    permitted_agency_ids,
)
from sightline.tenancy.selectors import casework_agencies, current_training, staff_of
from tests import factories
from tests.conftest import World


def test_permission_checker_rejects_a_misspelt_permission(world: World) -> None:
    with pytest.raises(TypeError):
        list(agency_ids_visible_to(world.screener, "youth_view"))  # type: ignore[arg-type]


@pytest.mark.parametrize("role", list(Role))
def test_lazy_and_listed_agency_ids_agree_for_every_role(world: World, role: Role) -> None:
    person = factories.member(world.agency_a, role)
    for perm in Permission:
        listed = list(agency_ids_visible_to(person, perm))
        assert sorted(permitted_agency_ids(person, perm)) == sorted(listed)
        assert listed == ([world.agency_a.pk] if perm in ROLE_PERMISSIONS[role] else [])
        assert has_permission(person, perm, agency=world.agency_a) is bool(listed)


def test_permissions_anywhere_is_the_union_of_the_agencies_permissions(world: World) -> None:
    both = factories.member(world.agency_a, Role.ANALYST)
    Membership.objects.create(user=both, agency=world.agency_b, role=Role.SCREENER)
    for perm in Permission:
        assert (perm in permissions_anywhere(both)) is bool(list(agency_ids_visible_to(both, perm)))
    assert (
        permissions_anywhere(both)
        == ROLE_PERMISSIONS[Role.ANALYST] | ROLE_PERMISSIONS[Role.SCREENER]
    )

    Membership.objects.filter(user=both, agency=world.agency_b).update(active=False)
    assert permissions_anywhere(both) == ROLE_PERMISSIONS[Role.ANALYST]
    world.agency_a.active = False
    world.agency_a.save()
    assert permissions_anywhere(both) == frozenset()


def test_casework_agencies_are_those_with_youth_edit(world: World) -> None:
    assert casework_agencies(world.screener) == [world.agency_a]
    assert casework_agencies(world.supervisor) == [world.agency_a]
    assert casework_agencies(world.outsider) == [world.agency_b]
    for person in (world.agency_admin, world.analyst, world.researcher, world.system_admin):
        assert casework_agencies(person) == []


def test_casework_agencies_skip_inactive_agency_membership_and_user(world: World) -> None:
    both = factories.member(world.agency_a)
    Membership.objects.create(user=both, agency=world.agency_b, role=Role.SCREENER)
    assert casework_agencies(both) == [world.agency_b, world.agency_a]  # ordered by name

    Membership.objects.filter(user=both, agency=world.agency_b).update(active=False)
    assert casework_agencies(both) == [world.agency_a]

    world.agency_a.active = False
    world.agency_a.save()
    assert casework_agencies(both) == []
    assert casework_agencies(world.screener) == []

    world.outsider.is_active = False
    world.outsider.save()
    assert casework_agencies(world.outsider) == []


def test_current_training_is_the_latest_record_current_that_day(world: World) -> None:
    person = factories.member(world.agency_a)
    old = factories.training(
        person, trained_on=dt.date(2020, 1, 1), expires_on=dt.date(2022, 12, 31)
    )
    new = factories.training(person, trained_on=dt.date(2022, 6, 1))
    factories.training(person, instrument_id="cse-it-brief", trained_on=dt.date(2019, 1, 1))

    def on(day: dt.date) -> object:
        return current_training(user=person, instrument_id="cse-it-2.0", on=day)

    assert on(dt.date(2019, 12, 31)) is None  # before any training
    assert on(dt.date(2020, 1, 1)) == old  # first day counts
    assert on(dt.date(2022, 5, 31)) == old
    assert on(dt.date(2022, 6, 1)) == new  # the later training wins while both are current
    assert on(dt.date(2030, 1, 1)) == new  # no expiry
    assert current_training(user=person, instrument_id="cse-it-3.0", on=dt.date(2025, 1, 1)) is None


def test_current_training_ends_after_the_expiry_day(world: World) -> None:
    person = factories.member(world.agency_a)
    record = factories.training(
        person, trained_on=dt.date(2024, 1, 1), expires_on=dt.date(2025, 1, 1)
    )
    assert (
        current_training(user=person, instrument_id="cse-it-2.0", on=dt.date(2025, 1, 1)) == record
    )
    assert current_training(user=person, instrument_id="cse-it-2.0", on=dt.date(2025, 1, 2)) is None


def test_current_training_is_per_person(world: World) -> None:
    assert (
        current_training(user=world.analyst, instrument_id="cse-it-2.0", on=dt.date(2025, 1, 1))
        is None
    )
    assert current_training(user=world.screener, instrument_id="cse-it-2.0", on=dt.date(2025, 1, 1))


def test_staff_of_lists_every_membership_for_the_agency_admin(world: World) -> None:
    Membership.objects.filter(user=world.analyst).update(active=False)
    staff = list(staff_of(user=world.agency_admin, agency=world.agency_a))
    assert {m.user for m in staff} == {
        world.screener,
        world.supervisor,
        world.agency_admin,
        world.analyst,
        world.researcher,
        world.system_admin,
    }
    assert staff[-1].user == world.analyst  # inactive last
    assert world.outsider not in {m.user for m in staff}


@pytest.mark.parametrize(
    "persona", ["screener", "supervisor", "analyst", "researcher", "system_admin", "outsider"]
)
def test_staff_of_is_refused_to_everyone_else(world: World, persona: str) -> None:
    """403 for the agency's own people without the role; 404 for the outsider."""
    with pytest.raises(Http404 if persona == "outsider" else PermissionDenied):
        staff_of(user=getattr(world, persona), agency=world.agency_a)


def test_staff_of_is_404_for_another_agency(world: World) -> None:
    with pytest.raises(Http404):
        staff_of(user=world.agency_admin, agency=world.agency_b)


def test_staff_of_is_a_constant_number_of_queries(
    world: World, django_assert_num_queries: object
) -> None:
    for _ in range(5):
        factories.member(world.agency_a)
    with django_assert_num_queries(2):  # type: ignore[operator]
        names = [str(m) for m in staff_of(user=world.agency_admin, agency=world.agency_a)]
    assert len(names) == 11
