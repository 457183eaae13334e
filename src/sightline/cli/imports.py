"""`sightline import youth|intakes|screenings|criteria FILE` and `sightline export`: an agency's data in and out.

Both set Django up lazily (like `synth --to-db`) and act as a named user (`--as`), whose permissions
decide, with an audit context on the `import` or `cli` channel. Problems go to stderr and, with
`--problems FILE`, to a CSV (row, column, value, reason, severity).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from sightline.cli.errors import CommandError

KINDS = {
    "youth": "youth",
    "intakes": "intake",
    "screenings": "screening",
    "criteria": "criterion",
}
SHOWN_PROBLEMS = 20


def _set_up_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sightline.config.settings")
    import django

    django.setup()


def _actor_and_agency(username: str, agency_id: int) -> tuple[Any, Any]:
    from sightline.tenancy.models import Agency, User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"no active user {username!r}")
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        raise CommandError(f"no agency with id {agency_id}")
    return user, agency


@click.command("import")
@click.argument("kind", type=click.Choice(list(KINDS)))
@click.argument(
    "path", metavar="FILE", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--agency", "agency_id", type=int, required=True, help="Id of the agency importing.")
@click.option("--as", "username", required=True, help="Username of the person importing.")
@click.option(
    "--source", "source_system", required=True, help="Name of the system the file comes from."
)
@click.option("--instrument", "instrument_id", default="cse-it-2.0", show_default=True)
@click.option("--dry-run", is_flag=True, help="Check the whole file and report; write nothing.")
@click.option(
    "--problems",
    "problems_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every problem found to this CSV.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def import_(
    kind: str,
    path: Path,
    agency_id: int,
    username: str,
    source_system: str,
    instrument_id: str,
    dry_run: bool,
    problems_path: Path | None,
    quiet: bool,
) -> None:
    """Import youth, intakes, historical screenings or criterion records from a CSV or XLSX FILE,
    all or nothing."""
    _set_up_django()
    from sightline.audit.context import AuditContext, Channel
    from sightline.common.errors import ServiceError
    from sightline.imports.services import import_file, write_problems
    from sightline.tenancy.access import Forbidden, NotFound, record_refusal

    user, agency = _actor_and_agency(username, agency_id)
    bars: dict[str, Any] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if quiet:
            return
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(
                total=total or None, desc=stage, unit="row", unit_scale=True, file=sys.stderr
            )
        bar.update(done - bar.n)

    try:
        report = import_file(
            by=user,
            agency=agency,
            kind=KINDS[kind],
            path=path,
            source_system=source_system,
            dry_run=dry_run,
            instrument_id=instrument_id,
            progress=progress,
            context=AuditContext(actor=user, channel=Channel.IMPORT),
        )
    except ServiceError as error:
        raise CommandError(error.message) from None
    except (NotFound, Forbidden) as error:
        record_refusal(error, AuditContext.cli(user))
        raise CommandError(str(error) or "not allowed") from None
    finally:
        for bar in bars.values():
            bar.close()
    if problems_path is not None:
        with problems_path.open("w", newline="", encoding="utf-8") as sink:
            write_problems(report.problems, sink)
    for problem in report.problems[:SHOWN_PROBLEMS]:
        click.echo(
            f"{problem.severity}: row {problem.row}, column {problem.column!r}, "
            f"value {problem.value!r}: {problem.reason}",
            err=True,
        )
    if len(report.problems) > SHOWN_PROBLEMS:
        click.echo(f"... and {len(report.problems) - SHOWN_PROBLEMS} more problems", err=True)
    summary = (
        f"{report.rows} rows: {len(report.errors)} errors, {len(report.warnings)} warnings, "
        f"{report.unchanged} already imported"
    )
    if report.errors:
        raise CommandError(f"{summary}; nothing was imported")
    if dry_run:
        click.echo(f"{summary}; dry run: nothing was written", err=True)
        return
    click.echo(
        f"{summary}; imported {report.created} ({report.affected_youth} youth schedules refreshed)",
        err=True,
    )


@click.command("export")
@click.option("--agency", "agency_id", type=int, required=True, help="Id of the agency exported.")
@click.option("--as", "username", required=True, help="Username of the person exporting.")
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "xlsx", "parquet"]),
    default="csv",
    show_default=True,
)
@click.option(
    "--output",
    "-o",
    "output_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (CSV and Parquet: a zip of one file per table).",
)
def export(agency_id: int, username: str, file_format: str, output_path: Path) -> None:
    """Export an agency's youth, intakes and final screenings (identified, for its own use)."""
    _set_up_django()
    from sightline.audit.context import AuditContext
    from sightline.common.errors import ServiceError
    from sightline.imports.exports import agency_export
    from sightline.tenancy.access import Forbidden, NotFound, record_refusal

    user, agency = _actor_and_agency(username, agency_id)
    partial = output_path.with_name(f".{output_path.name}.partial")
    try:
        with partial.open("wb") as sink:
            counts = agency_export(
                by=user,
                agency=agency,
                file_format=file_format,
                sink=sink,
                context=AuditContext.cli(user),
            )
        partial.replace(output_path)
    except ServiceError as error:
        raise CommandError(error.message) from None
    except (NotFound, Forbidden) as error:
        record_refusal(error, AuditContext.cli(user))
        raise CommandError(str(error) or "not allowed") from None
    except OSError as error:
        raise CommandError(f"cannot write {output_path}: {error.strerror}") from None
    finally:
        partial.unlink(missing_ok=True)
    shown = ", ".join(f"{count} {name}" for name, count in counts.items())
    click.echo(f"Exported {shown} -> {output_path}", err=True)
