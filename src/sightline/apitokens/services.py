"""Personal API tokens, idempotent writes and case-system events: the API's state changes.

Each follows the service contract (keyword-only, actor explicit, an AuditContext, a `ServiceError`
for every refusal, nothing written on a refusal). The API edge calls these; it never touches the
models or the ORM itself.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from sightline.apitokens import errors
from sightline.apitokens.errors import IdempotencyError, TokenError
from sightline.apitokens.models import ApiToken, IdempotencyRecord, ReceivedEvent
from sightline.audit.context import AuditContext, context_for
from sightline.audit.models import AuditAction
from sightline.audit.services import audit_record
from sightline.tenancy.backends import role_pairs_of, take_role_pairs
from sightline.tenancy.models import Membership, User
from sightline.tenancy.permissions import ROLE_PERMISSIONS, Permission

TOKEN_MARK = "slt_"
NAME_MAX_LENGTH = 100
MAX_LIFETIME_DAYS = 366
DEFAULT_LIFETIME_DAYS = 90
# Writing the last use on every request would turn each read into a write; a minute is precise enough.
LAST_USE_PRECISION = dt.timedelta(seconds=60)


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    """A new token and its secret: the only time the secret exists outside the person's hands."""

    token: ApiToken
    secret: str


def _permissions(values: Iterable[object]) -> list[Permission]:
    found: list[Permission] = []
    for value in values:
        try:
            permission = value if isinstance(value, Permission) else Permission(str(value))
        except ValueError:
            raise TokenError(
                errors.TOKEN_UNKNOWN_PERMISSION, field="permissions", permission=value
            ) from None
        if permission not in found:
            found.append(permission)
    if not found:
        raise TokenError(errors.TOKEN_PERMISSIONS_REQUIRED, field="permissions")
    return found


def token_create(
    *,
    by: User,
    name: str,
    agency_ids: Iterable[object],
    permissions: Iterable[object],
    lifetime_days: int = DEFAULT_LIFETIME_DAYS,
    context: AuditContext | None = None,
) -> IssuedToken:
    """Issue a token for `by`, limited to `agency_ids` and `permissions`, expiring after
    `lifetime_days`. Only agencies where `by` is an active member and permissions one of their roles
    there grants may be chosen; at each request the token still gets no more than `by` then holds."""
    name = str(name or "").strip()
    if not name:
        raise TokenError(errors.TOKEN_NAME_REQUIRED, field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise TokenError(errors.TOKEN_NAME_TOO_LONG, field="name", max_length=NAME_MAX_LENGTH)
    if type(lifetime_days) is not int or not 1 <= lifetime_days <= MAX_LIFETIME_DAYS:
        raise TokenError(
            errors.TOKEN_BAD_LIFETIME, field="lifetime_days", max_days=MAX_LIFETIME_DAYS
        )
    wanted_agencies: list[int] = []
    for value in agency_ids:
        try:
            agency_id = int(str(value))
        except ValueError:
            raise TokenError(
                errors.TOKEN_AGENCY_NOT_YOURS, field="agency_ids", agency_id=value
            ) from None
        if agency_id not in wanted_agencies:
            wanted_agencies.append(agency_id)
    if not wanted_agencies:
        raise TokenError(errors.TOKEN_AGENCIES_REQUIRED, field="agency_ids")
    wanted = _permissions(permissions)
    roles: dict[int, set[str]] = {}
    for agency_id, role in Membership.objects.filter(
        user_id=by.pk, active=True, agency__active=True, agency_id__in=wanted_agencies
    ).values_list("agency_id", "role"):
        roles.setdefault(agency_id, set()).add(role)
    for agency_id in wanted_agencies:
        if agency_id not in roles:
            raise TokenError(errors.TOKEN_AGENCY_NOT_YOURS, field="agency_ids", agency_id=agency_id)
    granted = {p for names in roles.values() for role in names for p in ROLE_PERMISSIONS[role]}
    for permission in wanted:
        if permission not in granted:
            raise TokenError(
                errors.TOKEN_PERMISSION_NOT_YOURS, field="permissions", permission=permission.value
            )
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_MARK}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            owner=by,
            name=name,
            prefix=prefix,
            digest=digest_of(secret),
            agency_ids=sorted(wanted_agencies),
            permissions=sorted(p.value for p in wanted),
            expires_at=timezone.now() + dt.timedelta(days=lifetime_days),
        )
        audit_record(
            actor=by,
            action=AuditAction.TOKEN,
            object_type="apitoken",
            object_id=token.pk,
            context=context_for(by, context),
            detail={
                "event": "created",
                "prefix": prefix,
                "agencies": token.agency_ids,
                "permissions": token.permissions,
                "expires_at": token.expires_at.isoformat(),
            },
        )
    return IssuedToken(token=token, secret=secret)


def token_revoke(*, prefix: str, by: User | None, context: AuditContext | None = None) -> ApiToken:
    """Revoke a token at once. `by` must own it; `by=None` is the platform operator at the command
    line (`manage.py api_tokens revoke`), who may revoke anyone's."""
    with transaction.atomic():
        rows = ApiToken.objects.select_for_update().filter(prefix=str(prefix))
        if by is not None:
            rows = rows.filter(owner_id=by.pk)
        token = rows.first()
        if token is None:
            raise TokenError(errors.NO_SUCH_TOKEN, field="prefix")
        if token.revoked_at is not None:
            raise TokenError(errors.TOKEN_ALREADY_REVOKED, field="prefix")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=by,
            action=AuditAction.TOKEN,
            object_type="apitoken",
            object_id=token.pk,
            context=context_for(by, context),
            detail={"event": "revoked", "prefix": token.prefix, "owner": token.owner_id},
        )
    return token


def token_authenticate(secret: str, *, ip_address: str | None = None) -> ApiToken | None:
    """The live token with this secret (owner loaded), or None: unknown, revoked, expired, or its
    owner deactivated. Records the last use (to the minute)."""
    if not secret.startswith(TOKEN_MARK) or len(secret) > 100:
        return None
    # The owner's roles come in the same statement, for the request's access checks.
    token = (
        ApiToken.objects.select_related("owner")
        .annotate(owner_role_pairs=role_pairs_of("owner_id"))
        .filter(digest=digest_of(secret))
        .first()
    )
    now = timezone.now()
    if (
        token is None
        or token.revoked_at is not None
        or token.expires_at <= now
        or not token.owner.is_active
    ):
        return None
    take_role_pairs(token.owner, token.owner_role_pairs)  # type: ignore[attr-defined]
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip_address)
        token.last_used_at, token.last_used_ip = now, ip_address
    return token


# --- idempotent writes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    content_type: str
    body: bytes
    replayed: bool = False


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    """SHA-256 of what makes two requests the same request."""
    hasher = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), body):
        hasher.update(len(part).to_bytes(8, "big"))
        hasher.update(part)
    return hasher.hexdigest()


def check_key(key: str) -> str:
    if not 1 <= len(key) <= 255 or not key.isascii() or not key.isprintable():
        raise IdempotencyError(errors.IDEMPOTENCY_KEY_INVALID, field="Idempotency-Key")
    return key


def _replay(record: IdempotencyRecord, fingerprint: str) -> StoredResponse:
    if record.fingerprint != fingerprint:
        raise IdempotencyError(errors.IDEMPOTENCY_KEY_REUSED, field="Idempotency-Key")
    return StoredResponse(
        status_code=record.status_code,
        content_type=record.content_type,
        body=base64.b64decode(record.sealed_body or ""),
        replayed=True,
    )


def run_idempotent(
    *,
    actor: User,
    key: str,
    fingerprint: str,
    write: Callable[[], StoredResponse],
) -> StoredResponse:
    """Run `write` once per (`actor`, `key`): a retry with the same request gets the first answer back,
    one with another request is refused (IdempotencyError, a 422).

    The key's row is inserted in the same transaction as the write; a concurrent retry's insert waits
    on the unique constraint until that transaction ends, then answers with the stored response. Only
    a success (2xx) is stored: a refused write wrote nothing, so retrying it is safe.
    """
    check_key(key)
    found = IdempotencyRecord.objects.filter(actor_id=actor.pk, key=key).first()
    if found is not None:
        return _replay(found, fingerprint)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    actor_id=actor.pk, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            return _replay(IdempotencyRecord.objects.get(actor_id=actor.pk, key=key), fingerprint)
        response = write()
        if not 200 <= response.status_code < 300:
            transaction.set_rollback(True)
            return response
        record.status_code = response.status_code
        record.content_type = response.content_type
        record.sealed_body = base64.b64encode(response.body).decode("ascii")
        record.save(update_fields=["status_code", "content_type", "sealed_body"])
    return response


# --- events from case systems ------------------------------------------------------------------------


@dataclass(frozen=True)
class EventOutcome:
    outcome: dict[str, Any]
    duplicate: bool


def event_receive(
    *,
    by: User,
    agency_id: int,
    source: str,
    event_id: str,
    kind: str,
    fingerprint: str,
    youth_id: int | None,
    apply: Callable[[], dict[str, Any]],
) -> EventOutcome:
    """Apply a case system's event once per (agency, source, event id) and keep its outcome: the same
    event sent again changes nothing and gets the first outcome; another event under the same id is
    refused (EVENT_ID_REUSED). `apply` runs in the same transaction as the receipt, so an event is
    either applied and recorded or neither."""

    def earlier() -> EventOutcome:
        row = ReceivedEvent.objects.get(agency_id=agency_id, source=source, event_id=event_id)
        if row.fingerprint != fingerprint:
            raise IdempotencyError(
                errors.EVENT_ID_REUSED, field="event_id", event_id=event_id, source=source
            )
        return EventOutcome(outcome=row.outcome, duplicate=True)

    if ReceivedEvent.objects.filter(agency_id=agency_id, source=source, event_id=event_id).exists():
        return earlier()
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = ReceivedEvent.objects.create(
                    agency_id=agency_id,
                    source=source,
                    event_id=event_id,
                    kind=kind,
                    fingerprint=fingerprint,
                    youth_id=youth_id,
                    received_by=by,
                )
        except IntegrityError:
            return earlier()
        outcome = apply()
        row.outcome = outcome
        row.save(update_fields=["outcome"])
    return EventOutcome(outcome=outcome, duplicate=False)
