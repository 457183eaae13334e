"""Deployment checks of our own, run by `manage.py check --deploy` next to Django's."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@register(Tags.security, deploy=True)
def mail_over_tls(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Reminder digests and audit anchors go by SMTP: refuse plain text unless explicitly allowed."""
    if settings.EMAIL_BACKEND != SMTP_BACKEND:
        return []
    if settings.EMAIL_USE_TLS or settings.EMAIL_USE_SSL:
        return []
    if getattr(settings, "SIGHTLINE_EMAIL_PLAINTEXT_ALLOWED", False):
        return []
    return [
        Warning(
            "Mail is sent over SMTP without TLS.",
            hint="Set EMAIL_USE_TLS=1 (STARTTLS) or EMAIL_USE_SSL=1, or, for a relay on the same "
            "host only, SIGHTLINE_EMAIL_PLAINTEXT_ALLOWED=1.",
            id="sightline.W101",
        )
    ]
