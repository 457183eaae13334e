"""A canary youth used through a whole session — created, searched, screened, finalized, followed up,
closed, exported, read through the API — with every logger at DEBUG (SQL included) written to a file
and the temporary directory watched. Its name and every free text given appear in no log line, no
temporary file and no column of any table in clear (SQLite; PostgreSQL too when DATABASE_URL is set).

The case number is checked the same way (encrypted row-bound and searched through its digest since
ADR 0011).
"""

from __future__ import annotations

import io
import json
import logging
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from sightline.screenings.models import Screening
from sightline.youth.models import Youth
from tests.api.conftest import issue
from tests.conftest import World
from tests.web.test_screening_views import _draft_data

NAME = ("Xylocanaria", "Quorblewitz")
CASE_NUMBER = "CNRY-CASE-918273"
# Every free text the session types, each a word found nowhere else.
FREE_TEXT = {
    "alias": "Cnryalias",
    "self_description": "cnryselfdesc",
    "phone": "555-0199-cnry",
    "address": "cnryaddress street",
    "youth_notes": "cnryyouthnote",
    "screening_notes": "cnryscreeningnote",
    "followup_description": "cnryfollowupdesc",
    "followup_outcome": "cnryfollowupoutcome",
    "followup_reference": "cnryreference",
    "amendment_reason": "cnryamendreason",
}


@dataclass
class Session:
    log_file: Path
    temp_dir: Path
    youth: Youth


@pytest.fixture
def watched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Path]]:
    """Every logger at DEBUG into one file (SQL with its parameters too); a fresh temp directory."""
    log_file = tmp_path / "debug.log"
    temp_dir = tmp_path / "tmp"
    temp_dir.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp_dir))
    monkeypatch.setenv("TMPDIR", str(temp_dir))
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s %(args)s"))
    loggers = [logging.getLogger()] + [
        logging.getLogger(name) for name in list(logging.root.manager.loggerDict)
    ]
    saved = [(each, each.level, each.disabled) for each in loggers]
    for each in loggers:
        each.setLevel(logging.DEBUG)
        each.disabled = False
        each.addHandler(handler)
    debug_cursor = connection.force_debug_cursor
    connection.force_debug_cursor = True
    try:
        yield log_file, temp_dir
    finally:
        connection.force_debug_cursor = debug_cursor
        for each, level, disabled in saved:
            each.removeHandler(handler)
            each.setLevel(level)
            each.disabled = disabled
        handler.close()


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def session(world: World, watched: tuple[Path, Path]) -> Session:
    log_file, temp_dir = watched
    screener = _client(world.screener)
    # Create through the page.
    created = screener.post(
        reverse("web:youth-create"),
        {
            "first_name": NAME[0],
            "last_name": NAME[1],
            "aliases": FREE_TEXT["alias"],
            "date_of_birth": "2011-03-09",
            "gender_identity": "another",
            "gender_self_description": FREE_TEXT["self_description"],
            "preferred_language": "English",
            "case_number": CASE_NUMBER,
            "phone": FREE_TEXT["phone"],
            "address": FREE_TEXT["address"],
            "notes": FREE_TEXT["youth_notes"],
            "intake_on": "2026-01-10",
            "program": "Foster care",
        },
    )
    assert created.status_code == 302, created.content[:2000]
    youth = Youth.objects.get()
    # Search by name and by case number, list, open.
    # Searching by name and case number posts them (the page's own form), so they reach no URL.
    assert NAME[1].encode() in screener.post(reverse("web:youth-list"), {"name": NAME[0]}).content
    screener.post(reverse("web:youth-list"), {"case_number": CASE_NUMBER})
    assert screener.get(reverse("web:youth-detail", args=[youth.pk])).status_code == 200
    # Screen and finalize through the pages.
    started = screener.post(
        reverse("web:screening-start", args=[youth.pk]),
        {
            "instrument_id": "cse-it-2.0",
            "reason": "intake",
            "information_sources": ["records"],
            "screener_role": "clinician",
            "known_for": "under_week",
            "screened_on": "2026-02-02",
            "mode": "full",
        },
    )
    assert started.status_code == 302
    screening = Screening.objects.get()
    saved = screener.post(
        started["Location"], _draft_data(screening, notes=FREE_TEXT["screening_notes"])
    )
    assert saved.status_code == 302
    screening.refresh_from_db()
    final = screener.post(started["Location"], {**_draft_data(screening), "finalize": "1"})
    assert final.status_code == 302
    screener.get(reverse("web:screening-detail", args=[screening.pk]))
    screener.get(reverse("web:screening-summary", args=[screening.pk]))
    # Follow-up, amendment and reads through the API (with idempotency keys, so stored answers too).
    secret = issue(world.screener)
    api = Client()
    followup = api.post(
        f"/api/screenings/{screening.pk}/followups",
        data=json.dumps(
            {
                "kind": "safety_plan",
                "owner_id": world.screener.pk,
                "due_on": "2026-04-01",
                "description": FREE_TEXT["followup_description"],
            }
        ),
        content_type="application/json",
        headers={**_api(secret), "Idempotency-Key": "canary-1"},
    )
    assert followup.status_code == 201, followup.content
    done = api.post(
        f"/api/followups/{followup.json()['id']}/complete",
        data=json.dumps(
            {
                "completed_on": "2026-02-20",
                "outcome": FREE_TEXT["followup_outcome"],
                "reference": FREE_TEXT["followup_reference"],
            }
        ),
        content_type="application/json",
        headers={**_api(secret), "Idempotency-Key": "canary-2"},
    )
    assert done.status_code == 200, done.content
    amended = api.post(
        f"/api/screenings/{screening.pk}/amend",
        data=json.dumps({"reason": FREE_TEXT["amendment_reason"]}),
        content_type="application/json",
        headers={**_api(secret), "Idempotency-Key": "canary-3"},
    )
    assert amended.status_code == 201, amended.content
    assert NAME[0] in api.get(f"/api/youth/{youth.pk}", headers=_api(secret)).content.decode()
    api.post(
        "/api/youth/search",
        data=json.dumps({"name": " ".join(NAME)}),
        content_type="application/json",
        headers=_api(secret),
    )
    api.get(f"/api/fhir/youth/{youth.pk}/Bundle", headers=_api(secret))
    # The agency's identified export (agency admin).
    exported = _client(world.agency_admin).get(
        reverse("web:agency-export", args=[world.agency_a.pk, "csv"]), {"kind": "youth"}
    )
    body = b"".join(exported.streaming_content) if exported.streaming else exported.content
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert exported.status_code == 200 and NAME[1].encode() in archive.read("youth.csv")
    return Session(log_file=log_file, temp_dir=temp_dir, youth=youth)


def _logged(session: Session) -> str:
    text = session.log_file.read_text(encoding="utf-8", errors="replace")
    assert "SELECT" in text  # the capture really saw the SQL at DEBUG
    return text


def _temp_files(session: Session) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in session.temp_dir.rglob("*") if p.is_file()}


def _columns_holding(needle: str) -> list[str]:
    """'table.column' of every column of every table whose value holds `needle` in clear."""
    found: list[str] = []
    raw = needle.encode()
    lowered = needle.lower()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, table)
            ]
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # nosec B608: table names from the database's own catalogue
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    if isinstance(value, (bytes, bytearray, memoryview)):
                        hit = raw in bytes(value)
                    else:
                        hit = lowered in str(value).lower()
                    if hit:
                        found.append(f"{table}.{column}")
    return sorted(set(found))


SECRETS = [NAME[0], NAME[1], *FREE_TEXT.values()]


def test_the_canary_name_and_free_text_are_in_no_log(session: Session) -> None:
    text = _logged(session).lower()
    assert [s for s in SECRETS if s.lower() in text] == []


def test_the_canary_is_in_no_temporary_file(session: Session) -> None:
    leaks = {
        path: [s for s in [*SECRETS, CASE_NUMBER] if s.lower().encode() in content.lower()]
        for path, content in _temp_files(session).items()
    }
    assert {path: found for path, found in leaks.items() if found} == {}


def test_the_canary_name_and_free_text_are_in_no_column_in_clear(session: Session) -> None:
    assert {s: _columns_holding(s) for s in SECRETS if _columns_holding(s)} == {}


def test_the_scan_finds_a_value_stored_in_clear(session: Session) -> None:
    """The column scan can fail: the program (a plain column) typed in the session is found."""
    assert "youth_intakeepisode.program" in _columns_holding("Foster care")


def test_the_canary_case_number_is_in_no_log_and_no_column_in_clear(session: Session) -> None:
    assert CASE_NUMBER.lower() not in _logged(session).lower()
    assert _columns_holding(CASE_NUMBER) == []
