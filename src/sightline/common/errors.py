"""The one error contract of every service.

A service that refuses raises a `ServiceError` (or a subclass): `code` is the unformatted message
constant the tests import, `field` names the input at fault (or None), `extra` holds the details as data
(for the API's `{"message": ..., "extra": {...}}`), and `message` is the text to show a person. Nothing
was written when one is raised.

The constants are English and marked with `gettext_noop` where they are defined, so `code` stays the
same in every language (tests and API clients compare it) while `message` is translated into the
language active when the error is raised (the person's own, see docs/i18n.md).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext


class ServiceError(ValueError):
    """A change that breaks a rule; nothing was written."""

    def __init__(self, code: str, *, field: str | None = None, **extra: Any) -> None:
        self.code = code
        self.field = field
        self.extra = extra
        self.message = _format(gettext(code) if code else code, extra)
        super().__init__(self.message)


class StateError(ServiceError):
    """The record is not in the state this change needs (finalized, closed, superseded ...)."""


class ConflictError(ServiceError):
    """Someone else changed the record after the caller read it (optimistic locking)."""


def _format(code: str, extra: dict[str, Any]) -> str:
    if not extra:
        return code
    shown = {name: _text(value) for name, value in extra.items()}
    try:
        return code.format(**shown)
    except (KeyError, IndexError, ValueError):
        return code  # a message without placeholders given details as data


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value)
    return str(value)
