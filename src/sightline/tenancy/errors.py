"""Tenancy errors and their messages; tests import the constants instead of repeating the text."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from sightline.common import cleaning
from sightline.common.errors import ServiceError


class TenancyError(ServiceError):
    """A staff or training change that breaks a rule; `field` names the input at fault, if one is."""


NOT_ALLOWED = gettext_noop("You do not have permission to do this at this agency.")
USER_INACTIVE = gettext_noop("This account is deactivated.")
NOT_AN_ACTIVE_MEMBER = gettext_noop("This person is not an active member of the agency.")
ALREADY_A_MEMBER = gettext_noop("This person already has a membership at this agency.")
UNKNOWN_ROLE = gettext_noop("Choose one of the listed roles.")
ROLE_NOT_GRANTABLE = gettext_noop(
    "System admin access is granted in the admin site, not by an agency."
)
UNKNOWN_SCREENER_ROLE = gettext_noop("Choose one of the listed screener roles.")
UNKNOWN_INSTRUMENT = gettext_noop("Choose one of the installed instruments.")
NOT_A_DATE = cleaning.NOT_A_DATE
TRAINED_IN_FUTURE = gettext_noop("The training date cannot be in the future.")
EXPIRES_BEFORE_TRAINED = gettext_noop("The expiry date cannot be before the training date.")
TRAINER_REQUIRED = gettext_noop("Say who gave the training.")
TRAINER_TOO_LONG = gettext_noop("The trainer's name is too long (200 characters at most).")
UNKNOWN_LANGUAGE = gettext_noop("Choose one of the listed languages.")

# Agency administration in the app (administration.people).
EMAIL_REQUIRED = gettext_noop("Enter the person's e-mail address.")
EMAIL_INVALID = gettext_noop("Enter a valid e-mail address.")
EMAIL_OF_INACTIVE_ACCOUNT = gettext_noop(
    "This address belongs to a deactivated account; a system admin can restore it."
)
NAME_TOO_LONG = gettext_noop("The name is too long (150 characters at most).")
NOT_YOURSELF = gettext_noop(
    "You cannot change your own membership or account; ask another agency admin."
)
MANAGED_IN_ADMIN_SITE = gettext_noop(
    "This person's access is managed by system admins in the admin site."
)
ALREADY_INACTIVE = gettext_noop("This membership has already ended.")
ROLE_UNCHANGED = gettext_noop("This person already has that role here.")
NOT_INVITED = gettext_noop("This person has already set a password; they can reset it themselves.")
OTHER_AGENCIES = gettext_noop(
    "This person also works for an agency you do not administer; end their membership here instead."
)
NO_CURRENT_TRAINING = gettext_noop("This person has no current training to withdraw.")
TRAINED_BEFORE_RETRAINING = gettext_noop(
    "Re-training must be dated on or after {required_on}, the day re-training was required."
)

# Two-person rule for roles given in the admin site (tenancy.grants).
NOT_AWAITING_APPROVAL = gettext_noop("This membership is not waiting for approval.")
APPROVE_SOMEONE_ELSES = gettext_noop(
    "The person who asked for this role cannot approve it: someone else must."
)
APPROVED_BY_AGENCY = gettext_noop(
    "This agency has its own administrators: one of them approves the role on its People page."
)
