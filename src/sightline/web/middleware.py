"""The web edge's side of the access layer: every refusal it answers is logged once, and each
person's roles are read once per request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from sightline.audit.context import AuditContext
from sightline.tenancy.access import AccessRefused, record_refusal
from sightline.tenancy.permissions import grants_per_request


class AccessAuditMiddleware:
    """Write the DENIED audit event of a `NotFound` / `Forbidden` raised by the access layer.

    Here rather than in the door itself, because a refusal inside a service's transaction would be
    rolled back with it; Django then answers 404 or 403 as usual.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Each person's roles are read once per request; every access decision still uses them.
        with grants_per_request():
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, AccessRefused):
            record_refusal(exception, AuditContext.from_request(request))


class UserLanguageMiddleware:
    """Switch to the signed-in person's own language (``User.language``) for the whole request.

    Sits after Django's LocaleMiddleware (which picks the language of anonymous pages from
    Accept-Language) and after authentication, so a choice stored on the account wins on every request
    once signed in; an empty choice keeps the browser's language. LocaleMiddleware's response step then
    sends the active language as Content-Language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        chosen = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if chosen and translation.check_for_language(chosen):
            translation.activate(chosen)
            request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]
        return self.get_response(request)
