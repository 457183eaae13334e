"""Every list and detail page costs the same number of SQL queries for 3 rows as for 30, under a ceiling.

The main assertion is "does not grow with rows": a page that asks the database once per row (an N+1)
fails it however low its count. The ceilings carry a little headroom: the access layer and the
definitions store change the fixed part of a page's count, not the per-row part. Each page is asked
once before counting so caches filled on first use (definitions, content types) count for neither side.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sightline.scheduling.services import policy_create, schedule_refresh
from sightline.screenings.models import FollowUpAction, Screening, ScreeningReview
from sightline.tenancy.models import Role, User
from sightline.youth.models import IntakeEpisode, Youth
from tests import factories
from tests.conftest import World
from tests.web.pages import page_text
from tests.web.pages import signed_in as _as

pytestmark = pytest.mark.django_db

FEW, MANY = 3, 30
TODAY = dt.date(2026, 3, 10)
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC), tick=False):
        yield


def _queries(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [query["sql"] for query in captured.captured_queries]


def _flat(client: Client, url: str, add_rows: Callable[[int], None], *, ceiling: int) -> Any:
    """Count the page's queries with FEW rows and with MANY; returns the page with MANY rows.

    Fails if the count grows with the rows (showing the queries only the larger page ran) or passes
    `ceiling`."""
    add_rows(FEW)
    client.get(url)  # warm the caches filled on first use
    few = _queries(client, url)
    add_rows(MANY - FEW)
    many = _queries(client, url)
    extra = [sql for sql in many if sql not in few] or many
    assert len(many) == len(few), (
        f"{url}: {len(few)} queries for {FEW} rows, {len(many)} for {MANY}:\n" + "\n".join(extra)
    )
    assert len(many) <= ceiling, f"{url}: {len(many)} queries, ceiling {ceiling}:\n" + "\n".join(
        many
    )
    return client.get(url)


def _person(world: World, role: str = Role.SCREENER) -> User:
    """Another member of agency A, so rows that name a person each name a different one."""
    n = next(_seq)
    person = factories.member(
        world.agency_a, role, username=f"{role}{n}", trained_for=("cse-it-2.0",)
    )
    person.first_name, person.last_name = "Person", f"Number{n}"
    person.save(update_fields=["first_name", "last_name"])
    return person


def _youth(world: World, *, assigned_to: User | None = None, program: str = "") -> Youth:
    n = next(_seq)
    youth = factories.youth(
        world.agency_a,
        created_by=world.screener,
        first_name="Alex",
        last_name=f"Row{n:03d}",
        intake_on=dt.date(2026, 1, 1) + dt.timedelta(days=n % 40),
        case_number=f"CW-{n}",
    )
    IntakeEpisode.objects.filter(youth=youth).update(assigned_to=assigned_to, program=program)
    return youth


def _shown(response: Any, marker: str) -> int:
    """How many different rows' markers (`Row001`, `Step7`...) the page shows."""
    return len(set(re.findall(rf"{marker}\d+", page_text(response))))


def _rows(response: Any) -> int:
    return _shown(response, "Row")


# --- home ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["screener", "supervisor", "agency_admin", "analyst", "researcher", "system_admin"]
)
def test_home_does_not_grow_with_the_agency(client: Client, world: World, persona: str) -> None:
    def add_rows(n: int) -> None:
        for _ in range(n):
            youth = _youth(world, assigned_to=world.screener)
            factories.screening(youth, screener=world.screener, status="final", screened_on=TODAY)
            factories.screening(youth, screener=world.screener, screened_on=TODAY)
        schedule_refresh(agency_ids=[world.agency_a.pk])

    # Each role's "due today" panels are a fixed handful of short lists and counts.
    _flat(_as(client, getattr(world, persona)), reverse("web:home"), add_rows, ceiling=18)


# --- youth -----------------------------------------------------------------------------------------------


def test_youth_list_does_not_grow_with_youth(client: Client, world: World) -> None:
    def add_rows(n: int) -> None:
        for _ in range(n):
            _youth(world, program="Foster care")

    response = _flat(_as(client, world.screener), reverse("web:youth-list"), add_rows, ceiling=11)
    assert _rows(response) == 25  # one full page


def test_youth_detail_does_not_grow_with_screenings(client: Client, world: World) -> None:
    youth = _youth(world, assigned_to=world.screener)
    screeners = [_person(world) for _ in range(3)]

    def add_rows(n: int) -> None:
        for i in range(n):
            by = screeners[i % len(screeners)]
            factories.screening(youth, screener=by, status="final", screened_on=TODAY)
            factories.screening(youth, screener=by, screened_on=TODAY)
        schedule_refresh(agency_ids=[world.agency_a.pk])

    url = reverse("web:youth-detail", args=[youth.pk])
    response = _flat(_as(client, world.screener), url, add_rows, ceiling=13)
    assert response.content.decode().count("Open<span") == 2 * MANY


# --- screenings ------------------------------------------------------------------------------------------


def test_my_screenings_does_not_grow_with_screenings(client: Client, world: World) -> None:
    def add_rows(n: int) -> None:
        for i in range(n):
            status = "final" if i % 2 else "draft"
            factories.screening(_youth(world), screener=world.screener, status=status)

    response = _flat(_as(client, world.screener), reverse("web:my-screenings"), add_rows, ceiling=9)
    assert _rows(response) == 25


def test_agency_screenings_does_not_grow_with_screenings_or_screeners(
    client: Client, world: World
) -> None:
    def add_rows(n: int) -> None:
        for _ in range(n):
            factories.screening(_youth(world), screener=_person(world), status="final")

    url = reverse("web:agency-screenings")
    response = _flat(_as(client, world.supervisor), url, add_rows, ceiling=11)
    assert _rows(response) == 25


def test_screening_detail_does_not_grow_with_follow_ups_or_reviews(
    client: Client, world: World
) -> None:
    youth = _youth(world, assigned_to=world.screener)
    final = factories.screening(youth, screener=world.screener, status="final", screened_on=TODAY)

    def add_rows(n: int) -> None:
        for _ in range(n):
            i = next(_seq)
            owner = _person(world)
            FollowUpAction.objects.create(
                screening=final,
                agency=world.agency_a,
                kind="consult_supervisor",
                description=f"Step{i}",
                owner=owner,
                due_on=TODAY + dt.timedelta(days=i % 60),
                completed_on=TODAY if i % 2 else None,
                outcome="Done" if i % 2 else None,
                created_by=world.screener,
            )
            ScreeningReview.objects.create(
                screening=final,
                agency=world.agency_a,
                decision="reviewed",
                reviewed_by=_person(world, Role.SUPERVISOR),
            )

    url = reverse("web:screening-detail", args=[final.pk])
    response = _flat(_as(client, world.supervisor), url, add_rows, ceiling=13)
    assert _shown(response, "Step") == MANY
    assert page_text(response).count("Reviewed by") == MANY
    assert Screening.objects.filter(pk=final.pk, status="final").exists()


# --- schedule --------------------------------------------------------------------------------------------


def test_my_caseload_does_not_grow_with_the_caseload(client: Client, world: World) -> None:
    def add_rows(n: int) -> None:
        for _ in range(n):
            _youth(world, assigned_to=world.screener, program="Foster care")
        schedule_refresh(agency_ids=[world.agency_a.pk])

    response = _flat(_as(client, world.screener), reverse("web:schedule-mine"), add_rows, ceiling=9)
    assert _rows(response) == MANY


def test_agency_worklist_does_not_grow_with_intakes_or_assignees(
    client: Client, world: World
) -> None:
    def add_rows(n: int) -> None:
        for i in range(n):
            youth = _youth(world, assigned_to=_person(world), program=f"Program {i % 4}")
            if i % 3 == 0:
                factories.screening(youth, screener=world.screener, status="final")
        schedule_refresh(agency_ids=[world.agency_a.pk])

    url = reverse("web:schedule-agency", args=[world.agency_a.pk])
    response = _flat(_as(client, world.supervisor), url, add_rows, ceiling=13)
    assert _rows(response) == MANY


@pytest.mark.parametrize("group_by", ["agency", "program", "screener"])
def test_coverage_does_not_grow_with_intakes_or_groups(
    client: Client, world: World, group_by: str
) -> None:
    def add_rows(n: int) -> None:
        for i in range(n):
            youth = _youth(world, assigned_to=_person(world), program=f"Program {next(_seq)}")
            if i % 2:
                factories.screening(
                    youth, screener=world.screener, status="final", screened_on=dt.date(2026, 2, 1)
                )
        schedule_refresh(agency_ids=[world.agency_a.pk])

    url = f"{reverse('web:schedule-coverage')}?start=2026-01-01&end=2026-03-09&group_by={group_by}"
    response = _flat(_as(client, world.supervisor), url, add_rows, ceiling=16)
    assert "Total" in page_text(response)
    assert "Row" not in page_text(response)  # aggregates only


# --- agency administration -------------------------------------------------------------------------------


def test_policy_page_does_not_grow_with_versions_or_authors(client: Client, world: World) -> None:
    def add_rows(n: int) -> None:
        for _ in range(n):
            day = next(_seq)
            policy_create(
                agency=world.agency_a,
                by=_person(world, Role.AGENCY_ADMIN),
                effective_from=TODAY + dt.timedelta(days=day),
                reason=f"Row{day}",
                first_screen_days=20 + day % 10,
            )

    url = reverse("web:agency-policy", args=[world.agency_a.pk])
    response = _flat(_as(client, world.agency_admin), url, add_rows, ceiling=10)
    assert _rows(response) == MANY


def test_staff_page_does_not_grow_with_people_or_training(client: Client, world: World) -> None:
    def add_rows(n: int) -> None:
        for _ in range(n):
            person = _person(world)  # trained for cse-it-2.0
            factories.training(
                person,
                instrument_id="cse-it-brief",
                trained_on=dt.date(2024, 1, 1),
                expires_on=dt.date(2025, 1, 1),
            )

    response = _flat(_as(client, world.agency_admin), reverse("web:staff"), add_rows, ceiling=11)
    assert _shown(response, "Number") == MANY


# --- requested screenings and API tokens (issue 17) ----------------------------------------------------


def _request(world: World, youth: Youth) -> None:
    from django.utils import timezone

    from sightline.scheduling.requested import screening_request

    screening_request(
        youth=youth,
        by=world.screener,
        reason="returned_from_missing",
        occurred_at=timezone.now() - dt.timedelta(hours=1),
        source="cms",
    )


def test_caseload_and_worklist_do_not_grow_with_requested_screenings(
    client: Client, world: World
) -> None:
    def add_rows(n: int) -> None:
        for _ in range(n):
            youth = _youth(world, assigned_to=world.screener)
            _request(world, youth)

    caseload = _flat(
        _as(client, world.screener), reverse("web:schedule-mine"), add_rows, ceiling=10
    )
    assert "Requested screenings" in page_text(caseload)
    worklist = _as(Client(), world.supervisor).get(
        reverse("web:schedule-agency", args=[world.agency_a.pk])
    )
    assert f"Requested screenings ({MANY})" in " ".join(page_text(worklist).split())


def test_api_tokens_page_does_not_grow_with_tokens(client: Client, world: World) -> None:
    from sightline.apitokens.services import token_create

    def add_rows(n: int) -> None:
        for _ in range(n):
            token_create(
                by=world.screener,
                name=f"Token{next(_seq)}",
                agency_ids=[world.agency_a.pk],
                permissions=["youth_view"],
            )

    response = _flat(_as(client, world.screener), reverse("web:api-tokens"), add_rows, ceiling=8)
    assert _shown(response, "Token") == MANY


def test_audit_log_does_not_grow_with_events_people_or_agencies(
    client: Client, world: World
) -> None:
    from sightline.audit.models import AuditAction
    from sightline.audit.services import audit_record

    def add_rows(n: int) -> None:
        for _ in range(n):
            person = _person(world)
            audit_record(
                actor=person,
                action=AuditAction.VIEW,
                object_type="youth",
                object_id=next(_seq),
                agency_id=world.agency_a.pk,
                detail={"marker": "x"},
            )

    url = reverse("web:audit-log")
    response = _flat(_as(client, world.agency_admin), url, add_rows, ceiling=10)
    assert _shown(response, "screener") >= MANY


# --- programme reports -----------------------------------------------------------------------------------


def _report_rows(world: World) -> Callable[[int], None]:
    from sightline.reporting.rollups import rebuild

    def add_rows(n: int) -> None:
        for i in range(n):
            youth = _youth(world, program=f"Program {next(_seq)}")
            screening = factories.screening(
                youth,
                screener=world.screener,
                status="final",
                screened_on=dt.date(2026, 1 + i % 2, 2),
                rating=i % 3,
            )
            if i % 2:
                FollowUpAction.objects.create(
                    screening=screening,
                    agency=world.agency_a,
                    kind="referral",
                    owner=world.screener,
                    created_by=world.supervisor,
                    due_on=dt.date(2026, 2, 1),
                    completed_on=dt.date(2026, 1, 20),
                )
        rebuild()

    return add_rows


def test_agency_report_does_not_grow_with_screenings_or_groups(
    client: Client, world: World
) -> None:
    url = reverse("web:report-agency", args=[world.agency_a.pk])
    response = _flat(_as(client, world.supervisor), url, _report_rows(world), ceiling=20)
    assert "Alex" not in page_text(response)  # aggregates only


def test_county_report_does_not_grow_with_screenings_or_groups(
    client: Client, world: World
) -> None:
    url = f"{reverse('web:report-area')}?level=county&key={world.agency_a.county_id}"
    response = _flat(_as(client, world.analyst), url, _report_rows(world), ceiling=22)
    assert "suppressed" in page_text(response)
