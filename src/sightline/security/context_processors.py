"""What base.html needs for the idle warning (the limit lives in settings, the script reads a meta tag)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def session_limits(request: HttpRequest) -> dict[str, int]:
    return {"session_idle_seconds": settings.SIGHTLINE_SESSION_IDLE_SECONDS}
