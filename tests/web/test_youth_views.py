"""Youth pages: list and search, add (with the duplicate warning), detail, edit and intakes.

Personas in every test group: the screener of agency A, the outsider screener of agency B, and the
roles of A that may not see identified records (analyst, researcher, agency admin, system admin).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sightline.audit.models import AuditAction, AuditEvent
from sightline.web.youth_forms import EXIT_REASON_REQUIRED
from sightline.youth import errors
from sightline.youth.models import IntakeEpisode, Youth
from sightline.youth.services import intake_close
from tests import factories
from tests.conftest import World
from tests.web.pages import page_text as _text
from tests.web.pages import signed_in as _as

pytestmark = pytest.mark.django_db

NO_CASEWORK = ["analyst", "researcher", "agency_admin", "system_admin"]
NOTHING_SAVED = "Nothing was saved"


def _new_youth_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "first_name": "Maya",
        "last_name": "Okafor",
        "aliases": "May, Mimi",
        "date_of_birth": "2011-03-09",
        "gender_identity": "girl",
        "gender_self_description": "",
        "race_ethnicity": ["black", "hispanic"],
        "preferred_language": "English",
        "case_number": "CW-2026-0042",
        "phone": "555-0100",
        "address": "",
        "notes": "Met at intake.",
        "intake_on": "2026-01-10",
        "program": "Foster care",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _audit_rows() -> list[AuditEvent]:
    return list(AuditEvent.objects.order_by("pk"))


@pytest.fixture
def maria(world: World) -> Youth:
    return factories.registered_youth(
        world.agency_a,
        by=world.screener,
        first_name="María",
        last_name="Lopez",
        date_of_birth=dt.date(2010, 5, 17),
        case_number="CW-17",
        high_risk=True,
        intake_on=dt.date(2026, 1, 5),
        program="Residential",
    )


# --- list and search ------------------------------------------------------------------------------


def test_list_shows_the_agencys_youth_with_dob_case_intake_and_risk(
    client: Client, world: World, maria: Youth
) -> None:
    factories.registered_youth(world.agency_b, by=world.outsider, first_name="Bea", last_name="Far")
    response = _as(client, world.screener).get(reverse("web:youth-list"))
    assert response.status_code == 200
    text = _text(response)
    assert "Lopez, María" in text
    assert "2010-05-17" in text
    assert f"age {maria.age_on(timezone.localdate())}" in text
    assert "CW-17" in text
    assert "Since 2026-01-05 · Residential" in text
    assert "High risk" in text
    assert "Far" not in text
    assert reverse("web:youth-detail", args=[maria.pk]) in response.content.decode()


def test_list_is_paginated_25_a_page(client: Client, world: World) -> None:
    for n in range(27):
        factories.youth(world.agency_a, created_by=world.screener, last_name=f"Zed{n:02d}")
    first = _as(client, world.screener).get(reverse("web:youth-list"))
    assert _text(first).count("Zed") == 25
    assert "Page 1 of 2" in _text(first)
    second = client.get(reverse("web:youth-list"), {"page": 2})
    assert _text(second).count("Zed") == 2


def test_empty_list_invites_adding_the_first_youth(client: Client, world: World) -> None:
    response = _as(client, world.screener).get(reverse("web:youth-list"))
    assert "No youth records yet." in _text(response)
    assert reverse("web:youth-create") in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"name": "maria"},
        {"name": "LOPEZ"},
        {"case_number": "cw-17"},
        {"date_of_birth": "2010-05-17"},
    ],
)
def test_search_finds_by_name_case_number_or_date_of_birth(
    client: Client, world: World, maria: Youth, query: dict[str, str]
) -> None:
    factories.registered_youth(
        world.agency_a,
        by=world.screener,
        first_name="Other",
        last_name="Person",
        date_of_birth=dt.date(2012, 1, 1),
    )
    text = _text(_as(client, world.screener).post(reverse("web:youth-list"), query))
    assert "Search results (1)" in text
    assert "Lopez, María" in text
    assert "Person" not in text


def test_search_matches_the_start_of_names_and_says_how_it_matches(
    client: Client, world: World, maria: Youth
) -> None:
    found = _text(_as(client, world.screener).post(reverse("web:youth-list"), {"name": "Lop"}))
    assert "Lopez, María" in found
    text = _text(client.post(reverse("web:youth-list"), {"name": "opez"}))
    assert "No youth match this search." in text
    assert "from the start of a name" in text


def test_search_never_finds_another_agencys_youth(
    client: Client, world: World, maria: Youth
) -> None:
    text = _text(_as(client, world.outsider).post(reverse("web:youth-list"), {"name": "Maria"}))
    assert "No youth match this search." in text
    assert "Lopez" not in text


def test_a_search_is_audited_with_the_keys_but_never_the_values(
    client: Client, world: World, maria: Youth
) -> None:
    _as(client, world.screener).post(
        reverse("web:youth-list"), {"name": "Maria", "case_number": "CW-17"}
    )
    event = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert event.actor == world.screener
    assert event.detail["keys"] == ["name", "case_number"]
    stored = json.dumps(event.detail) + event.path
    assert event.path == reverse("web:youth-list")
    for value in ("CW-17", "Maria", "Lopez"):
        assert value not in stored


def test_the_search_form_posts_so_names_never_appear_in_urls(client: Client, world: World) -> None:
    body = _as(client, world.screener).get(reverse("web:youth-list")).content.decode()
    assert '<form method="post" action="/youth/" class="search-form"' in body
    assert 'name="csrfmiddlewaretoken"' in body


def test_search_results_page_on_with_the_search_kept(client: Client, world: World) -> None:
    for n in range(27):
        factories.registered_youth(
            world.agency_a, by=world.screener, first_name="Sam", last_name=f"Twin{n}"
        )
    client = _as(client, world.screener)
    first = client.post(reverse("web:youth-list"), {"name": "sam"})
    assert "Search results (27)" in _text(first)
    assert '<input type="hidden" name="name" value="sam">' in first.content.decode()
    second = client.post(reverse("web:youth-list"), {"name": "sam", "page": "2"})
    assert "Page 2 of 2" in _text(second)
    assert _text(second).count("Twin") == 2


def test_an_invalid_date_of_birth_is_shown_and_lists_nobody(
    client: Client, world: World, maria: Youth
) -> None:
    response = _as(client, world.screener).post(
        reverse("web:youth-list"), {"date_of_birth": "17/05/2010x"}
    )
    assert response.status_code == 400
    assert "Enter a valid date." in _text(response)
    assert "Lopez" not in _text(response)


@pytest.mark.parametrize("persona", NO_CASEWORK)
def test_roles_without_casework_see_an_empty_list_without_names(
    client: Client, world: World, maria: Youth, persona: str
) -> None:
    response = _as(client, getattr(world, persona)).post(
        reverse("web:youth-list"), {"name": "Maria"}
    )
    assert response.status_code == 200
    assert "Lopez" not in _text(response)
    listing = client.get(reverse("web:youth-list"))
    assert "Lopez" not in _text(listing)
    assert "No youth records are available to you." in _text(listing)


# --- add -------------------------------------------------------------------------------------------


def test_add_form_has_labelled_fields_and_picks_the_only_agency(
    client: Client, world: World
) -> None:
    response = _as(client, world.screener).get(reverse("web:youth-create"))
    assert response.status_code == 200
    body = response.content.decode()
    for field in ("first_name", "last_name", "date_of_birth", "case_number", "intake_on", "phone"):
        assert f'for="id_{field}"' in body
    assert 'type="checkbox" name="race_ethnicity"' in body
    assert 'name="agency"' not in body


def test_adding_a_youth_creates_it_with_intake_and_audit_then_shows_it(
    client: Client, world: World
) -> None:
    response = _as(client, world.screener).post(reverse("web:youth-create"), _new_youth_form())
    youth = Youth.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("web:youth-detail", args=[youth.pk])
    assert (youth.first_name, youth.last_name, youth.agency) == ("Maya", "Okafor", world.agency_a)
    assert youth.aliases == ["May", "Mimi"]
    assert youth.race_ethnicity == ["black", "hispanic"]
    assert youth.contact == {"phone": "555-0100", "address": None}
    intake = IntakeEpisode.objects.get(youth=youth)
    assert (intake.intake_on, intake.program) == (dt.date(2026, 1, 10), "Foster care")
    created = AuditEvent.objects.filter(action=AuditAction.CREATE, youth_id=youth.pk)
    assert {e.object_type for e in created} == {"youth", "intakeepisode"}
    for event in created:
        assert "Maya" not in json.dumps(event.detail) and "Okafor" not in json.dumps(event.detail)


def test_a_member_of_two_casework_agencies_chooses_one(client: Client, world: World) -> None:
    from sightline.tenancy.models import Membership, Role

    Membership.objects.create(user=world.screener, agency=world.agency_b, role=Role.SCREENER)
    client = _as(client, world.screener)
    assert 'name="agency"' in client.get(reverse("web:youth-create")).content.decode()
    missing = client.post(reverse("web:youth-create"), _new_youth_form())
    assert missing.status_code == 400
    assert not Youth.objects.exists()
    client.post(reverse("web:youth-create"), _new_youth_form(agency=str(world.agency_b.pk)))
    assert Youth.objects.get().agency == world.agency_b


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"first_name": ""}, "This field is required."),
        ({"date_of_birth": "not-a-date"}, "Enter a valid date."),
        ({"date_of_birth": "1990-01-01"}, errors.BIRTH_TOO_LONG_AGO),
        ({"race_ethnicity": ["black", "unknown"]}, errors.RACE_ETHNICITY_EXCLUSIVE),
        ({"intake_on": "2009-01-01"}, errors.INTAKE_BEFORE_BIRTH),
    ],
)
def test_invalid_input_re_renders_with_the_message_and_writes_nothing(
    client: Client, world: World, overrides: dict[str, Any], message: str
) -> None:
    before = _audit_rows()
    response = _as(client, world.screener).post(
        reverse("web:youth-create"), _new_youth_form(**overrides)
    )
    assert response.status_code == 400
    text = _text(response)
    assert message in text
    assert NOTHING_SAVED in text
    assert 'value="Okafor"' in response.content.decode() or overrides.get("last_name") == ""
    assert not Youth.objects.exists()
    assert not IntakeEpisode.objects.exists()
    assert _audit_rows() == before


def test_a_likely_duplicate_is_shown_before_anything_is_created(
    client: Client, world: World, maria: Youth
) -> None:
    form = _new_youth_form(first_name="Maria", last_name="Lopez-Diaz", date_of_birth="2010-05-17")
    form["case_number"] = ""
    client = _as(client, world.screener)
    before = _audit_rows()
    warned = client.post(reverse("web:youth-create"), form)
    assert warned.status_code == 400
    text = _text(warned)
    assert "This youth may already have a record" in text
    assert "Lopez, María" in text
    assert reverse("web:youth-detail", args=[maria.pk]) in warned.content.decode()
    assert "This is a different youth — create anyway" in text
    assert Youth.objects.count() == 1
    assert _audit_rows() == before

    created = client.post(reverse("web:youth-create"), {**form, "confirm_different": "on"})
    assert created.status_code == 302
    assert Youth.objects.count() == 2


def test_the_same_case_number_is_a_likely_duplicate(
    client: Client, world: World, maria: Youth
) -> None:
    response = _as(client, world.screener).post(
        reverse("web:youth-create"), _new_youth_form(case_number="cw-17")
    )
    assert "This youth may already have a record" in _text(response)
    assert Youth.objects.count() == 1


@pytest.mark.parametrize("persona", NO_CASEWORK)
def test_roles_without_casework_cannot_add_youth(
    client: Client, world: World, persona: str
) -> None:
    client = _as(client, getattr(world, persona))
    assert client.get(reverse("web:youth-create")).status_code == 403
    assert client.post(reverse("web:youth-create"), _new_youth_form()).status_code == 403
    assert not Youth.objects.exists()


# --- detail ----------------------------------------------------------------------------------------


def test_detail_shows_identity_intakes_and_every_screening_version(
    client: Client, world: World, maria: Youth
) -> None:
    original = factories.screening(
        maria, screener=world.screener, status="final", screened_on=dt.date(2026, 1, 6)
    )
    amendment = factories.screening(
        maria,
        screener=world.screener,
        status="final",
        screened_on=dt.date(2026, 1, 6),
        chain=original.chain,
        amends=original,
        amendment_reason="Typo",
    )
    draft = factories.screening(maria, screener=world.screener, screened_on=dt.date(2026, 2, 2))
    response = _as(client, world.screener).get(reverse("web:youth-detail", args=[maria.pk]))
    assert response.status_code == 200
    text = _text(response)
    body = response.content.decode()
    assert "María Lopez" in text
    assert "2010-05-17" in text
    assert "CW-17" in text
    assert "Residential" in text and "Open" in text
    for version in (original, amendment, draft):
        assert reverse("web:screening-detail", args=[version.pk]) in body
    assert "Superseded" in text
    assert "Current" in text
    assert "Draft" in text
    assert "CSE-IT 2.0 (version 2.0-sightline.2)" in text
    assert "Clear concern" in text or "No concern" in text
    assert reverse("web:screening-start", args=[maria.pk]) in body


def test_viewing_a_youth_is_audited_without_the_name(
    client: Client, world: World, maria: Youth
) -> None:
    _as(client, world.screener).get(reverse("web:youth-detail", args=[maria.pk]))
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert (event.actor, event.youth_id, event.agency_id) == (
        world.screener,
        maria.pk,
        maria.agency_id,
    )
    assert "Lopez" not in json.dumps(event.detail) and "Mar" not in json.dumps(event.detail)


def test_a_supervisor_of_the_agency_sees_the_youth(
    client: Client, world: World, maria: Youth
) -> None:
    assert (
        _as(client, world.supervisor).get(reverse("web:youth-detail", args=[maria.pk])).status_code
        == 200
    )


@pytest.mark.parametrize("persona", ["outsider", *NO_CASEWORK])
@pytest.mark.parametrize("page", ["web:youth-detail", "web:youth-edit", "web:intake-open"])
def test_youth_pages_are_404_for_other_agencies_and_403_for_non_casework_roles(
    client: Client, world: World, maria: Youth, persona: str, page: str
) -> None:
    client = _as(client, getattr(world, persona))
    url = reverse(page, args=[maria.pk])
    expected = 404 if persona == "outsider" else 403
    before = _audit_rows()
    response = client.get(url)
    assert response.status_code == expected
    assert "Lopez" not in _text(response)
    if page != "web:youth-detail":  # the detail page is read-only (POST is 405 for everyone)
        assert client.post(url, _new_youth_form()).status_code == expected
    # Nothing was seen or changed; each refusal is itself recorded (issue 16), without a name.
    new = [event for event in _audit_rows() if event not in before]
    assert {event.action for event in new} == {AuditAction.DENIED}
    assert {(event.actor, event.object_type, event.object_id) for event in new} == {
        (getattr(world, persona), "youth", str(maria.pk))
    }
    assert all("Lopez" not in json.dumps(event.detail) for event in new)


def test_a_missing_youth_is_the_same_404(client: Client, world: World) -> None:
    assert (
        _as(client, world.screener).get(reverse("web:youth-detail", args=[999])).status_code == 404
    )


# --- edit ------------------------------------------------------------------------------------------


def test_edit_form_is_prefilled_and_saves_changes_through_the_service(
    client: Client, world: World, maria: Youth
) -> None:
    client = _as(client, world.screener)
    form_page = client.get(reverse("web:youth-edit", args=[maria.pk]))
    assert form_page.status_code == 200
    assert 'value="Lopez"' in form_page.content.decode()
    data = _new_youth_form(
        first_name="María",
        last_name="Lopez",
        date_of_birth="2010-05-17",
        case_number="CW-18",
        intake_on=None,
        program=None,
        lock_version=str(maria.lock_version),  # the hidden field the page carries
    )
    response = client.post(reverse("web:youth-edit", args=[maria.pk]), data)
    assert response.status_code == 302
    maria.refresh_from_db()
    assert maria.case_number == "CW-18"
    change = AuditEvent.objects.get(action=AuditAction.CHANGE, youth_id=maria.pk)
    assert "case_number" in change.detail["fields"]
    assert "CW-18" not in json.dumps(change.detail)


def test_an_invalid_edit_re_renders_and_changes_nothing(
    client: Client, world: World, maria: Youth
) -> None:
    before = _audit_rows()
    data = _new_youth_form(
        last_name="", date_of_birth="2010-05-17", intake_on=None, lock_version="0"
    )
    response = _as(client, world.screener).post(reverse("web:youth-edit", args=[maria.pk]), data)
    assert response.status_code == 400
    assert "This field is required." in _text(response)
    maria.refresh_from_db()
    assert maria.last_name == "Lopez"
    assert _audit_rows() == before


# --- intakes ---------------------------------------------------------------------------------------


def test_closing_and_reopening_an_intake(client: Client, world: World, maria: Youth) -> None:
    intake = IntakeEpisode.objects.get(youth=maria)
    client = _as(client, world.screener)
    assert client.get(reverse("web:intake-close", args=[intake.pk])).status_code == 200
    page = client.get(reverse("web:intake-close", args=[intake.pk])).content.decode()
    assert "Why did the intake end?" in page and "Aged out" in page
    closed = client.post(
        reverse("web:intake-close", args=[intake.pk]),
        {"exit_on": "2026-02-01", "exit_reason": "transferred"},
    )
    assert closed.status_code == 302
    intake.refresh_from_db()
    assert (intake.exit_on, intake.exit_reason) == (dt.date(2026, 2, 1), "transferred")

    opened = client.post(
        reverse("web:intake-open", args=[maria.pk]), {"intake_on": "2026-02-01", "program": "Home"}
    )
    assert opened.status_code == 302
    assert IntakeEpisode.objects.filter(youth=maria, exit_on__isnull=True).get().program == "Home"


def test_a_second_open_intake_is_refused_with_the_service_message(
    client: Client, world: World, maria: Youth
) -> None:
    before = _audit_rows()
    response = _as(client, world.screener).post(
        reverse("web:intake-open", args=[maria.pk]), {"intake_on": "2026-02-01"}
    )
    assert response.status_code == 400
    assert errors.INTAKE_ALREADY_OPEN in _text(response)
    assert IntakeEpisode.objects.filter(youth=maria).count() == 1
    assert _audit_rows() == before


def test_closing_before_the_intake_date_is_refused(
    client: Client, world: World, maria: Youth
) -> None:
    intake = IntakeEpisode.objects.get(youth=maria)
    response = _as(client, world.screener).post(
        reverse("web:intake-close", args=[intake.pk]),
        {"exit_on": "2025-12-31", "exit_reason": "aged_out"},
    )
    assert response.status_code == 400
    assert errors.EXIT_BEFORE_INTAKE in _text(response)
    intake.refresh_from_db()
    assert intake.exit_on is None


def test_closing_an_already_closed_intake_is_refused(
    client: Client, world: World, maria: Youth
) -> None:
    intake = IntakeEpisode.objects.get(youth=maria)
    intake_close(intake=intake, by=world.screener, exit_on=dt.date(2026, 1, 20))
    response = _as(client, world.screener).post(
        reverse("web:intake-close", args=[intake.pk]),
        {"exit_on": "2026-01-25", "exit_reason": "runaway"},
    )
    assert response.status_code == 400
    assert errors.INTAKE_ALREADY_CLOSED in _text(response)


def test_closing_asks_why_and_other_must_say_why(
    client: Client, world: World, maria: Youth
) -> None:
    intake = IntakeEpisode.objects.get(youth=maria)
    client = _as(client, world.screener)
    url = reverse("web:intake-close", args=[intake.pk])
    no_reason = client.post(url, {"exit_on": "2026-02-01"})
    assert no_reason.status_code == 400 and EXIT_REASON_REQUIRED in _text(no_reason)
    other = client.post(url, {"exit_on": "2026-02-01", "exit_reason": "other"})
    assert other.status_code == 400 and errors.EXIT_REASON_TEXT_REQUIRED in _text(other)
    intake.refresh_from_db()
    assert intake.exit_on is None
    said = client.post(
        url, {"exit_on": "2026-02-01", "exit_reason": "other", "exit_reason_text": "Adopted"}
    )
    assert said.status_code == 302
    intake.refresh_from_db()
    assert (intake.exit_reason, intake.exit_reason_text) == ("other", "Adopted")


@pytest.mark.parametrize("persona", ["outsider", *NO_CASEWORK])
def test_closing_an_intake_is_refused_outside_casework(
    client: Client, world: World, maria: Youth, persona: str
) -> None:
    """Another agency's intake is 404; one's own agency's, without a casework role, is 403."""
    intake = IntakeEpisode.objects.get(youth=maria)
    client = _as(client, getattr(world, persona))
    url = reverse("web:intake-close", args=[intake.pk])
    expected = 404 if persona == "outsider" else 403
    assert client.get(url).status_code == expected
    assert client.post(url, {"exit_on": "2026-02-01"}).status_code == expected
    intake.refresh_from_db()
    assert intake.exit_on is None


def test_the_list_and_detail_take_a_fixed_number_of_queries(
    client: Client, world: World, django_assert_max_num_queries: Any
) -> None:
    for n in range(25):
        youth = factories.youth(world.agency_a, created_by=world.screener, last_name=f"Q{n}")
    for n in range(3):
        factories.screening(youth, screener=world.screener, screened_on=dt.date(2026, 2, n + 1))
    client = _as(client, world.screener)
    # Session, user, the page's rows and intakes, the audit row, the navigation: never one per row.
    with django_assert_max_num_queries(10):
        assert client.get(reverse("web:youth-list")).status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(reverse("web:youth-detail", args=[youth.pk])).status_code == 200
