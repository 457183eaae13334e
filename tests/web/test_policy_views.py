"""The agency screening policy page: the version in force, its history, and adding a version."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.urls import reverse

from sightline.audit.models import AuditAction, AuditEvent
from sightline.scheduling import errors
from sightline.scheduling.models import ScreeningPolicy
from sightline.scheduling.services import policy_create
from tests.conftest import World
from tests.web.pages import page_text as _text
from tests.web.pages import signed_in as _as

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0), tick=False):
        yield


def _url(world: World) -> str:
    return reverse("web:agency-policy", args=[world.agency_a.pk])


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "effective_from": "2026-03-09",
        "min_age": "12",
        "include_high_risk_under_min_age": "on",
        "first_screen_days": "21",
        "rescreen_months": "6",
        "possible_concern_rescreen_days": "30",
        "due_soon_days": "14",
        "instrument_id": "cse-it-2.0",
        "reason": "County protocol 2026-07",
    }
    data.update(overrides)
    return data


def test_defaults_shown_when_no_policy_was_set(client, world):
    response = _as(client, world.agency_admin).get(_url(world))

    assert response.status_code == 200
    text = _text(response)
    assert "CSE-IT defaults" in text
    assert "within 30 days of intake" in text
    form = response.context["form"]
    assert form.initial["effective_from"] == TODAY
    assert form.initial["min_age"] == 10
    assert form.initial["instrument_id"] == "cse-it-2.0"
    assert 'value="cse-it-brief"' in response.content.decode()  # every installed instrument offered


def test_admin_adds_a_version_and_the_history_shows_both(client, world):
    policy_create(
        agency=world.agency_a,
        by=world.agency_admin,
        effective_from=TODAY,
        reason="First local policy",
        first_screen_days=45,
    )
    _as(client, world.agency_admin)
    page = client.get(_url(world))
    assert (
        page.context["form"].initial["first_screen_days"] == 45
    )  # pre-filled with what is in force

    response = client.post(_url(world), _form())

    assert response.status_code == 302
    new = ScreeningPolicy.objects.get(effective_from=dt.date(2026, 3, 9))
    assert (new.min_age, new.first_screen_days, new.due_soon_days) == (12, 21, 14)
    assert new.created_by == world.agency_admin
    text = _text(client.get(response.url))
    assert "The new policy version was saved" in text
    assert "2026-03-09" in text and "2026-03-02" in text
    assert "County protocol 2026-07" in text and "First local policy" in text
    assert "Upcoming" in text and "In force" in text
    assert "Changed: minimum age, first screening, shown as due" in text
    assert "Changed: first screening" in text
    event = AuditEvent.objects.get(object_type="screeningpolicy", object_id=str(new.pk))
    assert event.action == AuditAction.CREATE
    assert event.actor == world.agency_admin
    assert event.agency_id == world.agency_a.pk


def test_retroactive_date_is_refused_with_the_message_and_nothing_written(client, world):
    response = _as(client, world.agency_admin).post(_url(world), _form(effective_from="2026-03-01"))

    assert response.status_code == 400
    assert response.context["form"].errors["effective_from"] == [errors.POLICY_RETROACTIVE]
    assert errors.POLICY_RETROACTIVE in _text(response)
    assert not ScreeningPolicy.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("min_age", "ten", errors.NOT_A_WHOLE_NUMBER),
        ("first_screen_days", "0", errors.OUT_OF_RANGE.format(low=1, high=365)),
        ("rescreen_months", "99", errors.OUT_OF_RANGE.format(low=1, high=36)),
        ("possible_concern_rescreen_days", "-3", errors.OUT_OF_RANGE.format(low=1, high=365)),
    ],
)
def test_bad_numbers_are_refused(client, world, field, value, message):
    response = _as(client, world.agency_admin).post(_url(world), _form(**{field: value}))

    assert response.status_code == 400
    assert message in response.context["form"].errors[field]
    assert not ScreeningPolicy.objects.exists()


def test_every_non_number_is_flagged_at_once_with_the_date(client, world):
    response = _as(client, world.agency_admin).post(
        _url(world), _form(effective_from="2020-01-01", min_age="abc", due_soon_days="1.5")
    )

    assert response.status_code == 400
    form_errors = response.context["form"].errors
    assert form_errors["min_age"] == [errors.NOT_A_WHOLE_NUMBER]
    assert form_errors["due_soon_days"] == [errors.NOT_A_WHOLE_NUMBER]
    assert form_errors["effective_from"] == [errors.POLICY_RETROACTIVE]
    assert not ScreeningPolicy.objects.exists()


def test_empty_possible_concern_uses_the_regular_interval(client, world):
    _as(client, world.agency_admin).post(_url(world), _form(possible_concern_rescreen_days=""))

    assert ScreeningPolicy.objects.get().possible_concern_rescreen_days is None


def test_missing_reason_and_unknown_instrument_are_refused(client, world):
    response = _as(client, world.agency_admin).post(
        _url(world), _form(reason="", instrument_id="nope")
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"reason", "instrument_id"}
    assert not ScreeningPolicy.objects.exists()


def test_outsider_gets_404(client, world):
    _as(client, world.outsider)
    assert client.get(_url(world)).status_code == 404
    assert client.post(_url(world), _form()).status_code == 404
    assert not ScreeningPolicy.objects.exists()


def test_screener_and_analyst_of_the_agency_get_403(client, world):
    for user in (world.screener, world.analyst):
        _as(client, user)
        assert client.get(_url(world)).status_code == 403
        assert client.post(_url(world), _form()).status_code == 403
    assert not ScreeningPolicy.objects.exists()


def test_supervisor_sees_the_policy_read_only(client, world):
    _as(client, world.supervisor)
    response = client.get(_url(world))

    assert response.status_code == 200
    assert response.context["form"] is None
    assert "Only an agency administrator can change the policy" in _text(response)
    assert client.post(_url(world), _form()).status_code == 403
    assert not ScreeningPolicy.objects.exists()


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(_url(world))

    assert response.status_code == 302
    assert response.url.startswith(reverse("web:login"))


def test_staff_page_links_to_the_policy(client, world):
    response = _as(client, world.agency_admin).get(reverse("web:staff"))

    assert _url(world) in response.content.decode()


def test_the_history_takes_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for n in range(4):
        policy_create(
            agency=world.agency_a,
            by=world.agency_admin,
            effective_from=TODAY + dt.timedelta(days=n),
            reason=f"Version {n}",
            first_screen_days=20 + n,
        )
    _as(client, world.agency_admin)
    # Session, user, permissions, policy in force, history with its authors, navigation: never per version.
    with django_assert_max_num_queries(8):
        response = client.get(_url(world))
    assert "Version 3" in _text(response)
