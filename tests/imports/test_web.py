"""The upload page: limits, the background import and its problems, and the export links."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from sightline.audit.models import AuditAction, AuditEvent
from sightline.imports import runs
from sightline.imports.models import ImportRun
from sightline.tenancy.models import Membership, Role
from sightline.youth.models import Youth
from tests.conftest import World
from tests.imports.conftest import YOUTH_HEADER, youth_rows


def _csv(rows: list[list[str]], header: list[str] = YOUTH_HEADER) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode()


def _upload(
    client: Client,
    world: World,
    content: bytes,
    name: str = "youth.csv",
    capture: Callable[..., Any] | None = None,
    **extra: str,
) -> Any:
    data = {"kind": "youth", "source_system": "casebook", **extra}
    data["file"] = SimpleUploadedFile(name, content)  # type: ignore[assignment]
    url = reverse("web:agency-import", args=[world.agency_a.pk])
    if capture is None:
        return client.post(url, data)
    with capture(execute=True):
        return client.post(url, data)


@pytest.fixture
def admin(client: Client, world: World) -> Client:
    client.force_login(world.agency_admin)
    return client


@pytest.mark.parametrize("persona", ["screener", "supervisor", "analyst", "outsider"])
def test_only_agency_admins_see_the_page(client: Client, world: World, persona: str) -> None:
    client.force_login(getattr(world, persona))
    response = client.get(reverse("web:agency-import", args=[world.agency_a.pk]))
    # Their own agency, an action their role does not allow: 403; another agency's: 404.
    assert response.status_code == (404 if persona == "outsider" else 403)


def test_an_upload_is_imported_in_the_background_and_its_run_shown(
    admin: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    response = _upload(
        admin, world, _csv(youth_rows(4)), capture=django_capture_on_commit_callbacks
    )

    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "web:agency-import-run", args=[world.agency_a.pk, run.pk]
    )
    assert (run.status, run.rows_total, run.created) == ("done", 4, 4)
    assert run.stored_path == ""  # the stored upload is deleted once imported
    assert Youth.objects.filter(agency=world.agency_a).count() == 4
    page = admin.get(response["Location"])
    assert b"4 imported" in page.content
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, channel="import").count() == 1


def test_problems_are_shown_and_downloadable_as_csv(
    admin: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    rows = youth_rows(3)
    rows[2][4] = "=cmd|' /C calc'!A0"
    _upload(admin, world, _csv(rows), capture=django_capture_on_commit_callbacks)

    run = ImportRun.objects.get()
    assert run.status == "failed" and Youth.objects.count() == 0
    page = admin.get(reverse("web:agency-import-run", args=[world.agency_a.pk, run.pk]))
    assert b"gender_identity" in page.content
    download = admin.get(reverse("web:agency-import-problems", args=[world.agency_a.pk, run.pk]))
    lines = list(csv.reader(io.StringIO(download.content.decode())))
    assert lines[0] == ["row", "column", "value", "reason", "severity"]
    assert lines[1][:3] == ["3", "gender_identity", "'=cmd|' /C calc'!A0"]


def test_too_large_and_wrong_type_uploads_are_refused_before_storing(
    admin: Client, world: World, settings: Any
) -> None:
    settings.SIGHTLINE_IMPORT_MAX_BYTES = 2 * 1024 * 1024
    big = _csv(youth_rows(1)) + b"x" * (2 * 1024 * 1024)
    for content, name in [
        (big, "youth.csv"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "youth.csv"),  # an executable renamed
        (b"not a zip", "youth.xlsx"),
        (_csv(youth_rows(1)), "youth.txt"),
    ]:
        response = _upload(admin, world, content, name)
        assert response.status_code == 400, name
    assert ImportRun.objects.count() == 0
    assert b"larger than 2 MB" in _upload(admin, world, big).content


def test_a_run_of_another_agency_is_not_found(
    admin: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    _upload(admin, world, _csv(youth_rows(1)), capture=django_capture_on_commit_callbacks)
    run = ImportRun.objects.get()
    # An agency admin of B, asking B's page for A's run: the run is not found there.
    Membership.objects.filter(user=world.outsider, agency=world.agency_b).update(
        role=Role.AGENCY_ADMIN
    )
    outsider = Client()
    outsider.force_login(world.outsider)
    response = outsider.get(reverse("web:agency-import-run", args=[world.agency_b.pk, run.pk]))
    assert response.status_code == 404


def test_import_page_queries_do_not_grow_with_runs(
    admin: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("web:agency-import", args=[world.agency_a.pk])

    def count() -> int:
        admin.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert admin.get(url).status_code == 200
        return len(captured.captured_queries)

    _upload(admin, world, _csv(youth_rows(1)), capture=django_capture_on_commit_callbacks)
    few = count()
    for n in range(5):
        _upload(
            admin,
            world,
            _csv(youth_rows(1, start=10 + n)),
            capture=django_capture_on_commit_callbacks,
        )
    assert count() == few <= 10


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "parquet"])
def test_export_holds_the_agencys_rows_and_records_an_export_event(
    admin: Client, world: World, django_capture_on_commit_callbacks: Any, file_format: str
) -> None:
    _upload(admin, world, _csv(youth_rows(3)), capture=django_capture_on_commit_callbacks)

    response = admin.get(reverse("web:agency-export", args=[world.agency_a.pk, file_format]))

    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    if file_format == "xlsx":
        sheet = load_workbook(io.BytesIO(content), read_only=True)["youth"]
        names = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    else:
        archive = zipfile.ZipFile(io.BytesIO(content))
        assert sorted(archive.namelist()) == sorted(
            f"{t}.{file_format}" for t in ("youth", "intakes", "screenings")
        )
        member = archive.read(f"youth.{file_format}")
        if file_format == "csv":
            names = [row["first_name"] for row in csv.DictReader(io.StringIO(member.decode()))]
        else:
            names = pq.read_table(io.BytesIO(member)).column("first_name").to_pylist()
    assert sorted(names) == ["Ana0", "Ana1", "Ana2"]
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.detail["rows"] == {"youth": 3, "intakes": 0, "screenings": 0}
    assert event.detail["format"] == file_format


def test_export_needs_data_export(client: Client, world: World) -> None:
    client.force_login(world.supervisor)
    response = client.get(reverse("web:agency-export", args=[world.agency_a.pk, "csv"]))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    assert runs.max_upload_bytes() > 0


def test_the_staff_page_links_to_the_import_page(admin: Client, world: World) -> None:
    page = admin.get(reverse("web:staff"))
    assert reverse("web:agency-import", args=[world.agency_a.pk]).encode() in page.content
