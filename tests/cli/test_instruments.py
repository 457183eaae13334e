"""`sightline instruments list|show|validate|load`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from sightline import instruments
from sightline.catalog import selectors as catalog
from sightline.catalog.models import InstalledDefinition
from sightline.cli import main


def _copy_definition(
    source_id: str, target: Path, *, drop: tuple[str, ...] = (), **changes: Any
) -> Path:
    """A bundled definition file without the keys in `drop` and with `changes`, saved at `target`."""
    content = yaml.safe_load(
        Path(instruments.load(source_id).source_path).read_text(encoding="utf-8")
    )
    for key in drop:
        del content[key]
    content.update(changes)
    target.write_text(
        yaml.safe_dump(content, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    return target


def test_list_shows_both_bundled_instruments_with_their_facts(runner: CliRunner) -> None:
    result = runner.invoke(main, ["instruments", "list"])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "VERSION", "TITLE", "OFFICIAL", "INDICATORS", "SOURCE"]
    for instrument_id in ("cse-it-2.0", "cse-it-brief"):
        definition = instruments.load(instrument_id)
        line = next(line for line in lines if line.startswith(f"{instrument_id} "))
        cells = line.split()
        assert cells[1] == definition.version
        assert definition.title in line
        assert cells[-3:] == ["no", str(len(definition.indicators)), str(definition.source_path)]


def test_list_includes_a_folder_from_the_environment(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _copy_definition("cse-it-brief", tmp_path / "agency.yaml", id="agency-pilot", version="0.1.0")
    monkeypatch.setenv("SIGHTLINE_INSTRUMENT_DIRS", str(tmp_path))

    result = runner.invoke(main, ["instruments", "list"])

    assert result.exit_code == 0, result.output
    assert any(line.startswith("agency-pilot ") for line in result.stdout.splitlines())


def test_show_prints_indicators_statements_scoring_and_levels(runner: CliRunner) -> None:
    definition = instruments.load("cse-it-2.0")

    result = runner.invoke(main, ["instruments", "show", "cse-it-2.0"])

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert definition.title in out and definition.version in out
    for indicator in definition.indicators:
        assert f"{indicator.id}: {indicator.title}" in out
        for statement in indicator.statements:
            assert " ".join(statement.text.split()) in out
    assert "Scoring:" in out
    assert f"minimum rated: {definition.scoring.minimum_rated}" in out
    for level in definition.levels:
        assert f"{level.code}: {level.label}" in out
        for step in level.follow_up:
            assert " ".join(str(step).split()) in out


def test_show_unknown_instrument_exits_2_naming_what_exists(runner: CliRunner) -> None:
    result = runner.invoke(main, ["instruments", "show", "no-such-instrument"])

    assert result.exit_code == 2
    assert "Unknown instrument 'no-such-instrument'" in result.stderr
    assert "cse-it-2.0" in result.stderr
    assert result.stdout == ""


def test_validate_good_file_prints_id_version_and_indicator_count(runner: CliRunner) -> None:
    definition = instruments.load("cse-it-brief")

    result = runner.invoke(main, ["instruments", "validate", str(definition.source_path)])

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        f"OK: cse-it-brief {definition.version} ({len(definition.indicators)} key indicators)"
    )


def test_validate_bad_file_prints_the_definition_error_and_exits_2(
    runner: CliRunner, tmp_path: Path
) -> None:
    bad = _copy_definition("cse-it-brief", tmp_path / "bad.yaml", drop=("indicators",))
    with pytest.raises(instruments.DefinitionError) as expected:
        instruments.validate_file(bad)

    result = runner.invoke(main, ["instruments", "validate", str(bad)])

    assert result.exit_code == 2
    assert str(expected.value) in result.stderr
    assert "OK:" not in result.output


@pytest.mark.django_db
def test_load_installs_into_first_folder_of_the_environment_and_is_idempotent(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target, other = tmp_path / "first", tmp_path / "second"
    monkeypatch.setenv("SIGHTLINE_INSTRUMENT_DIRS", f"{target},{other}")
    source = _copy_definition(
        "cse-it-brief", tmp_path / "pilot.yaml", id="agency-pilot", version="1.0.0"
    )
    installed = target / "agency-pilot@1.0.0.yaml"

    first = runner.invoke(main, ["instruments", "load", str(source)])
    second = runner.invoke(main, ["instruments", "load", str(source)])

    assert first.exit_code == 0, first.output
    assert f"Installed: agency-pilot 1.0.0 -> {installed}" in first.stdout
    assert installed.read_bytes() == source.read_bytes()
    assert second.exit_code == 0, second.output
    assert "Already installed (identical)" in second.stdout
    assert sorted(p.name for p in target.iterdir()) == ["agency-pilot@1.0.0.yaml"]
    assert not other.exists()
    assert instruments.load("agency-pilot").version == "1.0.0"
    # ... and into the catalog, which is what pages and services read.
    assert catalog.current_definition("agency-pilot").sha256 == instruments.load(source).sha256
    assert InstalledDefinition.objects.filter(instrument_id="agency-pilot").count() == 1


@pytest.mark.django_db
def test_load_without_environment_uses_var_instruments_under_the_current_folder(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _copy_definition(
        "cse-it-brief", tmp_path / "pilot.yaml", id="agency-pilot", version="1.0.0"
    )
    monkeypatch.chdir(tmp_path)

    result = runner.invoke(main, ["instruments", "load", str(source)])

    assert result.exit_code == 0, result.output
    assert (tmp_path / "var" / "instruments" / "agency-pilot@1.0.0.yaml").is_file()


@pytest.mark.django_db
def test_load_refuses_same_version_with_different_content(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "installed"
    monkeypatch.setenv("SIGHTLINE_INSTRUMENT_DIRS", str(target))
    original = _copy_definition(
        "cse-it-brief", tmp_path / "a.yaml", id="agency-pilot", version="1.0.0"
    )
    changed = _copy_definition(
        "cse-it-brief",
        tmp_path / "b.yaml",
        id="agency-pilot",
        version="1.0.0",
        title="Changed title",
    )
    assert runner.invoke(main, ["instruments", "load", str(original)]).exit_code == 0

    result = runner.invoke(main, ["instruments", "load", str(changed)])

    assert result.exit_code == 2
    assert "agency-pilot" in result.stderr
    assert (target / "agency-pilot@1.0.0.yaml").read_bytes() == original.read_bytes()
    assert catalog.definition("agency-pilot", "1.0.0").title != "Changed title"


@pytest.mark.django_db
def test_load_refuses_an_invalid_file_and_installs_nothing(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "installed"
    monkeypatch.setenv("SIGHTLINE_INSTRUMENT_DIRS", str(target))
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: broken\n", encoding="utf-8")

    result = runner.invoke(main, ["instruments", "load", str(bad)])

    assert result.exit_code == 2
    assert str(bad) in result.stderr
    assert not target.exists() or not any(target.iterdir())
    assert not InstalledDefinition.objects.filter(instrument_id="broken").exists()


@pytest.mark.django_db
def test_load_refuses_a_version_the_catalog_holds_with_other_content_and_copies_nothing(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The database is the record: a copy that differs from the installed version is refused even
    # when no folder holds the original any more.
    first, second = tmp_path / "first", tmp_path / "second"
    original = _copy_definition(
        "cse-it-brief", tmp_path / "a.yaml", id="agency-pilot", version="1.0.0"
    )
    changed = _copy_definition(
        "cse-it-brief", tmp_path / "b.yaml", id="agency-pilot", version="1.0.0", title="Other"
    )
    monkeypatch.setenv("SIGHTLINE_INSTRUMENT_DIRS", str(first))
    assert runner.invoke(main, ["instruments", "load", str(original)]).exit_code == 0
    monkeypatch.setenv("SIGHTLINE_INSTRUMENT_DIRS", str(second))

    result = runner.invoke(main, ["instruments", "load", str(changed)])

    assert result.exit_code == 2
    assert "already installed with different content" in result.stderr
    assert not second.exists()
    assert catalog.definition("agency-pilot", "1.0.0").sha256 == instruments.load(original).sha256


def test_load_without_the_database_only_copies_the_file(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "installed"
    monkeypatch.setenv("SIGHTLINE_INSTRUMENT_DIRS", str(target))
    source = _copy_definition(
        "cse-it-brief", tmp_path / "pilot.yaml", id="agency-pilot", version="1.0.0"
    )

    # No database access is allowed in this test: the command must not touch it.
    result = runner.invoke(main, ["instruments", "load", "--no-database", str(source)])

    assert result.exit_code == 0, result.output
    assert (target / "agency-pilot@1.0.0.yaml").read_bytes() == source.read_bytes()
