"""`manage.py instruments_sync`: install every definition file from the bundled folder and
SIGHTLINE_INSTRUMENT_DIRS (and any --dir) into the catalog; refuse broken or changed files."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sightline.catalog.services import sync_installed


class Command(BaseCommand):
    help = (
        "Validate and install every instrument definition file (bundled, SIGHTLINE_INSTRUMENT_DIRS, "
        "--dir). A broken file, or a changed copy of an installed version, is refused and reported; "
        "the others are installed. Exits with an error when any file was refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir", action="append", default=[], help="another folder of definition files"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = sync_installed(search_dirs=options["dir"])
        for outcome in report.installed:
            d = outcome.definition
            verb = "Installed" if outcome.created else "Already installed"
            self.stdout.write(f"{verb}: {d.id} {d.version} ({d.versioned_url})")
        for error in report.refused:
            self.stderr.write(f"Refused: {error}")
        if report.refused:
            count = len(report.refused)
            raise CommandError(
                f"{count} definition file{'s were' if count > 1 else ' was'} refused; nothing was "
                "installed for them"
            )
