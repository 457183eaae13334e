"""Supervisor review and the correction window (ADR 0007): the services, their selectors, and the
database constraints behind "one open new version per screening" and "one open intake per youth"."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.http import Http404

from sightline.audit.models import AppendOnlyError, AuditAction, AuditEvent
from sightline.scheduling.models import IntakeSchedule
from sightline.scheduling.services import policy_create
from sightline.screenings import errors, versions
from sightline.screenings.errors import ScreeningError, ScreeningStateError
from sightline.screenings.models import Screening, ScreeningReview, ScreeningStatus
from sightline.screenings.review import screening_correct, screening_review
from sightline.screenings.selectors import (
    chain_reviews,
    current_version,
    returned_to,
    screenings_awaiting_review,
)
from sightline.screenings.services import (
    screening_amend,
    screening_discard,
    screening_finalize,
    screening_save_draft,
)
from sightline.tenancy.models import Role
from sightline.tenancy.permissions import Permission
from sightline.youth import errors as youth_errors
from sightline.youth.errors import YouthError
from sightline.youth.models import IntakeEpisode, Youth
from sightline.youth.services import intake_open
from tests import factories
from tests.conftest import World
from tests.screenings.conftest import ratings, start

RETURN_REASON = "Indicator 3 contradicts the notes; check the records again."


def _final(youth: Youth, by: Any, definition: Any, code: int = 0) -> Screening:
    draft = start(youth, by)
    draft = screening_save_draft(
        screening=draft,
        by=by,
        expected_lock_version=draft.lock_version,
        indicator_ratings=ratings(definition, code),
    )
    return screening_finalize(screening=draft, by=by, expected_lock_version=draft.lock_version)


def _finish(draft: Screening, by: Any, **changes: Any) -> Screening:
    if changes:
        draft = screening_save_draft(
            screening=draft, by=by, expected_lock_version=draft.lock_version, **changes
        )
    return screening_finalize(screening=draft, by=by, expected_lock_version=draft.lock_version)


def _events() -> int:
    return AuditEvent.objects.count()


def _raw(table: str, column: str, pk: int) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


@pytest.fixture
def final(world: World, youth_a: Youth, definition: Any) -> Screening:
    return _final(youth_a, world.screener, definition)


# --- review --------------------------------------------------------------------------------------------


def test_a_supervisor_marks_a_screening_reviewed_without_touching_it(
    world: World, final: Screening
) -> None:
    before = Screening.objects.filter(pk=final.pk).values().get()

    review = screening_review(screening=final, by=world.supervisor, decision="reviewed")

    assert Screening.objects.filter(pk=final.pk).values().get() == before
    stored = ScreeningReview.objects.get()
    assert (stored.screening, stored.agency, stored.decision, stored.reviewed_by) == (
        final,
        world.agency_a,
        "reviewed",
        world.supervisor,
    )
    assert stored.reason is None and review.pk == stored.pk
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="screeningreview")
    assert (event.actor, event.youth_id, event.agency_id) == (
        world.supervisor,
        final.youth_id,
        world.agency_a.pk,
    )
    assert event.detail == {"screening": final.pk, "decision": "reviewed"}


def test_returning_needs_a_reason_and_stores_it_encrypted(world: World, final: Screening) -> None:
    events = _events()
    for empty in ("", "   "):
        with pytest.raises(ScreeningError) as refused:
            screening_review(
                screening=final, by=world.supervisor, decision="returned", reason=empty
            )
        assert (refused.value.code, refused.value.field) == (
            errors.RETURN_REASON_REQUIRED,
            "reason",
        )
    assert not ScreeningReview.objects.exists() and _events() == events

    review = screening_review(
        screening=final, by=world.supervisor, decision="returned", reason=f"  {RETURN_REASON} "
    )

    assert ScreeningReview.objects.get(pk=review.pk).reason == RETURN_REASON
    stored = _raw("screenings_screeningreview", "reason", review.pk)
    assert stored.startswith("v2:") and "Indicator" not in stored
    [event] = AuditEvent.objects.filter(object_type="screeningreview")
    assert "Indicator" not in str(event.detail)


def test_an_unknown_decision_is_refused(world: World, final: Screening) -> None:
    with pytest.raises(ScreeningError) as refused:
        screening_review(screening=final, by=world.supervisor, decision="approved")
    assert (refused.value.code, refused.value.field) == (errors.UNKNOWN_REVIEW_DECISION, "decision")
    assert not ScreeningReview.objects.exists()


def test_reviewing_needs_the_overview_permission(
    world: World, final: Screening, youth_b: Youth, definition: Any
) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):  # a colleague who sees it, without AGENCY_OVERVIEW
        screening_review(screening=final, by=world.screener, decision="reviewed")
    for colleague in (world.analyst, world.researcher, world.agency_admin):
        with pytest.raises(PermissionDenied):  # their own agency: refused, not hidden
            screening_review(screening=final, by=colleague, decision="reviewed")
    with pytest.raises(Http404):
        screening_review(screening=final, by=world.outsider, decision="reviewed")
    foreign_supervisor = factories.member(world.agency_b, Role.SUPERVISOR, username="sup-b")
    with pytest.raises(Http404):
        screening_review(screening=final, by=foreign_supervisor, decision="reviewed")
    assert not ScreeningReview.objects.exists() and AuditEvent.objects.count() == events


def test_nobody_reviews_their_own_screening(world: World, youth_a: Youth, definition: Any) -> None:
    own = _final(youth_a, world.supervisor, definition)
    with pytest.raises(ScreeningError) as refused:
        screening_review(screening=own, by=world.supervisor, decision="reviewed")
    assert refused.value.code == errors.REVIEW_OWN_SCREENING
    assert not ScreeningReview.objects.exists()


def test_only_the_current_final_version_is_reviewed(
    world: World, youth_a: Youth, final: Screening, definition: Any
) -> None:
    draft = start(youth_a, world.screener)
    with pytest.raises(ScreeningStateError) as refused:
        screening_review(screening=draft, by=world.supervisor, decision="reviewed")
    assert refused.value.code == errors.REVIEW_NOT_FINAL
    amendment = screening_amend(screening=final, by=world.screener, reason="New records")
    _finish(amendment, world.screener)
    with pytest.raises(ScreeningStateError) as refused:
        screening_review(screening=final, by=world.supervisor, decision="reviewed")
    assert refused.value.code == errors.REVIEW_NOT_CURRENT
    assert not ScreeningReview.objects.exists()


def test_the_same_decision_twice_is_refused_and_a_change_of_mind_is_a_new_row(
    world: World, final: Screening
) -> None:
    screening_review(screening=final, by=world.supervisor, decision="returned", reason="Why 2?")
    with pytest.raises(ScreeningStateError) as refused:
        screening_review(screening=final, by=world.supervisor, decision="returned", reason="Again")
    assert refused.value.code == errors.ALREADY_RETURNED

    screening_review(screening=final, by=world.supervisor, decision="reviewed")
    with pytest.raises(ScreeningStateError) as refused:
        screening_review(screening=final, by=world.supervisor, decision="reviewed")
    assert refused.value.code == errors.ALREADY_REVIEWED
    assert list(ScreeningReview.objects.values_list("decision", flat=True)) == [
        "reviewed",
        "returned",
    ]


def test_a_review_is_never_changed_or_deleted(world: World, final: Screening) -> None:
    review = screening_review(screening=final, by=world.supervisor, decision="reviewed")
    review.decision = "returned"
    with pytest.raises(AppendOnlyError):
        review.save()
    with pytest.raises(AppendOnlyError):
        review.delete()
    with pytest.raises(AppendOnlyError):
        ScreeningReview.objects.filter(pk=review.pk).update(decision="returned")
    with pytest.raises(AppendOnlyError):
        ScreeningReview.objects.all().delete()
    assert ScreeningReview.objects.get().decision == "reviewed"


def test_the_database_refuses_a_return_without_a_reason(world: World, final: Screening) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ScreeningReview.objects.create(
            screening=final,
            agency=world.agency_a,
            decision="returned",
            reviewed_by=world.supervisor,
        )


# --- awaiting review and returned ------------------------------------------------------------------------


def test_awaiting_review_lists_unreviewed_current_finals_of_the_agency_oldest_first(
    world: World, youth_a: Youth, youth_b: Youth, definition: Any, _today: Any
) -> None:
    first = _final(youth_a, world.screener, definition)
    _today.shift(dt.timedelta(minutes=5))
    second = _final(youth_a, world.screener, definition)
    reviewed = _final(youth_a, world.screener, definition)
    screening_review(screening=reviewed, by=world.supervisor, decision="reviewed")
    start(youth_a, world.screener)  # a draft
    _final(youth_a, world.supervisor, definition)  # the supervisor's own
    _final(youth_b, world.outsider, definition)  # another agency's
    other_supervisor = factories.member(world.agency_a, Role.SUPERVISOR, username="sup-2")

    assert list(screenings_awaiting_review(user=world.supervisor)) == [first, second]
    assert len(screenings_awaiting_review(user=other_supervisor)) == 3  # with the supervisor's
    for nobody in (world.screener, world.analyst, world.agency_admin, world.outsider):
        assert list(screenings_awaiting_review(user=nobody)) == []


def test_a_returned_screening_is_flagged_to_its_screener_until_corrected(
    world: World, final: Screening, definition: Any
) -> None:
    screening_review(
        screening=final, by=world.supervisor, decision="returned", reason=RETURN_REASON
    )

    [flagged] = returned_to(user=world.screener)
    assert flagged == final and flagged.correction_open is False
    assert list(returned_to(user=world.supervisor)) == []
    assert list(screenings_awaiting_review(user=world.supervisor)) == []

    correction = screening_correct(screening=final, by=world.screener, reason="Rechecked records")
    assert [s.correction_open for s in returned_to(user=world.screener)] == [True]
    corrected = _finish(correction, world.screener, notes="Records rechecked.")

    assert list(returned_to(user=world.screener)) == []
    [again] = screenings_awaiting_review(user=world.supervisor)
    assert again == corrected and again.was_returned is True
    reviews = chain_reviews(user=world.screener, screening=corrected)
    assert [(r.screening_id, r.decision) for r in reviews] == [(final.pk, "returned")]
    assert chain_reviews(user=world.outsider, screening=corrected) == []


# --- correction ----------------------------------------------------------------------------------------


def test_the_screener_corrects_within_the_window_as_a_new_version(
    world: World, youth_a: Youth, final: Screening, definition: Any
) -> None:
    intake = youth_a.intakes.get()
    due_before = IntakeSchedule.objects.get(intake=intake).due_on
    before = Screening.objects.filter(pk=final.pk).values().get()

    correction = screening_correct(screening=final, by=world.screener, reason=" Wrong source. ")

    assert Screening.objects.filter(pk=final.pk).values().get() == before
    assert (correction.status, correction.version_kind, correction.amends_id) == (
        ScreeningStatus.DRAFT,
        "correction",
        final.pk,
    )
    assert (correction.chain, correction.screened_on, correction.indicator_ratings) == (
        final.chain,
        final.screened_on,
        final.indicator_ratings,
    )
    assert Screening.objects.get(pk=correction.pk).amendment_reason == "Wrong source."
    assert current_version(correction) == final
    event = AuditEvent.objects.get(action=AuditAction.AMEND)
    assert event.detail == {"amends": final.pk, "kind": "correction"}

    corrected = _finish(correction, world.screener, information_sources=["records"])

    assert current_version(final) == corrected
    # Like an amendment it keeps the original's screening date: the rescreen date does not move.
    schedule = IntakeSchedule.objects.get(intake=intake)
    assert (schedule.due_on, schedule.last_final_on) == (due_before, final.screened_on)


def test_after_the_window_only_an_amendment(
    world: World, final: Screening, definition: Any, _today: Any
) -> None:
    _today.shift(dt.timedelta(days=7))  # the default window, to the second
    events = _events()

    with pytest.raises(ScreeningStateError) as refused:
        screening_correct(screening=final, by=world.screener, reason="Late")

    assert refused.value.code == errors.CORRECTION_WINDOW_CLOSED
    assert Screening.objects.count() == 1 and _events() == events
    amendment = screening_amend(screening=final, by=world.screener, reason="Late fix")
    assert amendment.version_kind == "amendment"


def test_the_window_is_open_until_the_last_second(
    world: World, final: Screening, _today: Any
) -> None:
    _today.shift(dt.timedelta(days=7) - dt.timedelta(seconds=1))
    assert screening_correct(screening=final, by=world.screener, reason="Just in time").pk


def test_a_correction_is_finalized_within_the_window_too(
    world: World, final: Screening, _today: Any
) -> None:
    correction = screening_correct(screening=final, by=world.screener, reason="Typo")
    _today.shift(dt.timedelta(days=8))

    with pytest.raises(ScreeningStateError) as refused:
        screening_finalize(
            screening=correction, by=world.screener, expected_lock_version=correction.lock_version
        )

    assert refused.value.code == errors.CORRECTION_WINDOW_CLOSED
    assert Screening.objects.get(pk=correction.pk).status == ScreeningStatus.DRAFT
    assert current_version(final) == final
    screening_discard(
        screening=correction, by=world.screener, expected_lock_version=correction.lock_version
    )
    assert screening_amend(screening=final, by=world.screener, reason="After the window").pk


def test_a_correction_does_not_restart_the_window(
    world: World, final: Screening, _today: Any
) -> None:
    _today.shift(dt.timedelta(days=5))
    corrected = _finish(
        screening_correct(screening=final, by=world.screener, reason="First"), world.screener
    )
    _today.shift(
        dt.timedelta(days=3)
    )  # 8 days after the first finalization, 3 after the correction

    with pytest.raises(ScreeningStateError) as refused:
        screening_correct(screening=corrected, by=world.screener, reason="Second")
    assert refused.value.code == errors.CORRECTION_WINDOW_CLOSED


def test_the_agency_policy_sets_the_window(
    world: World, youth_a: Youth, definition: Any, _today: Any
) -> None:
    policy_create(
        agency=world.agency_a,
        by=world.agency_admin,
        effective_from=dt.date(2026, 3, 10),
        reason="Shorter window",
        correction_window_days=2,
    )
    final = _final(youth_a, world.screener, definition)
    _today.shift(dt.timedelta(days=2))
    with pytest.raises(ScreeningStateError) as refused:
        screening_correct(screening=final, by=world.screener, reason="Day 2")
    assert refused.value.code == errors.CORRECTION_WINDOW_CLOSED

    policy_create(
        agency=world.agency_a,
        by=world.agency_admin,
        effective_from=dt.date(2026, 3, 12),
        reason="No window",
        correction_window_days=0,
    )
    none = _final(youth_a, world.screener, definition)
    with pytest.raises(ScreeningStateError) as refused:
        screening_correct(screening=none, by=world.screener, reason="Right away")
    assert refused.value.code == errors.NO_CORRECTION_WINDOW


def test_only_the_screener_or_finalizer_corrects(
    world: World, final: Screening, monkeypatch: pytest.MonkeyPatch
) -> None:
    colleague = factories.member(
        world.agency_a, Role.SCREENER, username="colleague", trained_for=("cse-it-2.0",)
    )
    for other in (colleague, world.supervisor):
        with pytest.raises(ScreeningError) as refused:
            screening_correct(screening=final, by=other, reason="Mine now")
        assert refused.value.code == errors.CORRECTION_NOT_YOURS
    factories.set_role_permissions(
        monkeypatch, Role.ANALYST, frozenset({Permission.YOUTH_VIEW, Permission.SCREENING_VIEW})
    )
    with pytest.raises(PermissionDenied):  # sees it, may not edit
        screening_correct(screening=final, by=world.analyst, reason="x")
    monkeypatch.undo()
    with pytest.raises(Http404):
        screening_correct(screening=final, by=world.outsider, reason="x")
    with pytest.raises(PermissionDenied):
        screening_correct(screening=final, by=world.agency_admin, reason="x")
    assert Screening.objects.count() == 1

    # Whoever finalized the current version may correct it as well.
    amended = _finish(
        screening_amend(screening=final, by=colleague, reason="New records"), colleague
    )
    assert screening_correct(screening=amended, by=colleague, reason="Own typo").pk


def test_a_correction_needs_a_reason(world: World, final: Screening) -> None:
    with pytest.raises(ScreeningError) as refused:
        screening_correct(screening=final, by=world.screener, reason="  ")
    assert (refused.value.code, refused.value.field) == (
        errors.CORRECTION_REASON_REQUIRED,
        "reason",
    )
    assert Screening.objects.count() == 1


def test_one_open_new_version_at_a_time(world: World, final: Screening) -> None:
    correction = screening_correct(screening=final, by=world.screener, reason="Typo")
    with pytest.raises(ScreeningStateError) as refused:
        screening_amend(screening=final, by=world.screener, reason="Also")
    assert refused.value.code == errors.CORRECTION_PENDING
    with pytest.raises(ScreeningStateError) as refused:
        screening_correct(screening=final, by=world.screener, reason="Again")
    assert refused.value.code == errors.CORRECTION_PENDING

    screening_discard(
        screening=correction, by=world.screener, expected_lock_version=correction.lock_version
    )
    screening_amend(screening=final, by=world.screener, reason="Now")
    with pytest.raises(ScreeningStateError) as refused:
        screening_correct(screening=final, by=world.screener, reason="Too")
    assert refused.value.code == errors.AMENDMENT_PENDING


# --- constraints in the database -------------------------------------------------------------------------


def test_the_database_allows_one_open_new_version_per_screening(
    world: World, final: Screening
) -> None:
    screening_amend(screening=final, by=world.screener, reason="First")
    copy = {
        name: value
        for name, value in Screening.objects.filter(pk=final.pk).values().get().items()
        if name not in {"id", "finalized_at", "finalized_by_id", "status"}
    }
    for kind in ("amendment", "correction"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Screening.objects.create(
                **{**copy, "amends_id": final.pk, "version_kind": kind, "amendment_reason": "2nd"}
            )
    assert Screening.objects.filter(amends=final).count() == 1


def test_the_database_requires_a_reason_and_a_kind_for_a_new_version(
    world: World, final: Screening
) -> None:
    copy = {
        name: value
        for name, value in Screening.objects.filter(pk=final.pk).values().get().items()
        if name not in {"id", "finalized_at", "finalized_by_id", "status"}
    }
    for broken in (
        {"amends_id": final.pk, "version_kind": "amendment", "amendment_reason": None},
        {"amends_id": final.pk, "version_kind": "original", "amendment_reason": "Why"},
        {"amends_id": None, "version_kind": "correction", "amendment_reason": "Why"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Screening.objects.create(**{**copy, **broken})
    assert Screening.objects.count() == 1


def test_a_lost_race_for_the_open_version_is_the_clear_error(
    world: World, final: Screening, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the check misses a concurrent draft, the constraint refuses and the services say so."""
    screening_amend(screening=final, by=world.screener, reason="The other session's")
    monkeypatch.setattr(versions, "refuse_if_open", lambda original_id: None)
    events = _events()

    with pytest.raises(ScreeningStateError) as refused:
        screening_amend(screening=final, by=world.screener, reason="Mine")
    assert refused.value.code == errors.AMENDMENT_PENDING
    with pytest.raises(ScreeningStateError) as refused:
        screening_correct(screening=final, by=world.screener, reason="Mine")
    assert refused.value.code == errors.AMENDMENT_PENDING
    assert Screening.objects.filter(amends=final).count() == 1 and _events() == events


def test_the_database_allows_one_open_intake_per_youth(world: World, youth_a: Youth) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        IntakeEpisode.objects.create(
            youth=youth_a,
            agency=world.agency_a,
            intake_on=dt.date(2026, 2, 1),
            created_by=world.screener,
        )
    youth_a.intakes.update(exit_on=dt.date(2026, 2, 1))
    IntakeEpisode.objects.create(  # closed and open side by side is fine
        youth=youth_a,
        agency=world.agency_a,
        intake_on=dt.date(2026, 2, 1),
        created_by=world.screener,
    )
    assert youth_a.intakes.filter(exit_on__isnull=True).count() == 1


def test_a_lost_race_for_the_open_intake_is_the_clear_error(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another session opens an intake between the service's check and its insert."""
    youth = factories.youth(world.agency_a, created_by=world.screener, intake_on=None)
    real_exists = QuerySet.exists
    raced: list[int] = []

    def the_other_session_opens_one_right_after(self: QuerySet[Any]) -> bool:
        seen = real_exists(self)
        if self.model is IntakeEpisode and not raced:
            other = IntakeEpisode.objects.create(
                youth=youth,
                agency=world.agency_a,
                intake_on=dt.date(2026, 2, 1),
                created_by=world.outsider,
            )
            raced.append(other.pk)
        return seen

    monkeypatch.setattr(QuerySet, "exists", the_other_session_opens_one_right_after)
    events = _events()

    with pytest.raises(YouthError) as refused:
        intake_open(youth=youth, by=world.screener, intake_on=dt.date(2026, 3, 1))

    assert (refused.value.code, refused.value.field) == (
        youth_errors.INTAKE_ALREADY_OPEN,
        "intake_on",
    )
    assert raced and _events() == events


def test_without_the_window_reader_a_correction_fails_loudly(
    world: World, final: Screening, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setattr(versions, "_window_reader", None)
    with pytest.raises(ImproperlyConfigured):
        screening_correct(screening=final, by=world.screener, reason="x")
