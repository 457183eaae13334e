"""Background tasks of the schedule, run by `manage.py db_worker` (django-tasks)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_tasks import task

from sightline.scheduling.reminders import send_reminder_digests


@task()
def send_reminders_task(today_iso: str | None = None) -> dict[str, Any]:
    """Send today's reminder digests; the date is passed as text so the task arguments stay JSON."""
    today = dt.date.fromisoformat(today_iso) if today_iso else timezone.localdate()
    return send_reminder_digests(today=today).as_dict()
