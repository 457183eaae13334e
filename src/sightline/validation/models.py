"""Criterion data: what another source (not the CSE-IT) recorded about a youth, for validation studies."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from sightline.tenancy.models import Agency
from sightline.validation.choices import CriterionKind
from sightline.youth.models import Youth


class CriterionRecord(models.Model):
    """One finding about one youth from a criterion source (e.g. a confirmed case in child welfare).

    `source` names where it comes from (a case system, an assessment tool); `kind` what it is."""

    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="criterion_records")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=64)
    kind = models.CharField(
        max_length=32,
        choices=CriterionKind.choices,
        default=CriterionKind.SUBSTANTIATED_ALLEGATION,
        db_default=CriterionKind.SUBSTANTIATED_ALLEGATION,  # bulk writers may leave it out
    )
    finding = models.BooleanField()
    recorded_on = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["youth", "recorded_on"])]

    def __str__(self) -> str:
        return f"Criterion {self.source} for youth {self.youth_id}"


class StudyStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Study(models.Model):
    """A saved validation study over de-identified data: its parameters, the SHA-256 of the exact
    de-identified input rows it read, and its result (JSON of figures only, never an identifier).

    A re-run is a new row pointing at the study it repeats (`rerun_of`), so both results stay and the
    re-run says whether the data changed (another hash) or the study reproduced (the same hash).
    """

    instrument_id = models.CharField(max_length=64)
    instrument_version = models.CharField(max_length=64)
    period_start = models.DateField()
    period_end = models.DateField()
    # The agencies whose data it reads; a person sees the study only with VALIDATION_STUDY at all.
    agency_ids = models.JSONField(default=list)
    criterion_source = models.CharField(max_length=64)
    # "" reads every kind of finding the source records; otherwise one `CriterionKind`.
    criterion_kind = models.CharField(
        max_length=32, choices=CriterionKind.choices, blank=True, default="", db_default=""
    )
    window_days = models.PositiveIntegerField()
    agreement_window_days = models.PositiveIntegerField()
    status = models.CharField(max_length=8, choices=StudyStatus.choices, default=StudyStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    stage = models.CharField(max_length=64, blank=True)
    snapshot_sha256 = models.CharField(max_length=64, blank=True)
    rows = models.PositiveIntegerField(default=0)  # de-identified input rows hashed
    result = models.JSONField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    rerun_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reruns"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "studies"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_start__lte=models.F("period_end")),
                name="study_period_in_order",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done")
                | (models.Q(result__isnull=False) & ~models.Q(snapshot_sha256="")),
                name="study_done_has_result_and_hash",
            ),
        ]

    def __str__(self) -> str:
        return f"Study {self.pk} ({self.instrument_id}@{self.instrument_version}, {self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (StudyStatus.DONE, StudyStatus.FAILED)
