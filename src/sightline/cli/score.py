"""`sightline score`: score a CSV of ratings with `score_many`, in batches, into a new CSV.

The CSV path is `instruments.csv_ratings`, shared with `sightline import screenings`: pyarrow reads the
file a block at a time, indicator cells become rating codes with NumPy, `score_many` scores each batch
and pyarrow writes it out, so memory stays bounded by the block size whatever the file size. Output
goes to a temporary file next to the destination and is renamed into place only when every row
scored: a bad row never leaves a half-written result behind. Cells a spreadsheet would run as a
formula are neutralised in the output, and a missing indicator column is an error unless
`--allow-missing-columns` says to score it as not rated (issue 18).
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click
from tqdm import tqdm

from sightline import instruments as registry
from sightline.cli.errors import CommandError
from sightline.cli.instruments import load_instrument
from sightline.instruments.csv_ratings import (
    DEFAULT_BLOCK_BYTES,
    BadCell,
    InputError,
    RatingReader,
    ScoredCsvWriter,
    allowed_cells,
    locate_ragged,
    locate_row,
    parse_rating,
)

if TYPE_CHECKING:
    from sightline.instruments import Definition

__all__ = ["InputError", "ScoreSummary", "allowed_cells", "parse_rating", "score", "score_csv"]

OUTPUT_COLUMNS = ScoredCsvWriter.OUTPUT_COLUMNS
DEFAULT_CHUNK_ROWS = 100_000


@dataclass(frozen=True)
class ScoreSummary:
    rows: int
    without_level: int
    unrated_indicators: tuple[str, ...]


def score_csv(
    definition: Definition,
    source: IO[bytes],
    sink: IO[bytes],
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    block_bytes: int = DEFAULT_BLOCK_BYTES,
    allow_missing_columns: bool = False,
    path: str | None = None,
    on_chunk: Callable[[int], None] = lambda rows: None,
    warn: Callable[[str], None] = lambda message: None,
) -> ScoreSummary:
    """Copy `source` to `sink` with `total`, `level` and `rated` appended to every row.

    Raises InputError naming the data row (1-based, header not counted), the column and the value of
    the first problem found, and the file line when `path` names the file to look it up in; rows
    before it may already have been written to `sink`.
    """
    reader = RatingReader(source, definition, block_bytes=block_bytes)
    clashes = [name for name in OUTPUT_COLUMNS if name in reader.header]
    if clashes:
        raise InputError(
            f"the input already has column(s) {', '.join(map(repr, clashes))}, which the output adds; "
            "rename them first"
        )
    indicator_ids = [indicator.id for indicator in definition.indicators]
    if not reader.positions:
        raise InputError(
            f"the header has no indicator column of {definition.id} {definition.version}; "
            f"expected columns named by indicator id: {', '.join(indicator_ids)}"
        )
    unrated = reader.missing_indicators
    if unrated and not allow_missing_columns:
        raise InputError(
            f"the header has no column for indicator(s) {', '.join(unrated)} of {definition.id} "
            f"{definition.version}; add them (blank cells are scored as not rated), or pass "
            "--allow-missing-columns to score them as not rated"
        )
    if unrated:
        warn(f"no column for {', '.join(unrated)}; scored as not rated")

    writer = ScoredCsvWriter(sink, reader.header, skip=list(reader.positions))
    rows_done = 0
    without_level = 0
    try:
        for batch in reader:
            if batch.bad:
                raise _bad_rating(definition, batch.bad[0], path)
            for start in range(0, batch.rows, chunk_rows):
                stop = min(start + chunk_rows, batch.rows)
                table = {i: codes[start:stop] for i, codes in batch.codes.items()}
                result = registry.score_many(definition, table)
                writer.write(batch.table.slice(start, stop - start), result)
                without_level += int((result.level < 0).sum())
                rows_done += stop - start
                on_chunk(stop - start)
    except InputError as error:
        raise _ragged(reader, path) or error from None
    return ScoreSummary(rows=rows_done, without_level=without_level, unrated_indicators=unrated)


def _bad_rating(definition: Definition, cell: BadCell, path: str | None) -> InputError:
    """The refused rating as a place in the file: data row, file line, column and the cell's text."""
    row, column, value = cell.row, cell.column, cell.value
    line = None if path is None else locate_row(path, row)
    where = f"data row {row}" + ("" if line is None else f" (file line {line})")
    return InputError(
        f"{where}, column {column!r}: {value!r} is not an allowed rating "
        f"(allowed: {allowed_cells(definition)})"
    )


def _ragged(reader: RatingReader, path: str | None) -> InputError | None:
    """A ragged row located in the file (pyarrow does not say where), when the input is a file."""
    if not reader.ragged or path is None:
        return None
    for row, line, values in locate_ragged(path, len(reader.header)):
        return InputError(
            f"data row {row} (file line {line}): "
            f"{values} values but the header has {len(reader.header)} columns"
        )
    return None


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
    help="Most rows scored at a time (memory is bounded by the 1 MiB blocks read).",
)
@click.option(
    "--allow-missing-columns",
    is_flag=True,
    help="Score indicators without a column as not rated instead of refusing the file.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
def score(
    instrument_id: str,
    input_path: str,
    output_path: str,
    chunk_rows: int,
    allow_missing_columns: bool,
    quiet: bool,
) -> None:
    """Score every row of INPUT.csv and write it with `total`, `level` and `rated` appended.

    INPUT.csv has a header row. Columns named by an indicator id hold ratings (the instrument's numbers,
    NEI in any case, or blank for not rated); every indicator needs a column unless
    --allow-missing-columns. Every other column is copied through, with a leading apostrophe added to
    a cell starting with = + - @ (so a spreadsheet shows it instead of running it). `level` is blank
    when a row has no valid result. A bad value or a row with the wrong number of values stops the run
    (exit 2) and no output file is left behind; with `-o -`, rows before the problem are already out.
    """
    definition = load_instrument(instrument_id)
    # The output is opened first so that a run waiting on stdin already has its temporary file.
    with _terminate_as_exit(), _open_output(output_path) as sink, _open_input(input_path) as source:
        # A file shows bytes against its size (so an ETA); stdin can only count rows.
        from_file = input_path != "-"
        bar = tqdm(
            total=_size(input_path) if from_file else None,
            unit="B" if from_file else "rows",
            unit_scale=True,
            unit_divisor=1024 if from_file else 1000,
            desc=f"scoring {definition.id}",
            disable=True if quiet else None,
            file=sys.stderr,
        )

        def advance(rows: int) -> None:
            bar.update(source.tell() - bar.n if from_file else rows)

        def warn(message: str) -> None:
            bar.write(f"Warning: {message}.", file=sys.stderr)

        try:
            with bar:
                summary = score_csv(
                    definition,
                    source,
                    sink,
                    chunk_rows=chunk_rows,
                    allow_missing_columns=allow_missing_columns,
                    path=input_path if from_file else None,
                    on_chunk=advance,
                    warn=warn,
                )
        except InputError as error:
            raise CommandError(f"{_display(input_path, dash='<stdin>')}: {error}") from None
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
def _open_input(path: str) -> Iterator[IO[bytes]]:
    """The input as bytes (pyarrow decodes it, and checks it is UTF-8).

    Stdin is first copied to a temporary file by Python code: pyarrow blocked inside a read of a live
    pipe cannot be interrupted cleanly by SIGTERM (it aborted the process now and then), a copy loop
    can. Memory stays bounded; the disk holds one copy of the input.
    """
    if path == "-":
        with tempfile.TemporaryFile(prefix="sightline-score-") as spool:
            shutil.copyfileobj(sys.stdin.buffer, spool, length=1 << 20)
            spool.seek(0)
            yield spool
        return
    try:
        source = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from None
    with source:
        yield source


@contextmanager
def _open_output(path: str) -> Iterator[IO[bytes]]:
    """stdout for '-'; otherwise a temporary file beside `path`, renamed onto it only on success."""
    if path == "-":
        stdout = sys.stdout.buffer
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
        with os.fdopen(handle, "wb") as sink:
            yield sink
        os.replace(temporary, destination)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
