"""Youth errors and their messages; tests import the constants instead of repeating the text."""

from __future__ import annotations

from sightline.common import cleaning
from sightline.common.errors import ServiceError


class YouthError(ServiceError):
    """A youth or intake change that breaks a rule; `field` names the input at fault, if one is."""


INTAKE_NOT_FOUND = "No such intake."
NOT_ALLOWED = "You do not have permission to edit youth records at this agency."
UNKNOWN_FIELD = "This youth detail cannot be changed here."
NOT_TEXT = cleaning.NOT_TEXT
TEXT_TOO_LONG = cleaning.TEXT_TOO_LONG
FIRST_NAME_REQUIRED = "Enter a first name."
LAST_NAME_REQUIRED = "Enter a last name."
NOT_A_DATE = cleaning.NOT_A_DATE
BIRTH_IN_FUTURE = "The date of birth cannot be in the future."
BIRTH_TOO_LONG_AGO = "This date of birth makes the person older than 25; check the year."
UNKNOWN_GENDER_IDENTITY = "Choose one of the listed gender identities."
UNKNOWN_RACE_ETHNICITY = "Choose from the listed races and ethnicities."
RACE_ETHNICITY_EXCLUSIVE = (
    "'Prefers not to say' and 'Not known' cannot be combined with other answers."
)
NOT_A_LIST = cleaning.NOT_A_LIST
NOT_YES_NO = cleaning.NOT_YES_NO
CONTACT_INVALID = "Contact details must be a set of named text values."
INTAKE_IN_FUTURE = "The intake date cannot be in the future."
INTAKE_BEFORE_BIRTH = "The intake date cannot be before the date of birth."
INTAKE_ALREADY_OPEN = "This youth already has an open intake; close it first."
INTAKE_OVERLAPS = (
    "This intake would overlap an earlier episode; its date must be on or after the last exit."
)
INTAKE_ALREADY_CLOSED = "This intake is already closed."
EXIT_BEFORE_INTAKE = "The exit date cannot be before the intake date."
EXIT_IN_FUTURE = "The exit date cannot be in the future."
EXIT_REASON_UNKNOWN = "Choose one of the listed reasons."
EXIT_REASON_TEXT_REQUIRED = "Say why the intake ended."
ASSIGNEE_NOT_SCREENER = "Choose someone who screens youth at this agency."
