"""A synthetic population in the database, studied by a researcher who may see every agency of it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from sightline import instruments
from sightline.synth import SynthParams, generate
from sightline.synth.db import write_population
from sightline.synth.models import HiddenTruth
from sightline.tenancy.models import Agency, Membership, Role, User
from sightline.validation.models import CriterionRecord
from sightline.validation.studio import StudyParameters
from tests import factories

STUDIO_YOUTH = 4_000
TRUTH_SOURCE = "test_hidden_truth"


@pytest.fixture(scope="session")
def studio_population() -> Any:
    return generate(SynthParams(seed=2031, youth=STUDIO_YOUTH))


@dataclass
class Studio:
    researcher: User
    agency_ids: tuple[int, ...]
    version: str

    def parameters(self, **changes: Any) -> StudyParameters:
        values: dict[str, Any] = {
            "instrument_id": "cse-it-2.0",
            "instrument_version": self.version,
            "period_start": dt.date(2020, 1, 1),
            "period_end": dt.date(2026, 12, 31),
            "agency_ids": self.agency_ids,
            "criterion_source": "Child welfare investigations",
            "window_days": 365,
            "agreement_window_days": 60,
        }
        values.update(changes)
        return StudyParameters(**values)


@pytest.fixture
def studio(db: None, studio_population: Any) -> Studio:
    write_population(studio_population)
    agencies = list(Agency.objects.order_by("pk"))
    researcher = factories.user(username="studio-researcher")
    Membership.objects.bulk_create(
        Membership(user=researcher, agency=agency, role=Role.RESEARCHER) for agency in agencies
    )
    return Studio(
        researcher=researcher,
        agency_ids=tuple(a.pk for a in agencies),
        version=instruments.load("cse-it-2.0").version,
    )


def add_truth_as_criterion(version: str) -> None:
    """The generator's hidden truth as a criterion source (tests only; the product never reads it):
    one record per youth, on the day of their first final screening of the instrument."""
    from django.db.models import Min

    from sightline.screenings.models import Screening

    first = dict(
        Screening.objects.filter(
            status="final", instrument_id="cse-it-2.0", instrument_version=version
        )
        .values("youth_id")
        .annotate(first=Min("screened_on"))
        .values_list("youth_id", "first")
    )
    truth = HiddenTruth.objects.filter(youth_id__in=first).select_related("youth")
    CriterionRecord.objects.bulk_create(
        CriterionRecord(
            youth_id=t.youth_id,
            agency_id=t.youth.agency_id,
            source=TRUTH_SOURCE,
            finding=t.exploited,
            recorded_on=first[t.youth_id],
        )
        for t in truth
    )
