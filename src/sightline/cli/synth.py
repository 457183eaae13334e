"""`sightline synth`: generate a synthetic population from a seed, into the database or to files.

    sightline synth --youth 1000000 --seed 2026 --to-db
    sightline synth --youth 5000 --out var/synth --format parquet

The same seed and size always give the same population. Django is set up only for `--to-db`, so writing
files needs no database. `--to-db` then rebuilds the stored screening schedule (`scheduling.bulk`) of every
youth in the database, so the worklists and coverage figures are ready. Progress goes to stderr (tqdm); `--quiet` turns it off.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from sightline.cli.errors import CommandError

Progress = Callable[[str, int, int], None]


@contextmanager
def progress_bar(*, quiet: bool) -> Iterator[Progress | None]:
    """A progress callback drawing one tqdm bar per stage on stderr (None when quiet)."""
    if quiet:
        yield None
        return
    bars: dict[str, tqdm[Any]] = {}

    def report(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(
                total=total, desc=stage, unit="row", unit_scale=True, file=sys.stderr, leave=False
            )
        bar.update(done - bar.n)

    try:
        yield report
    finally:
        for bar in bars.values():
            bar.close()


def _set_up_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sightline.config.settings")
    import django

    django.setup()


@click.command()
@click.option("--youth", type=click.IntRange(min=1), default=1000, show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option("--to-db", "to_db", is_flag=True, help="Write into the configured database.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Folder for files.")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "parquet"]),
    default="csv",
    show_default=True,
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def synth(
    youth: int, seed: int, to_db: bool, out: Path | None, file_format: str, quiet: bool
) -> None:
    """Generate a synthetic population (counties to follow-ups) deterministically from a seed."""
    if to_db == (out is not None):
        raise CommandError("give exactly one of --to-db or --out DIR")
    from sightline.synth import SynthParams, generate
    from sightline.synth.files import write_files

    with progress_bar(quiet=quiet) as progress:
        population = generate(SynthParams(seed=seed, youth=youth), progress=progress)
        if to_db:
            _set_up_django()
            from sightline.synth.db import write_population

            counts = write_population(population, progress=progress)
            rows = sum(counts.values())
            click.echo(f"Wrote {rows:,} rows ({youth:,} youth, seed {seed}) to the database.")
            del population
            # The worklists read stored schedule rows: build them for the youth just written.
            from sightline.scheduling.bulk import schedule_rebuild

            done = 0

            def youth_done(batch: int) -> None:
                nonlocal done
                done += batch
                if progress is not None:
                    progress("schedule", done, youth)

            scheduled = schedule_rebuild(progress=youth_done)
            click.echo(f"Computed the screening schedule of {scheduled:,} youth.")
            # And the report rollups, which the services keep current by their events otherwise.
            from sightline.reporting.rollups import rebuild

            counted = rebuild()
            click.echo(f"Counted {counted:,} screenings into the report rollups.")
        else:
            assert out is not None
            paths = write_files(population, out, format=file_format)  # type: ignore[arg-type]
            click.echo(
                f"Wrote {len(paths)} {file_format} files ({youth:,} youth, seed {seed}) to {out}."
            )
