"""The attack: people of agency A name agency B's records in every route and every API operation that
takes an id (in the path or the body), with GET and with every write method. Nothing of B comes back
(no name, case number or id-bearing body), nothing of B changes (a full dump of B's rows is the same
before and after), and every refusal is a DENIED audit event of the person who tried.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse

from sightline.apitokens.models import ApiToken
from sightline.audit.models import AuditAction, AuditEvent
from sightline.reporting.models import ReportExport
from sightline.tenancy.models import Membership
from sightline.validation.models import Study
from tests.security.authz_matrix import API, PAGES
from tests.security.authz_walk import (
    Walk,
    api_request,
    api_secret,
    body_of,
    build_walk,
    client_for,
    mixed_pages,
    page_request,
)

ATTACKERS = ("screener", "supervisor", "agency_admin", "analyst", "researcher", "system_admin")
WRITE_METHODS = ("post", "put", "patch", "delete")
# What a write might carry: the field names of the forms and bodies that change records.
HOSTILE_FORM = {
    "first_name": "Hacked",
    "last_name": "Hacked",
    "case_number": "HACKED-1",
    "notes": "hacked",
    "reason": "hacked",
    "outcome": "hacked",
    "decision": "reviewed",
    "kind": "referral",
    "due_on": "2026-04-01",
    "exit_on": "2026-02-10",
    "intake_on": "2026-01-06",
    "completed_on": "2026-02-20",
    "assigned_to": "1",
    "lock_version": "0",
}
# API operations without an id in the path that name a record of an agency in their body.
BODY_NAMES_A_RECORD = ("POST /api/youth", "POST /api/screenings", "POST /api/events")


def dump_of(walk: Walk) -> dict[str, list[dict[str, Any]]]:
    """Every row of agency B: each model with an agency, B's people's tokens and report exports."""
    agency_id = walk.other.agency.pk
    people = list(Membership.objects.filter(agency_id=agency_id).values_list("user_id", flat=True))
    dump: dict[str, list[dict[str, Any]]] = {}
    for model in apps.get_models():
        if model is AuditEvent:
            continue  # append-only: the DENIED events land here, by design
        names = {f.name for f in model._meta.concrete_fields}
        if "agency" in names:
            rows = model._default_manager.filter(agency_id=agency_id)
            dump[model._meta.label] = [
                {k: repr(v) for k, v in row.items()} for row in rows.order_by("pk").values()
            ]
    dump["tokens"] = [
        {k: repr(v) for k, v in row.items() if k not in ("last_used_at", "last_used_ip")}
        for row in ApiToken.objects.filter(owner_id__in=people).order_by("pk").values()
    ]
    # A study names its agencies in a list, not a foreign key: B's are those that read B's data.
    dump["studies"] = [
        {k: repr(v) for k, v in row.items()}
        for row in Study.objects.order_by("pk").values()
        if agency_id in row["agency_ids"]
    ]
    dump["exports"] = [
        {k: repr(v) for k, v in row.items()}
        for row in ReportExport.objects.filter(requested_by_id__in=people).order_by("pk").values()
    ]
    return dump


def _b_markers(walk: Walk) -> list[bytes]:
    return walk.other.identifiers


def _attempts(walk: Walk) -> list[tuple[str, str, str, Any, bool]]:
    """(label, method, url, data, is_api) of every attempt naming B's records."""
    side = walk.other
    found: list[tuple[str, str, str, Any, bool]] = []
    for name, (kind, _method, _own, other) in PAGES.items():
        if kind is None or other is None:
            continue
        _, url, data = page_request(name, side)
        found.append((f"GET {name}", "get", url, data, False))
        found.append((f"POST {name}", "post", url, {**HOSTILE_FORM, **data}, False))
    # A page naming an agency and one of its records, asked with the attacker's own agency and B's
    # record: the own agency's door may let them in, the record must still be refused.
    for name in mixed_pages():
        _, url, data = page_request(name, side, agency=walk.own.agency)
        found.append((f"GET {name} (own agency)", "get", url, data, False))
        found.append((f"POST {name} (own agency)", "post", url, {**HOSTILE_FORM, **data}, False))
    for operation, (kind, _method, _own, _other) in API.items():
        if kind is None and operation not in BODY_NAMES_A_RECORD:
            continue
        method, path, body = api_request(operation, side)
        methods = ("get", *WRITE_METHODS) if kind is not None else (method,)
        for each in methods:
            payload = body if each == method else {**HOSTILE_FORM, "lock_version": 0}
            found.append((f"{each.upper()} {operation}", each, path, payload, True))
    return found


@pytest.mark.parametrize("role", ATTACKERS)
def test_agency_a_gets_nothing_of_agency_b_and_changes_nothing(db: None, role: str) -> None:
    walk = build_walk()
    user = walk.people[role]
    client = client_for(user)
    secret = api_secret(user)
    before = dump_of(walk)
    problems: list[str] = []
    refused = 0

    for label, method, url, data, is_api in _attempts(walk):
        last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        if is_api:
            response = getattr(client, method)(
                url,
                data=json.dumps(data or {}) if method != "get" else None,
                content_type="application/json",
                headers={"Authorization": f"Bearer {secret}"},
            )
        else:
            response = getattr(client, method)(url, data)
        body = body_of(response)
        leaked = [m.decode() for m in _b_markers(walk) if m in body]
        if leaked:
            problems.append(f"{label}: B's {leaked} in the body")
        status = response.status_code
        if status in (403, 404):
            refused += 1
            denied = AuditEvent.objects.filter(
                pk__gt=last, action=AuditAction.DENIED, actor_id=user.pk
            )
            if not denied.exists():
                problems.append(f"{label}: {status} with no DENIED event")
        elif status == 405:
            pass  # no such method on this route: nothing was reached
        elif label == "POST web:api-token-revoke":
            pass  # another's prefix is ignored; the dump below shows the token unchanged
        elif status >= 400 and is_api and status in (401, 422):
            # Refused before any record was named (a body the schema rejects): nothing reached.
            pass
        else:
            problems.append(f"{label}: answered {status}")

    assert problems == [], problems
    # The walk really named B's records: at least every id-bearing page's GET and every API
    # operation with an id in its path, with its own method, was refused.
    pages = sum(1 for kind, *_ in PAGES.values() if kind not in (None, "token", "export"))
    pages += len(mixed_pages())
    operations = sum(1 for kind, *_ in API.values() if kind is not None)
    assert refused >= pages + operations, refused
    assert dump_of(walk) == before


def test_the_dump_sees_a_change(db: None) -> None:
    """The comparison above can fail: a change to one of B's records shows in the dump."""
    walk = build_walk()
    before = dump_of(walk)
    from sightline.youth.models import Youth

    Youth.objects.filter(pk=walk.other.youth.pk).update(gender_identity="boy")
    assert dump_of(walk) != before


def test_the_dump_sees_a_new_study_of_b(db: None) -> None:
    """Studies have no agency key: a re-run of B's study (a new row naming B) shows in the dump."""
    walk = build_walk()
    before = dump_of(walk)
    from sightline.validation.studio import study_rerun

    study_rerun(study=walk.other.study, by=walk.other.study.created_by, queue=False)
    assert len(dump_of(walk)["studies"]) == len(before["studies"]) + 1


def test_a_search_for_bs_youth_finds_nothing_and_a_page_of_b_is_the_missing_page(
    db: None,
) -> None:
    walk = build_walk()
    user = walk.people["supervisor"]
    client = client_for(user)
    found = client.post(
        "/api/youth/search",
        data=json.dumps({"name": walk.other.identifiers[0].decode()}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {api_secret(user)}"},
    )
    assert found.status_code == 200 and found.json()["items"] == []
    listed = client.get(reverse("web:youth-list"), {"q": walk.other.identifiers[0].decode()})
    assert walk.other.identifiers[0] not in body_of(listed)
