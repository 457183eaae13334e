"""Agency administration services (`administration.people`): invite, roles, deactivate, re-training."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.utils import timezone

from sightline.administration import people
from sightline.apitokens.models import ApiToken
from sightline.audit.models import AuditAction, AuditEvent
from sightline.security.invitations import invitation_tokens
from sightline.security.models import AccountSession
from sightline.tenancy import access, errors
from sightline.tenancy.errors import TenancyError
from sightline.tenancy.models import Membership, Role, User
from sightline.tenancy.selectors import current_training
from sightline.tenancy.services import training_record_create
from tests import factories
from tests.conftest import World


def _membership(user: User, agency: object) -> Membership:
    return Membership.objects.get(user=user, agency=agency)


def test_an_invitation_makes_an_account_without_password_and_mails_a_single_use_link(
    world: World,
) -> None:
    membership = people.person_invite(
        by=world.agency_admin,
        agency=world.agency_a,
        email="New.Person@Example.org",
        first_name="Nia",
        last_name="Okafor",
        role=Role.SCREENER,
    )
    person = membership.user
    assert (membership.agency, membership.role, membership.active) == (
        world.agency_a,
        Role.SCREENER,
        True,
    )
    assert person.email == "new.person@example.org" and not person.has_usable_password()
    assert people.is_invited(person)
    [message] = mail.outbox
    assert message.to == ["new.person@example.org"] and "Harbor Child Welfare" in message.body
    token = re.search(r"/accounts/invitation/[^/]+/([^/\s]+)/", message.body).group(1)
    assert invitation_tokens.check_token(person, token)
    # Its own salt: a password-reset token is not an invitation, nor the other way round.
    assert not default_token_generator.check_token(person, token)
    person.set_password("a long and new passphrase 42")
    person.save()
    assert not invitation_tokens.check_token(person, token)  # single use
    event = AuditEvent.objects.get(object_type="membership", object_id=str(membership.pk))
    assert (event.action, event.actor, event.detail["event"]) == (
        AuditAction.CREATE,
        world.agency_admin,
        "invited",
    )


def test_an_invitation_link_expires(world: World, settings: object, monkeypatch) -> None:
    settings.SIGHTLINE_INVITATION_TIMEOUT = 3600  # type: ignore[attr-defined]
    membership = people.person_invite(
        by=world.agency_admin, agency=world.agency_a, email="late@example.org", role=Role.SCREENER
    )
    token = invitation_tokens.make_token(membership.user)
    later = invitation_tokens._now() + dt.timedelta(hours=2)
    monkeypatch.setattr(invitation_tokens, "_now", lambda: later)
    assert not invitation_tokens.check_token(membership.user, token)


def test_inviting_an_existing_account_adds_a_membership_without_a_new_password(
    world: World,
) -> None:
    membership = people.person_invite(
        by=world.agency_admin, agency=world.agency_a, email=world.outsider.email, role="supervisor"
    )
    assert membership.user == world.outsider and world.outsider.has_usable_password()
    assert "/accounts/invitation/" not in mail.outbox[0].body
    with pytest.raises(TenancyError) as refused:
        people.person_invite(
            by=world.agency_admin, agency=world.agency_a, email=world.outsider.email, role="analyst"
        )
    assert refused.value.code == errors.ALREADY_A_MEMBER


@pytest.mark.parametrize(
    ("email", "role", "code"),
    [
        ("", Role.SCREENER, errors.EMAIL_REQUIRED),
        ("not-an-address", Role.SCREENER, errors.EMAIL_INVALID),
        ("x@example.org", Role.SYSTEM_ADMIN, errors.ROLE_NOT_GRANTABLE),
        ("x@example.org", "overlord", errors.UNKNOWN_ROLE),
    ],
)
def test_an_invitation_with_bad_input_is_refused_and_writes_nothing(
    world: World, email: str, role: str, code: str
) -> None:
    users = User.objects.count()
    with pytest.raises(TenancyError) as refused:
        people.person_invite(by=world.agency_admin, agency=world.agency_a, email=email, role=role)
    assert refused.value.code == code
    assert User.objects.count() == users and mail.outbox == []


@pytest.mark.parametrize("persona", ["screener", "supervisor", "analyst", "researcher"])
def test_only_an_agency_admin_invites(world: World, persona: str) -> None:
    with pytest.raises(access.Forbidden):
        people.person_invite(
            by=getattr(world, persona),
            agency=world.agency_a,
            email="x@example.org",
            role=Role.SCREENER,
        )


def test_an_admin_of_another_agency_cannot_grant_here(world: World) -> None:
    admin_b = factories.member(world.agency_b, Role.AGENCY_ADMIN, username="admin_b")
    with pytest.raises(access.Forbidden):
        people.person_invite(
            by=admin_b, agency=world.agency_a, email="x@example.org", role=Role.AGENCY_ADMIN
        )
    with pytest.raises(access.NotFound):
        people.membership_for_admin(
            user=admin_b,
            agency=world.agency_a,
            membership_id=_membership(world.screener, world.agency_a).pk,
        )
    # Nor by naming a membership of agency A under agency B's address.
    with pytest.raises(access.NotFound):
        people.membership_for_admin(
            user=admin_b,
            agency=world.agency_b,
            membership_id=_membership(world.screener, world.agency_a).pk,
        )


def test_roles_are_given_and_removed_with_an_audit_event_each(world: World) -> None:
    membership = _membership(world.screener, world.agency_a)
    people.role_set(by=world.agency_admin, membership=membership, role=Role.SUPERVISOR)
    membership.refresh_from_db()
    assert membership.role == Role.SUPERVISOR
    people.membership_end(by=world.agency_admin, membership=membership)
    membership.refresh_from_db()
    assert not membership.active
    # A role given again starts the ended membership again.
    people.role_set(by=world.agency_admin, membership=membership, role=Role.SCREENER)
    membership.refresh_from_db()
    assert (membership.active, membership.role) == (True, Role.SCREENER)
    events = list(
        AuditEvent.objects.filter(object_type="membership", object_id=str(membership.pk))
        .order_by("id")
        .values_list("action", "detail__event")
    )
    assert events == [
        (AuditAction.GRANT, "role_set"),
        (AuditAction.CHANGE, "membership_ended"),
        (AuditAction.GRANT, "role_set"),
    ]


def test_no_one_changes_their_own_membership_or_gives_system_admin(world: World) -> None:
    own = _membership(world.agency_admin, world.agency_a)
    for change in (
        lambda: people.role_set(by=world.agency_admin, membership=own, role=Role.SUPERVISOR),
        lambda: people.membership_end(by=world.agency_admin, membership=own),
        lambda: people.person_deactivate(by=world.agency_admin, membership=own),
    ):
        with pytest.raises(access.Forbidden) as refused:
            change()
        assert str(refused.value) == errors.NOT_YOURSELF
    with pytest.raises(TenancyError) as refused_role:
        people.role_set(
            by=world.agency_admin,
            membership=_membership(world.screener, world.agency_a),
            role=Role.SYSTEM_ADMIN,
        )
    assert refused_role.value.code == errors.ROLE_NOT_GRANTABLE
    # The system admin's own membership is left to the admin site.
    with pytest.raises(access.Forbidden):
        people.membership_end(
            by=world.agency_admin, membership=_membership(world.system_admin, world.agency_a)
        )


def test_deactivation_ends_sessions_and_revokes_tokens(world: World, client) -> None:
    client.force_login(world.screener)
    assert AccountSession.objects.filter(user=world.screener).exists()
    token = ApiToken.objects.create(
        owner=world.screener,
        name="case system",
        prefix="sl_test",
        digest="d" * 64,
        agency_ids=[world.agency_a.pk],
        permissions=["youth_view"],
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    people.person_deactivate(
        by=world.agency_admin, membership=_membership(world.screener, world.agency_a)
    )
    world.screener.refresh_from_db()
    token.refresh_from_db()
    assert not world.screener.is_active and token.revoked_at is not None
    assert not AccountSession.objects.filter(user=world.screener).exists()
    assert client.get("/youth/").status_code == 302  # signed out
    event = AuditEvent.objects.get(object_type="user", detail__event="deactivated")
    assert (event.detail["sessions_ended"], event.detail["tokens_revoked"]) == (1, 1)


def test_a_person_who_also_works_elsewhere_is_not_deactivated_by_one_agency(world: World) -> None:
    Membership.objects.create(user=world.screener, agency=world.agency_b, role=Role.SCREENER)
    with pytest.raises(TenancyError) as refused:
        people.person_deactivate(
            by=world.agency_admin, membership=_membership(world.screener, world.agency_a)
        )
    assert refused.value.code == errors.OTHER_AGENCIES
    world.screener.refresh_from_db()
    assert world.screener.is_active


def test_retraining_stops_finalizing_until_new_training_is_recorded(world: World) -> None:
    today = timezone.localdate()
    assert current_training(user=world.screener, instrument_id="cse-it-2.0", on=today)
    withdrawn = people.retraining_require(
        by=world.agency_admin,
        membership=_membership(world.screener, world.agency_a),
        instrument_id="cse-it-2.0",
    )
    assert withdrawn == 1
    assert current_training(user=world.screener, instrument_id="cse-it-2.0", on=today) is None
    # The other instrument, and the days before, are untouched.
    assert current_training(user=world.screener, instrument_id="cse-it-brief", on=today)
    assert current_training(
        user=world.screener, instrument_id="cse-it-2.0", on=today - dt.timedelta(days=1)
    )
    status_before = people.training_status(
        User.objects.prefetch_related("training_records").get(pk=world.supervisor.pk), today=today
    )
    assert status_before == "current"
    # Training dated before the day re-training was required does not count as re-training.
    with pytest.raises(TenancyError) as refused:
        training_record_create(
            by=world.agency_admin,
            agency=world.agency_a,
            user=world.screener,
            instrument_id="cse-it-2.0",
            trained_on=today - dt.timedelta(days=3),
            trainer="Trainer",
        )
    assert refused.value.field == "trained_on"
    training_record_create(
        by=world.agency_admin,
        agency=world.agency_a,
        user=world.screener,
        instrument_id="cse-it-2.0",
        trained_on=today,
        trainer="Trainer",
    )
    assert current_training(user=world.screener, instrument_id="cse-it-2.0", on=today)
    event = AuditEvent.objects.get(detail__event="retraining_required")
    assert event.detail["instruments"] == ["cse-it-2.0"]


def test_retraining_someone_without_current_training_is_refused(world: World) -> None:
    with pytest.raises(TenancyError) as refused:
        people.retraining_require(
            by=world.agency_admin, membership=_membership(world.analyst, world.agency_a)
        )
    assert refused.value.code == errors.NO_CURRENT_TRAINING


def test_people_search_matches_name_and_email_prefixes(world: World) -> None:
    world.screener.first_name, world.screener.last_name = "Søren", "Castellanos"
    world.screener.save()
    found = people.people_of(user=world.agency_admin, agency=world.agency_a, text="cast")
    assert [m.user for m in found] == [world.screener]
    assert people.people_of(user=world.agency_admin, agency=world.agency_a, text="zzz").count() == 0
    with pytest.raises(access.Forbidden):
        people.people_of(user=world.screener, agency=world.agency_a)
    with pytest.raises(access.NotFound):
        people.people_of(user=world.outsider, agency=world.agency_a)
