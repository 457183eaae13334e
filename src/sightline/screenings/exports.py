"""The supervisor's agency screenings as CSV: the columns of the list, one row per current version."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator

from sightline.catalog import selectors as catalog
from sightline.common.spreadsheet import Echo, safe_cell
from sightline.screenings.followups import STATE_LABELS, days_late, followup_state
from sightline.screenings.models import FollowUpAction, Screening

HEADER = (
    "Screening id",
    "Youth pseudonym",
    "Case number",
    "First name",
    "Last name",
    "Screening date",
    "Instrument",
    "Instrument version",
    "Status",
    "Level",
    "Total",
    "Screener",
    "Agency",
)


def screening_row(screening: Screening) -> list[str]:
    youth = screening.youth
    screener = screening.screener
    return [
        safe_cell(v)
        for v in (
            screening.pk,
            youth.pseudonym,
            youth.case_number,
            youth.first_name,
            youth.last_name,
            screening.screened_on,
            screening.instrument_id,
            screening.instrument_version,
            screening.get_status_display(),
            catalog.level_label(
                screening.instrument_id, screening.instrument_version, screening.level
            ),
            screening.total,
            screener.get_full_name() or screener.get_username(),
            screening.agency.name,
        )
    ]


def screenings_csv(rows: Iterable[Screening]) -> Iterator[str]:
    """The CSV text line by line, header first."""
    writer = csv.writer(Echo())
    yield writer.writerow(HEADER)
    for row in rows:
        yield writer.writerow(screening_row(row))


FOLLOWUP_HEADER = (
    "Follow-up id",
    "Screening id",
    "Youth pseudonym",
    "Case number",
    "First name",
    "Last name",
    "Action",
    "Responsible",
    "Due date",
    "Status",
    "Days overdue",
    "Completed on",
)


def followup_row(followup: FollowUpAction, *, today: dt.date) -> list[str]:
    youth = followup.screening.youth
    owner = followup.owner
    state = followup_state(due_on=followup.due_on, completed_on=followup.completed_on, today=today)
    return [
        safe_cell(v)
        for v in (
            followup.pk,
            followup.screening_id,
            youth.pseudonym,
            youth.case_number,
            youth.first_name,
            youth.last_name,
            followup.get_kind_display(),
            owner.get_full_name() or owner.get_username(),
            followup.due_on,
            STATE_LABELS[state.value],
            days_late(due_on=followup.due_on, completed_on=followup.completed_on, today=today),
            followup.completed_on,
        )
    ]


def followups_csv(rows: Iterable[FollowUpAction], *, today: dt.date) -> Iterator[str]:
    """Follow-ups as CSV, header first; the outcome and reference stay in Sightline."""
    writer = csv.writer(Echo())
    yield writer.writerow(FOLLOWUP_HEADER)
    for row in rows:
        yield writer.writerow(followup_row(row, today=today))
