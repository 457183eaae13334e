"""Independent counts for the reporting tests: plain SQL read into pandas, never the reporting code.

`current_screenings()` is every current version (final, not replaced by a final newer version) with
the youth's details; each figure is then a pandas groupby written here from the definitions in
docs/reporting.md.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from django.db import connection

CURRENT_SQL = """
SELECT s.id, s.agency_id, s.youth_id, s.instrument_id, s.level, s.screener_role, s.screened_on,
       s.indicator_ratings, y.gender_identity, y.race_ethnicity, y.date_of_birth, a.type AS agency_type,
       a.county_id
FROM screenings_screening s
JOIN youth_youth y ON y.id = s.youth_id
JOIN tenancy_agency a ON a.id = s.agency_id
WHERE s.status = 'final'
  AND NOT EXISTS (SELECT 1 FROM screenings_screening n WHERE n.amends_id = s.id AND n.status = 'final')
"""


def _date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _json(value: object) -> object:
    return json.loads(value) if isinstance(value, str) else value


def current_screenings() -> pd.DataFrame:
    with connection.cursor() as cursor:
        cursor.execute(CURRENT_SQL)
        columns = [c[0] for c in cursor.description]
        frame = pd.DataFrame(cursor.fetchall(), columns=columns)
    frame["screened_on"] = frame["screened_on"].map(_date)
    frame["date_of_birth"] = frame["date_of_birth"].map(_date)
    frame["indicator_ratings"] = frame["indicator_ratings"].map(_json)
    frame["race_ethnicity"] = frame["race_ethnicity"].map(_json)
    frame["month"] = frame["screened_on"].map(lambda d: d.replace(day=1))
    ages = [
        d.year - b.year - ((d.month, d.day) < (b.month, b.day))
        for d, b in zip(frame["screened_on"], frame["date_of_birth"], strict=True)
    ]
    frame["age_band"] = pd.cut(
        pd.Series(ages, dtype="int64"),
        bins=[-1, 9, 12, 15, 17, 200],
        labels=["under_10", "10_12", "13_15", "16_17", "18_plus"],
    ).astype(str)
    return frame


def rows(sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return list(cursor.fetchall())
