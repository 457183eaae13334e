"""The one way to write an audit event. Every service that shows or changes youth data calls it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import models, transaction

from sightline.audit import chain
from sightline.audit.context import AuditContext
from sightline.audit.models import AuditAction, AuditEvent

if TYPE_CHECKING:
    from django.http import HttpRequest


def audit_record(
    *,
    actor: Any,
    action: AuditAction | str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    agency_id: int | None = None,
    youth_id: int | None = None,
    context: AuditContext | None = None,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. `obj` fills type, id, agency and youth when the model has them.

    `context` says where the action came from (channel, address, request id); `request` is accepted
    for callers that have nothing else and is turned into a web context.
    """
    if obj is not None:
        object_type = object_type or obj._meta.model_name or ""
        object_id = object_id or obj.pk
        agency_id = agency_id if agency_id is not None else getattr(obj, "agency_id", None)
        if youth_id is None:
            youth_id = obj.pk if object_type == "youth" else getattr(obj, "youth_id", None)
    if not object_type:
        raise ValueError("an audit event needs an object type")
    if context is None and request is not None:
        context = AuditContext.from_request(request)
    for source in _DETAIL_SOURCES:
        extra = source(actor, agency_id)
        if extra:
            detail = {**(detail or {}), **extra}
    event = AuditEvent(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=str(action),
        object_type=object_type,
        object_id=str(object_id),
        agency_id=agency_id,
        youth_id=youth_id,
        detail=detail or {},
    )
    if context is not None:
        event.channel = context.channel.value
        event.request_id = context.request_id
        event.ip_address = context.ip_address
        event.user_agent = context.user_agent
        event.path = context.path
    if transaction.get_connection().in_atomic_block:
        # Chained right after the caller's transaction commits, under a lock held only for that.
        event.save()
        chain.seal_soon()
    else:
        # On its own: written and chained in one short transaction (one commit, not two).
        with transaction.atomic():
            chain.lock()
            event.save()
            chain.seal_locked()
    return event


# Sources of extra detail for every event (who registers: `tenancy.permissions`, which stamps the id of
# an open break-glass grant). Registered from the other side, so audit imports no app.
_DETAIL_SOURCES: list[Callable[[Any, int | None], dict[str, Any]]] = []


def add_detail_source(source: Callable[[Any, int | None], dict[str, Any]]) -> None:
    """Call `source(actor, agency_id)` for every event and merge what it returns into its detail."""
    if source not in _DETAIL_SOURCES:
        _DETAIL_SOURCES.append(source)
