"""Screenings pinned to an instrument version, and the follow-up actions they call for."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from sightline.privacy.fields import EncryptedTextField
from sightline.tenancy.models import Agency, ScreenerRole
from sightline.youth.models import Youth


class ScreeningStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    FINAL = "final", "Finalized"
    VOIDED = "voided", "Voided"


class ScreeningReason(models.TextChoices):
    INTAKE = "intake", "Intake"
    RESCREEN = "rescreen", "Scheduled rescreen"
    RUNAWAY_RETURN = "runaway_return", "Return from a runaway or missing episode"
    NEW_INFORMATION = "new_information", "New information"
    OTHER = "other", "Other"


class InformationSource(models.TextChoices):
    YOUTH_CONVERSATION = "youth_conversation", "Conversation with the youth"
    OBSERVATION = "observation", "Observation"
    RECORDS = "records", "Records from other sources"
    CAREGIVER = "caregiver", "Caregiver"
    SOCIAL_WORKER = "social_worker", "Social worker"
    TEACHER = "teacher", "Teacher"
    OTHER_COLLATERAL = "other_collateral", "Other collateral"


class KnownFor(models.TextChoices):
    """How long the screener has known the youth; scores legitimately differ with it."""

    UNDER_A_DAY = "under_day", "Less than a day"
    UNDER_A_WEEK = "under_week", "A day to a week"
    UNDER_A_MONTH = "under_month", "A week to a month"
    UNDER_SIX_MONTHS = "under_6_months", "One to six months"
    UNDER_A_YEAR = "under_year", "Six months to a year"
    YEAR_OR_MORE = "year_or_more", "A year or more"


class ScreeningMode(models.TextChoices):
    FULL = "full", "Key indicators with supporting statements"
    FLUENT = "fluent", "Fluent: key indicators only"


class Screening(models.Model):
    """One version of one screening. A final row is never edited; an amendment is a new row."""

    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="screenings")
    # Denormalised from youth so tenant scoping is one indexed filter.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="screenings")
    instrument_id = models.CharField(max_length=64)
    instrument_version = models.CharField(max_length=64)
    instrument_sha256 = models.CharField(max_length=64)
    status = models.CharField(
        max_length=8, choices=ScreeningStatus.choices, default=ScreeningStatus.DRAFT
    )
    reason = models.CharField(max_length=20, choices=ScreeningReason.choices)
    reason_other = models.CharField(max_length=200, blank=True)
    information_sources = models.JSONField(default=list, blank=True)  # InformationSource codes
    screener = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    screener_role = models.CharField(max_length=32, choices=ScreenerRole.choices)
    known_for = models.CharField(max_length=16, choices=KnownFor.choices)
    mode = models.CharField(max_length=8, choices=ScreeningMode.choices, default=ScreeningMode.FULL)
    screened_on = models.DateField(help_text="Date of the contact the screening is based on")
    indicator_ratings = models.JSONField(default=dict, blank=True)  # indicator id -> code
    statement_answers = models.JSONField(default=dict, blank=True)  # statement id -> code
    total = models.IntegerField(null=True, blank=True)
    level = models.CharField(max_length=32, blank=True)  # level code from the definition
    rated_count = models.IntegerField(default=0)
    notes = EncryptedTextField(null=True, blank=True)
    # Optimistic locking: every save must name the version it read.
    lock_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finalized_at = models.DateTimeField(null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # All versions of one screening share a chain; an amendment points at the version it replaces.
    chain = models.UUIDField(default=uuid.uuid4, db_index=True)
    amends = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="amendments"
    )
    amendment_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-screened_on", "-id"]
        indexes = [
            models.Index(fields=["agency", "status", "screened_on"]),
            models.Index(fields=["youth", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(status="final", finalized_at__isnull=False, finalized_by__isnull=False)
                    | (~Q(status="final") & Q(finalized_at__isnull=True, finalized_by__isnull=True))
                ),
                name="screening_final_iff_finalized",
            ),
            models.CheckConstraint(
                condition=Q(amends__isnull=True) | ~Q(amendment_reason=""),
                name="screening_amendment_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Screening {self.pk} ({self.instrument_id}, {self.status})"


class FollowUpKind(models.TextChoices):
    SUPERVISOR_CONSULT = "supervisor_consult", "Consult supervisor"
    REFERRAL = "referral", "Referral to specialised services"
    HOTLINE_REPORT = "hotline_report", "Report to the child abuse hotline"
    LAW_ENFORCEMENT_REPORT = "law_enforcement_report", "Report to law enforcement"
    SAFETY_PLAN = "safety_plan", "Safety plan"
    OTHER = "other", "Other"


class FollowUpAction(models.Model):
    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="follow_ups")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32, choices=FollowUpKind.choices)
    description = EncryptedTextField(null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    outcome = EncryptedTextField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["completed_on", "due_on"]
