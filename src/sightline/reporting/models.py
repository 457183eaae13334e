"""Rollups: counts of current final screenings, kept per agency and calendar month.

A screening counts once, as its current version (the latest final version of its chain); an amendment
replaces the version it amends in the counts. Every row of a rollup belongs to one (agency, month)
slice, and a slice is always rewritten whole from the screening table (`rollups.refresh_slice`), so a
retried or duplicated refresh can never count a screening twice.

The group dimensions are stored long, one row per (dimension, value): a screening adds one to the
"all" row and one to its row of each dimension, so a state's figures by gender, age band and so on
are sums over at most a few hundred rows per agency and month instead of a scan of every screening.
"""

from __future__ import annotations

from django.db import models

from sightline.tenancy.models import Agency


class Dimension(models.TextChoices):
    ALL = "all", "All screenings"
    GENDER = "gender", "Gender"
    AGE_BAND = "age_band", "Age band"
    RACE = "race", "Race/ethnicity"
    SCREENER_ROLE = "screener_role", "Screener role"
    PROGRAM = "program", "Program"
    INSTRUMENT = "instrument", "Instrument"


class ScreeningRollup(models.Model):
    """How many current final screenings of one agency, month, instrument and level fall in one group."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(help_text="First day of the calendar month of the screening date")
    instrument_id = models.CharField(max_length=64)
    level = models.CharField(max_length=32)
    dimension = models.CharField(max_length=16, choices=Dimension.choices)
    value = models.CharField(max_length=100, blank=True)
    screenings = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "month", "instrument_id", "level", "dimension", "value"],
                name="screening_rollup_one_row_per_cell",
            )
        ]
        indexes = [
            models.Index(fields=["dimension", "month"], name="screening_rollup_by_dimension"),
            models.Index(fields=["agency", "dimension", "month"], name="screening_rollup_agency"),
        ]


class IndicatorMeasure(models.TextChoices):
    PRESENT_AT_CLEAR = (
        "present_at_clear",
        "Rated possible or clear concern, in clear-concern screenings",
    )
    NOT_ENOUGH_INFORMATION = "nei", "Rated 'not enough information', in any screening"


class IndicatorRollup(models.Model):
    """How often one key indicator got one kind of rating, per agency, month and group."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    instrument_id = models.CharField(max_length=64)
    measure = models.CharField(max_length=16, choices=IndicatorMeasure.choices)
    dimension = models.CharField(max_length=16, choices=Dimension.choices)
    value = models.CharField(max_length=100, blank=True)
    indicator_id = models.CharField(max_length=64)
    screenings = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "agency",
                    "month",
                    "instrument_id",
                    "measure",
                    "dimension",
                    "value",
                    "indicator_id",
                ],
                name="indicator_rollup_one_row_per_cell",
            )
        ]
        indexes = [models.Index(fields=["measure", "month"], name="indicator_rollup_by_measure")]


class PeriodKind(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"
    YEAR = "year", "Year"


class YouthRollup(models.Model):
    """How many youth of one agency had at least one current final screening in a period, by the
    highest level of concern among them. Distinct youth do not add up over months, so each period
    kind (month, quarter, year) is kept; youth of two agencies are two records, so agencies add up."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=8, choices=PeriodKind.choices)
    start = models.DateField()
    highest_level = models.CharField(max_length=32)
    youth = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "period", "start", "highest_level"],
                name="youth_rollup_one_row_per_cell",
            )
        ]
        indexes = [models.Index(fields=["period", "start"], name="youth_rollup_by_period")]


class FollowUpRollup(models.Model):
    """How many current final screenings of one agency, month, instrument and level had their first
    follow-up action completed after `days` days: the follow-up figures
    and their medians are sums over these rows, never a join of screenings with follow-ups. Not yet
    followed up: `followed_up` false and `days` 0."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    instrument_id = models.CharField(max_length=64)
    level = models.CharField(max_length=32)
    followed_up = models.BooleanField()
    days = models.IntegerField()
    screenings = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "month", "instrument_id", "level", "followed_up", "days"],
                name="followup_rollup_one_row_per_cell",
            )
        ]
        indexes = [models.Index(fields=["month", "agency"], name="followup_rollup_by_month")]


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Being prepared"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class ReportExport(models.Model):
    """One requested export (CSV, XLSX or PDF) of one report, prepared by a background task.

    The file is kept in the database, not on a local disk, so any web process can hand it out; only
    the person who asked for it may download it (`exports.export_for_user`).
    """

    token = models.UUIDField(unique=True)
    requested_by = models.ForeignKey("tenancy.User", on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=8)
    key = models.CharField(max_length=16)
    period = models.CharField(max_length=8, choices=PeriodKind.choices)
    start = models.DateField()
    format = models.CharField(max_length=4)
    status = models.CharField(
        max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    done_steps = models.PositiveIntegerField(default=0)
    total_steps = models.PositiveIntegerField(default=1)
    filename = models.CharField(max_length=200, blank=True)
    content = models.BinaryField(null=True, blank=True)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "created_at"], name="report_export_mine")]


class RollupBacklog(models.Model):
    """An agency-month whose rollups a change has made stale: the next read of a report rewrites it.

    A finalize marks its slice here (one INSERT) instead of rewriting the slice itself, so a busy
    agency's screeners never wait for each other, nor for a month of screenings to be recounted, to
    finish their work; `rollups.catch_up` rewrites what is marked before any figure is read.
    """

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "month"], name="rollup_backlog_once")
        ]
