"""Tenancy errors and their messages; tests import the constants instead of repeating the text."""

from __future__ import annotations

from sightline.common import cleaning
from sightline.common.errors import ServiceError


class TenancyError(ServiceError):
    """A staff or training change that breaks a rule; `field` names the input at fault, if one is."""


NOT_ALLOWED = "You do not have permission to do this at this agency."
USER_INACTIVE = "This account is deactivated."
NOT_AN_ACTIVE_MEMBER = "This person is not an active member of the agency."
ALREADY_A_MEMBER = "This person already has a membership at this agency."
UNKNOWN_ROLE = "Choose one of the listed roles."
ROLE_NOT_GRANTABLE = "System admin access is granted in the admin site, not by an agency."
UNKNOWN_SCREENER_ROLE = "Choose one of the listed screener roles."
UNKNOWN_INSTRUMENT = "Choose one of the installed instruments."
NOT_A_DATE = cleaning.NOT_A_DATE
TRAINED_IN_FUTURE = "The training date cannot be in the future."
EXPIRES_BEFORE_TRAINED = "The expiry date cannot be before the training date."
TRAINER_REQUIRED = "Say who gave the training."
TRAINER_TOO_LONG = "The trainer's name is too long (200 characters at most)."
