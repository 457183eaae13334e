"""`manage.py schedule_refresh`: rebuild the stored schedule rows (after an import or a fix)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from sightline.scheduling.services import schedule_refresh
from sightline.youth.models import Youth


def _advance(bar: tqdm[None], n: int) -> None:
    bar.update(n)


class Command(BaseCommand):
    help = "Rebuild every youth's stored schedule rows (optionally of some agencies only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--agency", type=int, action="append", metavar="ID", help="agency id (repeatable)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        agency_ids = options["agency"]
        youth = Youth.objects.all()
        if agency_ids:
            youth = youth.filter(agency_id__in=agency_ids)
        with tqdm(
            total=youth.count(),
            unit="youth",
            desc="Schedule",
            file=self.stderr._out,
            disable=options["verbosity"] == 0,
        ) as bar:
            done = schedule_refresh(agency_ids=agency_ids, progress=lambda n: _advance(bar, n))
        self.stdout.write(f"Refreshed the schedule of {done} youth.")
