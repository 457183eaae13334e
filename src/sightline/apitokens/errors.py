"""The API's own refusals: message constants the tests import."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from sightline.common.errors import ServiceError

TOKEN_NAME_REQUIRED = gettext_noop("Give the token a name, so you know later what it is for.")
TOKEN_NAME_TOO_LONG = gettext_noop("The name is longer than {max_length} characters.")
TOKEN_AGENCIES_REQUIRED = gettext_noop("Choose at least one agency the token may act for.")
TOKEN_AGENCY_NOT_YOURS = gettext_noop("You are not a member of agency {agency_id}.")
TOKEN_PERMISSIONS_REQUIRED = gettext_noop("Choose at least one permission for the token.")
TOKEN_UNKNOWN_PERMISSION = gettext_noop("Unknown permission {permission!s}.")
TOKEN_PERMISSION_NOT_YOURS = gettext_noop(
    "None of your roles at the chosen agencies grants {permission!s}."
)
TOKEN_BAD_LIFETIME = gettext_noop("A token lasts between 1 and {max_days} days.")
NO_SUCH_TOKEN = gettext_noop("No such token.")
TOKEN_ALREADY_REVOKED = gettext_noop("This token was already revoked.")

IDEMPOTENCY_KEY_INVALID = gettext_noop("An Idempotency-Key is 1 to 255 visible ASCII characters.")
IDEMPOTENCY_KEY_REUSED = gettext_noop(
    "This Idempotency-Key was used for a different request; use a new key for a new request."
)
EVENT_ID_REUSED = gettext_noop(
    "Event {event_id!s} from {source!s} was already received with different content."
)
INVALID_CURSOR = gettext_noop("The cursor is not one this list gave out.")


class TokenError(ServiceError):
    """A token change that breaks a rule; nothing was written."""


class IdempotencyError(ServiceError):
    """A retried write that does not match the request first sent with its key."""
