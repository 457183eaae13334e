"""The retention rule and the two-person deletion workflow (issue 18, point 9).

- The rule: each agency keeps a youth's record `Agency.retention_years` years after the youth's last
  intake closed (their record's creation when they never had one); a youth with an open intake is
  never past retention. An agency admin sets the number of years (audited).
- Deletion needs two agency admins of the youth's agency: one requests it with a reason, a different
  one approves (or rejects). Approval erases the youth and every row that refers to them
  (`retention.erase`) in one transaction; the audit trail stays and names ids and reason codes only
  (the free-text note is encrypted on the request and deleted with it).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from sightline import events
from sightline.audit.context import AuditContext, context_for
from sightline.audit.models import AuditAction
from sightline.audit.services import audit_record
from sightline.common.errors import ServiceError, StateError
from sightline.retention import selectors
from sightline.retention.erase import erase_youth
from sightline.retention.models import DeletionReason, DeletionRequest, RequestStatus
from sightline.screenings.choices import ScreeningStatus
from sightline.tenancy import access
from sightline.tenancy.models import Agency, User
from sightline.tenancy.permissions import Permission
from sightline.youth.models import Youth

MIN_YEARS, MAX_YEARS = 1, 99
YEARS_OUT_OF_RANGE = "Keep records between {low} and {high} years."
UNKNOWN_REASON = "Choose one of the listed reasons."
NOTE_REQUIRED = "Say why the record should be deleted."
NOTE_TOO_LONG = "Keep the note under 1,000 characters."
NOT_PAST_RETENTION = (
    "This record is not past the retention period yet; choose another reason if it must go now."
)
ALREADY_REQUESTED = "A deletion of this record is already waiting for approval."
OWN_REQUEST = "A second agency admin must approve: you cannot approve your own request."
NOT_PENDING = "This request has already been decided."
NO_SUCH_REQUEST = "No such deletion request."


class RetentionError(ServiceError):
    """A retention or deletion step that breaks a rule; nothing was written."""


def _require(by: User, agency_id: int) -> None:
    access.require(
        by, Permission.RECORD_DELETE, agency_id=agency_id, object_type="agency", object_id=agency_id
    )


def retention_set(
    *, by: User, agency: Agency, years: int, context: AuditContext | None = None
) -> Agency:
    """Set the agency's retention period in years (an agency admin)."""
    _require(by, agency.pk)
    if not isinstance(years, int) or not MIN_YEARS <= years <= MAX_YEARS:
        raise RetentionError(
            YEARS_OUT_OF_RANGE, field="retention_years", low=MIN_YEARS, high=MAX_YEARS
        )
    before = agency.retention_years
    with transaction.atomic():
        agency.retention_years = years
        agency.save(update_fields=["retention_years"])
        audit_record(
            actor=by,
            action=AuditAction.CHANGE,
            obj=agency,
            agency_id=agency.pk,
            context=context_for(by, context),
            detail={"fields": ["retention_years"], "from": before, "to": years},
        )
    return agency


def deletion_request(
    *,
    by: User,
    youth_id: object,
    reason: str,
    note: str = "",
    context: AuditContext | None = None,
) -> DeletionRequest:
    """Ask for the deletion of a youth's record; a different agency admin must approve it."""
    youth = selectors.youth_for_deletion(user=by, pk=youth_id)
    if reason not in DeletionReason.values:
        raise RetentionError(UNKNOWN_REASON, field="reason")
    note = (note or "").strip()
    if reason == DeletionReason.OTHER and not note:
        raise RetentionError(NOTE_REQUIRED, field="note")
    if len(note) > 1000:
        raise RetentionError(NOTE_TOO_LONG, field="note")
    if reason == DeletionReason.RETENTION and not selectors.is_past_retention(
        youth, today=timezone.localdate()
    ):
        raise RetentionError(NOT_PAST_RETENTION, field="reason")
    try:
        with transaction.atomic():
            request = DeletionRequest.objects.create(
                agency_id=youth.agency_id,
                youth=youth,
                reason=reason,
                note=note or None,
                requested_by=by,
            )
            audit_record(
                actor=by,
                action=AuditAction.CREATE,
                obj=request,
                youth_id=youth.pk,
                context=context_for(by, context),
                detail={"event": "deletion_requested", "reason": reason},
            )
    except IntegrityError:
        raise RetentionError(ALREADY_REQUESTED, field="youth_id") from None
    return request


def _pending(by: User, request_id: object) -> DeletionRequest:
    request = selectors.request_for_admin(user=by, pk=request_id)
    locked = DeletionRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != RequestStatus.PENDING:
        raise StateError(NOT_PENDING, field=None)
    return locked


def deletion_approve(
    *, by: User, request_id: object, context: AuditContext | None = None
) -> dict[str, int]:
    """Approve a pending request (not one's own): erase the youth and every row about them. Returns
    the rows deleted per model. The audit event keeps ids, the reason code and these counts only."""
    with transaction.atomic():
        request = _pending(by, request_id)
        _require(by, request.agency_id)
        if request.requested_by_id == by.pk:
            raise RetentionError(OWN_REQUEST, field=None)
        youth = Youth.objects.select_for_update().get(pk=request.youth_id)
        slices = tuple(
            youth.screenings.filter(status=ScreeningStatus.FINAL).values_list(
                "agency_id", "screened_on"
            )
        )
        deleted = erase_youth(youth)
        audit_record(
            actor=by,
            action=AuditAction.DELETE,
            object_type="youth",
            object_id=youth.pk,
            agency_id=request.agency_id,
            youth_id=youth.pk,
            context=context_for(by, context),
            detail={
                "event": "youth_deleted",
                "request": request.pk,
                "requested_by": request.requested_by_id,
                "reason": request.reason,
                "rows": deleted,
            },
        )
        events.publish(
            events.YouthDeleted(youth_id=youth.pk, agency_id=request.agency_id, slices=slices)
        )
    return deleted


def deletion_reject(
    *, by: User, request_id: object, context: AuditContext | None = None
) -> DeletionRequest:
    """Reject (or, for the requester, withdraw) a pending request: the record stays."""
    with transaction.atomic():
        request = _pending(by, request_id)
        _require(by, request.agency_id)
        request.status = RequestStatus.REJECTED
        request.decided_by = by
        request.decided_at = timezone.now()
        request.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(
            actor=by,
            action=AuditAction.CHANGE,
            obj=request,
            youth_id=request.youth_id,
            context=context_for(by, context),
            detail={"event": "deletion_rejected", "request": request.pk},
        )
    return request


def cutoff(years: int, today: dt.date) -> dt.date:
    """The day `years` before `today` (28 February for a 29 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)
