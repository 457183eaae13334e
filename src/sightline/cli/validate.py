"""`sightline validate`: run a validation study (docs/validation-statistics.md).

    sightline validate synthetic --youth 20000 --seed 2026 --instrument cse-it-2.0 --against criterion
    sightline validate synthetic --youth 20000 --against truth --json var/study.json

`synthetic` generates the population in memory (no database) and studies it against the generator's
criterion records (another data source, matched within --window-days of the index screening) or, to check
the study itself, against the generator's hidden truth.

    sightline validate study --as RESEARCHER --instrument cse-it-2.0@2.0-sightline.1 --from 2025-01-01
        --to 2025-12-31 --agency 3 --agency 4 --criterion substantiated_allegation --window 365
        [--agreement-window 30] [--json out.json]
    sightline validate rerun 12 --as RESEARCHER [--json out.json]

`study` and `rerun` are the web studio's studies (`sightline.validation.studio`), run here in the
foreground with a progress bar: the same service, the same saved Study row, audit events and snapshot
hash, on de-identified data only and only for a researcher of every agency named.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from sightline.cli.errors import CommandError


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


def _set_up_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sightline.config.settings")
    import django

    django.setup()


def _researcher(username: str) -> Any:
    from sightline.tenancy.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"no active user {username!r}")
    return user


def _run_saved(ask: Any, user: Any, json_path: Path | None, quiet: bool) -> None:
    """Ask for a study (`ask(context)` returns it, not queued), run it here with a progress bar."""
    from tqdm import tqdm

    from sightline.audit.context import AuditContext
    from sightline.common.errors import ServiceError
    from sightline.tenancy.access import Forbidden, NotFound, record_refusal
    from sightline.validation import presentation
    from sightline.validation import studio as service

    context = AuditContext.cli(user)
    try:
        study = ask(context)
    except ServiceError as error:
        raise CommandError(error.message) from None
    except (NotFound, Forbidden) as error:
        record_refusal(error, context)
        raise CommandError(str(error) or "not allowed") from None
    bar = None if quiet else tqdm(total=100, desc=f"study {study.pk}", unit="%", file=sys.stderr)

    def progress(stage: str, percent: int) -> None:
        if bar is not None:
            bar.set_postfix_str(stage)
            bar.update(max(0, percent - bar.n))

    service.study_execute(study.pk, progress=progress)
    if bar is not None:
        bar.update(100 - bar.n)
        bar.close()
    study.refresh_from_db()
    if study.status != "done":
        raise CommandError(f"study {study.pk} failed: {study.error}")
    for label, value in presentation.headline(study.result):
        click.echo(f"{label}: {value}")
    if study.rerun_of is not None:
        same = service.reproduces(study)
        click.echo(
            f"Re-run of study {study.rerun_of.pk}: "
            + ("reproduced (same snapshot hash)." if same else "the data changed (hash differs).")
        )
    for section in presentation.sections(study.result):
        click.echo(f"\n{section.title}\n  {section.note}")
        if section.columns:
            click.echo("  " + " | ".join(section.columns))
        for row in section.rows:
            click.echo("  " + " | ".join(row))
    click.echo(f"\nSaved as study {study.pk}.")
    if json_path is not None:
        service.study_downloaded(study=study, by=user, file_format="json", context=context)
        json_path.write_text(json.dumps(study.result, indent=1, allow_nan=False))
        click.echo(f"Wrote {json_path}.")


@validate.command()
@click.option("--as", "username", required=True, help="Username of the researcher.")
@click.option(
    "--instrument", required=True, help="id@version (the version defaults to the newest)."
)
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option(
    "--agency", "agencies", multiple=True, type=int, required=True, help="Agency id (repeat)."
)
@click.option(
    "--criterion", required=True, help="Criterion source the screenings are judged against."
)
@click.option(
    "--criterion-kind",
    type=click.Choice(["substantiated_allegation", "instrument_item", "other"]),
    help="Only this kind of finding of the source (default: every kind it records).",
)
@click.option("--window", type=click.IntRange(min=0), default=365, show_default=True)
@click.option("--agreement-window", type=click.IntRange(min=0), default=30, show_default=True)
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def study(
    username: str,
    instrument: str,
    start: dt.datetime,
    end: dt.datetime,
    agencies: tuple[int, ...],
    criterion: str,
    criterion_kind: str | None,
    window: int,
    agreement_window: int,
    json_path: Path | None,
    quiet: bool,
) -> None:
    """Run and save a study on the agencies' de-identified data (researchers only)."""
    _set_up_django()
    from sightline import instruments
    from sightline.validation import studio as service

    try:
        definition = instruments.load(instrument)
    except LookupError as error:
        raise CommandError(str(error)) from None
    user = _researcher(username)
    parameters = service.StudyParameters(
        instrument_id=definition.id,
        instrument_version=definition.version,
        period_start=start.date(),
        period_end=end.date(),
        agency_ids=agencies,
        criterion_source=criterion,
        criterion_kind=criterion_kind or "",
        window_days=window,
        agreement_window_days=agreement_window,
    )
    _run_saved(
        lambda context: service.study_create(
            by=user, parameters=parameters, context=context, queue=False
        ),
        user,
        json_path,
        quiet,
    )


@validate.command()
@click.argument("study_id", type=int)
@click.option("--as", "username", required=True, help="Username of the researcher.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def rerun(study_id: int, username: str, json_path: Path | None, quiet: bool) -> None:
    """Re-run a saved study on the current data and say whether it reproduced."""
    _set_up_django()
    from sightline.validation import studio as service

    user = _researcher(username)

    def ask(context: Any) -> Any:
        earlier = service.study_for_user(user=user, pk=study_id, context=context)
        return service.study_rerun(study=earlier, by=user, context=context, queue=False)

    _run_saved(ask, user, json_path, quiet)
