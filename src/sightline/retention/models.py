"""A request to delete one youth's record, waiting for a second agency admin.

An approved request is deleted with the youth (it is one of the youth's rows); what remains is the
audit trail of the request and of the deletion, which names ids and reason codes only. A rejected
request stays, for the record, until the youth is deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from sightline.privacy.fields import EncryptedTextField
from sightline.retention.choices import DeletionReason, RequestStatus
from sightline.tenancy.models import Agency
from sightline.youth.models import Youth


class DeletionRequest(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="deletion_requests")
    reason = models.CharField(max_length=16, choices=DeletionReason.choices)
    # Free text may name the youth: encrypted, never copied into an audit event, deleted with them.
    note = EncryptedTextField(null=True, blank=True)
    status = models.CharField(
        max_length=8, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["youth"],
                condition=Q(status="pending"),
                name="deletion_one_pending_per_youth",
            ),
        ]
