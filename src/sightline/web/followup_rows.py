"""Follow-up rows in words, for every table that lists them (caseload, home, agency follow-ups)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sightline.screenings.followups import STATE_LABELS


def describe_followups(rows: list[Any], today: dt.date) -> list[Any]:
    """Give each follow-up row its state in words for the tables."""
    for row in rows:
        row.days_late = max(0, (today - row.due_on).days) if row.completed_on is None else 0
        if row.days_late:
            row.state_text = f"Overdue by {row.days_late} day{'s' if row.days_late != 1 else ''}"
        else:
            row.state_text = STATE_LABELS[row.state]
    return rows
