"""`manage.py send_reminders`: today's reminder digests, now or queued for `manage.py db_worker`."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from sightline.scheduling.reminders import candidates, send_reminder_digests
from sightline.scheduling.tasks import send_reminders_task


def parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date {value!r} is not a date; use YYYY-MM-DD.") from None


def _advance(bar: tqdm[None], n: int) -> None:
    bar.update(n)


class Command(BaseCommand):
    help = "E-mail each screener a digest of their overdue and due-this-week youth (once a day)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the day to send for, YYYY-MM-DD (default: today)")
        parser.add_argument("--dry-run", action="store_true", help="report only; send nothing")
        parser.add_argument(
            "--enqueue", action="store_true", help="queue the run for `manage.py db_worker`"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = parse_date(options["date"]) if options["date"] else timezone.localdate()
        if options["enqueue"]:
            if options["dry_run"]:
                raise CommandError("--dry-run cannot be combined with --enqueue.")
            result = send_reminders_task.enqueue(today.isoformat())
            self.stdout.write(
                f"Queued reminder digests for {today.isoformat()} (task {result.id})."
            )
            return
        with tqdm(
            total=len(candidates(today=today)),
            unit="user",
            desc="Reminders",
            file=self.stderr._out,
            disable=options["verbosity"] == 0,
        ) as bar:
            report = send_reminder_digests(
                today=today, dry_run=options["dry_run"], progress=lambda n: _advance(bar, n)
            )
        self.stdout.write(json.dumps(report.as_dict(), indent=2))
        if report.failed:
            self.stderr.write(f"{len(report.failed)} digest(s) failed; rerun to retry them.")
