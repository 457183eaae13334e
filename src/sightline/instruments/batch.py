"""Scoring a million screenings at once with the same rules as `score`, vectorised with NumPy.

One pass per indicator column (and per override), never a Python loop over rows: reporting and
validation runs re-score whole caseloads. Results equal `score` row for row (a property test checks).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from sightline.instruments.errors import RatingError
from sightline.instruments.schema import Definition
from sightline.instruments.values import MISSING, NEI

NO_LEVEL = -1
# Highest scale value for int8 work: `value - rating_at_least` must not overflow (values go down
# to -2).
NARROW_TOP = 125
IntArray = npt.NDArray[np.integer[Any]]


@dataclass(frozen=True)
class BatchResult:
    """Per row: ``total`` (int32), ``level`` (int8 index into ``definition.levels``, -1 = no valid
    result) and ``rated`` (int16, indicators counted toward the minimum)."""

    total: npt.NDArray[np.int32]
    level: npt.NDArray[np.int8]
    rated: npt.NDArray[np.int16]
    level_order: tuple[str, ...]

    def level_codes(self) -> npt.NDArray[np.object_]:
        """The level code of every row as an object array, None where there is no valid result."""
        # Index -1 picks the trailing None, so rows without a level need no special case.
        return np.array([*self.level_order, None], dtype=object)[self.level]


def score_many(definition: Definition, table: Any) -> BatchResult:
    """Score many screenings: `table` maps indicator id -> integer array of rating values (the same
    values as `score`), or is a pandas DataFrame with those columns (other columns are ignored).

    An indicator without a column is `MISSING` in every row. Raises RatingError naming the first bad
    row (0-based), its indicator and value; TypeError for a column that does not hold integers.
    """
    columns, rows = _columns(definition, table)
    _check(definition, columns)
    scoring = definition.scoring
    nei = scoring.not_enough_information
    top = max(definition.indicator_values)
    # Checked values fit a narrow type; with it every pass below is a cheap SIMD integer operation.
    work = np.int8 if top <= NARROW_TOP else np.int16
    bits = np.dtype(work).itemsize * 8 - 1  # `x >> bits` is -1 where x < 0, else 0
    columns = {i: column.astype(work, copy=False) for i, column in columns.items()}
    count_type = np.int8 if len(definition.indicators) <= np.iinfo(np.int8).max else np.int16
    sum_type = _narrowest(len(columns) * max(top, nei.points))

    total: npt.NDArray[np.signedinteger[Any]] = np.zeros(rows, dtype=sum_type)
    unrated: npt.NDArray[np.signedinteger[Any]] = np.zeros(
        rows, dtype=count_type
    )  # minus the number of MISSING or NEI values
    nei_count: npt.NDArray[np.signedinteger[Any]] = np.zeros(rows, dtype=count_type)
    sign = np.empty(rows, dtype=work)
    part = np.empty(rows, dtype=work)
    track_nei = bool(nei.points or nei.counts_as_rated)
    for column in columns.values():
        # Bit arithmetic instead of comparisons: boolean temporaries cost more than the sums.
        np.right_shift(column, bits, out=sign)
        np.add(unrated, sign, out=unrated)
        if track_nei:
            np.invert(column, out=part)
            np.bitwise_and(part, sign, out=part)  # 1 for NEI (-2), 0 for MISSING (-1) and ratings
            np.add(nei_count, part, out=nei_count)
        np.invert(sign, out=sign)
        np.bitwise_and(column, sign, out=part)  # the rating's points, 0 for MISSING and NEI
        np.add(total, part, out=total)
    if nei.points:
        np.add(total, nei_count.astype(sum_type) * nei.points, out=total, casting="unsafe")
    rated = unrated.astype(np.int16) + np.int16(len(columns))
    if nei.counts_as_rated:
        np.add(rated, nei_count, out=rated)

    # Cut-offs increase with the level, so those reached form a prefix: add up the level steps.
    level = np.zeros(rows, dtype=np.int8)
    previous = 0
    for cutoff in scoring.cutoffs:
        index = definition.level_index(cutoff.level)
        step, previous = index - previous, index
        if step:
            reached = total >= cutoff.min_total
            np.add(level, reached if step == 1 else reached * np.int8(step), out=level)
    if scoring.minimum_rated:
        np.copyto(level, np.int8(NO_LEVEL), where=rated < scoring.minimum_rated)

    for override in scoring.overrides:
        present = [columns[i] for i in override.indicators if i in columns]
        if len(present) < override.count_at_least:
            continue
        below: npt.NDArray[np.signedinteger[Any]] = np.zeros(
            rows, dtype=count_type
        )  # minus the number of indicators below the rating
        for column in present:
            np.subtract(column, work(override.rating_at_least), out=part)
            np.right_shift(part, bits, out=part)
            np.add(below, part, out=below)
        raised = below >= override.count_at_least - len(present)
        # A row that meets the override becomes its level; any other row gets -1, so max keeps it.
        candidate = raised.astype(np.int8) * np.int8(
            definition.level_index(override.level_at_least) + 1
        )
        np.maximum(level, candidate - np.int8(1), out=level)

    return BatchResult(
        total=total.astype(np.int32, copy=False),
        level=level,
        rated=rated,
        level_order=tuple(lv.code for lv in definition.levels),
    )


def _narrowest(largest: int) -> type[np.signedinteger[Any]]:
    for candidate in (np.int8, np.int16):
        if largest <= np.iinfo(candidate).max:
            return candidate
    return np.int32


def _columns(definition: Definition, table: Any) -> tuple[dict[str, IntArray], int]:
    """The indicator columns present, in definition order, as 1-D integer arrays, and the row count."""
    ids = [i.id for i in definition.indicators]
    if _is_dataframe(table):
        found = {i: table[i].to_numpy() for i in ids if i in table.columns}
        rows = len(table)
    else:
        if not isinstance(table, Mapping):
            raise TypeError("score_many needs a mapping of indicator id -> array, or a DataFrame")
        for key in table:
            if key not in ids:
                raise RatingError(
                    f"'{key}' is not a key indicator of {definition.id} {definition.version}",
                    indicator=str(key),
                    value=None,
                )
        found = {i: table[i] for i in ids if i in table}
        rows = -1
    columns: dict[str, IntArray] = {}
    for indicator_id, values in found.items():
        array = np.asarray(values)
        if array.ndim != 1:
            raise ValueError(f"column '{indicator_id}' must be one-dimensional, not {array.shape}")
        if array.dtype.kind == "u":
            array = array.astype(np.int64)  # so comparisons with the negative values are plain
        elif array.dtype.kind != "i":
            raise TypeError(
                f"column '{indicator_id}' must hold integer rating values "
                f"(MISSING = {MISSING}, NEI = {NEI}), not {array.dtype}"
            )
        if rows == -1:
            rows = len(array)
        elif len(array) != rows:
            raise ValueError(
                f"column '{indicator_id}' has {len(array)} rows but the table has {rows}"
            )
        columns[indicator_id] = array
    return columns, max(rows, 0)


def _check(definition: Definition, columns: Mapping[str, IntArray]) -> None:
    """RatingError for the first row (then the first indicator) holding a value not on the scale."""
    allowed = sorted(definition.indicator_values)
    low, high = allowed[0], allowed[-1]
    gapless = len(allowed) == high - low + 1
    on_scale = np.zeros(high - low + 1, dtype=bool)
    on_scale[np.array(allowed) - low] = True
    first_bad: tuple[int, int, str, int] | None = None
    for order, (indicator_id, column) in enumerate(columns.items()):
        if not len(column):
            continue
        # Two reductions prove a whole column good when the scale has no gaps (the usual case).
        if gapless and low <= column.min() and column.max() <= high:
            continue
        inside = (column >= low) & (column <= high)
        bad = ~inside
        bad[inside] = ~on_scale[column[inside] - low]
        rows = np.flatnonzero(bad)
        if rows.size:
            row = int(rows[0])
            candidate = (row, order, indicator_id, int(column[row]))
            first_bad = candidate if first_bad is None else min(first_bad, candidate)
    if first_bad is not None:
        row, _, indicator_id, value = first_bad
        raise RatingError(
            f"row {row}: {value} is not a rating on the scale of key indicator '{indicator_id}'",
            indicator=indicator_id,
            value=value,
            row=row,
        )


def _is_dataframe(table: object) -> bool:
    # Checked by module name so pandas is never imported unless the caller already uses it.
    return type(table).__module__.startswith("pandas") and hasattr(table, "columns")
