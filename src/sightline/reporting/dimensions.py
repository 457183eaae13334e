"""How one screening is placed in each group of the reports: pure functions, one decision each.

- Age band: the youth's age on the screening date, in the bands programmes report (under 10 only
  when screened as high risk).
- Race/ethnicity: youth record a list; a report needs one row per youth, so one answer is that code,
  several known answers are "Two or more", none (or only "not known") is "Not known".
- Program: the program of the youth's intake at the agency open on the screening date (the latest
  such intake), "" when none was open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

AGE_BANDS = (
    ("under_10", "Under 10"),
    ("10_12", "10-12"),
    ("13_15", "13-15"),
    ("16_17", "16-17"),
    ("18_plus", "18 or older"),
)
TWO_OR_MORE = "two_or_more"
NOT_KNOWN = "unknown"
NOT_ANSWERS = frozenset({"unknown", "prefers_not_to_say"})


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_band(born: dt.date, day: dt.date) -> str:
    age = age_on(born, day)
    if age < 10:
        return "under_10"
    if age <= 12:
        return "10_12"
    if age <= 15:
        return "13_15"
    if age <= 17:
        return "16_17"
    return "18_plus"


def race_category(codes: Sequence[str] | None) -> str:
    known = sorted({code for code in codes or () if code not in NOT_ANSWERS})
    if len(known) == 1:
        return known[0]
    if len(known) > 1:
        return TWO_OR_MORE
    if codes and "prefers_not_to_say" in codes:
        return "prefers_not_to_say"
    return NOT_KNOWN


def program_on(intakes: Sequence[tuple[dt.date, dt.date | None, str]], day: dt.date) -> str:
    """`intakes` are (intake_on, exit_on, program) of one youth at one agency."""
    open_then = [i for i in intakes if i[0] <= day and (i[1] is None or day <= i[1])]
    if not open_then:
        return ""
    return max(open_then, key=lambda i: i[0])[2]


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def quarter_of(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def year_of(day: dt.date) -> dt.date:
    return dt.date(day.year, 1, 1)
