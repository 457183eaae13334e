"""`sightline score`: score a CSV of ratings with `score_many`, in chunks, into a new CSV.

The input is read with the csv module a chunk at a time, each indicator column turned into a NumPy array,
scored with `score_many`, and written out, so memory stays bounded by the chunk size whatever the file size.
Output goes to a temporary file next to the destination and is renamed into place only when every row
scored: a bad row never leaves a half-written result behind.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click
import numpy as np
from tqdm import tqdm

from sightline import instruments as registry
from sightline.cli.errors import CommandError
from sightline.cli.instruments import load_instrument

if TYPE_CHECKING:
    from sightline.instruments import Definition

OUTPUT_COLUMNS = ("total", "level", "rated")
DEFAULT_CHUNK_ROWS = 100_000

# Most cells are one of these exact strings; anything else goes through `parse_rating`.
_COMMON_CELLS: dict[str, int] = {
    "": registry.MISSING,
    "0": 0,
    "1": 1,
    "2": 2,
    "NEI": registry.NEI,
    "nei": registry.NEI,
    "Nei": registry.NEI,
}
_MAX_DIGITS = 6
# Stands in for a cell that is no rating at all; never on a scale, so score_many refuses it in order.
UNREADABLE = np.iinfo(np.int32).max


class InputError(Exception):
    """A problem with the input CSV; the message names where it is."""


@dataclass(frozen=True)
class ScoreSummary:
    rows: int
    without_level: int
    unrated_indicators: tuple[str, ...]


def parse_rating(cell: str) -> int | None:
    """A CSV cell as a rating code: digits, `NEI` in any case, blank = MISSING; None if none of those.

    Signs are refused on purpose: "-1" must not sneak in as MISSING nor "-2" as NEI.
    """
    text = cell.strip()
    if not text:
        return registry.MISSING
    if text.upper() == "NEI":
        return registry.NEI
    if text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS:
        return int(text)
    return None


def score_csv(
    definition: Definition,
    source: TextIO,
    sink: TextIO,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    on_chunk: Callable[[int], None] = lambda rows: None,
    warn: Callable[[str], None] = lambda message: None,
) -> ScoreSummary:
    """Copy `source` to `sink` with `total`, `level` and `rated` appended to every row.

    Raises InputError naming the data row (1-based, header not counted), the file line, the column and
    the value of the first problem found; rows before it may already have been written to `sink`.
    """
    reader = csv.reader(source)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("the input is empty: expected a header row of column names") from None
    except csv.Error as error:
        raise InputError(f"line {reader.line_num}: {error}") from None

    names = [name.strip() for name in header]
    _check_header(names)
    indicator_ids = [indicator.id for indicator in definition.indicators]
    positions = {id_: names.index(id_) for id_ in indicator_ids if id_ in names}
    if not positions:
        raise InputError(
            f"the header has no indicator column of {definition.id} {definition.version}; "
            f"expected columns named by indicator id: {', '.join(indicator_ids)}"
        )
    unrated = tuple(id_ for id_ in indicator_ids if id_ not in positions)
    if unrated:
        warn(f"no column for {', '.join(unrated)}; scored as not rated")

    writer = csv.writer(sink, lineterminator="\n")
    writer.writerow([*header, *OUTPUT_COLUMNS])
    rows_done = 0
    without_level = 0
    for rows, lines in _chunks(reader, width=len(header), chunk_rows=chunk_rows, first_row=1):
        table = {id_: _column_codes(rows, position) for id_, position in positions.items()}
        try:
            result = registry.score_many(definition, table)
        except registry.RatingError as error:
            raise _bad_rating(
                error, definition, rows, lines, positions, first_row=rows_done + 1
            ) from None
        levels = result.level_codes()
        writer.writerows(
            [*row, total, "" if level is None else level, rated]
            for row, total, level, rated in zip(
                rows, result.total.tolist(), levels, result.rated.tolist(), strict=True
            )
        )
        without_level += int(np.count_nonzero(result.level < 0))
        rows_done += len(rows)
        on_chunk(len(rows))
    return ScoreSummary(rows=rows_done, without_level=without_level, unrated_indicators=unrated)


def _check_header(names: Sequence[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputError(f"the header names column {name!r} twice")
        seen.add(name)
    clashes = [name for name in OUTPUT_COLUMNS if name in seen]
    if clashes:
        raise InputError(
            f"the input already has column(s) {', '.join(map(repr, clashes))}, which the output adds; "
            "rename them first"
        )


def _chunks(
    reader: Any, *, width: int, chunk_rows: int, first_row: int
) -> Iterator[tuple[list[list[str]], list[int]]]:
    """Lists of up to `chunk_rows` rows with the file line on which each ends; blank lines skipped."""
    rows: list[list[str]] = []
    lines: list[int] = []
    row_number = first_row - 1
    try:
        for row in reader:
            if not row:
                continue
            row_number += 1
            if len(row) != width:
                raise InputError(
                    f"data row {row_number} (file line {reader.line_num}): "
                    f"{len(row)} values but the header has {width} columns"
                )
            rows.append(row)
            lines.append(reader.line_num)
            if len(rows) == chunk_rows:
                yield rows, lines
                rows, lines = [], []
    except csv.Error as error:
        raise InputError(f"file line {reader.line_num}: {error}") from None
    if rows:
        yield rows, lines


def _column_codes(rows: list[list[str]], position: int) -> np.ndarray:
    """One indicator's cells as rating codes; a cell that is not a rating at all becomes UNREADABLE,
    so `score_many` reports it in file order along with values that are off the scale."""
    # map/itemgetter/fromiter keep the per-cell work in C: this is about half the command's time.
    try:
        return np.fromiter(
            map(_COMMON_CELLS.__getitem__, map(itemgetter(position), rows)),
            dtype=np.int32,
            count=len(rows),
        )
    except KeyError:
        pass
    codes = [parse_rating(row[position]) for row in rows]
    return np.array([UNREADABLE if code is None else code for code in codes], dtype=np.int32)


def _bad_rating(
    error: registry.RatingError,
    definition: Definition,
    rows: list[list[str]],
    lines: list[int],
    positions: dict[str, int],
    *,
    first_row: int,
) -> InputError:
    """The refused rating as a place in the file: data row, file line, column and the cell's text."""
    if error.row is None or error.indicator not in positions:
        return InputError(f"data rows {first_row}-{first_row + len(rows) - 1}: {error}")
    k = error.row
    return InputError(
        f"data row {first_row + k} (file line {lines[k]}), column {error.indicator!r}: "
        f"{rows[k][positions[error.indicator]]!r} is not an allowed rating "
        f"(allowed: {allowed_cells(definition)})"
    )


def allowed_cells(definition: Definition) -> str:
    """The cell spellings an instrument accepts, for error messages: its scale, NEI, blank."""
    values = sorted(v for v in definition.indicator_values if v >= 0)
    spelled = [str(v) for v in values]
    if registry.NEI in definition.indicator_values:
        spelled.append("NEI")
    return ", ".join(spelled) + ", or blank for not rated"


@click.command()
@click.option(
    "--instrument",
    "-i",
    "instrument_id",
    required=True,
    help="Instrument id (e.g. cse-it-2.0), id@version, or a definition file.",
)
@click.argument("input_path", metavar="INPUT.csv", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--output",
    "-o",
    "output_path",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Where to write the scored CSV ('-' for stdout).",
)
@click.option(
    "--chunk-rows",
    type=click.IntRange(min=1),
    default=DEFAULT_CHUNK_ROWS,
    show_default=True,
    help="Rows scored per batch; bounds memory use.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
def score(
    instrument_id: str, input_path: str, output_path: str, chunk_rows: int, quiet: bool
) -> None:
    """Score every row of INPUT.csv and write it with `total`, `level` and `rated` appended.

    INPUT.csv has a header row. Columns named by an indicator id hold ratings (the instrument's numbers,
    NEI in any case, or blank for not rated); every other column is copied through unchanged. `level` is
    blank when a row has no valid result. A bad value or a row with the wrong number of values stops the
    run (exit 2) and no output file is left behind; with `-o -`, rows before the problem are already out.
    """
    definition = load_instrument(instrument_id)
    with _terminate_as_exit(), _open_input(input_path) as (source, bytes_read):
        # A file shows bytes against its size (so an ETA); stdin can only count rows.
        bar = tqdm(
            total=None if bytes_read is None else _size(input_path),
            unit="rows" if bytes_read is None else "B",
            unit_scale=True,
            unit_divisor=1000 if bytes_read is None else 1024,
            desc=f"scoring {definition.id}",
            disable=True if quiet else None,
            file=sys.stderr,
        )

        def advance(rows: int) -> None:
            bar.update(rows if bytes_read is None else bytes_read() - bar.n)

        def warn(message: str) -> None:
            bar.write(f"Warning: {message}.", file=sys.stderr)

        try:
            with bar, _open_output(output_path) as sink:
                summary = score_csv(
                    definition, source, sink, chunk_rows=chunk_rows, on_chunk=advance, warn=warn
                )
        except InputError as error:
            raise CommandError(f"{_display(input_path, dash='<stdin>')}: {error}") from None
        except UnicodeDecodeError as error:
            raise CommandError(
                f"{_display(input_path, dash='<stdin>')}: not UTF-8 text ({error})"
            ) from None
    if not quiet:
        click.echo(
            f"Scored {summary.rows} rows with {definition.id} {definition.version} "
            f"({summary.without_level} without a valid level) -> {_display(output_path, dash='<stdout>')}",
            err=True,
        )


def _display(path: str, *, dash: str) -> str:
    return dash if path == "-" else path


def _size(path: str) -> int | None:
    if path == "-":
        return None
    with suppress(OSError):
        return os.stat(path).st_size
    return None


@contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """Let SIGTERM (a scheduler cancelling the job) unwind like Ctrl-C, so the temporary output is removed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def _open_input(path: str) -> Iterator[tuple[TextIO, Callable[[], int] | None]]:
    """The input as text, and for a file a function giving how many bytes have been read so far."""
    if path == "-":
        stdin = sys.stdin.buffer
        text = io.TextIOWrapper(stdin, encoding="utf-8-sig", newline="")
        try:
            yield text, None
        finally:
            text.detach()  # leave the process's stdin open
        return
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed through the text wrapper below
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from None
    with io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        yield text, raw.tell


@contextmanager
def _open_output(path: str) -> Iterator[TextIO]:
    """stdout for '-'; otherwise a temporary file beside `path`, renamed onto it only on success."""
    if path == "-":
        stdout = sys.stdout
        yield stdout
        stdout.flush()
        return
    destination = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(
            dir=destination.parent, prefix=f".{destination.name}.", suffix=".partial"
        )
    except OSError as error:
        raise CommandError(f"cannot write to {destination.parent}: {error.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as sink:
            yield sink
        os.replace(temporary, destination)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
