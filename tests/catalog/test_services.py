"""Installing definitions: every `migrate` installs the bundled files; a broken or changed file is
refused with its DefinitionError message and nothing is written for it."""

from __future__ import annotations

import hashlib
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sightline.catalog import selectors
from sightline.catalog.models import ImmutableDefinitionError, InstalledDefinition
from sightline.catalog.services import definition_install, sync_after_migrate, sync_installed
from sightline.instruments import DefinitionError, validate_file
from sightline.instruments.parsing import MAX_FILE_BYTES
from sightline.instruments.registry import BUNDLED_DIR
from sightline.instruments.schema import DEFAULT_CANONICAL_BASE
from tests.catalog.conftest import Install, WriteFile

pytestmark = pytest.mark.django_db


def _rows() -> list[tuple[str, str, str]]:
    return list(
        InstalledDefinition.objects.order_by("instrument_id", "version").values_list(
            "instrument_id", "version", "sha256"
        )
    )


def test_migrate_installed_the_bundled_files_exactly() -> None:
    for path in sorted(BUNDLED_DIR.glob("*.yaml")):
        definition = validate_file(path)
        row = InstalledDefinition.objects.get(
            instrument_id=definition.id, version=definition.version
        )
        assert row.content.encode("utf-8") == path.read_bytes()
        assert row.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() == definition.sha256
        assert row.url == f"{DEFAULT_CANONICAL_BASE}{definition.id}"
        assert (row.official, row.title, row.short_title) == (
            False,
            definition.title,
            definition.short_title,
        )
        assert row.installed_by is None


def test_install_stores_the_file_and_a_second_identical_install_is_a_no_op(
    install: Install,
) -> None:
    first = install(url="https://agency.example/q/test-instrument")
    again = install(url="https://agency.example/q/test-instrument")

    assert (first.created, again.created) == (True, False)
    row = InstalledDefinition.objects.get(instrument_id="test-instrument")
    assert row.url == "https://agency.example/q/test-instrument"
    assert first.definition.versioned_url == "https://agency.example/q/test-instrument|1.0.0"
    assert selectors.definition("test-instrument", "1.0.0").sha256 == row.sha256


def test_a_changed_file_with_an_installed_version_is_refused_and_nothing_changes(
    install: Install,
) -> None:
    install()
    before = _rows()

    with pytest.raises(DefinitionError, match="already installed with different content"):
        install("changed.yaml", title="Changed title")

    assert _rows() == before
    assert selectors.definition("test-instrument", "1.0.0").title == "Test instrument"


def test_another_instrument_may_not_take_an_installed_canonical_url(install: Install) -> None:
    install(url="https://agency.example/q/one")
    before = _rows()

    with pytest.raises(DefinitionError, match="canonical URL must be its own") as refused:
        install("other.yaml", id="other-instrument", url="https://agency.example/q/one")

    assert refused.value.location == "url"
    assert _rows() == before


def test_a_broken_file_is_refused_with_the_validator_message_and_writes_nothing(
    write_file: WriteFile,
) -> None:
    path = write_file(min_age="ten")
    with pytest.raises(DefinitionError) as expected:
        validate_file(path)
    before = _rows()

    with pytest.raises(DefinitionError) as refused:
        definition_install(raw=path.read_bytes(), source=path)

    assert str(refused.value) == str(expected.value)
    assert _rows() == before


def test_sync_installs_the_good_files_of_a_folder_and_refuses_the_broken_ones(
    write_file: WriteFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_file("agency/good.yaml", id="agency-good")
    broken = write_file("agency/broken.yaml", id="agency-broken", indicators=[])
    (tmp_path / "agency" / "bomb.yaml").write_text("a: &a [1, 2]\nb: *a\n", encoding="utf-8")
    monkeypatch.setenv("SIGHTLINE_INSTRUMENT_DIRS", str(tmp_path / "agency"))

    report = sync_installed()

    assert [d.id for d in report.created] == ["agency-good"]
    assert {error.file for error in report.refused} == {
        str(broken),
        str(tmp_path / "agency" / "bomb.yaml"),
    }
    assert not InstalledDefinition.objects.filter(instrument_id="agency-broken").exists()
    assert "agency-good" in selectors.instrument_ids()
    assert "agency-broken" not in selectors.instrument_ids()
    # The bundled files were there already: nothing new, nothing refused.
    assert {(o.definition.id, o.created) for o in report.installed} >= {
        ("cse-it-2.0", False),
        ("cse-it-brief", False),
    }


def test_after_migrate_a_broken_file_is_logged_and_migrate_carries_on(
    write_file: WriteFile,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    write_file("agency/good.yaml", id="agency-good")
    write_file("agency/broken.yaml", id="agency-broken", levels=[])
    monkeypatch.setenv("SIGHTLINE_INSTRUMENT_DIRS", str(tmp_path / "agency"))
    out = StringIO()

    sync_after_migrate(using="default", verbosity=1, stdout=out)

    assert "Installed instrument agency-good 1.0.0" in out.getvalue()
    assert any("broken.yaml" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    assert not InstalledDefinition.objects.filter(instrument_id="agency-broken").exists()


def test_instruments_sync_command_reports_each_file_and_fails_when_one_is_refused(
    write_file: WriteFile, tmp_path: Path
) -> None:
    write_file("more/good.yaml", id="agency-good")
    broken = write_file("more/broken.yaml", id="agency-broken", version=2.0)
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError, match="1 definition file was refused"):
        call_command("instruments_sync", "--dir", str(tmp_path / "more"), stdout=out, stderr=err)

    assert (
        "Installed: agency-good 1.0.0 (https://sightline.example/fhir/Questionnaire/agency-good|1.0.0)"
        in out.getvalue()
    )
    assert "Already installed: cse-it-2.0" in out.getvalue()
    assert f"Refused: {broken}: version:" in err.getvalue()
    assert not InstalledDefinition.objects.filter(instrument_id="agency-broken").exists()


def test_an_alias_bomb_is_refused_at_once_with_a_short_message(write_file: WriteFile) -> None:
    # Nine levels of nine aliases stand for 9**9 (387 million) strings in 600 bytes of YAML.
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, 10)]
    path = write_file()
    text = path.read_text(encoding="utf-8").replace("title: Test instrument", "title: *l9")
    raw = ("\n".join(lines) + "\n" + text).encode()
    before = _rows()

    started = time.perf_counter()
    with pytest.raises(DefinitionError) as refused:
        definition_install(raw=raw, source=path)
    elapsed = time.perf_counter() - started

    assert "aliases are not allowed" in refused.value.problem
    assert len(str(refused.value)) < 300
    assert elapsed < 1.0  # the expansion would take minutes and exhaust memory
    assert _rows() == before


def test_an_oversized_file_is_refused_without_being_parsed(write_file: WriteFile) -> None:
    path = write_file()
    raw = path.read_bytes() + b"#" * MAX_FILE_BYTES

    with pytest.raises(DefinitionError, match="larger than the 256,000 bytes") as refused:
        definition_install(raw=raw, source=path)

    assert len(str(refused.value)) < 300


def test_installed_rows_are_never_changed(install: Install) -> None:
    install()
    row = InstalledDefinition.objects.get(instrument_id="test-instrument")
    row.title = "Changed"

    with pytest.raises(ImmutableDefinitionError):
        row.save()
    with pytest.raises(ImmutableDefinitionError):
        InstalledDefinition.objects.filter(pk=row.pk).update(title="Changed")
    assert InstalledDefinition.objects.get(pk=row.pk).title == "Test instrument"
