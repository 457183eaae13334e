"""Background tasks of imports, run by `manage.py db_worker` (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from sightline.imports.runs import import_run_execute


@task()
def import_run_task(run_id: int) -> str:
    """Check and write one uploaded file; the run row carries progress and problems."""
    return import_run_execute(run_id)
