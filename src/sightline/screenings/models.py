"""Screenings pinned to an instrument version, and the follow-up actions they call for."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from sightline.audit.models import AppendOnlyError
from sightline.privacy.fields import EncryptedTextField
from sightline.screenings.choices import (
    FollowUpKind,
    KnownFor,
    ReviewDecision,
    ScreeningMode,
    ScreeningReason,
    ScreeningStatus,
    VersionKind,
)
from sightline.screenings.choices import InformationSource as InformationSource  # re-exported
from sightline.tenancy.models import Agency, ScreenerRole
from sightline.youth.models import Youth


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
    reason_other = EncryptedTextField(null=True, blank=True)  # None when not given
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
    # An original has kind ORIGINAL and no reason (None); a new version says what it is and why.
    version_kind = models.CharField(
        max_length=10,
        choices=VersionKind.choices,
        default=VersionKind.ORIGINAL,
        db_default=VersionKind.ORIGINAL,  # bulk writers (COPY) leave it out
    )
    amendment_reason = EncryptedTextField(null=True, blank=True)
    # A double screen: another screener's independent rating of the same youth, for agreement
    # statistics; this row's own screener, role and information sources are the second screener's.
    rerates = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="rerated_by"
    )

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
            # Ciphertext of "" is not "", so the service refuses an empty reason and stores None
            # for none; the database guarantees that every new version has one.
            models.CheckConstraint(
                condition=Q(amends__isnull=True) | Q(amendment_reason__isnull=False),
                name="screening_amendment_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(amends__isnull=True, version_kind=VersionKind.ORIGINAL)
                | Q(
                    amends__isnull=False,
                    version_kind__in=[VersionKind.AMENDMENT, VersionKind.CORRECTION],
                ),
                name="screening_version_kind_matches_amends",
            ),
            # One open new version (amendment or correction) per screening at a time.
            models.UniqueConstraint(
                fields=["amends"],
                condition=Q(status="draft"),
                name="screening_one_open_amendment",
            ),
        ]

    def __str__(self) -> str:
        return f"Screening {self.pk} ({self.instrument_id}, {self.status})"


class FollowUpAction(models.Model):
    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="follow_ups")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32, choices=FollowUpKind.choices)
    description = EncryptedTextField(null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    outcome = EncryptedTextField(null=True, blank=True)
    # A mandated report's reference (the hotline's or police report number), kept with its outcome.
    reference = EncryptedTextField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["completed_on", "due_on"]
        indexes = [
            # Open follow-ups by due date: the worklists' and the digest's question.
            models.Index(
                fields=["agency", "due_on"],
                condition=Q(completed_on__isnull=True),
                name="followup_open_agency_due",
            ),
        ]


class ReviewQuerySet(models.QuerySet["ScreeningReview"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("screening reviews cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("screening reviews cannot be deleted")


class ScreeningReview(models.Model):
    """A supervisor's review of one final version of a screening. Append-only: a review never
    changes the screening and is never changed itself; the latest review of a version decides."""

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="reviews")
    # Denormalised from the screening so tenant scoping is one indexed filter.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=8, choices=ReviewDecision.choices)
    reason = EncryptedTextField(null=True, blank=True)  # required when returned
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        indexes = [
            models.Index(fields=["screening", "reviewed_at"], name="screening_review_by_version")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision=ReviewDecision.REVIEWED)
                | Q(decision=ReviewDecision.RETURNED, reason__isnull=False),
                name="screening_review_returned_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Review {self.pk} of screening {self.screening_id} ({self.decision})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("screening reviews cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("screening reviews cannot be deleted")
