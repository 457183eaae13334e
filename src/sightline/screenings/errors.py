"""Screening errors and their messages; tests import the constants instead of repeating the text.

Some messages name what is at fault ("{missing}"); `ScreeningError.code` is always the unformatted
constant, so callers and tests compare against it, `message` is the text to show, and `extra` holds the
same details as data (for the API's `{"message": ..., "extra": {...}}`).
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from sightline.common import cleaning
from sightline.common.errors import ConflictError, ServiceError, StateError


class ScreeningError(ServiceError):
    """A screening or follow-up change that breaks a rule; nothing was written."""


class ScreeningStateError(ScreeningError, StateError):
    """The screening is not in the state this change needs (finalized, superseded, ...)."""


class ScreeningConflictError(ScreeningError, ConflictError):
    """Someone else saved the screening after the caller read it (optimistic locking)."""


# --- state ---------------------------------------------------------------------------------------------
SCREENING_ALREADY_FINAL = gettext_noop(
    "This screening is already finalized and cannot be changed; amend it to correct it."
)
SCREENING_NOT_DRAFT = gettext_noop("Only a draft screening can be changed.")
SCREENING_NOT_FINAL = gettext_noop("Only a finalized screening can be amended or followed up.")
SCREENING_NOT_CURRENT = gettext_noop(
    "A newer version of this screening exists; only the latest version can be amended."
)
SCREENING_EDIT_CONFLICT = gettext_noop(
    "Someone else saved this draft after you opened it. "
    "Your changes were not saved; reload to see theirs."
)
LOCK_VERSION_REQUIRED = gettext_noop("Say which version of the draft these changes are based on.")
AMENDMENT_PENDING = gettext_noop(
    "An amendment of this screening is already in progress; finish or discard it first."
)
AMENDMENT_REASON_REQUIRED = gettext_noop("Say why this screening is being amended.")

# --- completeness and result ---------------------------------------------------------------------------
SCREENING_INCOMPLETE = gettext_noop(
    "This screening cannot be finalized yet. Still missing: {missing}."
)
SCREENING_NO_RESULT = gettext_noop(
    "These ratings give no concern level ({explanation}). "
    "Rate more key indicators instead of 'not enough information' to finalize."
)
TRAINING_REQUIRED = gettext_noop(
    "You need current CSE-IT training for {instrument} to finalize this screening. "
    "Ask your agency admin to record your training."
)

# --- instrument ----------------------------------------------------------------------------------------
INSTRUMENT_UNKNOWN = gettext_noop("Choose one of the installed instruments.")
INSTRUMENT_MISSING = gettext_noop(
    "The instrument version this screening was started with ({instrument}) is not installed; "
    "ask your system admin to reinstall it."
)
INSTRUMENT_CHANGED = gettext_noop(
    "The installed file for {instrument} differs from the one this screening was started with, "
    "so it cannot be scored; ask your system admin to restore the original file."
)

# --- input ---------------------------------------------------------------------------------------------
BAD_RATING = gettext_noop(
    "These ratings are not on the instrument's scale or name unknown items: {problems}."
)
UNKNOWN_REASON = gettext_noop("Choose one of the listed reasons for screening.")
UNKNOWN_INFORMATION_SOURCE = gettext_noop("Choose from the listed information sources.")
UNKNOWN_SCREENER_ROLE = gettext_noop("Choose one of the listed screener roles.")
UNKNOWN_KNOWN_FOR = gettext_noop("Choose how long you have known the youth from the list.")
UNKNOWN_MODE = gettext_noop("Choose full or fluent mode.")
UNKNOWN_STATUS = gettext_noop("Choose draft, final or voided.")
NOT_TEXT = cleaning.NOT_TEXT
TEXT_TOO_LONG = cleaning.TEXT_TOO_LONG
NOT_A_LIST = cleaning.NOT_A_LIST
NOT_A_DATE = cleaning.NOT_A_DATE
SCREENED_IN_FUTURE = gettext_noop("The screening date cannot be in the future.")
SCREENED_BEFORE_BIRTH = gettext_noop(
    "The screening date cannot be before the youth's date of birth."
)

# --- follow-up -----------------------------------------------------------------------------------------
UNKNOWN_FOLLOWUP_KIND = gettext_noop("Choose one of the listed follow-up actions.")
FOLLOWUP_OWNER_NOT_MEMBER = gettext_noop(
    "The person responsible must be an active casework member of this screening's agency."
)
FOLLOWUP_DUE_BEFORE_SCREENING = gettext_noop("The due date cannot be before the screening date.")
FOLLOWUP_ALREADY_COMPLETE = gettext_noop("This follow-up is already completed.")
FOLLOWUP_COMPLETED_IN_FUTURE = gettext_noop("The completion date cannot be in the future.")
FOLLOWUP_COMPLETED_BEFORE_SCREENING = gettext_noop(
    "The completion date cannot be before the screening date."
)
FOLLOWUP_OUTCOME_REQUIRED = gettext_noop("Say what happened.")
FOLLOWUP_REFERENCE_REQUIRED = gettext_noop(
    "Enter the report's reference number (or say none was given)."
)

# --- permission (raised as tenancy.access.Forbidden, a PermissionDenied) ------------------------------
NOT_ALLOWED = gettext_noop("You do not have permission to do this at this agency.")

# --- review and correction (ADR 0007) ------------------------------------------------------------------
CORRECTION_PENDING = gettext_noop(
    "A correction of this screening is already in progress; finish or discard it first."
)
CORRECTION_REASON_REQUIRED = gettext_noop("Say what this correction fixes.")
CORRECTION_WINDOW_CLOSED = gettext_noop(
    "The correction window of this screening closed on {closed_on}. "
    "Discard this correction if one is open, and amend the screening instead, saying why."
)
NO_CORRECTION_WINDOW = gettext_noop(
    "This agency's screening policy allows no corrections after finalizing; amend the screening "
    "instead, saying why."
)
CORRECTION_NOT_YOURS = gettext_noop(
    "Only the screener, or the person who finalized this version, can correct it; amend it instead."
)
REVIEW_NOT_FINAL = gettext_noop("Only a finalized screening can be reviewed.")
REVIEW_NOT_CURRENT = gettext_noop(
    "A newer version of this screening exists; review the current version."
)
REVIEW_OWN_SCREENING = gettext_noop(
    "You screened or finalized this screening, so another supervisor has to review it."
)
UNKNOWN_REVIEW_DECISION = gettext_noop("Choose whether the screening is reviewed or returned.")
RETURN_REASON_REQUIRED = gettext_noop(
    "Say why the screening is returned, so the screener knows what to correct."
)
ALREADY_REVIEWED = gettext_noop("This version is already marked as reviewed.")
ALREADY_RETURNED = gettext_noop("This version has already been returned to its screener.")
