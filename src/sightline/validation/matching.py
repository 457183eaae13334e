"""Match criterion records to screenings within a window of days: the one matcher of every study.

Pure NumPy, no Django, so the synthetic adapter (`synth.study`), the database adapter and the
benchmark share it. A screening of youth *y* on day *d* is matched when *y* has at least one criterion
record dated within `window_days` of *d* (either side, inclusive); its reference finding is positive
when any matched record is positive (a substantiated allegation within the window counts even if
another source found nothing), and `record` names the nearest matched record (the earliest of equally
near ones), for showing the source and date.

Cost: one sort of the records and two binary searches per screening, O((R + S) log R).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

# Days fit in 32 bits many times over; the youth id goes above them so (youth, day) sorts as one key.
_SHIFT = np.int64(1) << np.int64(32)
_OFFSET = np.int64(1) << np.int64(31)


@dataclass(frozen=True)
class CriterionMatch:
    """Per screening: whether a record matched, the reference finding, and the nearest record's index
    into the records given (-1 when none matched)."""

    matched: npt.NDArray[np.bool_]
    finding: npt.NDArray[np.bool_]
    record: npt.NDArray[np.int64]


def _key(youth: npt.NDArray[np.int64], days: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    key: npt.NDArray[np.int64] = youth.astype(np.int64) * _SHIFT + (days.astype(np.int64) + _OFFSET)
    return key


def _days(values: npt.ArrayLike) -> npt.NDArray[np.int64]:
    array = np.asarray(values)
    if array.dtype.kind == "M":
        array = array.astype("datetime64[D]").astype(np.int64)
    return array.astype(np.int64)


def match_criterion(
    screening_youth: npt.ArrayLike,
    screened_on: npt.ArrayLike,
    record_youth: npt.ArrayLike,
    recorded_on: npt.ArrayLike,
    finding: npt.ArrayLike,
    *,
    window_days: int,
) -> CriterionMatch:
    """Match each screening (youth id, date) to the criterion records (youth id, date, finding) of the
    same youth dated within `window_days` of it. Dates are `datetime64` or day numbers; youth ids are
    any non-negative integers (database keys or the generator's ids)."""
    if window_days < 0:
        raise ValueError("window_days must be 0 or more")
    s_youth = np.asarray(screening_youth, dtype=np.int64)
    s_day = _days(screened_on)
    r_youth = np.asarray(record_youth, dtype=np.int64)
    r_day = _days(recorded_on)
    r_finding = np.asarray(finding, dtype=bool)
    if not (r_youth.shape == r_day.shape == r_finding.shape) or s_youth.shape != s_day.shape:
        raise ValueError("every column of one table must have the same length")
    order = np.lexsort((r_day, r_youth))
    keys = _key(r_youth[order], r_day[order])
    low = np.searchsorted(keys, _key(s_youth, s_day - window_days), side="left")
    high = np.searchsorted(keys, _key(s_youth, s_day + window_days), side="right")
    matched = high > low
    positives = np.concatenate([[0], np.cumsum(r_finding[order], dtype=np.int64)])
    found = (positives[high] - positives[low]) > 0
    # The nearest record: the last one on or before the day, or the first one after it.
    split = np.searchsorted(keys, _key(s_youth, s_day), side="right")
    before = np.clip(split - 1, 0, max(keys.size - 1, 0))
    after = np.clip(split, 0, max(keys.size - 1, 0))
    record = np.full(s_youth.size, -1, dtype=np.int64)
    if keys.size:
        sorted_day = r_day[order]
        has_before = matched & (split - 1 >= low)
        has_after = matched & (split < high)
        gap_before = np.where(has_before, s_day - sorted_day[before], np.iinfo(np.int64).max)
        gap_after = np.where(has_after, sorted_day[after] - s_day, np.iinfo(np.int64).max)
        nearest = np.where(gap_before <= gap_after, before, after)
        record = np.where(matched, order[nearest], -1).astype(np.int64)
    return CriterionMatch(matched=matched, finding=found & matched, record=record)
