"""Criterion data: what another source (not the CSE-IT) recorded about a youth, for validation studies."""

from __future__ import annotations

from django.db import models

from sightline.tenancy.models import Agency
from sightline.youth.models import Youth


class CriterionRecord(models.Model):
    """One finding about one youth from a criterion source (e.g. a confirmed case in child welfare)."""

    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="criterion_records")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=64)
    finding = models.BooleanField()
    recorded_on = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["youth", "recorded_on"])]

    def __str__(self) -> str:
        return f"Criterion {self.source} for youth {self.youth_id}"
