"""Youth demographic choices: plain enums, no model, so web/ and api/ may import them."""

from __future__ import annotations

from django.db import models


class GenderIdentity(models.TextChoices):
    GIRL = "girl", "Girl / young woman"
    BOY = "boy", "Boy / young man"
    TRANS_GIRL = "trans_girl", "Transgender girl / young woman"
    TRANS_BOY = "trans_boy", "Transgender boy / young man"
    NONBINARY = "nonbinary", "Nonbinary"
    QUESTIONING = "questioning", "Questioning or unsure"
    ANOTHER = "another", "Another identity"
    PREFERS_NOT_TO_SAY = "prefers_not_to_say", "Prefers not to say"
    UNKNOWN = "unknown", "Not known"


class ExitReason(models.TextChoices):
    """Why an episode of service ended: coverage reports separate youth who left from youth missed."""

    PLACEMENT_ENDED = "placement_ended", "Placement or service ended"
    AGED_OUT = "aged_out", "Aged out"
    TRANSFERRED = "transferred", "Transferred to another agency or county"
    RUNAWAY = "runaway", "Ran away / whereabouts unknown"
    OTHER = "other", "Other (say why)"


class RaceEthnicity(models.TextChoices):
    AMERICAN_INDIAN = "american_indian", "American Indian or Alaska Native"
    ASIAN = "asian", "Asian"
    BLACK = "black", "Black or African American"
    HISPANIC = "hispanic", "Hispanic or Latino/a/x"
    MIDDLE_EASTERN = "middle_eastern", "Middle Eastern or North African"
    PACIFIC_ISLANDER = "pacific_islander", "Native Hawaiian or Pacific Islander"
    WHITE = "white", "White"
    ANOTHER = "another", "Another race or ethnicity"
    PREFERS_NOT_TO_SAY = "prefers_not_to_say", "Prefers not to say"
    UNKNOWN = "unknown", "Not known"
