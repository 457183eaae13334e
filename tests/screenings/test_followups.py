from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from sightline.audit.models import AuditAction, AuditEvent
from sightline.screenings import errors
from sightline.screenings.errors import ScreeningError, ScreeningStateError
from sightline.screenings.models import FollowUpAction, Screening
from sightline.screenings.selectors import (
    followup_for_user,
    followup_suggestions,
    followups_visible_to,
)
from sightline.screenings.services import followup_complete, followup_create
from sightline.tenancy.models import Membership, Role
from sightline.tenancy.permissions import ROLE_PERMISSIONS, Permission
from sightline.youth.models import Youth
from tests import factories
from tests.conftest import World
from tests.screenings.conftest import TODAY

SCREENED_ON = dt.date(2026, 2, 2)


@pytest.fixture
def final_a(world: World, youth_a: Youth) -> Screening:
    return factories.screening(
        youth_a, screener=world.screener, status="final", rating=2, screened_on=SCREENED_ON
    )


def _create(world: World, screening: Screening, **overrides: Any) -> FollowUpAction:
    values: dict[str, Any] = {
        "screening": screening,
        "by": world.supervisor,
        "kind": "referral",
        "owner": world.screener,
        "due_on": TODAY + dt.timedelta(days=7),
        "description": "  Refer to the CSEC advocate.  ",
    }
    values.update(overrides)
    return followup_create(**values)


def _nothing_written() -> None:
    assert not FollowUpAction.objects.exists()
    assert not AuditEvent.objects.exists()


# --- suggestions ---------------------------------------------------------------------------------------


def test_suggestions_are_the_levels_follow_up_steps(
    world: World, final_a: Screening, definition: Any
) -> None:
    level = next(lvl for lvl in definition.levels if lvl.code == final_a.level)
    assert followup_suggestions(final_a) == tuple(level.follow_up)
    assert followup_suggestions(final_a)  # the highest level always calls for something


def test_a_screening_without_a_level_suggests_nothing(world: World, youth_a: Youth) -> None:
    draft = factories.screening(youth_a, screener=world.screener, rating=None, level="")
    assert followup_suggestions(draft) == ()


# --- create --------------------------------------------------------------------------------------------


def test_create_records_the_action_and_audits(
    world: World, final_a: Screening, youth_a: Youth
) -> None:
    followup = _create(world, final_a)

    stored = FollowUpAction.objects.get(pk=followup.pk)
    assert (stored.screening, stored.agency, stored.kind) == (final_a, world.agency_a, "referral")
    assert (stored.owner, stored.created_by) == (world.screener, world.supervisor)
    assert stored.due_on == TODAY + dt.timedelta(days=7)
    assert stored.description == "Refer to the CSEC advocate."
    assert stored.completed_on is None
    [event] = AuditEvent.objects.all()
    assert (event.action, event.actor, event.object_type) == (
        AuditAction.CREATE,
        world.supervisor,
        "followupaction",
    )
    assert (event.agency_id, event.youth_id) == (world.agency_a.pk, youth_a.pk)
    assert event.detail == {"screening": final_a.pk, "kind": "referral"}


def test_create_on_a_draft_is_refused(world: World, youth_a: Youth) -> None:
    draft = factories.screening(youth_a, screener=world.screener)
    with pytest.raises(ScreeningStateError) as caught:
        _create(world, draft)
    assert caught.value.code == errors.SCREENING_NOT_FINAL
    _nothing_written()


@pytest.mark.parametrize("owner", ["outsider", "analyst", "agency_admin", "inactive", None])
def test_the_owner_must_be_an_active_caseworker_of_the_agency(
    world: World, final_a: Screening, owner: str | None
) -> None:
    person = None
    if owner == "inactive":
        person = factories.member(world.agency_a, Role.SCREENER)
        Membership.objects.filter(user=person).update(active=False)
    elif owner is not None:
        person = getattr(world, owner)
    with pytest.raises(ScreeningError) as caught:
        _create(world, final_a, owner=person)
    assert (caught.value.code, caught.value.field) == (errors.FOLLOWUP_OWNER_NOT_MEMBER, "owner")
    _nothing_written()


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"kind": "prayer"}, errors.UNKNOWN_FOLLOWUP_KIND),
        ({"due_on": "2026-04-01"}, errors.NOT_A_DATE),
        ({"due_on": SCREENED_ON - dt.timedelta(days=1)}, errors.FOLLOWUP_DUE_BEFORE_SCREENING),
        ({"description": "x" * 5001}, errors.TEXT_TOO_LONG),
    ],
)
def test_create_refuses_bad_input(
    world: World, final_a: Screening, overrides: dict[str, Any], code: str
) -> None:
    with pytest.raises(ScreeningError) as caught:
        _create(world, final_a, **overrides)
    assert caught.value.code == code
    _nothing_written()


@pytest.mark.parametrize("persona", ["outsider", "analyst", "researcher", "agency_admin"])
def test_create_by_someone_who_cannot_see_the_screening_is_404(
    world: World, final_a: Screening, persona: str
) -> None:
    with pytest.raises(Http404 if persona == "outsider" else PermissionDenied):
        _create(world, final_a, by=getattr(world, persona))
    _nothing_written()


def test_create_needs_followup_edit(
    world: World, final_a: Screening, monkeypatch: pytest.MonkeyPatch
) -> None:
    factories.set_role_permissions(
        monkeypatch,
        Role.SUPERVISOR,
        ROLE_PERMISSIONS[Role.SUPERVISOR] - {Permission.FOLLOWUP_EDIT},
    )
    with pytest.raises(PermissionDenied):
        _create(world, final_a)
    _nothing_written()


# --- complete ------------------------------------------------------------------------------------------


def test_complete_records_the_outcome_and_audits(world: World, final_a: Screening) -> None:
    followup = _create(world, final_a)
    done = followup_complete(
        followup=followup, by=world.screener, completed_on=TODAY, outcome=" Advocate assigned. "
    )
    stored = FollowUpAction.objects.get(pk=followup.pk)
    assert stored.completed_on == done.completed_on == TODAY
    assert stored.outcome == "Advocate assigned."
    event = AuditEvent.objects.order_by("pk").last()
    assert event is not None
    assert (event.action, event.actor, event.detail) == (
        AuditAction.CHANGE,
        world.screener,
        {"fields": ["completed_on", "outcome"]},
    )
    assert event.youth_id == final_a.youth_id


def test_a_completed_follow_up_stays_completed(world: World, final_a: Screening) -> None:
    followup = _create(world, final_a)
    followup_complete(followup=followup, by=world.screener, completed_on=TODAY, outcome="Done")
    events = AuditEvent.objects.count()
    with pytest.raises(ScreeningStateError) as caught:
        followup_complete(
            followup=followup, by=world.supervisor, completed_on=TODAY, outcome="Again"
        )
    assert caught.value.code == errors.FOLLOWUP_ALREADY_COMPLETE
    assert FollowUpAction.objects.get(pk=followup.pk).outcome == "Done"
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("completed_on", "outcome", "code"),
    [
        (TODAY + dt.timedelta(days=1), "Done", errors.FOLLOWUP_COMPLETED_IN_FUTURE),
        (SCREENED_ON - dt.timedelta(days=1), "Done", errors.FOLLOWUP_COMPLETED_BEFORE_SCREENING),
        (TODAY, "   ", errors.FOLLOWUP_OUTCOME_REQUIRED),
        (TODAY, None, errors.NOT_TEXT),
        (None, "Done", errors.NOT_A_DATE),
    ],
)
def test_complete_refuses_bad_input(
    world: World, final_a: Screening, completed_on: Any, outcome: Any, code: str
) -> None:
    followup = _create(world, final_a)
    events = AuditEvent.objects.count()
    with pytest.raises(ScreeningError) as caught:
        followup_complete(
            followup=followup, by=world.screener, completed_on=completed_on, outcome=outcome
        )
    assert caught.value.code == code
    stored = FollowUpAction.objects.get(pk=followup.pk)
    assert (stored.completed_on, stored.outcome) == (None, None)
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("persona", ["outsider", "analyst"])
def test_complete_by_someone_who_cannot_see_it_is_404(
    world: World, final_a: Screening, persona: str
) -> None:
    followup = _create(world, final_a)
    with pytest.raises(Http404 if persona == "outsider" else PermissionDenied):
        followup_complete(
            followup=followup, by=getattr(world, persona), completed_on=TODAY, outcome="Done"
        )
    assert FollowUpAction.objects.get(pk=followup.pk).completed_on is None


# --- reads ---------------------------------------------------------------------------------------------


def test_follow_ups_are_scoped_to_the_agency_and_open_ones_come_first(
    world: World, final_a: Screening, youth_b: Youth
) -> None:
    later = _create(world, final_a, due_on=TODAY + dt.timedelta(days=30))
    done = _create(world, final_a, due_on=TODAY)
    sooner = _create(world, final_a, due_on=TODAY + dt.timedelta(days=3))
    followup_complete(followup=done, by=world.screener, completed_on=TODAY, outcome="Done")
    final_b = factories.screening(youth_b, screener=world.outsider, status="final", rating=2)
    theirs = _create(world, final_b, by=world.outsider, owner=world.outsider)

    for persona in ("screener", "supervisor"):
        user = getattr(world, persona)
        assert list(followups_visible_to(user=user)) == [sooner, later, done]
        with pytest.raises(Http404):
            followup_for_user(user=user, pk=theirs.pk)
    assert list(followups_visible_to(user=world.outsider)) == [theirs]
    for persona in ("agency_admin", "analyst", "researcher", "system_admin"):
        assert list(followups_visible_to(user=getattr(world, persona))) == []
        with pytest.raises(PermissionDenied):
            followup_for_user(user=getattr(world, persona), pk=later.pk)
