"""`POST /api/events`: what a case system tells us about a youth.

- `intake_opened`: opens an intake (`youth.services.intake_open`), which starts the screening clock;
- `intake_closed`: closes the open intake (`intake_close`), which stops it;
- `returned_from_missing`, `placement_changed`: request a screening due within the agency policy's
  window (`scheduling.requested.screening_request`; default 72 hours).

Each event is applied once per (agency, source, event id): a retry gets the first outcome back with
`duplicate: true`; the same id with other content is a 422. The schedule itself follows from the
services' own events, as it does for the pages.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from ninja import Status

from sightline.api import schemas
from sightline.api.auth import actor, context
from sightline.api.errors import ErrorOut
from sightline.api.people import colleague
from sightline.api.runtime import ApiRouter
from sightline.apitokens.services import event_receive
from sightline.scheduling.requested import screening_request
from sightline.tenancy.permissions import Permission
from sightline.youth import services
from sightline.youth.errors import YouthError
from sightline.youth.selectors import open_intake, youth_for_user

if TYPE_CHECKING:
    from django.http import HttpRequest

router = ApiRouter(tags=["events"])
NO_OPEN_INTAKE = "The youth has no open intake to close."


def _fingerprint(payload: schemas.EventIn) -> str:
    return hashlib.sha256(
        json.dumps(payload.dict(), sort_keys=True, default=str).encode()
    ).hexdigest()


@router.post(
    "/events",
    response={
        200: schemas.EventOut,
        201: schemas.EventOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
)
def event_post(request: HttpRequest, payload: schemas.EventIn) -> Status:
    user = actor(request)
    youth = youth_for_user(user=user, pk=payload.youth_id, permission=Permission.YOUTH_EDIT)
    ctx = context(request)

    def apply() -> dict[str, Any]:
        day = timezone.localdate(payload.occurred_at)
        if payload.kind == "intake_opened":
            intake = services.intake_open(
                youth=youth,
                by=user,
                intake_on=day,
                program=payload.program,
                assigned_to=colleague(
                    user=user,
                    agency_id=youth.agency_id,
                    person_id=payload.assigned_to_id,
                    permission=Permission.SCREENING_EDIT,
                    field="assigned_to_id",
                ),
                context=ctx,
            )
            return {"intake_id": intake.pk}
        if payload.kind == "intake_closed":
            current = open_intake(youth)
            if current is None:
                raise YouthError(NO_OPEN_INTAKE, field="kind")
            closed = services.intake_close(intake=current, by=user, exit_on=day, context=ctx)
            return {"intake_id": closed.pk}
        asked = screening_request(
            youth=youth,
            by=user,
            reason=payload.kind,
            occurred_at=payload.occurred_at,
            source=payload.source,
            context=ctx,
        )
        return {"requested_screening_id": asked.pk, "due_at": asked.due_at.isoformat()}

    received = event_receive(
        by=user,
        agency_id=youth.agency_id,
        source=payload.source,
        event_id=payload.event_id,
        kind=payload.kind,
        fingerprint=_fingerprint(payload),
        youth_id=youth.pk,
        apply=apply,
    )
    body = {
        "source": payload.source,
        "event_id": payload.event_id,
        "kind": payload.kind,
        "duplicate": received.duplicate,
        "outcome": received.outcome,
    }
    return Status(200 if received.duplicate else 201, body)
