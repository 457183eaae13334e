"""Append-only, tamper-evident record of who saw or changed what.

The model refuses updates and deletes; on PostgreSQL a trigger refuses them in SQL too (migration
0006), except the one-time chaining of a pending event. `seq`, `prev_hash` and `hash` are the hash
chain (`audit.chain`): NULL until the event's transaction has committed and the event is chained.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from sightline.audit.choices import AuditAction


class AppendOnlyError(Exception):
    """Audit events are never changed or deleted."""


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit events cannot be updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEvent(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "tenancy.Agency", null=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(max_length=32)
    object_id = models.CharField(max_length=64)
    # Plain ids, not foreign keys: the log outlives and never cascades with the records it describes.
    youth_id = models.BigIntegerField(null=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True)
    user_agent = models.CharField(max_length=256, blank=True)
    path = models.CharField(max_length=512, blank=True)
    channel = models.CharField(max_length=8, default="system")  # audit.context.Channel
    request_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    # The hash chain (audit.chain): place, previous event's hash, this event's hash.
    seq = models.BigIntegerField(null=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    hash = models.CharField(max_length=64, blank=True, default="")

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # The events still to chain: a small partial index, read by every seal.
            models.Index(
                fields=["id"], condition=models.Q(seq__isnull=True), name="audit_event_unchained"
            ),
            models.Index(fields=["agency", "at"], name="audit_event_agency_at"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit events cannot be updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events cannot be deleted")
