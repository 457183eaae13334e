"""The instrument definition behind a screening: the pinned version for an existing one, the current
version for a new one. Both come from the catalog of installed definitions (`sightline.catalog`),
never from files."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sightline.catalog import selectors as catalog
from sightline.screenings import errors
from sightline.screenings.errors import ScreeningError

if TYPE_CHECKING:
    from sightline.screenings.models import Screening

Definition = (
    Any  # sightline.instruments.Definition; kept loose so this module never forces its import order
)


def clear_cache() -> None:
    """Read the list of installed versions again (tests that change them call this); parsed
    definitions stay cached, keyed by their content's sha256."""
    catalog.forget()


def definition_for(screening: Screening) -> Definition:
    """The exact definition `screening` was started with.

    Refuses (ScreeningError INSTRUMENT_MISSING) when that version is not installed and
    (INSTRUMENT_CHANGED) when the installed content's sha256 differs from the pinned one: a changed
    definition must never silently re-score or re-validate a record.
    """
    name = f"{screening.instrument_id} {screening.instrument_version}"
    try:
        definition = catalog.definition(screening.instrument_id, screening.instrument_version)
    except LookupError:
        raise ScreeningError(errors.INSTRUMENT_MISSING, instrument=name) from None
    if definition.sha256 != screening.instrument_sha256:
        raise ScreeningError(errors.INSTRUMENT_CHANGED, instrument=name)
    return definition


def definition_for_new(instrument_id: str, version: str | None = None) -> Definition:
    """The definition a new screening with `instrument_id` uses: official before unofficial, then the
    highest version (`catalog.selectors.current_definition`); or, for the record of a screening made
    earlier with another installed version (an import of history), exactly `version`."""
    if not isinstance(instrument_id, str) or not isinstance(version, str | None):
        raise ScreeningError(errors.INSTRUMENT_UNKNOWN, field="instrument_id")
    try:
        if version is not None:
            return catalog.definition(instrument_id, version)
        return catalog.current_definition(instrument_id)
    except LookupError:
        raise ScreeningError(errors.INSTRUMENT_UNKNOWN, field="instrument_id") from None
