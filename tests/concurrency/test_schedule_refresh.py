"""The stored schedule stays right when several transactions change one youth's inputs at once.

Found under load (issue 16): two finalizations for one youth both rewrote its schedule rows; the later
transaction's DELETE waited for the earlier one, found nothing left to delete, and its INSERT hit the
earlier one's rows (`duplicate key ... scheduling_intakeschedule_pkey`), rolling the screening back.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.db import transaction
from django.utils import timezone

from sightline.scheduling.models import IntakeSchedule, RescreenDue
from sightline.scheduling.services import schedule_refresh_youth
from sightline.screenings.models import Screening, ScreeningStatus
from sightline.tenancy.models import Role
from tests import factories
from tests.concurrency.conftest import requires_postgres, run_together, waiting_on_a_lock

pytestmark = requires_postgres


def _stored_rows(youth_id: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The youth's schedule and rescreen rows, without when they were computed."""
    schedule = IntakeSchedule.objects.filter(youth_id=youth_id).order_by("intake_id")
    rescreens = RescreenDue.objects.filter(youth_id=youth_id).order_by("screening_id")
    rows = [{k: v for k, v in row.items() if k != "computed_at"} for row in schedule.values()]
    return rows, list(rescreens.values())


def _recomputed_rows(youth_id: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    with transaction.atomic():
        schedule_refresh_youth(youth_id)
    return _stored_rows(youth_id)


def test_two_refreshes_of_one_youth_at_once_both_commit(transactional_db: None) -> None:
    agency = factories.agency()
    screener = factories.member(agency, Role.SCREENER, trained_for=("cse-it-2.0",))
    youth = factories.youth(agency, created_by=screener, intake_on=timezone.localdate())
    schedule_refresh_youth(youth.pk)
    first_has_written = threading.Event()

    def first() -> None:
        with transaction.atomic():
            schedule_refresh_youth(youth.pk)
            first_has_written.set()
            # Hold the transaction open until the second one is waiting on our locks.
            deadline = time.monotonic() + 10
            while waiting_on_a_lock() == 0 and time.monotonic() < deadline:
                time.sleep(0.02)

    def second() -> None:
        assert first_has_written.wait(10)
        with transaction.atomic():
            schedule_refresh_youth(youth.pk)

    errors = run_together(first, second)

    assert errors == []
    assert IntakeSchedule.objects.filter(youth_id=youth.pk).count() == 1
    assert _stored_rows(youth.pk) == _recomputed_rows(youth.pk)


def test_screeners_finalizing_screenings_of_the_same_youth_at_once(
    transactional_db: None,
) -> None:
    """The issue's load in small: 8 screeners, 2 youth, every finalization at the same moment."""
    agency = factories.agency()
    screeners = [
        factories.member(agency, Role.SCREENER, trained_for=("cse-it-2.0",)) for _ in range(8)
    ]
    youth = [
        factories.youth(agency, created_by=screeners[0], intake_on=timezone.localdate())
        for _ in range(2)
    ]
    for one in youth:
        schedule_refresh_youth(one.pk)
    rounds = 3
    drafts = {
        screener.pk: [
            _complete_draft(youth[(index + turn) % len(youth)], screener, rating=turn % 2)
            for turn in range(rounds)
        ]
        for index, screener in enumerate(screeners)
    }
    start_line = threading.Barrier(len(screeners))

    def finalize_all(screener: Any) -> None:
        from sightline.screenings.services import screening_finalize

        for draft in drafts[screener.pk]:
            start_line.wait(10)
            screening_finalize(
                screening=draft, by=screener, expected_lock_version=draft.lock_version
            )

    errors = run_together(*(lambda s=s: finalize_all(s) for s in screeners))

    assert errors == []
    assert Screening.objects.filter(status=ScreeningStatus.FINAL).count() == rounds * len(screeners)
    for one in youth:
        stored = _stored_rows(one.pk)
        assert stored == _recomputed_rows(one.pk)


def _complete_draft(youth: Any, screener: Any, *, rating: int) -> Screening:
    from sightline import instruments
    from sightline.screenings.services import screening_save_draft, screening_start

    definition = instruments.load("cse-it-2.0")
    draft = screening_start(
        youth=youth,
        by=screener,
        instrument_id="cse-it-2.0",
        reason="intake",
        information_sources=["records"],
        screener_role="child_welfare_worker",
        known_for="under_month",
        screened_on=timezone.localdate(),
    )
    return screening_save_draft(
        screening=draft,
        by=screener,
        expected_lock_version=draft.lock_version,
        indicator_ratings={i.id: rating for i in definition.indicators},
    )
