"""Agency administration in the app: invite a person, give and remove roles, deactivate, require
re-training (issue 21, point 5). Every change is one function here, writes one audit event, and is
refused unless the acting person is an agency admin (STAFF_MANAGE / TRAINING_MANAGE) of the agency.

The rules that keep an agency admin inside their agency:

- roles are given only in an agency the admin administers (the door answers 404 for any other);
- system admin is never given here, and a system admin's membership, a staff or superuser account are
  left to the admin site (403);
- nobody changes their own membership or account here (403): no self-escalation, and an agency cannot
  lose its last admin by a slip of their own;
- deactivating the account (every session ended, every API token revoked) needs every active
  membership of the person to be in an agency the admin administers; otherwise the admin ends the
  membership at their own agency and the other agency keeps its worker.

An invitation makes an account with no usable password and mails a set-password link
(`sightline.security.invitations`: Django's reset tokens, single use and expiring).

Two-person rule for the admin site (issue 18, point 8): a role a system admin gives or widens there
waits, inactive, until someone else approves it (`tenancy.grants`): one of the agency's
administrators, or, for an agency with none yet, another system admin. So nobody with the admin
site alone can make an account, give it a role and read youth data through it.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from sightline.apitokens.models import ApiToken
from sightline.audit.context import AuditContext
from sightline.audit.models import AuditAction
from sightline.security import invitations
from sightline.security.services import end_sessions
from sightline.tenancy import access, errors
from sightline.tenancy.errors import TenancyError
from sightline.tenancy.grants import audit_membership as _audit
from sightline.tenancy.grants import refusal as _refuse
from sightline.tenancy.models import Agency, Membership, Role, ScreenerRole, TrainingRecord, User
from sightline.tenancy.permissions import (
    Permission,
    forget_grants,
    permitted_agency_ids,
)

_NAME_MAX = 150
NO_SUCH_PERSON = "No such person."


# --- reads ---------------------------------------------------------------------------------------------


def people_of(*, user: User, agency: Agency, text: str = "") -> QuerySet[Membership]:
    """The agency's memberships (ended ones too) whose username, name or e-mail start with every word
    of `text`, with their account and training, those waiting for approval first; NotFound for anyone
    who does not manage its staff."""
    access.agency_for_user(
        user=user,
        agency_id=agency.pk,
        permission=Permission.STAFF_MANAGE,
        also=(Permission.TRAINING_MANAGE,),
    )
    found = Membership.objects.filter(agency_id=agency.pk).select_related("user")
    for word in text.split()[:5]:
        found = found.filter(
            Q(user__username__istartswith=word)
            | Q(user__first_name__istartswith=word)
            | Q(user__last_name__istartswith=word)
            | Q(user__email__istartswith=word)
        )
    return found.prefetch_related("user__training_records").order_by(
        F("requested_at").asc(nulls_last=True),  # roles waiting for approval come first
        "-active",
        "user__last_name",
        "user__first_name",
        "user__username",
        "pk",
    )


def membership_for_admin(*, user: User, agency: Agency, membership_id: object) -> Membership:
    """One membership of `agency` for its admin: a foreign or missing one is the same NotFound."""
    access.agency_for_user(user=user, agency_id=agency.pk, permission=Permission.STAFF_MANAGE)
    try:
        pk = int(str(membership_id))
    except ValueError:
        pk = 0
    found = Membership.objects.select_related("user").filter(pk=pk, agency_id=agency.pk).first()
    if found is None:
        raise access.NotFound(
            NO_SUCH_PERSON,
            object_type="membership",
            object_id=membership_id,
            permission=Permission.STAFF_MANAGE,
            agency_id=agency.pk,
        )
    return found


def is_invited(user: User) -> bool:
    """Invited and not yet through the set-password link."""
    return not user.has_usable_password() and user.last_login is None


def training_status(user: User, *, today: dt.date) -> str:
    """'current', 'retraining' (withdrawn and not renewed), 'expired' or 'none', over the person's
    prefetched records: what the People page shows."""
    records = list(user.training_records.all())
    if not records:
        return "none"
    if any(record.is_current_on(today) for record in records):
        return "current"
    if any(record.withdrawn_on is not None for record in records):
        return "retraining"
    return "expired"


# --- checks --------------------------------------------------------------------------------------------


def _check_target(by: User, membership: Membership) -> None:
    """Refuse (403) a change of one's own membership, and of anyone the admin site manages."""
    access.require_at(by, Permission.STAFF_MANAGE, membership.agency)
    target = membership.user
    if target.pk == by.pk:
        raise _refuse(errors.NOT_YOURSELF, membership)
    if (
        target.is_staff
        or target.is_superuser
        or membership.role == Role.SYSTEM_ADMIN
        or Membership.objects.filter(user_id=target.pk, role=Role.SYSTEM_ADMIN).exists()
    ):
        raise _refuse(errors.MANAGED_IN_ADMIN_SITE, membership)


def _grantable(role: str, screener_role: str) -> None:
    if role not in Role.values:
        raise TenancyError(errors.UNKNOWN_ROLE, field="role")
    if role == Role.SYSTEM_ADMIN:
        raise TenancyError(errors.ROLE_NOT_GRANTABLE, field="role")
    if screener_role and screener_role not in ScreenerRole.values:
        raise TenancyError(errors.UNKNOWN_SCREENER_ROLE, field="screener_role")


# --- changes -------------------------------------------------------------------------------------------


def person_invite(
    *,
    by: User,
    agency: Agency,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    screener_role: str = "",
    context: AuditContext | None = None,
) -> Membership:
    """Give the person with this address `role` at `agency`, making their account if there is none.

    A new account has no usable password: the mail carries a set-password link (single use, expiring).
    A person who already has an account (at another agency) is told by mail of their new role and signs
    in as before.
    """
    access.require_at(by, Permission.STAFF_MANAGE, agency)
    email = (email or "").strip()
    if not email:
        raise TenancyError(errors.EMAIL_REQUIRED, field="email")
    try:
        validate_email(email)
    except ValidationError:
        raise TenancyError(errors.EMAIL_INVALID, field="email") from None
    _grantable(role, screener_role)
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    if len(first_name) > _NAME_MAX or len(last_name) > _NAME_MAX:
        raise TenancyError(errors.NAME_TOO_LONG, field="first_name")
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and not existing.is_active:
        raise TenancyError(errors.EMAIL_OF_INACTIVE_ACCOUNT, field="email")
    if existing is not None and Membership.objects.filter(user=existing, agency=agency).exists():
        raise TenancyError(errors.ALREADY_A_MEMBER, field="email")
    try:
        with transaction.atomic():
            if existing is None:
                user = User(
                    username=_free_username(email),
                    email=email.lower(),
                    first_name=first_name,
                    last_name=last_name,
                )
                user.set_unusable_password()
                user.save()
            else:
                user = existing
            membership = Membership.objects.create(
                user=user, agency=agency, role=role, screener_role=screener_role
            )
            forget_grants()
            _audit(
                by,
                AuditAction.CREATE,
                membership,
                context,
                user_id=user.pk,
                role=role,
                event="invited" if existing is None else "added",
            )
    except IntegrityError:  # a concurrent invitation of the same person
        raise TenancyError(errors.ALREADY_A_MEMBER, field="email") from None
    invitations.send_invitation(
        user=user,
        agency_name=agency.name,
        invited_by=by.get_full_name() or by.get_username(),
        new_account=existing is None,
    )
    return membership


def _free_username(email: str) -> str:
    base = email.lower()[:140]
    name, n = base, 1
    while User.objects.filter(username=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def invitation_resend(
    *, by: User, membership: Membership, context: AuditContext | None = None
) -> None:
    """Mail a fresh set-password link to someone who has not used theirs (an older link keeps working
    until it expires or the password is set)."""
    _check_target(by, membership)
    if not is_invited(membership.user) or not membership.active:
        raise TenancyError(errors.NOT_INVITED, field=None)
    _audit(
        by, AuditAction.CHANGE, membership, context, user_id=membership.user_id, event="reinvited"
    )
    invitations.send_invitation(
        user=membership.user,
        agency_name=membership.agency.name,
        invited_by=by.get_full_name() or by.get_username(),
        new_account=True,
    )


def role_set(
    *,
    by: User,
    membership: Membership,
    role: str,
    screener_role: str | None = None,
    context: AuditContext | None = None,
) -> Membership:
    """Give the person `role` at the membership's agency (an ended membership starts again)."""
    _check_target(by, membership)
    _grantable(role, screener_role or "")
    if (
        role == membership.role
        and membership.active
        and screener_role in (None, membership.screener_role)
    ):
        raise TenancyError(errors.ROLE_UNCHANGED, field="role")
    if not membership.user.is_active:
        raise TenancyError(errors.USER_INACTIVE, field="role")
    if membership.awaiting_approval and by.pk == membership.requested_by_id:
        raise _refuse(errors.APPROVE_SOMEONE_ELSES, membership)
    before = {"role": membership.role, "active": membership.active}
    with transaction.atomic():
        membership.role = role
        membership.active = True
        # Giving a role to someone waiting for one is a second person's decision: the wait ends.
        membership.requested_by = None
        membership.requested_at = None
        fields = ["role", "active", "requested_by", "requested_at"]
        if screener_role is not None:
            membership.screener_role = screener_role
            fields.append("screener_role")
        membership.save(update_fields=fields)
        forget_grants()
        _audit(
            by,
            AuditAction.GRANT,
            membership,
            context,
            user_id=membership.user_id,
            event="role_set",
            role=role,
            before=before,
        )
    return membership


def membership_end(
    *, by: User, membership: Membership, context: AuditContext | None = None
) -> Membership:
    """Remove the person's role at this agency (the row stays, for history; a role given later
    starts it again). Their access here ends with their next request."""
    _check_target(by, membership)
    if not membership.active:
        raise TenancyError(errors.ALREADY_INACTIVE, field=None)
    with transaction.atomic():
        membership.active = False
        membership.save(update_fields=["active"])
        forget_grants()
        revoked = _revoke_tokens(membership.user, agency_id=membership.agency_id)
        _audit(
            by,
            AuditAction.CHANGE,
            membership,
            context,
            user_id=membership.user_id,
            event="membership_ended",
            role=membership.role,
            tokens_revoked=revoked,
        )
    return membership


def person_deactivate(
    *, by: User, membership: Membership, context: AuditContext | None = None
) -> User:
    """Deactivate the person's account: they cannot sign in, every session is ended and every API
    token revoked. Only when all their active memberships are in agencies `by` administers."""
    _check_target(by, membership)
    target = membership.user
    if not target.is_active:
        raise TenancyError(errors.USER_INACTIVE, field=None)
    managed = set(permitted_agency_ids(by, Permission.STAFF_MANAGE))
    elsewhere = Membership.objects.filter(user_id=target.pk, active=True).exclude(
        agency_id__in=managed
    )
    if elsewhere.exists():
        raise TenancyError(errors.OTHER_AGENCIES, field=None)
    with transaction.atomic():
        target.is_active = False
        target.save(update_fields=["is_active"])
        forget_grants()
        revoked = _revoke_tokens(target)
        ended = end_sessions(user=target)
        _audit(
            by,
            AuditAction.CHANGE,
            target,
            context,
            agency_id=membership.agency_id,
            event="deactivated",
            sessions_ended=ended,
            tokens_revoked=revoked,
        )
    return target


def _revoke_tokens(user: User, *, agency_id: int | None = None) -> int:
    """Revoke the person's live API tokens (only those scoped to `agency_id`, when given)."""
    live = ApiToken.objects.filter(owner_id=user.pk, revoked_at__isnull=True)
    ids = [token.pk for token in live if agency_id is None or agency_id in (token.agency_ids or [])]
    return ApiToken.objects.filter(pk__in=ids).update(revoked_at=timezone.now())


def retraining_require(
    *,
    by: User,
    membership: Membership,
    instrument_id: str | None = None,
    context: AuditContext | None = None,
) -> int:
    """Withdraw the person's current training (for one instrument, or all): from today they cannot
    finalize a screening until new training, dated today or later, is recorded. Returns how many
    records were withdrawn. An admin may require it of themselves (it only takes rights away)."""
    access.require_at(by, Permission.TRAINING_MANAGE, membership.agency)
    today = timezone.localdate()
    records = TrainingRecord.objects.filter(
        user_id=membership.user_id, withdrawn_on__isnull=True, trained_on__lte=today
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    if instrument_id:
        records = records.filter(instrument_id=instrument_id)
    with transaction.atomic():
        withdrawn = list(records.select_for_update().values_list("pk", "instrument_id"))
        if not withdrawn:
            raise TenancyError(errors.NO_CURRENT_TRAINING, field="instrument_id")
        TrainingRecord.objects.filter(pk__in=[pk for pk, _ in withdrawn]).update(
            withdrawn_on=today, withdrawn_by=by
        )
        _audit(
            by,
            AuditAction.CHANGE,
            membership,
            context,
            user_id=membership.user_id,
            event="retraining_required",
            instruments=sorted({instrument for _, instrument in withdrawn}),
            records=[pk for pk, _ in withdrawn],
        )
    return len(withdrawn)
