"""`import_file`: every problem reported before anything is written, all or nothing, idempotent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sightline import instruments
from sightline.audit.models import AuditAction, AuditEvent
from sightline.imports import services
from sightline.imports.models import ExternalKey
from sightline.imports.services import import_file
from sightline.scheduling.models import IntakeSchedule
from sightline.screenings import errors as screening_errors
from sightline.screenings.models import Screening, ScreeningStatus
from sightline.tenancy.access import Forbidden
from sightline.tenancy.models import Role, TrainingRecord
from sightline.tenancy.selectors import current_training
from sightline.youth import errors as youth_errors
from sightline.youth.models import IntakeEpisode, Youth, YouthNameToken
from sightline.youth.selectors import youth_search
from tests import factories
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


def _run(world: World, kind: str, path: Path, **extra: object) -> services.ImportReport:
    return import_file(
        by=world.agency_admin,
        agency=world.agency_a,
        kind=kind,
        path=path,
        source_system="casebook",
        **extra,  # type: ignore[arg-type]
    )


def _counts() -> tuple[int, ...]:
    return (
        Youth.objects.count(),
        YouthNameToken.objects.count(),
        IntakeEpisode.objects.count(),
        Screening.objects.count(),
        ExternalKey.objects.count(),
        AuditEvent.objects.count(),
        IntakeSchedule.objects.count(),
    )


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_youth_import_writes_youth_keys_name_tokens_and_one_audit_event(
    world: World, write_file: WriteFile, suffix: str
) -> None:
    path = write_file(f"youth{suffix}", YOUTH_HEADER, youth_rows(5))

    report = _run(world, "youth", path)

    assert report.errors == [] and report.written
    assert (report.rows, report.created, report.unchanged) == (5, 5, 0)
    assert Youth.objects.filter(agency=world.agency_a).count() == 5
    assert ExternalKey.objects.filter(source_system="casebook", object_type="youth").count() == 5
    found = youth_search(user=world.screener, name="Ana3")
    assert [y.last_name for y in found] == ["Lopez3"]
    events = AuditEvent.objects.filter(action=AuditAction.IMPORT)
    assert events.count() == 1
    assert events.get().detail["rows"] == 5 and events.get().detail["created"] == 5


def test_reimporting_the_same_file_changes_nothing(world: World, write_file: WriteFile) -> None:
    youth = write_file("youth.csv", YOUTH_HEADER, youth_rows(4))
    _run(world, "youth", youth)
    screenings = write_file(
        "s.csv",
        [*SCREENING_HEADER, *indicator_ids()],
        [screening_row("S1", "Y1"), screening_row("S2", "Y2")],
    )
    _run(world, "screening", screenings)
    before = _counts()
    stored = list(Screening.objects.order_by("pk").values())

    again_youth = _run(world, "youth", youth)
    again = _run(world, "screening", screenings)

    assert (again_youth.created, again_youth.unchanged) == (0, 4)
    assert (again.created, again.unchanged) == (0, 2)
    # Only the two IMPORT events of the re-imports are new.
    assert _counts()[:5] == before[:5] and _counts()[6] == before[6]
    assert _counts()[5] == before[5] + 2
    assert list(Screening.objects.order_by("pk").values()) == stored


def test_youth_errors_are_all_reported_and_nothing_is_written(
    world: World, write_file: WriteFile
) -> None:
    rows = youth_rows(6)
    rows[1][3] = "17/05/2010"  # not an ISO date
    rows[2][4] = "wizard"  # unknown gender identity
    rows[3][1] = " "  # no first name
    rows[4][0] = "Y0"  # duplicate external id
    rows[5][3] = (dt.date.today() + dt.timedelta(days=3)).isoformat()  # born in the future
    path = write_file("youth.csv", YOUTH_HEADER, rows)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("Y9,Short\n")  # ragged
    before = _counts()

    report = _run(world, "youth", path)

    assert not report.written
    found = {(p.row, p.column, p.reason) for p in report.errors}
    assert (2, "date_of_birth", youth_errors.NOT_A_DATE) in found
    assert (3, "gender_identity", youth_errors.UNKNOWN_GENDER_IDENTITY) in found
    assert (4, "first_name", youth_errors.FIRST_NAME_REQUIRED) in found
    assert (5, "external_id", services.DUPLICATE_IN_FILE.format(first=1)) in found
    assert (6, "date_of_birth", youth_errors.BIRTH_IN_FUTURE) in found
    assert (7, "", services.RAGGED_ROW.format(values=2, width=5)) in found
    assert _counts() == before


def test_header_problems_name_each_missing_and_unknown_column(
    world: World, write_file: WriteFile
) -> None:
    path = write_file("youth.csv", ["external_id", "frist_name", "last_name"], [["Y1", "A", "B"]])

    report = _run(world, "youth", path)

    found = {(p.row, p.column, p.reason) for p in report.errors}
    assert found == {
        (0, "first_name", services.MISSING_COLUMN),
        (0, "date_of_birth", services.MISSING_COLUMN),
        (0, "gender_identity", services.MISSING_COLUMN),
        (0, "frist_name", services.UNKNOWN_COLUMN),
    }
    assert not report.written


def test_intake_errors_unknown_youth_exit_before_intake_overlap_and_assignee(
    world: World, write_file: WriteFile
) -> None:
    _run(world, "youth", write_file("youth.csv", YOUTH_HEADER, youth_rows(3)))
    header = ["external_id", "youth_external_id", "intake_on", "exit_on", "assigned_to"]
    path = write_file(
        "intakes.csv",
        header,
        [
            ["I1", "nobody", "2025-01-01", "", ""],
            ["I2", "Y0", "2025-02-01", "2025-01-01", ""],
            ["I3", "Y1", "2025-01-01", "2025-03-01", ""],
            ["I4", "Y1", "2025-02-01", "", ""],  # overlaps I3
            ["I5", "Y2", "2025-01-01", "", "analyst"],  # may not screen
            ["I6", "Y2", "2025-01-01", "", "outsider"],  # not a member here
        ],
    )
    before = _counts()

    report = _run(world, "intake", path)

    found = {(p.row, p.column, p.reason) for p in report.errors}
    assert (1, "youth_external_id", services.UNKNOWN_YOUTH.format(source="casebook")) in found
    assert (2, "exit_on", youth_errors.EXIT_BEFORE_INTAKE) in found
    assert (4, "intake_on", youth_errors.INTAKE_OVERLAPS) in found
    assert (5, "assigned_to", youth_errors.ASSIGNEE_NOT_SCREENER) in found
    assert (6, "assigned_to", services.UNKNOWN_USER) in found
    assert _counts() == before


def test_intakes_import_and_refresh_only_the_affected_youth(
    world: World, write_file: WriteFile
) -> None:
    other = factories.youth(world.agency_a, created_by=world.screener)
    from sightline.scheduling.services import schedule_refresh_youth

    schedule_refresh_youth(other.pk)
    untouched = list(IntakeSchedule.objects.filter(youth=other).values())
    _run(world, "youth", write_file("youth.csv", YOUTH_HEADER, youth_rows(2)))
    path = write_file(
        "intakes.csv",
        ["external_id", "youth_external_id", "intake_on", "assigned_to"],
        [["I1", "Y0", "2025-01-01", "screener"], ["I2", "Y1", "2025-02-01", ""]],
    )

    report = _run(world, "intake", path)

    assert report.written and report.created == 2 and report.affected_youth == 2
    imported = Youth.objects.exclude(pk=other.pk)
    assert IntakeSchedule.objects.filter(youth__in=imported).count() == 2
    assert list(IntakeSchedule.objects.filter(youth=other).values()) == untouched


def test_screening_errors_every_class(world: World, write_file: WriteFile) -> None:
    _run(world, "youth", write_file("youth.csv", YOUTH_HEADER, youth_rows(2)))
    ids = indicator_ids()
    rows = [
        screening_row("S1", "Y0"),
        screening_row("S2", "Y0", screener="ghost"),
        screening_row("S3", "Y0", finalized_at="2025-02-01T10:00:00"),  # before screened_on
        screening_row("S4", "Y0", finalized_at="yesterday"),
        screening_row("S5", "Y1"),
        screening_row("S6", "Y1"),
    ]
    rows[4][9 + 2] = "7"  # off the scale
    rows[5][9 + 5] = ""  # not rated
    path = write_file("s.csv", [*SCREENING_HEADER, *ids], rows)
    before = _counts()

    report = _run(world, "screening", path)

    found = {(p.row, p.column, p.reason) for p in report.errors}
    assert (2, "screener", services.UNKNOWN_USER) in found
    assert (3, "finalized_at", services.rows.FINALIZED_BEFORE_SCREENED) in found
    assert (4, "finalized_at", services.rows.NOT_A_DATETIME) in found
    allowed = instruments.csv_ratings.allowed_cells(instruments.load(INSTRUMENT))
    assert (5, ids[2], services.BAD_RATING_CELL.format(allowed=allowed)) in found
    assert (6, ids[5], services.NOT_RATED) in found
    assert {p.row for p in report.errors} == {2, 3, 4, 5, 6}
    assert _counts() == before


def test_training_is_checked_on_the_screening_date(world: World, write_file: WriteFile) -> None:
    screener = factories.member(world.agency_a, Role.SCREENER, username="seasonal")
    factories.training(screener, trained_on=dt.date(2024, 1, 1), expires_on=dt.date(2024, 12, 31))
    _run(world, "youth", write_file("youth.csv", YOUTH_HEADER, youth_rows(1)))
    path = write_file(
        "s.csv",
        [*SCREENING_HEADER, *indicator_ids()],
        [
            screening_row(
                "S1",
                "Y0",
                screener="seasonal",
                screened_on="2024-12-31",
                finalized_at="2024-12-31T18:00:00",
            ),
            screening_row(
                "S2",
                "Y0",
                screener="seasonal",
                screened_on="2025-01-01",
                finalized_at="2025-01-02T09:00:00",
            ),
            screening_row(
                "S3",
                "Y0",
                screener="seasonal",
                screened_on="2023-12-31",
                finalized_at="2024-01-02T09:00:00",
            ),
        ],
    )

    report = _run(world, "screening", path, dry_run=True)

    refused = {p.row for p in report.errors if p.column == "screener"}
    assert refused == {2, 3}
    reason = next(p.reason for p in report.errors if p.row == 2)
    assert reason.startswith(screening_errors.TRAINING_REQUIRED.split("{")[0])


@pytest.mark.parametrize(
    "day", ["2023-12-31", "2024-01-01", "2024-06-30", "2024-12-31", "2025-01-01", "2026-03-01"]
)
def test_the_bulk_training_check_agrees_with_current_training(world: World, day: str) -> None:
    person = factories.member(world.agency_a, Role.SCREENER, username="checked")
    factories.training(person, trained_on=dt.date(2024, 1, 1), expires_on=dt.date(2024, 12, 31))
    factories.training(person, trained_on=dt.date(2026, 1, 1))
    importer = services._Importer(
        by=world.agency_admin,
        agency=world.agency_a,
        kind="screening",
        source="x",
        definition=instruments.load(INSTRUMENT),
    )
    on = dt.date.fromisoformat(day)

    expected = current_training(user=person, instrument_id=INSTRUMENT, on=on) is not None
    assert importer._trained(person.pk, on) is expected
    assert TrainingRecord.objects.filter(user=person).count() == 2


def test_historical_screenings_keep_finalized_at_and_are_rescored(
    world: World, write_file: WriteFile
) -> None:
    _run(world, "youth", write_file("youth.csv", YOUTH_HEADER, youth_rows(1)))
    definition = instruments.load(INSTRUMENT)
    expected = instruments.score(definition, dict.fromkeys(indicator_ids(), 2))
    path = write_file(
        "s.csv",
        [*SCREENING_HEADER, *indicator_ids(), "total", "level"],
        [
            [*screening_row("S1", "Y0", rating="2"), str(expected.total), expected.level],
            [
                *screening_row(
                    "S2",
                    "Y0",
                    rating="2",
                    screened_on="2025-04-01",
                    finalized_at="2025-04-02T08:30:00+00:00",
                ),
                "3",
                "no_concern",
            ],
        ],
    )

    report = _run(world, "screening", path)

    assert report.written and report.created == 2
    warnings = {(p.row, p.column) for p in report.warnings}
    assert warnings == {(2, "total"), (2, "level")}
    stored = Screening.objects.get(pk=ExternalKey.objects.get(external_id="S2").object_id)
    assert stored.status == ScreeningStatus.FINAL
    assert stored.finalized_at == dt.datetime(2025, 4, 2, 8, 30, tzinfo=dt.UTC)
    assert (stored.total, stored.level, stored.rated_count) == (
        expected.total,
        expected.level,
        expected.rated_count,
    )
    assert stored.finalized_by_id == world.screener.pk
    assert (
        AuditEvent.objects.get(action=AuditAction.IMPORT, detail__kind="screening").detail[
            "warnings"
        ]
        == 2
    )


def test_a_failure_while_writing_leaves_nothing(
    world: World, write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_file("youth.csv", YOUTH_HEADER, youth_rows(25))
    monkeypatch.setattr(services, "WRITE_BATCH", 10)
    real = services.insert_rows
    calls = []

    def fail_in_the_second_batch(model: object, objects: object) -> None:
        calls.append(model)
        if len(calls) == 5:  # youth, name tokens, keys; youth, then the tokens fail
            raise RuntimeError("disk full")
        real(model, objects)  # type: ignore[arg-type]

    monkeypatch.setattr(services, "insert_rows", fail_in_the_second_batch)
    before = _counts()

    with pytest.raises(RuntimeError):
        _run(world, "youth", path)

    assert len(calls) == 5
    assert _counts() == before


def test_dry_run_checks_and_writes_nothing(world: World, write_file: WriteFile) -> None:
    before = _counts()

    report = _run(world, "youth", write_file("y.csv", YOUTH_HEADER, youth_rows(3)), dry_run=True)

    assert report.errors == [] and not report.written and report.rows == 3
    assert _counts() == before


@pytest.mark.parametrize("persona", ["screener", "supervisor", "analyst", "outsider"])
def test_only_those_with_data_import_may_import(
    world: World, write_file: WriteFile, persona: str
) -> None:
    with pytest.raises(Forbidden):
        import_file(
            by=getattr(world, persona),
            agency=world.agency_a,
            kind="youth",
            path=write_file("y.csv", YOUTH_HEADER, youth_rows(1)),
            source_system="casebook",
        )
    assert Youth.objects.count() == 0
