"""The state changes of sign-in security, each writing its own audit event through `audit.services`.

Views call these; so do the admin hooks and the tests. Nothing here renders anything.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string

from sightline.audit.choices import AuditAction
from sightline.audit.context import AuditContext
from sightline.audit.services import audit_record
from sightline.security import throttle, totp
from sightline.security.models import AccountSession, RecoveryCode, TOTPDevice
from sightline.tenancy.models import Membership, Role
from sightline.tenancy.permissions import Permission, permissions_anywhere

# Session keys (the session is the only place a sign-in's state lives).
SIGNED_IN_AT = "sl_signed_in_at"
SEEN_AT = "sl_seen_at"
MFA_STATE = "sl_mfa"
MFA_VERIFIED = "verified"
MFA_VERIFY = "verify"  # a confirmed device exists: the code is due
MFA_ENROL = "enrol"  # a second factor is required and none is set up yet
MFA_EXEMPT = "exempt"

INVALID = "invalid"
LOCKED = "locked"
RECOVERY_CODE_COUNT = 10
ISSUER = "Sightline"
# Demo accounts carry this e-mail domain (sightline.demo); their superuser only works with DEBUG on.
DEMO_EMAIL_DOMAIN = "@demo.sightline.invalid"
# Permissions that show no identified person: roles holding only these sign in with a password alone.
# A validation study reads de-identified rows only and shows figures, so it is one of them.
_ANONYMOUS_DATA = frozenset(
    {Permission.AGGREGATE_VIEW, Permission.DEIDENTIFIED_VIEW, Permission.VALIDATION_STUDY}
)


class SignInRefused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _user_named(username: str) -> Any:
    model = get_user_model()
    return model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()


def _failure(
    *, username: str, key: str, context: AuditContext, reason: str, user: Any = None
) -> str:
    """Count and audit one failure; returns LOCKED if it locked the account or address."""
    user = user if user is not None else _user_named(username)
    # The actor is nobody (no one is signed in); the object is the account when it exists. The name
    # as typed is not recorded: people type passwords into the name field.
    audit_record(
        actor=None,
        action=AuditAction.SIGN_IN_FAILED,
        object_type="user",
        object_id=user.pk if user is not None else "",
        context=context.acting(None),
        detail={"reason": reason, "known_account": user is not None},
    )
    locked = throttle.lock_if_reached(key=key, ip_address=context.ip_address)
    for scope in locked:
        audit_record(
            actor=None,
            action=AuditAction.LOCKOUT,
            object_type="user" if scope == "account" else "address",
            object_id=(user.pk if user is not None else "") if scope == "account" else "",
            context=context.acting(None),
            detail={"scope": str(scope), "seconds": settings.SIGHTLINE_SIGNIN_LOCKOUT_SECONDS},
        )
    return LOCKED if locked else INVALID


def is_demo_superuser(user: Any) -> bool:
    return bool(user.is_superuser and (user.email or "").lower().endswith(DEMO_EMAIL_DOMAIN))


def sign_in_check(*, request: HttpRequest, username: str, password: str) -> Any:
    """The user these credentials name, or `SignInRefused(INVALID | LOCKED)`.

    While an account or address is locked the password is not even checked, so the right password
    is refused too. For an unknown name Django's ModelBackend still runs the password hasher once
    (on a dummy), so a wrong password takes as long whether or not the person exists.
    """
    context = AuditContext.from_request(request)
    key = throttle.account_key(username)
    attempt = None
    if not throttle.is_locked(key=key, ip_address=context.ip_address):
        attempt = throttle.reserve(key=key, ip_address=context.ip_address)
    if attempt is None:
        audit_record(
            actor=None,
            action=AuditAction.SIGN_IN_FAILED,
            object_type="user",
            context=context.acting(None),
            detail={"reason": "locked"},
        )
        raise SignInRefused(LOCKED)
    user = authenticate(request, username=username, password=password)
    if user is not None and not (is_demo_superuser(user) and not settings.DEBUG):
        throttle.withdraw(attempt)
    if user is None:
        raise SignInRefused(
            _failure(username=username, key=key, context=context, reason="password")
        )
    if is_demo_superuser(user) and not settings.DEBUG:
        raise SignInRefused(
            _failure(username=username, key=key, context=context, reason="demo", user=user)
        )
    return user


def mfa_required(user: Any) -> bool:
    """Whether this person must use a second factor: anyone who can see identified data or run the
    platform (staff, superusers, system admins); analysts and researchers see neither."""
    if user.is_staff or user.is_superuser:
        return True
    if Membership.objects.filter(user_id=user.pk, role=Role.SYSTEM_ADMIN, active=True).exists():
        return True
    return not permissions_anywhere(user) <= _ANONYMOUS_DATA


def has_device(user: Any) -> bool:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed_at__isnull=False).exists()


def mfa_state_for(user: Any) -> str | None:
    """What a fresh session of this person still owes: a code, an enrolment, or nothing (None when
    two-factor is not enforced and the person has no device)."""
    if has_device(user):
        return MFA_VERIFY
    if not settings.SIGHTLINE_REQUIRE_MFA:
        return None
    return MFA_ENROL if mfa_required(user) else MFA_EXEMPT


def session_started(*, request: HttpRequest, user: Any) -> None:
    """Called on every sign-in (also `Client.force_login`): stamp the session's clocks, note what the
    second factor still needs, and remember the session so "sign out everywhere" can end it."""
    session = request.session
    now = time.time()
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now
    state = mfa_state_for(user)
    if state is None:
        session.pop(MFA_STATE, None)
    else:
        session[MFA_STATE] = state
    if session.session_key is None:
        session.save()
    AccountSession.objects.get_or_create(
        session_key=session.session_key, defaults={"user": user, "signed_in_at": timezone.now()}
    )


def record_sign_in(*, request: HttpRequest, user: Any) -> None:
    audit_record(
        actor=user,
        action=AuditAction.SIGN_IN,
        obj=user,
        context=AuditContext.from_request(request).acting(user),
        detail={"second_factor": request.session.get(MFA_STATE, "none")},
    )


def record_sign_out(*, request: HttpRequest, user: Any, reason: str) -> None:
    audit_record(
        actor=user,
        action=AuditAction.SIGN_OUT,
        obj=user,
        context=AuditContext.from_request(request).acting(user),
        detail={"reason": reason},
    )


def _session_store() -> type[SessionBase]:
    engine: Any = import_string(settings.SESSION_ENGINE + ".SessionStore")
    return engine  # type: ignore[no-any-return]


def end_sessions(*, user: Any, keep: str | None = None) -> int:
    """End every session of `user` except `keep`; returns how many were ended."""
    store = _session_store()
    ended = 0
    for row in AccountSession.objects.filter(user_id=user.pk).exclude(session_key=keep or ""):
        store(session_key=row.session_key).delete()
        row.delete()
        ended += 1
    return ended


def sign_out_everywhere(*, request: HttpRequest, user: Any) -> int:
    context = AuditContext.from_request(request).acting(user)
    ended = end_sessions(user=user)
    audit_record(
        actor=user,
        action=AuditAction.SIGN_OUT,
        obj=user,
        context=context,
        detail={"reason": "everywhere", "sessions": ended},
    )
    return ended


def password_changed(
    *, user: Any, by: Any, context: AuditContext, how: str, keep_session: str | None = None
) -> None:
    """After any password change: audit it and end the person's other sessions."""
    ended = end_sessions(user=user, keep=keep_session)
    audit_record(
        actor=by,
        action=AuditAction.PASSWORD,
        obj=user,
        context=context.acting(by),
        detail={"how": how, "sessions_ended": ended},
    )


# -- two-factor ---------------------------------------------------------------------------------


def totp_device_for_enrolment(*, user: Any) -> TOTPDevice:
    """The person's unconfirmed device (made on first visit); a confirmed one is never replaced here."""
    device = TOTPDevice.objects.filter(user_id=user.pk).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, secret=totp.new_secret(), created_at=timezone.now()
        )
    return device


def provisioning_uri(*, device: TOTPDevice, user: Any) -> str:
    return totp.provisioning_uri(device.secret, account=user.get_username(), issuer=ISSUER)


def provisioning_qr(*, uri: str) -> str:
    """The otpauth URI as a QR code, an SVG data: URI made here (no network; the CSP allows data:
    images, nothing else from outside)."""
    data_uri: str = segno.make(uri, error="m").svg_data_uri(scale=4, border=2)
    return data_uri


def _code_digest(code: str) -> str:
    return hashlib.sha256(
        code.strip().replace("-", "").replace(" ", "").lower().encode()
    ).hexdigest()


def new_recovery_codes(*, user: Any) -> list[str]:
    """Replace the person's recovery codes with 10 fresh ones; the plain codes are shown once."""
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.filter(user_id=user.pk).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, digest=_code_digest(code)) for code in codes
    )
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def totp_confirm(*, request: HttpRequest, user: Any, code: str) -> list[str] | None:
    """Confirm enrolment with a first code: returns the new recovery codes, or None if wrong."""
    context = AuditContext.from_request(request).acting(user)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(user_id=user.pk)
        if device.confirmed_at is not None:
            return None
        step = totp.matching_step(totp.secret_bytes(device.secret), code, time.time())
        if step is None:
            return None
        device.confirmed_at = timezone.now()
        device.last_step = step
        device.save(update_fields=["confirmed_at", "last_step"])
        codes = new_recovery_codes(user=user)
        audit_record(
            actor=user,
            action=AuditAction.MFA,
            obj=user,
            context=context,
            detail={"event": "enrolled"},
        )
    request.session[MFA_STATE] = MFA_VERIFIED
    _rotate_session(request=request, user=user)
    return codes


def _rotate_session(*, request: HttpRequest, user: Any) -> None:
    """A new session key once the second factor is proven (no fixation across the step up), and the
    person's session record follows it."""
    old = request.session.session_key
    request.session.cycle_key()
    new = request.session.session_key
    if not AccountSession.objects.filter(session_key=old).update(session_key=new):
        AccountSession.objects.get_or_create(
            session_key=new, defaults={"user": user, "signed_in_at": timezone.now()}
        )


def mfa_verify(*, request: HttpRequest, user: Any, code: str) -> str | None:
    """Check a second-factor code (TOTP, or a recovery code) for the signed-in but unverified session.

    Returns None on success, else INVALID or LOCKED. Wrong codes count against the account like
    wrong passwords do; a lockout ends the half-signed-in session.
    """
    context = AuditContext.from_request(request).acting(user)
    key = throttle.account_key(user.get_username())
    if throttle.is_locked(key=key, ip_address=context.ip_address):
        return LOCKED
    attempt = throttle.reserve(key=key, ip_address=context.ip_address)
    if attempt is None:
        return LOCKED
    used = _use_code(user=user, code=code)
    if used is not None:
        throttle.withdraw(attempt)
    if used is None:
        return _failure(
            username=user.get_username(),
            key=key,
            context=context,
            reason="second_factor",
            user=user,
        )
    audit_record(
        actor=user, action=AuditAction.MFA, obj=user, context=context, detail={"event": used}
    )
    request.session[MFA_STATE] = MFA_VERIFIED
    _rotate_session(request=request, user=user)
    return None


def _use_code(*, user: Any, code: str) -> str | None:
    """ "verified" (TOTP) or "recovery_code_used", marking the step or code as spent; None if wrong."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user_id=user.pk, confirmed_at__isnull=False)
            .first()
        )
        if device is None:
            return None
        step = totp.matching_step(
            totp.secret_bytes(device.secret), code, time.time(), after_step=device.last_step
        )
        if step is not None:
            device.last_step = step
            device.save(update_fields=["last_step"])
            return "verified"
        spent = RecoveryCode.objects.filter(
            user_id=user.pk, digest=_code_digest(code), used_at__isnull=True
        ).update(used_at=timezone.now())
        return "recovery_code_used" if spent else None


def recovery_codes_renew(*, request: HttpRequest, user: Any, password: str) -> list[str] | None:
    """Fresh recovery codes (the old ones stop working), after the password is given again; None if
    the password is wrong (counted as a failed sign-in) or the person has no device."""
    context = AuditContext.from_request(request).acting(user)
    key = throttle.account_key(user.get_username())
    if throttle.is_locked(key=key, ip_address=context.ip_address) or not has_device(user):
        return None
    attempt = throttle.reserve(key=key, ip_address=context.ip_address)
    if attempt is None:
        return None
    if user.check_password(password):
        throttle.withdraw(attempt)
    else:
        _failure(
            username=user.get_username(), key=key, context=context, reason="password", user=user
        )
        return None
    with transaction.atomic():
        codes = new_recovery_codes(user=user)
        audit_record(
            actor=user,
            action=AuditAction.MFA,
            obj=user,
            context=context,
            detail={"event": "recovery_codes_renewed"},
        )
    return codes


def recovery_codes_left(*, user: Any) -> int:
    return RecoveryCode.objects.filter(user_id=user.pk, used_at__isnull=True).count()


def mfa_reset(*, user: Any, by: Any, context: AuditContext, reason: str) -> None:
    """Remove a person's second factor (they enrol again at next sign-in) and end their sessions."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user_id=user.pk).delete()
        RecoveryCode.objects.filter(user_id=user.pk).delete()
        ended = end_sessions(user=user)
        audit_record(
            actor=by,
            action=AuditAction.MFA,
            obj=user,
            context=context.acting(by),
            detail={"event": "reset", "reason": reason, "sessions_ended": ended},
        )


def account_summary(*, user: Any) -> dict[str, Any]:
    """What the account page shows: second-factor status and how many sessions are open."""
    return {
        "has_device": has_device(user),
        "mfa_required": mfa_required(user),
        "recovery_codes_left": recovery_codes_left(user=user),
        "sessions": AccountSession.objects.filter(user_id=user.pk).count(),
    }
