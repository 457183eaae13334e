"""Scheduling errors and their messages; tests import the constants instead of repeating the text."""

from __future__ import annotations


class SchedulingError(ValueError):
    """A policy or worklist input that breaks a rule. `field` names the input at fault, if one is."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


NOT_ALLOWED = "You do not have permission to change this agency's screening policy."
NOT_A_DATE = "Enter a date."
POLICY_RETROACTIVE = (
    "A policy cannot start in the past: reports on past periods use the policy that was in force."
)
NOT_A_WHOLE_NUMBER = "Enter a whole number."
OUT_OF_RANGE = "Enter a number from {low} to {high}."
UNKNOWN_INSTRUMENT = "Choose one of the installed instruments."
NOT_YES_NO = "Answer yes or no."
UNKNOWN_FIELD = "This is not a policy setting."
REASON_TOO_LONG = "The reason is too long (2,000 characters at most)."
