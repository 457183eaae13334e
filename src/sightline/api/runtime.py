"""What happens around every API operation, in one place: the token's scope, idempotent writes,
ETags, and the DENIED audit event of a refusal.

`ApiRouter` wraps each operation it registers, so no handler can forget any of it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from django.http import HttpResponse
from ninja import Router
from ninja.decorators import decorate_view

from sightline.api import errors
from sightline.api.auth import actor, bearer_token, context
from sightline.apitokens.errors import IdempotencyError
from sightline.apitokens.services import StoredResponse, request_fingerprint, run_idempotent
from sightline.tenancy.access import record_refusal
from sightline.tenancy.permissions import Permission, restricted_to

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.http.response import HttpResponseBase

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"


@contextlib.contextmanager
def _scope(request: HttpRequest) -> Iterator[None]:
    token = bearer_token(request)
    if token is None:
        yield
        return
    with restricted_to(
        user_id=token.owner_id,
        agency_ids=token.agency_ids,
        permissions=[Permission(value) for value in token.permissions],
    ):
        yield


def _stored(response: HttpResponseBase) -> StoredResponse:
    content = getattr(response, "content", b"")
    return StoredResponse(
        status_code=response.status_code,
        content_type=response.get("Content-Type", "application/json"),
        body=bytes(content),
    )


def _response(stored: StoredResponse) -> HttpResponse:
    response = HttpResponse(
        stored.body, status=stored.status_code, content_type=stored.content_type
    )
    if stored.replayed:
        response[REPLAYED_HEADER] = "true"
    return response


def _idempotent(
    request: HttpRequest, run: Callable[[], HttpResponseBase], key: str
) -> HttpResponseBase:
    person = actor(request)
    if person is None:
        return run()  # refused as unauthenticated inside
    fingerprint = request_fingerprint(request.method or "", request.get_full_path(), request.body)
    try:
        return _response(
            run_idempotent(
                actor=person, key=key, fingerprint=fingerprint, write=lambda: _stored(run())
            )
        )
    except IdempotencyError as refused:
        response = HttpResponse(status=422, content_type="application/json")
        response.content = _json(errors.service_payload(refused))
        return response


def _json(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode()


def _etag(response: HttpResponseBase) -> str:
    return '"' + hashlib.sha256(bytes(getattr(response, "content", b""))).hexdigest()[:32] + '"'


def _matches(header: str, etag: str) -> bool:
    wanted = {part.strip().removeprefix("W/") for part in header.split(",")}
    return "*" in wanted or etag in wanted


def around(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wrap one operation's run (auth, parsing, the handler and rendering)."""

    @functools.wraps(run)
    def operation(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        with _scope(request):
            key = request.headers.get(IDEMPOTENCY_HEADER)
            if request.method in WRITES and key is not None:
                response = _idempotent(request, lambda: run(request, *args, **kwargs), key)
            else:
                response = run(request, *args, **kwargs)
        refused = errors.refusal_of(request)
        if refused is not None:
            # After the write's transaction ended, so a rolled-back change never loses its refusal.
            record_refusal(refused, context(request))
        if request.method in {"GET", "HEAD"} and response.status_code == 200:
            etag = _etag(response)
            if _matches(request.headers.get("If-None-Match", ""), etag):
                response = HttpResponse(status=304)
            response["ETag"] = etag
        return response

    return operation


class ApiRouter(Router):
    """A router whose every operation runs inside `around`, and documents the answers every
    operation can give: 400 (a body that is not JSON), 401, 422 (a bad shape or cursor), and 304 on
    reads."""

    def add_api_operation(
        self, path: str, methods: list[str], view_func: Any, **kwargs: Any
    ) -> None:
        decorate_view(around)(view_func)
        response = kwargs.get("response")
        if isinstance(response, dict):
            common: dict[int, Any] = {
                400: errors.ErrorOut,
                401: errors.ErrorOut,
                422: errors.ErrorOut,
            }
            if "GET" in methods:
                common[304] = None
            kwargs["response"] = {**common, **response}
        super().add_api_operation(path, methods, view_func, **kwargs)
