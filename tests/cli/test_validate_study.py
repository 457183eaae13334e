"""`sightline validate study` and `rerun`: the studio's service from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from sightline.audit.models import AuditAction, AuditEvent
from sightline.cli import main
from sightline.validation.models import Study
from tests.conftest import World
from tests.validation.conftest import Studio
from tests.validation.conftest import studio as studio
from tests.validation.conftest import studio_population as studio_population


def _study(runner: CliRunner, username: str, agencies: list[int], *extra: str) -> object:
    args = ["validate", "study", "--as", username, "--instrument", "cse-it-2.0"]
    args += [
        "--from",
        "2020-01-01",
        "--to",
        "2026-12-31",
        "--criterion",
        "Child welfare investigations",
    ]
    for agency in agencies:
        args += ["--agency", str(agency)]
    return runner.invoke(main, [*args, "--window", "365", "-q", *extra])


def test_a_study_runs_saves_and_reruns_reproducibly(
    runner: CliRunner, studio: Studio, tmp_path: Path
) -> None:
    out = tmp_path / "study.json"
    result = _study(runner, studio.researcher.username, list(studio.agency_ids), "--json", str(out))
    assert result.exit_code == 0, result.output
    study = Study.objects.get()
    assert study.status == "done" and f"Saved as study {study.pk}." in result.output
    assert "Accuracy at" in result.output and study.snapshot_sha256 in result.output
    assert json.loads(out.read_text())["snapshot"]["sha256"] == study.snapshot_sha256
    again = runner.invoke(
        main, ["validate", "rerun", str(study.pk), "--as", studio.researcher.username, "-q"]
    )
    assert again.exit_code == 0, again.output
    assert "reproduced (same snapshot hash)" in again.output
    assert (
        AuditEvent.objects.filter(object_type="validation_study", action=AuditAction.CREATE).count()
        == 2
    )
    assert (
        AuditEvent.objects.filter(object_type="validation_study", action=AuditAction.EXPORT).count()
        == 1
    )


def test_an_analyst_is_refused_and_the_refusal_recorded(runner: CliRunner, world: World) -> None:
    result = runner.invoke(
        main,
        [
            "validate",
            "study",
            "--as",
            "analyst",
            "--instrument",
            "cse-it-2.0",
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
            "--agency",
            str(world.agency_a.pk),
            "--criterion",
            "x",
            "-q",
        ],
    )
    assert result.exit_code == 2 and not Study.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor=world.analyst).exists()
