"""The hidden truth behind a generated population, kept apart from the screening data."""

from __future__ import annotations

from django.db import models

from sightline.youth.models import Youth


class HiddenTruth(models.Model):
    """Whether a generated youth is being exploited, and how severely, as the generator decided it.

    Never shown in the product: no view, admin, API or export reads this table. Tests use it to check that
    validation and reporting recover what was put in.
    """

    youth = models.OneToOneField(Youth, on_delete=models.CASCADE, related_name="+")
    # The generator's person: two youth records of one person (a youth who moved to another agency,
    # which keeps its own record) share it. The product has no such link.
    person = models.BigIntegerField(null=True, db_index=True)
    exploited = models.BooleanField()
    severity = models.FloatField()

    def __str__(self) -> str:
        return f"Hidden truth for youth {self.youth_id}"
