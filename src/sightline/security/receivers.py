"""Django's sign-in signals, so every way of signing in (the form, `Client.force_login`, a future
single sign-on) stamps the session the same way."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from sightline.security.models import AccountSession
from sightline.security.services import session_started


@receiver(user_logged_in, dispatch_uid="sightline.security.session_started")
def _on_signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        session_started(request=request, user=user)


@receiver(user_logged_out, dispatch_uid="sightline.security.session_ended")
def _on_signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and getattr(request, "session", None) is not None:
        key = request.session.session_key
        if key:
            AccountSession.objects.filter(session_key=key).delete()
