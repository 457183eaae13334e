"""Who is acting, from where, through which door: passed to every service instead of a request.

The web builds one per request (`from_request`), the CLI and jobs build their own, so the same service
writes the same audit event whatever called it.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest


class Channel(enum.StrEnum):
    WEB = "web"
    API = "api"
    CLI = "cli"
    IMPORT = "import"
    SYSTEM = "system"  # scheduled jobs and the platform itself


@dataclass(frozen=True)
class AuditContext:
    """The acting user and where the action came from; `request_id` ties one request's events."""

    actor: Any = None  # a User, or None for the system
    channel: Channel = Channel.SYSTEM
    ip_address: str | None = None
    user_agent: str = ""
    path: str = ""
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @classmethod
    def from_request(cls, request: HttpRequest, *, channel: Channel = Channel.WEB) -> AuditContext:
        """The context of one HTTP request, built once and kept on the request."""
        cached = getattr(request, "_audit_context", None)
        if isinstance(cached, AuditContext) and cached.channel == channel:
            return cached
        context = cls(
            actor=getattr(request, "user", None),
            channel=channel,
            # REMOTE_ADDR only: X-Forwarded-For is trusted only once a proxy setting says so.
            ip_address=request.META.get("REMOTE_ADDR") or None,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:256],
            # The path only: a query string may carry what someone typed (a name), never kept.
            path=request.path[:512],
            request_id=request.META.get("HTTP_X_REQUEST_ID", "")[:64] or uuid.uuid4().hex,
        )
        request._audit_context = context  # type: ignore[attr-defined]
        return context

    @classmethod
    def cli(cls, actor: Any = None) -> AuditContext:
        return cls(actor=actor, channel=Channel.CLI)

    @classmethod
    def system(cls, actor: Any = None) -> AuditContext:
        return cls(actor=actor, channel=Channel.SYSTEM)

    def acting(self, actor: Any) -> AuditContext:
        """The same context with `actor` (services are told `by=` explicitly)."""
        return self if self.actor is actor else replace(self, actor=actor)


def context_for(by: Any, context: AuditContext | None) -> AuditContext:
    """The context a service writes with: the caller's, with `by` as the actor, or a system one."""
    if context is None:
        return AuditContext(actor=by, channel=Channel.SYSTEM)
    return context.acting(by)
