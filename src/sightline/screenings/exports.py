"""The supervisor's agency screenings as CSV: the columns of the list, one row per current version."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from sightline.catalog import selectors as catalog
from sightline.common.spreadsheet import Echo, safe_cell
from sightline.screenings.models import Screening

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
