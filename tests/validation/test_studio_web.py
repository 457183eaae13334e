"""The studio's pages: researchers only, each download audited, progress polled, the report drawn."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sightline import instruments
from sightline.audit.models import AuditAction, AuditEvent
from sightline.validation import studio as service
from sightline.validation.models import Study
from tests.conftest import World
from tests.validation.conftest import Studio

ROLES = (
    "screener",
    "supervisor",
    "agency_admin",
    "analyst",
    "researcher",
    "system_admin",
    "outsider",
)


def _client(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_the_studio_page_is_for_researchers_only(world: World, role: str) -> None:
    response = _client(getattr(world, role)).get(reverse("web:studio"))
    assert response.status_code == (200 if role == "researcher" else 403)
    if role != "researcher":
        assert AuditEvent.objects.filter(action=AuditAction.DENIED).exists()


@pytest.mark.parametrize("role", ROLES)
def test_a_study_page_answers_by_the_refusal_rule(
    world: World, role: str, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        study = service.study_create(
            by=world.researcher,
            parameters=service.StudyParameters(
                instrument_id="cse-it-2.0",
                instrument_version=instruments.load("cse-it-2.0").version,
                period_start=dt.date(2026, 1, 1),
                period_end=dt.date(2026, 12, 31),
                agency_ids=(world.agency_a.pk,),
                criterion_source="Child welfare investigations",
            ),
        )
    client = _client(getattr(world, role))
    expected = {"researcher": 200, "outsider": 404}.get(role, 403)
    for name in ("web:study-detail", "web:study-json", "web:study-pdf"):
        response = client.get(reverse(name, args=[study.pk]))
        # A failed study (no data here) has no download: 404 for the researcher too.
        want = 404 if role == "researcher" and name != "web:study-detail" else expected
        assert response.status_code == want, (name, role)
    assert client.post(reverse("web:study-rerun", args=[study.pk])).status_code in (
        {"researcher": 302}.get(role, expected),
    )


def test_a_researcher_asks_for_a_study_watches_it_and_downloads_it(
    studio: Studio, django_capture_on_commit_callbacks: Any
) -> None:
    client = _client(studio.researcher)
    page = client.get(reverse("web:studio"))
    assert page.status_code == 200 and b"Child welfare investigations" in page.content
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            reverse("web:studio"),
            {
                "instrument": f"cse-it-2.0@{studio.version}",
                "period_start": "2020-01-01",
                "period_end": "2026-12-31",
                "agencies": [str(a) for a in studio.agency_ids],
                "criterion_source": "Child welfare investigations",
                "window_days": 365,
                "agreement_window_days": 60,
            },
        )
    assert response.status_code == 302
    study = Study.objects.get()
    # Before the worker runs, the page polls its status (htmx) and shows it queued.
    waiting = client.get(reverse("web:study-detail", args=[study.pk]), HTTP_HX_REQUEST="true")
    assert b'hx-trigger="every 2s"' in waiting.content and b"Queued" in waiting.content
    for callback in queued:
        callback()
    done = client.get(reverse("web:study-detail", args=[study.pk]))
    assert done.status_code == 200
    assert b"hx-trigger" not in done.content
    for heading in (
        b"Reliability",
        b"Accuracy at",
        b"ROC of the total",
        b"Agreement",
        b"Fairness by gender",
    ):
        assert heading in done.content, heading
    assert (
        done.content.count(b"data:image/svg+xml;base64,") >= 5
    )  # ROC and one per fairness dimension
    json_file = client.get(reverse("web:study-json", args=[study.pk]))
    assert json_file.json()["snapshot"]["sha256"] == Study.objects.get().snapshot_sha256
    pdf = client.get(reverse("web:study-pdf", args=[study.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    exports = AuditEvent.objects.filter(action=AuditAction.EXPORT, object_type=service.OBJECT_TYPE)
    assert sorted(e.detail["format"] for e in exports) == ["json", "pdf"]
    assert (
        AuditEvent.objects.filter(action=AuditAction.VIEW, object_type=service.OBJECT_TYPE).count()
        == 2
    )
