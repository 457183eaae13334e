"""The de-identified research export: no identifier of the source survives (each searched for),
dates shifted consistently per youth, ages over 89 capped, small cells suppressed, every export audited."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from sightline.audit.models import AuditAction, AuditEvent
from sightline.research import deidentify
from sightline.research.export import csv_lines, level_counts, research_export
from sightline.youth.models import Youth
from tests import factories
from tests.conftest import World


@pytest.fixture
def canaries(world: World) -> list[Youth]:
    people = []
    # The services refuse anyone over 25; the second date of birth is set behind them below, to
    # prove the cap on ages over 89 (data imported from elsewhere could hold one).
    for n, born in enumerate((dt.date(2010, 5, 17), dt.date(2009, 3, 9))):
        youth = factories.registered_youth(
            world.agency_a,
            by=world.screener,
            first_name=f"Zephyrine{n}",
            last_name=f"Quackenbush{n}",
            date_of_birth=born,
            case_number=f"CASE-CANARY-{n}77",
            aliases=[f"Alias-Canary-{n}"],
            contact={"phone": f"555-01{n}9", "email": f"canary{n}@example.org"},
            notes=f"Lives at 12 Canary Lane {n}",
        )
        if n == 1:
            Youth.objects.filter(pk=youth.pk).update(date_of_birth=dt.date(1925, 3, 9))
            youth.refresh_from_db()
        for day in (dt.date(2026, 1, 10), dt.date(2026, 2, 20)):
            factories.finalized_screening(youth, by=world.screener, screened_on=day)
        people.append(youth)
    return people


def _identifiers(youth: Youth, world: World) -> list[str]:
    dob = youth.date_of_birth
    return [
        youth.first_name,
        youth.last_name,
        *youth.aliases,
        youth.case_number,
        youth.contact["phone"],
        youth.contact["email"],
        "Canary Lane",
        str(youth.pseudonym),
        dob.isoformat(),
        dob.strftime("%m/%d/%Y"),
        dob.strftime("%Y%m%d"),
        "2026-01-10",  # the real screening dates
        "2026-02-20",
        world.agency_a.name,
        world.agency_a.county.name,
        world.screener.username,
    ]


def test_no_identifier_of_the_source_survives(world: World, canaries: list[Youth]) -> None:
    rows = research_export(by=world.researcher)
    assert len(rows) == 4
    # The data rows (the header names columns such as "screener_role").
    text = "\n".join(",".join(line) for line in list(csv_lines(rows))[1:])
    for youth in canaries:
        youth.refresh_from_db()
        for identifier in _identifiers(youth, world):
            assert identifier.lower() not in text.lower(), identifier
        # No database id of a youth or screening is a column value either.
        ids = {str(youth.pk), *(str(s.pk) for s in youth.screenings.all())}
        for row in rows:
            assert ids.isdisjoint({str(row["youth"]), str(row["screening"])})


def test_dates_are_shifted_by_one_secret_offset_per_youth(
    world: World, canaries: list[Youth]
) -> None:
    rows = research_export(by=world.researcher)
    by_youth: dict[str, list[dt.date]] = {}
    for row in rows:
        by_youth.setdefault(row["youth"], []).append(
            dt.date.fromisoformat(row["screened_on_shifted"])
        )
    assert len(by_youth) == 2
    for dates in by_youth.values():
        assert sorted(dates)[1] - sorted(dates)[0] == dt.timedelta(days=41)  # interval kept
        assert dt.date(2026, 1, 10) not in dates
    # Same youth, same pseudonymous id and offset in the next export.
    assert {r["youth"] for r in research_export(by=world.researcher)} == set(by_youth)


def test_ages_over_89_are_capped(world: World, canaries: list[Youth]) -> None:
    ages = sorted({row["age_at_screening"] for row in research_export(by=world.researcher)})
    assert ages == ["15", "90+"]
    assert deidentify.age_band(dt.date(1936, 6, 1), dt.date(2026, 5, 31)) == "89"
    assert deidentify.age_band(dt.date(1936, 6, 1), dt.date(2026, 6, 1)) == "90+"


def test_small_cells_are_suppressed() -> None:
    assert deidentify.suppress_small_cells({"a": 0, "b": 1, "c": 10, "d": 11}) == {
        "a": 0,
        "b": "<11",
        "c": "<11",
        "d": 11,
    }


def test_level_counts_of_an_export_publish_no_cell_from_1_to_10(
    world: World, canaries: list[Youth]
) -> None:
    counts = level_counts(research_export(by=world.researcher))
    assert all(not (isinstance(v, int) and 1 <= v <= 10) for v in counts.values())
    assert set(counts.values()) == {"<11"}


def test_every_export_is_audited_with_its_row_count(world: World, canaries: list[Youth]) -> None:
    research_export(by=world.researcher)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="research_export")
    assert (event.actor, event.detail["rows"]) == (world.researcher, 4)


def test_only_researchers_agencies_are_exported(world: World, canaries: list[Youth]) -> None:
    assert research_export(by=world.screener) == []  # no DEIDENTIFIED_VIEW
    assert research_export(by=world.outsider) == []


def test_pseudonymous_ids_depend_on_the_key() -> None:
    one = deidentify.pseudonymous_id("u", key=b"k1", kind="youth")
    assert one == deidentify.pseudonymous_id("u", key=b"k1", kind="youth")
    assert one != deidentify.pseudonymous_id("u", key=b"k2", kind="youth")
    assert re.fullmatch(r"[0-9a-f]{20}", one)
    offsets = {deidentify.date_offset_days(i, key=b"k") for i in range(500)}
    assert 0 not in offsets and min(offsets) >= -182 and max(offsets) <= 182
