"""Historical screenings checked and written a column at a time (issue 17's import speed, ADR 0010).

The rules are the ones `rows.clean_screening` and the services apply row by row; what changes is
how often they run. A batch of a million-row file holds a few thousand distinct dates and a handful
of codes, so each *distinct* cell of a column goes through the service's cleaner once (the outcome
kept for the whole file), and the per-row work is NumPy: gathering those outcomes, comparing dates
with the youth's birth date and the finalization time, finding unrated indicators. The few rules that
need a row's own context call the service again for the rows that break them, so the message is the
service's own. What passes is kept as compact columns (codes as int8, categorical cells as Arrow
dictionary arrays) and written in the one transaction by `write_screenings`: ids pre-allocated from
the table's sequence, encrypted fields bound to their row (ADR 0008), and the rows streamed to
PostgreSQL with `COPY ... (FORMAT csv)` from Arrow's CSV writer (SQLite: `executemany`).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.db import connection
from django.utils import timezone

from sightline import instruments
from sightline.common.errors import ServiceError
from sightline.imports import rows
from sightline.imports.rows import Problem
from sightline.instruments.csv_ratings import allowed_cells
from sightline.privacy.fields import allocate_ids, encrypt_many
from sightline.screenings import errors as screening_errors
from sightline.screenings import services as screening_rules
from sightline.screenings.models import Screening, ScreeningMode, ScreeningReason, ScreeningStatus

if TYPE_CHECKING:  # pragma: no cover
    from sightline.imports.services import ImportReport, _Importer

EPOCH = dt.date(1970, 1, 1).toordinal()
COPY_BLOCK = 1 << 20


@dataclass
class _Column:
    """One text column of a batch: its distinct cells, each row's index into them, each distinct
    cell's cleaned value (or the service's message)."""

    name: str
    index: npt.NDArray[np.int32]
    distinct: list[str]
    ok: npt.NDArray[np.bool_]
    values: list[Any]


@dataclass
class PendingBatch:
    """The rows of one batch that passed every check, ready to write."""

    external_ids: pa.Array
    youth_id: npt.NDArray[np.int64]
    screener_id: npt.NDArray[np.int64]
    screened_on: npt.NDArray[np.int32]  # days since 1970-01-01
    codes: npt.NDArray[np.int8]  # rows x indicators, definition order
    total: npt.NDArray[np.int32]
    rated: npt.NDArray[np.int16]
    level: pa.Array
    text: dict[str, pa.Array]  # db column -> text (dictionary-encoded)
    plain: dict[str, list[str | None]]  # encrypted column -> plaintext (None for none)

    def __len__(self) -> int:
        return len(self.external_ids)


class ScreeningChecks:
    """The column-wise check of historical screening batches for one `_Importer`."""

    def __init__(self, importer: _Importer) -> None:
        self.importer = importer
        self.definition = importer.definition
        self.indicator_ids = [i.id for i in self.definition.indicators]
        self.pending: list[PendingBatch] = []

    # --- checking --------------------------------------------------------------------------------

    def check_batch(self, batch: Any, report: ImportReport) -> None:
        imp = self.importer
        table = batch.table
        count = table.num_rows
        report.rows += count
        first = batch.first_row
        sink = report.problems
        bad = np.zeros(count, dtype=bool)  # rows with an error

        def add(k: int, column: str, reason: str, severity: str = "error") -> None:
            if severity == "error":
                bad[k] = True
            sink.append(Problem(first + k, column, self._cell(table, column, k), reason, severity))

        # Keys and youth first: a row failing these is reported for that alone, as row by row.
        external = pc.utf8_trim_whitespace(table.column("external_id")).to_pylist()
        existing = imp._existing_keys(imp.kind, external)
        youth_text = pc.utf8_trim_whitespace(table.column("youth_external_id"))
        youth_distinct = pc.unique(youth_text)
        imp._resolve_youth(set(youth_distinct.to_pylist()))
        resolved = [imp._youth.get(e) for e in youth_distinct.to_pylist()]
        youth_index = np.asarray(pc.index_in(youth_text, value_set=youth_distinct))
        youth_pk = np.array([r[0] if r else 0 for r in resolved], dtype=np.int64)[youth_index]
        born = np.array([r[1].toordinal() if r else 0 for r in resolved], dtype=np.int64)[
            youth_index
        ]
        known_youth = np.array([r is not None for r in resolved], dtype=bool)[youth_index]
        active = np.ones(count, dtype=bool)
        seen = imp._seen
        for k, external_id in enumerate(external):
            if not external_id or len(external_id) > rows.EXTERNAL_ID_MAX_LENGTH:
                add(k, "external_id", rows.REQUIRED if not external_id else "This is too long.")
                active[k] = False
            elif external_id in seen:
                add(k, "external_id", rows.DUPLICATE_IN_FILE.format(first=seen[external_id]))
                active[k] = False
            else:
                seen[external_id] = first + k
                if external_id in existing:
                    imp.unchanged += 1
                    active[k] = False
                elif not known_youth[k]:
                    add(k, "youth_external_id", rows.UNKNOWN_YOUTH.format(source=imp.source))
                    active[k] = False

        def each_bad(mask: npt.NDArray[np.bool_]) -> Iterator[int]:
            return (int(k) for k in np.flatnonzero(mask & active))

        # Dates: screened_on by the service's rule (`_screened_on`), birth compared per row.
        screened = self._column(table, "screened_on", self._screened_on_cell)
        for k in each_bad(~screened.ok[screened.index]):
            add(k, "screened_on", screened.values[screened.index[k]])
        screened_ord = np.array(
            [v.toordinal() if isinstance(v, dt.date) else 0 for v in screened.values],
            dtype=np.int64,
        )[screened.index]
        screened_ok = screened.ok[screened.index]
        for k in each_bad(screened_ok & (screened_ord < born)):
            day = screened.values[screened.index[k]]
            add(k, "screened_on", self._before_birth_message(day, dt.date.fromordinal(born[k])))
            screened_ok[k] = False
        finalized = self._column(
            table, "finalized_at", lambda t: rows.as_aware_datetime(t, field="finalized_at")
        )
        for k in each_bad(~finalized.ok[finalized.index]):
            add(k, "finalized_at", finalized.values[finalized.index[k]])
        now = timezone.now()
        future = np.array(
            [bool(ok and v > now) for ok, v in zip(finalized.ok, finalized.values, strict=True)]
        )[finalized.index]
        local_day = np.array(
            [timezone.localdate(v).toordinal() if ok else 0 for ok, v in _pairs(finalized)],
            dtype=np.int64,
        )[finalized.index]
        finalized_ok = finalized.ok[finalized.index]
        for k in each_bad(finalized_ok & future):
            add(k, "finalized_at", rows.FINALIZED_IN_FUTURE)
        for k in each_bad(finalized_ok & ~future & screened_ok & (local_day < screened_ord)):
            add(k, "finalized_at", rows.FINALIZED_BEFORE_SCREENED)

        # The codes and texts, each distinct cell by the service's cleaner.
        choices = {
            "reason": rows._choice(rows.REASONS, screening_errors.UNKNOWN_REASON, "reason"),
            "screener_role": rows._choice(
                rows.SCREENER_ROLES, screening_errors.UNKNOWN_SCREENER_ROLE, "screener_role"
            ),
            "known_for": rows._choice(
                rows.KNOWN_FOR, screening_errors.UNKNOWN_KNOWN_FOR, "known_for"
            ),
            "mode": lambda t: screening_rules._choice(
                t.strip() or ScreeningMode.FULL,
                rows.MODES,
                code=screening_errors.UNKNOWN_MODE,
                field="mode",
                blank=False,
            ),
            "reason_other": lambda t: screening_rules._optional_text(
                t, field="reason_other", max_length=screening_rules.REASON_OTHER_MAX_LENGTH
            ),
            "information_sources": lambda t: screening_rules._information_sources(rows.as_list(t)),
            "notes": lambda t: screening_rules._optional_text(
                t, field="notes", max_length=screening_rules.NOTES_MAX_LENGTH
            ),
            "screener": lambda t: imp._member(t.strip()),
        }
        columns: dict[str, _Column] = {}
        for name, clean in choices.items():
            column = columns[name] = self._column(table, name, clean)
            for k in each_bad(~column.ok[column.index]):
                add(k, name, column.values[column.index[k]])
        reason, other = columns["reason"], columns["reason_other"]
        is_other = np.array([v == ScreeningReason.OTHER for v in reason.values])[reason.index]
        no_other = np.array([not v for v in other.values])[other.index]
        for k in each_bad(reason.ok[reason.index] & is_other & other.ok[other.index] & no_other):
            add(k, "reason_other", rows.REQUIRED)
        sources = columns["information_sources"]
        for k in each_bad(np.array([v == [] for v in sources.values])[sources.index]):
            add(k, "information_sources", rows.REQUIRED)

        # Ratings: cells off the scale (found by the reader), key indicators not rated.
        allowed = allowed_cells(self.definition)
        bad_cells = np.zeros((count, len(self.indicator_ids)), dtype=bool)
        position = {i: n for n, i in enumerate(self.indicator_ids)}
        for cell in batch.bad:
            k = cell.row - first
            bad_cells[k, position[cell.column]] = True
            if active[k]:
                add(k, cell.column, rows.BAD_RATING_CELL.format(allowed=allowed))
        codes = np.stack([batch.codes[i] for i in self.indicator_ids], axis=1)
        unrated = (codes == instruments.MISSING) & ~bad_cells
        for k in each_bad(unrated.any(axis=1)):
            for n in np.flatnonzero(unrated[k]):
                add(k, self.indicator_ids[n], rows.NOT_RATED)

        # Training on the screening date, once per (screener, day).
        screener = columns["screener"]
        screener_ok = screener.ok[screener.index]
        screener_pk = np.array([v.pk if ok else 0 for ok, v in _pairs(screener)], dtype=np.int64)[
            screener.index
        ]
        check = active & screener_ok & screened_ok
        if check.any():
            pairs = np.unique(np.stack([screener_pk[check], screened_ord[check]], axis=1), axis=0)
            untrained = {
                (int(u), int(d))
                for u, d in pairs
                if not imp._trained(int(u), dt.date.fromordinal(int(d)))
            }
            if untrained:
                title = f"{self.definition.title} ({self.definition.id})"
                for k in np.flatnonzero(check):
                    if (int(screener_pk[k]), int(screened_ord[k])) in untrained:
                        day = dt.date.fromordinal(int(screened_ord[k])).isoformat()
                        add(
                            int(k),
                            "screener",
                            screening_errors.TRAINING_REQUIRED.format(instrument=title)
                            + f" (on {day})",
                        )

        # Re-scored with score_many; a row without a concern level cannot be final.
        safe = {
            i: np.where(
                np.isin(batch.codes[i], list(self.definition.indicator_values)),
                batch.codes[i],
                instruments.MISSING,
            )
            for i in self.indicator_ids
        }
        result = instruments.score_many(self.definition, safe)
        levels = result.level_codes()
        no_level = result.level < 0
        for k in each_bad(~bad & no_level):
            add(
                k,
                "total",
                screening_errors.SCREENING_NO_RESULT.format(explanation="no concern level"),
            )
        self._score_warnings(table, result, levels, active & ~bad, add)

        keep = np.flatnonzero(active & ~bad)
        if not len(keep):
            return
        take = pa.array(keep)
        text = {
            name: pa.DictionaryArray.from_arrays(
                pa.array(columns[name].index[keep]), pa.array(columns[name].values, pa.string())
            )
            for name in ("reason", "screener_role", "known_for", "mode")
        }
        text["information_sources"] = pa.DictionaryArray.from_arrays(
            pa.array(sources.index[keep]), pa.array([json.dumps(v) for v in sources.values])
        )
        text["finalized_at"] = pa.DictionaryArray.from_arrays(
            pa.array(finalized.index[keep]),
            pa.array([_datetime_text(v) if ok else None for ok, v in _pairs(finalized)]),
        )
        self.pending.append(
            PendingBatch(
                external_ids=pa.array(external, pa.string()).take(take),
                youth_id=youth_pk[keep],
                screener_id=screener_pk[keep],
                screened_on=(screened_ord[keep] - EPOCH).astype(np.int32),
                codes=codes[keep].astype(np.int8),
                total=result.total[keep],
                rated=result.rated[keep],
                level=pc.take(pa.array(list(levels), pa.string()), take),
                text=text,
                plain={
                    name: [columns[name].values[i] for i in columns[name].index[keep]]
                    for name in ("reason_other", "notes")
                },
            )
        )

    def _score_warnings(
        self,
        table: pa.RecordBatch,
        result: Any,
        levels: Any,
        ok: npt.NDArray[np.bool_],
        add: Callable[..., None],
    ) -> None:
        """A `total` or `level` in the file that disagrees with ours: a warning, the row is kept."""
        instrument = f"{self.definition.id} {self.definition.version}"
        names = table.schema.names
        if "total" in names:
            given = pc.utf8_trim_whitespace(table.column("total"))
            ours = pc.cast(pa.array(result.total), pa.string())
            differs = np.asarray(
                pc.and_(pc.not_equal(given, ""), pc.not_equal(given, ours)).fill_null(False)
            )
            for k in np.flatnonzero(differs & ok):
                add(
                    int(k),
                    "total",
                    rows.SCORE_DISAGREES.format(
                        given=given[k].as_py(), instrument=instrument, scored=int(result.total[k])
                    ),
                    "warning",
                )
        if "level" in names:
            given = pc.utf8_trim_whitespace(table.column("level"))
            ours = pa.array(list(levels), pa.string())
            differs = np.asarray(
                pc.and_(pc.not_equal(given, ""), pc.not_equal(given, ours)).fill_null(True)
            )
            for k in np.flatnonzero(differs & ok):
                add(
                    int(k),
                    "level",
                    rows.SCORE_DISAGREES.format(
                        given=given[k].as_py(), instrument=instrument, scored=levels[k]
                    ),
                    "warning",
                )

    def _column(self, table: pa.RecordBatch, name: str, clean: Callable[[str], Any]) -> _Column:
        """Each distinct cell of `name` cleaned once for the whole file (an absent column is blank)."""
        count = table.num_rows
        if name in table.schema.names:
            encoded = pc.dictionary_encode(table.column(name))
            distinct = encoded.dictionary.to_pylist()
            index = np.asarray(encoded.indices, dtype=np.int32)
        else:
            distinct, index = [""], np.zeros(count, dtype=np.int32)
        cache = self.importer._cache
        ok: list[bool] = []
        values: list[Any] = []
        for text in distinct:
            key = (name, text)
            if key not in cache:
                try:
                    cache[key] = (True, clean(text))
                except ServiceError as error:
                    cache[key] = (False, error.message)
            good, value = cache[key]
            ok.append(good)
            values.append(value)
        return _Column(name, index, distinct, np.array(ok, dtype=bool), values)

    def _screened_on_cell(self, text: str) -> dt.date:
        """The date and the service's rules that do not depend on the youth (not in the future)."""
        day = rows.as_date(text, field="screened_on")
        return screening_rules._screened_on(day, youth=rows._Born(dt.date.min))  # type: ignore[arg-type]

    def _before_birth_message(self, day: dt.date, born: dt.date) -> str:
        try:
            screening_rules._screened_on(day, youth=rows._Born(born))  # type: ignore[arg-type]
        except ServiceError as error:
            return error.message
        raise AssertionError("a screening date before birth passed the service's rule")

    @staticmethod
    def _cell(table: pa.RecordBatch, column: str, k: int) -> str:
        if column not in table.schema.names:
            return ""
        return str(table.column(column)[k].as_py() or "")

    # --- writing ---------------------------------------------------------------------------------

    @property
    def count(self) -> int:
        return sum(len(p) for p in self.pending)

    def youth_batches(self, youth_limit: int, screening_limit: int) -> list[list[int]]:
        """The youth touched, in id order, cut into batches of at most `youth_limit` youth holding
        at most about `screening_limit` imported screenings (each batch's schedule rows are built in
        memory, one per final screening, so this bounds the memory of the schedule refresh)."""
        if not self.pending:
            return []
        youth, counts = np.unique(
            np.concatenate([p.youth_id for p in self.pending]), return_counts=True
        )
        batches: list[list[int]] = []
        start, held = 0, 0
        for k, count in enumerate(counts.tolist()):
            if k > start and (k - start >= youth_limit or held + count > screening_limit):
                batches.append(youth[start:k].tolist())
                start, held = k, 0
            held += count
        batches.append(youth[start:].tolist())
        return batches

    def months(self) -> list[tuple[int, dt.date]]:
        """(agency, a day of each month) the imported screenings fall in: the rollups to redo."""
        if not self.pending:
            return []
        days = np.concatenate([p.screened_on for p in self.pending]).astype("datetime64[D]")
        months = np.unique(days.astype("datetime64[M]")).astype("datetime64[D]")
        agency_id = self.importer.agency.pk
        return [(agency_id, m.astype(dt.date)) for m in months]

    def write(self, progress: Callable[[str, int, int], None] | None) -> int:
        """Every pending screening and its natural key, in the caller's transaction."""
        from sightline.imports.models import ExternalKey

        total = self.count
        done = 0
        now = timezone.now()
        now_text = _datetime_text(now)
        definition = self.definition
        fields = {f.attname: f for f in Screening._meta.concrete_fields}
        imp = self.importer
        for batch in self.pending:
            n = len(batch)
            ids = allocate_ids(Screening, n)
            data: dict[str, pa.Array] = {
                "id": pa.array(ids, pa.int64()),
                "youth_id": pa.array(batch.youth_id),
                "agency_id": _constant(imp.agency.pk, n, pa.int64()),
                "instrument_id": _constant(definition.id, n),
                "instrument_version": _constant(definition.version, n),
                "instrument_sha256": _constant(definition.sha256, n),
                "status": _constant(ScreeningStatus.FINAL.value, n),
                "reason": batch.text["reason"],
                "information_sources": batch.text["information_sources"],
                "screener_id": pa.array(batch.screener_id),
                "screener_role": batch.text["screener_role"],
                "known_for": batch.text["known_for"],
                "mode": batch.text["mode"],
                "screened_on": pa.array(batch.screened_on, pa.date32()),
                "indicator_ratings": self._ratings_json(batch.codes),
                "statement_answers": _constant("{}", n),
                "total": pa.array(batch.total, pa.int32()),
                "level": batch.level,
                "rated_count": pa.array(batch.rated, pa.int32()),
                "lock_version": _constant(1, n, pa.int32()),
                "created_at": _constant(now_text, n),
                "updated_at": _constant(now_text, n),
                "finalized_at": batch.text["finalized_at"],
                "finalized_by_id": pa.array(batch.screener_id),
                "chain": _uuid_hex(n),
                "amends_id": pa.nulls(n, pa.int64()),
                "rerates_id": pa.nulls(n, pa.int64()),  # an imported screening re-rates none
                "version_kind": _constant("original", n),
                "amendment_reason": pa.nulls(n, pa.string()),
            }
            for name, plain in batch.plain.items():
                data[name] = pa.array(encrypt_many(fields[name], plain, ids.tolist()), pa.string())
            missing = set(fields) - set(data)
            if missing:  # a new column must be decided on here, not silently defaulted
                raise AssertionError(f"screening columns not written by the import: {missing}")
            copy_table(Screening, pa.table({name: data[name] for name in fields}))
            copy_table(
                ExternalKey,
                pa.table(
                    {
                        "agency_id": _constant(imp.agency.pk, n, pa.int64()),
                        "source_system": _constant(imp.source, n),
                        "object_type": _constant(imp.kind, n),
                        "external_id": batch.external_ids,
                        "object_id": pa.array(ids, pa.int64()),
                        "created_at": _constant(now_text, n),
                    }
                ),
            )
            done += n
            if progress is not None:
                progress("writing", done, total)
        return done

    def _ratings_json(self, codes: npt.NDArray[np.int8]) -> pa.Array:
        """`{"indicator": value, ...}` per row, as `json.dumps` writes what `_indicator_ratings`
        returns (definition order, MISSING left out), built by Arrow a column at a time."""
        values = sorted(self.definition.indicator_values | {instruments.MISSING})
        low = values[0]
        parts = []
        for n, indicator_id in enumerate(self.indicator_ids):
            lookup = pa.array(
                [
                    None
                    if v == instruments.MISSING or v not in values
                    else f"{json.dumps(indicator_id)}: {v}"
                    for v in range(low, values[-1] + 1)
                ],
                pa.string(),
            )
            parts.append(pc.take(lookup, pa.array(codes[:, n].astype(np.int32) - low)))
        joined = pc.binary_join_element_wise(*parts, ", ", null_handling="skip")
        return pc.binary_join_element_wise("{", joined, "}", "")


def copy_table(model: Any, table: pa.Table) -> None:
    """Insert `table` (columns named by attname) into `model`'s table: COPY from Arrow's CSV on
    PostgreSQL, `executemany` elsewhere."""
    if not table.num_rows:
        return
    meta = model._meta
    column_of = {f.attname: f.column for f in meta.concrete_fields}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column_of[name]) for name in table.column_names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            plain = pa.table(
                {
                    name: column.cast(column.type.value_type)
                    if pa.types.is_dictionary(column.type)
                    else column
                    for name, column in zip(table.column_names, table.columns, strict=True)
                }
            )
            buffer = io.BytesIO()
            pacsv.write_csv(plain, buffer, pacsv.WriteOptions(include_header=False))
            view = buffer.getbuffer()
            raw = cursor.connection.cursor()
            with raw.copy(
                f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN (FORMAT csv)"
            ) as copy:
                for start in range(0, len(view), COPY_BLOCK):
                    copy.write(view[start : start + COPY_BLOCK])
            view.release()
        else:
            marks = ", ".join(["%s"] * table.num_columns)
            cursor.executemany(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})",  # nosec B608  # table and columns are the model's own, quoted; values are parameters
                [
                    tuple(v.isoformat() if isinstance(v, dt.date) else v for v in row.values())
                    for row in table.to_pylist()
                ],
            )


def _constant(value: Any, count: int, type_: pa.DataType | None = None) -> pa.Array:
    return pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(count, dtype=np.int32)), pa.array([value], type_)
    )


def _uuid_hex(count: int) -> pa.Array:
    """`count` random (version 4) UUIDs as 32 hex digits, the form PostgreSQL and Django's SQLite
    columns take."""
    raw = np.frombuffer(np.random.default_rng().bytes(16 * count), dtype=np.uint8).reshape(
        count, 16
    )
    raw = raw.copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    hexed = np.empty((count, 32), dtype=np.uint8)
    hexed[:, 0::2] = digits[raw >> 4]
    hexed[:, 1::2] = digits[raw & 0x0F]
    return pa.array(hexed.view("S32").ravel()).cast(pa.string())


def _datetime_text(value: dt.datetime) -> str:
    """An aware datetime as the database's column takes it (SQLite: Django's naive UTC text)."""
    if connection.vendor == "postgresql":
        return value.isoformat()
    return str(connection.ops.adapt_datetimefield_value(value))


def _pairs(column: _Column) -> Iterator[tuple[bool, Any]]:
    return zip((bool(ok) for ok in column.ok), column.values, strict=True)
