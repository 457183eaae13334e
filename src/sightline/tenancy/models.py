"""Counties, agencies, people, their role in each agency, and their CSE-IT training."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sightline.privacy.fields import EncryptedTextField
from sightline.tenancy.choices import AgencyType, Role, ScreenerRole


class User(AbstractUser):
    """A person who signs in. Their access comes from memberships, never from the user row itself."""

    email = models.EmailField(unique=True, null=True, blank=True)
    # The language of every page and e-mail for this person (a code of settings.LANGUAGES); empty
    # means "the browser's language" (Accept-Language). Set on the account page, whose form offers
    # settings.LANGUAGES (no choices here, so adding a language needs no migration).
    language = models.CharField(_("language"), max_length=8, blank=True, default="", db_default="")

    def save(self, *args: object, **kwargs: object) -> None:
        # "" would collide under the unique constraint; no address is NULL, which never collides.
        self.email = self.email or None
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class County(models.Model):
    name = models.CharField(max_length=100)
    state = models.CharField(max_length=2, help_text="Two-letter state code")

    class Meta:
        verbose_name_plural = "counties"
        ordering = ["state", "name"]
        constraints = [models.UniqueConstraint(fields=["state", "name"], name="county_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} County, {self.state}"


class Agency(models.Model):
    name = models.CharField(max_length=200)
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="agencies")
    type = models.CharField(max_length=32, choices=AgencyType.choices)
    active = models.BooleanField(default=True)
    # The retention rule (issue 18, point 9; docs/security.md): a youth's record may be deleted, through
    # the two-person deletion workflow, once this many years have passed since their last intake closed.
    retention_years = models.PositiveSmallIntegerField(
        default=7,
        db_default=7,  # bulk writers (the synthetic population's COPY) leave it out
        help_text="Years after a youth's last intake closes that their record is kept",
    )

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="agency_unique_name_in_county")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """One person's role in one agency. Access to youth data is decided from these rows only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    screener_role = models.CharField(
        max_length=32,
        choices=ScreenerRole.choices,
        blank=True,
        help_text="Default professional role suggested on this person's screenings",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Two-person rule (issue 18, point 8): a role given or widened by a system admin in the admin site
    # waits, inactive, until someone else approves it (an administrator of the agency, or another
    # system admin when the agency has none). Set while it waits; cleared when approved or declined.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agency__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="membership_one_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.agency}"

    @property
    def awaiting_approval(self) -> bool:
        """Given in the admin site and not yet approved by a second person: grants nothing."""
        return self.requested_at is not None


class TrainingRecord(models.Model):
    """CSE-IT training of one person for one instrument; finalizing requires a current record."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_records"
    )
    instrument_id = models.CharField(max_length=64)
    trained_on = models.DateField()
    trainer = models.CharField(max_length=200)
    expires_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    # "Requires re-training" (administration.people): from this day on the record no longer counts, so the
    # person cannot finalize until a new record, trained on or after it, is entered. Screenings
    # finalized before it keep the training they were made under.
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-trained_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("trained_on")),
                name="training_expires_after_trained",
            )
        ]

    def is_current_on(self, day: dt.date) -> bool:
        return (
            self.trained_on <= day
            and (self.expires_on is None or day <= self.expires_on)
            and (self.withdrawn_on is None or day < self.withdrawn_on)
        )


class BreakGlassGrant(models.Model):
    """Emergency read access of a privileged person to an agency they hold no role in (HIPAA
    164.312(a)(2)(ii)). Not a membership: it grants the read-only `break_glass` role only between
    `starts_at` and `expires_at` (or until `ended_at`), so nothing outlives it; made only by
    `tenancy.breakglass.break_glass_open`, which audits it and alerts the agency's admins."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # Free text a person typed (it may name someone): encrypted like every other.
    reason = EncryptedTextField()
    starts_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["user", "expires_at"], name="breakglass_user_expires")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("starts_at")), name="breakglass_expires_after"
            )
        ]

    def __str__(self) -> str:
        return f"Break-glass {self.pk}: {self.user} at {self.agency} until {self.expires_at}"
