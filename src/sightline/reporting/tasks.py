"""Background tasks of the reports, run by `manage.py db_worker` (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from sightline.reporting.exports import prepare_export


@task()
def prepare_export_task(token: str) -> str:
    """Prepare one queued export; the token is text so the task arguments stay JSON."""
    prepare_export(token)
    return token
