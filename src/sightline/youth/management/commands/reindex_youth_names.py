"""`manage.py reindex_youth_names`: rewrite every youth's name-search tokens (after ADR 0009's prefix
tokens arrived, or after a change of search key)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sightline.youth.services import youth_reindex_names


class Command(BaseCommand):
    help = "Rewrite the blind index of youth names from the encrypted names."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        done = youth_reindex_names(batch_size=options["batch_size"])
        self.stdout.write(f"Re-indexed the names of {done} youth.")
