"""The authentication backend reads a person's roles with them: one statement fewer per request, the
same access answers, and no stale roles (inactive memberships and agencies left out, a change within
the request read again)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sightline.tenancy import permissions
from sightline.tenancy.backends import RolesBackend
from sightline.tenancy.models import Membership, Role
from sightline.tenancy.permissions import Permission, grants_per_request
from tests import factories
from tests.conftest import World


def test_the_user_and_their_roles_come_in_one_query(world: World) -> None:
    factories.member(world.agency_b, Role.ANALYST, username="two-hats").memberships.create(
        agency=world.agency_a, role=Role.SUPERVISOR
    )
    person = Membership.objects.get(role=Role.ANALYST, agency=world.agency_b).user
    with grants_per_request(), CaptureQueriesContext(connection) as queries:
        loaded = RolesBackend().get_user(person.pk)
        assert loaded is not None
        overview = list(permissions.permitted_agency_ids(loaded, Permission.AGENCY_OVERVIEW))
        aggregate = sorted(permissions.permitted_agency_ids(loaded, Permission.AGGREGATE_VIEW))
    assert len(queries) == 1
    assert overview == [world.agency_a.pk]
    assert aggregate == sorted([world.agency_a.pk, world.agency_b.pk])


def test_inactive_memberships_and_agencies_grant_nothing(world: World) -> None:
    person = factories.member(world.agency_b, Role.SCREENER, username="leaver")
    person.memberships.create(agency=world.agency_a, role=Role.SUPERVISOR, active=False)
    world.agency_b.active = False
    world.agency_b.save(update_fields=["active"])
    with grants_per_request():
        loaded = RolesBackend().get_user(person.pk)
        assert loaded is not None
        assert list(permissions.permitted_agency_ids(loaded, Permission.SCREENING_EDIT)) == []
        assert list(permissions.permitted_agency_ids(loaded, Permission.AGENCY_OVERVIEW)) == []


def test_a_role_removed_within_the_request_is_read_again(world: World) -> None:
    with grants_per_request():
        loaded = RolesBackend().get_user(world.supervisor.pk)
        assert loaded is not None
        assert permissions.has_permission(loaded, Permission.AGENCY_OVERVIEW, agency=world.agency_a)
        Membership.objects.filter(user=world.supervisor).update(active=False)
        permissions.forget_grants()
        assert not permissions.has_permission(
            loaded, Permission.AGENCY_OVERVIEW, agency=world.agency_a
        )


def test_outside_a_request_the_loaded_roles_are_not_trusted(world: World) -> None:
    loaded = RolesBackend().get_user(world.supervisor.pk)
    assert loaded is not None
    Membership.objects.filter(user=world.supervisor).update(active=False)
    assert not permissions.has_permission(loaded, Permission.AGENCY_OVERVIEW, agency=world.agency_a)


def test_an_inactive_person_is_not_loaded(world: World) -> None:
    world.screener.is_active = False
    world.screener.save(update_fields=["is_active"])
    assert RolesBackend().get_user(world.screener.pk) is None
    assert RolesBackend().get_user(10**9) is None


def test_a_signed_in_page_reads_no_roles_beyond_the_users_statement(world: World, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.supervisor)
    client.get("/")  # the first request after sign-in may write the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    statements = [q["sql"] for q in queries]
    user_reads = [sql for sql in statements if sql.startswith('SELECT "tenancy_user"."id"')]
    assert len(user_reads) == 1 and 'FROM "tenancy_membership"' in user_reads[0]
    role_reads = [
        sql
        for sql in statements
        if sql.startswith(
            'SELECT "tenancy_membership"."agency_id" AS "agency_id", "tenancy_membership"."role"'
        )
    ]
    assert role_reads == []


def test_an_api_token_brings_its_owners_roles_in_the_same_query(world: World) -> None:
    from sightline.apitokens.services import token_authenticate, token_create

    issued = token_create(
        by=world.supervisor,
        name="case system",
        agency_ids=[world.agency_a.pk],
        permissions=[Permission.AGENCY_OVERVIEW],
    )
    token_authenticate(issued.secret)  # the first use records itself (one UPDATE a minute)
    with grants_per_request(), CaptureQueriesContext(connection) as queries:
        token = token_authenticate(issued.secret)
        assert token is not None
        overview = list(permissions.permitted_agency_ids(token.owner, Permission.AGENCY_OVERVIEW))
    assert len(queries) == 1
    assert overview == [world.agency_a.pk]
