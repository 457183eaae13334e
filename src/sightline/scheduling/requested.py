"""Screenings requested by an event from a case system: a youth returned from missing, or moved to
another placement. Each request is due within the agency policy's window for that reason (default
72 hours, `missing_return_hours` / `placement_change_hours`, read from the policy in force on the day of
the event) and is fulfilled by the youth's next screening finalized at the agency on or after that
day; the caseload and the agency worklist list the open ones."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from sightline import events
from sightline.audit.context import AuditContext, context_for
from sightline.audit.models import AuditAction
from sightline.audit.services import audit_record
from sightline.scheduling.errors import SchedulingError
from sightline.scheduling.models import RequestedScreening, RequestReason
from sightline.scheduling.policies import policy_in_force
from sightline.screenings.models import Screening
from sightline.tenancy import access
from sightline.tenancy.permissions import Permission
from sightline.youth.models import IntakeEpisode
from sightline.youth.selectors import open_intake, youth_for_user

if TYPE_CHECKING:
    from sightline.tenancy.models import User
    from sightline.youth.models import Youth

UNKNOWN_REQUEST_REASON = "A screening is requested for a return from missing or a placement change."
OCCURRED_IN_FUTURE = "The event cannot have happened in the future."
NOT_AWARE = "Give the time of the event with its time zone."

_WINDOW_FIELD = {
    RequestReason.RETURNED_FROM_MISSING: "missing_return_hours",
    RequestReason.PLACEMENT_CHANGED: "placement_change_hours",
}


def screening_request(
    *,
    youth: Youth,
    by: User,
    reason: str,
    occurred_at: dt.datetime,
    source: str = "",
    context: AuditContext | None = None,
) -> RequestedScreening:
    """Ask for a screening of `youth` because of `reason`, due `occurred_at` + the policy's window.

    Needs YOUTH_EDIT at the youth's agency (the event changes what is known about the youth)."""
    if reason not in _WINDOW_FIELD:
        raise SchedulingError(UNKNOWN_REQUEST_REASON, field="kind")
    if timezone.is_naive(occurred_at):
        raise SchedulingError(NOT_AWARE, field="occurred_at")
    if occurred_at > timezone.now() + dt.timedelta(
        minutes=5
    ):  # clocks of two systems differ a little
        raise SchedulingError(OCCURRED_IN_FUTURE, field="occurred_at")
    visible = youth_for_user(user=by, pk=youth.pk, permission=Permission.YOUTH_EDIT)
    day = timezone.localdate(occurred_at)
    policy = policy_in_force(visible.agency, on=day)
    hours = getattr(policy, _WINDOW_FIELD[RequestReason(reason)])
    intake = open_intake(visible, on=day)
    with transaction.atomic():
        request = RequestedScreening.objects.create(
            agency_id=visible.agency_id,
            youth=visible,
            intake=intake,
            reason=reason,
            occurred_at=occurred_at,
            due_at=occurred_at + dt.timedelta(hours=hours),
            source=source[:64],
            requested_by=by,
        )
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=request,
            youth_id=visible.pk,
            context=context_for(by, context),
            detail={"reason": reason, "due_at": request.due_at.isoformat(), "source": source[:64]},
        )
    return request


def fulfil_requests(event: events.ScreeningFinalized) -> None:
    """Mark the youth's open requests fulfilled by a newly finalized screening made on or after the
    day of each request's event (an amendment is not a new screening): one UPDATE."""
    if event.amends_id is not None:
        return
    screened_on = event.screened_on
    if screened_on is None:
        screened_on = (
            Screening.objects.filter(pk=event.screening_id)
            .values_list("screened_on", flat=True)
            .first()
        )
        if screened_on is None:
            return
    # The event's local day is on or before the screening day: it happened before the next midnight.
    next_midnight = timezone.make_aware(
        dt.datetime.combine(screened_on + dt.timedelta(days=1), dt.time.min)
    )
    RequestedScreening.objects.filter(
        youth_id=event.youth_id,
        agency_id=event.agency_id,
        fulfilled_at__isnull=True,
        occurred_at__lt=next_midnight,
    ).update(fulfilled_by_id=event.screening_id, fulfilled_at=timezone.now())


def requests_visible_to(*, user: User) -> QuerySet[RequestedScreening]:
    """Open requests at the agencies where the user may see screenings, soonest due first."""
    return access.scoped(
        RequestedScreening.objects.filter(fulfilled_at__isnull=True)
        .select_related("youth")
        .order_by("due_at", "pk"),
        user=user,
        permission=Permission.SCREENING_VIEW,
    )


def requests_for_caseload(*, user: User) -> list[RequestedScreening]:
    """Open requests for the youth whose open intake is on the user's caseload."""
    mine = IntakeEpisode.objects.filter(assigned_to_id=user.pk, exit_on__isnull=True).values(
        "youth_id"
    )
    return list(requests_visible_to(user=user).filter(youth_id__in=mine))


def requests_for_agency(*, user: User, agency_id: int) -> list[RequestedScreening]:
    """Open requests at one agency, for its worklist (the caller has already passed the agency door)."""
    return list(requests_visible_to(user=user).filter(agency_id=agency_id))
