"""What an audit event records: a plain enum, no model, so web/ and api/ may import it."""

from __future__ import annotations

from django.db import models


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    FINALIZE = "finalize", "Finalized"
    AMEND = "amend", "Amended"
    EXPORT = "export", "Exported"
    PRINT = "print", "Printed"
    SEARCH = "search", "Searched"
    DENIED = "denied", "Access denied"
