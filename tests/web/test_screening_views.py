"""Screening pages: start, draft (save, conflict, finalize), detail, amend, follow-up, summary and lists."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sightline import instruments
from sightline.audit.models import AuditEvent
from sightline.screenings import errors
from sightline.screenings.models import FollowUpAction, Screening
from sightline.tenancy.models import Role
from sightline.web.screening_views import SAVED_BUT_NOT_FINALIZED
from tests import factories
from tests.conftest import World
from tests.web.pages import page_text as _text

pytestmark = pytest.mark.django_db

NOT_LEGAL_EVIDENCE = (
    "This screening indicates a level of concern for follow-up. It is not legal evidence that "
    "commercial sexual exploitation or trafficking occurred."
)
FULL = "cse-it-2.0"


@pytest.fixture(autouse=True)
def _only_bundled_definitions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIGHTLINE_INSTRUMENT_DIRS", raising=False)


@pytest.fixture
def youth(world: World) -> Any:
    return factories.registered_youth(world.agency_a, by=world.screener)


@pytest.fixture
def draft(world: World, youth: Any) -> Screening:
    return factories.screening(youth, screener=world.screener, rating=None)


@pytest.fixture
def final(world: World, youth: Any) -> Screening:
    return factories.screening(youth, screener=world.screener, status="final", rating=1)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _definition(screening: Screening) -> Any:
    return instruments.load(f"{screening.instrument_id}@{screening.instrument_version}")


def _draft_data(screening: Screening, *, rating: str = "possible_concern", **extra: Any) -> dict:
    """A complete draft page post: every fact answered and every key indicator rated `rating`."""
    data: dict[str, Any] = {
        "lock_version": screening.lock_version,
        "reason": "intake",
        "reason_other": "",
        "information_sources": ["records", "observation"],
        "screener_role": "child_welfare_worker",
        "known_for": "under_month",
        "screened_on": "2026-02-02",
        "mode": "full",
        "notes": "",
    }
    for indicator in _definition(screening).indicators:
        data[f"rating-{indicator.id}"] = rating
    data.update(extra)
    return data


def _events(action: str, screening: Screening, user: Any) -> int:
    return AuditEvent.objects.filter(
        action=action, object_type="screening", object_id=str(screening.pk), actor=user
    ).count()


# --- access ----------------------------------------------------------------------------------------------


def _urls(youth: Any, screening: Screening, followup: FollowUpAction) -> list[tuple[str, str]]:
    """(method, url) for every screening page."""
    return [
        ("get", reverse("web:screening-start", args=[youth.pk])),
        ("get", reverse("web:screening-detail", args=[screening.pk])),
        ("get", reverse("web:screening-edit", args=[screening.pk])),
        ("post", reverse("web:screening-preview", args=[screening.pk])),
        ("get", reverse("web:screening-discard", args=[screening.pk])),
        ("post", reverse("web:screening-amend", args=[screening.pk])),
        ("get", reverse("web:screening-summary", args=[screening.pk])),
        ("post", reverse("web:followup-create", args=[screening.pk])),
        ("post", reverse("web:followup-complete", args=[followup.pk])),
        ("get", reverse("web:my-screenings")),
        ("get", reverse("web:agency-screenings")),
    ]


def _followup(world: World, screening: Screening) -> FollowUpAction:
    return FollowUpAction.objects.create(
        screening=screening,
        agency=screening.agency,
        kind="referral",
        owner=world.screener,
        due_on=dt.date(2026, 3, 1),
        created_by=world.screener,
    )


def test_every_page_sends_anonymous_visitors_to_sign_in(
    world: World, youth: Any, final: Screening
) -> None:
    client = Client()
    login = resolve_url(settings.LOGIN_URL)
    for method, url in _urls(youth, final, _followup(world, final)):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login), url


def test_another_agencys_screening_is_not_found_for_the_outsider(
    world: World, youth: Any, final: Screening
) -> None:
    client = _client(world.outsider)
    for method, url in _urls(youth, final, _followup(world, final))[:-2]:
        assert getattr(client, method)(url).status_code == 404, url
    assert _events("view", final, world.outsider) == 0
    assert Screening.objects.count() == 1


@pytest.mark.parametrize("persona", ["analyst", "researcher", "agency_admin", "system_admin"])
def test_roles_without_screening_access_at_the_agency_get_403(
    world: World, final: Screening, persona: str
) -> None:
    client = _client(getattr(world, persona))
    for name in ("web:screening-detail", "web:screening-edit", "web:screening-summary"):
        assert client.get(reverse(name, args=[final.pk])).status_code == 403, name
        assert client.get(reverse(name, args=[final.pk + 1000])).status_code == 404, name


# --- start and draft -------------------------------------------------------------------------------------


def test_start_page_offers_instruments_and_defaults_the_screener_role(
    world: World, youth: Any
) -> None:
    response = _client(world.screener).get(reverse("web:screening-start", args=[youth.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="child_welfare_worker" selected' in body
    definition = instruments.load(FULL)
    assert definition.contact in _text(response)
    assert "never read to the youth" in _text(response)


def test_start_page_preselects_the_instrument_of_the_agency_policy(
    world: World, youth: Any
) -> None:
    from sightline.scheduling.services import policy_create

    def checked() -> list[str]:
        response = _client(world.screener).get(reverse("web:screening-start", args=[youth.pk]))
        return re.findall(
            r'<input[^>]*name="instrument_id"[^>]*value="([^"]+)"[^>]*checked',
            response.content.decode(),
        )

    assert checked() == [FULL]
    policy_create(
        agency=world.agency_a,
        by=world.agency_admin,
        effective_from=timezone.localdate(),
        instrument_id="cse-it-brief",
    )
    assert checked() == ["cse-it-brief"]


def test_start_refuses_a_future_contact_date_and_writes_nothing(world: World, youth: Any) -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = _client(world.screener).post(
        reverse("web:screening-start", args=[youth.pk]),
        {"instrument_id": FULL, "screened_on": tomorrow.isoformat(), "mode": "full"},
    )
    assert response.status_code == 400
    assert errors.SCREENED_IN_FUTURE in _text(response)
    assert not Screening.objects.exists()


def test_screener_starts_saves_and_finalizes_a_screening(world: World, youth: Any) -> None:
    client = _client(world.screener)
    response = client.post(
        reverse("web:screening-start", args=[youth.pk]),
        {
            "instrument_id": FULL,
            "reason": "intake",
            "information_sources": ["records"],
            "screener_role": "clinician",
            "known_for": "under_week",
            "screened_on": "2026-02-02",
            "mode": "full",
        },
    )
    screening = Screening.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:screening-edit", args=[screening.pk])
    assert screening.status == "draft"
    assert screening.screener_role == "clinician"

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert _events("view", screening, world.screener) == 1
    assert "never read to the youth" in _text(page)

    saved = client.post(response["Location"], _draft_data(screening, notes="Seen at the shelter"))
    assert saved.status_code == 302
    screening.refresh_from_db()
    assert screening.lock_version == 1
    assert set(screening.indicator_ratings.values()) == {1}
    assert screening.notes == "Seen at the shelter"
    assert screening.status == "draft"

    finalized = client.post(response["Location"], {**_draft_data(screening), "finalize": "1"})
    assert finalized.status_code == 302
    assert finalized["Location"] == reverse("web:screening-detail", args=[screening.pk])
    screening.refresh_from_db()
    assert screening.status == "final"
    assert screening.level == "clear_concern"
    assert AuditEvent.objects.filter(action="finalize", object_id=str(screening.pk)).count() == 1

    detail = client.get(finalized["Location"])
    assert _definition(screening).level("clear_concern").label in _text(detail)


def test_finalize_without_training_shows_the_training_message(world: World, youth: Any) -> None:
    untrained = factories.member(world.agency_a, Role.SCREENER)
    screening = factories.screening(youth, screener=untrained, rating=None)
    response = _client(untrained).post(
        reverse("web:screening-edit", args=[screening.pk]),
        {**_draft_data(screening), "finalize": "1"},
    )
    assert response.status_code == 400
    text = _text(response)
    assert "You need current CSE-IT training" in text
    assert SAVED_BUT_NOT_FINALIZED in text
    screening.refresh_from_db()
    assert screening.status == "draft"
    assert screening.finalized_at is None
    assert not AuditEvent.objects.filter(action="finalize").exists()


def test_incomplete_finalize_lists_and_links_what_is_missing(
    world: World, draft: Screening
) -> None:
    definition = _definition(draft)
    data = _draft_data(draft, information_sources=[])
    last = definition.indicators[-1]
    data[f"rating-{last.id}"] = ""
    response = _client(world.screener).post(
        reverse("web:screening-edit", args=[draft.pk]), {**data, "finalize": "1"}
    )
    assert response.status_code == 400
    text = _text(response)
    body = response.content.decode()
    assert "cannot be finalized yet" in text
    number = len(definition.indicators)
    # One link per missing answer, at the top, to the indicator or field itself.
    assert (
        f'<a href="#indicator-{last.id}">Key indicator {number}: {last.title} is not rated</a>'
        in body
    )
    assert (
        '<a href="#id_information_sources_0">The information sources you used is not answered'
        in body
    )
    assert body.index('id="error-summary"') < body.index('id="facts-heading"')
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_stale_save_is_refused_and_keeps_the_users_input(world: World, draft: Screening) -> None:
    url = reverse("web:screening-edit", args=[draft.pk])
    first = _client(world.screener).post(url, _draft_data(draft, notes="First person's notes"))
    assert first.status_code == 302
    second = _client(world.supervisor).post(
        url, _draft_data(draft, rating="no_concern", notes="Second person's notes")
    )
    assert second.status_code == 409
    text = _text(second)
    assert errors.SCREENING_EDIT_CONFLICT in text
    assert "Second person's notes" in text  # the unsaved input is still on the page
    assert f'href="{url}"' in second.content.decode()  # the reload link
    draft.refresh_from_db()
    assert draft.notes == "First person's notes"
    assert set(draft.indicator_ratings.values()) == {1}
    assert draft.lock_version == 1


def test_an_unknown_rating_code_saves_nothing(world: World, draft: Screening) -> None:
    indicator = _definition(draft).indicators[0]
    response = _client(world.screener).post(
        reverse("web:screening-edit", args=[draft.pk]),
        _draft_data(draft, **{f"rating-{indicator.id}": "seven"}),
    )
    assert response.status_code == 400
    assert "Nothing was saved" in _text(response)
    draft.refresh_from_db()
    assert draft.lock_version == 0
    assert draft.indicator_ratings == {}


def test_fluent_mode_hides_statements_and_keeps_stored_answers(
    world: World, draft: Screening
) -> None:
    indicator = _definition(draft).indicators[0]
    statement = indicator.statements[0]
    url = reverse("web:screening-edit", args=[draft.pk])
    client = _client(world.screener)
    client.post(url, _draft_data(draft, **{f"statement-{statement.id}": "clearly_present"}))
    draft.refresh_from_db()
    assert draft.statement_answers == {statement.id: 2}

    client.post(url, _draft_data(draft, mode="fluent"))
    draft.refresh_from_db()
    assert draft.mode == "fluent"
    assert draft.statement_answers == {statement.id: 2}
    page = client.get(url)
    assert f'name="statement-{statement.id}"' not in page.content.decode()


def test_preview_scores_without_saving(world: World, draft: Screening) -> None:
    response = _client(world.screener).post(
        reverse("web:screening-preview", args=[draft.pk]),
        _draft_data(draft, rating="clear_concern"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Clear concern" in _text(response)
    assert "<html" not in response.content.decode()
    draft.refresh_from_db()
    assert draft.indicator_ratings == {}
    assert draft.lock_version == 0


def test_discarding_a_draft_voids_it(world: World, draft: Screening) -> None:
    url = reverse("web:screening-discard", args=[draft.pk])
    client = _client(world.screener)
    assert client.get(url).status_code == 200
    response = client.post(url, {"lock_version": draft.lock_version})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "voided"


def test_a_finalized_screening_cannot_be_edited(world: World, final: Screening) -> None:
    url = reverse("web:screening-edit", args=[final.pk])
    response = _client(world.screener).post(url, _draft_data(final, rating="no_concern"))
    assert response.status_code == 302
    final.refresh_from_db()
    assert set(final.indicator_ratings.values()) == {1}


# --- detail, amend, summary ------------------------------------------------------------------------------


def test_detail_shows_the_ratings_and_records_a_view(world: World, final: Screening) -> None:
    response = _client(world.supervisor).get(reverse("web:screening-detail", args=[final.pk]))
    assert response.status_code == 200
    text = _text(response)
    definition = _definition(final)
    assert definition.indicators[0].title in text
    assert definition.level(final.level).label in text
    assert "Unofficial wording" in text
    assert _events("view", final, world.supervisor) == 1


def test_amend_creates_a_new_version_and_leaves_the_original(
    world: World, final: Screening
) -> None:
    client = _client(world.screener)
    response = client.post(
        reverse("web:screening-amend", args=[final.pk]), {"reason": "Wrong indicator rated"}
    )
    amendment = Screening.objects.exclude(pk=final.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:screening-edit", args=[amendment.pk])
    assert amendment.amends_id == final.pk
    assert amendment.status == "draft"
    original = Screening.objects.get(pk=final.pk)
    assert original.status == "final"
    assert original.indicator_ratings == final.indicator_ratings

    page = _text(client.get(reverse("web:screening-detail", args=[final.pk])))
    assert f"Version #{final.pk}" in page
    assert f"Version #{amendment.pk}" in page
    assert "Continue the amendment" in page


def test_amend_needs_a_reason(world: World, final: Screening) -> None:
    response = _client(world.screener).post(
        reverse("web:screening-amend", args=[final.pk]), {"reason": ""}
    )
    assert response.status_code == 400
    assert Screening.objects.count() == 1


def test_followup_is_added_and_completed(world: World, final: Screening) -> None:
    client = _client(world.screener)
    detail = client.get(reverse("web:screening-detail", args=[final.pk]))
    for step in _definition(final).level(final.level).follow_up:
        assert step in _text(detail)

    added = client.post(
        reverse("web:followup-create", args=[final.pk]),
        {
            "kind": "supervisor_consult",
            "owner": world.supervisor.pk,
            "due_on": "2026-03-01",
            "description": "Talk it through",
        },
    )
    assert added.status_code == 302
    followup = FollowUpAction.objects.get()
    assert followup.owner == world.supervisor
    assert followup.description == "Talk it through"

    refused = client.post(
        reverse("web:followup-complete", args=[followup.pk]),
        {"completed_on": "2026-03-01", "outcome": ""},
    )
    assert refused.status_code == 400
    followup.refresh_from_db()
    assert followup.completed_on is None

    done = client.post(
        reverse("web:followup-complete", args=[followup.pk]),
        {"completed_on": "2026-03-01", "outcome": "Referred to the CSEC team"},
    )
    assert done.status_code == 302
    followup.refresh_from_db()
    assert followup.completed_on == dt.date(2026, 3, 1)
    assert followup.outcome == "Referred to the CSEC team"
    assert "Referred to the CSEC team" in _text(
        client.get(reverse("web:screening-detail", args=[final.pk]))
    )


def test_followup_owner_must_be_a_casework_member(world: World, final: Screening) -> None:
    response = _client(world.screener).post(
        reverse("web:followup-create", args=[final.pk]),
        {"kind": "referral", "owner": world.analyst.pk, "due_on": "2026-03-01"},
    )
    assert response.status_code == 400
    assert not FollowUpAction.objects.exists()


def test_summary_states_it_is_not_legal_evidence_and_records_a_print(
    world: World, youth: Any, final: Screening
) -> None:
    response = _client(world.screener).get(reverse("web:screening-summary", args=[final.pk]))
    assert response.status_code == 200
    text = _text(response)
    assert NOT_LEGAL_EVIDENCE in text
    assert "unofficial wording" in text
    assert youth.display_name in text
    assert str(youth.date_of_birth) in text
    assert _events("print", final, world.screener) == 1


# --- lists -----------------------------------------------------------------------------------------------


def test_my_screenings_filters_by_status_and_paginates(world: World, youth: Any) -> None:
    client = _client(world.screener)
    empty = client.get(reverse("web:my-screenings"))
    assert "No screenings here yet" in _text(empty)

    for _ in range(26):
        factories.screening(youth, screener=world.screener, rating=None)
    final = factories.screening(youth, screener=world.screener, status="final", rating=0)
    first = client.get(reverse("web:my-screenings"))
    assert "Page 1 of 2" in _text(first)
    finals = client.get(reverse("web:my-screenings") + "?status=final")
    assert reverse("web:screening-detail", args=[final.pk]) in finals.content.decode()
    assert "Page 1 of" not in _text(finals)
    assert "/edit/" not in finals.content.decode()  # no drafts listed
    assert client.get(reverse("web:my-screenings") + "?status=bogus").status_code == 400


def test_agency_overview_filters_for_a_supervisor(world: World, youth: Any) -> None:
    clear = factories.screening(youth, screener=world.screener, status="final", rating=2)
    none = factories.screening(youth, screener=world.supervisor, status="final", rating=0)
    client = _client(world.supervisor)
    url = reverse("web:agency-screenings")
    everything = client.get(url).content.decode()
    assert reverse("web:screening-detail", args=[clear.pk]) in everything
    assert reverse("web:screening-detail", args=[none.pk]) in everything
    # The instrument by its name in the table cell, not its raw id.
    assert "CSE-IT 2.0 version 2.0-sightline.2" in _text(client.get(url))

    filtered = client.get(url, {"level": "clear_concern", "screener": world.screener.pk})
    assert filtered.status_code == 200
    body = filtered.content.decode()
    assert reverse("web:screening-detail", args=[clear.pk]) in body
    assert reverse("web:screening-detail", args=[none.pk]) not in body

    later = client.get(url, {"date_from": "2026-03-01"})
    assert "No screenings match these filters" in _text(later)


@pytest.mark.parametrize("persona", ["screener", "analyst", "outsider"])
def test_agency_overview_is_only_for_supervisors(world: World, persona: str) -> None:
    response = _client(getattr(world, persona)).get(reverse("web:agency-screenings"))
    assert response.status_code == 403


# --- the jump list and autosave (issue 21) ---------------------------------------------------------------


def test_the_jump_list_marks_each_indicator_done_nei_or_not_rated(
    world: World, draft: Screening
) -> None:
    definition = _definition(draft)
    first, second = definition.indicators[0], definition.indicators[1]
    data = _draft_data(draft)
    nei = next(o.code for o in definition.indicator_scale if o.value == instruments.NEI)
    rated = next(o.code for o in definition.indicator_scale if o.value != instruments.NEI)
    client = _client(world.screener)
    url = reverse("web:screening-edit", args=[draft.pk])
    data = {k: v for k, v in data.items() if not k.startswith("rating-")}
    data[f"rating-{first.id}"] = rated
    data[f"rating-{second.id}"] = nei
    assert client.post(url, data).status_code == 302
    body = client.get(url).content.decode()
    assert f'href="#indicator-{first.id}" class="jump jump--done"' in body
    assert f'href="#indicator-{second.id}" class="jump jump--nei"' in body
    third = definition.indicators[2]
    assert f'href="#indicator-{third.id}" class="jump jump--not_rated"' in body
    assert body.index('aria-labelledby="jump-heading"') < body.index('id="facts-heading"')
    assert '<a href="#form-actions">Notes and save</a>' in body


def test_autosave_saves_with_the_version_check_and_returns_the_new_version(
    world: World, draft: Screening
) -> None:
    client = _client(world.screener)
    url = reverse("web:screening-autosave", args=[draft.pk])
    data = _draft_data(draft, notes="Typed, never submitted")
    old = draft.lock_version
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["X-Sightline-Saved"] == "1"
    draft.refresh_from_db()
    assert draft.notes == "Typed, never submitted" and draft.status == "draft"
    body = response.content.decode()
    assert (
        f'name="lock_version" value="{draft.lock_version}" id="id_lock_version" hx-swap-oob="true"'
        in body
    )
    assert "Draft saved at" in body
    # The same page posting again with its old version is a conflict: nothing saved, said so.
    stale = client.post(
        url, _draft_data(draft, notes="Other", lock_version=old), HTTP_HX_REQUEST="true"
    )
    assert "X-Sightline-Saved" not in stale and "Not saved:" in stale.content.decode()
    draft.refresh_from_db()
    assert draft.notes == "Typed, never submitted"


def test_autosave_never_finalizes_and_is_refused_to_others(world: World, draft: Screening) -> None:
    url = reverse("web:screening-autosave", args=[draft.pk])
    data = {**_draft_data(draft), "finalize": "1"}
    assert _client(world.screener).post(url, data).status_code == 200
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert _client(world.analyst).post(url, data).status_code == 403
    assert _client(world.outsider).post(url, data).status_code == 404


def test_the_compact_layout_is_chosen_by_link_remembered_and_keeps_every_answer_in_the_form(
    world: World, draft: Screening
) -> None:
    client = _client(world.screener)
    url = reverse("web:screening-edit", args=[draft.pk])
    definition = _definition(draft)
    with_statements = [i for i in definition.indicators if i.statements]

    standard = client.get(url).content.decode()
    assert "indicator--compact" not in standard
    assert 'class="indicator__guidance"' in standard

    compact = client.get(f"{url}?layout=compact").content.decode()
    assert compact.count("indicator--compact") == len(definition.indicators)
    assert 'class="indicator__guidance"' not in compact
    # Supporting statements fold away on demand, but stay in the form: saving keeps their answers.
    assert compact.count('<details class="statements-fold">') == len(with_statements)
    statement_inputs = standard.count('name="statement-')
    assert statement_inputs > 0
    assert compact.count('name="statement-') == statement_inputs
    assert '<a href="?layout=compact" aria-current="true">' in compact

    # Remembered for the next visit, until the standard link is chosen.
    assert "indicator--compact" in client.get(url).content.decode()
    assert "indicator--compact" not in client.get(f"{url}?layout=standard").content.decode()
    assert "indicator--compact" not in client.get(url).content.decode()
