"""Scheduling errors and their messages; tests import the constants instead of repeating the text."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from sightline.common import cleaning
from sightline.common.errors import ServiceError


class SchedulingError(ServiceError):
    """A policy or worklist input that breaks a rule; `field` names the input at fault, if one is."""


NOT_ALLOWED = gettext_noop("You do not have permission to change this agency's screening policy.")
NOT_A_DATE = cleaning.NOT_A_DATE
POLICY_RETROACTIVE = gettext_noop(
    "A policy cannot start in the past: reports on past periods use the policy that was in force."
)
NOT_A_WHOLE_NUMBER = gettext_noop("Enter a whole number.")
OUT_OF_RANGE = gettext_noop("Enter a number from {low} to {high}.")
UNKNOWN_INSTRUMENT = gettext_noop("Choose one of the installed instruments.")
NOT_YES_NO = cleaning.NOT_YES_NO
UNKNOWN_FIELD = gettext_noop("This is not a policy setting.")
REASON_TOO_LONG = gettext_noop("The reason is too long (2,000 characters at most).")
