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
    # Sign-in and account life cycle (security issue): each is an event of its own, never a detail.
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    LOCKOUT = "lockout", "Locked out"
    SIGN_OUT = "sign_out", "Signed out"
    PASSWORD = "password", "Password changed"
    MFA = "mfa", "Two-factor changed"
    TOKEN = "token", "API token changed"
    GRANT = "grant", "Access granted"
    IMPORT = "import", "Imported"
    DELETE = "delete", "Deleted"
