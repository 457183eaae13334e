"""Screening errors and their messages; tests import the constants instead of repeating the text.

Some messages name what is at fault ("{missing}"); `ScreeningError.code` is always the unformatted
constant, so callers and tests compare against it, `message` is the text to show, and `extra` holds the
same details as data (for the API's `{"message": ..., "extra": {...}}`).
"""

from __future__ import annotations

from sightline.common import cleaning
from sightline.common.errors import ConflictError, ServiceError, StateError


class ScreeningError(ServiceError):
    """A screening or follow-up change that breaks a rule; nothing was written."""


class ScreeningStateError(ScreeningError, StateError):
    """The screening is not in the state this change needs (finalized, superseded, ...)."""


class ScreeningConflictError(ScreeningError, ConflictError):
    """Someone else saved the screening after the caller read it (optimistic locking)."""


# --- state ---------------------------------------------------------------------------------------------
SCREENING_ALREADY_FINAL = (
    "This screening is already finalized and cannot be changed; amend it to correct it."
)
SCREENING_NOT_DRAFT = "Only a draft screening can be changed."
SCREENING_NOT_FINAL = "Only a finalized screening can be amended or followed up."
SCREENING_NOT_CURRENT = (
    "A newer version of this screening exists; only the latest version can be amended."
)
SCREENING_EDIT_CONFLICT = (
    "Someone else saved this draft after you opened it. "
    "Your changes were not saved; reload to see theirs."
)
LOCK_VERSION_REQUIRED = "Say which version of the draft these changes are based on."
AMENDMENT_PENDING = (
    "An amendment of this screening is already in progress; finish or discard it first."
)
AMENDMENT_REASON_REQUIRED = "Say why this screening is being amended."

# --- completeness and result ---------------------------------------------------------------------------
SCREENING_INCOMPLETE = "This screening cannot be finalized yet. Still missing: {missing}."
SCREENING_NO_RESULT = (
    "These ratings give no concern level ({explanation}). "
    "Rate more key indicators instead of 'not enough information' to finalize."
)
TRAINING_REQUIRED = (
    "You need current CSE-IT training for {instrument} to finalize this screening. "
    "Ask your agency admin to record your training."
)

# --- instrument ----------------------------------------------------------------------------------------
INSTRUMENT_UNKNOWN = "Choose one of the installed instruments."
INSTRUMENT_MISSING = (
    "The instrument version this screening was started with ({instrument}) is not installed; "
    "ask your system admin to reinstall it."
)
INSTRUMENT_CHANGED = (
    "The installed file for {instrument} differs from the one this screening was started with, "
    "so it cannot be scored; ask your system admin to restore the original file."
)

# --- input ---------------------------------------------------------------------------------------------
BAD_RATING = "These ratings are not on the instrument's scale or name unknown items: {problems}."
UNKNOWN_REASON = "Choose one of the listed reasons for screening."
UNKNOWN_INFORMATION_SOURCE = "Choose from the listed information sources."
UNKNOWN_SCREENER_ROLE = "Choose one of the listed screener roles."
UNKNOWN_KNOWN_FOR = "Choose how long you have known the youth from the list."
UNKNOWN_MODE = "Choose full or fluent mode."
UNKNOWN_STATUS = "Choose draft, final or voided."
NOT_TEXT = cleaning.NOT_TEXT
TEXT_TOO_LONG = cleaning.TEXT_TOO_LONG
NOT_A_LIST = cleaning.NOT_A_LIST
NOT_A_DATE = cleaning.NOT_A_DATE
SCREENED_IN_FUTURE = "The screening date cannot be in the future."
SCREENED_BEFORE_BIRTH = "The screening date cannot be before the youth's date of birth."

# --- follow-up -----------------------------------------------------------------------------------------
UNKNOWN_FOLLOWUP_KIND = "Choose one of the listed follow-up actions."
FOLLOWUP_OWNER_NOT_MEMBER = (
    "The person responsible must be an active casework member of this screening's agency."
)
FOLLOWUP_DUE_BEFORE_SCREENING = "The due date cannot be before the screening date."
FOLLOWUP_ALREADY_COMPLETE = "This follow-up is already completed."
FOLLOWUP_COMPLETED_IN_FUTURE = "The completion date cannot be in the future."
FOLLOWUP_COMPLETED_BEFORE_SCREENING = "The completion date cannot be before the screening date."
FOLLOWUP_OUTCOME_REQUIRED = "Say what happened."
FOLLOWUP_REFERENCE_REQUIRED = "Enter the report's reference number (or say none was given)."

# --- permission (raised as tenancy.access.Forbidden, a PermissionDenied) ------------------------------
NOT_ALLOWED = "You do not have permission to do this at this agency."

# --- review and correction (ADR 0007) ------------------------------------------------------------------
CORRECTION_PENDING = (
    "A correction of this screening is already in progress; finish or discard it first."
)
CORRECTION_REASON_REQUIRED = "Say what this correction fixes."
CORRECTION_WINDOW_CLOSED = (
    "The correction window of this screening closed on {closed_on}. "
    "Discard this correction if one is open, and amend the screening instead, saying why."
)
NO_CORRECTION_WINDOW = (
    "This agency's screening policy allows no corrections after finalizing; amend the screening "
    "instead, saying why."
)
CORRECTION_NOT_YOURS = (
    "Only the screener, or the person who finalized this version, can correct it; amend it instead."
)
REVIEW_NOT_FINAL = "Only a finalized screening can be reviewed."
REVIEW_NOT_CURRENT = "A newer version of this screening exists; review the current version."
REVIEW_OWN_SCREENING = (
    "You screened or finalized this screening, so another supervisor has to review it."
)
UNKNOWN_REVIEW_DECISION = "Choose whether the screening is reviewed or returned."
RETURN_REASON_REQUIRED = "Say why the screening is returned, so the screener knows what to correct."
ALREADY_REVIEWED = "This version is already marked as reviewed."
ALREADY_RETURNED = "This version has already been returned to its screener."
