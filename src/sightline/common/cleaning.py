"""Input cleaners shared by every service: each returns the value to store or raises the caller's
`ServiceError` subclass naming the field, so one rule (e.g. "a datetime is not a date") is written once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.utils.translation import gettext_noop

from sightline.common.errors import ServiceError

NOT_TEXT = gettext_noop("Enter text.")
TEXT_TOO_LONG = gettext_noop("This is too long.")
NOT_A_DATE = gettext_noop("Enter a date.")
NOT_A_LIST = gettext_noop("Give a list.")
NOT_YES_NO = gettext_noop("Answer yes or no.")

ErrorType = type[ServiceError]


def text(
    value: object,
    *,
    field: str,
    max_length: int,
    required: str | None = None,
    error: ErrorType = ServiceError,
) -> str:
    """Stripped text; `required` is the message for an empty value (None: empty is allowed)."""
    if not isinstance(value, str):
        raise error(NOT_TEXT, field=field)
    value = value.strip()
    if required and not value:
        raise error(required, field=field)
    if len(value) > max_length:
        raise error(TEXT_TOO_LONG, field=field)
    return value


def optional_text(
    value: object, *, field: str, max_length: int, error: ErrorType = ServiceError
) -> str | None:
    """Like `text`, but None and "" are stored as None (no value, not an empty one)."""
    if value is None:
        return None
    return text(value, field=field, max_length=max_length, error=error) or None


def date(value: object, *, field: str, error: ErrorType = ServiceError) -> dt.date:
    # datetime is a date subclass; accepting one would silently drop its time and zone.
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise error(NOT_A_DATE, field=field)
    return value


def yes_no(value: object, *, field: str, error: ErrorType = ServiceError) -> bool:
    if not isinstance(value, bool):
        raise error(NOT_YES_NO, field=field)
    return value


def choice(
    value: object,
    choices: Iterable[str],
    *,
    code: str,
    field: str,
    blank: bool = False,
    error: ErrorType = ServiceError,
) -> str:
    """A code from `choices`; with `blank`, "" too (a draft may leave it unanswered)."""
    if blank and value == "":
        return ""
    if not isinstance(value, str) or value not in choices:
        raise error(code, field=field)
    return value


def items(value: object, *, field: str, error: ErrorType = ServiceError) -> list[object]:
    """A list from any iterable but a bare string, bytes or mapping ("Lexi" is not four aliases)."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise error(NOT_A_LIST, field=field)
    return list(value)


def code_list(
    value: object,
    choices: Iterable[str],
    *,
    code: str,
    field: str,
    error: ErrorType = ServiceError,
) -> list[str]:
    """Codes from `choices`, in the order given, each once."""
    allowed = set(choices)
    codes: list[str] = []
    for item in items(value, field=field, error=error):
        if not isinstance(item, str) or item not in allowed:
            raise error(code, field=field)
        if item not in codes:
            codes.append(item)
    return codes
