"""Supervisor review and correction within the window: how both live with "a final row is never
edited" (ADR 0007).

A review is its own append-only row (`ScreeningReview`) about one final version; it never touches the
screening. A correction is a new draft version in the chain, like an amendment but labelled
`correction`, allowed only while the agency's correction window is open (counted from the chain's first
finalization) and only to the screener or the person who finalized the current version; after the
window, or for anyone else, an amendment with its reason is the way. Both follow the service contract
of `services`: keyword-only, `by` explicit, atomic under the screening's row lock, each writing its own
audit event, which names the decision but never a reason.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from sightline.audit.context import AuditContext, context_for
from sightline.audit.models import AuditAction
from sightline.audit.services import audit_record
from sightline.common import cleaning
from sightline.screenings import errors, versions
from sightline.screenings.choices import ReviewDecision, ScreeningStatus, VersionKind
from sightline.screenings.definitions import definition_for
from sightline.screenings.errors import ScreeningError, ScreeningStateError
from sightline.screenings.models import Screening, ScreeningReview
from sightline.screenings.selectors import current_version

# Same-app internals on purpose: a correction locks and copies exactly as an amendment does.
from sightline.screenings.services import (
    _COPIED_ON_AMEND,
    AMENDMENT_REASON_MAX_LENGTH,
    _lock_for_write,
    _require_current_final,
)
from sightline.tenancy.models import User
from sightline.tenancy.permissions import Permission

REVIEW_REASON_MAX_LENGTH = 2_000


def _reviewer_is_author(screening: Screening, by: User) -> bool:
    return by.pk in {screening.screener_id, screening.finalized_by_id}


def screening_review(
    *,
    screening: Screening,
    by: User,
    decision: str,
    reason: str = "",
    context: AuditContext | None = None,
) -> ScreeningReview:
    """Record a supervisor's review of the current final version of `screening`: `reviewed`, or
    `returned` to its screener with `reason` saying what to correct (required).

    Needs AGENCY_OVERVIEW at the screening's agency (403 for a colleague without it, 404 for another
    agency's screening). Nobody reviews a screening they screened or finalized (REVIEW_OWN_SCREENING);
    the same decision twice in a row is refused (ALREADY_REVIEWED, ALREADY_RETURNED), a change of
    mind is a new row. A later version (a correction or amendment) is reviewed anew.
    """
    decision = cleaning.choice(
        decision,
        ReviewDecision.values,
        code=errors.UNKNOWN_REVIEW_DECISION,
        field="decision",
        error=ScreeningError,
    )
    reason_text = cleaning.optional_text(
        reason, field="reason", max_length=REVIEW_REASON_MAX_LENGTH, error=ScreeningError
    )
    if decision == ReviewDecision.RETURNED and not reason_text:
        raise ScreeningError(errors.RETURN_REASON_REQUIRED, field="reason")
    with transaction.atomic():
        # The row lock serialises reviews with each other and with finalizing an amendment of it.
        current = _lock_for_write(by=by, screening=screening, permission=Permission.AGENCY_OVERVIEW)
        if current.status != ScreeningStatus.FINAL:
            raise ScreeningStateError(errors.REVIEW_NOT_FINAL)
        if current_version(current).pk != current.pk:
            raise ScreeningStateError(errors.REVIEW_NOT_CURRENT)
        if _reviewer_is_author(current, by):
            raise ScreeningError(errors.REVIEW_OWN_SCREENING)
        latest = (
            ScreeningReview.objects.filter(screening_id=current.pk)
            .order_by("-reviewed_at", "-pk")
            .values_list("decision", flat=True)
            .first()
        )
        if latest == decision:
            raise ScreeningStateError(
                errors.ALREADY_REVIEWED
                if decision == ReviewDecision.REVIEWED
                else errors.ALREADY_RETURNED
            )
        review = ScreeningReview.objects.create(
            screening=current,
            agency_id=current.agency_id,
            decision=decision,
            reason=reason_text,
            reviewed_by=by,
        )
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=review,
            youth_id=current.youth_id,
            context=context_for(by, context),
            detail={"screening": current.pk, "decision": decision},
        )
    return review


def may_correct(screening: Screening, by: User) -> bool:
    """Whether `by` is one of the people who may correct `screening` (the window aside): its screener
    or whoever finalized this version. Everyone else with edit rights amends."""
    return _reviewer_is_author(screening, by)


def screening_correct(
    *, screening: Screening, by: User, reason: str, context: AuditContext | None = None
) -> Screening:
    """Open a correction: a new draft version of a final, current screening, copying everything it
    recorded, with `reason` saying what it fixes. Like an amendment it keeps the screening date, so
    the rescreen date does not move, and the original stays current until the correction is final.

    Needs SCREENING_EDIT at the agency; refused to anyone but the screener or the finalizer of this
    version (CORRECTION_NOT_YOURS), outside the agency's correction window (NO_CORRECTION_WINDOW,
    CORRECTION_WINDOW_CLOSED: finalizing checks the window again), and while another new version is
    open (CORRECTION_PENDING, AMENDMENT_PENDING).
    """
    reason = cleaning.text(
        reason,
        field="reason",
        max_length=AMENDMENT_REASON_MAX_LENGTH,
        required=errors.CORRECTION_REASON_REQUIRED,
        error=ScreeningError,
    )
    with transaction.atomic():
        original = _lock_for_write(by=by, screening=screening, permission=Permission.SCREENING_EDIT)
        _require_current_final(original)
        if not may_correct(original, by):
            raise ScreeningError(errors.CORRECTION_NOT_YOURS)
        versions.require_correction_window(original, now=timezone.now())
        versions.refuse_if_open(original.pk)
        definition_for(original)  # a changed or missing file could not score the correction
        correction = Screening(
            **{name: getattr(original, name) for name in _COPIED_ON_AMEND},
            status=ScreeningStatus.DRAFT,
            amends=original,
            version_kind=VersionKind.CORRECTION,
            amendment_reason=reason,
        )
        versions.save_new_version(correction)
        audit_record(
            actor=by,
            action=AuditAction.AMEND,
            obj=correction,
            context=context_for(by, context),
            detail={"amends": original.pk, "kind": VersionKind.CORRECTION.value},
        )
    return correction
