"""Youth records and their intake episodes. Direct identifiers are encrypted at rest."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from sightline.privacy.fields import BlindIndexField, EncryptedJSONField, EncryptedTextField
from sightline.tenancy.models import Agency
from sightline.youth.choices import ExitReason, GenderIdentity
from sightline.youth.choices import RaceEthnicity as RaceEthnicity  # re-exported


class Youth(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="youth")
    # The pseudonymous id that analytics, exports and audit summaries use instead of a name.
    pseudonym = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    first_name = EncryptedTextField()
    last_name = EncryptedTextField()
    aliases = EncryptedJSONField(default=list, blank=True)  # list[str]
    date_of_birth = models.DateField()
    gender_identity = models.CharField(max_length=24, choices=GenderIdentity.choices)
    gender_self_description = EncryptedTextField(null=True, blank=True)
    race_ethnicity = models.JSONField(default=list, blank=True)  # list of RaceEthnicity codes
    preferred_language = models.CharField(max_length=64, blank=True)
    # Encrypted like the names, found through its blind-index digest (exact match on a normalised
    # form: case, accents and separators ignored). ADR 0011.
    case_number = EncryptedTextField(blank=True, default="")
    case_number_digest = BlindIndexField(source="case_number", db_index=True)
    high_risk = models.BooleanField(
        default=False, help_text="Considered at high risk: makes a youth under 10 eligible"
    )
    contact = EncryptedJSONField(null=True, blank=True)  # {"phone": ..., "address": ...}
    notes = EncryptedTextField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The search key (id) every blind-index token of this youth was last written under: a search-key
    # rotation rewrites the rows not under the current one (ADR 0011). Blank: not known (bulk writers).
    search_key_id = models.CharField(max_length=8, blank=True, default="", db_default="")
    # Optimistic locking, as on screening drafts: every edit names the version it read (ADR 0011).
    lock_version = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        verbose_name_plural = "youth"
        indexes = [models.Index(fields=["agency", "date_of_birth"])]

    def __str__(self) -> str:
        return f"Youth {self.pseudonym}"

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def age_on(self, day: dt.date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class YouthNameToken(models.Model):
    """Keyed hash of one normalised name token (first, last or alias) for exact search."""

    youth = models.ForeignKey(Youth, on_delete=models.CASCADE, related_name="name_tokens")
    digest = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["digest"])]
        constraints = [
            models.UniqueConstraint(fields=["youth", "digest"], name="youth_name_token_unique")
        ]


class IntakeEpisode(models.Model):
    """An episode of service at the agency: intake starts the screening clock, exit stops it."""

    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="intakes")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="intakes")
    program = models.CharField(max_length=100, blank=True)
    # The screener whose caseload this youth is on during the intake (their worklist and reminders).
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_intakes",
    )
    intake_on = models.DateField()
    exit_on = models.DateField(null=True, blank=True)
    # Blank on episodes closed before reasons were asked (and on bulk-written ones: db_default).
    exit_reason = models.CharField(
        max_length=24, choices=ExitReason.choices, blank=True, default="", db_default=""
    )
    exit_reason_text = models.CharField(max_length=200, blank=True, default="", db_default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-intake_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(exit_on__isnull=True) | Q(exit_on__gte=models.F("intake_on")),
                name="intake_exit_not_before_intake",
            ),
            # An open episode has no exit reason, and "other" always says why.
            models.CheckConstraint(
                condition=Q(exit_on__isnull=False) | Q(exit_reason="", exit_reason_text=""),
                name="intake_exit_reason_only_when_closed",
            ),
            models.CheckConstraint(
                condition=~Q(exit_reason=ExitReason.OTHER) | ~Q(exit_reason_text=""),
                name="intake_exit_other_says_why",
            ),
            # Due dates are counted from the open intake, so a youth has at most one.
            models.UniqueConstraint(
                fields=["youth"],
                condition=Q(exit_on__isnull=True),
                name="intake_one_open_per_youth",
            ),
        ]

    @property
    def is_open(self) -> bool:
        return self.exit_on is None
