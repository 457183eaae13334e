"""`sightline import`: the command around `import_file`, with its exit codes and problem CSV."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from sightline.cli import main
from sightline.youth.models import Youth
from tests.conftest import World
from tests.imports.conftest import YOUTH_HEADER, WriteFile, youth_rows
from tests.imports.conftest import write_file as write_file


def _invoke(runner: CliRunner, world: World, path: Path, *extra: str) -> object:
    return runner.invoke(
        main,
        [
            "import",
            "youth",
            str(path),
            "--agency",
            str(world.agency_a.pk),
            "--as",
            "agencyadmin",
            "--source",
            "casebook",
            "-q",
            *extra,
        ],
    )


def test_import_command_imports_and_a_second_run_changes_nothing(
    runner: CliRunner, world: World, write_file: WriteFile
) -> None:
    path = write_file("y.csv", YOUTH_HEADER, youth_rows(3))

    first = _invoke(runner, world, path)
    second = _invoke(runner, world, path)

    assert first.exit_code == 0, first.output  # type: ignore[attr-defined]
    assert "imported 3" in first.stderr  # type: ignore[attr-defined]
    assert second.exit_code == 0 and "3 already imported; imported 0" in second.stderr  # type: ignore[attr-defined]
    assert Youth.objects.count() == 3


def test_problems_exit_2_write_nothing_and_go_to_the_csv(
    runner: CliRunner, world: World, write_file: WriteFile, tmp_path: Path
) -> None:
    rows = youth_rows(3)
    rows[1][4] = '=HYPERLINK("http://x.invalid")'
    path = write_file("y.csv", YOUTH_HEADER, rows)
    report = tmp_path / "problems.csv"

    result = _invoke(runner, world, path, "--problems", str(report))

    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "nothing was imported" in result.stderr  # type: ignore[attr-defined]
    with report.open(newline="", encoding="utf-8") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == ["row", "column", "value", "reason", "severity"]
    assert lines[1][:3] == ["2", "gender_identity", '\'=HYPERLINK("http://x.invalid")']
    assert Youth.objects.count() == 0


def test_dry_run_writes_nothing(runner: CliRunner, world: World, write_file: WriteFile) -> None:
    result = _invoke(runner, world, write_file("y.csv", YOUTH_HEADER, youth_rows(2)), "--dry-run")

    assert result.exit_code == 0 and "dry run" in result.stderr  # type: ignore[attr-defined]
    assert Youth.objects.count() == 0


def test_export_command_writes_a_zip_and_an_export_event(
    runner: CliRunner, world: World, write_file: WriteFile, tmp_path: Path
) -> None:
    import zipfile

    from sightline.audit.models import AuditAction, AuditEvent

    _invoke(runner, world, write_file("y.csv", YOUTH_HEADER, youth_rows(2)))
    target = tmp_path / "out.zip"

    result = runner.invoke(
        main,
        ["export", "--agency", str(world.agency_a.pk), "--as", "agencyadmin", "-o", str(target)],
    )

    assert result.exit_code == 0, result.output
    assert "Exported 2 youth, 0 intakes, 0 screenings" in result.stderr
    with zipfile.ZipFile(target) as archive:
        assert archive.read("youth.csv").decode().count("\n") == 3
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.channel, event.detail["rows"]["youth"]) == ("cli", 2)


def test_export_refuses_without_data_export(
    runner: CliRunner, world: World, tmp_path: Path
) -> None:
    target = tmp_path / "out.zip"

    result = runner.invoke(
        main, ["export", "--agency", str(world.agency_a.pk), "--as", "screener", "-o", str(target)]
    )

    assert result.exit_code != 0
    assert not target.exists() and list(tmp_path.iterdir()) == []
