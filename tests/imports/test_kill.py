"""An import killed with SIGKILL in the middle of writing leaves the database exactly as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from sightline.tenancy.models import Role
from tests import factories
from tests.imports.conftest import YOUTH_HEADER, WriteFile, youth_rows

TABLES = (
    "youth_youth",
    "youth_youthnametoken",
    "youth_intakeepisode",
    "screenings_screening",
    "imports_externalkey",
    "audit_auditevent",
    "scheduling_intakeschedule",
)
REPO = Path(__file__).resolve().parents[2]


def _fingerprint() -> dict[str, tuple[int, str]]:
    """Row count and an md5 over every row's text, per table."""
    found = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
                f"FROM {table} t"
            )
            found[table] = cursor.fetchone()
    return found


def _other_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])


def test_sigkill_midway_leaves_the_database_as_before(
    transactional_db: None, write_file: WriteFile
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the kill must hit a real server-side transaction")
    agency = factories.agency(name="Harbor")
    admin = factories.member(agency, Role.AGENCY_ADMIN, username="importer")
    assert admin.pk
    # Something already there, which must survive untouched.
    keep = write_file("first.csv", YOUTH_HEADER, youth_rows(3, start=900_000))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _database_url(),
        "PYTHONPATH": str(REPO),
    }
    script = str(Path(sys.executable).parent / "sightline")
    command = [script, "import", "youth", "--agency", str(agency.pk), "--as", "importer"]
    done = subprocess.run(
        [*command, str(keep), "--source", "casebook", "-q"], env=env, cwd=REPO, timeout=120
    )
    assert done.returncode == 0
    big = write_file("youth.csv", YOUTH_HEADER, youth_rows(30_000))
    before = _fingerprint()
    assert before["youth_youth"][0] == 3

    process = subprocess.Popen(
        [*command, str(big), "--source", "casebook"],
        env=env,
        cwd=REPO,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    seen = b""
    deadline = time.monotonic() + 300
    # The writing bar is first drawn once the first batch of rows is in the open transaction.
    while b"writing" not in seen:
        chunk = os.read(process.stderr.fileno(), 4096)
        if not chunk or time.monotonic() > deadline:
            break
        seen += chunk
    assert b"writing" in seen, seen[-500:]
    assert _open_transactions() == 1, "the import should be inside its one transaction"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stderr.close()
    assert process.returncode == -signal.SIGKILL

    deadline = time.monotonic() + 30
    while _other_backends() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _fingerprint() == before


def _open_transactions() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
        )
        return int(cursor.fetchone()[0])


def _database_url() -> str:
    settings = connection.settings_dict
    return (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )
