"""Deletion reasons and request states: plain enums, no model, so web/ may import them."""

from __future__ import annotations

from django.db import models


class DeletionReason(models.TextChoices):
    RETENTION = "retention", "The retention period has passed"
    ERROR = "error", "Entered in error"
    DUPLICATE = "duplicate", "A duplicate of another record"
    OTHER = "other", "Other (say why)"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a second admin"
    REJECTED = "rejected", "Rejected"
