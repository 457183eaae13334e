"""Youth demographic choices: plain enums, no model, so web/ and api/ may import them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class GenderIdentity(models.TextChoices):
    GIRL = "girl", _("Girl / young woman")
    BOY = "boy", _("Boy / young man")
    TRANS_GIRL = "trans_girl", _("Transgender girl / young woman")
    TRANS_BOY = "trans_boy", _("Transgender boy / young man")
    NONBINARY = "nonbinary", _("Nonbinary")
    QUESTIONING = "questioning", _("Questioning or unsure")
    ANOTHER = "another", _("Another identity")
    PREFERS_NOT_TO_SAY = "prefers_not_to_say", _("Prefers not to say")
    UNKNOWN = "unknown", _("Not known")


class ExitReason(models.TextChoices):
    """Why an episode of service ended: coverage reports separate youth who left from youth missed."""

    PLACEMENT_ENDED = "placement_ended", _("Placement or service ended")
    AGED_OUT = "aged_out", _("Aged out")
    TRANSFERRED = "transferred", _("Transferred to another agency or county")
    RUNAWAY = "runaway", _("Ran away / whereabouts unknown")
    OTHER = "other", _("Other (say why)")


class RaceEthnicity(models.TextChoices):
    AMERICAN_INDIAN = "american_indian", _("American Indian or Alaska Native")
    ASIAN = "asian", _("Asian")
    BLACK = "black", _("Black or African American")
    HISPANIC = "hispanic", _("Hispanic or Latino/a/x")
    MIDDLE_EASTERN = "middle_eastern", _("Middle Eastern or North African")
    PACIFIC_ISLANDER = "pacific_islander", _("Native Hawaiian or Pacific Islander")
    WHITE = "white", _("White")
    ANOTHER = "another", _("Another race or ethnicity")
    PREFERS_NOT_TO_SAY = "prefers_not_to_say", _("Prefers not to say")
    UNKNOWN = "unknown", _("Not known")
