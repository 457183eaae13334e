"""One open new version per screening and one open intake per youth, under real concurrency (ADR 0007).

Eight sessions at once open an amendment or a correction of the same final screening, or an intake for
the same youth: exactly one wins, the others get the service's clear refusal, never an IntegrityError.
One test switches the services' own check off, so only the database constraint stands between the
sessions: the loser's IntegrityError still becomes AMENDMENT_PENDING / CORRECTION_PENDING.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.utils import timezone

from sightline import instruments
from sightline.screenings import errors, versions
from sightline.screenings.errors import ScreeningStateError
from sightline.screenings.models import Screening, ScreeningStatus
from sightline.screenings.review import screening_correct
from sightline.screenings.services import (
    screening_amend,
    screening_finalize,
    screening_save_draft,
    screening_start,
)
from sightline.tenancy.models import Role
from sightline.youth import errors as youth_errors
from sightline.youth.errors import YouthError
from sightline.youth.models import IntakeEpisode
from sightline.youth.services import intake_open
from tests import factories
from tests.concurrency.conftest import requires_postgres, run_together

pytestmark = requires_postgres

SESSIONS = 8
PENDING = {errors.AMENDMENT_PENDING, errors.CORRECTION_PENDING}


def _final_screening() -> tuple[Screening, Any]:
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
    final = screening_finalize(
        screening=draft, by=screener, expected_lock_version=draft.lock_version
    )
    return final, screener


def _open_new_versions(final: Screening, screener: Any) -> list[BaseException]:
    start_line = threading.Barrier(SESSIONS)

    def open_one(n: int) -> None:
        start_line.wait(10)
        if n % 2:
            screening_amend(screening=final, by=screener, reason=f"Session {n}")
        else:
            screening_correct(screening=final, by=screener, reason=f"Session {n}")

    return run_together(*(lambda n=n: open_one(n) for n in range(SESSIONS)))


def _assert_one_open_version(final: Screening, refusals: list[BaseException]) -> None:
    assert len(refusals) == SESSIONS - 1, refusals
    assert all(isinstance(e, ScreeningStateError) and e.code in PENDING for e in refusals), refusals
    drafts = Screening.objects.filter(amends=final, status=ScreeningStatus.DRAFT)
    assert drafts.count() == 1
    assert Screening.objects.filter(chain=final.chain).count() == 2


def test_eight_sessions_open_one_new_version(transactional_db: None) -> None:
    final, screener = _final_screening()

    refusals = _open_new_versions(final, screener)

    _assert_one_open_version(final, refusals)


def test_the_constraint_alone_keeps_one_open_version(
    transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    final, screener = _final_screening()
    monkeypatch.setattr(versions, "refuse_if_open", lambda original_id: None)

    refusals = _open_new_versions(final, screener)

    _assert_one_open_version(final, refusals)


def test_eight_sessions_open_one_intake(transactional_db: None) -> None:
    agency = factories.agency()
    screener = factories.member(agency, Role.SCREENER)
    youth = factories.youth(agency, created_by=screener, intake_on=None)
    start_line = threading.Barrier(SESSIONS)

    def open_one() -> None:
        start_line.wait(10)
        intake_open(youth=youth, by=screener, intake_on=dt.date(2026, 3, 1))

    refusals = run_together(*(open_one for _ in range(SESSIONS)))

    assert len(refusals) == SESSIONS - 1, refusals
    assert all(
        isinstance(e, YouthError) and e.code == youth_errors.INTAKE_ALREADY_OPEN for e in refusals
    ), refusals
    assert IntakeEpisode.objects.filter(youth=youth, exit_on__isnull=True).count() == 1
