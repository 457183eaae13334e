"""Idempotent form posts: every "create" form carries a random token (`{% form_token %}`); the first
post with it claims it, a repeat is sent where the first one went, so a double submit creates one record.

Posts without a token (scripts, older pages) work as before: the token protects people, not the API
(the API has its own Idempotency-Key).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone

from sightline.security.models import FormSubmission

FIELD = "form_token"
KEEP = dt.timedelta(days=1)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _token(request: HttpRequest) -> str:
    return request.POST.get(FIELD, "")[:64]


def replayed(request: HttpRequest, *, fallback: str) -> HttpResponse | None:
    """Claim this post's token; for a repeat, the redirect to answer it with (the first post's result,
    or `fallback` while the first is still running). None: go ahead, this post is the first."""
    token = _token(request)
    if not token or not request.user.is_authenticated:
        return None
    now = timezone.now()
    try:
        with transaction.atomic():
            FormSubmission.objects.create(user=request.user, token=token, created_at=now)
    except IntegrityError:
        first = FormSubmission.objects.filter(user_id=request.user.pk, token=token).first()
        return HttpResponseRedirect((first.result_url if first else "") or fallback)
    FormSubmission.objects.filter(created_at__lt=now - KEEP).delete()
    return None


def remember(request: HttpRequest, *, result_url: str) -> None:
    """The first post succeeded: repeats go to `result_url`."""
    token = _token(request)
    if token and request.user.is_authenticated:
        FormSubmission.objects.filter(user_id=request.user.pk, token=token).update(
            result_url=result_url
        )


def forget(request: HttpRequest) -> None:
    """The first post was refused (a form error): its token may be used again."""
    token = _token(request)
    if token and request.user.is_authenticated:
        FormSubmission.objects.filter(user_id=request.user.pk, token=token).delete()
