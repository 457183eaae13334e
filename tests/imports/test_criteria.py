"""Criterion records through the bulk importer: whole-file checks, every problem, all or nothing, and
a natural key so that a re-import changes nothing."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sightline.audit.models import AuditAction, AuditEvent
from sightline.cli import main
from sightline.common import cleaning
from sightline.imports import criteria, services
from sightline.imports import rows as rows_module
from sightline.imports.models import ExternalKey, ImportRun
from sightline.imports.services import ImportReport, import_file
from sightline.tenancy.access import Forbidden
from sightline.validation.models import CriterionKind, CriterionRecord
from sightline.youth.models import Youth
from tests import factories
from tests.conftest import World
from tests.imports.conftest import YOUTH_HEADER, WriteFile, youth_rows

HEADER = ["external_id", "youth_external_id", "finding_kind", "value", "recorded_on", "source"]


def _run(world: World, path: Path, *, by: Any = None, **extra: Any) -> ImportReport:
    return import_file(
        by=by or world.agency_admin,
        agency=world.agency_a,
        kind="criterion",
        path=path,
        source_system=extra.pop("source_system", "cws-allegations"),
        **extra,
    )


@pytest.fixture
def youth(world: World, write_file: WriteFile) -> list[Youth]:
    """Four youth imported from the agency's case system 'casebook' (external ids Y0..Y3)."""
    report = import_file(
        by=world.agency_admin,
        agency=world.agency_a,
        kind="youth",
        path=write_file("youth.csv", YOUTH_HEADER, youth_rows(4)),
        source_system="casebook",
    )
    assert report.written
    return list(Youth.objects.filter(agency=world.agency_a).order_by("pk"))


def _rows() -> list[list[str]]:
    return [
        ["A1", "Y0", "substantiated_allegation", "yes", "2024-05-01", "Child welfare"],
        ["A2", "Y1", "substantiated_allegation", "no", "2024-06-01", ""],
        ["C1", "Y2", "instrument_item", "1", "2025-01-15", "CAT"],
    ]


def test_records_are_imported_with_keys_and_one_audit_event(
    world: World, youth: list[Youth], write_file: WriteFile
) -> None:
    path = write_file(
        "criteria.csv", [*HEADER, "youth_source_system"], [[*r, "casebook"] for r in _rows()]
    )

    report = _run(world, path)

    assert report.errors == [] and report.written
    assert (report.rows, report.created, report.unchanged) == (3, 3, 0)
    stored = {
        (r.youth_id, r.kind, r.finding, r.recorded_on, r.source)
        for r in CriterionRecord.objects.filter(agency=world.agency_a)
    }
    assert stored == {
        (youth[0].pk, "substantiated_allegation", True, dt.date(2024, 5, 1), "Child welfare"),
        (youth[1].pk, "substantiated_allegation", False, dt.date(2024, 6, 1), "cws-allegations"),
        (youth[2].pk, "instrument_item", True, dt.date(2025, 1, 15), "CAT"),
    }
    keys = ExternalKey.objects.filter(source_system="cws-allegations", object_type="criterion")
    assert sorted(keys.values_list("external_id", flat=True)) == ["A1", "A2", "C1"]
    event = AuditEvent.objects.filter(action=AuditAction.IMPORT).latest("pk")
    assert event.detail["kind"] == "criterion" and event.detail["created"] == 3


def test_reimporting_changes_nothing(
    world: World, youth: list[Youth], write_file: WriteFile
) -> None:
    header = [*HEADER, "youth_source_system"]
    path = write_file("criteria.csv", header, [[*r, "casebook"] for r in _rows()])
    _run(world, path)
    before = CriterionRecord.objects.count(), ExternalKey.objects.count()

    again = _run(world, path)

    assert (again.created, again.unchanged) == (0, 3) and again.written
    assert (CriterionRecord.objects.count(), ExternalKey.objects.count()) == before


def test_the_youth_by_case_number(world: World, youth: list[Youth], write_file: WriteFile) -> None:
    # Saved through the model, which keeps the encrypted value's blind-index digest.
    for index, case in ((3, "CW-77"), (0, "CW-dup"), (1, "CW-dup")):
        row = Youth.objects.get(pk=youth[index].pk)
        row.case_number = case
        row.save()
    header = ["external_id", "case_number", "finding_kind", "value", "recorded_on"]
    path = write_file(
        "c.csv",
        header,
        [
            ["K1", "CW-77", "other", "yes", "2024-01-01"],
            ["K2", "CW-dup", "other", "yes", "2024-01-01"],
        ],
    )

    report = _run(world, path)

    assert [(p.row, p.column, p.reason) for p in report.errors] == [
        (2, "case_number", criteria.AMBIGUOUS_CASE.format(count=2))
    ]
    fixed = write_file("c2.csv", header, [["K1", "CW-77", "other", "yes", "2024-01-01"]])
    assert _run(world, fixed).written
    assert CriterionRecord.objects.get().youth_id == youth[3].pk


def test_every_problem_is_reported_and_nothing_is_written(
    world: World, youth: list[Youth], write_file: WriteFile
) -> None:
    outsider = factories.youth(world.agency_b, created_by=world.outsider, case_number="B-1")
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    rows = [
        ["A1", "Y0", "substantiated_allegation", "yes", "2024-05-01", ""],  # fine
        ["A2", "Y9", "rumour", "maybe", "2024-13-01", ""],  # four bad cells
        ["A3", "Y1", "other", "", tomorrow, "x" * 65],
        ["A1", "Y2", "other", "no", "2024-05-01", ""],  # duplicate id
        ["A4", "", "other", "no", "1990-01-01", ""],  # no youth
        ["A5", "Y0", "other", "no", "2001-01-01", ""],  # before birth
    ]
    header = [*HEADER, "case_number"]
    path = write_file("bad.csv", header, [[*r, "B-1" if r[0] == "A4" else ""] for r in rows])
    path_by_key = write_file("bad2.csv", HEADER, rows)

    report = _run(world, path, source_system="casebook")
    by_key = _run(world, path_by_key, source_system="casebook")

    found = {(p.row, p.column, p.reason) for p in report.errors}
    kinds = ", ".join(CriterionKind.values)
    assert found == {
        (2, "youth_external_id", criteria.UNKNOWN_YOUTH.format(source="casebook")),
        (2, "finding_kind", criteria.UNKNOWN_KIND.format(allowed=kinds)),
        (2, "value", cleaning.NOT_YES_NO),
        (2, "recorded_on", cleaning.NOT_A_DATE),
        (3, "value", rows_module.REQUIRED),
        (3, "recorded_on", criteria.RECORDED_IN_FUTURE),
        (3, "source", criteria.SOURCE_TOO_LONG),
        (4, "external_id", services.DUPLICATE_IN_FILE.format(first=1)),
        (5, "case_number", criteria.UNKNOWN_CASE),  # another agency's case number is not seen
        (6, "recorded_on", criteria.RECORDED_BEFORE_BIRTH),
    }
    assert (5, "youth_external_id") in {(p.row, p.column) for p in by_key.errors}
    assert not report.written and CriterionRecord.objects.count() == 0
    assert not ExternalKey.objects.filter(object_type="criterion").exists()
    assert outsider.agency_id == world.agency_b.pk


def test_header_problems_stop_before_any_row(world: World, write_file: WriteFile) -> None:
    path = write_file("h.csv", ["external_id", "value", "colour"], [["A", "yes", "red"]])

    report = _run(world, path)

    assert {(p.column, p.reason) for p in report.errors} == {
        ("finding_kind", "Required column missing from the header."),
        ("recorded_on", "Required column missing from the header."),
        ("youth_external_id", criteria.NO_YOUTH_COLUMN),
        ("colour", "Unknown column: the importer does not know what to do with it."),
    }
    assert report.rows == 0


def test_dry_run_writes_nothing(world: World, youth: list[Youth], write_file: WriteFile) -> None:
    path = write_file("c.csv", HEADER, _rows())

    report = _run(world, path, source_system="casebook", dry_run=True)

    assert report.errors == [] and not report.written and report.rows == 3
    assert CriterionRecord.objects.count() == 0


def test_only_data_importers_may_import(world: World, write_file: WriteFile) -> None:
    path = write_file("c.csv", HEADER, _rows())
    with pytest.raises(Forbidden):
        _run(world, path, by=world.screener)


def test_cli_imports_criteria(world: World, youth: list[Youth], write_file: WriteFile) -> None:
    path = write_file("c.csv", HEADER, _rows())
    args = [
        "import",
        "criteria",
        str(path),
        "--agency",
        str(world.agency_a.pk),
        "--as",
        "agencyadmin",
    ]
    args += ["--source", "casebook", "-q"]

    checked = CliRunner().invoke(main, [*args, "--dry-run"])
    imported = CliRunner().invoke(main, args)

    assert checked.exit_code == 0, checked.output
    assert imported.exit_code == 0, imported.output
    assert CriterionRecord.objects.filter(agency=world.agency_a).count() == 3


def test_upload_page_imports_criteria(
    client: Client, world: World, youth: list[Youth], django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(world.agency_admin)
    text = io.StringIO()
    text.write(",".join(HEADER) + "\n")
    for row in _rows():
        text.write(",".join(row) + "\n")
    data = {
        "kind": "criterion",
        "source_system": "casebook",
        "file": SimpleUploadedFile("c.csv", text.getvalue().encode()),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("web:agency-import", args=[world.agency_a.pk]), data)

    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert (run.kind, run.status, run.created) == ("criterion", "done", 3)
    assert CriterionRecord.objects.count() == 3
