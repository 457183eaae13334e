"""Walking the authorization matrix (`authz_matrix.py`) against the running app.

Shared by the matrix test and the cross-agency attack test: the records each side needs (agency A,
the people's own; agency B, the other one), how to build each page's and each API operation's request,
and how an answer is classified (`outcome_of`). Every call runs in a savepoint that is rolled back, so
a write made for one role cannot change what the next role finds.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sightline import instruments
from sightline.apitokens.services import token_create
from sightline.imports.models import ImportRun
from sightline.reporting.models import ReportExport
from sightline.screenings.services import followup_create
from sightline.tenancy.models import Agency, Membership, Role, User
from sightline.tenancy.permissions import permissions_anywhere
from sightline.validation.models import CriterionRecord, Study
from sightline.validation.studio import study_create, study_execute
from sightline.youth.models import Youth
from tests import factories
from tests.api.conftest import complete_ratings
from tests.security.authz_matrix import API, PAGES, ROLES
from tests.validation.conftest import Studio

TRAINED = ("cse-it-2.0", "cse-it-brief")


@dataclass
class Side:
    """One agency's records: every kind of object a page or an API operation names by id."""

    agency: Agency
    screener: User
    youth: Any
    intake: Any
    final: Any
    draft: Any
    complete_draft: Any
    followup: Any
    import_run: ImportRun
    # A person of the side's agency (their membership there: the people pages name it) and a
    # finished validation study of that agency alone, asked for by its researcher.
    membership: Membership
    study: Study
    token_prefix: str
    export_token: str
    # Identifying text of the side's youth: must never reach an analyst or a researcher.
    identifiers: list[bytes] = field(default_factory=list)

    def id_of(self, kind: str) -> int:
        return int(getattr(self, kind).pk)


def _finished_study(agency: Agency, *, researcher: User, youth: Any, final: Any) -> Study:
    """A study of `agency` run to the end through the studio's service: one criterion finding on
    the side's youth, so the final screening is matched and the result is a real report."""
    parameters = Studio(
        researcher=researcher,
        agency_ids=(agency.pk,),
        version=instruments.load("cse-it-2.0").version,
    ).parameters()
    CriterionRecord.objects.create(
        youth=youth,
        agency=agency,
        source=parameters.criterion_source,
        finding=True,
        recorded_on=final.screened_on,
    )
    study = study_create(by=researcher, parameters=parameters, queue=False)
    study_execute(study.pk)
    study.refresh_from_db()
    return study


def build_side(
    agency: Agency, *, screener: User, supervisor: User, researcher: User, tag: str
) -> Side:
    """Records of one agency made through the services (name tokens, audit), like production data."""
    youth = factories.registered_youth(
        agency,
        by=screener,
        first_name=f"Zephyrine{tag}",
        last_name=f"Quillfeather{tag}",
        case_number=f"CASE-{tag}-77123",
        intake_on=dt.date(2026, 1, 5),
        assigned_to=screener,
    )
    final = factories.finalized_screening(youth, by=screener, screened_on=dt.date(2026, 2, 2))
    draft = factories.screening(youth, screener=screener, rating=None)
    complete = factories.screening(youth, screener=screener, rating=0)
    followup = followup_create(
        screening=final,
        by=supervisor,
        kind="referral",
        owner=screener,
        due_on=dt.date(2026, 3, 1),
    )
    run = ImportRun.objects.create(
        agency=agency,
        kind="youth",
        source_system="cms",
        file_name=f"{tag}.csv",
        created_by=screener,
    )
    token = token_create(
        by=screener,
        name=f"token {tag}",
        agency_ids=[agency.pk],
        permissions=sorted(permissions_anywhere(screener), key=lambda p: p.value),
    )
    export = ReportExport.objects.create(
        token=uuid.uuid4(),
        requested_by=supervisor,
        level="agency",
        key=str(agency.pk),
        period="month",
        start=dt.date(2026, 1, 1),
        format="csv",
        status="done",
        filename=f"report-{tag}.csv",
        content=b"level,count\n",
    )
    study = _finished_study(agency, researcher=researcher, youth=youth, final=final)
    return Side(
        agency=agency,
        screener=screener,
        youth=youth,
        intake=youth.intakes.get(),
        final=final,
        draft=draft,
        complete_draft=complete,
        followup=followup,
        import_run=run,
        membership=Membership.objects.get(user=screener, agency=agency),
        study=study,
        token_prefix=token.token.prefix,
        export_token=str(export.token),
        identifiers=[
            f"Zephyrine{tag}".encode(),
            f"Quillfeather{tag}".encode(),
            f"CASE-{tag}-77123".encode(),
        ],
    )


@dataclass
class Walk:
    """The people of agency A (one per role, and anonymous) and both sides' records."""

    people: dict[str, User | None]
    own: Side
    other: Side

    def side(self, which: str) -> Side:
        return self.own if which == "own" else self.other


def build_walk() -> Walk:
    county = factories.county(name="Matrix")
    agency_a = factories.agency(name="Harbor Child Welfare", county_=county)
    agency_b = factories.agency(name="Bayside Probation", county_=county)
    people: dict[str, User | None] = {
        "screener": factories.member(agency_a, Role.SCREENER, trained_for=TRAINED),
        "supervisor": factories.member(agency_a, Role.SUPERVISOR, trained_for=TRAINED),
        "agency_admin": factories.member(agency_a, Role.AGENCY_ADMIN),
        "analyst": factories.member(agency_a, Role.ANALYST),
        "researcher": factories.member(agency_a, Role.RESEARCHER),
        "system_admin": factories.member(agency_a, Role.SYSTEM_ADMIN),
        "anonymous": None,
    }
    admin = people["system_admin"]
    assert admin is not None
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    b_screener = factories.member(agency_b, Role.SCREENER, trained_for=TRAINED)
    b_supervisor = factories.member(agency_b, Role.SUPERVISOR, trained_for=TRAINED)
    b_researcher = factories.member(agency_b, Role.RESEARCHER)
    screener, supervisor, researcher = (
        people["screener"],
        people["supervisor"],
        people["researcher"],
    )
    assert screener is not None and supervisor is not None and researcher is not None
    own = build_side(
        agency_a, screener=screener, supervisor=supervisor, researcher=researcher, tag="Own"
    )
    other = build_side(
        agency_b, screener=b_screener, supervisor=b_supervisor, researcher=b_researcher, tag="Oth"
    )
    assert list(ROLES) == list(people)
    return Walk(people=people, own=own, other=other)


# --- the requests ------------------------------------------------------------------------------------


def web_patterns() -> Iterator[tuple[str, list[str]]]:
    """(name, [keyword argument names]) of every named URL pattern (web pages and the admin index)."""

    def walk(patterns: list[Any], namespace: str) -> Iterator[tuple[str, list[str]]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
                yield from walk(entry.url_patterns, inner.strip(":"))
            elif isinstance(entry, URLPattern) and entry.name and namespace == "web":
                yield f"web:{entry.name}", list(entry.pattern.converters)

    yield from walk(get_resolver().url_patterns, "")


def api_operations() -> set[str]:
    """'METHOD /api/path' of every operation in the API's OpenAPI schema."""
    from sightline.api.urls import api

    schema = api.get_openapi_schema()
    return {
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }


_ARGUMENT_KINDS = {"run_id": "import_run", "membership_id": "membership", "study_id": "study"}


def mixed_pages() -> list[str]:
    """Pages whose URL names an agency and a record of it (`agency-person`, an import run): the
    attack also asks them with the attacker's own agency and the other agency's record."""
    return sorted(
        name
        for name, arguments in web_patterns()
        if "agency_id" in arguments and set(arguments) & set(_ARGUMENT_KINDS)
    )


def page_request(
    name: str, side: Side, *, agency: Agency | None = None
) -> tuple[str, str, dict[str, Any]]:
    """(method, url, data) for the page `name`, naming `side`'s records (and `agency`, when given,
    as the URL's agency instead of the side's: one's own agency with another's record)."""
    kind, method = PAGES[name][0], PAGES[name][1]
    arguments = next(args for page, args in web_patterns() if page == name)
    kwargs: dict[str, Any] = {}
    for argument in arguments:
        if argument in ("instrument_id",):
            kwargs[argument] = "cse-it-2.0"
        elif argument == "file_format":
            kwargs[argument] = "csv"
        elif argument == "uidb64":
            kwargs[argument] = "MQ"
        elif argument == "token":
            kwargs[argument] = "set-password"
        elif argument == "agency_id":
            kwargs[argument] = (agency or side.agency).pk
        else:
            kwargs[argument] = side.id_of(_ARGUMENT_KINDS.get(argument, kind or ""))
    data: dict[str, Any] = {}
    if name == "web:api-token-revoke":
        data = {"prefix": side.token_prefix}
    if name == "web:report-export-download":
        data = {"token": side.export_token}
    if name == "web:report-agency":
        data = {}
    return method, reverse(name, kwargs=kwargs), data


def _api_body(operation: str, side: Side) -> dict[str, Any] | None:
    bodies: dict[str, Any] = {
        "POST /api/score": {"instrument_id": "cse-it-2.0", "indicator_ratings": complete_ratings()},
        "POST /api/youth": {
            "agency_id": side.agency.pk,
            "first_name": "Sam",
            "last_name": "Okafor",
            "date_of_birth": "2011-02-03",
            "gender_identity": "boy",
        },
        "POST /api/youth/search": {"name": side.identifiers[0].decode()},
        # Read fresh: the version the previous role's edit (rolled back or not) leaves.
        "PATCH /api/youth/{youth_id}": {
            "lock_version": Youth.objects.get(pk=side.youth.pk).lock_version,
            "notes": "seen",
        },
        "POST /api/youth/{youth_id}/intakes": {"intake_on": "2026-01-06"},
        "POST /api/intakes/{intake_id}/close": {"exit_on": "2026-02-10"},
        "POST /api/screenings": {"youth_id": side.youth.pk, "instrument_id": "cse-it-brief"},
        "PATCH /api/screenings/{screening_id}": {
            "lock_version": side.draft.lock_version,
            "notes": "seen at school",
        },
        "POST /api/screenings/{screening_id}/finalize": {
            "lock_version": side.complete_draft.lock_version
        },
        "POST /api/screenings/{screening_id}/amend": {"reason": "A date was wrong."},
        "POST /api/screenings/{screening_id}/review": {"decision": "reviewed"},
        "POST /api/screenings/{screening_id}/followups": {
            "kind": "safety_plan",
            "owner_id": side.screener.pk,
            "due_on": "2026-04-01",
        },
        "POST /api/followups/{followup_id}/complete": {
            "completed_on": "2026-02-20",
            "outcome": "Referred.",
        },
        "POST /api/events": {
            "source": "cms",
            "event_id": "e-1",
            "kind": "returned_from_missing",
            "youth_id": side.youth.pk,
            "occurred_at": "2026-02-01T10:00:00Z",
        },
        "POST /api/fhir/youth/{youth_id}/QuestionnaireResponse": {
            "resourceType": "QuestionnaireResponse",
            "status": "completed",
        },
    }
    return bodies.get(operation)


def api_request(operation: str, side: Side) -> tuple[str, str, dict[str, Any] | None]:
    """(method, path, JSON body) of the API operation, naming `side`'s records."""
    kind = API[operation][0]
    method, template = operation.split(" ", 1)

    def fill(match: re.Match[str]) -> str:
        argument = match.group(1)
        if argument == "instrument_id":
            return "cse-it-2.0"
        if argument == "version":
            return str(side.final.instrument_version)
        if argument == "agency_id":
            return str(side.agency.pk)
        return str(side.id_of(kind or ""))

    return method.lower(), re.sub(r"\{(\w+)\}", fill, template), _api_body(operation, side)


# --- calling and classifying -------------------------------------------------------------------------


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_secret(user: User | None) -> str | None:
    """A full-scope token of `user` (every agency they belong to, every permission they hold)."""
    if user is None:
        return None
    agencies = sorted(set(Membership.objects.filter(user=user).values_list("agency_id", flat=True)))
    return token_create(
        by=user,
        name="matrix",
        agency_ids=agencies,
        permissions=sorted(permissions_anywhere(user), key=lambda p: p.value),
    ).secret


def outcome_of(response: Any, *, api: bool) -> str:
    """'ok' (2xx/3xx, not a sign-in redirect), 'login' (sent to sign in), or the status code."""
    status = response.status_code
    if api and status == 401:
        return "login"
    if status in (301, 302) and "/accounts/login/" in response.get("Location", ""):
        return "login"
    if 200 <= status < 400:
        return "ok"
    return str(status)


def call_page(client: Client, name: str, side: Side) -> Any:
    method, url, data = page_request(name, side)
    return getattr(client, method)(url, data)


def call_api(client: Client, secret: str | None, operation: str, side: Side) -> Any:
    method, path, body = api_request(operation, side)
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    if method == "get":
        return client.get(path, headers=headers)
    return getattr(client, method)(
        path, data=json.dumps(body or {}), content_type="application/json", headers=headers
    )


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """Run the block in a savepoint and undo it, so every call meets the same records."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# Roles that must never see a youth's identity (ADR 0004: analysts aggregates, researchers
# de-identified data, system admins nothing), nor anyone who is not signed in.
NO_IDENTITY = ("analyst", "researcher", "system_admin", "anonymous")


def body_of(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


@dataclass(frozen=True)
class Seen:
    """What one role got from one entry on one side."""

    key: str
    role: str
    side: str
    expected: str
    outcome: str
    status: int
    leaked: tuple[str, ...]  # identifiers of a youth found in a body this role must not see

    @property
    def wrong(self) -> bool:
        return self.outcome != self.expected or bool(self.leaked)


def walk_entry(
    walk: Walk, key: str, row: tuple[Any, ...], *, roles: tuple[str, ...] = ROLES
) -> list[Seen]:
    """Call `key` (a page name or an API operation) as each of `roles` on each side of `row`."""
    is_api = key.startswith(("GET ", "POST ", "PATCH ", "PUT ", "DELETE "))
    sides = [("own", row[2])] + ([("other", row[3])] if row[3] is not None else [])
    seen: list[Seen] = []
    for side_name, outcomes in sides:
        expected = outcomes.split()
        side = walk.side(side_name)
        for index, role in enumerate(ROLES):
            if role not in roles:
                continue
            user = walk.people[role]
            with rolled_back():
                client = client_for(user)
                if is_api:
                    response = call_api(client, api_secret(user), key, side)
                else:
                    response = call_page(client, key, side)
                body = body_of(response)
            leaked: tuple[str, ...] = ()
            if role in NO_IDENTITY:
                leaked = tuple(
                    marker.decode()
                    for marker in walk.own.identifiers + walk.other.identifiers
                    if marker in body
                )
            seen.append(
                Seen(
                    key=key,
                    role=role,
                    side=side_name,
                    expected=expected[index] if index < len(expected) else "?",
                    outcome=outcome_of(response, api=is_api),
                    status=response.status_code,
                    leaked=leaked,
                )
            )
    return seen
