"""The natural key of imported records, and one row per import run (for the upload page's progress)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from sightline.privacy.fields import EncryptedJSONField
from sightline.tenancy.models import Agency


class ObjectType(models.TextChoices):
    YOUTH = "youth", "Youth"
    INTAKE = "intake", "Intake"
    SCREENING = "screening", "Screening"
    CRITERION = "criterion", "Criterion record"  # imports/criteria.py


class ExternalKey(models.Model):
    """Which record an agency's source system calls `external_id`: re-importing a row finds it here
    and changes nothing. Unique per agency, so two agencies' case systems may reuse the same ids."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    source_system = models.CharField(max_length=64)
    object_type = models.CharField(max_length=16, choices=ObjectType.choices)
    external_id = models.CharField(max_length=128)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "source_system", "object_type", "external_id"],
                name="external_key_unique",
            ),
        ]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.source_system}:{self.object_type}:{self.external_id}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    FAILED = "failed", "Problems found: nothing imported"
    DONE = "done", "Imported"
    CHECKED = "checked", "Checked (dry run): nothing imported"


class ImportRun(models.Model):
    """One import of one file; the upload page polls it while the background task runs."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=ObjectType.choices)
    source_system = models.CharField(max_length=64)
    file_name = models.CharField(max_length=255)
    stored_path = models.CharField(max_length=1024, blank=True)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(
        max_length=8, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    rows_total = models.IntegerField(default=0)
    rows_done = models.IntegerField(default=0)
    created = models.IntegerField(default=0)
    unchanged = models.IntegerField(default=0)
    # [[row, column, value, reason, severity]]: a value is a cell of the file (a name, a case number),
    # so the report is encrypted like the youth's own fields (issue 18).
    problems = EncryptedJSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.kind}, {self.status})"
