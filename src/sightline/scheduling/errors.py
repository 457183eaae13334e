"""Scheduling errors and their messages; tests import the constants instead of repeating the text."""

from __future__ import annotations

from sightline.common import cleaning
from sightline.common.errors import ServiceError


class SchedulingError(ServiceError):
    """A policy or worklist input that breaks a rule; `field` names the input at fault, if one is."""


NOT_ALLOWED = "You do not have permission to change this agency's screening policy."
NOT_A_DATE = cleaning.NOT_A_DATE
POLICY_RETROACTIVE = (
    "A policy cannot start in the past: reports on past periods use the policy that was in force."
)
NOT_A_WHOLE_NUMBER = "Enter a whole number."
OUT_OF_RANGE = "Enter a number from {low} to {high}."
UNKNOWN_INSTRUMENT = "Choose one of the installed instruments."
NOT_YES_NO = cleaning.NOT_YES_NO
UNKNOWN_FIELD = "This is not a policy setting."
REASON_TOO_LONG = "The reason is too long (2,000 characters at most)."
