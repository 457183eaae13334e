"""Imports started from the upload page: the file is stored, a run row made, and a background task
(django-tasks, like `scheduling.tasks`) checks and writes it while the page shows its progress."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sightline.audit.context import AuditContext, Channel
from sightline.common.errors import ServiceError
from sightline.imports.files import FORMATS
from sightline.imports.models import ImportRun, ImportStatus, ObjectType
from sightline.imports.services import import_file
from sightline.tenancy import access
from sightline.tenancy.models import Agency, User
from sightline.tenancy.permissions import Permission

DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
TOO_LARGE = "The file is larger than {limit} MB; split it, or import it with `sightline import`."
WRONG_TYPE = "Upload a CSV (UTF-8 text) or an XLSX workbook."
PROGRESS_EVERY = 5_000


class UploadError(ServiceError):
    """An upload refused before anything was stored."""


def max_upload_bytes() -> int:
    return int(getattr(settings, "SIGHTLINE_IMPORT_MAX_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def _upload_folder() -> Path:
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def check_upload(name: str, size: int, head: bytes) -> str:
    """The file's suffix if it may be uploaded: by size, by name and by its first bytes (an XLSX is a
    zip; a CSV is UTF-8 text without NUL bytes), so a renamed executable is refused."""
    if size > max_upload_bytes():
        raise UploadError(TOO_LARGE, field="file", limit=max_upload_bytes() // (1024 * 1024))
    suffix = Path(name).suffix.lower()
    if suffix not in FORMATS:
        raise UploadError(WRONG_TYPE, field="file")
    if suffix == ".xlsx" and not head.startswith(b"PK\x03\x04"):
        raise UploadError(WRONG_TYPE, field="file")
    if suffix == ".csv":
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the sample is fine.
            if error.start < len(head) - 3:
                raise UploadError(WRONG_TYPE, field="file") from None
        if b"\x00" in head:
            raise UploadError(WRONG_TYPE, field="file")
    return suffix


def import_run_start(
    *,
    by: User,
    agency: Agency,
    kind: str,
    source_system: str,
    upload: Any,
    dry_run: bool,
    context: AuditContext | None = None,
) -> ImportRun:
    """Store `upload` (a Django UploadedFile) and queue its import; the task does the rest."""
    access.require(
        by,
        Permission.DATA_IMPORT,
        agency_id=agency.pk,
        object_type="agency",
        object_id=agency.pk,
    )
    if kind not in ObjectType.values:
        raise UploadError("Choose youth, intake or screening.", field="kind")
    head = next(upload.chunks(4096), b"")[:4096]
    suffix = check_upload(upload.name, upload.size, head)
    stored = _upload_folder() / f"{uuid.uuid4().hex}{suffix}"
    with stored.open("wb") as sink:
        for chunk in upload.chunks():
            sink.write(chunk)
    run = ImportRun.objects.create(
        agency=agency,
        kind=kind,
        source_system=source_system.strip()[:64],
        file_name=Path(upload.name).name[:255],
        stored_path=str(stored),
        dry_run=dry_run,
        created_by=by,
    )
    from sightline.imports.tasks import import_run_task

    transaction.on_commit(lambda: import_run_task.enqueue(run.pk))
    return run


def import_run_execute(run_id: int) -> str:
    """Run the import of `run_id` (the task body): progress and the outcome go on the run row."""
    run = ImportRun.objects.select_related("agency", "created_by").get(pk=run_id)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.RUNNING)

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "checking" and done % PROGRESS_EVERY > PROGRESS_EVERY // 4:
            return
        ImportRun.objects.filter(pk=run.pk).update(rows_done=done, rows_total=total or done)

    path = Path(run.stored_path)
    try:
        report = import_file(
            by=run.created_by,
            agency=run.agency,
            kind=run.kind,
            path=path,
            source_system=run.source_system,
            dry_run=run.dry_run,
            progress=progress,
            context=AuditContext(actor=run.created_by, channel=Channel.IMPORT),
        )
    except ServiceError as error:
        problems = [[0, "", "", error.message, "error"]]
        status = ImportStatus.FAILED
        counts = {"rows_total": 0, "created": 0, "unchanged": 0}
    else:
        problems = [p.as_list() for p in report.problems]
        status = (
            ImportStatus.FAILED
            if report.errors
            else ImportStatus.CHECKED
            if report.dry_run
            else ImportStatus.DONE
        )
        counts = {
            "rows_total": report.rows,
            "created": report.created,
            "unchanged": report.unchanged,
        }
    finally:
        path.unlink(missing_ok=True)  # the upload is identified data: keep it no longer than needed
    ImportRun.objects.filter(pk=run.pk).update(
        status=status,
        problems=problems,
        rows_done=counts["rows_total"],
        finished_at=timezone.now(),
        stored_path="",
        **counts,
    )
    return str(status)
