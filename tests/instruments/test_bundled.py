"""The two bundled instruments: our own wording, marked unofficial, with the structure the issue asks."""

from __future__ import annotations

import pytest

from sightline.instruments import NEI, Definition, load, score
from sightline.instruments.registry import BUNDLED_DIR

TEN_DOMAINS = {
    "Instability in life functioning",
    "Relationships",
    "Finances and belongings",
    "Use of technology",
    "Physical health",
    "Risk behaviours",
    "Trauma exposure",
    "Trauma signs and symptoms",
    "Coercion and grooming",
    "Exploitation activity",
}


@pytest.fixture(params=["cse-it-2.0", "cse-it-brief"])
def bundled(request: pytest.FixtureRequest) -> Definition:
    return load(request.param)


def test_bundled_files_are_marked_unofficial_in_data_and_in_a_top_comment(
    bundled: Definition,
) -> None:
    assert bundled.official is False
    assert "Unofficial structural rendering" in bundled.source_note
    assert "assumptions" in bundled.source_note
    assert bundled.source_path is not None
    assert bundled.source_path.parent == BUNDLED_DIR
    assert bundled.source_path.read_text(encoding="utf-8").startswith("# UNOFFICIAL.")


def test_bundled_levels_scales_and_follow_up(bundled: Definition) -> None:
    assert [level.code for level in bundled.levels] == [
        "no_concern",
        "possible_concern",
        "clear_concern",
    ]
    assert [level.rescreen_days for level in bundled.levels] == [None, 30, None]
    assert all(level.follow_up and level.description for level in bundled.levels)
    assert [o.value for o in bundled.indicator_scale] == [0, 1, 2, NEI]
    assert bundled.min_age == 10
    assert bundled.scoring.suggestion.method == "max"


def test_every_indicator_has_three_to_five_statements_with_help(bundled: Definition) -> None:
    for indicator in bundled.indicators:
        assert 3 <= len(indicator.statements) <= 5, indicator.id
        assert all(statement.help for statement in indicator.statements), indicator.id
        assert indicator.guidance, indicator.id


def test_cse_it_2_covers_the_ten_domains_with_20_to_30_indicators() -> None:
    definition = load("cse-it-2.0")

    assert definition.version == "2.0-sightline.2"
    assert 20 <= len(definition.indicators) <= 30
    assert {i.domain for i in definition.indicators} == TEN_DOMAINS


def test_brief_has_8_to_10_indicators_for_limited_contact() -> None:
    definition = load("cse-it-brief")

    assert definition.version == "brief-sightline.2"
    assert 8 <= len(definition.indicators) <= 10
    assert "hotline operator" in definition.intended_users
    assert {i.domain for i in definition.indicators} <= TEN_DOMAINS


def test_a_clear_direct_sign_gives_clear_concern_on_either_bundled_instrument(
    bundled: Definition,
) -> None:
    result = score(bundled, {"exchanges_sex": 2})

    assert result.level == "clear_concern"
    assert result.decided_by == "override:direct-exploitation-clear"
    assert result.explanation[0] == (
        "Clear concern on 'Exchanges sex for money, shelter or other needs' sets the level to at "
        "least Clear concern."
    )


def test_all_no_concern_gives_no_concern_and_all_clear_gives_clear(bundled: Definition) -> None:
    assert score(bundled, {i.id: 0 for i in bundled.indicators}).level == "no_concern"
    assert score(bundled, {i.id: 2 for i in bundled.indicators}).level == "clear_concern"
