"""`manage.py reporting_rebuild`: rewrite every report rollup from the screening table.

Run it after a bulk path that bypasses the services (the generator, an import) or to repair a failed
subscriber; the pages keep showing the old figures until it commits.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from sightline.reporting.rollups import rebuild


class Command(BaseCommand):
    help = "Rebuild the report rollups from the screening table."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        bar = None if options["quiet"] else tqdm(unit="agency", desc="rollups")

        def progress(done: int, total: int) -> None:
            if bar is not None:
                bar.total = total
                bar.n = done
                bar.refresh()

        counted = rebuild(progress=progress)
        if bar is not None:
            bar.close()
        self.stdout.write(f"Rolled up {counted:,} current final screenings.")
