"""The one way to write an audit event. Every service that shows or changes youth data calls it."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from sightline.audit.models import AuditAction, AuditEvent


def _client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is trusted only once a proxy setting says so (security issue).
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor: Any,
    action: AuditAction | str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    agency_id: int | None = None,
    youth_id: int | None = None,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. `obj` fills type, id, agency and youth when the model has them."""
    if obj is not None:
        object_type = object_type or obj._meta.model_name or ""
        object_id = object_id or obj.pk
        agency_id = agency_id if agency_id is not None else getattr(obj, "agency_id", None)
        if youth_id is None:
            youth_id = obj.pk if object_type == "youth" else getattr(obj, "youth_id", None)
    if not object_type:
        raise ValueError("an audit event needs an object type")
    event = AuditEvent(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=str(action),
        object_type=object_type,
        object_id=str(object_id),
        agency_id=agency_id,
        youth_id=youth_id,
        detail=detail or {},
    )
    if request is not None:
        event.ip_address = _client_ip(request)
        event.user_agent = request.META.get("HTTP_USER_AGENT", "")[:256]
        event.path = request.get_full_path()[:512]
    event.save()
    return event
