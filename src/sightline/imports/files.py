"""An uploaded CSV or XLSX file as batches of text columns, through the CSV path `sightline score` uses.

CSV goes through `instruments.csv_ratings.RatingReader` (pyarrow, bounded blocks); an XLSX sheet is
read row by row with openpyxl in read-only mode and turned into the same text batches, so everything
after reading (rating codes, bad cells, validation) is one code path whatever the format.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa

from sightline.instruments import Definition
from sightline.instruments.csv_ratings import (
    InputError,
    RatingBatch,
    RatingReader,
    locate_ragged,
)

XLSX_BATCH_ROWS = 20_000
FORMATS = (".csv", ".xlsx")


@contextmanager
def open_table(path: Path, definition: Definition | None) -> Iterator[RatingReader]:
    """A reader over `path` (by its suffix); InputError for an unreadable or unknown file."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("rb") as source:
            yield RatingReader(source, definition, keep_going=True)
    elif suffix == ".xlsx":
        yield _xlsx_reader(path, definition)
    else:
        raise InputError(f"a {suffix or 'nameless'} file cannot be imported: use CSV or XLSX")


def ragged_rows(path: Path, reader: RatingReader) -> list[tuple[int, int, int]]:
    """(data row, file line, values) of each CSV row with the wrong number of values."""
    if not reader.ragged or path.suffix.lower() != ".csv":
        return []
    return list(locate_ragged(str(path), len(reader.header)))


class _XlsxReader(RatingReader):
    """The first sheet of a workbook, as the same text batches as a CSV."""

    def __init__(self, rows: Iterator[tuple[Any, ...]], definition: Definition | None) -> None:
        self.definition = definition
        self.ragged = []
        self._rows = rows
        try:
            header = next(rows)
        except StopIteration:
            raise InputError("the sheet is empty: expected a header row of column names") from None
        self.header = [cell_text(cell).strip() for cell in header]
        while self.header and not self.header[-1]:
            self.header.pop()
        self._set_up()

    def __iter__(self) -> Iterator[RatingBatch]:
        width = len(self.header)
        first_row = 1
        chunk: list[list[str]] = []
        for values in self._rows:
            cells = [cell_text(cell) for cell in values]
            if not any(cell.strip() for cell in cells):
                continue  # blank rows, as in a CSV
            cells = (cells + [""] * width)[:width]
            chunk.append(cells)
            if len(chunk) == XLSX_BATCH_ROWS:
                yield self.rating_batch(self._batch(chunk), first_row)
                first_row += len(chunk)
                chunk = []
        if chunk:
            yield self.rating_batch(self._batch(chunk), first_row)

    def _batch(self, rows: list[list[str]]) -> pa.RecordBatch:
        columns = [pa.array(column, type=pa.string()) for column in zip(*rows, strict=True)]
        return pa.RecordBatch.from_arrays(columns, names=self.header)


def _xlsx_reader(path: Path, definition: Definition | None) -> RatingReader:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a file that is not a workbook
        raise InputError(f"not a readable XLSX workbook ({type(error).__name__})") from None
    sheet = workbook.worksheets[0]
    return _XlsxReader(sheet.iter_rows(values_only=True), definition)


def cell_text(cell: object) -> str:
    """A spreadsheet cell as the text a CSV would hold: dates in ISO form, 2.0 as "2"."""
    if cell is None:
        return ""
    if isinstance(cell, dt.datetime):
        if cell.time() == dt.time(0) and cell.tzinfo is None:
            return cell.date().isoformat()
        return cell.isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)
