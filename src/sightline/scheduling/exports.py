"""The agency worklist as CSV rows: one place decides the columns and how each cell is written.

Cells that a spreadsheet would read as a formula get a leading apostrophe (CSV injection), because a
name or program typed into Sightline must never run when a supervisor opens the file.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator

from sightline.catalog import selectors as catalog
from sightline.common.spreadsheet import safe_cell
from sightline.scheduling.models import IntakeSchedule
from sightline.scheduling.selectors import days_overdue

HEADER = (
    "Case number",
    "Youth pseudonym",
    "First name",
    "Last name",
    "Age",
    "Program",
    "Assigned screener",
    "State",
    "Due date",
    "Days overdue",
    "Last final screening date",
    "Last level",
)

STATE_LABELS = {
    "not_eligible": "Not yet eligible",
    "due": "Due",
    "overdue": "Overdue",
    "up_to_date": "Up to date",
}


def age_on(date_of_birth: dt.date, today: dt.date) -> int:
    return (
        today.year
        - date_of_birth.year
        - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))
    )


def worklist_row(row: IntakeSchedule, *, today: dt.date) -> list[str]:
    """One schedule row as the export's cells (see HEADER); the last level is labelled from the
    definition version it belongs to."""
    youth = row.youth
    screener = row.assigned_to
    state = getattr(row, "state", None) or row.status_on(today).state.value
    return [
        safe_cell(v)
        for v in (
            youth.case_number,
            youth.pseudonym,
            youth.first_name,
            youth.last_name,
            age_on(row.date_of_birth, today),
            row.program,
            (screener.get_full_name() or screener.get_username()) if screener else "Unassigned",
            STATE_LABELS.get(state, state),
            row.due_on,
            days_overdue(row, today),
            row.last_final_on,
            catalog.level_label(
                row.last_final_instrument_id,
                row.last_final_instrument_version,
                row.last_final_level,
            ),
        )
    ]


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streamed response."""

    def write(self, value: str) -> str:
        return value


def worklist_csv(rows: Iterable[IntakeSchedule], *, today: dt.date) -> Iterator[str]:
    """The CSV text line by line, header first."""
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    for row in rows:
        yield writer.writerow(worklist_row(row, today=today))
