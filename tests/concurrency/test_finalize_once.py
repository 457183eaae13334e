"""One draft finalized from eight browsers at the same moment is finalized exactly once (issue 16).

Each client posts the draft page's "Save and finalize" form through the real view, in its own thread
with its own database connection. One wins; the others get a clean refusal (a redirect to the final
screening, or the draft page re-rendered with a message), never a server error, and nothing is
written twice.
"""

from __future__ import annotations

import threading
from typing import Any

from django.test import Client
from django.utils import timezone

from sightline import instruments
from sightline.audit.models import AuditAction, AuditEvent
from sightline.screenings.models import Screening, ScreeningStatus
from sightline.screenings.services import screening_save_draft, screening_start
from sightline.tenancy.models import Role
from tests import factories
from tests.concurrency.conftest import requires_postgres, run_together

pytestmark = requires_postgres

CLIENTS = 8


def test_one_draft_finalized_from_eight_clients_at_once(transactional_db: None) -> None:
    agency = factories.agency()
    screener = factories.member(agency, Role.SCREENER, trained_for=("cse-it-2.0",))
    youth = factories.youth(agency, created_by=screener, intake_on=timezone.localdate())
    definition = instruments.load("cse-it-2.0")
    draft = screening_start(
        youth=youth,
        by=screener,
        instrument_id="cse-it-2.0",
        reason="intake",
        information_sources=["records"],
        screener_role="child_welfare_worker",
        known_for="under_month",
    )
    draft = screening_save_draft(
        screening=draft,
        by=screener,
        expected_lock_version=draft.lock_version,
        indicator_ratings={i.id: 0 for i in definition.indicators},
    )
    zero = next(o.code for o in definition.indicator_scale if o.value == 0)
    form = {
        "reason": "intake",
        "information_sources": ["records"],
        "screener_role": "child_welfare_worker",
        "known_for": "under_month",
        "screened_on": draft.screened_on.isoformat(),
        "mode": draft.mode,
        "notes": "",
        "lock_version": draft.lock_version,
        **{f"rating-{i.id}": zero for i in definition.indicators},
        "finalize": "1",
    }
    clients = []
    for _ in range(CLIENTS):  # eight tabs or devices of the same screener
        client = Client()
        client.force_login(screener)
        clients.append(client)
    start_line = threading.Barrier(CLIENTS)
    answers: list[Any] = []
    lock = threading.Lock()

    def post(client: Client) -> None:
        start_line.wait(10)
        response = client.post(f"/screenings/{draft.pk}/edit/", form)
        with lock:
            answers.append(response)

    errors = run_together(*(lambda c=c: post(c) for c in clients))

    assert errors == []
    assert len(answers) == CLIENTS
    assert all(answer.status_code < 500 for answer in answers)
    detail = f"/screenings/{draft.pk}/"
    assert all(
        (answer.status_code == 302 and answer["Location"] == detail)
        or answer.status_code in (400, 409)
        for answer in answers
    ), [(a.status_code, a.get("Location")) for a in answers]
    assert Screening.objects.count() == 1
    final = Screening.objects.get()
    assert final.status == ScreeningStatus.FINAL
    assert final.lock_version == draft.lock_version + 1  # bumped once: finalized once
    events = AuditEvent.objects.filter(object_type="screening", object_id=str(draft.pk))
    assert events.filter(action=AuditAction.FINALIZE).count() == 1
    assert events.filter(action=AuditAction.CHANGE).count() == 1  # the save above, none after
