"""`sightline report`: a programme dashboard's figures, as the page and the API show them.

sightline report --as USER agency 12 [--period year --start 2026-01-01] [--format csv|json] [--out F]
sightline report --as USER state CA ...        sightline report --as USER county 3 ...

The same `reporting.viewing` read as the page (audited, on the `cli` channel, under the named
person's roles), written as the CSV export or as the API's JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import click

from sightline.cli.errors import CommandError


def _set_up_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sightline.config.settings")
    import django

    django.setup()


def _json_default(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


@click.command()
@click.option("--as", "username", required=True, help="Username of the person reading the report.")
@click.argument("level", type=click.Choice(["agency", "county", "state"]))
@click.argument("key")
@click.option(
    "--period", type=click.Choice(["year", "quarter", "month"]), default="year", show_default=True
)
@click.option(
    "--start",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m"]),
    help="Any day of the period (default: today).",
)
@click.option(
    "--format", "file_format", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path))
def report(
    username: str,
    level: str,
    key: str,
    period: str,
    start: dt.datetime | None,
    file_format: str,
    out_path: Path | None,
) -> None:
    """Print (or write to --out) the figures of an agency's, a county's or a state's dashboard."""
    _set_up_django()
    from django.utils import timezone

    from sightline.audit.context import AuditContext
    from sightline.reporting import exports
    from sightline.reporting.scope import period_of
    from sightline.reporting.viewing import scope_for, view_dashboard
    from sightline.tenancy.access import Forbidden, NotFound, record_refusal
    from sightline.tenancy.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"no active user {username!r}")
    context = AuditContext.cli(user)
    today = timezone.localdate()
    try:
        board = view_dashboard(
            user=user,
            scope=scope_for(user, level, key),
            period=period_of(period, start.date() if start else today),
            today=today,
            context=context,
        )
    except (NotFound, Forbidden) as refused:
        record_refusal(refused, context)
        raise CommandError(str(refused)) from None
    if file_format == "json":
        text = json.dumps(exports.dashboard_data(board), indent=1, default=_json_default) + "\n"
    else:
        text = exports.dashboard_csv(board)
    if out_path is None:
        click.echo(text, nl=False)
    else:
        out_path.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {out_path} ({board.scope.label}, {board.period.label}).", err=True)
