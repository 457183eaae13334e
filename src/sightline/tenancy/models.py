"""Counties, agencies, people, their role in each agency, and their CSE-IT training."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from sightline.tenancy.choices import AgencyType, Role, ScreenerRole


class User(AbstractUser):
    """A person who signs in. Their access comes from memberships, never from the user row itself."""

    email = models.EmailField(unique=True, null=True, blank=True)

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

    class Meta:
        ordering = ["agency__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="membership_one_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.agency}"


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

    class Meta:
        ordering = ["-trained_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("trained_on")),
                name="training_expires_after_trained",
            )
        ]

    def is_current_on(self, day: dt.date) -> bool:
        return self.trained_on <= day and (self.expires_on is None or day <= self.expires_on)
