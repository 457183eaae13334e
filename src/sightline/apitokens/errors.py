"""The API's own refusals: message constants the tests import."""

from __future__ import annotations

from sightline.common.errors import ServiceError

TOKEN_NAME_REQUIRED = "Give the token a name, so you know later what it is for."
TOKEN_NAME_TOO_LONG = "The name is longer than {max_length} characters."
TOKEN_AGENCIES_REQUIRED = "Choose at least one agency the token may act for."
TOKEN_AGENCY_NOT_YOURS = "You are not a member of agency {agency_id}."
TOKEN_PERMISSIONS_REQUIRED = "Choose at least one permission for the token."
TOKEN_UNKNOWN_PERMISSION = "Unknown permission {permission!s}."
TOKEN_PERMISSION_NOT_YOURS = "None of your roles at the chosen agencies grants {permission!s}."
TOKEN_BAD_LIFETIME = "A token lasts between 1 and {max_days} days."
NO_SUCH_TOKEN = "No such token."
TOKEN_ALREADY_REVOKED = "This token was already revoked."

IDEMPOTENCY_KEY_INVALID = "An Idempotency-Key is 1 to 255 visible ASCII characters."
IDEMPOTENCY_KEY_REUSED = (
    "This Idempotency-Key was used for a different request; use a new key for a new request."
)
EVENT_ID_REUSED = "Event {event_id!s} from {source!s} was already received with different content."
INVALID_CURSOR = "The cursor is not one this list gave out."


class TokenError(ServiceError):
    """A token change that breaks a rule; nothing was written."""


class IdempotencyError(ServiceError):
    """A retried write that does not match the request first sent with its key."""
