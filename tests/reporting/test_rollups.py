"""The rollups equal an independent count of the screening table after a bulk write and rebuild,
after finalizing through the services, and after amendments."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command

from sightline.reporting import rollups
from sightline.reporting.models import (
    FollowUpRollup,
    IndicatorRollup,
    RollupBacklog,
    ScreeningRollup,
    YouthRollup,
)
from sightline.screenings.services import (
    followup_complete,
    followup_create,
    screening_amend,
    screening_finalize,
    screening_save_draft,
)
from sightline.youth.services import youth_update
from tests import factories
from tests.conftest import World
from tests.reporting.independent import current_screenings, rows

pytestmark = pytest.mark.django_db


def rollup(dimension: str) -> Counter[tuple[Any, ...]]:
    rollups.catch_up()  # what every report read does first
    found: Counter[tuple[Any, ...]] = Counter()
    for agency, month, instrument, level, value, n in ScreeningRollup.objects.filter(
        dimension=dimension
    ).values_list("agency_id", "month", "instrument_id", "level", "value", "screenings"):
        found[(agency, month, instrument, level, value)] += n
    return found


def counted(column: str | None) -> Counter[tuple[Any, ...]]:
    frame = current_screenings()
    keys = ["agency_id", "month", "instrument_id", "level"]
    if column is None:
        frame = frame.assign(value="")
        column = "value"
    grouped = frame.groupby([*keys, column]).size()
    return Counter({tuple(key): int(n) for key, n in grouped.items()})


def assert_rollups_equal_the_table() -> None:
    rollups.catch_up()  # what every report read does first
    assert rollup("all") == counted(None)
    assert rollup("gender") == counted("gender_identity")
    assert rollup("screener_role") == counted("screener_role")
    assert rollup("instrument") == counted("instrument_id")
    assert rollup("age_band") == counted("age_band")


def test_rebuild_after_bulk_write_equals_independent_counts(programme: Any) -> None:
    assert ScreeningRollup.objects.exists()

    assert_rollups_equal_the_table()


def test_not_enough_information_rollup_equals_independent_count(programme: Any) -> None:
    frame = current_screenings()
    expected: Counter[tuple[Any, ...]] = Counter()
    for agency, month, ratings in zip(
        frame["agency_id"], frame["month"], frame["indicator_ratings"], strict=True
    ):
        for indicator, value in ratings.items():
            if value == -2:  # NEI as stored (sightline.instruments.values.NEI)
                expected[(agency, month, indicator)] += 1
    found: Counter[tuple[Any, ...]] = Counter()
    for agency, month, indicator, n in IndicatorRollup.objects.filter(
        measure="nei", dimension="all"
    ).values_list("agency_id", "month", "indicator_id", "screenings"):
        found[(agency, month, indicator)] += n

    assert found == expected
    assert sum(expected.values()) > 0  # the generator does produce NEI ratings


def test_youth_rollup_counts_distinct_youth_per_year(programme: Any) -> None:
    frame = current_screenings()
    frame["year"] = frame["screened_on"].map(lambda d: dt.date(d.year, 1, 1))
    expected = frame.groupby(["agency_id", "year"])["youth_id"].nunique()
    found: Counter[tuple[Any, ...]] = Counter()
    for agency, start, n in YouthRollup.objects.filter(period="year").values_list(
        "agency_id", "start", "youth"
    ):
        found[(agency, start)] += n

    assert found == Counter({tuple(k): int(v) for k, v in expected.items()})


def test_rebuild_command_rewrites_tampered_rollups(programme: Any) -> None:
    ScreeningRollup.objects.filter(dimension="all").update(screenings=999)

    call_command("reporting_rebuild", "--quiet")

    assert_rollups_equal_the_table()


def test_finalize_and_amend_keep_rollups_equal(world: World) -> None:
    youth = factories.registered_youth(world.agency_a, by=world.screener)
    day = dt.date(2026, 2, 2)
    first = factories.finalized_screening(youth, by=world.screener, screened_on=day, rating=0)
    factories.finalized_screening(youth, by=world.screener, screened_on=day, rating=2)
    assert_rollups_equal_the_table()
    assert rollup("all")[(world.agency_a.pk, dt.date(2026, 2, 1), "cse-it-2.0", "no_concern", "")]

    amendment = screening_amend(screening=first, by=world.screener, reason="Learned more")
    assert_rollups_equal_the_table()  # a draft amendment changes nothing yet
    amendment = screening_save_draft(
        screening=amendment,
        by=world.screener,
        expected_lock_version=amendment.lock_version,
        indicator_ratings={key: 2 for key in first.indicator_ratings},
    )
    screening_finalize(
        screening=amendment, by=world.screener, expected_lock_version=amendment.lock_version
    )

    assert_rollups_equal_the_table()
    month = (world.agency_a.pk, dt.date(2026, 2, 1), "cse-it-2.0")
    assert rollup("all")[(*month, "clear_concern", "")] == 2
    assert rollup("all")[(*month, "no_concern", "")] == 0


def test_changing_a_youths_gender_moves_their_screenings(world: World) -> None:
    youth = factories.registered_youth(world.agency_a, by=world.screener, gender_identity="girl")
    factories.finalized_screening(youth, by=world.screener, screened_on=dt.date(2026, 2, 2))

    youth_update(youth=youth, by=world.screener, gender_identity="trans_girl")

    assert_rollups_equal_the_table()
    assert {v for (*_, v) in rollup("gender")} == {"trans_girl"}


def test_a_finalize_only_marks_its_slice_and_the_next_read_rewrites_it(world: World) -> None:
    youth = factories.registered_youth(world.agency_a, by=world.screener)
    rollups.catch_up()
    before = ScreeningRollup.objects.count()

    factories.finalized_screening(youth, by=world.screener, screened_on=dt.date(2026, 2, 2))

    # The finalize wrote one backlog row and no rollup; reading catches up and empties the backlog.
    assert list(RollupBacklog.objects.values_list("agency_id", "month")) == [
        (world.agency_a.pk, dt.date(2026, 2, 1))
    ]
    assert ScreeningRollup.objects.count() == before
    assert rollups.catch_up() == 1
    assert not RollupBacklog.objects.exists()
    assert rollups.catch_up() == 0
    assert_rollups_equal_the_table()


def follow_up_rollup() -> Counter[tuple[Any, ...]]:
    rollups.catch_up()  # what every report read does first
    found: Counter[tuple[Any, ...]] = Counter()
    for agency, month, level, followed_up, days, n in FollowUpRollup.objects.values_list(
        "agency_id", "month", "level", "followed_up", "days", "screenings"
    ):
        found[(agency, month, level, followed_up, days)] += n
    return found


def follow_ups_counted() -> Counter[tuple[Any, ...]]:
    """Per current screening, the day of its first completed follow-up, counted with plain SQL."""
    frame = current_screenings()
    first = dict(
        rows(
            "SELECT screening_id, MIN(completed_on) FROM screenings_followupaction "
            "WHERE completed_on IS NOT NULL GROUP BY screening_id"
        )
    )
    found: Counter[tuple[Any, ...]] = Counter()
    for pk, agency, month, level, day in zip(
        frame["id"],
        frame["agency_id"],
        frame["month"],
        frame["level"],
        frame["screened_on"],
        strict=True,
    ):
        done = first.get(pk)
        if done is None:
            found[(agency, month, level, False, 0)] += 1
        else:
            done = done if isinstance(done, dt.date) else dt.date.fromisoformat(str(done))
            found[(agency, month, level, True, (done - day).days)] += 1
    return found


def test_follow_up_rollup_equals_independent_count_after_bulk_write(programme: Any) -> None:
    counted = follow_ups_counted()
    assert any(key[3] for key in counted)  # the generated population has completed follow-ups
    assert follow_up_rollup() == counted


def test_completing_a_follow_up_marks_its_slice_and_moves_the_screening(world: World) -> None:
    youth = factories.registered_youth(world.agency_a, by=world.screener)
    day = dt.date(2026, 2, 2)
    screening = factories.finalized_screening(youth, by=world.screener, screened_on=day, rating=2)
    followup = followup_create(
        screening=screening,
        by=world.screener,
        kind="safety_plan",
        owner=world.screener,
        due_on=day + dt.timedelta(days=7),
    )
    slice_ = (world.agency_a.pk, dt.date(2026, 2, 1), screening.level)
    assert follow_up_rollup()[(*slice_, False, 0)] == 1

    followup_complete(
        followup=followup,
        by=world.screener,
        completed_on=day + dt.timedelta(days=3),
        outcome="Done",
    )

    assert list(RollupBacklog.objects.values_list("agency_id", "month")) == [slice_[:2]]
    found = follow_up_rollup()
    assert found[(*slice_, True, 3)] == 1
    assert found[(*slice_, False, 0)] == 0
    assert found == follow_ups_counted()
