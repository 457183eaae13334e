from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from sightline.audit.context import AuditContext
from sightline.audit.models import AuditAction, AuditEvent
from sightline.privacy.blind_index import digests, stored_tokens
from sightline.privacy.keys import search_key
from sightline.youth import errors
from sightline.youth.errors import YouthError
from sightline.youth.models import IntakeEpisode, Youth, YouthNameToken
from sightline.youth.services import intake_close, intake_open, youth_create, youth_update
from tests.conftest import World

TODAY = dt.date(2026, 3, 10)
NAMES = ("Zoë", "Quintanilla", "Zo Q")


@pytest.fixture(autouse=True)
def _today() -> object:
    with time_machine.travel(dt.datetime(2026, 3, 10, 20, tzinfo=dt.UTC), tick=False) as traveller:
        yield traveller


def _create(world: World, **overrides: object) -> Youth:
    values: dict[str, object] = {
        "by": world.screener,
        "agency": world.agency_a,
        "first_name": " Zoë ",
        "last_name": "Quintanilla",
        "date_of_birth": dt.date(2012, 7, 1),
        "gender_identity": "prefers_not_to_say",
    }
    values.update(overrides)
    return youth_create(**values)  # type: ignore[arg-type]


def _assert_no_names_in_audit() -> None:
    text = json.dumps(list(AuditEvent.objects.values("detail", "object_id", "path")))
    for name in NAMES:
        assert name.lower() not in text.lower()


def _assert_nothing_written() -> None:
    assert not Youth.objects.exists()
    assert not IntakeEpisode.objects.exists()
    assert not YouthNameToken.objects.exists()
    assert not AuditEvent.objects.exists()


# --- create --------------------------------------------------------------------------------------------


def test_create_stores_everything_and_audits_without_names(world: World) -> None:
    request = RequestFactory().post(
        "/youth/new", REMOTE_ADDR="192.0.2.7", HTTP_USER_AGENT="Firefox"
    )
    youth = _create(
        world,
        gender_self_description="",
        aliases=["Zo Q", " ", "Zo Q"],
        race_ethnicity=["hispanic", "black", "hispanic"],
        preferred_language="Spanish",
        case_number=" CW-1 ",
        high_risk=True,
        contact={"phone": " 555-0100 ", "address": None},
        notes="Placed with aunt.",
        intake_on=dt.date(2026, 3, 1),
        program="Foster care",
        context=AuditContext.from_request(request),
    )
    youth = Youth.objects.get(pk=youth.pk)
    assert (youth.first_name, youth.last_name) == ("Zoë", "Quintanilla")
    assert youth.aliases == ["Zo Q"]
    assert youth.race_ethnicity == ["hispanic", "black"]
    assert youth.gender_self_description is None
    assert youth.case_number == "CW-1"
    assert youth.high_risk is True
    assert youth.contact == {"phone": "555-0100", "address": None}
    assert youth.notes == "Placed with aunt."
    assert youth.created_by == world.screener
    intake = IntakeEpisode.objects.get(youth=youth)
    assert (intake.intake_on, intake.program, intake.agency) == (
        dt.date(2026, 3, 1),
        "Foster care",
        world.agency_a,
    )
    stored = set(youth.name_tokens.values_list("digest", flat=True))
    assert stored == digests(stored_tokens("Zoë", "Quintanilla", "Zo Q"), key=search_key())

    created, opened = AuditEvent.objects.order_by("id")
    assert (created.action, created.object_type, created.object_id) == (
        AuditAction.CREATE,
        "youth",
        str(youth.pk),
    )
    assert (opened.object_type, opened.object_id) == ("intakeepisode", str(intake.pk))
    for event in (created, opened):
        assert event.actor == world.screener
        assert event.agency == world.agency_a
        assert event.youth_id == youth.pk
        assert (event.ip_address, event.user_agent, event.path) == (
            "192.0.2.7",
            "Firefox",
            "/youth/new",
        )
    _assert_no_names_in_audit()


def test_create_without_intake(world: World) -> None:
    youth = _create(world)
    assert not youth.intakes.exists()
    assert AuditEvent.objects.count() == 1


@pytest.mark.parametrize(
    "persona", ["agency_admin", "analyst", "researcher", "system_admin", "outsider"]
)
def test_only_caseworkers_of_the_agency_create(world: World, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        _create(world, by=getattr(world, persona), intake_on=dt.date(2026, 3, 1))
    _assert_nothing_written()


def test_supervisor_creates(world: World) -> None:
    assert _create(world, by=world.supervisor).created_by == world.supervisor


@pytest.mark.parametrize(
    ("overrides", "message", "field"),
    [
        ({"first_name": "   "}, errors.FIRST_NAME_REQUIRED, "first_name"),
        ({"last_name": ""}, errors.LAST_NAME_REQUIRED, "last_name"),
        ({"last_name": None}, errors.NOT_TEXT, "last_name"),
        ({"first_name": "x" * 201}, errors.TEXT_TOO_LONG, "first_name"),
        ({"date_of_birth": dt.date(2026, 3, 11)}, errors.BIRTH_IN_FUTURE, "date_of_birth"),
        ({"date_of_birth": dt.date(2000, 3, 10)}, errors.BIRTH_TOO_LONG_AGO, "date_of_birth"),
        ({"date_of_birth": "2012-07-01"}, errors.NOT_A_DATE, "date_of_birth"),
        (
            {"date_of_birth": dt.datetime(2012, 7, 1, tzinfo=dt.UTC)},
            errors.NOT_A_DATE,
            "date_of_birth",
        ),
        ({"gender_identity": "female"}, errors.UNKNOWN_GENDER_IDENTITY, "gender_identity"),
        ({"gender_identity": ""}, errors.UNKNOWN_GENDER_IDENTITY, "gender_identity"),
        ({"race_ethnicity": ["martian"]}, errors.UNKNOWN_RACE_ETHNICITY, "race_ethnicity"),
        ({"race_ethnicity": "white"}, errors.NOT_A_LIST, "race_ethnicity"),
        (
            {"race_ethnicity": ["white", "prefers_not_to_say"]},
            errors.RACE_ETHNICITY_EXCLUSIVE,
            "race_ethnicity",
        ),
        ({"aliases": "Lexi"}, errors.NOT_A_LIST, "aliases"),
        ({"aliases": ["Lexi", 7]}, errors.NOT_TEXT, "aliases"),
        ({"high_risk": "yes"}, errors.NOT_YES_NO, "high_risk"),
        ({"high_risk": 1}, errors.NOT_YES_NO, "high_risk"),
        ({"contact": ["555-0100"]}, errors.CONTACT_INVALID, "contact"),
        ({"contact": {"phone": 5550100}}, errors.CONTACT_INVALID, "contact"),
        ({"case_number": "x" * 65}, errors.TEXT_TOO_LONG, "case_number"),
        ({"notes": 3}, errors.NOT_TEXT, "notes"),
        ({"intake_on": dt.date(2026, 3, 11)}, errors.INTAKE_IN_FUTURE, "intake_on"),
        ({"intake_on": dt.date(2012, 6, 30)}, errors.INTAKE_BEFORE_BIRTH, "intake_on"),
        ({"intake_on": dt.date(2026, 1, 1), "program": "x" * 101}, errors.TEXT_TOO_LONG, "program"),
    ],
)
def test_create_validation_writes_nothing(
    world: World, overrides: dict[str, object], message: str, field: str
) -> None:
    with pytest.raises(YouthError) as caught:
        _create(world, **overrides)
    assert (caught.value.message, caught.value.field) == (message, field)
    _assert_nothing_written()


def test_oldest_allowed_age_is_25(world: World) -> None:
    assert _create(world, date_of_birth=dt.date(2000, 3, 11)).age_on(TODAY) == 25
    assert _create(world, date_of_birth=TODAY).age_on(TODAY) == 0


def test_today_follows_the_agency_time_zone(world: World) -> None:
    # 05:00 UTC on the 11th is still the evening of the 10th in Los Angeles (TIME_ZONE).
    with (
        time_machine.travel(dt.datetime(2026, 3, 11, 5, tzinfo=dt.UTC), tick=False),
        pytest.raises(YouthError, match=errors.BIRTH_IN_FUTURE),
    ):
        _create(world, date_of_birth=dt.date(2026, 3, 11))


def test_every_gender_identity_and_race_option_is_accepted(world: World) -> None:
    from sightline.youth.models import GenderIdentity, RaceEthnicity

    for gender in GenderIdentity.values:
        _create(world, gender_identity=gender)
    for race in RaceEthnicity.values:
        _create(world, race_ethnicity=[race])
    assert Youth.objects.count() == len(GenderIdentity.values) + len(RaceEthnicity.values)


def test_failure_after_the_first_write_rolls_everything_back(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sightline.youth.services as services

    def broken(**_: object) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        _create(world, intake_on=dt.date(2026, 3, 1))
    _assert_nothing_written()


# --- update --------------------------------------------------------------------------------------------


def test_update_changes_values_refreshes_tokens_and_audits_field_names(world: World) -> None:
    youth = _create(world, aliases=["Zo Q"])
    before = AuditEvent.objects.count()
    updated = youth_update(
        youth=youth,
        by=world.supervisor,
        last_name="Quintanilla-Reyes",
        notes="New placement",
        high_risk=False,  # unchanged: not reported
        contact={"phone": "555-0199"},
    )
    assert updated.last_name == "Quintanilla-Reyes"
    assert Youth.objects.get(pk=youth.pk).notes == "New placement"
    assert set(youth.name_tokens.values_list("digest", flat=True)) == digests(
        stored_tokens("Zoë", "Quintanilla-Reyes", "Zo Q"), key=search_key()
    )
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert (event.action, event.actor, event.youth_id, event.agency) == (
        AuditAction.CHANGE,
        world.supervisor,
        youth.pk,
        world.agency_a,
    )
    assert event.detail == {"fields": ["contact", "last_name", "notes"]}
    _assert_no_names_in_audit()
    assert "reyes" not in json.dumps(event.detail).lower()


def test_update_with_no_real_change_writes_nothing(world: World) -> None:
    youth = _create(world, high_risk=True, contact={"n": "1"})
    before = AuditEvent.objects.count()
    youth_update(
        youth=youth, by=world.screener, first_name="Zoë ", high_risk=True, contact={"n": "1"}
    )
    assert AuditEvent.objects.count() == before


def test_update_keeps_true_apart_from_one(world: World) -> None:
    youth = _create(world, contact={"phone": "1"})
    updated = youth_update(youth=youth, by=world.screener, contact={"phone": None})
    assert updated.contact == {"phone": None}


def test_update_validates_only_the_given_fields(world: World) -> None:
    youth = _create(world, date_of_birth=dt.date(2001, 1, 1))
    with time_machine.travel(dt.date(2030, 1, 1), tick=False):
        youth_update(youth=youth, by=world.screener, notes="still editable at 29")
        with pytest.raises(YouthError, match=errors.BIRTH_TOO_LONG_AGO):
            youth_update(youth=youth, by=world.screener, date_of_birth=dt.date(2001, 1, 2))


@pytest.mark.parametrize(
    ("changes", "message", "field"),
    [
        ({"first_name": " "}, errors.FIRST_NAME_REQUIRED, "first_name"),
        ({"gender_identity": "x"}, errors.UNKNOWN_GENDER_IDENTITY, "gender_identity"),
        ({"agency": 3}, errors.UNKNOWN_FIELD, "agency"),
        ({"created_by": 1}, errors.UNKNOWN_FIELD, "created_by"),
        ({"pseudonym": "x"}, errors.UNKNOWN_FIELD, "pseudonym"),
        ({"aliases": "Zo"}, errors.NOT_A_LIST, "aliases"),
    ],
)
def test_update_validation_writes_nothing(
    world: World, changes: dict[str, object], message: str, field: str
) -> None:
    youth = _create(world)
    before = AuditEvent.objects.count()
    tokens = set(youth.name_tokens.values_list("digest", flat=True))
    with pytest.raises(YouthError) as caught:
        youth_update(youth=youth, by=world.screener, **changes)
    assert (caught.value.message, caught.value.field) == (message, field)
    assert AuditEvent.objects.count() == before
    assert set(youth.name_tokens.values_list("digest", flat=True)) == tokens
    fresh = Youth.objects.get(pk=youth.pk)
    assert (fresh.first_name, fresh.gender_identity, fresh.agency_id) == (
        "Zoë",
        "prefers_not_to_say",
        world.agency_a.pk,
    )


@pytest.mark.parametrize(
    ("persona", "error"),
    [
        ("outsider", Http404),
        ("analyst", PermissionDenied),
        ("agency_admin", PermissionDenied),
        ("system_admin", PermissionDenied),
    ],
)
def test_update_needs_edit_access(world: World, persona: str, error: type[Exception]) -> None:
    youth = _create(world)
    before = AuditEvent.objects.count()
    with pytest.raises(error):
        youth_update(youth=youth, by=getattr(world, persona), notes="x")
    assert AuditEvent.objects.count() == before
    assert Youth.objects.get(pk=youth.pk).notes is None


# --- intakes -------------------------------------------------------------------------------------------


def test_intake_open_and_close(world: World) -> None:
    youth = _create(world)
    intake = intake_open(
        youth=youth, by=world.screener, intake_on=dt.date(2026, 1, 5), program="Probation"
    )
    assert (intake.agency, intake.created_by, intake.exit_on) == (
        world.agency_a,
        world.screener,
        None,
    )
    closed = intake_close(intake=intake, by=world.supervisor, exit_on=dt.date(2026, 2, 1))
    assert IntakeEpisode.objects.get(pk=intake.pk).exit_on == dt.date(2026, 2, 1) == closed.exit_on
    opened_event, closed_event = AuditEvent.objects.filter(object_type="intakeepisode").order_by(
        "id"
    )
    assert (opened_event.action, closed_event.action) == (AuditAction.CREATE, AuditAction.CHANGE)
    assert closed_event.detail == {"fields": ["exit_on", "exit_reason"], "exit_reason": ""}
    assert closed_event.actor == world.supervisor
    assert closed_event.youth_id == youth.pk
    # Re-intake on the exit day (a transfer) is allowed; before it is not.
    intake_open(youth=youth, by=world.screener, intake_on=dt.date(2026, 2, 1))


def _intake_state() -> tuple[int, int]:
    return IntakeEpisode.objects.count(), AuditEvent.objects.count()


def test_intake_refused_while_one_is_open(world: World) -> None:
    youth = _create(world, intake_on=dt.date(2026, 1, 5))
    state = _intake_state()
    with pytest.raises(YouthError, match=errors.INTAKE_ALREADY_OPEN):
        intake_open(youth=youth, by=world.screener, intake_on=dt.date(2026, 3, 1))
    assert _intake_state() == state


def test_intake_refused_when_it_overlaps_an_earlier_episode(world: World) -> None:
    youth = _create(world, intake_on=dt.date(2026, 1, 5))
    intake_close(intake=youth.intakes.get(), by=world.screener, exit_on=dt.date(2026, 2, 1))
    state = _intake_state()
    for day in (dt.date(2026, 1, 31), dt.date(2025, 12, 1)):
        with pytest.raises(YouthError, match=errors.INTAKE_OVERLAPS):
            intake_open(youth=youth, by=world.screener, intake_on=day)
    assert _intake_state() == state


@pytest.mark.parametrize(
    ("intake_on", "message"),
    [
        (dt.date(2026, 3, 11), errors.INTAKE_IN_FUTURE),
        (dt.date(2012, 6, 30), errors.INTAKE_BEFORE_BIRTH),
        ("2026-01-01", errors.NOT_A_DATE),
    ],
)
def test_intake_date_rules(world: World, intake_on: object, message: str) -> None:
    youth = _create(world)
    state = _intake_state()
    with pytest.raises(YouthError, match=message):
        intake_open(youth=youth, by=world.screener, intake_on=intake_on)  # type: ignore[arg-type]
    assert _intake_state() == state


@pytest.mark.parametrize(
    ("exit_on", "message"),
    [
        (dt.date(2026, 1, 4), errors.EXIT_BEFORE_INTAKE),
        (dt.date(2026, 3, 11), errors.EXIT_IN_FUTURE),
        (None, errors.NOT_A_DATE),
    ],
)
def test_exit_date_rules(world: World, exit_on: object, message: str) -> None:
    youth = _create(world, intake_on=dt.date(2026, 1, 5))
    state = _intake_state()
    with pytest.raises(YouthError, match=message):
        intake_close(intake=youth.intakes.get(), by=world.screener, exit_on=exit_on)  # type: ignore[arg-type]
    assert _intake_state() == state
    assert youth.intakes.get().exit_on is None


def test_exit_on_the_intake_day_is_allowed_and_closing_twice_is_not(world: World) -> None:
    youth = _create(world, intake_on=dt.date(2026, 1, 5))
    intake = intake_close(
        intake=youth.intakes.get(), by=world.screener, exit_on=dt.date(2026, 1, 5)
    )
    state = _intake_state()
    with pytest.raises(YouthError, match=errors.INTAKE_ALREADY_CLOSED):
        intake_close(intake=intake, by=world.screener, exit_on=dt.date(2026, 3, 1))
    assert _intake_state() == state


@pytest.mark.parametrize("persona", ["outsider", "analyst", "researcher", "agency_admin"])
def test_intakes_need_edit_access(world: World, persona: str) -> None:
    youth = _create(world, intake_on=dt.date(2026, 1, 5))
    state = _intake_state()
    with pytest.raises(Http404 if persona == "outsider" else PermissionDenied):
        intake_close(intake=youth.intakes.get(), by=getattr(world, persona), exit_on=TODAY)
    with pytest.raises(Http404 if persona == "outsider" else PermissionDenied):
        intake_open(youth=youth, by=getattr(world, persona), intake_on=TODAY)
    assert _intake_state() == state


def test_an_unknown_exit_reason_is_refused_and_nothing_written(world: World) -> None:
    youth = _create(world, intake_on=dt.date(2026, 1, 5))
    state = _intake_state()
    with pytest.raises(YouthError) as untold:
        intake_close(
            intake=youth.intakes.get(), by=world.screener, exit_on=TODAY, exit_reason="other"
        )
    assert untold.value.code == errors.EXIT_REASON_TEXT_REQUIRED
    with pytest.raises(YouthError) as refused:
        intake_close(
            intake=youth.intakes.get(), by=world.screener, exit_on=TODAY, exit_reason="bored"
        )
    assert (refused.value.code, refused.value.field) == (errors.EXIT_REASON_UNKNOWN, "exit_reason")
    assert _intake_state() == state


def test_the_exit_reason_is_stored_and_audited_by_code(world: World) -> None:
    youth = _create(world, intake_on=dt.date(2026, 1, 5))
    closed = intake_close(
        intake=youth.intakes.get(), by=world.screener, exit_on=TODAY, exit_reason="aged_out"
    )
    assert (closed.exit_reason, closed.exit_reason_text) == ("aged_out", "")
    event = AuditEvent.objects.filter(object_type="intakeepisode").order_by("pk").last()
    assert event is not None and event.detail["exit_reason"] == "aged_out"


def test_an_open_intake_cannot_carry_an_exit_reason(world: World) -> None:
    from django.db import IntegrityError, transaction

    youth = _create(world, intake_on=dt.date(2026, 1, 5))
    with pytest.raises(IntegrityError), transaction.atomic():
        IntakeEpisode.objects.filter(youth=youth).update(exit_reason="runaway")
    with pytest.raises(IntegrityError), transaction.atomic():
        IntakeEpisode.objects.filter(youth=youth).update(exit_on=TODAY, exit_reason="other")


def test_reindexing_rewrites_every_youths_tokens(world: World) -> None:
    from sightline.youth.services import youth_reindex_names

    youth = _create(world)
    YouthNameToken.objects.filter(youth=youth).delete()
    other = _create(world, first_name="Søren", last_name="Łukasz")
    assert youth_reindex_names(batch_size=1) == Youth.objects.count() == 2
    stored = set(youth.name_tokens.values_list("digest", flat=True))
    assert stored == digests(stored_tokens("Zoë", "Quintanilla"), key=search_key())
    assert set(other.name_tokens.values_list("digest", flat=True)) == digests(
        stored_tokens("Søren", "Łukasz"), key=search_key()
    )
