"""`sightline audit verify` and `anchor`: exit 0 on an intact log, 1 naming the break otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from django.core import mail
from django.db import connection

from sightline.audit.anchors import read_anchors
from sightline.audit.models import AuditAction, AuditEvent
from sightline.audit.services import audit_record
from sightline.cli import main
from tests.conftest import World


@pytest.fixture
def anchors(tmp_path: Path, settings: object) -> Path:
    path = tmp_path / "anchors.jsonl"
    settings.SIGHTLINE_AUDIT_ANCHOR_FILE = str(path)  # type: ignore[attr-defined]
    settings.SIGHTLINE_AUDIT_ANCHOR_MAIL = []  # type: ignore[attr-defined]
    return path


def _events(world: World, n: int) -> None:
    for i in range(n):
        audit_record(
            actor=world.screener, action=AuditAction.VIEW, object_type="youth", object_id=i
        )


def test_verify_passes_an_intact_log_and_anchor_writes_the_head(
    world: World, anchors: Path
) -> None:
    _events(world, 5)
    runner = CliRunner()
    anchored = runner.invoke(main, ["audit", "anchor", "--mail", "security@example.org"])
    assert anchored.exit_code == 0, anchored.output
    [anchor] = read_anchors(anchors)
    assert anchor.seq == AuditEvent.objects.count() == 5
    assert mail.outbox[0].to == ["security@example.org"]
    assert anchor.hash in mail.outbox[0].body
    result = runner.invoke(main, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact: 5 event(s), 1 anchor(s)" in result.output


def test_verify_fails_and_names_the_altered_event(world: World, anchors: Path) -> None:
    _events(world, 5)
    runner = CliRunner()
    assert runner.invoke(main, ["audit", "anchor"]).exit_code == 0
    victim = AuditEvent.objects.order_by("id")[2]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_id = 'x' WHERE id = %s", [victim.pk])
    result = runner.invoke(main, ["audit", "verify"])
    assert result.exit_code == 1
    assert f"event {victim.pk} at place {victim.seq} was changed" in result.output


def test_verify_catches_truncation_against_the_anchor(world: World, anchors: Path) -> None:
    _events(world, 5)
    runner = CliRunner()
    assert runner.invoke(main, ["audit", "anchor"]).exit_code == 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq > 3")
    result = runner.invoke(main, ["audit", "verify"])
    assert result.exit_code == 1
    assert "[truncated]" in result.output
