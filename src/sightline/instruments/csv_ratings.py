"""Rating CSVs in and scored CSVs out, in bounded batches with pyarrow: the one CSV path shared by
`sightline score` and `sightline import screenings`.

pyarrow parses the file a block at a time with every column as text (a rating column may hold "NEI"
anywhere, so no type is inferred). Indicator cells become rating codes with NumPy over the string
buffers (the byte of a one-character cell looked up in a table; "NEI" matched by bytes), so only the rare
odd cell (" 2 ", "nEi", "x") is looked at in Python. Memory is bounded by the block size, not the file.

Output cells that a spreadsheet would run as a formula (leading = + - @, tab or carriage return) are
neutralised with a leading apostrophe, as OWASP advises for CSV injection (issue 18): a scored file is
opened in Excel by the people it describes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from sightline.common.spreadsheet import FORMULA_STARTS
from sightline.instruments.batch import BatchResult
from sightline.instruments.schema import Definition
from sightline.instruments.values import MISSING, NEI

DEFAULT_BLOCK_BYTES = 1 << 20
MAX_ROW_BYTES = 64 << 20
# Stands in for a cell that is no rating at all; never on a scale, so it is always reported.
UNREADABLE = np.iinfo(np.int32).max
# The leading characters of `common.spreadsheet`, as bytes for the column-wise check.
FORMULA_LEADS = frozenset(ord(lead) for lead in FORMULA_STARTS)
_MAX_DIGITS = 6

_CODE_OF_BYTE = np.full(256, UNREADABLE, dtype=np.int32)
for _digit in range(10):
    _CODE_OF_BYTE[ord("0") + _digit] = _digit
_FORMULA_BYTE = np.zeros(256, dtype=bool)
_FORMULA_BYTE[list(FORMULA_LEADS)] = True


class InputError(Exception):
    """A problem with the input CSV; the message names where it is."""


def parse_rating(cell: str) -> int | None:
    """A CSV cell as a rating code: digits, `NEI` in any case, blank = MISSING; None if none of those.

    Signs are refused on purpose: "-1" must not sneak in as MISSING nor "-2" as NEI.
    """
    text = cell.strip()
    if not text:
        return MISSING
    if text.upper() == "NEI":
        return NEI
    if text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS:
        return int(text)
    return None


def allowed_cells(definition: Definition) -> str:
    """The cell spellings an instrument accepts, for error messages: its scale, NEI, blank."""
    values = sorted(v for v in definition.indicator_values if v >= 0)
    spelled = [str(v) for v in values]
    if NEI in definition.indicator_values:
        spelled.append("NEI")
    return ", ".join(spelled) + ", or blank for not rated"


@dataclass(frozen=True)
class BadCell:
    """One cell that is not an allowed rating; `row` is the data row (1-based, header not counted)."""

    row: int
    column: str
    value: str


@dataclass(frozen=True)
class RaggedRow:
    """A row whose number of values differs from the header's (pyarrow does not say where it is)."""

    values: int
    text: str


@dataclass(frozen=True)
class RatingBatch:
    """Consecutive data rows: every column as text, the indicator columns as rating codes."""

    first_row: int
    table: pa.RecordBatch
    codes: dict[str, npt.NDArray[np.int32]]
    bad: tuple[BadCell, ...]

    @property
    def rows(self) -> int:
        return int(self.table.num_rows)


@dataclass
class RatingReader:
    """Reads a rating CSV with a header row in batches of `block_bytes` of text.

    `indicator_ids` are the columns read as ratings (those present in the header); cells off the
    definition's scale are listed in each batch's `bad`, never silently dropped. Rows with the wrong
    number of values are collected in `ragged` (and skipped) when `keep_going`, else stop the read.
    """

    source: IO[bytes]
    definition: Definition | None
    block_bytes: int = DEFAULT_BLOCK_BYTES
    keep_going: bool = False
    header: list[str] = field(init=False)
    positions: dict[str, int] = field(init=False)
    ragged: list[RaggedRow] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.header = _read_header(self.source)
        self._set_up()

    def _set_up(self) -> None:
        _check_unique(self.header)
        indicators = self.definition.indicators if self.definition is not None else ()
        self.positions = {i.id: self.header.index(i.id) for i in indicators if i.id in self.header}
        allowed = sorted(self.definition.indicator_values if self.definition is not None else {0})
        self._low, self._high = allowed[0], allowed[-1]
        self._on_scale = np.zeros(self._high - self._low + 1, dtype=bool)
        self._on_scale[np.array(allowed) - self._low] = True

    @property
    def missing_indicators(self) -> tuple[str, ...]:
        if self.definition is None:
            return ()
        return tuple(i.id for i in self.definition.indicators if i.id not in self.positions)

    def __iter__(self) -> Iterator[RatingBatch]:
        first_row = 1
        for text in _row_blocks(self.source, self.block_bytes):
            for batch in self._parse(text):
                if batch.num_rows:
                    yield self.rating_batch(batch, first_row)
                    first_row += batch.num_rows

    def rating_batch(self, batch: pa.RecordBatch, first_row: int) -> RatingBatch:
        """`batch` (text columns) with its indicator columns as codes and its bad cells listed."""
        codes: dict[str, npt.NDArray[np.int32]] = {}
        bad: list[BadCell] = []
        for indicator_id in self.positions:
            column = batch.column(indicator_id)
            column_codes = rating_codes(column)
            for k in self._off_scale(column_codes):
                bad.append(BadCell(first_row + k, indicator_id, str(column[k].as_py())))
            codes[indicator_id] = column_codes
        bad.sort(key=lambda cell: (cell.row, self.positions[cell.column]))
        return RatingBatch(first_row, batch, codes, tuple(bad))

    def _parse(self, text: bytes) -> list[pa.RecordBatch]:
        """One block of whole rows as record batches, every column as text."""

        def on_ragged(row: Any) -> str:
            self.ragged.append(RaggedRow(values=row.actual_columns, text=row.text))
            return "skip" if self.keep_going else "error"

        try:
            table = pacsv.read_csv(
                pa.py_buffer(text),
                read_options=pacsv.ReadOptions(
                    column_names=self.header,
                    block_size=len(text) + 1,  # one batch per block
                    use_threads=False,
                ),
                parse_options=pacsv.ParseOptions(
                    newlines_in_values=True, invalid_row_handler=on_ragged
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(self.header, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except pa.ArrowInvalid as error:
            raise self._read_error(error) from None
        return list(table.to_batches())

    def _read_error(self, error: pa.ArrowInvalid) -> InputError:
        if self.ragged:
            first = self.ragged[0]
            return InputError(
                f"a row has {first.values} values but the header has {len(self.header)} columns: "
                f"{first.text[:80]!r}"
            )
        if "UTF8" in str(error):
            return InputError("not UTF-8 text")
        return InputError(str(error))

    def _off_scale(self, codes: npt.NDArray[np.int32]) -> list[int]:
        """Positions of codes not on the definition's scale (UNREADABLE included)."""
        if not len(codes):
            return []
        # Two reductions prove a whole column good when the scale has no gaps (the usual case).
        if self._on_scale.all() and self._low <= codes.min() and codes.max() <= self._high:
            return []
        inside = (codes >= self._low) & (codes <= self._high)
        bad = ~inside
        bad[inside] = ~self._on_scale[codes[inside] - self._low]
        return [int(k) for k in np.flatnonzero(bad)]


def _row_blocks(source: IO[bytes], block_bytes: int) -> Iterator[bytes]:
    """The rest of `source` in blocks of about `block_bytes` that end where a row ends.

    Read here rather than by pyarrow's streaming reader, whose read-ahead held some twenty blocks in
    memory: this way at most one block (and its parsed rows) is alive at a time. A line break ends a
    row unless it is inside quotes, which (quotes being doubled inside a quoted value) is so exactly
    when an odd number of quote characters precede it in the block.
    """
    carry = b""
    while True:
        block = source.read(block_bytes)
        if not block:
            if carry.strip():
                yield carry
            return
        text = carry + block if carry else block
        cut = _last_row_end(text)
        if cut is None:
            if len(text) > MAX_ROW_BYTES:
                raise InputError(
                    f"no end of row in {MAX_ROW_BYTES >> 20} MB: a value with an unclosed quote, "
                    "or line breaks that are not LF or CRLF"
                )
            carry = text
            continue
        yield text[:cut]
        carry = text[cut:]


def _last_row_end(text: bytes) -> int | None:
    """The offset just after the last line break in `text` that is outside quotes, if any."""
    codes = np.frombuffer(text, dtype=np.uint8)
    breaks = np.flatnonzero(codes == ord("\n"))
    if not len(breaks):
        return None
    quotes = np.flatnonzero(codes == ord('"'))
    if len(quotes):
        breaks = breaks[np.searchsorted(quotes, breaks) % 2 == 0]
        if not len(breaks):
            return None
    return int(breaks[-1]) + 1


def rating_codes(column: pa.Array) -> npt.NDArray[np.int32]:
    """A text column as rating codes; a cell that is no rating at all becomes UNREADABLE."""
    count = len(column)
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if column.null_count:
        column = column.fill_null("")
    _, offsets_buffer, data_buffer = column.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[
        column.offset : column.offset + count + 1
    ]
    data = (
        np.frombuffer(data_buffer, dtype=np.uint8)
        if data_buffer is not None
        else np.zeros(0, np.uint8)
    )
    starts = offsets[:-1]
    lengths = np.diff(offsets)
    codes = np.full(count, UNREADABLE, dtype=np.int32)
    codes[lengths == 0] = MISSING
    one = np.flatnonzero(lengths == 1)
    codes[one] = _CODE_OF_BYTE[data[starts[one]]]
    three = np.flatnonzero(lengths == 3)
    if len(three):
        at = starts[three]
        # `| 0x20` folds ASCII capitals to lower case: NEI, nei, Nei, nEi all match.
        nei = (
            ((data[at] | 0x20) == ord("n"))
            & ((data[at + 1] | 0x20) == ord("e"))
            & ((data[at + 2] | 0x20) == ord("i"))
        )
        codes[three[nei]] = NEI
    for k in np.flatnonzero(codes == UNREADABLE):
        code = parse_rating(column[int(k)].as_py())
        if code is not None:
            codes[k] = code
    return codes


def neutralised(column: pa.Array) -> pa.Array:
    """`column` with an apostrophe before each cell a spreadsheet would run as a formula."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if not len(column) or not pa.types.is_string(column.type):
        return column
    filled = column.fill_null("") if column.null_count else column
    _, offsets_buffer, data_buffer = filled.buffers()
    if data_buffer is None:
        return column
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[
        filled.offset : filled.offset + len(filled) + 1
    ]
    data = np.frombuffer(data_buffer, dtype=np.uint8)
    starts = offsets[:-1]
    filled_cells = np.flatnonzero(np.diff(offsets) > 0)
    risky = np.zeros(len(filled), dtype=bool)
    risky[filled_cells] = _FORMULA_BYTE[data[starts[filled_cells]]]
    if not risky.any():
        return column
    prefixed = pc.binary_join_element_wise("'", column, "")
    return pc.if_else(pa.array(risky), prefixed, column)


def neutralise_cell(text: str) -> str:
    """One cell (a header name, say) made safe the same way as `neutralised`."""
    return f"'{text}" if text and ord(text[0]) in FORMULA_LEADS else text


class ScoredCsvWriter:
    """Writes the input's columns (neutralised) with `total`, `level` and `rated` appended."""

    OUTPUT_COLUMNS = ("total", "level", "rated")

    def __init__(self, sink: IO[bytes], header: Sequence[str], *, skip: Sequence[str] = ()) -> None:
        self._sink = sink
        self._header = list(header)
        self._safe = {name for name in skip}  # columns already known to hold only ratings
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerow(
            [neutralise_cell(name) for name in [*header, *self.OUTPUT_COLUMNS]]
        )
        sink.write(text.getvalue().encode("utf-8"))

    def write(self, table: pa.RecordBatch, result: BatchResult) -> None:
        columns = [
            table.column(name) if name in self._safe else neutralised(table.column(name))
            for name in self._header
        ]
        out = pa.RecordBatch.from_arrays(
            [
                *columns,
                pa.array(result.total),
                level_column(result.level, result.level_order),
                pa.array(result.rated),
            ],
            names=[f"c{k}" for k in range(len(columns) + 3)],
        )
        buffer = pa.BufferOutputStream()
        try:
            # Unquoted like the csv module's minimal quoting; a cell holding , " or a line break
            # makes pyarrow refuse, and then this batch is written with every text cell quoted.
            pacsv.write_csv(
                out, buffer, pacsv.WriteOptions(include_header=False, quoting_style="none")
            )
        except pa.ArrowInvalid:
            buffer = pa.BufferOutputStream()
            pacsv.write_csv(out, buffer, pacsv.WriteOptions(include_header=False))
        self._sink.write(buffer.getvalue())


def level_column(level: npt.NDArray[np.int8], order: Sequence[str]) -> pa.Array:
    """Level indexes (-1: none) as a text column of level codes (null: none), built from buffers.

    `pyarrow.compute` is not used on purpose: its first call costs about 30 MB of memory, a sixth of
    the whole command's budget.
    """
    encoded = [code.encode("utf-8") for code in order]
    widest = max((len(code) for code in encoded), default=0)
    table = np.zeros((len(encoded) + 1, max(widest, 1)), dtype=np.uint8)
    lengths_of = np.zeros(len(encoded) + 1, dtype=np.int32)
    for k, code in enumerate(encoded):
        table[k, : len(code)] = np.frombuffer(code, dtype=np.uint8)
        lengths_of[k] = len(code)
    index = np.where(level < 0, len(encoded), level).astype(np.intp)
    lengths = lengths_of[index]
    offsets = np.zeros(len(level) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    used = np.arange(table.shape[1]) < lengths[:, None]
    data = table[index][used]
    valid = np.packbits(level >= 0, bitorder="little")
    return pa.StringArray.from_buffers(
        len(level), pa.py_buffer(offsets), pa.py_buffer(data), pa.py_buffer(valid)
    )


def _read_header(source: IO[bytes]) -> list[str]:
    """The header row's names, read with the csv module so quoting works; the stream is left at the
    first data row (a header is short, so reading it line by line costs nothing)."""
    lines: list[str] = []
    first = True
    while True:
        raw = source.readline()
        if not raw:
            if not lines:
                raise InputError("the input is empty: expected a header row of column names")
            break
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("not UTF-8 text (in the header)") from None
        if first:
            text = text.removeprefix("\ufeff")
            first = False
        if not lines and not text.strip():
            continue
        lines.append(text)
        rows = list(csv.reader(io.StringIO("".join(lines))))
        # A header still inside quotes has an odd number of quote characters so far.
        if rows and "".join(lines).count('"') % 2 == 0:
            return [name.strip() for name in rows[0]]
    return [name.strip() for name in next(csv.reader(io.StringIO("".join(lines))))]


def _check_unique(names: Sequence[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputError(f"the header names column {name!r} twice")
        seen.add(name)


def locate_row(path: str, data_row: int) -> int | None:
    """The file line on which data row `data_row` ends (blank lines skipped as pyarrow does); used
    only to word an error, so re-reading the start of the file with the csv module is fine."""
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as handle:
        reader = csv.reader(handle)
        row = -1  # the header is row 0
        for values in reader:
            if not values:
                continue
            row += 1
            if row == data_row:
                return reader.line_num
    return None


def locate_ragged(path: str, width: int) -> Iterator[tuple[int, int, int]]:
    """(data row, file line, values) of every row whose width differs from the header's."""
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as handle:
        reader = csv.reader(handle)
        row = -1
        for values in reader:
            if not values:
                continue
            row += 1
            if row and len(values) != width:
                yield row, reader.line_num, len(values)


Progress = Callable[[int], None]
