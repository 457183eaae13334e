"""Reading the catalog: exact versions, the current version of an id, labels from the right
definition, no query once warm, other processes' installs seen, unusable rows left out."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import yaml
from django.db import transaction

from sightline.catalog import selectors
from sightline.catalog.models import InstalledDefinition
from sightline.instruments import load
from tests.catalog.conftest import Install, other_codes_content
from tests.instruments.conftest import base_content

pytestmark = pytest.mark.django_db


def _content(**changes: Any) -> dict[str, Any]:
    content = base_content()
    content.update(changes)
    return content


def _insert_elsewhere(definition: dict[str, Any], **fields: Any) -> InstalledDefinition:
    """A row as another server process would write it: straight into the table, this process's
    cache none the wiser."""
    text = yaml.safe_dump(definition, sort_keys=False)
    values = {
        "instrument_id": definition["id"],
        "version": definition["version"],
        "url": f"https://sightline.example/fhir/Questionnaire/{definition['id']}",
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
        "content": text,
        "official": definition["official"],
        "title": definition["title"],
        "short_title": definition["short_title"],
    }
    values.update(fields)
    return InstalledDefinition.objects.create(**values)


def test_the_bundled_definitions_are_the_files() -> None:
    for instrument_id in ("cse-it-2.0", "cse-it-brief"):
        from_file = load(instrument_id)
        installed = selectors.current_definition(instrument_id)
        assert installed == from_file.model_copy(update={"source_path": installed.source_path})
        assert selectors.definition(instrument_id, from_file.version).sha256 == from_file.sha256
    assert selectors.instrument_ids() >= {"cse-it-2.0", "cse-it-brief"}


def test_an_official_version_is_current_before_a_higher_unofficial_one(install: Install) -> None:
    install("a.yaml", version="1.9.0")
    install("b.yaml", version="1.10.0")
    assert selectors.current_definition("test-instrument").version == "1.10.0"
    install("c.yaml", version="1.2.0", official=True)
    install("d.yaml", version="3.0.0")

    assert selectors.current_definition("test-instrument").version == "1.2.0"
    versions = [
        v.version for v in selectors.installed_versions() if v.instrument_id == "test-instrument"
    ]
    assert versions == ["1.2.0", "1.9.0", "1.10.0", "3.0.0"]
    assert selectors.definition("test-instrument", "1.9.0").version == "1.9.0"


def test_unknown_ids_and_versions_are_lookup_errors() -> None:
    with pytest.raises(LookupError, match=r"'cse-it-2\.0' version '0\.0\.1' is not installed"):
        selectors.definition("cse-it-2.0", "0.0.1")
    with pytest.raises(LookupError, match="no instrument definition has the id 'nope'"):
        selectors.current_definition("nope")
    with pytest.raises(LookupError):
        selectors.definition("cse-it-2.0", "../../secrets")


def test_a_warm_lookup_costs_no_query(django_assert_num_queries: Any) -> None:
    version = load("cse-it-2.0").version
    selectors.installed_versions()

    with django_assert_num_queries(0):
        selectors.definition("cse-it-2.0", version)
        selectors.current_definition("cse-it-brief")
        selectors.level_label("cse-it-2.0", version, "possible_concern")
        selectors.instrument_titles()
        selectors.sooner_rescreen_levels()


def test_a_version_installed_by_another_process_is_found_when_asked_for(
    settings: Any, django_assert_num_queries: Any
) -> None:
    settings.SIGHTLINE_CATALOG_RECHECK_SECONDS = None  # no time-based recheck at all
    selectors.installed_versions()
    _insert_elsewhere(_content(id="elsewhere"))

    # The list is trusted as read ...
    assert "elsewhere" not in selectors.instrument_ids()
    # ... but a miss on an exact version (a screening another process started) looks again.
    with django_assert_num_queries(2):  # the list, then the new row's content (parsed once)
        assert selectors.definition("elsewhere", "1.0.0").id == "elsewhere"
    assert "elsewhere" in selectors.instrument_ids()


def test_the_list_is_read_again_after_the_recheck_interval(settings: Any) -> None:
    settings.SIGHTLINE_CATALOG_RECHECK_SECONDS = 3600
    selectors.installed_versions()
    _insert_elsewhere(_content(id="elsewhere"))
    assert "elsewhere" not in selectors.instrument_titles()

    settings.SIGHTLINE_CATALOG_RECHECK_SECONDS = 0

    assert selectors.instrument_titles()["elsewhere"] == "Test"


def test_a_version_installed_in_a_transaction_that_rolls_back_is_forgotten(
    install: Install,
) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        install(id="never-committed")
        assert "never-committed" in selectors.instrument_ids()  # seen inside the transaction
        raise RuntimeError("roll back")

    assert "never-committed" not in selectors.instrument_ids()
    with pytest.raises(LookupError):
        selectors.current_definition("never-committed")


def test_rows_that_are_invalid_or_do_not_match_their_hash_are_left_out(
    caplog: pytest.LogCaptureFixture,
) -> None:
    _insert_elsewhere(_content(id="tampered"), sha256="0" * 64)
    _insert_elsewhere(
        _content(id="invalid"),
        content="id: invalid\n",
        sha256=hashlib.sha256(b"id: invalid\n").hexdigest(),
    )
    selectors.forget()

    ids = selectors.instrument_ids()

    assert "tampered" not in ids and "invalid" not in ids
    assert {"cse-it-2.0", "cse-it-brief"} <= ids
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "tampered@1.0.0 does not match its sha256" in logged
    assert "invalid@1.0.0 is not valid" in logged
    assert selectors.level_label("invalid", "1.0.0", "low") == "low"


def test_labels_come_from_the_definition_the_level_belongs_to(install: Install) -> None:
    # Two instruments share the code "mid" with different labels; a third uses other codes.
    install("a.yaml", id="one")
    content = _content(id="two")
    content["levels"][1]["label"] = "Some concern"
    install("b.yaml", content=content)
    install("c.yaml", content=other_codes_content(id="three"))

    assert selectors.level_label("one", "1.0.0", "mid") == "Possible concern"
    assert selectors.level_label("two", "1.0.0", "mid") == "Some concern"
    assert selectors.level_label("three", "1.0.0", "moderate") == "Moderate concern"
    assert selectors.level_label("three", "1.0.0", "mid") == "mid"  # not a level of that file
    assert selectors.level_label("gone", "9", "mid") == "mid"  # not installed
    assert selectors.level_label("one", "1.0.0", "") == ""
    assert selectors.level_labels([("one", "1.0.0", "mid"), ("two", "1.0.0", "mid")]) == {
        ("one", "1.0.0", "mid"): "Possible concern",
        ("two", "1.0.0", "mid"): "Some concern",
    }
    choices = dict(selectors.level_choices())
    assert choices["mid"] == "Possible concern / Some concern"
    assert choices["moderate"] == "Moderate concern"


def test_sooner_rescreens_are_the_levels_with_rescreen_days(install: Install) -> None:
    install(content=other_codes_content(id="three"))
    bundled = load("cse-it-2.0")

    levels = selectors.sooner_rescreen_levels()

    assert levels[("three", "1.0.0", "moderate")] == (45, "Moderate concern")
    assert ("three", "1.0.0", "minimal") not in levels
    assert levels[("cse-it-2.0", bundled.version, "possible_concern")] == (30, "Possible concern")
    assert ("cse-it-2.0", bundled.version, "clear_concern") not in levels
