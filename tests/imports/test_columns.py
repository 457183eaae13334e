"""The column-wise screening import (`imports/columns.py`) stores what the services would, and reports
what the row-by-row rules reported: the services' messages, one problem class per row."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection, transaction

from sightline import instruments
from sightline.imports import services
from sightline.imports.models import ExternalKey
from sightline.imports.services import import_file
from sightline.privacy.fields import (
    FieldDecryptionError,
    allocate_ids,
    decrypt_value,
    stored_key_id,
)
from sightline.reporting.models import RollupBacklog
from sightline.scheduling.models import RescreenDue
from sightline.screenings import errors as screening_errors
from sightline.screenings.models import Screening
from sightline.screenings.services import _indicator_ratings
from tests.conftest import World
from tests.imports.conftest import (
    INSTRUMENT,
    SCREENING_HEADER,
    YOUTH_HEADER,
    WriteFile,
    indicator_ids,
    screening_row,
    youth_rows,
)

HEADER = [*SCREENING_HEADER, *indicator_ids(), "reason_other", "notes", "mode"]


def _run(world: World, kind: str, path: object, **extra: object) -> services.ImportReport:
    return import_file(
        by=world.agency_admin,
        agency=world.agency_a,
        kind=kind,
        path=path,  # type: ignore[arg-type]
        source_system="casebook",
        **extra,  # type: ignore[arg-type]
    )


def _row(
    external_id: str,
    youth: str,
    *,
    reason: str = "intake",
    other: str = "",
    notes: str = "",
    ratings: list[str] | None = None,
    **extra: str,
) -> list[str]:
    row = screening_row(external_id, youth, **extra)
    row[6] = reason
    if ratings is not None:
        row[9 : 9 + len(ratings)] = ratings
    return [*row, other, notes, ""]


def test_stored_rows_are_what_the_services_store(world: World, write_file: WriteFile) -> None:
    _run(world, "youth", write_file("youth.csv", YOUTH_HEADER, youth_rows(2)))
    ids = indicator_ids()
    mixed = ["0", "1", "2", "NEI", "nei", " 2 "] * (len(ids) // 6 + 1)
    path = write_file(
        "s.csv",
        HEADER,
        [
            _row(
                "S1",
                "Y0",
                reason="other",
                other="court order",
                notes="=1+1 said so",
                ratings=mixed[: len(ids)],
            ),
            _row("S2", "Y1", screened_on="2024-07-15", finalized_at="2024-07-16T09:30:00+02:00"),
        ],
    )

    report = _run(world, "screening", path)

    assert report.errors == [] and report.created == 2
    definition = instruments.load(INSTRUMENT)
    by_key = dict(ExternalKey.objects.values_list("external_id", "object_id"))
    first = Screening.objects.get(pk=by_key["S1"])
    codes = {i: instruments.csv_ratings.parse_rating(c) for i, c in zip(ids, mixed, strict=False)}
    assert first.indicator_ratings == _indicator_ratings(codes, definition)
    assert first.information_sources == ["youth_conversation", "caregiver"]
    assert (first.reason, first.reason_other, first.notes) == (
        "other",
        "court order",
        "=1+1 said so",
    )
    scored = instruments.score(definition, first.indicator_ratings)
    assert (first.total, first.level, first.rated_count) == (
        scored.total,
        scored.level,
        scored.rated_count,
    )
    assert (first.lock_version, first.version_kind, first.mode, first.statement_answers) == (
        1,
        "original",
        "full",
        {},
    )
    assert isinstance(first.chain, uuid.UUID) and first.chain.version == 4
    # Row-bound encryption (ADR 0008): each value names its row, and only opens for it.
    stored = Screening.objects.filter(pk=first.pk).values_list("notes", "reason_other").get()
    assert all(stored_key_id(value.stored)[0] == "v2" for value in stored)
    with pytest.raises(FieldDecryptionError):
        decrypt_value(stored[0].stored, context="screenings.screening.notes", row=first.pk + 1)
    second = Screening.objects.get(pk=by_key["S2"])
    assert second.finalized_at == dt.datetime(2024, 7, 16, 7, 30, tzinfo=dt.UTC)
    assert second.finalized_by_id == second.screener_id == world.screener.pk
    assert (second.notes, second.reason_other) == (None, None)
    assert first.chain != second.chain
    # The schedule (one rescreen row per final screening) and the rollups of both months.
    assert set(RescreenDue.objects.values_list("screening_id", flat=True)) == {first.pk, second.pk}
    assert set(
        RollupBacklog.objects.filter(agency=world.agency_a).values_list("month", flat=True)
    ) >= {dt.date(2025, 3, 1), dt.date(2024, 7, 1)}


def test_each_rule_gives_the_services_message(world: World, write_file: WriteFile) -> None:
    _run(world, "youth", write_file("youth.csv", YOUTH_HEADER, youth_rows(1)))  # born 2010-04-01
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    path = write_file(
        "s.csv",
        HEADER,
        [
            _row("S1", "Y0", screened_on="2009-01-01", finalized_at="2009-01-02T10:00:00"),
            _row("S2", "Y0", screened_on=tomorrow, finalized_at="2025-01-01T10:00:00"),
            _row("S3", "Y0", reason="other"),
            _row("S4", "Y0", reason="hunch"),
            _row("S5", "Nobody"),
            _row("S1", "Y0"),
            _row("S6", "Y0", finalized_at=f"{tomorrow}T10:00:00"),
        ],
    )

    report = _run(world, "screening", path)

    found = {(p.row, p.column, p.reason) for p in report.errors}
    assert found == {
        (1, "screened_on", screening_errors.SCREENED_BEFORE_BIRTH),
        (2, "screened_on", screening_errors.SCREENED_IN_FUTURE),
        (3, "reason_other", services.rows.REQUIRED),
        (4, "reason", screening_errors.UNKNOWN_REASON),
        (5, "youth_external_id", services.UNKNOWN_YOUTH.format(source="casebook")),
        (6, "external_id", services.DUPLICATE_IN_FILE.format(first=1)),
        (7, "finalized_at", services.rows.FINALIZED_IN_FUTURE),
    }
    assert not report.written and Screening.objects.count() == 0


def test_ids_allocated_twice_in_one_transaction_do_not_overlap(world: World) -> None:
    with transaction.atomic():
        first = allocate_ids(Screening, 3)
        second = allocate_ids(Screening, 2)
    assert len(set(first.tolist()) | set(second.tolist())) == 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's")
def test_the_copy_path_neutralises_nothing_and_keeps_quotes(
    world: World, write_file: WriteFile
) -> None:
    _run(world, "youth", write_file("youth.csv", YOUTH_HEADER, youth_rows(1)))
    notes = 'She said "no", then\nleft; 2,5 €'
    path = write_file("s.csv", HEADER, [_row("S1", "Y0", notes=notes)])

    assert _run(world, "screening", path).created == 1
    assert Screening.objects.get().notes == notes


def test_rollups_after_a_bulk_import_equal_a_full_rebuild(
    world: World, write_file: WriteFile
) -> None:
    from sightline.reporting import rollups
    from sightline.reporting.models import FollowUpRollup, IndicatorRollup, ScreeningRollup

    def snapshot() -> list[list[tuple[object, ...]]]:
        fields = {
            ScreeningRollup: ("agency_id", "month", "dimension", "value", "level", "screenings"),
            IndicatorRollup: (
                "agency_id",
                "month",
                "measure",
                "dimension",
                "value",
                "indicator_id",
                "screenings",
            ),
            FollowUpRollup: ("agency_id", "month", "level", "followed_up", "days", "screenings"),
        }
        return [
            sorted(model.objects.filter(screenings__gt=0).values_list(*names))  # type: ignore[attr-defined]
            for model, names in fields.items()
        ]

    _run(world, "youth", write_file("youth.csv", YOUTH_HEADER, youth_rows(3)))
    rows = [
        _row("S1", "Y0"),
        _row("S2", "Y1", screened_on="2024-07-15", finalized_at="2024-07-16T09:30:00"),
        _row("S3", "Y2", ratings=["2"] * len(indicator_ids())),
    ]
    assert _run(world, "screening", write_file("s.csv", HEADER, rows)).created == 3

    rollups.catch_up()  # what a report does before it reads: the imported slices rewritten
    after_import = snapshot()
    rollups.rebuild()

    assert after_import == snapshot()
    assert sum(n for *_k, n in after_import[0]) > 0  # the imported screenings are counted
