"""What the REST API keeps: personal tokens, the first answer to each idempotent write, and the events
case systems sent. `sightline.api` never imports this module (the edge rule): it goes through
`services` and `selectors` here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from sightline.privacy.fields import EncryptedTextField
from sightline.tenancy.models import Agency


class ApiToken(models.Model):
    """A personal API token. Only the SHA-256 of the secret is stored (the secret is 256 random
    bits, so a plain hash is enough: there is nothing to brute-force); the person sees it once.

    Its rights are its scope (`agency_ids`, `permissions`) intersected with the owner's roles at the
    moment of each request, so removing a role or a membership takes effect at once.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)  # shown in lists, never enough to use
    digest = models.CharField(max_length=64, unique=True)
    agency_ids = models.JSONField(default=list)
    permissions = models.JSONField(default=list)  # Permission values
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "created_at"])]

    def __str__(self) -> str:
        return f"{self.prefix} ({self.name})"


class IdempotencyRecord(models.Model):
    """The first successful answer to a write sent with an `Idempotency-Key`, per actor.

    The unique constraint is what makes retries race-safe: a concurrent retry's insert waits for the
    first one's transaction and then fails, and the retry answers with the stored response.
    """

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    status_code = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    # The stored answer holds what the write returned (a youth's names, case number ...): encrypted
    # and row-bound like every identifier (base64 of the response bytes; NULL until the write ends).
    sealed_body = EncryptedTextField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["actor", "key"], name="idempotency_actor_key_unique")
        ]


class ReceivedEvent(models.Model):
    """One event a case system sent (`POST /api/events`), by the sender's own event id: the same id
    again changes nothing and gets the first outcome back."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=64)
    event_id = models.CharField(max_length=128)
    kind = models.CharField(max_length=32)
    fingerprint = models.CharField(max_length=64)
    youth_id = models.BigIntegerField(null=True, blank=True)
    outcome = models.JSONField(default=dict)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "source", "event_id"], name="received_event_unique"
            ),
            models.CheckConstraint(condition=~Q(event_id=""), name="received_event_id_given"),
        ]
