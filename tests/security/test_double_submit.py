"""A double-submitted "start screening" or "add follow-up" creates one record: each form carries a
token (security.idempotency) and a repeat is answered with the first post's result."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sightline.screenings.models import FollowUpAction, Screening
from tests import factories
from tests.concurrency.conftest import requires_postgres, run_together
from tests.conftest import World

START = {
    "instrument_id": "cse-it-2.0",
    "reason": "intake",
    "information_sources": ["records"],
    "screener_role": "clinician",
    "known_for": "under_week",
    "screened_on": "2026-02-02",
    "mode": "full",
}
FOLLOW_UP = {"kind": "supervisor_consult", "due_on": "2026-03-01", "description": "Talk it through"}


def _token(page: Any) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', page.content.decode())
    assert match, "the form carries no token"
    return match.group(1)


@pytest.fixture(autouse=True)
def _only_bundled_definitions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIGHTLINE_INSTRUMENT_DIRS", raising=False)


@pytest.mark.django_db
def test_a_double_submitted_start_creates_one_draft(world: World) -> None:
    youth = factories.registered_youth(world.agency_a, by=world.screener)
    client = Client()
    client.force_login(world.screener)
    url = reverse("web:screening-start", args=[youth.pk])
    token = _token(client.get(url))
    first = client.post(url, {**START, "form_token": token})
    second = client.post(url, {**START, "form_token": token})
    screening = Screening.objects.get()
    assert (
        first["Location"]
        == second["Location"]
        == reverse("web:screening-edit", args=[screening.pk])
    )
    # A new visit to the page gets a new token: starting a second draft on purpose still works.
    client.post(url, {**START, "form_token": _token(client.get(url))})
    assert Screening.objects.count() == 2


@pytest.mark.django_db
def test_a_refused_post_keeps_its_token_usable(world: World) -> None:
    youth = factories.registered_youth(world.agency_a, by=world.screener)
    client = Client()
    client.force_login(world.screener)
    url = reverse("web:screening-start", args=[youth.pk])
    token = _token(client.get(url))
    refused = client.post(url, {**START, "screened_on": "2999-01-01", "form_token": token})
    assert refused.status_code == 400
    client.post(url, {**START, "form_token": token})
    assert Screening.objects.count() == 1


@pytest.mark.django_db
def test_a_double_submitted_follow_up_is_added_once(world: World) -> None:
    youth = factories.registered_youth(world.agency_a, by=world.screener)
    final = factories.screening(youth, screener=world.screener, status="final", rating=1)
    client = Client()
    client.force_login(world.screener)
    token = _token(client.get(reverse("web:screening-detail", args=[final.pk])))
    data = {**FOLLOW_UP, "owner": world.supervisor.pk, "form_token": token}
    url = reverse("web:followup-create", args=[final.pk])
    responses = [client.post(url, data) for _ in range(3)]
    assert [r.status_code for r in responses] == [302, 302, 302]
    assert FollowUpAction.objects.filter(screening=final).count() == 1


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submits_create_one_draft(world: World) -> None:
    """Four tabs post the same form at once (PostgreSQL: SQLite serialises writers)."""
    youth = factories.registered_youth(world.agency_a, by=world.screener)
    url = reverse("web:screening-start", args=[youth.pk])
    first = Client()
    first.force_login(world.screener)
    token = _token(first.get(url))
    clients = [first]
    for _ in range(3):
        client = Client()
        client.force_login(world.screener)
        clients.append(client)
    start_line = threading.Barrier(len(clients))
    statuses: list[int] = []
    lock = threading.Lock()

    def post(client: Client) -> None:
        start_line.wait(10)
        response = client.post(url, {**START, "form_token": token})
        with lock:
            statuses.append(response.status_code)

    assert run_together(*(lambda c=c: post(c) for c in clients)) == []
    assert statuses == [302] * len(clients)
    assert Screening.objects.count() == 1
