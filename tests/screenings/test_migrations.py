"""The migrations of ADR 0007 on data written before them: free-text reasons are encrypted in place,
"" becomes NULL, every old new version becomes an amendment, and going back restores the text."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sightline.screenings.models import Screening
from tests import factories
from tests.conftest import World

BEFORE = [("screenings", "0002_initial")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _latest() -> list[tuple[str, str]]:
    executor = MigrationExecutor(connection)
    # Every app's latest: going back also unapplies other apps' migrations that depend on these.
    return executor.loader.graph.leaf_nodes()


def _raw(pk: int) -> tuple[Any, Any, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reason_other, amendment_reason, version_kind FROM screenings_screening "
            "WHERE id = %s",
            [pk],
        )
        return cursor.fetchone()


@pytest.mark.django_db(transaction=True)
def test_reasons_written_before_are_encrypted_and_amendments_marked(world: World) -> None:
    youth = factories.youth(world.agency_a, created_by=world.screener)
    latest = _latest()
    old = _migrate(BEFORE).get_model("screenings", "Screening")
    common = {
        "youth_id": youth.pk,
        "agency_id": world.agency_a.pk,
        "instrument_id": "cse-it-2.0",
        "instrument_version": "1",
        "instrument_sha256": "0" * 64,
        "reason": "other",
        "screener_id": world.screener.pk,
        "screener_role": "child_welfare_worker",
        "known_for": "under_month",
        "screened_on": "2026-03-02",
    }
    try:
        original = old.objects.create(**common, status="draft", reason_other="Twin screen")
        amendment = old.objects.create(
            **common, status="draft", amends_id=original.pk, amendment_reason="Typo in notes"
        )
        plain = old.objects.create(**{**common, "reason": "intake"}, status="draft")

        _migrate(latest)

        reason_other, amendment_reason, kind = _raw(original.pk)
        assert reason_other.startswith("v1:") and "Twin" not in reason_other
        assert (amendment_reason, kind) == (None, "original")
        reason_other, amendment_reason, kind = _raw(amendment.pk)
        assert amendment_reason.startswith("v1:") and "Typo" not in amendment_reason
        assert kind == "amendment"
        assert _raw(plain.pk)[:2] == (None, None)
        assert Screening.objects.get(pk=original.pk).reason_other == "Twin screen"
        assert Screening.objects.get(pk=amendment.pk).amendment_reason == "Typo in notes"

        _migrate(BEFORE)
        assert _raw_before(original.pk) == ("Twin screen", "")
        assert _raw_before(amendment.pk) == ("", "Typo in notes")
    finally:
        _migrate(latest)


def _raw_before(pk: int) -> tuple[Any, Any]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reason_other, amendment_reason FROM screenings_screening WHERE id = %s", [pk]
        )
        return cursor.fetchone()
