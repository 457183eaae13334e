"""Review and correction pages (ADR 0007): "Awaiting review", the review and correct forms on a
screening's detail page, the returned notice for the screener, and the policy's correction window.

Personas: the screener and the supervisor of agency A, an analyst and an agency admin of A (no
casework), and an outsider who screens at agency B.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from sightline.audit.models import AuditAction, AuditEvent
from sightline.scheduling.models import ScreeningPolicy
from sightline.screenings import errors
from sightline.screenings.models import Screening, ScreeningReview
from sightline.screenings.review import screening_correct, screening_review
from sightline.screenings.services import screening_finalize
from sightline.tenancy.models import Role
from sightline.web.review_views import CORRECTION_STARTED, RETURNED, REVIEWED
from tests import factories
from tests.conftest import World
from tests.web.pages import page_text as _text

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 20, tzinfo=dt.UTC)
REASON = "The notes say she ran away twice; indicator 1 says never."


@pytest.fixture(autouse=True)
def _now() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _only_bundled_definitions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIGHTLINE_INSTRUMENT_DIRS", raising=False)


@pytest.fixture
def youth(world: World) -> Any:
    return factories.registered_youth(
        world.agency_a, by=world.screener, intake_on=dt.date(2026, 1, 5)
    )


@pytest.fixture
def final(world: World, youth: Any) -> Screening:
    return factories.finalized_screening(youth, by=world.screener, screened_on=dt.date(2026, 3, 2))


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _detail(screening: Screening) -> str:
    return reverse("web:screening-detail", args=[screening.pk])


def _denied() -> list[tuple[str, int]]:
    return [
        (event.detail["permission"], event.detail["status"])
        for event in AuditEvent.objects.filter(action=AuditAction.DENIED)
    ]


# --- awaiting review ------------------------------------------------------------------------------------


def test_the_supervisor_sees_what_awaits_review_and_links_to_it(
    world: World, final: Screening
) -> None:
    response = _client(world.supervisor).get(reverse("web:awaiting-review"))

    assert response.status_code == 200
    text = _text(response)
    assert "Alex Rivera" in text and "2026-03-02" in text
    assert f'href="{_detail(final)}#review"' in response.content.decode()
    nav = _client(world.supervisor).get(reverse("web:agency-screenings")).content.decode()
    assert nav.count(f'href="{reverse("web:awaiting-review")}"') == 2  # the nav and the overview


def test_an_empty_list_says_so(world: World) -> None:
    response = _client(world.supervisor).get(reverse("web:awaiting-review"))
    assert "Nothing is waiting for your review." in _text(response)


def test_the_list_pages_and_takes_a_fixed_number_of_queries(
    world: World, youth: Any, django_assert_max_num_queries: Any
) -> None:
    for day in range(26):
        factories.screening(
            youth,
            screener=world.screener,
            status="final",
            screened_on=dt.date(2026, 1, 1) + dt.timedelta(days=day),
        )
    client = _client(world.supervisor)
    client.get(reverse("web:awaiting-review"))  # warm the definition catalog
    with django_assert_max_num_queries(10):
        first = client.get(reverse("web:awaiting-review"))
    second = client.get(reverse("web:awaiting-review") + "?page=2")

    assert first.context["page"].paginator.count == 26
    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 1
    assert "Page 2 of 2" in _text(second)


@pytest.mark.parametrize("persona", ["screener", "analyst", "agency_admin", "outsider"])
def test_only_supervisors_have_the_list(world: World, final: Screening, persona: str) -> None:
    client = _client(getattr(world, persona))

    assert client.get(reverse("web:awaiting-review")).status_code == 403
    home = client.get(reverse("web:home")).content.decode()
    assert reverse("web:awaiting-review") not in home


def test_signing_in_comes_first() -> None:
    response = Client().get(reverse("web:awaiting-review"))
    assert response.status_code == 302 and "login" in response["Location"]


# --- review ---------------------------------------------------------------------------------------------


def test_the_supervisor_reviews_from_the_detail_page(world: World, final: Screening) -> None:
    client = _client(world.supervisor)
    page = client.get(_detail(final))
    assert "Supervisor review" in _text(page)
    assert reverse("web:screening-review", args=[final.pk]) in page.content.decode()

    response = client.post(
        reverse("web:screening-review", args=[final.pk]), {"decision": "reviewed"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("web:awaiting-review")
    assert REVIEWED in _text(response)
    assert "Nothing is waiting for your review." in _text(response)
    assert ScreeningReview.objects.get().decision == "reviewed"
    assert "Reviewed by" in _text(client.get(_detail(final)))


def test_returning_without_a_reason_is_refused_and_writes_nothing(
    world: World, final: Screening
) -> None:
    response = _client(world.supervisor).post(
        reverse("web:screening-review", args=[final.pk]), {"decision": "returned", "reason": " "}
    )

    assert response.status_code == 400
    assert errors.RETURN_REASON_REQUIRED in _text(response)
    assert "The review was not recorded" in _text(response)
    assert not ScreeningReview.objects.exists()


def test_the_screener_does_not_review(world: World, final: Screening) -> None:
    client = _client(world.screener)
    assert "Record review" not in _text(client.get(_detail(final)))

    response = client.post(
        reverse("web:screening-review", args=[final.pk]), {"decision": "reviewed"}
    )

    assert response.status_code == 403
    assert _denied() == [("agency_overview", 403)]
    assert not ScreeningReview.objects.exists()


def _without_csrf(content: bytes) -> bytes:
    """The page minus its per-response CSRF token (the sign-out form's), which differs every time."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


@pytest.mark.parametrize("persona", ["outsider"])
def test_a_foreign_or_missing_id_is_the_same_404(
    world: World, final: Screening, persona: str
) -> None:
    foreign_supervisor = factories.member(world.agency_b, Role.SUPERVISOR, username="sup-b")
    user = foreign_supervisor if persona == "outsider" else getattr(world, persona)
    client = _client(user)
    for name in ("web:screening-review", "web:screening-correct"):
        foreign = client.post(
            reverse(name, args=[final.pk]), {"decision": "reviewed", "reason": "x"}
        )
        missing = client.post(
            reverse(name, args=[final.pk + 1000]), {"decision": "reviewed", "reason": "x"}
        )
        assert foreign.status_code == missing.status_code == 404
        assert _without_csrf(foreign.content) == _without_csrf(missing.content)
        assert b"Rivera" not in foreign.content
    assert [status for _, status in _denied()] == [404, 404, 404, 404]


def test_an_analyst_of_the_agency_is_refused_403_and_a_missing_id_404(
    world: World, final: Screening
) -> None:
    client = _client(world.analyst)
    for name in ("web:screening-review", "web:screening-correct"):
        own = client.post(reverse(name, args=[final.pk]), {"decision": "reviewed", "reason": "x"})
        missing = client.post(
            reverse(name, args=[final.pk + 1000]), {"decision": "reviewed", "reason": "x"}
        )
        assert (own.status_code, missing.status_code) == (403, 404)
        assert b"Rivera" not in own.content
    assert sorted(status for _, status in _denied()) == [403, 403, 404, 404]
    assert not ScreeningReview.objects.exists() and Screening.objects.count() == 1


# --- returned -------------------------------------------------------------------------------------------


def test_a_returned_screening_is_flagged_to_its_screener(world: World, final: Screening) -> None:
    confirmed = _client(world.supervisor).post(
        reverse("web:screening-review", args=[final.pk]),
        {"decision": "returned", "reason": REASON},
        follow=True,
    )
    assert RETURNED in _text(confirmed)
    client = _client(world.screener)

    detail = _text(client.get(_detail(final)))
    assert "Returned for correction" in detail and REASON in detail
    assert "Correct it below, within the correction window" in detail
    supervisor_sees = _text(_client(world.supervisor).get(_detail(final)))
    assert (
        "Returned for correction" in supervisor_sees and "Correct it below" not in supervisor_sees
    )
    mine = client.get(reverse("web:my-screenings"))
    assert "Returned to you for correction" in _text(mine)
    assert f'href="{_detail(final)}#returned"' in mine.content.decode()


def test_my_screenings_has_no_returned_box_when_nothing_was_returned(
    world: World, final: Screening
) -> None:
    assert "Returned to you" not in _text(_client(world.screener).get(reverse("web:my-screenings")))


# --- correct --------------------------------------------------------------------------------------------


def test_the_screener_corrects_within_the_window(world: World, final: Screening) -> None:
    client = _client(world.screener)
    assert "Correct (within 7 days)" in _text(client.get(_detail(final)))

    response = client.post(
        reverse("web:screening-correct", args=[final.pk]), {"reason": "Wrong source ticked"}
    )

    correction = Screening.objects.get(amends=final)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:screening-edit", args=[correction.pk])
    assert correction.version_kind == "correction"
    edit = client.get(response["Location"])
    assert "Correction." in _text(edit) and CORRECTION_STARTED in _text(edit)
    assert "A correction is in progress" in _text(client.get(_detail(final)))


def test_no_correct_button_for_a_colleague_or_after_the_window(
    world: World, final: Screening, _now: Any
) -> None:
    colleague = factories.member(world.agency_a, Role.SCREENER, username="colleague")
    assert "Correct (within" not in _text(_client(colleague).get(_detail(final)))
    assert "Correct (within" not in _text(_client(world.supervisor).get(_detail(final)))

    _now.shift(dt.timedelta(days=8))
    client = _client(world.screener)
    assert "Correct (within" not in _text(client.get(_detail(final)))
    response = client.post(reverse("web:screening-correct", args=[final.pk]), {"reason": "Late"})

    assert response.status_code == 400
    assert "The correction window of this screening closed on" in _text(response)
    assert Screening.objects.count() == 1


def test_a_correction_needs_a_reason_on_the_page(world: World, final: Screening) -> None:
    response = _client(world.screener).post(
        reverse("web:screening-correct", args=[final.pk]), {"reason": ""}
    )
    assert response.status_code == 400
    assert "The correction was not started" in _text(response)
    assert Screening.objects.count() == 1


def test_a_corrected_version_says_it_corrects_and_awaits_review_again(
    world: World, final: Screening
) -> None:
    screening_review(screening=final, by=world.supervisor, decision="returned", reason=REASON)
    correction = screening_correct(screening=final, by=world.screener, reason="Fixed indicator 1")
    client = _client(world.screener)
    corrected = screening_finalize(
        screening=correction, by=world.screener, expected_lock_version=correction.lock_version
    )

    detail = _text(client.get(_detail(corrected)))
    assert f"This version corrects version #{final.pk}" in detail
    assert "Fixed indicator 1" in detail
    assert "Returned for correction" not in detail
    awaiting = _text(_client(world.supervisor).get(reverse("web:awaiting-review")))
    assert "Corrected after return" in awaiting


# --- policy ---------------------------------------------------------------------------------------------


def test_the_policy_page_shows_and_sets_the_correction_window(world: World) -> None:
    client = _client(world.agency_admin)
    url = reverse("web:agency-policy", args=[world.agency_a.pk])
    assert "7 days after finalizing" in _text(client.get(url))
    form = {
        "effective_from": "2026-03-10",
        "min_age": "10",
        "include_high_risk_under_min_age": "on",
        "first_screen_days": "30",
        "rescreen_months": "6",
        "possible_concern_rescreen_days": "30",
        "due_soon_days": "30",
        "instrument_id": "cse-it-2.0",
        "reason": "Two-day window",
    }

    for bad, message in (("abc", "Enter a whole number."), ("91", "Enter a number from 0 to 90.")):
        refused = client.post(url, {**form, "correction_window_days": bad})
        assert refused.status_code == 400 and message in _text(refused)
    assert not ScreeningPolicy.objects.exists()

    client.post(url, {**form, "correction_window_days": "0"})
    assert ScreeningPolicy.objects.get().correction_window_days == 0
    page = _text(client.get(url))
    assert "none: a finalized screening can only be amended" in page
    assert "correction window" in page  # in the history's "Changed:" list


@pytest.mark.parametrize("persona", ["screener", "supervisor"])
def test_the_detail_page_forms_keep_their_ids_apart(
    world: World, final: Screening, persona: str
) -> None:
    body = _client(getattr(world, persona)).get(_detail(final)).content.decode()
    ids = re.findall(r'\bid="([^"]+)"', body)

    assert "id_reason" in ids  # the amend form
    assert ("id_correct_reason" if persona == "screener" else "id_review_reason") in ids
    assert len(ids) == len(set(ids))
