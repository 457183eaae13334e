"""Every endpoint, every role, own and other agency: the role matrix decides, through the same
doors as the pages, and another agency's record is the same 404 as a missing one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from sightline.audit.models import AuditAction, AuditEvent
from tests.api.conftest import Records, complete_ratings
from tests.conftest import World

PERSONAS = ("screener", "supervisor", "agency_admin", "analyst", "researcher", "outsider")


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: Callable[[Records, World], str]
    body: Callable[[Records, World], Any] | None
    expected: dict[str, int]  # persona -> status; others get `otherwise`
    # Unset: the access layer's rule, a forbidden action at one's own agency 403, an outsider 404.
    otherwise: int | None = None

    def status_for(self, persona: str) -> int:
        if persona in self.expected:
            return self.expected[persona]
        if self.otherwise is not None:
            return self.otherwise
        return 404 if persona == "outsider" else 403


def _everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(PERSONAS, status)


def _casework(status: int) -> dict[str, int]:
    return {"screener": status, "supervisor": status}


def _screening_body(r: Records, w: World) -> dict[str, Any]:
    return {"youth_id": r.youth.pk, "instrument_id": "cse-it-brief"}


def _youth_body(r: Records, w: World) -> dict[str, Any]:
    return {
        "agency_id": w.agency_a.pk,
        "first_name": "Sam",
        "last_name": "Okafor",
        "date_of_birth": "2011-02-03",
        "gender_identity": "boy",
    }


ENDPOINTS = [
    Endpoint("instrument list", "get", lambda r, w: "/instruments", None, _everyone(200)),
    Endpoint(
        "instrument version",
        "get",
        lambda r, w: f"/instruments/cse-it-2.0/versions/{r.final.instrument_version}",
        None,
        _everyone(200),
    ),
    Endpoint(
        "score",
        "post",
        lambda r, w: "/score",
        lambda r, w: {"instrument_id": "cse-it-2.0", "indicator_ratings": complete_ratings()},
        _everyone(200),
    ),
    Endpoint("youth create", "post", lambda r, w: "/youth", _youth_body, _casework(201)),
    Endpoint(
        "youth search",
        "post",
        lambda r, w: "/youth/search",
        lambda r, w: {"name": "alex rivera"},
        _everyone(200),
    ),
    Endpoint("youth read", "get", lambda r, w: f"/youth/{r.youth.pk}", None, _casework(200)),
    Endpoint(
        "intake open",
        "post",
        lambda r, w: f"/youth/{r.youth.pk}/intakes",
        lambda r, w: {"intake_on": "2026-01-06"},
        _casework(422),  # one open intake at a time: the service refuses, after the door
    ),
    Endpoint("intake read", "get", lambda r, w: f"/intakes/{r.intake.pk}", None, _casework(200)),
    Endpoint(
        "intake close",
        "post",
        lambda r, w: f"/intakes/{r.intake.pk}/close",
        lambda r, w: {"exit_on": "2026-02-10"},
        _casework(200),
    ),
    Endpoint(
        "intake schedule",
        "get",
        lambda r, w: f"/intakes/{r.intake.pk}/schedule",
        None,
        _casework(200),
    ),
    Endpoint(
        "screening create", "post", lambda r, w: "/screenings", _screening_body, _casework(201)
    ),
    Endpoint("screening list", "get", lambda r, w: "/screenings", None, _everyone(200)),
    Endpoint(
        "screening read", "get", lambda r, w: f"/screenings/{r.final.pk}", None, _casework(200)
    ),
    Endpoint(
        "screening update",
        "patch",
        lambda r, w: f"/screenings/{r.draft.pk}",
        lambda r, w: {"lock_version": r.draft.lock_version, "notes": "seen at school"},
        _casework(200),
    ),
    Endpoint(
        "screening finalize",
        "post",
        lambda r, w: f"/screenings/{r.complete_draft.pk}/finalize",
        lambda r, w: {"lock_version": r.complete_draft.lock_version},
        _casework(200),
    ),
    Endpoint(
        "screening amend",
        "post",
        lambda r, w: f"/screenings/{r.final.pk}/amend",
        lambda r, w: {"reason": "A date was wrong."},
        _casework(201),
    ),
    Endpoint(
        "screening review",
        "post",
        lambda r, w: f"/screenings/{r.final.pk}/review",
        lambda r, w: {"decision": "reviewed"},
        {"supervisor": 201, "screener": 403},
    ),
    Endpoint("followup list", "get", lambda r, w: "/followups", None, _everyone(200)),
    Endpoint(
        "followup read", "get", lambda r, w: f"/followups/{r.followup.pk}", None, _casework(200)
    ),
    Endpoint(
        "followup create",
        "post",
        lambda r, w: f"/screenings/{r.final.pk}/followups",
        lambda r, w: {"kind": "safety_plan", "owner_id": w.screener.pk, "due_on": "2026-04-01"},
        _casework(201),
    ),
    Endpoint(
        "followup complete",
        "post",
        lambda r, w: f"/followups/{r.followup.pk}/complete",
        lambda r, w: {"completed_on": "2026-02-20", "outcome": "Referred."},
        _casework(200),
    ),
    Endpoint("worklist mine", "get", lambda r, w: "/worklist", None, _everyone(200)),
    Endpoint(
        "worklist agency",
        "get",
        lambda r, w: f"/agencies/{w.agency_a.pk}/worklist",
        None,
        {"supervisor": 200},
    ),
    Endpoint("requested list", "get", lambda r, w: "/requested", None, _everyone(200)),
    Endpoint(
        "event",
        "post",
        lambda r, w: "/events",
        lambda r, w: {
            "source": "cms",
            "event_id": "e-1",
            "kind": "returned_from_missing",
            "youth_id": r.youth.pk,
            "occurred_at": "2026-02-01T10:00:00Z",
        },
        _casework(201),
    ),
    Endpoint(
        "fhir questionnaire",
        "get",
        lambda r, w: f"/fhir/Questionnaire/cse-it-2.0/{r.final.instrument_version}",
        None,
        _everyone(200),
    ),
    Endpoint(
        "fhir response",
        "get",
        lambda r, w: f"/fhir/QuestionnaireResponse/{r.final.pk}",
        None,
        _casework(200),
    ),
    Endpoint(
        "fhir bundle", "get", lambda r, w: f"/fhir/youth/{r.youth.pk}/Bundle", None, _casework(200)
    ),
]


def _call(api: Any, endpoint: Endpoint, records: Records, world: World) -> Any:
    path = endpoint.path(records, world)
    if endpoint.method == "get":
        return api.get(path)
    return api.send(endpoint.method, path, endpoint.body(records, world) if endpoint.body else {})


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_each_endpoint_answers_each_role_by_the_role_matrix(
    world: World, records: Records, api_as: Any, endpoint: Endpoint, persona: str
) -> None:
    response = _call(api_as(getattr(world, persona)), endpoint, records, world)

    assert response.status_code == endpoint.status_for(persona), response.content
    if response.status_code >= 400:
        assert set(response.json()) == {"errors"}
        assert all({"field", "code", "message"} == set(e) for e in response.json()["errors"])


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_without_credentials_every_endpoint_is_401(
    world: World, records: Records, api_as: Any, endpoint: Endpoint
) -> None:
    response = _call(api_as(None), endpoint, records, world)

    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "unauthenticated"


@pytest.mark.parametrize(
    ("path", "missing"),
    [
        (lambda r: f"/youth/{r.youth.pk}", "/youth/999999"),
        (lambda r: f"/screenings/{r.final.pk}", "/screenings/999999"),
        (lambda r: f"/intakes/{r.intake.pk}", "/intakes/999999"),
        (lambda r: f"/followups/{r.followup.pk}", "/followups/999999"),
        (
            lambda r: f"/fhir/QuestionnaireResponse/{r.final.pk}",
            "/fhir/QuestionnaireResponse/999999",
        ),
        (lambda r: f"/fhir/youth/{r.youth.pk}/Bundle", "/fhir/youth/999999/Bundle"),
    ],
)
def test_another_agencys_record_is_the_same_404_as_a_missing_one_and_is_recorded(
    world: World, records: Records, api_as: Any, path: Any, missing: str
) -> None:
    api = api_as(world.outsider)
    before = AuditEvent.objects.filter(action=AuditAction.DENIED).count()

    foreign = api.get(path(records))
    absent = api.get(missing)

    assert foreign.status_code == absent.status_code == 404
    assert foreign.json() == absent.json()
    denied = AuditEvent.objects.filter(action=AuditAction.DENIED).order_by("pk")
    assert denied.count() == before + 2
    assert {e.channel for e in denied.reverse()[:2]} == {"api"}


def test_lists_never_hold_another_agencys_rows(world: World, records: Records, api_as: Any) -> None:
    api = api_as(world.outsider)

    for path in ("/screenings", "/followups", "/worklist", "/requested"):
        assert api.get(path).json()["items"] == [], path
    assert api.post("/youth/search", {"name": "alex"}).json()["items"] == []
    assert api.get("/screenings", scope="agency").json()["items"] == []


def test_an_api_view_is_audited_on_the_api_channel(
    world: World, records: Records, api_as: Any
) -> None:
    api_as(world.screener).get(f"/youth/{records.youth.pk}")

    event = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="youth").latest("pk")
    assert event.channel == "api"
    assert event.actor_id == world.screener.pk


def test_dates_in_the_future_and_bad_shapes_are_422_naming_the_field(
    world: World, records: Records, api_as: Any
) -> None:
    api = api_as(world.screener)
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()

    closed = api.post(f"/intakes/{records.intake.pk}/close", {"exit_on": tomorrow})
    shapeless = api.post("/screenings", {"youth_id": "x"})

    assert closed.status_code == 422
    assert closed.json()["errors"][0]["field"] == "exit_on"
    assert shapeless.status_code == 422
    assert {e["field"] for e in shapeless.json()["errors"]} >= {"youth_id", "instrument_id"}
