"""Retention and the two-person deletion of a youth's record (issue 18, point 9)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
from click.testing import CliRunner
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sightline.apitokens.models import IdempotencyRecord, ReceivedEvent
from sightline.audit.models import AuditAction, AuditEvent
from sightline.cli import main
from sightline.imports.models import ExternalKey
from sightline.retention import services
from sightline.retention.models import DeletionRequest, RequestStatus
from sightline.scheduling.requested import screening_request
from sightline.screenings.review import screening_review
from sightline.screenings.services import followup_create, screening_amend
from sightline.synth.models import HiddenTruth
from sightline.tenancy import access
from sightline.tenancy.models import Role
from sightline.validation.models import CriterionRecord
from sightline.youth.models import IntakeEpisode, Youth
from sightline.youth.services import intake_close
from tests import factories
from tests.conftest import World
from tests.web.pages import page_text

CANARY_FIRST, CANARY_LAST, CANARY_CASE = "Zephyrine", "Quillfeather", "CASE-77121"


@pytest.fixture
def second_admin(world: World) -> Any:
    return factories.member(world.agency_a, Role.AGENCY_ADMIN, username="secondadmin")


def _paths_to_youth(model: type[models.Model]) -> list[str]:
    """Lookups from `model` to the youth along foreign keys (e.g. "screening__youth"), at most 4 deep."""
    found: list[str] = []

    def walk(current: type[models.Model], prefix: str, depth: int, seen: tuple[Any, ...]) -> None:
        for field in current._meta.get_fields():
            if not (field.many_to_one or field.one_to_one) or not field.concrete:
                continue
            target = field.related_model
            lookup = f"{prefix}{field.name}"
            if target is Youth:
                found.append(lookup)
            elif (
                depth < 4
                and target not in seen
                and target._meta.app_label.startswith(
                    ("youth", "screenings", "scheduling", "validation", "synth", "retention")
                )
            ):
                walk(target, f"{lookup}__", depth + 1, (*seen, target))

    walk(model, "", 0, (model,))
    return found


def _rows_of(youth_id: int) -> dict[str, set[int]]:
    """Every row of every model with a foreign-key path to the youth."""
    rows: dict[str, set[int]] = {}
    for model in apps.get_models():
        if model is Youth:
            pks = set(Youth.objects.filter(pk=youth_id).values_list("pk", flat=True))
        else:
            pks = set()
            for lookup in _paths_to_youth(model):
                pks |= set(
                    model._base_manager.filter(**{lookup: youth_id}).values_list("pk", flat=True)
                )
        if pks:
            rows[model._meta.label] = pks
    return rows


@pytest.fixture
def full_youth(world: World) -> Youth:
    """A youth with a row in every table that can refer to one."""
    youth = factories.registered_youth(
        world.agency_a,
        by=world.screener,
        first_name=CANARY_FIRST,
        last_name=CANARY_LAST,
        case_number=CANARY_CASE,
        intake_on=dt.date(2026, 1, 5),
    )
    final = factories.finalized_screening(youth, by=world.screener, screened_on=dt.date(2026, 2, 2))
    screening_review(screening=final, by=world.supervisor, decision="reviewed")
    screening_amend(screening=final, by=world.screener, reason=f"typo about {CANARY_FIRST}")
    followup_create(
        screening=final,
        by=world.supervisor,
        kind="referral",
        owner=world.screener,
        due_on=dt.date(2026, 3, 1),
        description=f"Call {CANARY_FIRST}'s carer",
    )
    screening_request(
        youth=youth,
        by=world.screener,
        reason="returned_from_missing",
        occurred_at=timezone.now() - dt.timedelta(hours=1),
    )
    CriterionRecord.objects.create(
        youth=youth,
        agency=world.agency_a,
        source="cws",
        finding=True,
        recorded_on=dt.date(2026, 2, 1),
    )
    HiddenTruth.objects.create(youth=youth, exploited=False, severity=0.0)
    ExternalKey.objects.create(
        agency=world.agency_a,
        source_system="cms",
        object_type="youth",
        external_id="Y1",
        object_id=youth.pk,
    )
    ExternalKey.objects.create(
        agency=world.agency_a,
        source_system="cms",
        object_type="screening",
        external_id="S1",
        object_id=final.pk,
    )
    ReceivedEvent.objects.create(
        agency=world.agency_a,
        source="cms",
        event_id="e1",
        kind="runaway",
        fingerprint="f" * 64,
        youth_id=youth.pk,
        received_by=world.screener,
    )
    body = json.dumps(
        {"id": youth.pk, "pseudonym": str(youth.pseudonym), "first_name": CANARY_FIRST}
    )
    IdempotencyRecord.objects.create(
        actor=world.screener,
        key="k1",
        fingerprint="a" * 64,
        status_code=201,
        sealed_body=base64.b64encode(body.encode()).decode(),
    )
    IdempotencyRecord.objects.create(
        actor=world.screener,
        key="k2",
        fingerprint="b" * 64,
        status_code=201,
        sealed_body=base64.b64encode(b'{"id": 1}').decode(),
    )
    return youth


def test_the_same_person_cannot_approve_their_own_request(world: World, full_youth: Youth) -> None:
    request = services.deletion_request(
        by=world.agency_admin, youth_id=full_youth.pk, reason="error"
    )
    with pytest.raises(services.RetentionError) as refused:
        services.deletion_approve(by=world.agency_admin, request_id=request.pk)
    assert refused.value.code == services.OWN_REQUEST
    assert Youth.objects.filter(pk=full_youth.pk).exists()
    request.refresh_from_db()
    assert request.status == RequestStatus.PENDING


@pytest.mark.parametrize("persona", ["screener", "supervisor", "analyst", "researcher"])
def test_only_agency_admins_request_and_approve(
    world: World, full_youth: Youth, second_admin: Any, persona: str
) -> None:
    with pytest.raises(access.Forbidden):
        services.deletion_request(
            by=getattr(world, persona), youth_id=full_youth.pk, reason="error"
        )
    request = services.deletion_request(by=second_admin, youth_id=full_youth.pk, reason="error")
    with pytest.raises(access.Forbidden):
        services.deletion_approve(by=getattr(world, persona), request_id=request.pk)


def test_another_agencys_admin_gets_404(world: World, full_youth: Youth, second_admin: Any) -> None:
    admin_b = factories.member(world.agency_b, Role.AGENCY_ADMIN, username="admin_b")
    with pytest.raises(access.NotFound):
        services.deletion_request(by=admin_b, youth_id=full_youth.pk, reason="error")
    request = services.deletion_request(by=second_admin, youth_id=full_youth.pk, reason="error")
    with pytest.raises(access.NotFound):
        services.deletion_approve(by=admin_b, request_id=request.pk)
    assert Youth.objects.filter(pk=full_youth.pk).exists()


def test_approval_leaves_no_row_of_the_youth_anywhere_and_the_audit_chain_verifies(
    world: World, full_youth: Youth, second_admin: Any, tmp_path: Any, settings: Any
) -> None:
    settings.SIGHTLINE_AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.jsonl")
    settings.SIGHTLINE_AUDIT_ANCHOR_MAIL = []
    youth_id = full_youth.pk
    before = _rows_of(youth_id)
    # The fixture reaches every kind of row, so "nothing left" below means something.
    for label in (
        "youth.Youth",
        "youth.YouthNameToken",
        "youth.IntakeEpisode",
        "screenings.Screening",
        "screenings.FollowUpAction",
        "screenings.ScreeningReview",
        "scheduling.IntakeSchedule",
        "scheduling.RescreenDue",
        "scheduling.RequestedScreening",
        "validation.CriterionRecord",
        "synth.HiddenTruth",
    ):
        assert before.get(label), label
    assert len(before["screenings.Screening"]) == 2  # the final and its amendment
    events_before = AuditEvent.objects.count()

    request = services.deletion_request(
        by=world.agency_admin,
        youth_id=youth_id,
        reason="error",
        note=f"{CANARY_FIRST} {CANARY_LAST} was entered twice",
    )
    assert _rows_of(youth_id).get("retention.DeletionRequest") == {request.pk}
    deleted = services.deletion_approve(by=second_admin, request_id=request.pk)

    assert _rows_of(youth_id) == {}
    for label, pks in before.items():
        model = apps.get_model(label)
        assert not model._base_manager.filter(pk__in=pks).exists(), label
    assert not ExternalKey.objects.exists()
    assert not ReceivedEvent.objects.filter(youth_id=youth_id).exists()
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["k2"]
    assert deleted["screenings.Screening"] == 2 and deleted["youth.Youth"] == 1

    # The audit trail stays, with the youth's id but none of its identifying text.
    assert AuditEvent.objects.count() > events_before
    assert AuditEvent.objects.filter(youth_id=youth_id).count() >= 5
    deletion = AuditEvent.objects.get(action=AuditAction.DELETE, object_type="youth")
    assert (deletion.actor, deletion.detail["requested_by"], deletion.detail["reason"]) == (
        second_admin,
        world.agency_admin.pk,
        "error",
    )
    for event in AuditEvent.objects.all():
        text = json.dumps(
            [event.object_id, event.path, event.user_agent, event.detail], default=str
        )
        for identifying in (CANARY_FIRST, CANARY_LAST, CANARY_CASE, "2010-05-17"):
            assert identifying not in text, (event.action, event.object_type)

    result = CliRunner().invoke(main, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


def test_a_rejected_request_keeps_the_record(
    world: World, full_youth: Youth, second_admin: Any
) -> None:
    request = services.deletion_request(
        by=world.agency_admin, youth_id=full_youth.pk, reason="duplicate"
    )
    with pytest.raises(services.RetentionError):
        services.deletion_request(by=second_admin, youth_id=full_youth.pk, reason="error")
    services.deletion_reject(by=second_admin, request_id=request.pk)
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (RequestStatus.REJECTED, second_admin)
    assert Youth.objects.filter(pk=full_youth.pk).exists()
    with pytest.raises(services.StateError):
        services.deletion_approve(by=second_admin, request_id=request.pk)


def _closed_youth(world: World, *, exit_on: dt.date) -> Youth:
    youth = factories.youth(
        world.agency_a, created_by=world.screener, intake_on=exit_on - dt.timedelta(days=90)
    )
    intake = youth.intakes.get()
    intake_close(intake=intake, by=world.screener, exit_on=exit_on, exit_reason="placement_ended")
    return youth


def test_the_retention_rule_decides_who_is_past_it(world: World) -> None:
    today = timezone.localdate()
    old = _closed_youth(world, exit_on=services.cutoff(7, today) - dt.timedelta(days=1))
    recent = _closed_youth(world, exit_on=services.cutoff(7, today) + dt.timedelta(days=1))
    open_one = factories.youth(
        world.agency_a, created_by=world.screener, intake_on=dt.date(2010, 6, 1)
    )
    from sightline.retention.selectors import past_retention

    listed = set(past_retention(user=world.agency_admin, agency=world.agency_a, today=today))
    assert old in listed and recent not in listed and open_one not in listed
    with pytest.raises(services.RetentionError) as refused:
        services.deletion_request(by=world.agency_admin, youth_id=recent.pk, reason="retention")
    assert refused.value.code == services.NOT_PAST_RETENTION
    services.deletion_request(by=world.agency_admin, youth_id=old.pk, reason="retention")
    # A shorter rule brings the recent one in; each change is audited.
    services.retention_set(by=world.agency_admin, agency=world.agency_a, years=6)
    assert recent in set(
        past_retention(user=world.agency_admin, agency=world.agency_a, today=today)
    )
    event = AuditEvent.objects.get(object_type="agency", detail__fields=["retention_years"])
    assert (event.detail["from"], event.detail["to"]) == (7, 6)
    with pytest.raises(services.RetentionError):
        services.retention_set(by=world.agency_admin, agency=world.agency_a, years=0)
    with pytest.raises(access.Forbidden):
        services.retention_set(by=world.supervisor, agency=world.agency_a, years=3)


@pytest.mark.parametrize(
    ("persona", "own", "other"),
    [
        ("agency_admin", 200, 404),
        ("screener", 403, 404),
        ("supervisor", 403, 404),
        ("analyst", 403, 404),
        ("system_admin", 403, 404),
        ("outsider", 404, 403),
    ],
)
def test_who_opens_the_retention_page(
    world: World, client: Client, persona: str, own: int, other: int
) -> None:
    client.force_login(getattr(world, persona))
    assert client.get(reverse("web:agency-retention", args=[world.agency_a.pk])).status_code == own
    assert (
        client.get(reverse("web:agency-retention", args=[world.agency_b.pk])).status_code == other
    )


def test_the_page_runs_the_two_person_workflow_without_naming_the_youth(
    world: World, full_youth: Youth, second_admin: Any
) -> None:
    url = reverse("web:agency-retention", args=[world.agency_a.pk])
    first, second = Client(), Client()
    first.force_login(world.agency_admin)
    second.force_login(second_admin)
    assert "No deletion is waiting" in page_text(first.get(url))
    response = first.post(
        url, {"action": "request", "youth_id": full_youth.pk, "reason": "duplicate", "note": ""}
    )
    assert response.status_code == 302
    request = DeletionRequest.objects.get()
    mine = page_text(first.get(url))
    assert "Your request: another admin approves it." in mine
    assert CANARY_FIRST not in mine and CANARY_LAST not in mine
    assert first.post(url, {"action": "approve", "request": request.pk}).status_code == 400
    assert Youth.objects.filter(pk=full_youth.pk).exists()
    assert f"Approve: delete record #{full_youth.pk}" in page_text(second.get(url))
    assert second.post(url, {"action": "approve", "request": request.pk}).status_code == 302
    assert not Youth.objects.filter(pk=full_youth.pk).exists()
    assert not IntakeEpisode.objects.filter(youth_id=full_youth.pk).exists()
