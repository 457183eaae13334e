"""`manage.py demo_load`: synthetic demo data for `make demo`; a second run changes nothing."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from sightline.demo.builder import DEMO_PASSWORD, demo_load, is_loaded


class Command(BaseCommand):
    help = "Load synthetic demo agencies, people, youth and screenings (does nothing if already loaded)."

    def handle(self, *args: Any, **options: Any) -> None:
        if is_loaded():
            self.stdout.write("Demo data is already loaded; nothing to do.")
            return
        started = time.perf_counter()
        accounts = demo_load()
        seconds = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {seconds:.1f} s."))
        width_user = max(len("username"), *(len(a.username) for a in accounts))
        width_role = max(len("role"), *(len(a.role) for a in accounts))
        self.stdout.write("")
        self.stdout.write(f"{'username':<{width_user}}  {'role':<{width_role}}  agency")
        self.stdout.write(f"{'-' * width_user}  {'-' * width_role}  {'-' * 6}")
        for account in accounts:
            self.stdout.write(
                f"{account.username:<{width_user}}  {account.role:<{width_role}}  {account.agency}"
            )
        self.stdout.write("")
        self.stdout.write(f"Every demo account's password: {DEMO_PASSWORD}")
        self.stdout.write("The data is synthetic; never enter real youth data into the demo.")
