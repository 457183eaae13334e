"""Cursor pagination at the edge: querysets page through `apitokens.keyset` (one keyset query); small
in-memory lists (installed instruments, one youth's screenings) through `page_list`, with the same
opaque cursors."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sightline.apitokens import keyset
from sightline.apitokens.errors import IdempotencyError
from sightline.audit.choices import AuditAction
from sightline.tenancy import access

Row = TypeVar("Row")
DEFAULT_LIMIT = 50


def page(
    queryset: Any, *, ordering: Sequence[str], cursor: str | None, limit: int
) -> dict[str, Any]:
    found = keyset.page(queryset, ordering=ordering, cursor=cursor, limit=limit)
    return {"items": found.items, "next_cursor": found.next_cursor}


def record_page(
    request: Any,
    found: dict[str, Any],
    *,
    object_type: str,
    key: str = "pk",
    agency_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """A VIEW event naming the ids of the page of identified records just read, through the access
    layer's `record_seen` (the same door the pages use), on the API channel."""
    from sightline.api.auth import actor, context

    user = actor(request)
    access.record_seen(
        user,  # type: ignore[arg-type]
        AuditAction.VIEW,
        object_type=object_type,
        ids=[int(getattr(row, key)) for row in found["items"]],
        context=context(request),
        agency_id=agency_id,
        detail={**(detail or {}), "more": found["next_cursor"] is not None},
    )


def page_list(
    rows: Sequence[Row], *, key: Callable[[Row], list[Any]], cursor: str | None, limit: int
) -> dict[str, Any]:
    """A page of `rows` (already in order of `key`, ascending) after the row whose key is `cursor`."""
    limit = max(1, min(limit, keyset.MAX_LIMIT))
    start = 0
    if cursor:
        try:
            after = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        except (ValueError, TypeError):
            raise IdempotencyError(keyset.errors.INVALID_CURSOR, field="cursor") from None
        keys = [key(row) for row in rows]
        if not isinstance(after, list):
            raise IdempotencyError(keyset.errors.INVALID_CURSOR, field="cursor")
        try:
            start = next((n for n, k in enumerate(keys) if k > after), len(rows))
        except TypeError:
            raise IdempotencyError(keyset.errors.INVALID_CURSOR, field="cursor") from None
    items = list(rows[start : start + limit])
    more = start + limit < len(rows)
    next_cursor = (
        base64.urlsafe_b64encode(json.dumps(key(items[-1])).encode()).decode().rstrip("=")
        if more and items
        else None
    )
    return {"items": items, "next_cursor": next_cursor}
