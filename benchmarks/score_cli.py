"""`sightline score` end to end (issues 2 and 16): wall clock and peak memory on a 1,000,000-row CSV.

    python -m benchmarks.score_cli [--rows 1000000] [--repeats 5] [--seed 2]

Writes the scoring benchmark's synthetic responses (same generator and seed) as a CSV of 26 indicator
columns plus an id, then runs the installed `sightline score -i cse-it-2.0 IN -o OUT -q` `--repeats`
times in a fresh process each, and reports the median and range of the wall clock, the CPU time
(steadier than the wall clock on a shared machine) and the peak resident set. The output of the first run is checked row by row against `score_many` on the same
table (total, level, rated; the id copied through); a difference fails the run.

The floor (issue 17) is timed in this process on the same file: pyarrow reads the whole file (every
column as text), each indicator column becomes codes (`pyarrow.compute.index_in` on the common
spellings, a NumPy lookup), `score_many` scores the table, and pyarrow writes it with the three
columns added. It validates nothing, streams nothing and neutralises nothing; its output is checked to
equal the product's cell for cell (both read back with pyarrow). The goal: `sightline score` wall
clock <= 1.5x the floor's.

For scale it also times, in this process, the csv module reading the same file and writing it back with
three more columns (no parsing of ratings, no scoring): a reference for the share of the csv module, not
a floor (it does not compute the result).
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from benchmarks.scoring import INSTRUMENT, synthetic_table
from sightline import instruments

CELLS = {0: "0", 1: "1", 2: "2", instruments.NEI: "NEI", instruments.MISSING: ""}


def write_csv(definition: object, table: dict[str, np.ndarray], path: Path) -> None:
    ids = list(table)
    spelled = np.array([CELLS[value] for value in range(-2, 3)], dtype=object)
    columns = [spelled[table[i] + 2] for i in ids]  # values run from -2 (NEI) to 2
    with path.open("w", newline="") as sink:
        writer = csv.writer(sink, lineterminator="\n")
        writer.writerow(["youth_ref", *ids])
        writer.writerows(
            [f"Y{k:07d}", *cells] for k, cells in enumerate(zip(*columns, strict=True))
        )


def run_cli(source: Path, target: Path, usage: Path) -> tuple[float, int | None, float | None]:
    """(wall seconds, peak resident set in kB, CPU seconds user + system) of one `sightline score`
    run; the last two None without /usr/bin/time.

    The peak comes from /usr/bin/time when installed: a child forked from this (large) process would
    report this process's own peak, since Linux keeps the high-water mark across exec.
    """
    command = [
        str(Path(sys.executable).with_name("sightline")),
        "score",
        "-i",
        INSTRUMENT,
        str(source),
        "-o",
        str(target),
        "-q",
    ]
    timer = shutil.which("time")
    if timer is not None:
        command = [timer, "-f", "%M %U %S", "-o", str(usage), *command]
    started = time.perf_counter()
    completed = subprocess.run(command, check=False)
    wall = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"sightline score exited with {completed.returncode}")
    if timer is None:
        return wall, None, None
    peak, user, system = usage.read_text().split()[-3:]
    return wall, int(peak), float(user) + float(system)


def check_output(definition: object, table: dict[str, np.ndarray], path: Path) -> None:
    batch = instruments.score_many(definition, table)
    codes = batch.level_codes()
    with path.open(newline="") as source:
        reader = csv.reader(source)
        header = next(reader)
        if header[-3:] != ["total", "level", "rated"]:
            raise SystemExit(f"unexpected output header {header[-3:]}")
        for k, row in enumerate(reader):
            expected = [f"Y{k:07d}", str(batch.total[k]), codes[k] or "", str(batch.rated[k])]
            if [row[0], *row[-3:]] != expected:
                raise SystemExit(
                    f"output row {k}: {row[0], *row[-3:]} but score_many gives {expected}"
                )
    if k + 1 != len(batch.total):
        raise SystemExit(f"{k + 1} output rows for {len(batch.total)} input rows")


FLOOR_CELLS = ["", "0", "1", "2", "NEI"]
FLOOR_CODES = np.array(
    [instruments.MISSING, 0, 1, 2, instruments.NEI, np.iinfo(np.int32).max], dtype=np.int32
)


def pyarrow_floor(definition: object, source: Path, target: Path) -> tuple[float, float]:
    """Read, score with `score_many` and write with pyarrow, whole-file: the floor (no checks).

    Returns (wall seconds, CPU seconds of this process, all threads): on a shared machine the CPU
    time is the fairer comparison with the product's user + system time."""
    started = time.perf_counter()
    cpu_started = time.process_time()
    with source.open("rb") as handle:
        names = handle.readline().decode().strip().split(",")
    table = pacsv.read_csv(
        source, convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()))
    )
    cells = pa.array(FLOOR_CELLS)
    ids = [i.id for i in definition.indicators]  # type: ignore[attr-defined]
    codes = {
        i: FLOOR_CODES[pc.index_in(table[i], value_set=cells).fill_null(5).to_numpy()]
        for i in ids
        if i in names
    }
    batch = instruments.score_many(definition, codes)
    order = pa.array([*batch.level_order, None], type=pa.string())
    level = np.where(batch.level < 0, len(batch.level_order), batch.level)
    table = (
        table.append_column("total", pa.array(batch.total))
        .append_column("level", order.take(pa.array(level)))
        .append_column("rated", pa.array(batch.rated))
    )
    pacsv.write_csv(table, target, pacsv.WriteOptions(quoting_style="none"))
    return time.perf_counter() - started, time.process_time() - cpu_started


def same_cells(left: Path, right: Path) -> None:
    """Both files read back as text by pyarrow must be equal, header and every cell."""
    tables = []
    for path in (left, right):
        with path.open("rb") as handle:
            names = handle.readline().decode().strip().replace('"', "").split(",")
        tables.append(
            pacsv.read_csv(
                path,
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
                ),
            )
        )
    if tables[0].column_names != tables[1].column_names or not tables[0].equals(tables[1]):
        raise SystemExit(f"{left.name} and {right.name} differ")


def csv_copy(source: Path, target: Path) -> float:
    started = time.perf_counter()
    with source.open(newline="") as given, target.open("w", newline="") as sink:
        reader = csv.reader(given)
        writer = csv.writer(sink, lineterminator="\n")
        writer.writerows([*row, "0", "", "0"] for row in reader)
    return time.perf_counter() - started


def _spread(values: Sequence[float], digits: int = 2) -> str:
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2)
    args = parser.parse_args(argv)
    definition = instruments.load(INSTRUMENT)
    folder = Path(tempfile.mkdtemp(prefix="sightline-score-cli-"))
    try:
        table = synthetic_table(definition, args.rows, args.seed)
        source = folder / "responses.csv"
        write_csv(definition, table, source)
        walls: list[float] = []
        peaks: list[float] = []
        cpus: list[float] = []
        for repeat in range(args.repeats):
            wall, peak, cpu = run_cli(source, folder / "scored.csv", folder / "usage.txt")
            if repeat == 0:
                check_output(definition, table, folder / "scored.csv")
            walls.append(wall)
            if peak is not None and cpu is not None:
                peaks.append(peak / 1024)
                cpus.append(cpu)
        floors = []
        floor_cpus = []
        for repeat in range(args.repeats):
            floor_wall, floor_cpu = pyarrow_floor(definition, source, folder / "floor.csv")
            floors.append(floor_wall)
            floor_cpus.append(floor_cpu)
            if repeat == 0:
                same_cells(folder / "floor.csv", folder / "scored.csv")
        copies = [csv_copy(source, folder / "copy.csv") for _ in range(args.repeats)]
        size_mb = source.stat().st_size / 1e6
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"sightline score, {args.rows:,} rows ({size_mb:.0f} MB CSV, 26 indicators + an id)")
    print(
        f"  machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"  output equals score_many on every row; {args.repeats} runs, median (min-max):")
    print(f"  sightline score wall clock   {_spread(walls)} s")
    if peaks:
        print(f"  CPU time, user + system      {_spread(cpus)} s")
        print(f"  peak resident set            {_spread(peaks, 0)} MB")
    print(f"  floor: pyarrow read + score_many + write  {_spread(floors)} s (in-process)")
    print(f"  floor CPU time, all threads  {_spread(floor_cpus)} s")
    if cpus:
        print(
            f"  CPU time / floor CPU time    "
            f"{statistics.median(cpus) / statistics.median(floor_cpus):.2f}x"
        )
    print(
        f"  sightline score / floor      {statistics.median(walls) / statistics.median(floors):.2f}x"
        " (goal <= 1.5x); outputs equal cell for cell"
    )
    print(
        f"  reference: csv read + write  {_spread(copies)} s (in-process, no parsing, no scoring)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
