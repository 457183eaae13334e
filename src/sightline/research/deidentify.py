"""The de-identification rules, as plain functions over values (no database).

- **Pseudonymous ids** are a keyed hash (HMAC-SHA256) of the record's own random pseudonym: the same
  youth gets the same id in every export, nobody without the key can link it back.
- **Dates are shifted per youth** by a secret offset derived from the same key (-182..+182 days, never
  0), so intervals within one youth's history are kept and no real date is published.
- **Ages over 89** are published as "90+" (HIPAA Safe Harbor, 45 CFR 164.514(b)(2)(i)(C)).
- **Small cells**: any count from 1 to 10 in an aggregate is published as "<11" (0 stays 0).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping

MAX_SHIFT_DAYS = 182
AGE_CAP = 89
SMALL_CELL_MAX = 10
SUPPRESSED = "<11"


def pseudonymous_id(value: object, *, key: bytes, kind: str) -> str:
    """A stable, keyed, non-reversible id for `value` (`kind` keeps youth and screening ids apart)."""
    message = f"{kind}:{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:20]


def date_offset_days(youth_pseudonym: object, *, key: bytes) -> int:
    """The youth's secret, consistent shift in days: in -182..-1 or 1..182."""
    digest = hmac.new(key, f"date-shift:{youth_pseudonym}".encode(), hashlib.sha256).digest()
    magnitude = int.from_bytes(digest[:4], "big") % MAX_SHIFT_DAYS + 1
    return magnitude if digest[4] & 1 else -magnitude


def shift_date(day: dt.date | None, offset_days: int) -> str:
    return "" if day is None else (day + dt.timedelta(days=offset_days)).isoformat()


def age_band(date_of_birth: dt.date, on: dt.date) -> str:
    """Whole years on `on`; over 89 becomes "90+"."""
    years = (
        on.year
        - date_of_birth.year
        - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    )
    return "90+" if years > AGE_CAP else str(years)


def suppress_small_cells(counts: Mapping[str, int]) -> dict[str, int | str]:
    """Every count from 1 to 10 replaced by "<11"; 0 and counts over 10 published as they are."""
    return {
        cell: SUPPRESSED if 1 <= count <= SMALL_CELL_MAX else count
        for cell, count in counts.items()
    }
