"""Youth errors and their messages; tests import the constants instead of repeating the text."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from sightline.common import cleaning
from sightline.common.errors import ConflictError, ServiceError


class YouthError(ServiceError):
    """A youth or intake change that breaks a rule; `field` names the input at fault, if one is."""


class YouthConflictError(YouthError, ConflictError):
    """Someone else saved the youth's details after the caller read them (optimistic locking)."""


INTAKE_NOT_FOUND = gettext_noop("No such intake.")
NOT_ALLOWED = gettext_noop("You do not have permission to edit youth records at this agency.")
UNKNOWN_FIELD = gettext_noop("This youth detail cannot be changed here.")
NOT_TEXT = cleaning.NOT_TEXT
TEXT_TOO_LONG = cleaning.TEXT_TOO_LONG
FIRST_NAME_REQUIRED = gettext_noop("Enter a first name.")
LAST_NAME_REQUIRED = gettext_noop("Enter a last name.")
NOT_A_DATE = cleaning.NOT_A_DATE
BIRTH_IN_FUTURE = gettext_noop("The date of birth cannot be in the future.")
BIRTH_TOO_LONG_AGO = gettext_noop(
    "This date of birth makes the person older than 25; check the year."
)
UNKNOWN_GENDER_IDENTITY = gettext_noop("Choose one of the listed gender identities.")
UNKNOWN_RACE_ETHNICITY = gettext_noop("Choose from the listed races and ethnicities.")
RACE_ETHNICITY_EXCLUSIVE = gettext_noop(
    "'Prefers not to say' and 'Not known' cannot be combined with other answers."
)
NOT_A_LIST = cleaning.NOT_A_LIST
NOT_YES_NO = cleaning.NOT_YES_NO
CONTACT_INVALID = gettext_noop("Contact details must be a set of named text values.")
INTAKE_IN_FUTURE = gettext_noop("The intake date cannot be in the future.")
INTAKE_BEFORE_BIRTH = gettext_noop("The intake date cannot be before the date of birth.")
INTAKE_ALREADY_OPEN = gettext_noop("This youth already has an open intake; close it first.")
INTAKE_OVERLAPS = gettext_noop(
    "This intake would overlap an earlier episode; its date must be on or after the last exit."
)
INTAKE_ALREADY_CLOSED = gettext_noop("This intake is already closed.")
EXIT_BEFORE_INTAKE = gettext_noop("The exit date cannot be before the intake date.")
EXIT_IN_FUTURE = gettext_noop("The exit date cannot be in the future.")
EXIT_REASON_UNKNOWN = gettext_noop("Choose one of the listed reasons.")
EXIT_REASON_TEXT_REQUIRED = gettext_noop("Say why the intake ended.")
YOUTH_EDIT_CONFLICT = gettext_noop(
    "Someone else changed this youth's details after you opened them. Their version is shown; "
    "your changes are kept below: check them and save again."
)
LOCK_VERSION_INVALID = gettext_noop(
    "The page's record version is missing or not a number; reload the page."
)
ASSIGNEE_NOT_SCREENER = gettext_noop("Choose someone who screens youth at this agency.")
