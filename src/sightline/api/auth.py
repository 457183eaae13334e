"""Who is calling: a personal API token (`Authorization: Bearer slt_...`) or the signed-in
session (with CSRF, for the pages' own use)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ninja.security import APIKeyCookie, HttpBearer

from sightline.apitokens.services import token_authenticate
from sightline.audit.context import AuditContext, Channel

if TYPE_CHECKING:
    from django.http import HttpRequest

    from sightline.apitokens.models import ApiToken
    from sightline.tenancy.models import User

_UNSET = object()


def bearer_token(request: HttpRequest) -> ApiToken | None:
    """The live token of the request's `Authorization: Bearer` header, looked up once per request.

    A token request acts as the token's owner (`request.user`), within the token's scope."""
    cached = getattr(request, "_api_token", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[no-any-return]
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    token = None
    if scheme.lower() == "bearer" and secret.strip():
        token = token_authenticate(
            secret.strip(), ip_address=request.META.get("REMOTE_ADDR") or None
        )
    if token is not None:
        request.user = token.owner
    request._api_token = token  # type: ignore[attr-defined]
    return token


def actor(request: HttpRequest) -> User | None:
    """The person acting: the token's owner or the signed-in user (None when neither)."""
    token = bearer_token(request)
    if token is not None:
        return token.owner
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def context(request: HttpRequest) -> AuditContext:
    """The request's audit context on the `api` channel, acting as `actor(request)`."""
    return AuditContext.from_request(request, channel=Channel.API).acting(actor(request))


class TokenAuth(HttpBearer):
    """A personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return bearer_token(request)


class SessionAuth(APIKeyCookie):
    """The signed-in session; ninja checks the CSRF token on every unsafe method."""

    param_name = "sessionid"

    def __init__(self) -> None:
        from django.conf import settings

        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if request.headers.get("Authorization"):
            return None  # a token request stands or falls with its token, never the cookie
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None
