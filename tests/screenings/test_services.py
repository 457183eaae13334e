from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone

from sightline import instruments
from sightline.audit.context import AuditContext
from sightline.audit.models import AuditAction, AuditEvent
from sightline.screenings import errors
from sightline.screenings.errors import ScreeningConflictError, ScreeningError, ScreeningStateError
from sightline.screenings.models import Screening, ScreeningStatus
from sightline.screenings.selectors import current_version
from sightline.screenings.services import (
    screening_amend,
    screening_discard,
    screening_finalize,
    screening_save_draft,
    screening_start,
)
from sightline.tenancy.models import Role, TrainingRecord
from sightline.tenancy.permissions import ROLE_PERMISSIONS, Permission
from sightline.youth.models import Youth
from tests import factories
from tests.conftest import World
from tests.screenings.conftest import INSTRUMENT, TODAY, ratings, start


def _row(screening: Screening) -> dict[str, Any]:
    """Every stored column of the row, read fresh."""
    return Screening.objects.filter(pk=screening.pk).values().get()


def _rated(screening: Screening, by: Any, definition: Any, code: int = 0) -> Screening:
    return screening_save_draft(
        screening=screening,
        by=by,
        expected_lock_version=screening.lock_version,
        indicator_ratings=ratings(definition, code),
    )


def _final(world: World, youth: Youth, definition: Any, code: int = 0) -> Screening:
    draft = _rated(start(youth, world.screener), world.screener, definition, code)
    return screening_finalize(
        screening=draft, by=world.screener, expected_lock_version=draft.lock_version
    )


def _audit(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


# --- start ---------------------------------------------------------------------------------------------


def test_start_pins_the_current_definition_and_audits(
    world: World, youth_a: Youth, definition: Any
) -> None:
    request = RequestFactory().post("/screenings/new", REMOTE_ADDR="192.0.2.9")
    screening = start(youth_a, world.screener, context=AuditContext.from_request(request))

    stored = Screening.objects.get(pk=screening.pk)
    assert (stored.instrument_id, stored.instrument_version, stored.instrument_sha256) == (
        definition.id,
        definition.version,
        definition.sha256,
    )
    assert stored.status == ScreeningStatus.DRAFT
    assert (stored.youth, stored.agency, stored.screener) == (
        youth_a,
        world.agency_a,
        world.screener,
    )
    assert stored.information_sources == ["records", "observation"]
    assert stored.lock_version == 0
    assert stored.indicator_ratings == {}
    assert stored.rated_count == 0
    assert stored.finalized_at is None
    [event] = AuditEvent.objects.all()
    assert (event.action, event.actor, event.object_id) == (
        AuditAction.CREATE,
        world.screener,
        str(screening.pk),
    )
    assert (event.agency_id, event.youth_id) == (world.agency_a.pk, youth_a.pk)
    assert event.detail == {"instrument": f"{definition.id}@{definition.version}"}
    assert event.ip_address == "192.0.2.9"


def test_start_defaults_the_screening_date_to_today(world: World, youth_a: Youth) -> None:
    screening = start(youth_a, world.screener, screened_on=None)
    assert screening.screened_on == TODAY


def test_start_lets_a_draft_leave_reason_role_and_known_for_unanswered(
    world: World, youth_a: Youth
) -> None:
    screening = start(
        youth_a, world.screener, reason="", screener_role="", known_for="", information_sources=()
    )
    assert (screening.reason, screening.screener_role, screening.known_for) == ("", "", "")


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"instrument_id": "no-such-instrument"}, errors.INSTRUMENT_UNKNOWN, "instrument_id"),
        ({"instrument_id": "../../etc/passwd"}, errors.INSTRUMENT_UNKNOWN, "instrument_id"),
        ({"instrument_id": None}, errors.INSTRUMENT_UNKNOWN, "instrument_id"),
        ({"reason": "curiosity"}, errors.UNKNOWN_REASON, "reason"),
        ({"reason_other": "x" * 201}, errors.TEXT_TOO_LONG, "reason_other"),
        ({"information_sources": "records"}, errors.NOT_A_LIST, "information_sources"),
        (
            {"information_sources": ["records", "rumour"]},
            errors.UNKNOWN_INFORMATION_SOURCE,
            "information_sources",
        ),
        ({"screener_role": "wizard"}, errors.UNKNOWN_SCREENER_ROLE, "screener_role"),
        ({"known_for": "forever"}, errors.UNKNOWN_KNOWN_FOR, "known_for"),
        ({"mode": "speedy"}, errors.UNKNOWN_MODE, "mode"),
        ({"screened_on": TODAY + dt.timedelta(days=1)}, errors.SCREENED_IN_FUTURE, "screened_on"),
        ({"screened_on": dt.date(2009, 1, 1)}, errors.SCREENED_BEFORE_BIRTH, "screened_on"),
        (
            {"screened_on": dt.datetime(2026, 3, 1, tzinfo=dt.UTC)},
            errors.NOT_A_DATE,
            "screened_on",
        ),
    ],
)
def test_start_refuses_bad_input_and_writes_nothing(
    world: World, youth_a: Youth, overrides: dict[str, Any], code: str, field: str
) -> None:
    with pytest.raises(ScreeningError) as caught:
        start(youth_a, world.screener, **overrides)
    assert (caught.value.code, caught.value.field) == (code, field)
    assert not Screening.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "agency_admin", "analyst", "researcher"])
def test_start_for_a_youth_the_user_cannot_see_is_404(
    world: World, youth_a: Youth, persona: str
) -> None:
    with pytest.raises(Http404 if persona == "outsider" else PermissionDenied):
        start(youth_a, getattr(world, persona))
    assert not Screening.objects.exists()
    assert not AuditEvent.objects.exists()


# --- save draft ----------------------------------------------------------------------------------------


def test_save_draft_stores_rescores_and_bumps_the_lock_version(
    world: World, youth_a: Youth, definition: Any
) -> None:
    draft = start(youth_a, world.screener)
    first = definition.indicators[0]
    statement = first.statements[0]
    answer = definition.statement_scale[-1].value

    saved = screening_save_draft(
        screening=draft,
        by=world.screener,
        expected_lock_version=0,
        indicator_ratings=ratings(definition, 2),
        statement_answers={statement.id: answer},
        known_for="year_or_more",
        notes="  Disclosed an older 'boyfriend'.  ",
    )

    expected = instruments.score(definition, ratings(definition, 2), {statement.id: answer})
    stored = Screening.objects.get(pk=draft.pk)
    assert stored.indicator_ratings == ratings(definition, 2)
    assert stored.statement_answers == {statement.id: answer}
    assert (stored.total, stored.level, stored.rated_count) == (
        expected.total,
        expected.level,
        expected.rated_count,
    )
    assert stored.known_for == "year_or_more"
    assert stored.notes == "Disclosed an older 'boyfriend'."
    assert stored.status == ScreeningStatus.DRAFT
    assert stored.lock_version == saved.lock_version == 1
    event = _audit(AuditAction.CHANGE)[0]
    assert event.detail == {
        "fields": ["indicator_ratings", "known_for", "notes", "statement_answers"],
        "lock_version": 1,
    }
    assert "boyfriend" not in str(event.detail)


def test_save_draft_with_nothing_changed_writes_nothing(
    world: World, youth_a: Youth, definition: Any
) -> None:
    draft = _rated(start(youth_a, world.screener), world.screener, definition)
    before, events = _row(draft), AuditEvent.objects.count()

    screening_save_draft(
        screening=draft,
        by=world.screener,
        expected_lock_version=1,
        indicator_ratings=ratings(definition),
        reason="intake",
    )

    assert _row(draft) == before
    assert AuditEvent.objects.count() == events


def test_save_draft_replaces_ratings_and_none_or_missing_means_not_rated(
    world: World, youth_a: Youth, definition: Any
) -> None:
    first, second, third = (i.id for i in definition.indicators[:3])
    draft = _rated(start(youth_a, world.screener), world.screener, definition, 1)

    saved = screening_save_draft(
        screening=draft,
        by=world.screener,
        expected_lock_version=1,
        indicator_ratings={first: instruments.NEI, second: None, third: instruments.MISSING},
    )

    assert saved.indicator_ratings == {first: instruments.NEI}
    assert Screening.objects.get(pk=draft.pk).indicator_ratings == {first: instruments.NEI}


def test_save_draft_by_another_caseworker_of_the_agency_is_allowed(
    world: World, youth_a: Youth, definition: Any
) -> None:
    draft = start(youth_a, world.screener)
    saved = _rated(draft, world.supervisor, definition, 1)
    assert saved.indicator_ratings == ratings(definition, 1)
    assert _audit(AuditAction.CHANGE)[0].actor == world.supervisor


@pytest.mark.parametrize(
    ("bad", "named"),
    [
        ({"no-such-indicator": 1}, ["'no-such-indicator'"]),
        ({"FIRST": 7}, ["FIRST", "7"]),
        ({"FIRST": True}, ["FIRST", "True"]),
        ({"FIRST": "1"}, ["FIRST", "'1'"]),
        ({"FIRST": 1.0}, ["FIRST", "1.0"]),
        ({"FIRST": -3, "nope": 0}, ["FIRST", "-3", "'nope'"]),
    ],
)
def test_save_draft_refuses_ratings_off_the_scale_naming_them(
    world: World, youth_a: Youth, definition: Any, bad: dict[str, Any], named: list[str]
) -> None:
    first = definition.indicators[0].id
    bad = {first if key == "FIRST" else key: value for key, value in bad.items()}
    draft = _rated(start(youth_a, world.screener), world.screener, definition)
    before, events = _row(draft), AuditEvent.objects.count()

    with pytest.raises(ScreeningError) as caught:
        screening_save_draft(
            screening=draft,
            by=world.screener,
            expected_lock_version=1,
            indicator_ratings={**ratings(definition), **bad},
            notes="must not be saved",
        )

    assert (caught.value.code, caught.value.field) == (errors.BAD_RATING, "indicator_ratings")
    for text in named:
        assert text.replace("FIRST", first) in caught.value.message
    assert _row(draft) == before
    assert AuditEvent.objects.count() == events


def test_save_draft_refuses_unknown_supporting_statements(
    world: World, youth_a: Youth, definition: Any
) -> None:
    draft = start(youth_a, world.screener)
    with pytest.raises(ScreeningError) as caught:
        screening_save_draft(
            screening=draft,
            by=world.screener,
            expected_lock_version=0,
            statement_answers={"made-up-statement": definition.statement_scale[0].value},
        )
    assert caught.value.code == errors.BAD_RATING
    assert "made-up-statement" in caught.value.message
    assert Screening.objects.get(pk=draft.pk).statement_answers == {}


def test_edit_conflict_refuses_the_second_save_and_keeps_the_first(
    world: World, youth_a: Youth, definition: Any
) -> None:
    draft = start(youth_a, world.screener)
    mine = Screening.objects.get(pk=draft.pk)
    theirs = Screening.objects.get(pk=draft.pk)
    assert mine.lock_version == theirs.lock_version == 0

    screening_save_draft(
        screening=theirs,
        by=world.supervisor,
        expected_lock_version=theirs.lock_version,
        indicator_ratings=ratings(definition, 1),
    )
    after_first, events = _row(draft), AuditEvent.objects.count()
    with pytest.raises(ScreeningConflictError) as caught:
        screening_save_draft(
            screening=mine,
            by=world.screener,
            expected_lock_version=mine.lock_version,
            indicator_ratings=ratings(definition, 2),
            notes="mine",
        )

    assert caught.value.code == errors.SCREENING_EDIT_CONFLICT
    assert caught.value.message == (
        "Someone else saved this draft after you opened it. "
        "Your changes were not saved; reload to see theirs."
    )
    assert _row(draft) == after_first
    assert Screening.objects.get(pk=draft.pk).indicator_ratings == ratings(definition, 1)
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("value", [None, "0", -1, True, 0.0])
def test_save_draft_needs_the_lock_version_read(
    world: World, youth_a: Youth, value: object
) -> None:
    draft = start(youth_a, world.screener)
    with pytest.raises(ScreeningError) as caught:
        screening_save_draft(
            screening=draft,
            by=world.screener,
            expected_lock_version=value,  # type: ignore[arg-type]
            reason="rescreen",
        )
    assert caught.value.code == errors.LOCK_VERSION_REQUIRED
    assert Screening.objects.get(pk=draft.pk).reason == "intake"


@pytest.mark.parametrize("persona", ["outsider", "agency_admin", "analyst", "researcher"])
def test_save_draft_by_someone_who_cannot_see_it_is_404(
    world: World, youth_a: Youth, persona: str
) -> None:
    draft = start(youth_a, world.screener)
    before, events = _row(draft), AuditEvent.objects.count()
    with pytest.raises(Http404 if persona == "outsider" else PermissionDenied):
        screening_save_draft(
            screening=draft, by=getattr(world, persona), expected_lock_version=0, reason="other"
        )
    assert _row(draft) == before
    assert AuditEvent.objects.count() == events


def test_save_draft_by_a_read_only_member_is_refused(
    world: World, youth_a: Youth, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = start(youth_a, world.screener)
    factories.set_role_permissions(
        monkeypatch, Role.SUPERVISOR, frozenset({Permission.SCREENING_VIEW})
    )
    with pytest.raises(PermissionDenied):
        screening_save_draft(
            screening=draft, by=world.supervisor, expected_lock_version=0, reason="other"
        )
    assert Screening.objects.get(pk=draft.pk).lock_version == 0


# --- finalize ------------------------------------------------------------------------------------------


def test_finalize_stores_the_result_and_audits(
    world: World, youth_a: Youth, definition: Any
) -> None:
    draft = _rated(start(youth_a, world.screener), world.screener, definition, 2)
    draft_row = _row(draft)
    # A preview tampered with in the database must not survive: finalize re-scores.
    Screening.objects.filter(pk=draft.pk).update(total=-99, level="bogus")

    final = screening_finalize(screening=draft, by=world.screener, expected_lock_version=1)

    expected = instruments.score(definition, ratings(definition, 2))
    stored = Screening.objects.get(pk=draft.pk)
    assert stored.status == ScreeningStatus.FINAL
    assert (stored.total, stored.level, stored.rated_count) == (
        expected.total,
        expected.level,
        expected.rated_count,
    )
    assert expected.level == definition.levels[-1].code
    assert stored.finalized_at == timezone.now()
    assert stored.finalized_by == world.screener
    assert stored.lock_version == final.lock_version == 2
    assert stored.indicator_ratings == draft_row["indicator_ratings"]
    [event] = _audit(AuditAction.FINALIZE)
    assert (event.actor, event.object_id, event.youth_id) == (
        world.screener,
        str(draft.pk),
        youth_a.pk,
    )
    assert event.detail == {"instrument": f"{definition.id}@{definition.version}"}


def _no_training(world: World) -> None:
    TrainingRecord.objects.filter(user=world.screener).delete()


@pytest.mark.parametrize(
    "training",
    [
        None,
        {"trained_on": dt.date(2024, 1, 1), "expires_on": TODAY - dt.timedelta(days=1)},
        {"trained_on": TODAY + dt.timedelta(days=1)},
        {"instrument_id": "cse-it-brief"},
    ],
    ids=["none", "expired-yesterday", "starts-tomorrow", "other-instrument"],
)
def test_finalize_requires_current_training(
    world: World, youth_a: Youth, definition: Any, training: dict[str, Any] | None
) -> None:
    draft = _rated(start(youth_a, world.screener), world.screener, definition)
    _no_training(world)
    if training is not None:
        factories.training(world.screener, **{"instrument_id": INSTRUMENT, **training})
    before, events = _row(draft), AuditEvent.objects.count()

    with pytest.raises(ScreeningError) as caught:
        screening_finalize(screening=draft, by=world.screener, expected_lock_version=1)

    assert caught.value.code == errors.TRAINING_REQUIRED
    assert definition.title in caught.value.message
    assert INSTRUMENT in caught.value.message
    assert _row(draft) == before
    assert AuditEvent.objects.count() == events


def test_finalize_accepts_training_that_expires_today(
    world: World, youth_a: Youth, definition: Any
) -> None:
    draft = _rated(start(youth_a, world.screener), world.screener, definition)
    _no_training(world)
    factories.training(world.screener, trained_on=dt.date(2024, 3, 10), expires_on=TODAY)
    final = screening_finalize(screening=draft, by=world.screener, expected_lock_version=1)
    assert final.status == ScreeningStatus.FINAL


def test_finalize_checks_training_on_the_day_it_is_finalized(
    world: World,
    youth_a: Youth,
    definition: Any,
    _today: time_machine.Traveller,
) -> None:
    draft = _rated(start(youth_a, world.screener), world.screener, definition)
    _no_training(world)
    factories.training(world.screener, trained_on=dt.date(2024, 3, 10), expires_on=TODAY)
    _today.move_to(dt.datetime(2026, 3, 11, 20, tzinfo=dt.UTC))
    with pytest.raises(ScreeningError) as caught:
        screening_finalize(screening=draft, by=world.screener, expected_lock_version=1)
    assert caught.value.code == errors.TRAINING_REQUIRED


def test_finalize_checks_the_finalizer_not_the_starter(
    world: World, youth_a: Youth, definition: Any
) -> None:
    untrained = factories.member(world.agency_a, Role.SCREENER)
    draft = _rated(start(youth_a, untrained), untrained, definition)
    with pytest.raises(ScreeningError):
        screening_finalize(screening=draft, by=untrained, expected_lock_version=1)
    final = screening_finalize(screening=draft, by=world.supervisor, expected_lock_version=1)
    assert (final.screener, final.finalized_by) == (untrained, world.supervisor)


@pytest.mark.parametrize(
    ("start_values", "draft_values", "named", "fields"),
    [
        ({}, {"unrate": 1}, ["key indicator"], ["indicator_ratings"]),
        ({"information_sources": []}, {}, ["information sources"], ["information_sources"]),
        ({"reason": ""}, {}, ["reason for screening"], ["reason"]),
        ({"reason": "other"}, {}, ["other reason"], ["reason_other"]),
        ({"screener_role": ""}, {}, ["professional role"], ["screener_role"]),
        ({"known_for": ""}, {}, ["known the youth"], ["known_for"]),
        (
            {"information_sources": [], "known_for": ""},
            {"unrate": 2},
            ["key indicator", "information sources", "known the youth"],
            ["indicator_ratings", "information_sources", "known_for"],
        ),
    ],
)
def test_finalize_requires_complete_items(
    world: World,
    youth_a: Youth,
    definition: Any,
    start_values: dict[str, Any],
    draft_values: dict[str, int],
    named: list[str],
    fields: list[str],
) -> None:
    draft = start(youth_a, world.screener, **start_values)
    given = ratings(definition)
    unrated = [i for i in definition.indicators[: draft_values.get("unrate", 0)]]
    for indicator in unrated:
        del given[indicator.id]
    draft = screening_save_draft(
        screening=draft, by=world.screener, expected_lock_version=0, indicator_ratings=given
    )
    before, events = _row(draft), AuditEvent.objects.count()

    with pytest.raises(ScreeningError) as caught:
        screening_finalize(screening=draft, by=world.screener, expected_lock_version=1)

    assert caught.value.code == errors.SCREENING_INCOMPLETE
    for text in named:
        assert text in caught.value.message
    for indicator in unrated:
        assert indicator.title in caught.value.message
    assert caught.value.extra["missing_fields"] == fields
    assert _row(draft) == before
    assert AuditEvent.objects.count() == events


def test_finalize_accepts_not_enough_information_as_an_answer(
    world: World, youth_a: Youth, definition: Any
) -> None:
    given = {**ratings(definition), definition.indicators[0].id: instruments.NEI}
    draft = screening_save_draft(
        screening=start(youth_a, world.screener),
        by=world.screener,
        expected_lock_version=0,
        indicator_ratings=given,
    )
    final = screening_finalize(screening=draft, by=world.screener, expected_lock_version=1)
    assert final.level == instruments.score(definition, given).level


def test_finalize_refuses_ratings_that_give_no_concern_level(
    world: World, youth_a: Youth, definition: Any
) -> None:
    every_nei = ratings(definition, instruments.NEI)
    expected = instruments.score(definition, every_nei)
    assert expected.level is None  # the bundled definition needs rated indicators for a level
    draft = screening_save_draft(
        screening=start(youth_a, world.screener),
        by=world.screener,
        expected_lock_version=0,
        indicator_ratings=every_nei,
    )
    with pytest.raises(ScreeningError) as caught:
        screening_finalize(screening=draft, by=world.screener, expected_lock_version=1)
    assert caught.value.code == errors.SCREENING_NO_RESULT
    assert Screening.objects.get(pk=draft.pk).status == ScreeningStatus.DRAFT


def test_finalize_with_a_stale_lock_version_is_a_conflict(
    world: World, youth_a: Youth, definition: Any
) -> None:
    draft = _rated(start(youth_a, world.screener), world.screener, definition)
    with pytest.raises(ScreeningConflictError):
        screening_finalize(screening=draft, by=world.screener, expected_lock_version=0)
    assert Screening.objects.get(pk=draft.pk).status == ScreeningStatus.DRAFT


def test_finalize_needs_the_finalize_permission(
    world: World, youth_a: Youth, definition: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = _rated(start(youth_a, world.screener), world.screener, definition)
    factories.set_role_permissions(
        monkeypatch,
        Role.SCREENER,
        ROLE_PERMISSIONS[Role.SCREENER] - {Permission.SCREENING_FINALIZE},
    )
    with pytest.raises(PermissionDenied):
        screening_finalize(screening=draft, by=world.screener, expected_lock_version=1)
    assert Screening.objects.get(pk=draft.pk).status == ScreeningStatus.DRAFT
    assert not _audit(AuditAction.FINALIZE)


def test_a_finalized_screening_cannot_be_saved_or_finalized_again(
    world: World, youth_a: Youth, definition: Any
) -> None:
    final = _final(world, youth_a, definition)
    before, events = _row(final), AuditEvent.objects.count()

    with pytest.raises(ScreeningStateError) as caught:
        screening_finalize(
            screening=final, by=world.screener, expected_lock_version=final.lock_version
        )
    assert caught.value.code == errors.SCREENING_ALREADY_FINAL
    with pytest.raises(ScreeningStateError) as caught:
        screening_save_draft(
            screening=final,
            by=world.screener,
            expected_lock_version=final.lock_version,
            indicator_ratings=ratings(definition, 2),
        )
    assert caught.value.code == errors.SCREENING_ALREADY_FINAL
    assert _row(final) == before
    assert AuditEvent.objects.count() == events


def test_the_database_refuses_final_without_finalized_at(
    world: World, youth_a: Youth, definition: Any
) -> None:
    draft = _rated(start(youth_a, world.screener), world.screener, definition)
    with pytest.raises(IntegrityError), transaction.atomic():
        Screening.objects.filter(pk=draft.pk).update(status=ScreeningStatus.FINAL)
    with pytest.raises(IntegrityError), transaction.atomic():
        Screening.objects.filter(pk=draft.pk).update(
            finalized_at=timezone.now(), finalized_by=world.screener
        )
    assert Screening.objects.get(pk=draft.pk).status == ScreeningStatus.DRAFT


# --- the pinned definition -----------------------------------------------------------------------------


def test_a_changed_definition_file_is_refused(
    world: World, youth_a: Youth, definition: Any
) -> None:
    draft = _rated(start(youth_a, world.screener), world.screener, definition)
    Screening.objects.filter(pk=draft.pk).update(instrument_sha256="0" * 64)
    before, events = _row(draft), AuditEvent.objects.count()

    for attempt in (
        lambda: screening_save_draft(
            screening=draft, by=world.screener, expected_lock_version=1, reason="rescreen"
        ),
        lambda: screening_finalize(screening=draft, by=world.screener, expected_lock_version=1),
    ):
        with pytest.raises(ScreeningError) as caught:
            attempt()
        assert caught.value.code == errors.INSTRUMENT_CHANGED
        assert definition.version in caught.value.message

    assert _row(draft) == before
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("version", ["999.0.0", "../../secrets"])
def test_a_definition_version_no_longer_installed_is_refused(
    world: World, youth_a: Youth, definition: Any, version: str
) -> None:
    draft = start(youth_a, world.screener)
    Screening.objects.filter(pk=draft.pk).update(instrument_version=version)
    with pytest.raises(ScreeningError) as caught:
        screening_save_draft(
            screening=draft, by=world.screener, expected_lock_version=0, reason="rescreen"
        )
    assert caught.value.code == errors.INSTRUMENT_MISSING
    assert Screening.objects.get(pk=draft.pk).reason == "intake"


# --- amend ---------------------------------------------------------------------------------------------


def test_amend_creates_a_new_version_and_keeps_the_original_unchanged(
    world: World, youth_a: Youth, definition: Any
) -> None:
    original = _final(world, youth_a, definition)
    before = _row(original)

    amendment = screening_amend(
        screening=original, by=world.supervisor, reason="  Rated the wrong youth's record.  "
    )

    assert _row(original) == before
    copied = _row(amendment)
    for name, value in before.items():
        if name in {"id", "status", "lock_version", "created_at", "updated_at"}:
            continue
        if name in {
            "finalized_at",
            "finalized_by_id",
            "amends_id",
            "amendment_reason",
            "version_kind",
        }:
            continue
        assert copied[name] == value, name
    assert copied["status"] == ScreeningStatus.DRAFT
    assert copied["lock_version"] == 0
    assert (copied["finalized_at"], copied["finalized_by_id"]) == (None, None)
    assert copied["amends_id"] == original.pk
    # Encrypted and bound to its row: read through the model, which knows the row.
    assert (
        Screening.objects.get(pk=amendment.pk).amendment_reason == "Rated the wrong youth's record."
    )
    assert copied["version_kind"] == "amendment"
    assert copied["chain"] == before["chain"]
    assert copied["screened_on"] == before["screened_on"]
    assert current_version(amendment) == original
    [event] = _audit(AuditAction.AMEND)
    assert (event.actor, event.object_id, event.detail) == (
        world.supervisor,
        str(amendment.pk),
        {"amends": original.pk},
    )
    assert "wrong youth" not in str(event.detail)


def test_finalizing_an_amendment_makes_it_the_current_version(
    world: World, youth_a: Youth, definition: Any
) -> None:
    original = _final(world, youth_a, definition)
    before = _row(original)
    amendment = screening_amend(screening=original, by=world.screener, reason="Typo")
    amendment = _rated(amendment, world.screener, definition, 2)
    final = screening_finalize(screening=amendment, by=world.screener, expected_lock_version=1)

    assert current_version(original) == final
    assert current_version(final) == final
    assert final.level == definition.levels[-1].code
    assert _row(original) == before
    assert _audit(AuditAction.FINALIZE)[-1].detail["amends"] == original.pk


def test_amending_a_version_that_is_not_current_is_refused(
    world: World, youth_a: Youth, definition: Any
) -> None:
    original = _final(world, youth_a, definition)
    amendment = screening_amend(screening=original, by=world.screener, reason="Typo")
    screening_finalize(screening=amendment, by=world.screener, expected_lock_version=0)
    count, events = Screening.objects.count(), AuditEvent.objects.count()

    with pytest.raises(ScreeningStateError) as caught:
        screening_amend(screening=original, by=world.screener, reason="Another typo")

    assert caught.value.code == errors.SCREENING_NOT_CURRENT
    assert Screening.objects.count() == count
    assert AuditEvent.objects.count() == events


def test_amending_a_draft_is_refused(world: World, youth_a: Youth) -> None:
    draft = start(youth_a, world.screener)
    with pytest.raises(ScreeningStateError) as caught:
        screening_amend(screening=draft, by=world.screener, reason="Typo")
    assert caught.value.code == errors.SCREENING_NOT_FINAL
    assert Screening.objects.count() == 1


def test_only_one_open_amendment_at_a_time(world: World, youth_a: Youth, definition: Any) -> None:
    original = _final(world, youth_a, definition)
    pending = screening_amend(screening=original, by=world.screener, reason="Typo")
    count, events = Screening.objects.count(), AuditEvent.objects.count()

    with pytest.raises(ScreeningStateError) as caught:
        screening_amend(screening=original, by=world.supervisor, reason="Also a typo")
    assert caught.value.code == errors.AMENDMENT_PENDING
    assert (Screening.objects.count(), AuditEvent.objects.count()) == (count, events)

    screening_discard(screening=pending, by=world.screener, expected_lock_version=0)
    again = screening_amend(screening=original, by=world.supervisor, reason="Also a typo")
    assert again.amends_id == original.pk


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_amend_requires_a_reason(
    world: World, youth_a: Youth, definition: Any, reason: object
) -> None:
    original = _final(world, youth_a, definition)
    with pytest.raises(ScreeningError) as caught:
        screening_amend(screening=original, by=world.screener, reason=reason)  # type: ignore[arg-type]
    assert caught.value.code in {errors.AMENDMENT_REASON_REQUIRED, errors.NOT_TEXT}
    assert Screening.objects.count() == 1


def test_amend_by_an_outsider_is_404(world: World, youth_a: Youth, definition: Any) -> None:
    original = _final(world, youth_a, definition)
    with pytest.raises(Http404):
        screening_amend(screening=original, by=world.outsider, reason="Typo")
    assert Screening.objects.count() == 1


# --- discard -------------------------------------------------------------------------------------------


def test_discard_voids_a_draft_and_audits(world: World, youth_a: Youth) -> None:
    draft = start(youth_a, world.screener)
    voided = screening_discard(screening=draft, by=world.screener, expected_lock_version=0)
    stored = Screening.objects.get(pk=draft.pk)
    assert stored.status == voided.status == ScreeningStatus.VOIDED
    assert stored.finalized_at is None
    assert _audit(AuditAction.CHANGE)[-1].detail == {"fields": ["status"], "status": "voided"}
    with pytest.raises(ScreeningStateError) as caught:
        screening_save_draft(screening=draft, by=world.screener, expected_lock_version=1, reason="")
    assert caught.value.code == errors.SCREENING_NOT_DRAFT


def test_a_final_screening_cannot_be_discarded(
    world: World, youth_a: Youth, definition: Any
) -> None:
    final = _final(world, youth_a, definition)
    with pytest.raises(ScreeningStateError):
        screening_discard(
            screening=final, by=world.screener, expected_lock_version=final.lock_version
        )
    assert Screening.objects.get(pk=final.pk).status == ScreeningStatus.FINAL


def test_start_with_the_brief_instrument(world: World, youth_a: Youth) -> None:
    assert (
        screening_start(
            youth=youth_a,
            by=world.screener,
            instrument_id="cse-it-brief",
            reason="new_information",
            screener_role="hotline_operator",
            known_for="under_day",
        ).instrument_id
        == "cse-it-brief"
    )


def test_notes_are_encrypted_at_rest(world: World, youth_a: Youth) -> None:
    draft = start(youth_a, world.screener)
    screening_save_draft(
        screening=draft, by=world.screener, expected_lock_version=0, notes="Mentions 'Uncle Ray'."
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT notes FROM {Screening._meta.db_table} WHERE id = %s", [draft.pk])
        [(stored,)] = cursor.fetchall()
    assert "Uncle Ray" not in str(stored)
    assert Screening.objects.get(pk=draft.pk).notes == "Mentions 'Uncle Ray'."
