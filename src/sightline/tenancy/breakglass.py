"""Break-glass: a system admin's emergency read access to an agency they hold no role in (issue 18
point 8; HIPAA 164.312(a)(2)(ii) emergency access procedure).

The grant needs a reason and a duration (at most `SIGHTLINE_BREAK_GLASS_MAX_HOURS`, 4 by default),
gives only the read permissions of `permissions.BREAK_GLASS_PERMISSIONS` through the access layer
while it lasts (never a membership row, so nothing outlives it), ends by itself at its expiry, is an
audit event of the agency (so its admins see it on the audit page), and alerts the agency's admins by
e-mail naming who, until when, and no youth. Every event written under it carries its id
(`detail["break_glass"]`, stamped by the audit detail source `tenancy.permissions` registers).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from sightline.audit.choices import AuditAction
from sightline.audit.services import audit_record
from sightline.common.errors import ServiceError
from sightline.tenancy.models import Agency, BreakGlassGrant, Membership, Role
from sightline.tenancy.permissions import forget_grants

if TYPE_CHECKING:
    from sightline.audit.context import AuditContext
    from sightline.tenancy.models import User

NOT_PRIVILEGED = "Only a system administrator can open break-glass access."
NO_SUCH_AGENCY = "No such agency."
ALREADY_MEMBER = "You hold a role at this agency already; break-glass is for agencies you do not."
REASON_REQUIRED = "Say why you need access (at least {min_length} characters)."
BAD_DURATION = "Break-glass access lasts between 1 and {max_hours} hours."
REASON_MIN_LENGTH = 10


def max_hours() -> int:
    return int(getattr(settings, "SIGHTLINE_BREAK_GLASS_MAX_HOURS", 4))


def _is_privileged(user: User) -> bool:
    """A system admin: staff, with an active SYSTEM_ADMIN membership somewhere."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and Membership.objects.filter(
            user_id=user.pk, role=Role.SYSTEM_ADMIN, active=True, agency__active=True
        ).exists()
    )


def break_glass_open(
    *, by: User, agency_id: object, reason: str, hours: object, context: AuditContext
) -> BreakGlassGrant:
    """Open a grant for `by` at the agency; refuse (ServiceError, nothing written) otherwise."""
    if not _is_privileged(by):
        raise ServiceError(NOT_PRIVILEGED)
    try:
        agency = Agency.objects.get(pk=int(str(agency_id)), active=True)
    except (Agency.DoesNotExist, ValueError):
        raise ServiceError(NO_SUCH_AGENCY, field="agency") from None
    if Membership.objects.filter(user_id=by.pk, agency_id=agency.pk, active=True).exists():
        raise ServiceError(ALREADY_MEMBER, field="agency")
    reason = str(reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ServiceError(REASON_REQUIRED, field="reason", min_length=REASON_MIN_LENGTH)
    try:
        duration = int(str(hours))
    except ValueError:
        duration = 0
    if not 1 <= duration <= max_hours():
        raise ServiceError(BAD_DURATION, field="hours", max_hours=max_hours())
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            user=by,
            agency=agency,
            reason=reason,
            starts_at=now,
            expires_at=now + dt.timedelta(hours=duration),
        )
        # The agency's own event: its admins see it on the audit page. The reason stays in the
        # grant (encrypted); the event names the grant, the person and the window.
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=grant,
            agency_id=agency.pk,
            context=context,
            detail={
                "break_glass": grant.pk,
                "hours": duration,
                "expires_at": str(grant.expires_at),
            },
        )
        transaction.on_commit(lambda: _alert_agency_admins(grant))
    forget_grants()
    return grant


def break_glass_end(*, grant: BreakGlassGrant, by: User, context: AuditContext) -> None:
    """End a grant before its expiry (its holder or another system admin)."""
    if grant.ended_at is None:
        grant.ended_at = timezone.now()
        grant.save(update_fields=["ended_at"])
        audit_record(
            actor=by,
            action=AuditAction.CHANGE,
            obj=grant,
            agency_id=grant.agency_id,
            context=context,
            detail={"break_glass": grant.pk, "ended": True},
        )
    forget_grants()


def _alert_agency_admins(grant: BreakGlassGrant) -> None:
    """Mail every active admin of the agency: who, until when, where to look. No youth, no reason
    (it may name one): the audit page and the grant hold the rest."""
    to = sorted(
        {
            email
            for email in Membership.objects.filter(
                agency_id=grant.agency_id, role=Role.AGENCY_ADMIN, active=True, user__is_active=True
            ).values_list("user__email", flat=True)
            if email
        }
    )
    if not to:
        return
    holder = grant.user
    send_mail(
        subject=f"Sightline: break-glass access to {grant.agency.name}",
        message=(
            f"{holder.get_full_name() or holder.get_username()} ({holder.get_username()}), a system "
            f"administrator, opened emergency read access to {grant.agency.name} at "
            f"{grant.starts_at:%Y-%m-%d %H:%M} UTC. It ends by itself at "
            f"{grant.expires_at:%Y-%m-%d %H:%M} UTC. Every record they open is on your agency's "
            f"audit page, marked with grant {grant.pk}. If you did not expect this, contact your "
            "security officer."
        ),
        from_email=None,
        recipient_list=to,
    )


def agencies_open_to(user: User) -> list[Agency]:
    """Active agencies where `user` holds no active role (where break-glass could be asked)."""
    held = Membership.objects.filter(user_id=user.pk, active=True).values_list("agency_id")
    return list(Agency.objects.filter(active=True).exclude(pk__in=held).order_by("name", "pk"))


def grants_of(user: User, *, limit: int = 20) -> list[BreakGlassGrant]:
    """The person's own latest grants (the reason is not shown back)."""
    return list(
        BreakGlassGrant.objects.filter(user_id=user.pk)
        .select_related("agency")
        .defer("reason")[:limit]
    )
