"""State changes for staff and training: one keyword-only function each, acting user explicit."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from sightline.audit.context import AuditContext, context_for
from sightline.audit.models import AuditAction
from sightline.audit.services import audit_record
from sightline.catalog import selectors as catalog
from sightline.common import cleaning
from sightline.tenancy import access, errors
from sightline.tenancy.errors import TenancyError
from sightline.tenancy.models import (
    Agency,
    Membership,
    Role,
    ScreenerRole,
    TrainingRecord,
    User,
)
from sightline.tenancy.permissions import Permission, forget_grants
from sightline.tenancy.selectors import retraining_required_since

_TRAINER_MAX = TrainingRecord._meta.get_field("trainer").max_length


def _date(value: object, *, field: str) -> dt.date:
    return cleaning.date(value, field=field, error=TenancyError)


def _instrument_ids() -> frozenset[str]:
    return catalog.instrument_ids()


def training_record_create(
    *,
    by: User,
    agency: Agency,
    user: User,
    instrument_id: str,
    trained_on: dt.date,
    trainer: str,
    expires_on: dt.date | None = None,
    context: AuditContext | None = None,
) -> TrainingRecord:
    """Record that `user` was trained on an instrument; an agency admin vouches for their own staff.

    The agency scopes the permission check and the audit event; the record itself belongs to the person,
    so training counts at every agency they screen for.
    """
    access.require_at(by, Permission.TRAINING_MANAGE, agency)
    if not Membership.objects.filter(
        user_id=user.pk, agency_id=agency.pk, active=True, user__is_active=True
    ).exists():
        raise TenancyError(errors.NOT_AN_ACTIVE_MEMBER, field="user")
    if instrument_id not in _instrument_ids():
        raise TenancyError(errors.UNKNOWN_INSTRUMENT, field="instrument_id")
    trained_on = _date(trained_on, field="trained_on")
    if trained_on > timezone.localdate():
        raise TenancyError(errors.TRAINED_IN_FUTURE, field="trained_on")
    required_on = retraining_required_since(user=user, instrument_id=instrument_id)
    if required_on is not None and trained_on < required_on:
        raise TenancyError(
            errors.TRAINED_BEFORE_RETRAINING, field="trained_on", required_on=required_on
        )
    if expires_on is not None and _date(expires_on, field="expires_on") < trained_on:
        raise TenancyError(errors.EXPIRES_BEFORE_TRAINED, field="expires_on")
    trainer = trainer.strip() if isinstance(trainer, str) else ""
    if not trainer:
        raise TenancyError(errors.TRAINER_REQUIRED, field="trainer")
    if len(trainer) > _TRAINER_MAX:
        raise TenancyError(errors.TRAINER_TOO_LONG, field="trainer")

    with transaction.atomic():
        record = TrainingRecord.objects.create(
            user=user,
            instrument_id=instrument_id,
            trained_on=trained_on,
            trainer=trainer,
            expires_on=expires_on,
            recorded_by=by,
        )
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=record,
            agency_id=agency.pk,
            context=context_for(by, context),
            detail={"user_id": user.pk, "instrument_id": instrument_id},
        )
    return record


def membership_create(
    *,
    by: User,
    agency: Agency,
    user: User,
    role: str,
    screener_role: str = "",
    context: AuditContext | None = None,
) -> Membership:
    """Give a person a role at an agency.

    System admin is never granted here: an agency admin must not be able to raise anyone (or themselves)
    above agency level; that role is managed by system admins in Django's admin.
    """
    access.require_at(by, Permission.STAFF_MANAGE, agency)
    if role not in Role.values:
        raise TenancyError(errors.UNKNOWN_ROLE, field="role")
    if role == Role.SYSTEM_ADMIN:
        raise TenancyError(errors.ROLE_NOT_GRANTABLE, field="role")
    if screener_role and screener_role not in ScreenerRole.values:
        raise TenancyError(errors.UNKNOWN_SCREENER_ROLE, field="screener_role")
    if not user.is_active:
        raise TenancyError(errors.USER_INACTIVE, field="user")

    # Inactive memberships count too: reactivating keeps the one row and its history.
    if Membership.objects.filter(user_id=user.pk, agency_id=agency.pk).exists():
        raise TenancyError(errors.ALREADY_A_MEMBER, field="user")
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user, agency=agency, role=role, screener_role=screener_role
            )
            forget_grants()
            audit_record(
                actor=by,
                action=AuditAction.CREATE,
                obj=membership,
                context=context_for(by, context),
                detail={"user_id": user.pk, "role": role},
            )
    except IntegrityError:  # a concurrent request created it between the check and the insert
        raise TenancyError(errors.ALREADY_A_MEMBER, field="user") from None
    return membership


def language_set(*, user: User, language: str) -> User:
    """Store the language `user` reads Sightline in: a code of settings.LANGUAGES, or "" for the
    browser's own (Accept-Language). `web.middleware.UserLanguageMiddleware` applies it on every request
    after sign-in, and e-mails to the person use it too. A personal preference, so not audited."""
    codes = {code for code, _name in settings.LANGUAGES}
    if language and language not in codes:
        raise TenancyError(errors.UNKNOWN_LANGUAGE, field="language")
    user.language = language
    user.save(update_fields=["language"])
    return user
