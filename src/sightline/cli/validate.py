"""`sightline validate`: run a validation study (docs/validation-statistics.md).

    sightline validate synthetic --youth 20000 --seed 2026 --instrument cse-it-2.0 --against criterion
    sightline validate synthetic --youth 20000 --against truth --json var/study.json

`synthetic` generates the population in memory (no database) and studies it against the generator's
criterion records (another data source, matched within --window-days of the index screening) or, to check
the study itself, against the generator's hidden truth. Studies over an agency's de-identified data in the
database follow with the web studio.
"""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.group()
def validate() -> None:
    """Validation studies: reliability, accuracy, ROC, agreement and fairness with intervals."""


@validate.command()
@click.option("--youth", type=click.IntRange(min=100), default=20_000, show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option(
    "--instrument",
    type=click.Choice(["cse-it-2.0", "cse-it-brief"]),
    default="cse-it-2.0",
    show_default=True,
)
@click.option(
    "--against",
    type=click.Choice(["criterion", "truth"]),
    default="criterion",
    show_default=True,
    help="Reference standard: criterion records, or the generator's hidden truth.",
)
@click.option("--window-days", type=click.IntRange(min=0), default=365, show_default=True)
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path))
def synthetic(
    youth: int, seed: int, instrument: str, against: str, window_days: int, json_path: Path | None
) -> None:
    """Study a generated synthetic population (in memory)."""
    from sightline.synth import SynthParams, generate
    from sightline.synth.study import sample_from_population
    from sightline.validation.report import as_data, summary
    from sightline.validation.study import run_study

    population = generate(SynthParams(seed=seed, youth=youth))
    sample = sample_from_population(
        population,
        instrument=instrument,
        reference=against,  # type: ignore[arg-type]
        window_days=window_days,
    )
    study = run_study(sample)
    click.echo(summary(study))
    if json_path is not None:
        data = {
            "parameters": {
                "population": "synthetic",
                "youth": youth,
                "seed": seed,
                "instrument": instrument,
                "against": against,
                "window_days": window_days,
            },
            "study": as_data(study),
        }
        json_path.write_text(json.dumps(data, indent=1, allow_nan=False))
        click.echo(f"Wrote {json_path}.")
