"""Cross-level suppression on a sparser programme than the shared one: three small counties and one
quarter, so many figures are small and the county and state reports lean on each other hardest."""

from __future__ import annotations

import datetime as dt

import pytest

from sightline.reporting.models import PeriodKind
from sightline.reporting.rollups import rebuild
from sightline.reporting.scope import Period
from sightline.synth import SynthParams, generate
from sightline.synth.db import write_population
from sightline.tenancy.models import Agency, Membership, Role, User
from tests import factories
from tests.reporting.published import published_region, region_boards
from tests.stats.attack import recoverable

pytestmark = pytest.mark.django_db

QUARTER = Period(PeriodKind.QUARTER, dt.date(2025, 4, 1))
TODAY = dt.date(2026, 7, 1)


@pytest.fixture
def analyst(db: None) -> User:
    write_population(generate(SynthParams(seed=5, youth=250, counties=3, agencies_per_county=3)))
    rebuild()
    person = factories.user(username="sparse-analyst")
    for agency in Agency.objects.all():
        Membership.objects.create(user=person, agency=agency, role=Role.ANALYST)
    return person


def test_three_small_counties_and_their_state_give_no_hidden_cell_back(analyst: User) -> None:
    boards = region_boards(analyst, QUARTER, TODAY)
    assert len(boards) == 4

    tables, same, sums, rows_only, unpublished = published_region(boards)

    hidden = sum(v is None for grid in tables.values() for line in grid for v in line)
    assert hidden > 50  # a sparse quarter: plenty to protect
    for name, grid in tables.items():
        for line in grid:
            assert not any(v is not None and 1 <= v <= 10 for v in line), name
    found = recoverable(tables, same, sums, rows_only)
    assert [cell for cell in found if cell[0] not in unpublished] == []
