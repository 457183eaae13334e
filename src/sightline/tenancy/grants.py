"""The two-person rule for roles given in the admin site (issue 18, point 8).

A role a system admin gives or widens in Django's admin waits, inactive, until someone who is neither
the asker nor the person it is for approves it: one of the agency's administrators (the People
page), or, for an agency with no active administrator yet, another system admin (the admin's
"Approve" action). Without it a system admin could make an ordinary account, give it a role and read
the agency's youth through it. Here, in tenancy, so both the admin site (security) and the agency's
own pages (administration, web) call one rule.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from sightline.audit.context import AuditContext, context_for
from sightline.audit.models import AuditAction
from sightline.audit.services import audit_record
from sightline.tenancy import access, errors
from sightline.tenancy.errors import TenancyError
from sightline.tenancy.models import Agency, Membership, User
from sightline.tenancy.permissions import (
    Permission,
    forget_grants,
    has_permission,
    roles_with,
)


def refusal(message: str, membership: Membership) -> access.Forbidden:
    """The 403 of a refused change to `membership` (the edge writes its DENIED event)."""
    return access.Forbidden(
        message,
        object_type="membership",
        object_id=membership.pk,
        permission=Permission.STAFF_MANAGE,
        agency_id=membership.agency_id,
    )


def audit_membership(
    by: User, action: AuditAction, obj: Any, context: AuditContext | None, **detail: Any
) -> None:
    """One audit event of a staff change, at the changed record's agency."""
    audit_record(
        actor=by,
        action=action,
        obj=obj,
        agency_id=getattr(obj, "agency_id", None) or detail.pop("agency_id", None),
        context=context_for(by, context),
        detail=detail,
    )


def admin_site_grant(
    *, by: User, membership: Membership, created: bool, context: AuditContext | None = None
) -> Membership:
    """Save a membership a system admin created or widened in the admin site as waiting for approval:
    inactive, with who asked and when. The admin site's form has already refused self-grants and
    privileged accounts; this only holds the grant back until a second person approves it."""
    with transaction.atomic():
        membership.active = False
        membership.requested_by = by
        membership.requested_at = timezone.now()
        membership.save()
        forget_grants()
        audit_membership(
            by,
            AuditAction.CREATE if created else AuditAction.CHANGE,
            membership,
            context,
            user_id=membership.user_id,
            event="role_requested",
            role=membership.role,
            via="admin",
        )
    return membership


def agency_has_admin(agency: Agency) -> bool:
    """Whether the agency has an active administrator who could approve a role."""
    return Membership.objects.filter(
        agency_id=agency.pk,
        active=True,
        role__in=roles_with(Permission.STAFF_MANAGE),
        user__is_active=True,
    ).exists()


def _check_approver(by: User, membership: Membership) -> None:
    """An administrator of the agency approves; a system admin only where the agency has none. Never
    the person who asked, never the person the role is for."""
    if not membership.awaiting_approval:
        raise TenancyError(errors.NOT_AWAITING_APPROVAL, field=None)
    if by.pk in (membership.requested_by_id, membership.user_id):
        raise refusal(errors.APPROVE_SOMEONE_ELSES, membership)
    if has_permission(by, Permission.STAFF_MANAGE, agency=membership.agency_id):
        return
    if by.is_staff:
        if agency_has_admin(membership.agency):
            raise refusal(errors.APPROVED_BY_AGENCY, membership)
        return
    access.require_at(by, Permission.STAFF_MANAGE, membership.agency)  # refuses, audited


def membership_approve(
    *, by: User, membership: Membership, context: AuditContext | None = None
) -> Membership:
    """Approve a role asked for in the admin site: from the next request it grants its permissions."""
    _check_approver(by, membership)
    if not membership.user.is_active:
        raise TenancyError(errors.USER_INACTIVE, field=None)
    requested_by = membership.requested_by_id
    with transaction.atomic():
        membership.active = True
        membership.requested_by = None
        membership.requested_at = None
        membership.save(update_fields=["active", "requested_by", "requested_at"])
        forget_grants()
        audit_membership(
            by,
            AuditAction.GRANT,
            membership,
            context,
            user_id=membership.user_id,
            event="role_approved",
            role=membership.role,
            requested_by=requested_by,
        )
    return membership


def membership_decline(
    *, by: User, membership: Membership, context: AuditContext | None = None
) -> Membership:
    """Decline a role asked for in the admin site: the membership stays ended, for history."""
    _check_approver(by, membership)
    requested_by = membership.requested_by_id
    with transaction.atomic():
        membership.requested_by = None
        membership.requested_at = None
        membership.save(update_fields=["requested_by", "requested_at"])
        audit_membership(
            by,
            AuditAction.CHANGE,
            membership,
            context,
            user_id=membership.user_id,
            event="role_declined",
            role=membership.role,
            requested_by=requested_by,
        )
    return membership
