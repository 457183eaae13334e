"""Two middlewares: the security headers on every page, and the session rules (idle and absolute
limits, the second factor) on every signed-in request."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from sightline.security import services

# No inline script or style anywhere, no eval, nothing from another origin (htmx is configured for
# this through its meta tag: allowEval false, includeIndicatorStyles false).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "browsing-topics",
    )
)


class SecurityHeadersMiddleware:
    """CSP, Permissions-Policy and `Cache-Control: no-store` on every response that passes through
    Django (static files are answered earlier by WhiteNoise and stay cacheable).

    no-store everywhere rather than page by page: a page that starts to show youth data later can
    then never be cached by mistake, in the browser's history or a shared proxy.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers["Cache-Control"] = "no-store"
        return response


@functools.cache
def _mfa_paths() -> dict[str, str]:
    return {
        "verify": reverse("web:mfa-verify"),
        "setup": reverse("web:mfa-setup"),
        "logout": reverse("web:logout"),
    }


def _go(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect that htmx follows as a whole-page navigation rather than swapping it into a part."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def _with_next(url: str, request: HttpRequest) -> str:
    if request.method == "GET":
        return f"{url}?{urlencode({'next': request.get_full_path()}, safe='/')}"
    return url


class SessionLimitsMiddleware:
    """For a signed-in request: end the session after `SIGHTLINE_SESSION_IDLE_SECONDS` without a request
    or `SIGHTLINE_SESSION_ABSOLUTE_SECONDS` after sign-in (both audited), and keep an unverified
    session on the second-factor pages.

    The last-seen time is written at most once a minute (a tenth of the idle limit if that is
    shorter): a session write on every request would cost every page a query. The idle limit
    therefore ends a session up to a minute early, never late.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        session = request.session
        now = time.time()
        signed_in_at = session.get(services.SIGNED_IN_AT)
        seen_at = session.get(services.SEEN_AT)
        if signed_in_at is None or seen_at is None:
            # A session from before these rules: its clocks start now.
            session[services.SIGNED_IN_AT] = session[services.SEEN_AT] = now
        elif now - signed_in_at > settings.SIGHTLINE_SESSION_ABSOLUTE_SECONDS:
            return self._end(request, reason="absolute")
        elif now - seen_at > settings.SIGHTLINE_SESSION_IDLE_SECONDS:
            return self._end(request, reason="idle")
        elif now - seen_at >= min(60, settings.SIGHTLINE_SESSION_IDLE_SECONDS / 10):
            session[services.SEEN_AT] = now
        refusal = self._second_factor(request)
        return refusal if refusal is not None else self.get_response(request)

    def _end(self, request: HttpRequest, *, reason: str) -> HttpResponse:
        user = request.user
        logout(request)
        services.record_sign_out(request=request, user=user, reason=reason)
        return _go(request, _with_next(reverse(settings.LOGIN_URL), request))

    def _second_factor(self, request: HttpRequest) -> HttpResponse | None:
        session = request.session
        state = session.get(services.MFA_STATE)
        if state is None and settings.SIGHTLINE_REQUIRE_MFA:
            state = services.mfa_state_for(request.user)
            if state is not None:
                session[services.MFA_STATE] = state
        if state not in (services.MFA_VERIFY, services.MFA_ENROL):
            return None
        paths = _mfa_paths()
        if request.path in paths.values():
            return None
        target = paths["verify"] if state == services.MFA_VERIFY else paths["setup"]
        return _go(request, _with_next(target, request))
