"""CSV cells that a spreadsheet cannot run, and a file-like object for streaming csv.writer output.

A cell a spreadsheet would read as a formula gets a leading apostrophe (CSV injection): a name typed
into Sightline must never run when someone opens the file. Every per-cell export uses this one;
`instruments.csv_ratings` applies the same leading characters to whole pyarrow columns.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

# What a spreadsheet may take as the start of a formula or a control sequence.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """The value as text, with a leading apostrophe when it could be read as a formula."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streamed response."""

    def write(self, value: str) -> str:
        return value
