"""One import row's text cells -> the values to store, by the services' own cleaners (ADR 0010).

Each `clean_*` returns the prepared values or records a `Problem` per bad cell and returns None: every
problem of a row is reported, not only the first. The rules are the services' (`youth.services`,
`screenings.services`, `common.cleaning`), called here one field at a time; only the turning of text
into Python values (a date, a list, yes/no) is this module's own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from sightline.common import cleaning
from sightline.common.errors import ServiceError
from sightline.screenings import services as screening_rules
from sightline.screenings.models import KnownFor, ScreeningMode, ScreeningReason
from sightline.tenancy.models import ScreenerRole
from sightline.youth import errors as youth_errors
from sightline.youth import services as youth_rules

LIST_SEPARATOR = ";"
YES = frozenset({"yes", "y", "true", "1"})
NO = frozenset({"no", "n", "false", "0", ""})
NOT_A_DATETIME = "Enter a date and time (ISO 8601, e.g. 2024-03-01T14:30)."
FINALIZED_BEFORE_SCREENED = "The finalization time cannot be before the screening date."
FINALIZED_IN_FUTURE = "The finalization time cannot be in the future."
REQUIRED = "This column needs a value."
EXTERNAL_ID_MAX_LENGTH = 128
DUPLICATE_IN_FILE = "This external id appears more than once in the file (first on row {first})."
UNKNOWN_YOUTH = "No youth with this external id from {source}: import the youth file first."
NOT_RATED = "Not rated: a final screening rates every key indicator."
BAD_RATING_CELL = "Not an allowed rating (allowed: {allowed})."
SCORE_DISAGREES = "The file says {given}; re-scored with {instrument} it is {scored}."


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: data row (0 for the header), column, the cell, and why."""

    row: int
    column: str
    value: str
    reason: str
    severity: str = "error"  # or "warning": reported, but the import may go ahead

    def as_list(self) -> list[Any]:
        return [self.row, self.column, self.value, self.reason, self.severity]


class RowProblems:
    """Collects the problems of one row; `ok` says whether the row may be written."""

    def __init__(
        self,
        row: int,
        cells: Mapping[str, str],
        sink: list[Problem],
        cache: dict[tuple[str, str], tuple[bool, Any]] | None = None,
    ) -> None:
        self.row = row
        self.cells = cells
        self.sink = sink
        self.ok = True
        self.cache = cache

    def add(self, column: str, reason: str, *, severity: str = "error") -> None:
        if severity == "error":
            self.ok = False
        self.sink.append(Problem(self.row, column, self.cells.get(column, ""), reason, severity))

    def field(self, column: str, clean: Callable[[str], Any], *, pure: bool = True) -> Any:
        """`clean(cell)`, or None with a problem when it raises the service's error.

        A `pure` cleaner depends on the cell's text alone, so its outcome is kept per distinct text
        (a file of a million rows holds a few thousand dates and a handful of codes)."""
        text = self.cells.get(column, "")
        key = (column, text)
        if pure and self.cache is not None and key in self.cache:
            ok, outcome = self.cache[key]
        else:
            try:
                ok, outcome = True, clean(text)
            except ServiceError as error:
                ok, outcome = False, error.message
            if pure and self.cache is not None:
                self.cache[key] = (ok, outcome)
        if not ok:
            self.add(column, outcome)
            return None
        if isinstance(outcome, list | dict):
            return type(outcome)(outcome)  # each row its own copy of a cached list
        return outcome


def as_date(text: str, *, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ServiceError(cleaning.NOT_A_DATE, field=field) from None


def optional_date(text: str, *, field: str) -> dt.date | None:
    return as_date(text, field=field) if text.strip() else None


def as_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(LIST_SEPARATOR) if item.strip()]


def as_yes_no(text: str, *, field: str) -> bool:
    folded = text.strip().lower()
    if folded in YES:
        return True
    if folded in NO:
        return False
    raise ServiceError(cleaning.NOT_YES_NO, field=field)


def as_aware_datetime(text: str, *, field: str) -> dt.datetime:
    """ISO 8601; a time without an offset is taken in the site's time zone."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ServiceError(NOT_A_DATETIME, field=field) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def first_external_id(
    problems: RowProblems, external_id: str, row: int, seen: dict[str, int]
) -> bool:
    """Whether a row's external id can be imported: present, not too long and not already on an
    earlier row of the file (then `seen` records it). Otherwise the row's problem is added, so every
    object type's check names the same faults in the same words."""
    if not external_id or len(external_id) > EXTERNAL_ID_MAX_LENGTH:
        problems.add("external_id", REQUIRED if not external_id else "This is too long.")
        return False
    if external_id in seen:
        problems.add("external_id", DUPLICATE_IN_FILE.format(first=seen[external_id]))
        return False
    seen[external_id] = row
    return True


def required(text: str, *, field: str) -> str:
    if not text.strip():
        raise ServiceError(REQUIRED, field=field)
    return text


# --- youth -----------------------------------------------------------------------------------------

YOUTH_REQUIRED = ("external_id", "first_name", "last_name", "date_of_birth", "gender_identity")
YOUTH_OPTIONAL = (
    "gender_self_description",
    "aliases",
    "race_ethnicity",
    "preferred_language",
    "case_number",
    "high_risk",
    "notes",
)
_YOUTH_TEXT_TO_VALUE: dict[str, Callable[[str], Any]] = {
    "first_name": lambda t: t,
    "last_name": lambda t: t,
    "date_of_birth": lambda t: as_date(t, field="date_of_birth"),
    "gender_identity": lambda t: t.strip(),
    "gender_self_description": lambda t: t or None,
    "aliases": as_list,
    "race_ethnicity": as_list,
    "preferred_language": lambda t: t,
    "case_number": lambda t: t,
    "high_risk": lambda t: as_yes_no(t, field="high_risk"),
    "notes": lambda t: t or None,
}


def clean_youth(problems: RowProblems) -> dict[str, Any] | None:
    """The youth's fields, each through `youth.services`' cleaner for it (as `youth_create` does)."""
    values: dict[str, Any] = {}
    for name, to_value in _YOUTH_TEXT_TO_VALUE.items():
        if name not in problems.cells:
            continue
        cleaner = youth_rules._CLEANERS[name]  # the service's rule for this field
        values[name] = problems.field(name, lambda text, c=cleaner, v=to_value: c(v(text)))
    return values if problems.ok else None


# --- intakes ---------------------------------------------------------------------------------------

INTAKE_REQUIRED = ("external_id", "youth_external_id", "intake_on")
INTAKE_OPTIONAL = ("exit_on", "program", "assigned_to")


def clean_intake(
    problems: RowProblems, *, born: dt.date, assignee: Callable[[str], Any]
) -> dict[str, Any] | None:
    """Intake dates by `youth.services`' rules (not in the future, not before birth, exit not before
    intake); `assignee` turns a username into a user who may screen at the agency, or raises."""
    intake_on = problems.field(
        "intake_on",
        lambda t: youth_rules._intake_date(as_date(t, field="intake_on"), born=born),
        pure=False,
    )
    exit_on = problems.field("exit_on", lambda t: optional_date(t, field="exit_on"))
    if exit_on is not None:
        if exit_on > timezone.localdate():
            problems.add("exit_on", youth_errors.EXIT_IN_FUTURE)
        elif intake_on is not None and exit_on < intake_on:
            problems.add("exit_on", youth_errors.EXIT_BEFORE_INTAKE)
    program = problems.field("program", lambda t: cleaning.text(t, field="program", max_length=100))
    assigned = problems.field(
        "assigned_to", lambda t: assignee(t.strip()) if t.strip() else None, pure=False
    )
    if not problems.ok:
        return None
    return {"intake_on": intake_on, "exit_on": exit_on, "program": program, "assigned_to": assigned}


# --- historical screenings -------------------------------------------------------------------------

SCREENING_REQUIRED = (
    "external_id",
    "youth_external_id",
    "screened_on",
    "finalized_at",
    "screener",
    "screener_role",
    "reason",
    "information_sources",
    "known_for",
)
SCREENING_OPTIONAL = ("reason_other", "mode", "notes", "total", "level")


# Read once: `TextChoices.values` builds a new list on every access.
REASONS = tuple(ScreeningReason.values)
SCREENER_ROLES = tuple(ScreenerRole.values)
KNOWN_FOR = tuple(KnownFor.values)
MODES = tuple(ScreeningMode.values)


def _choice(values: Any, code: str, field: str) -> Callable[[str], str]:
    return lambda t: screening_rules._choice(t.strip(), values, code=code, field=field, blank=False)


@dataclass(frozen=True)
class _Born:
    """The one attribute of a youth that the screening-date rule reads."""

    date_of_birth: dt.date
