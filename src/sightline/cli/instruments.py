"""`sightline instruments ...`: list, show, validate and install instrument definition files."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sightline import instruments as registry
from sightline.cli.errors import CommandError

if TYPE_CHECKING:
    from sightline.instruments import Definition
    from sightline.instruments.schema import ScaleOption

DEFAULT_INSTALL_DIR = Path("var/instruments")


@click.group()
def instruments() -> None:
    """Instrument definitions: the bundled ones and those an agency adds."""


@instruments.command("list")
def list_() -> None:
    """List every definition found (bundled and in SIGHTLINE_INSTRUMENT_DIRS)."""
    try:
        found = registry.available()
    except registry.DefinitionError as error:
        raise CommandError(str(error)) from None
    rows = [
        (
            d.id,
            d.version,
            d.title,
            "yes" if d.official else "no",
            str(len(d.indicators)),
            str(d.source_path),
        )
        for d in found
    ]
    header = ("ID", "VERSION", "TITLE", "OFFICIAL", "INDICATORS", "SOURCE")
    click.echo("\n".join(_table(header, rows)))


@instruments.command()
@click.argument("instrument")
def show(instrument: str) -> None:
    """Show a definition: INSTRUMENT is an id, `id@version` or a file path."""
    definition = load_instrument(instrument)
    click.echo("\n".join(_describe(definition)))


@instruments.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate(file: Path) -> None:
    """Check that FILE is a valid definition, without installing it."""
    try:
        definition = registry.validate_file(file)
    except registry.DefinitionError as error:
        raise CommandError(str(error)) from None
    click.echo(
        f"OK: {definition.id} {definition.version} ({len(definition.indicators)} key indicators)"
    )


@instruments.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--no-database",
    is_flag=True,
    help="Only copy the file into the folder (install it later with `manage.py instruments_sync`).",
)
def load_(file: Path, no_database: bool) -> None:
    """Validate FILE, install it into the database catalog and copy it into the first folder of
    SIGHTLINE_INSTRUMENT_DIRS (without that variable: var/instruments under the current directory).

    Pages and services read definitions from the catalog only. Versions are immutable: the same id
    and version with different content is refused and nothing is written; identical content is a
    no-op.
    """
    target_dir = install_dir()
    try:
        definition = registry.validate_file(file)
        already_there = (target_dir / f"{definition.id}@{definition.version}.yaml").exists()
        if no_database:
            destination = registry.install(file, target_dir)
            created = False
        else:
            destination, created = _install_everywhere(file, target_dir)
    except (registry.DefinitionError, OSError) as error:
        # An invalid file, a changed copy of an installed version, or a folder we cannot write.
        raise CommandError(str(error)) from None
    verb = "Already installed (identical)" if already_there and not created else "Installed"
    where = "" if no_database else " and the database catalog"
    click.echo(f"{verb}: {definition.id} {definition.version} -> {destination}{where}")


def _install_everywhere(file: Path, target_dir: Path) -> tuple[Path, bool]:
    """Install into the catalog and copy into the folder in one transaction: a file the folder
    refuses (a different copy already there) leaves the database unchanged too."""
    _set_up_django()
    from django.db import DatabaseError, transaction

    from sightline.catalog.services import definition_install
    from sightline.instruments.parsing import read_bytes

    try:
        with transaction.atomic():
            installed = definition_install(raw=read_bytes(file), source=file)
            destination = registry.install(file, target_dir)
    except DatabaseError as error:
        raise CommandError(f"The database refused the install: {error}") from None
    return destination, installed.created


def _set_up_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sightline.config.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as error:
        raise CommandError(
            f"Cannot reach the database to install the definition ({error}). Configure it, or use "
            "--no-database and run `manage.py instruments_sync` where it is configured."
        ) from None


def install_dir() -> Path:
    """The first folder named in SIGHTLINE_INSTRUMENT_DIRS, else var/instruments."""
    folders = [p.strip() for p in os.environ.get("SIGHTLINE_INSTRUMENT_DIRS", "").split(",")]
    return next((Path(p) for p in folders if p), DEFAULT_INSTALL_DIR)


def load_instrument(instrument: str) -> Definition:
    """`registry.load`, with a failure turned into a message (an unknown id lists the known ones)."""
    try:
        return registry.load(instrument)
    except registry.DefinitionError as error:
        raise CommandError(str(error)) from None
    except LookupError as error:
        try:
            known = sorted({f"{d.id}@{d.version}" for d in registry.available()})
        except registry.DefinitionError:
            known = []
        hint = f" Available: {', '.join(known)}." if known else ""
        raise CommandError(f"Unknown instrument {instrument!r}: {error}.{hint}") from None


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    rows = [header, *rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _describe(d: Definition) -> list[str]:
    lines = [f"{d.title} ({d.id} {d.version})", f"  official: {'yes' if d.official else 'no'}"]
    for label, value in (
        ("source note", d.source_note),
        ("description", d.description),
        ("intended users", ", ".join(d.intended_users)),
        ("contact", d.contact),
        ("minimum age", d.min_age),
        ("file", d.source_path),
        ("sha256", d.sha256),
    ):
        if value not in (None, ""):
            lines.append(f"  {label}: {_oneline(value)}")
    lines += ["", "Indicator ratings:", *(f"  {_option(o)}" for o in d.indicator_scale)]
    if d.statement_scale:
        lines += ["Supporting-statement answers:", *(f"  {_option(o)}" for o in d.statement_scale)]
    lines += ["", f"Key indicators ({len(d.indicators)}):"]
    for number, indicator in enumerate(d.indicators, start=1):
        lines.append(f"  {number}. {indicator.id}: {indicator.title} [{indicator.domain}]")
        if indicator.guidance:
            lines.append(f"     guidance: {_oneline(indicator.guidance)}")
        for statement in indicator.statements:
            lines.append(f"     - {statement.id}: {_oneline(statement.text)}")
    lines += ["", "Scoring:", *(f"  {line}" for line in _scoring_lines(d))]
    lines += ["", "Levels:"]
    for level in d.levels:
        lines.append(f"  {level.code}: {level.label}")
        if level.description:
            lines.append(f"     {_oneline(level.description)}")
        if level.rescreen_days:
            lines.append(f"     rescreen after {level.rescreen_days} days")
        lines += [f"     follow-up: {_oneline(step)}" for step in level.follow_up]
    return lines


def _scoring_lines(d: Definition) -> list[str]:
    scoring = d.scoring
    nei = scoring.not_enough_information
    lines = [
        "total = sum of the indicator ratings; not rated adds nothing and never counts",
        f"NEI adds {nei.points} point(s) and {'counts' if nei.counts_as_rated else 'does not count'}"
        " toward the minimum",
        f"minimum rated: {scoring.minimum_rated} indicators, else no level from the cut-offs",
        "cut-offs: "
        + ", ".join(f"{c.level} from a total of {c.min_total}" for c in scoring.cutoffs)
        + f"; below them, {d.levels[0].code}",
    ]
    for override in scoring.overrides:
        lines.append(
            f"override {override.id}: at least {override.count_at_least} of "
            f"{', '.join(override.indicators)} rated {override.rating_at_least} or more "
            f"-> at least {override.level_at_least}, even below the minimum rated"
        )
        if override.explanation:
            lines.append(f"  ({_oneline(override.explanation)})")
    return lines


def _option(option: ScaleOption) -> str:
    value = "NEI" if option.is_nei else str(option.value)
    help_text = f": {_oneline(option.help)}" if option.help else ""
    return f"{value} = {option.label} ({option.code}){help_text}"


def _oneline(value: object) -> str:
    return " ".join(str(value).split())
