"""Finding definitions: by path, id and id@version; official first; folders from the environment;
`install` refuses to change an installed version."""

from __future__ import annotations

from pathlib import Path

import pytest

from sightline.instruments import DefinitionError, available, install, load
from sightline.instruments.registry import version_key
from tests.instruments.conftest import WriteDefinition


def test_load_by_path_id_and_exact_version(
    write_definition: WriteDefinition, tmp_path: Path
) -> None:
    folder = tmp_path / "agency"
    write_definition("agency/a.yaml", version="1.0.0")
    write_definition("agency/b.yaml", version="1.2.0")
    path = write_definition("elsewhere.yaml", version="9.9.9")

    assert load(path).version == "9.9.9"
    assert load(str(path)).version == "9.9.9"
    assert load("test-instrument", search_dirs=[folder]).version == "1.2.0"
    assert load("test-instrument@1.0.0", search_dirs=[folder]).version == "1.0.0"


def test_unknown_id_or_version_is_a_lookup_error(tmp_path: Path) -> None:
    with pytest.raises(LookupError, match="no instrument definition has the id 'nope'"):
        load("nope")
    with pytest.raises(LookupError, match=r"'cse-it-2.0' has no version '0.0.1' \(found: "):
        load("cse-it-2.0@0.0.1")


def test_an_official_definition_is_preferred_over_a_higher_unofficial_version(
    write_definition: WriteDefinition, tmp_path: Path
) -> None:
    write_definition("agency/unofficial.yaml", version="3.0.0", official=False)
    write_definition("agency/official.yaml", version="2.0.0", official=True)

    chosen = load("test-instrument", search_dirs=[tmp_path / "agency"])

    assert (chosen.version, chosen.official) == ("2.0.0", True)


def test_the_official_file_from_the_environment_replaces_the_bundled_one(
    write_definition: WriteDefinition, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundled = load("cse-it-brief")
    write_definition(
        "licensed/official-brief.yaml", id="cse-it-brief", version="1.0", official=True
    )
    monkeypatch.setenv(
        "SIGHTLINE_INSTRUMENT_DIRS", f" {tmp_path / 'empty'} , {tmp_path / 'licensed'}"
    )

    chosen = load("cse-it-brief")

    assert chosen.official and chosen.version == "1.0"
    assert load(f"cse-it-brief@{bundled.version}").sha256 == bundled.sha256
    assert [(d.id, d.version) for d in available() if d.id == "cse-it-brief"] == [
        ("cse-it-brief", bundled.version),  # words sort before numbers at the same place
        ("cse-it-brief", "1.0"),
    ]


def test_available_lists_bundled_and_search_dirs_sorted_by_id_then_version(
    write_definition: WriteDefinition, tmp_path: Path
) -> None:
    for version in ("1.10.0", "1.9.0", "1.2.0"):
        write_definition(f"more/{version}.yaml", version=version)
    (tmp_path / "more" / "notes.txt").write_text("not a definition", encoding="utf-8")

    found = [
        (d.id, d.version) for d in available(search_dirs=[tmp_path / "more", tmp_path / "gone"])
    ]

    assert found == sorted(found, key=lambda pair: pair[0])
    assert [v for i, v in found if i == "test-instrument"] == ["1.2.0", "1.9.0", "1.10.0"]
    assert {"cse-it-2.0", "cse-it-brief"} <= {i for i, _ in found}


def test_an_invalid_file_in_a_searched_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("id: [\n", encoding="utf-8")

    with pytest.raises(DefinitionError, match=r"bad\.yaml: line"):
        available(search_dirs=[tmp_path])


def test_two_different_files_for_one_version_are_refused(
    write_definition: WriteDefinition, tmp_path: Path
) -> None:
    write_definition("dir/a.yaml")
    write_definition("dir/b.yaml", title="Changed title")

    with pytest.raises(DefinitionError, match="versions are immutable"):
        available(search_dirs=[tmp_path / "dir"])


def test_version_key_orders_numbers_naturally() -> None:
    assert version_key("2.10") > version_key("2.9")
    assert version_key("2.0.0") > version_key("2.0-sightline.1")
    assert version_key("brief-sightline.2") > version_key("brief-sightline.1")


# -- install ----------------------------------------------------------------------------------------


def test_install_copies_to_id_at_version_and_is_idempotent(
    write_definition: WriteDefinition, tmp_path: Path
) -> None:
    source = write_definition("incoming/pilot.yaml", id="agency-pilot", version="1.0.0")
    target = tmp_path / "var" / "instruments"

    first = install(source, target)
    second = install(source, target)

    assert first == second == target / "agency-pilot@1.0.0.yaml"
    assert first.read_bytes() == source.read_bytes()
    assert [p.name for p in target.iterdir()] == ["agency-pilot@1.0.0.yaml"]
    assert load("agency-pilot", search_dirs=[target]).sha256 == load(source).sha256


def test_install_refuses_changed_content_for_an_installed_version(
    write_definition: WriteDefinition, tmp_path: Path
) -> None:
    target = tmp_path / "installed"
    install(write_definition("v1.yaml", id="agency-pilot", version="1.0.0"), target)
    before = (target / "agency-pilot@1.0.0.yaml").read_bytes()
    changed = write_definition("v1-edited.yaml", id="agency-pilot", version="1.0.0", title="Edited")

    with pytest.raises(DefinitionError, match="versions are immutable") as refused:
        install(changed, target)

    assert refused.value.file == str(changed)
    assert (target / "agency-pilot@1.0.0.yaml").read_bytes() == before


def test_install_refuses_a_changed_copy_of_a_bundled_version(
    write_definition: WriteDefinition, tmp_path: Path
) -> None:
    bundled = load("cse-it-2.0")
    changed = write_definition("copy.yaml", id=bundled.id, version=bundled.version)

    with pytest.raises(DefinitionError, match="already installed with different content"):
        install(changed, tmp_path / "target")

    assert not (tmp_path / "target").exists()


def test_install_refuses_an_invalid_file(tmp_path: Path, write_definition: WriteDefinition) -> None:
    bad = write_definition("bad.yaml", min_age=-1)

    with pytest.raises(DefinitionError, match="min_age"):
        install(bad, tmp_path / "target")

    assert not (tmp_path / "target").exists()


def test_scan_reports_every_file_on_its_own_so_one_broken_file_stops_nothing(
    write_definition: WriteDefinition, tmp_path: Path
) -> None:
    from sightline.instruments.registry import scan

    good = write_definition("agency/good.yaml", version="2.0.0")
    bad = write_definition("agency/bad.yaml", version=2.0)

    found = {f.path: f for f in scan(search_dirs=[tmp_path / "agency"])}

    assert found[good].definition is not None and found[good].error is None
    assert found[good].raw == good.read_bytes()
    assert found[bad].definition is None and found[bad].error is not None
    assert found[bad].error.location == "version"
    assert {f.definition.id for f in found.values() if f.definition} >= {
        "cse-it-2.0",
        "test-instrument",
    }
