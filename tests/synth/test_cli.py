"""`sightline synth` writes a seeded population to files or to the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sightline.cli import main
from sightline.scheduling.models import IntakeSchedule
from sightline.synth.models import HiddenTruth
from sightline.youth.models import IntakeEpisode, Youth


def test_writes_files_to_a_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["synth", "--youth", "60", "--seed", "3", "--out", str(tmp_path), "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "youth.csv").exists() and (tmp_path / "screenings.csv").exists()
    assert "Wrote" in result.output


def test_same_seed_writes_the_same_files(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        args = ["synth", "--youth", "40", "--seed", "5", "--quiet", "--out", str(tmp_path / folder)]
        assert CliRunner().invoke(main, args).exit_code == 0
    assert (tmp_path / "a" / "screenings.csv").read_bytes() == (
        tmp_path / "b" / "screenings.csv"
    ).read_bytes()


@pytest.mark.django_db
def test_writes_to_the_database() -> None:
    result = CliRunner().invoke(
        main, ["synth", "--youth", "50", "--seed", "4", "--quiet", "--to-db"]
    )
    assert result.exit_code == 0, result.output
    # 50 people; a youth who moved to another agency has a record at each agency.
    assert HiddenTruth.objects.values("person").distinct().count() == 50
    records = Youth.objects.count()
    assert records >= 50
    # The stored schedule is built too: one row per intake, ready for the worklists.
    assert IntakeSchedule.objects.count() == IntakeEpisode.objects.count() > 0
    assert f"schedule of {records} youth" in result.output


def test_needs_exactly_one_destination(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["synth", "--youth", "5", "--to-db", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "exactly one" in result.output
