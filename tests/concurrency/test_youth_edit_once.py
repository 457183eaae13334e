"""Eight people save one youth's details at the same moment from the same version (issue 18):
exactly one change is written, the other seven get the conflict, and none is lost silently."""

from __future__ import annotations

import threading

from sightline.tenancy.models import Role
from sightline.youth.errors import YouthConflictError
from sightline.youth.models import Youth
from sightline.youth.services import youth_update
from tests import factories
from tests.concurrency.conftest import requires_postgres, run_together

pytestmark = requires_postgres

CLIENTS = 8


def test_one_version_saved_once_from_eight_clients(transactional_db: None) -> None:
    agency = factories.agency()
    screener = factories.member(agency, Role.SCREENER)
    youth = factories.registered_youth(agency, by=screener, case_number="CW-1")
    start = threading.Barrier(CLIENTS)

    def edit(n: int) -> None:
        start.wait()
        youth_update(youth=youth, by=screener, expected_lock_version=0, case_number=f"CW-{n}")

    errors = run_together(*[lambda n=n: edit(n) for n in range(10, 10 + CLIENTS)])

    assert len(errors) == CLIENTS - 1
    assert all(isinstance(error, YouthConflictError) for error in errors)
    saved = Youth.objects.get(pk=youth.pk)
    assert saved.lock_version == 1 and saved.case_number != "CW-1"
