"""Worklist pages: my caseload, the agency worklist with its filters and CSV export, the home page
counts, and assigning a screener to an intake.

"Today" is fixed at 2026-03-10; with the default policy a first screening is due 30 days after intake.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from sightline.audit.models import AuditAction, AuditEvent
from sightline.scheduling.services import schedule_refresh, schedule_refresh_youth
from sightline.tenancy.models import Membership, Role
from sightline.youth import errors
from sightline.youth.models import IntakeEpisode, Youth
from tests import factories
from tests.conftest import World
from tests.web.pages import page_text as _text
from tests.web.pages import signed_in as _as

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC), tick=False):
        yield


@dataclass
class Caseload:
    overdue: Youth  # the screener's, overdue by 34 days
    soon: Youth  # the screener's, due on 2026-03-14
    later: Youth  # the screener's, due on 2026-03-31 (in the due window, not this week)
    young: Youth  # the screener's, under 10: not yet eligible
    unassigned: Youth  # nobody's, overdue by 19 days
    supervisors: Youth  # the supervisor's, overdue by 9 days
    outsiders: Youth  # agency B's, overdue


def _case_digest(case_number: str) -> str:
    from sightline.privacy.blind_index import identifier_digest
    from sightline.privacy.keys import search_key

    return identifier_digest(case_number, key=search_key())


def _youth(world: World, agency: Any, by: Any, **values: Any) -> Youth:
    values.setdefault("date_of_birth", dt.date(2010, 5, 17))
    return factories.registered_youth(agency, by=by, **values)


@pytest.fixture
def caseload(world: World) -> Caseload:
    a = world.agency_a
    return Caseload(
        overdue=_youth(
            world,
            a,
            world.screener,
            first_name="Olivia",
            last_name="Overdue",
            case_number="CW-1",
            intake_on=dt.date(2026, 1, 5),
            program="Foster care",
            assigned_to=world.screener,
        ),
        soon=_youth(
            world,
            a,
            world.screener,
            first_name="Sam",
            last_name="Soon",
            case_number="CW-2",
            date_of_birth=dt.date(2009, 1, 1),
            intake_on=dt.date(2026, 2, 12),
            program="Group home",
            assigned_to=world.screener,
        ),
        later=_youth(
            world,
            a,
            world.screener,
            first_name="Lena",
            last_name="Later",
            case_number="CW-3",
            intake_on=dt.date(2026, 3, 1),
            program="Group home",
            assigned_to=world.screener,
        ),
        young=_youth(
            world,
            a,
            world.screener,
            first_name="Yara",
            last_name="Young",
            case_number="CW-4",
            date_of_birth=dt.date(2018, 1, 1),
            intake_on=dt.date(2026, 1, 5),
            program="Foster care",
            assigned_to=world.screener,
        ),
        unassigned=_youth(
            world,
            a,
            world.screener,
            first_name="Uma",
            last_name="Nobody",
            case_number="CW-5",
            intake_on=dt.date(2026, 1, 20),
            program="Foster care",
        ),
        supervisors=_youth(
            world,
            a,
            world.supervisor,
            first_name="Vic",
            last_name="Boss",
            case_number="CW-6",
            intake_on=dt.date(2026, 1, 30),
            program="Foster care",
            assigned_to=world.supervisor,
        ),
        outsiders=_youth(
            world,
            world.agency_b,
            world.outsider,
            first_name="Bea",
            last_name="Bayside",
            case_number="BP-1",
            intake_on=dt.date(2026, 1, 5),
            assigned_to=world.outsider,
        ),
    )


def _agency_url(world: World, **query: str) -> str:
    url = reverse("web:schedule-agency", args=[world.agency_a.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def _names(response: Any) -> list[str]:
    """The youth names in the worklist table(s), in order."""
    return re.findall(
        r'<th scope="row"><a href="/youth/\d+/">([^<]+)</a>', response.content.decode()
    )


# --- My caseload ---------------------------------------------------------------------------------------


def test_my_caseload_lists_only_my_overdue_and_due_this_week(
    client: Client, world: World, caseload: Caseload
) -> None:
    response = _as(client, world.screener).get(reverse("web:schedule-mine"))
    assert response.status_code == 200
    assert _names(response) == ["Olivia Overdue", "Sam Soon"]
    text = _text(response)
    assert "Overdue (1)" in text and "Due this week (1)" in text
    assert "Overdue by 34 days" in text
    assert "Due by 2026-03-14" in text
    assert "Case CW-1" in text and "Foster care" in text
    assert "First screening" in text  # the basis
    assert "Never screened" in text
    for other in ("Lena", "Yara", "Uma", "Vic", "Bea"):
        assert other not in text
    start = reverse("web:screening-start", args=[caseload.overdue.pk])
    assert f'href="{start}"' in response.content.decode()
    event = AuditEvent.objects.filter(object_type="worklist").latest("pk")
    assert event.action == AuditAction.VIEW
    assert event.detail == {"kind": "mine", "rows": 2}


def test_my_caseload_shows_last_final_screening(
    client: Client, world: World, caseload: Caseload
) -> None:
    screening = factories.screening(
        caseload.soon, screener=world.screener, status="final", screened_on=dt.date(2025, 6, 1)
    )
    schedule_refresh_youth(caseload.soon.pk)
    text = _text(_as(client, world.screener).get(reverse("web:schedule-mine")))
    assert screening.level == "no_concern"
    assert "2025-06-01 · No concern" in text


def test_my_caseload_empty_state(client: Client, world: World) -> None:
    response = _as(client, world.screener).get(reverse("web:schedule-mine"))
    assert response.status_code == 200
    assert "Nothing is overdue or due this week on your caseload." in _text(response)


@pytest.mark.parametrize("persona", ["analyst", "researcher", "agency_admin", "system_admin"])
def test_my_caseload_refuses_roles_without_casework(
    client: Client, world: World, caseload: Caseload, persona: str
) -> None:
    response = _as(client, getattr(world, persona)).get(reverse("web:schedule-mine"))
    assert response.status_code == 403
    assert "Olivia" not in response.content.decode()


def test_supervisor_sees_own_caseload_not_the_screeners(
    client: Client, world: World, caseload: Caseload
) -> None:
    response = _as(client, world.supervisor).get(reverse("web:schedule-mine"))
    assert _names(response) == ["Vic Boss"]
    assert "Overdue by 9 days" in _text(response)


# --- Agency worklist -----------------------------------------------------------------------------------


def test_agency_index_redirects_to_the_only_agency(client: Client, world: World) -> None:
    response = _as(client, world.supervisor).get(reverse("web:schedule-agency-index"))
    assert response.status_code == 302
    assert response["Location"] == _agency_url(world)


def test_agency_index_lists_several_agencies(client: Client, world: World) -> None:
    Membership.objects.create(user=world.supervisor, agency=world.agency_b, role=Role.SUPERVISOR)
    response = _as(client, world.supervisor).get(reverse("web:schedule-agency-index"))
    assert response.status_code == 200
    text = _text(response)
    assert "Harbor Child Welfare" in text and "Bayside Probation" in text


@pytest.mark.parametrize("persona", ["screener", "analyst", "researcher", "outsider"])
def test_agency_index_is_403_without_oversight(client: Client, world: World, persona: str) -> None:
    response = _as(client, getattr(world, persona)).get(reverse("web:schedule-agency-index"))
    assert response.status_code == 403


def test_agency_worklist_lists_every_open_intake_most_urgent_first(
    client: Client, world: World, caseload: Caseload
) -> None:
    response = _as(client, world.supervisor).get(_agency_url(world))
    assert response.status_code == 200
    assert _names(response) == [
        "Olivia Overdue",  # due 2026-02-04
        "Uma Nobody",  # due 2026-02-19
        "Vic Boss",  # due 2026-03-01
        "Sam Soon",  # due 2026-03-14
        "Lena Later",  # due 2026-03-31
        "Yara Young",  # not eligible until 10 (2028), due 30 days after
    ]
    text = _text(response)
    assert "Bea" not in text
    assert "Not yet eligible: under the minimum age until 2028-01-01" in text
    assert "Due by 2026-03-31" in text
    assert "Overdue by 19 days" in text
    assert "All (6)" in text
    assert "Overdue (3)" in text and "Due (2)" in text
    assert "Up to date (0)" in text and "Not yet eligible (1)" in text
    assert "Unassigned" in text
    event = AuditEvent.objects.filter(object_type="worklist").latest("pk")
    assert event.agency_id == world.agency_a.pk
    assert event.detail == {"kind": "agency", "filters": {}, "page": 1}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "overdue"}, ["Olivia Overdue", "Uma Nobody", "Vic Boss"]),
        ({"state": "due"}, ["Sam Soon", "Lena Later"]),
        ({"state": "not_eligible"}, ["Yara Young"]),
        ({"state": "up_to_date"}, []),
        ({"screener": "none"}, ["Uma Nobody"]),
        ({"program": "Group+home"}, ["Sam Soon", "Lena Later"]),
        ({"age_band": "under_10"}, ["Yara Young"]),
        ({"age_band": "16_17"}, ["Sam Soon"]),
        (
            {"age_band": "14_15", "state": "overdue", "program": "Foster+care"},
            ["Olivia Overdue", "Uma Nobody", "Vic Boss"],
        ),
    ],
)
def test_agency_worklist_filters(
    client: Client, world: World, caseload: Caseload, query: dict[str, str], expected: list[str]
) -> None:
    response = _as(client, world.supervisor).get(_agency_url(world, **query))
    assert response.status_code == 200
    assert _names(response) == expected


def test_agency_worklist_filters_by_screener(
    client: Client, world: World, caseload: Caseload
) -> None:
    client = _as(client, world.supervisor)
    mine = client.get(_agency_url(world, screener=str(world.supervisor.pk)))
    assert _names(mine) == ["Vic Boss"]
    theirs = client.get(_agency_url(world, screener=str(world.screener.pk), state="overdue"))
    assert _names(theirs) == ["Olivia Overdue"]


def test_state_counts_ignore_the_state_filter_but_follow_the_others(
    client: Client, world: World, caseload: Caseload
) -> None:
    response = _as(client, world.supervisor).get(
        _agency_url(world, screener=str(world.screener.pk), state="due")
    )
    text = _text(response)
    assert "All (4)" in text and "Overdue (1)" in text and "Due (2)" in text
    assert "Not yet eligible (1)" in text
    body = response.content.decode()
    # Each count links to the same filters with that state.
    assert f"?screener={world.screener.pk}&amp;state=overdue" in body
    assert 'aria-current="page">Due' in body


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"state": "late"}, "Select a valid choice"),
        ({"age_band": "99"}, "Select a valid choice"),
        ({"screener": "abc"}, "No screener at this agency matches “abc”."),
        ({"program": "Nowhere"}, "Select a valid choice"),
    ],
)
def test_agency_worklist_invalid_filters_give_a_message(
    client: Client, world: World, caseload: Caseload, query: dict[str, str], message: str
) -> None:
    response = _as(client, world.supervisor).get(_agency_url(world, **query))
    assert response.status_code == 400
    text = _text(response)
    assert message in text
    assert "The filters were not applied." in text
    assert _names(response) == []


def test_agency_worklist_screener_of_another_agency_is_invalid(
    client: Client, world: World, caseload: Caseload
) -> None:
    response = _as(client, world.supervisor).get(
        _agency_url(world, screener=str(world.outsider.pk))
    )
    assert response.status_code == 400
    assert "Bea" not in _text(response)


def test_agency_worklist_paginates_by_50(client: Client, world: World) -> None:
    for n in range(53):
        factories.youth(
            world.agency_a,
            created_by=world.screener,
            first_name="Kid",
            last_name=f"N{n:02d}",
            intake_on=dt.date(2026, 1, 1) + dt.timedelta(days=n),
        )
    schedule_refresh(agency_ids=[world.agency_a.pk])
    client = _as(client, world.supervisor)
    first = client.get(_agency_url(world))
    assert len(_names(first)) == 50
    assert _names(first)[0] == "Kid N00"
    assert "Page 1 of 2 (53 youth)" in _text(first)
    second = client.get(_agency_url(world, page="2"))
    assert _names(second) == ["Kid N50", "Kid N51", "Kid N52"]
    # Due 2026-01-31 + n: overdue on 2026-03-10 for n < 38, so the filtered list is one page.
    filtered = client.get(_agency_url(world, state="overdue"))
    assert _names(filtered) == [f"Kid N{n:02d}" for n in range(38)]
    assert "Page 1 of" not in _text(filtered)


@pytest.mark.parametrize("persona", ["screener", "analyst", "researcher", "outsider"])
def test_agency_worklist_and_export_are_refused_to_others(
    client: Client, world: World, caseload: Caseload, persona: str
) -> None:
    """Colleagues without oversight get 403 (their own agency); the outsider 404 (a foreign one)."""
    client = _as(client, getattr(world, persona))
    page = client.get(_agency_url(world))
    export = client.get(reverse("web:schedule-agency-export", args=[world.agency_a.pk]))
    expected = 404 if persona == "outsider" else 403
    assert page.status_code == expected and export.status_code == expected
    assert "Olivia" not in page.content.decode() + export.content.decode()
    assert not AuditEvent.objects.filter(object_type="worklist").exists()


def test_supervisor_of_a_gets_404_for_b(client: Client, world: World, caseload: Caseload) -> None:
    url = reverse("web:schedule-agency", args=[world.agency_b.pk])
    assert _as(client, world.supervisor).get(url).status_code == 404


# --- CSV export ----------------------------------------------------------------------------------------


def _csv(response: Any) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_export_has_the_columns_and_rows_with_the_filters(
    client: Client, world: World, caseload: Caseload
) -> None:
    url = reverse("web:schedule-agency-export", args=[world.agency_a.pk])
    response = _as(client, world.supervisor).get(url + "?state=overdue&program=Foster+care")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == [
        "Case number",
        "Youth pseudonym",
        "First name",
        "Last name",
        "Age",
        "Program",
        "Assigned screener",
        "State",
        "Due date",
        "Days overdue",
        "Last final screening date",
        "Last level",
    ]
    assert rows[1] == [
        "CW-1",
        str(caseload.overdue.pseudonym),
        "Olivia",
        "Overdue",
        "15",
        "Foster care",
        world.screener.get_full_name() or "screener",
        "Overdue",
        "2026-02-04",
        "34",
        "",
        "",
    ]
    assert [row[0] for row in rows[1:]] == ["CW-1", "CW-5", "CW-6"]
    assert rows[2][6] == "Unassigned"
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.object_type == "worklist"
    assert event.agency_id == world.agency_a.pk
    assert event.actor_id == world.supervisor.pk
    assert event.detail == {
        "kind": "worklist",
        "filters": {"state": "overdue", "program": "Foster care"},
        "rows": 3,
    }
    flat = str(event.detail)
    for name in ("Olivia", "Overdue,", "Uma", "Nobody", "CW-1"):
        assert name not in flat


def test_export_guards_against_csv_injection(client: Client, world: World) -> None:
    factories.registered_youth(
        world.agency_a,
        by=world.screener,
        first_name='=HYPERLINK("x")',
        last_name="+Plus",
        case_number="@SUM",
        intake_on=dt.date(2026, 2, 1),
        program="-1",
    )
    url = reverse("web:schedule-agency-export", args=[world.agency_a.pk])
    rows = _csv(_as(client, world.supervisor).get(url))
    assert rows[1][0] == "'@SUM"
    assert rows[1][2] == '\'=HYPERLINK("x")'
    assert rows[1][3] == "'+Plus"
    assert rows[1][5] == "'-1"


def test_export_invalid_filter_is_400_and_not_audited(client: Client, world: World) -> None:
    url = reverse("web:schedule-agency-export", args=[world.agency_a.pk])
    response = _as(client, world.supervisor).get(url + "?state=late")
    assert response.status_code == 400
    assert "Select a valid choice" in _text(response)
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


# --- Home ----------------------------------------------------------------------------------------------


def test_home_shows_caseload_counts_to_a_screener(
    client: Client, world: World, caseload: Caseload
) -> None:
    response = _as(client, world.screener).get(reverse("web:home"))
    text = _text(response)
    assert "1 overdue, 1 due this week on your caseload" in text
    assert f'href="{reverse("web:schedule-mine")}"' in response.content.decode()
    assert "Agency worklists" not in text


def test_home_shows_agency_counts_to_a_supervisor(
    client: Client, world: World, caseload: Caseload
) -> None:
    response = _as(client, world.supervisor).get(reverse("web:home"))
    text = _text(response)
    assert "3 overdue screenings at Harbor Child Welfare" in text
    assert "2 due at Harbor Child Welfare" in text
    assert "1 overdue, 0 due this week on your caseload" in text
    assert f'{_agency_url(world)}?state=overdue"' in response.content.decode()


@pytest.mark.parametrize("persona", ["analyst", "researcher"])
def test_home_shows_no_worklist_counts_to_others(
    client: Client, world: World, caseload: Caseload, persona: str
) -> None:
    text = _text(_as(client, getattr(world, persona)).get(reverse("web:home")))
    assert "on your caseload" not in text and "overdue at" not in text


def test_nav_links_follow_permissions(client: Client, world: World) -> None:
    mine, agency = reverse("web:schedule-mine"), reverse("web:schedule-agency-index")
    body = _as(client, world.supervisor).get(reverse("web:home")).content.decode()
    assert f'href="{mine}"' in body and f'href="{agency}"' in body
    body = _as(client, world.screener).get(reverse("web:home")).content.decode()
    assert f'href="{mine}"' in body and f'href="{agency}"' not in body
    body = _as(client, world.analyst).get(reverse("web:home")).content.decode()
    assert f'href="{mine}"' not in body and f'href="{agency}"' not in body


# --- Assigning a screener ------------------------------------------------------------------------------


def test_opening_an_intake_assigns_the_chosen_screener(client: Client, world: World) -> None:
    youth = factories.registered_youth(world.agency_a, by=world.screener)
    url = reverse("web:intake-open", args=[youth.pk])
    client = _as(client, world.supervisor)
    form = client.get(url).content.decode()
    assert "Assigned screener" in form
    assert f'<option value="{world.screener.pk}">' in form
    assert f'<option value="{world.analyst.pk}">' not in form
    response = client.post(
        url, {"intake_on": "2026-03-01", "program": "", "assigned_to": str(world.screener.pk)}
    )
    assert response.status_code == 302
    intake = IntakeEpisode.objects.get(youth=youth)
    assert intake.assigned_to_id == world.screener.pk
    assert intake.schedule.assigned_to_id == world.screener.pk


def test_opening_an_intake_refuses_someone_who_cannot_screen(client: Client, world: World) -> None:
    youth = factories.registered_youth(world.agency_a, by=world.screener)
    url = reverse("web:intake-open", args=[youth.pk])
    response = _as(client, world.screener).post(
        url, {"intake_on": "2026-03-01", "assigned_to": str(world.analyst.pk)}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in _text(response)
    assert not IntakeEpisode.objects.filter(youth=youth).exists()


def test_adding_a_youth_assigns_the_first_intake(client: Client, world: World) -> None:
    response = _as(client, world.screener).post(
        reverse("web:youth-create"),
        {
            "first_name": "Maya",
            "last_name": "Okafor",
            "date_of_birth": "2011-03-09",
            "gender_identity": "girl",
            "intake_on": "2026-03-01",
            "program": "Foster care",
            "case_number": "CW-77",
            "assigned_to": str(world.supervisor.pk),
        },
    )
    assert response.status_code == 302
    # Case numbers are encrypted: found by their blind-index digest (ADR 0011).
    intake = IntakeEpisode.objects.get(youth__case_number_digest=_case_digest("CW-77"))
    assert intake.assigned_to_id == world.supervisor.pk


def test_adding_a_youth_without_intake_cannot_assign(client: Client, world: World) -> None:
    response = _as(client, world.screener).post(
        reverse("web:youth-create"),
        {
            "first_name": "Maya",
            "last_name": "Okafor",
            "date_of_birth": "2011-03-09",
            "gender_identity": "girl",
            "case_number": "CW-78",
            "assigned_to": str(world.screener.pk),
        },
    )
    assert response.status_code == 400
    assert "Give an intake date to assign a screener." in _text(response)
    assert not Youth.objects.filter(case_number_digest=_case_digest("CW-78")).exists()


def test_youth_page_shows_schedule_and_reassigns(
    client: Client, world: World, caseload: Caseload
) -> None:
    youth = caseload.unassigned
    detail = reverse("web:youth-detail", args=[youth.pk])
    client = _as(client, world.supervisor)
    text = _text(client.get(detail))
    assert (
        "First screening (30 days after intake on 2026-01-20) was due by 2026-02-19; "
        "19 days overdue." in text
    )
    assert "Assigned screener Nobody yet" in text
    intake = IntakeEpisode.objects.get(youth=youth)
    response = client.post(
        reverse("web:intake-assign", args=[intake.pk]), {"assigned_to": str(world.screener.pk)}
    )
    assert response.status_code == 302 and response["Location"] == detail
    intake.refresh_from_db()
    assert intake.assigned_to_id == world.screener.pk
    text = _text(client.get(detail))
    assert "Assigned to" in text
    assert f"Assigned screener {world.screener.get_full_name() or 'screener'}" in text
    mine = _as(Client(), world.screener).get(reverse("web:schedule-mine"))
    assert "Uma Nobody" in _names(mine)


def test_reassigning_refuses_someone_who_cannot_screen(
    client: Client, world: World, caseload: Caseload
) -> None:
    intake = IntakeEpisode.objects.get(youth=caseload.overdue)
    client = _as(client, world.supervisor)
    response = client.post(
        reverse("web:intake-assign", args=[intake.pk]), {"assigned_to": str(world.analyst.pk)}
    )
    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.assigned_to_id == world.screener.pk
    text = _text(client.get(response["Location"]))
    assert errors.ASSIGNEE_NOT_SCREENER in text


def test_reassigning_can_clear_the_assignment(
    client: Client, world: World, caseload: Caseload
) -> None:
    intake = IntakeEpisode.objects.get(youth=caseload.overdue)
    response = _as(client, world.supervisor).post(
        reverse("web:intake-assign", args=[intake.pk]), {"assigned_to": ""}
    )
    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.assigned_to_id is None


def test_outsider_cannot_reassign(client: Client, world: World, caseload: Caseload) -> None:
    intake = IntakeEpisode.objects.get(youth=caseload.overdue)
    response = _as(client, world.outsider).post(
        reverse("web:intake-assign", args=[intake.pk]), {"assigned_to": str(world.outsider.pk)}
    )
    assert response.status_code == 404
    intake.refresh_from_db()
    assert intake.assigned_to_id == world.screener.pk


def test_agency_worklist_shows_up_to_date_rows(
    client: Client, world: World, caseload: Caseload
) -> None:
    factories.screening(
        caseload.later, screener=world.screener, status="final", screened_on=dt.date(2026, 3, 1)
    )
    schedule_refresh_youth(caseload.later.pk)
    response = _as(client, world.supervisor).get(_agency_url(world, state="up_to_date"))
    assert _names(response) == ["Lena Later"]
    text = _text(response)
    assert "Up to date (next due by 2026-09-01)" in text
    assert "2026-03-01 · No concern" in text
    assert "Up to date (1)" in text and "Due (1)" in text


def test_worklist_pages_take_a_fixed_number_of_queries(
    client: Client, world: World, django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        factories.youth(
            world.agency_a,
            created_by=world.screener,
            last_name=f"Q{n}",
            intake_on=dt.date(2026, 1, 1) + dt.timedelta(days=n),
        )
    schedule_refresh(agency_ids=[world.agency_a.pk])
    IntakeEpisode.objects.filter(agency=world.agency_a).update(assigned_to=world.supervisor)
    schedule_refresh(agency_ids=[world.agency_a.pk])
    client = _as(client, world.supervisor)
    # Session, user, access checks, filters' choices, counts, the page, the audit row, the nav.
    with django_assert_max_num_queries(11):
        response = client.get(_agency_url(world))
    assert len(_names(response)) == 30
    with django_assert_max_num_queries(8):
        response = client.get(reverse("web:schedule-mine"))
    assert len(_names(response)) == 30


def test_the_reason_a_screening_is_due_is_said_in_the_readers_language(
    client: Client, world: World, caseload: Caseload
) -> None:
    # A possible concern on 2026-01-29 calls for a rescreen 30 days later (overdue on 2026-03-10);
    # Sam's first screening is due 30 days after his intake.
    from sightline import instruments
    from sightline.tenancy import services as tenancy_services

    indicators = [i.id for i in instruments.load("cse-it-2.0").indicators]
    ratings = {i: (1 if n < 4 else 0) for n, i in enumerate(indicators)}
    done = factories.finalized_screening(
        caseload.overdue, by=world.screener, screened_on=dt.date(2026, 1, 29), ratings=ratings
    )
    assert done.level == "possible_concern"
    english = _text(_as(client, world.screener).get(reverse("web:schedule-mine")))
    tenancy_services.language_set(user=world.screener, language="es")
    try:
        spanish = _text(_as(client, world.screener).get(reverse("web:schedule-mine")))
    finally:  # a Spanish request leaves Spanish active in this thread; later tests read English
        translation.activate(settings.LANGUAGE_CODE)

    assert "Rescreen (30 days after the possible concern on 2026-01-29)" in english
    assert "First screening (30 days after intake on 2026-02-12)" in english
    assert (
        "Nuevo tamizaje (30 días después del resultado «posible preocupación» del 2026-01-29)"
        in (spanish)
    )
    assert "Primer tamizaje (30 días después de la admisión del 2026-02-12)" in spanish
    assert "Rescreen (" not in spanish and "First screening (" not in spanish
