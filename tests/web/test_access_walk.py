"""Every page reaches tenant data only through the access layer, and every refusal is recorded.

The walk covers every URL pattern of the web app: a pattern this file does not know fails the walk, so a
new page cannot be added without saying which record its ids name. For each page and persona, a query
on a table of tenant data that runs before the request has been through the door
(`sightline.tenancy.access`) fails the test; an outsider naming another agency's record gets the same
404 (or 403) as for a missing one, and a DENIED audit event.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sightline.audit.models import AuditAction, AuditEvent
from sightline.screenings.services import followup_create
from sightline.tenancy import access
from sightline.tenancy.models import Role
from tests import factories
from tests.conftest import World

# Tables holding one agency's data about youth; reading them is what the door must come before.
TENANT_TABLES = (
    "youth_youth",
    "youth_intakeepisode",
    "youth_youthnametoken",
    "screenings_screening",
    "screenings_followupaction",
    "screenings_screeningreview",
    "scheduling_intakeschedule",
    "scheduling_rescreendue",
    "scheduling_screeningpolicy",
    "tenancy_trainingrecord",
    "validation_criterionrecord",
)
_READS_TENANT_DATA = re.compile(
    r"^\s*SELECT\b.*\bFROM\b.*\b(" + "|".join(TENANT_TABLES) + r")\b", re.IGNORECASE | re.DOTALL
)

# Which record each id-bearing page names: ("youth" | "screening" | "draft" | "followup" | "intake"
# | "agency"). Pages without ids are listed with None.
PAGES: dict[str, str | None] = {
    "web:home": None,
    "web:login": None,
    "web:logout": None,
    "web:instrument": None,
    "web:instrument-score": None,
    "web:youth-list": None,
    "web:youth-create": None,
    "web:youth-detail": "youth",
    "web:youth-edit": "youth",
    "web:intake-open": "youth",
    "web:intake-close": "intake",
    "web:intake-assign": "intake",
    "web:staff": None,
    "web:screening-start": "youth",
    "web:my-screenings": None,
    "web:agency-screenings": None,
    "web:agency-screenings-export": None,
    "web:screening-detail": "screening",
    "web:screening-edit": "draft",
    "web:screening-preview": "draft",
    "web:screening-autosave": "draft",
    "web:screening-discard": "draft",
    "web:screening-amend": "screening",
    "web:screening-summary": "screening",
    "web:followup-create": "screening",
    "web:followup-complete": "followup",
    "web:schedule-mine": None,
    "web:schedule-agency-index": None,
    "web:schedule-agency": "agency",
    "web:schedule-agency-export": "agency",
    "web:agency-followups": "agency",
    "web:schedule-agency-screeners": "agency",
    "web:agency-followups-export": "agency",
    "web:schedule-coverage": None,
    "web:schedule-coverage-export": None,
    "web:agency-policy": "agency",
    "web:awaiting-review": None,
    "web:screening-review": "screening",
    "web:screening-correct": "screening",
    "web:agency-import": "agency",
    "web:agency-import-run": "agency",
    "web:agency-import-problems": "agency",
    "web:agency-export": "agency",
    "web:api-tokens": None,
    "web:api-token-revoke": None,
    "web:account": None,
    "web:account-language": None,
    "web:password-change": None,
    "web:password-reset": None,
    "web:password-reset-done": None,
    "web:password-reset-confirm": None,
    "web:mfa-verify": None,
    "web:mfa-setup": None,
    "web:mfa-recovery-codes": None,
    "web:logout-everywhere": None,
    "web:session-keepalive": None,
    "web:audit-log": None,
    "web:audit-export": None,
    "web:break-glass": None,
    "web:reports": None,
    "web:report-agency": "agency",
    "web:report-area": None,
    "web:report-export": None,
    "web:report-exports": None,
    "web:report-export-download": None,
    "web:studio": None,
    "web:study-detail": "study",
    "web:study-rerun": "study",
    "web:study-json": "study",
    "web:study-pdf": "study",
    # Agency administration (issue 21.5) and retention (issue 18.9): the person id is checked
    # after the agency door, so the walk names the agency for both ids.
    "web:agency-people": "agency",
    "web:agency-people-invite": "agency",
    "web:agency-person": "agency",
    "web:invitation-accept": None,
    "web:instrument-upload": None,
    "web:agency-retention": "agency",
}
# Pages outside the tenant door by design: signing in and out, and the pure practice scorer.
NO_TENANT_DATA = {"web:login", "web:logout", "web:instrument", "web:instrument-score"}
# The person's own account (and "sign out everywhere", which would end the walk's session).
NO_TENANT_DATA |= {
    name for name in PAGES if name.startswith(("web:account", "web:password", "web:mfa"))
}
NO_TENANT_DATA |= {"web:logout-everywhere", "web:session-keepalive", "web:invitation-accept"}


def _web_patterns() -> Iterator[tuple[str, list[str]]]:
    """(name, [keyword argument names]) for every named pattern under the web app."""

    def walk(patterns: list[Any], namespace: str) -> Iterator[tuple[str, list[str]]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
                yield from walk(entry.url_patterns, inner.strip(":"))
            elif isinstance(entry, URLPattern) and entry.name and namespace == "web":
                yield f"web:{entry.name}", list(entry.pattern.converters)

    yield from walk(get_resolver().url_patterns, "")


@dataclass
class Records:
    youth: Any
    intake: Any
    screening: Any
    draft: Any
    followup: Any
    agency: Any
    study: Any

    def id_of(self, kind: str) -> int:
        return int(getattr(self, kind).pk)


@pytest.fixture
def records(world: World) -> Records:
    youth = factories.registered_youth(
        world.agency_a, by=world.screener, intake_on=dt.date(2026, 1, 5)
    )
    final = factories.finalized_screening(youth, by=world.screener, screened_on=dt.date(2026, 2, 2))
    draft = factories.screening(youth, screener=world.screener)
    followup = followup_create(
        screening=final,
        by=world.supervisor,
        kind="referral",
        owner=world.screener,
        due_on=dt.date(2026, 3, 1),
    )
    return Records(
        youth=youth,
        intake=youth.intakes.get(),
        screening=final,
        draft=draft,
        followup=followup,
        agency=world.agency_a,
        study=_study(world),
    )


def _study(world: World) -> Any:
    """A saved validation study of agency A, asked for by its researcher (not run: no worker here)."""
    from sightline import instruments
    from sightline.validation.studio import StudyParameters, study_create

    return study_create(
        by=world.researcher,
        parameters=StudyParameters(
            instrument_id="cse-it-2.0",
            instrument_version=instruments.load("cse-it-2.0").version,
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 12, 31),
            agency_ids=(world.agency_a.pk,),
            criterion_source="Child welfare investigations",
        ),
    )


def _url(name: str, arguments: list[str], records: Records) -> str:
    kind = PAGES[name]
    kwargs = {argument: records.id_of(kind) for argument in arguments} if kind else {}
    if name in ("web:instrument", "web:instrument-score"):
        kwargs = {"instrument_id": "cse-it-2.0"}
    if name in ("web:password-reset-confirm", "web:invitation-accept"):
        kwargs = {"uidb64": "MQ", "token": "set-password"}
    return reverse(name, kwargs=kwargs)


@contextmanager
def _door_watch(offences: list[str]) -> Iterator[None]:
    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if _READS_TENANT_DATA.match(sql) and not access.door_used.get():
            offences.append(sql[:200])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        yield


def test_the_walk_knows_every_web_page() -> None:
    names = {name for name, _ in _web_patterns()}
    assert names, "no URL patterns found"
    unknown = sorted(names - set(PAGES))
    assert unknown == [], f"say in PAGES which record these pages' ids name: {unknown}"
    gone = sorted(set(PAGES) - names)
    assert gone == [], f"PAGES lists pages that no longer exist: {gone}"


@pytest.mark.parametrize(
    "persona", ["screener", "supervisor", "agency_admin", "analyst", "researcher", "outsider"]
)
def test_no_page_reads_tenant_data_before_the_door(
    world: World, records: Records, persona: str
) -> None:
    client = Client()
    client.force_login(getattr(world, persona))
    offenders: dict[str, list[str]] = {}
    for name, arguments in _web_patterns():
        if name in NO_TENANT_DATA:
            continue
        url = _url(name, arguments, records)
        for method in ("get", "post"):
            offences: list[str] = []
            access.door_used.set(False)
            with _door_watch(offences):
                getattr(client, method)(url)
            if offences:
                offenders[f"{method.upper()} {name}"] = offences
    assert offenders == {}, f"pages that read tenant data without the access layer: {offenders}"


@pytest.mark.parametrize(("name", "arguments"), [p for p in _web_patterns() if PAGES.get(p[0])])
def test_another_agencys_record_is_refused_and_the_refusal_recorded(
    world: World, records: Records, name: str, arguments: list[str]
) -> None:
    """The outsider screens at agency B; every record here belongs to agency A."""
    client = Client()
    client.force_login(world.outsider)
    url = _url(name, arguments, records)
    for method in ("get", "post"):
        before = set(AuditEvent.objects.values_list("pk", flat=True))
        response = getattr(client, method)(url)
        if response.status_code == 405:
            continue
        # A foreign record is always 404, never 403: the outsider learns nothing about it.
        assert response.status_code == 404, (method, name, response.status_code)
        new = AuditEvent.objects.exclude(pk__in=before)
        assert [(e.action, e.actor_id) for e in new] == [(AuditAction.DENIED, world.outsider.pk)], (
            method,
            name,
        )
        assert b"Rivera" not in response.content


def test_a_missing_record_gets_the_same_answer_as_a_foreign_one(
    world: World, records: Records
) -> None:
    client = Client()
    client.force_login(world.outsider)
    foreign = client.get(reverse("web:youth-detail", args=[records.youth.pk]))
    missing = client.get(reverse("web:youth-detail", args=[records.youth.pk + 10_000]))
    assert foreign.status_code == missing.status_code == 404
    # Word for word the same page, but for the sign-out form's per-response CSRF token.
    assert _without_csrf(foreign.content) == _without_csrf(missing.content)
    assert b"No such youth." in foreign.content and b"Go to your home page" in foreign.content


def _without_csrf(content: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


def test_a_denied_event_names_the_request_but_never_the_youth(
    world: World, records: Records
) -> None:
    client = Client(HTTP_USER_AGENT="walk-test", REMOTE_ADDR="192.0.2.7")
    client.force_login(world.outsider)
    client.get(reverse("web:screening-detail", args=[records.screening.pk]))
    event = AuditEvent.objects.get(action=AuditAction.DENIED)
    assert (event.object_type, event.object_id) == ("screening", str(records.screening.pk))
    assert event.agency_id == world.agency_a.pk  # for the security log; never shown to the outsider
    assert (event.channel, event.ip_address, event.user_agent) == ("web", "192.0.2.7", "walk-test")
    assert event.path == reverse("web:screening-detail", args=[records.screening.pk])
    assert event.request_id


def test_a_read_only_role_gets_403_and_a_denied_event(
    world: World, records: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sightline.tenancy.permissions import Permission

    factories.set_role_permissions(
        monkeypatch, Role.ANALYST, frozenset({Permission.YOUTH_VIEW, Permission.SCREENING_VIEW})
    )
    client = Client()
    client.force_login(world.analyst)
    response = client.get(reverse("web:youth-edit", args=[records.youth.pk]))
    assert response.status_code == 403
    event = AuditEvent.objects.get(action=AuditAction.DENIED)
    assert (event.object_type, event.detail["permission"], event.detail["status"]) == (
        "youth",
        "youth_edit",
        403,
    )


def test_the_watch_catches_a_read_that_skips_the_door(world: World, records: Records) -> None:
    """The check above can fail: a direct query on a tenant table, with no door used, is caught."""
    from sightline.youth.models import Youth

    offences: list[str] = []
    access.door_used.set(False)
    with _door_watch(offences):
        assert Youth.objects.filter(agency_id=world.agency_a.pk).count() == 1
    assert len(offences) == 1 and "youth_youth" in offences[0]
    offences.clear()
    with _door_watch(offences):
        from sightline.youth.selectors import youth_visible_to

        assert youth_visible_to(user=world.screener).count() == 1
    assert offences == []
