"""A `StudySample` from de-identified rows, and the snapshot hash of those rows (pure, no Django).

The rows are what `sightline.research` publishes (pseudonymous youth and screening ids, dates shifted
per youth, ages in whole years), plus a pseudonymous screener id (for agreement) and the criterion
records of the youth (dates shifted by the same per-youth offset, so the gap between a screening and a
criterion finding is kept exactly). Everything a study computes is decided from these rows alone, so
the SHA-256 over them (`snapshot_sha256`) says whether a re-run read the same data.

Choices (docs/validation-statistics.md, "Studio"):

- index screening: each youth's first screening (shifted date, then screening id) in the period, so
  youth are independent;
- reference: the youth's criterion records of the chosen source within `window_days` of the index
  screening (either side); positive when any of them is a finding; youth without one are left out;
- agreement pair: the index screening and the next screening of the same youth by another screener
  within `agreement_window_days`; role pair = the two screener roles, sorted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from sightline.instruments import MISSING, NEI, Definition
from sightline.validation.study import StudySample

AGE_BANDS = ((0, 10, "under 10"), (10, 14, "10-13"), (14, 16, "14-15"), (16, 18, "16-17"))
BINARY_GENDERS = ("girl", "boy")


def canonical_line(row: Mapping[str, Any]) -> str:
    """One row as canonical JSON: sorted keys, no spaces, plain values."""
    return json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def snapshot_sha256(rows: Iterable[Mapping[str, Any]]) -> str:
    """SHA-256 over the canonical lines of `rows`, sorted, so row order never changes the hash."""
    digest = hashlib.sha256()
    for line in sorted(canonical_line(row) for row in rows):
        digest.update(line.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def gender_group(gender_identity: str) -> str:
    return gender_identity if gender_identity in BINARY_GENDERS else "other"


def race_group(race_ethnicity: str) -> str:
    """One code as it is; several (joined with ";") are "multiracial"; none is "unknown"."""
    if not race_ethnicity:
        return "unknown"
    return "multiracial" if ";" in race_ethnicity else race_ethnicity


def age_band(age: str) -> str:
    """The published age (whole years, or "90+") as the study's band."""
    if not age.isdigit():
        return "18 and over"
    years = int(age)
    return next((label for low, high, label in AGE_BANDS if low <= years < high), "18 and over")


def _ratings(joined: str) -> dict[str, int]:
    pairs = (part.split("=", 1) for part in joined.split(";") if part)
    return {name: int(value) for name, value in pairs}


def _order(row: Mapping[str, Any]) -> tuple[str, str]:
    return (str(row["screened_on_shifted"]), str(row["screening"]))


def sample_from_rows(
    screenings: Sequence[Mapping[str, Any]],
    criteria: Sequence[Mapping[str, Any]],
    *,
    definition: Definition,
    window_days: int,
    agreement_window_days: int,
    reference_name: str,
) -> StudySample:
    """The study sample of `definition` from de-identified screening and criterion rows."""
    by_youth: dict[str, list[Mapping[str, Any]]] = {}
    for row in screenings:
        by_youth.setdefault(str(row["youth"]), []).append(row)
    findings: dict[str, list[tuple[dt.date, bool]]] = {}
    for record in criteria:
        findings.setdefault(str(record["youth"]), []).append(
            (dt.date.fromisoformat(record["recorded_on_shifted"]), bool(record["finding"]))
        )
    levels = tuple(level.code for level in definition.levels)
    level_index = {code: i for i, code in enumerate(levels)}
    indicators = tuple(indicator.id for indicator in definition.indicators)

    index_rows: list[Mapping[str, Any]] = []
    reference: list[bool] = []
    pairs: list[tuple[Mapping[str, Any], Mapping[str, Any]]] = []
    for youth in sorted(by_youth):
        history = sorted(by_youth[youth], key=_order)
        first = history[0]
        on = dt.date.fromisoformat(first["screened_on_shifted"])
        for later in history[1:]:
            gap = (dt.date.fromisoformat(later["screened_on_shifted"]) - on).days
            if gap > agreement_window_days:
                break
            if later["screener"] != first["screener"]:
                pairs.append((first, later))
                break
        near = [
            found for day, found in findings.get(youth, []) if abs((day - on).days) <= window_days
        ]
        if near:
            index_rows.append(first)
            reference.append(any(near))

    ratings = np.full((len(index_rows), len(indicators)), MISSING, dtype=np.int8)
    for i, row in enumerate(index_rows):
        given = _ratings(str(row["indicator_ratings"]))
        for j, indicator in enumerate(indicators):
            ratings[i, j] = given.get(indicator, MISSING)

    def level_of(row: Mapping[str, Any]) -> int:
        return level_index[str(row["level"])]

    def groups(name: str, convert: Any) -> np.ndarray:
        return np.array([convert(str(row[name])) for row in index_rows], dtype=object)

    return StudySample(
        instrument=f"{definition.id}@{definition.version}",
        levels=levels,
        indicators=indicators,
        ratings=ratings,
        total=np.array([int(row["total"]) for row in index_rows], dtype=np.int64),
        level=np.array([level_of(row) for row in index_rows], dtype=np.int64),
        reference=np.array(reference, dtype=bool),
        groups={
            "gender_group": groups("gender_identity", gender_group),
            "race_ethnicity": groups("race_ethnicity", race_group),
            "age_band": groups("age_at_screening", age_band),
            "agency_type": groups("agency_type", str),
        },
        missing_codes=(int(MISSING), int(NEI)),
        pair_level=np.array([[level_of(a), level_of(b)] for a, b in pairs], dtype=np.int64).reshape(
            -1, 2
        ),
        pair_total=np.array(
            [[int(a["total"]), int(b["total"])] for a, b in pairs], dtype=np.int64
        ).reshape(-1, 2),
        pair_roles=np.array(
            [
                " / ".join(sorted((str(a["screener_role"]), str(b["screener_role"]))))
                for a, b in pairs
            ],
            dtype=object,
        ),
        reference_name=reference_name,
    )
