"""The instrument definition behind a screening: the pinned version for an existing one, the current
version for a new one. The only place screenings call `sightline.instruments.load`."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

from sightline import instruments
from sightline.screenings import errors
from sightline.screenings.errors import ScreeningError

if TYPE_CHECKING:
    from sightline.screenings.models import Screening

Definition = (
    Any  # sightline.instruments.Definition; kept loose so this module never forces its import order
)


# An id or version as `install` names files; anything else (a path, "..") never reaches `load`.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}")


def _installed_ids() -> set[str]:
    return {definition.id for definition in instruments.available()}


@functools.lru_cache(maxsize=64)
def _pinned(instrument_id: str, version: str) -> Definition:
    # Installed versions are immutable (install refuses a changed copy), so id@version is a safe key.
    return instruments.load(f"{instrument_id}@{version}")


def clear_cache() -> None:
    """Forget loaded definitions (tests that change the installed files call this)."""
    _pinned.cache_clear()


def definition_for(screening: Screening) -> Definition:
    """The exact definition `screening` was started with.

    Refuses (ScreeningError INSTRUMENT_MISSING) when that version is no longer installed and
    (INSTRUMENT_CHANGED) when its file's sha256 differs from the pinned one: a changed file must never
    silently re-score or re-validate a record.
    """
    name = f"{screening.instrument_id} {screening.instrument_version}"
    # `load` also accepts a file path; only a plain id and version may reach it.
    if not (
        _NAME.fullmatch(screening.instrument_id) and _NAME.fullmatch(screening.instrument_version)
    ):
        raise ScreeningError(errors.INSTRUMENT_MISSING, instrument=name)
    try:
        definition = _pinned(screening.instrument_id, screening.instrument_version)
    except (LookupError, ValueError, OSError):
        raise ScreeningError(errors.INSTRUMENT_MISSING, instrument=name) from None
    if definition.sha256 != screening.instrument_sha256:
        raise ScreeningError(errors.INSTRUMENT_CHANGED, instrument=name)
    return definition


def definition_for_new(instrument_id: str) -> Definition:
    """The definition a new screening with `instrument_id` uses: official before unofficial, then the
    highest version (the rule of `sightline.instruments.load`)."""
    if not isinstance(instrument_id, str) or instrument_id not in _installed_ids():
        raise ScreeningError(errors.INSTRUMENT_UNKNOWN, field="instrument_id")
    try:
        return instruments.load(instrument_id)
    except (LookupError, ValueError, OSError):
        raise ScreeningError(errors.INSTRUMENT_UNKNOWN, field="instrument_id") from None
