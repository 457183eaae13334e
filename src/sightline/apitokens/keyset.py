"""Cursor (keyset) pagination for the API's lists: the cursor is the last row's sort key, so a page
costs one indexed query however deep it is, and rows added meanwhile never shift a page.

The cursor is opaque to clients (base64 of the key); a tampered one is refused, never trusted as SQL.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet

from sightline.apitokens import errors
from sightline.apitokens.errors import IdempotencyError

Row = TypeVar("Row", bound=Model)
MAX_LIMIT = 200


@dataclass(frozen=True)
class Page(Generic[Row]):
    items: list[Row]
    next_cursor: str | None


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, int | str):
        return value
    raise TypeError(f"cannot page on {value!r}")


def _encode(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _decode(cursor: str, width: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, TypeError):
        raise IdempotencyError(errors.INVALID_CURSOR, field="cursor") from None
    if (
        not isinstance(values, list)
        or len(values) != width
        or not all(isinstance(v, int | str) and not isinstance(v, bool) for v in values)
    ):
        raise IdempotencyError(errors.INVALID_CURSOR, field="cursor")
    return values


def _after(ordering: Sequence[str], values: list[Any]) -> Q:
    """Rows strictly after `values` in `ordering` (each name, "-" for descending)."""
    after = Q()
    for n, spec in enumerate(ordering):
        name = spec.lstrip("-")
        step = Q(**{f"{name}__{'lt' if spec.startswith('-') else 'gt'}": values[n]})
        for earlier, value in zip(ordering[:n], values[:n], strict=True):
            step &= Q(**{earlier.lstrip("-"): value})
        after |= step
    return after


def page(
    queryset: QuerySet[Row], *, ordering: Sequence[str], cursor: str | None, limit: int
) -> Page[Row]:
    """One page of `queryset` in `ordering` (which must end in a unique, non-null field), after
    `cursor`. `limit` is clamped to 1..MAX_LIMIT."""
    limit = max(1, min(limit, MAX_LIMIT))
    rows = queryset.order_by(*ordering)
    if cursor:
        try:
            rows = rows.filter(_after(ordering, _decode(cursor, len(ordering))))
        except (
            ValueError,
            TypeError,
            ValidationError,
        ) as bad:  # a date that is not a date, a text id ...
            raise IdempotencyError(errors.INVALID_CURSOR, field="cursor") from bad
    try:
        items = list(rows[: limit + 1])
    except (ValueError, TypeError, ValidationError) as bad:
        raise IdempotencyError(errors.INVALID_CURSOR, field="cursor") from bad
    if len(items) <= limit:
        return Page(items=items, next_cursor=None)
    items = items[:limit]
    last = items[-1]
    return Page(
        items=items,
        next_cursor=_encode([_plain(getattr(last, spec.lstrip("-"))) for spec in ordering]),
    )
