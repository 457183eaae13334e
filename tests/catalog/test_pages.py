"""Pages read definitions from the catalog only: a broken file can never take them down, labels come
from each screening's own definition, and the sooner rescreen follows the definition's levels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from sightline.catalog.services import sync_installed
from sightline.scheduling.models import IntakeSchedule, RescreenDue
from sightline.screenings.models import Screening
from sightline.youth.models import Youth
from tests import factories
from tests.catalog.conftest import Install, WriteFile, other_codes_content
from tests.conftest import World
from tests.instruments.conftest import base_content
from tests.web.pages import page_text, signed_in

pytestmark = pytest.mark.django_db

# Every indicator of the test content rated; a total of 3 reaches its middle cut-off.
MIDDLE = {"housing": 1, "missing": 1, "money": 1, "control": 0, "threats": 0, "exchange": 0}


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 10, 20, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def youth(world: World) -> Youth:
    return factories.registered_youth(
        world.agency_a,
        by=world.screener,
        intake_on=dt.date(2026, 2, 1),
        assigned_to=world.screener,
    )


def _pages(world: World, youth: Youth) -> list[str]:
    return [
        reverse("web:home"),
        reverse("web:youth-detail", args=[youth.pk]),
        reverse("web:instrument", args=["cse-it-2.0"]),
        reverse("web:schedule-mine"),
        reverse("web:my-screenings"),
    ]


def test_a_broken_file_in_an_instrument_folder_never_takes_a_page_down(
    client: Client,
    world: World,
    youth: Youth,
    write_file: WriteFile,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    factories.finalized_screening(youth, by=world.screener, screened_on=dt.date(2026, 2, 10))
    write_file("agency/broken.yaml", id="broken", indicators="not a list")
    (tmp_path / "agency" / "bomb.yaml").write_text("a: &a [1]\nb: [*a, *a]\n", encoding="utf-8")
    monkeypatch.setenv("SIGHTLINE_INSTRUMENT_DIRS", str(tmp_path / "agency"))
    signed_in(client, world.screener)

    # Before and after the install step (which refuses both files), every page works.
    for _ in range(2):
        for url in _pages(world, youth):
            response = client.get(url)
            assert response.status_code == 200, url
        report = sync_installed()
        assert len(report.refused) == 2

    assert "broken" not in page_text(client.get(reverse("web:home")))


def test_labels_come_from_each_screenings_definition_when_instruments_share_a_code(
    client: Client, world: World, youth: Youth, install: Install
) -> None:
    # Official versions of both instruments, sharing the code "mid" under different labels.
    install("full.yaml", id="cse-it-2.0", version="9.0", official=True)
    brief = base_content()
    brief["levels"][1]["label"] = "Some concern"
    install("brief.yaml", content=brief, id="cse-it-brief", version="9.0", official=True)
    for instrument_id, day in (("cse-it-2.0", 10), ("cse-it-brief", 11)):
        final = factories.finalized_screening(
            youth,
            by=world.screener,
            screened_on=dt.date(2026, 2, day),
            ratings=MIDDLE,
            instrument_id=instrument_id,
        )
        assert (final.instrument_version, final.level) == ("9.0", "mid")
    signed_in(client, world.screener)

    for url in (reverse("web:my-screenings"), reverse("web:youth-detail", args=[youth.pk])):
        text = page_text(client.get(url))
        assert "Possible concern" in text and "Some concern" in text, url
    # The worklist row names the level of the latest screening (the Brief's) from its definition.
    row = IntakeSchedule.objects.get(youth=youth)
    assert (row.last_final_instrument_id, row.last_final_instrument_version) == (
        "cse-it-brief",
        "9.0",
    )
    assert "Some concern" in page_text(client.get(reverse("web:schedule-mine")))


def test_an_official_file_with_other_level_codes_keeps_its_sooner_rescreen(
    client: Client, world: World, youth: Youth, install: Install, settings: Any
) -> None:
    install(content=other_codes_content(id="cse-it-2.0", version="9.0", official=True))

    final = factories.finalized_screening(
        youth, by=world.screener, screened_on=dt.date(2026, 3, 2), ratings=MIDDLE
    )

    assert (final.instrument_version, final.level) == ("9.0", "moderate")
    row = IntakeSchedule.objects.get(youth=youth)
    assert row.due_on == dt.date(2026, 3, 2) + dt.timedelta(days=45)
    assert row.basis == "Rescreen (45 days after the moderate concern on 2026-03-02)"
    assert RescreenDue.objects.get(screening=final).due_on == row.due_on
    # Up to date, so on the agency's worklist (not yet on the caseload's due list).
    signed_in(client, world.supervisor)
    worklist = client.get(reverse("web:schedule-agency", args=[world.agency_a.pk]))
    assert "2026-03-02 · Moderate concern" in page_text(worklist)


def test_the_agency_policy_days_replace_the_definitions_days(
    world: World, youth: Youth, install: Install
) -> None:
    from sightline.scheduling.services import policy_create

    install(content=other_codes_content(id="cse-it-2.0", version="9.0", official=True))
    policy_create(
        agency=world.agency_a,
        by=world.agency_admin,
        effective_from=dt.date(2026, 3, 10),
        reason="Sooner rescreens after two weeks",
        possible_concern_rescreen_days=14,
    )

    factories.finalized_screening(
        youth, by=world.screener, screened_on=dt.date(2026, 3, 10), ratings=MIDDLE
    )

    assert IntakeSchedule.objects.get(youth=youth).due_on == dt.date(2026, 3, 24)
    assert Screening.objects.get(youth=youth).level == "moderate"


def test_the_migration_fills_the_instrument_of_existing_schedule_rows(
    world: World, youth: Youth
) -> None:
    from importlib import import_module

    from django.apps import apps

    final = factories.finalized_screening(
        youth, by=world.screener, screened_on=dt.date(2026, 2, 10)
    )
    # A row as it stood before the migration: no instrument.
    IntakeSchedule.objects.filter(youth=youth).update(
        last_final_instrument_id="", last_final_instrument_version=""
    )
    never_screened = factories.registered_youth(
        world.agency_a, by=world.screener, last_name="Other", intake_on=dt.date(2026, 2, 1)
    )
    migration = import_module(
        "sightline.scheduling.migrations.0004_intakeschedule_last_final_instrument"
    )

    migration.fill_instruments(apps, None)

    row = IntakeSchedule.objects.get(youth=youth)
    assert (row.last_final_instrument_id, row.last_final_instrument_version) == (
        final.instrument_id,
        final.instrument_version,
    )
    other = IntakeSchedule.objects.get(youth=never_screened)
    assert (other.last_final_instrument_id, other.last_final_instrument_version) == ("", "")
