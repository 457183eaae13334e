"""Background tasks of validation studies, run by `manage.py db_worker` (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from sightline.validation.studio import study_execute


@task()
def study_run_task(study_id: int) -> str:
    """Run one queued study; the study row carries its progress, snapshot hash and result."""
    return study_execute(study_id)
