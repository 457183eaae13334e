"""Files to import, written on the fly, and the people who import them."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from sightline import instruments

WriteFile = Callable[[str, Sequence[str], Sequence[Sequence[object]]], Path]
INSTRUMENT = "cse-it-2.0"
YOUTH_HEADER = ["external_id", "first_name", "last_name", "date_of_birth", "gender_identity"]
SCREENING_HEADER = [
    "external_id",
    "youth_external_id",
    "screened_on",
    "finalized_at",
    "screener",
    "screener_role",
    "reason",
    "information_sources",
    "known_for",
]


def indicator_ids() -> list[str]:
    return [i.id for i in instruments.load(INSTRUMENT).indicators]


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    def write(name: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
        path = tmp_path / name
        if path.suffix == ".xlsx":
            from openpyxl import Workbook

            book = Workbook()
            sheet = book.active
            sheet.append(list(header))
            for row in rows:
                sheet.append(list(row))
            book.save(path)
            return path
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        return path

    return write


def youth_rows(count: int, *, start: int = 0) -> list[list[str]]:
    return [
        [f"Y{n}", f"Ana{n}", f"Lopez{n}", "2010-04-0" + str(1 + n % 9), "girl"]
        for n in range(start, start + count)
    ]


def screening_row(
    external_id: str,
    youth_external_id: str,
    *,
    screener: str = "screener",
    screened_on: str = "2025-03-01",
    finalized_at: str = "2025-03-01T15:00:00",
    rating: str = "1",
) -> list[str]:
    return [
        external_id,
        youth_external_id,
        screened_on,
        finalized_at,
        screener,
        "child_welfare_worker",
        "intake",
        "youth_conversation;caregiver",
        "under_month",
        *([rating] * len(indicator_ids())),
    ]
