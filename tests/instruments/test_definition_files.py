"""Definition files: a good one loads; each kind of mistake names the file, the place and the problem."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sightline.instruments import NEI, DefinitionError, validate_file
from tests.instruments.conftest import WriteDefinition, base_content

Content = dict[str, Any]


def test_a_good_file_validates_with_its_sha256_and_path(write_definition: WriteDefinition) -> None:
    import hashlib

    path = write_definition()

    definition = validate_file(path)

    assert definition.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert definition.source_path == path
    assert definition.indicator_scale[-1].value == NEI  # written as the string NEI
    assert definition.indicator("exchange").title.startswith("Exchanges sex")
    assert definition.level("mid").rescreen_days == 30
    assert definition.level_index("high") == 2
    assert definition.statement_indicator("money.two") == "money"


def _set(path: str, value: Any) -> Callable[[Content], None]:
    """A mutation setting a dotted path (list indices as numbers) to `value`."""

    def mutate(content: Content) -> None:
        *parents, last = (int(p) if p.isdigit() else p for p in path.split("."))
        target: Any = content
        for part in parents:
            target = target[part]
        target[last] = value

    return mutate


def _drop(path: str) -> Callable[[Content], None]:
    def mutate(content: Content) -> None:
        *parents, last = (int(p) if p.isdigit() else p for p in path.split("."))
        target: Any = content
        for part in parents:
            target = target[part]
        del target[last]

    return mutate


BAD_FILES = [
    # (mutation, location, words in the problem)
    (_drop("title"), "title", "is required but missing"),
    (_set("colour", "blue"), "colour", "is not a field"),
    (
        _set("indicators.3.statements.0.id", "has space"),
        "indicators[3].statements[0].id",
        "letters, digits",
    ),
    (_set("indicators.2.title", "  "), "indicators[2].title", "at least 1 character"),
    (_set("version", 2.0), "version", 'put it in quotes, e.g. "2.0"'),
    (_set("min_age", "ten"), "min_age", "valid integer"),
    (_set("official", "yes"), "official", "valid boolean"),
    (_set("indicator_scale.1.value", "maybe"), "indicator_scale[1].value", "or the string NEI"),
    (
        _set("indicator_scale.1.value", -1),
        "indicator_scale[1].value",
        "negative codes are reserved",
    ),
    (_set("indicator_scale.1.value", 0), "indicator_scale[1].value", "duplicate value '0'"),
    (_set("indicator_scale.1.code", "none"), "indicator_scale[1].code", "duplicate code 'none'"),
    (
        _set("statement_scale.1.value", 5),
        "statement_scale[1].value",
        "not a value of indicator_scale",
    ),
    (_set("statement_scale", []), "statement_scale", "required because key indicators have"),
    (_set("indicators.4.id", "housing"), "indicators[4].id", "duplicate indicator id 'housing'"),
    (
        _set("indicators.1.statements.1.id", "housing.one"),
        "indicators[1].statements[1].id",
        "duplicate statement id 'housing.one' (first used at indicators[0].statements[0].id)",
    ),
    (_set("levels.1.code", "low"), "levels[1].code", "duplicate level code 'low'"),
    (_set("scoring.total", "mean"), "scoring.total", "'sum'"),
    (_set("scoring.minimum_rated", 7), "scoring.minimum_rated", "only 6 key indicators"),
    (
        _set("scoring.not_enough_information.points", -1),
        "scoring.not_enough_information.points",
        "greater than or equal to 0",
    ),
    (
        _set("scoring.cutoffs.1.level", "medium"),
        "scoring.cutoffs[1].level",
        "'medium' is not a level code",
    ),
    (
        _set("scoring.cutoffs.2.min_total", 3),
        "scoring.cutoffs[2].min_total",
        "must be greater than the cut-off of 'mid'",
    ),
    (
        _set(
            "scoring.cutoffs", [{"level": "high", "min_total": 6}, {"level": "mid", "min_total": 7}]
        ),
        "scoring.cutoffs[1].level",
        "in the order of the levels",
    ),
    (
        _set("scoring.overrides.0.indicators", ["exchange", "ghost"]),
        "scoring.overrides[0].indicators[1]",
        "'ghost' is not a key indicator id",
    ),
    (
        _set("scoring.overrides.0.level_at_least", "urgent"),
        "scoring.overrides[0].level_at_least",
        "'urgent' is not a level code",
    ),
    (
        _set("scoring.overrides.0.rating_at_least", 3),
        "scoring.overrides[0].rating_at_least",
        "3 is not a value of indicator_scale",
    ),
    (
        _set("scoring.overrides.1.count_at_least", 3),
        "scoring.overrides[1].count_at_least",
        "names only 2 indicators",
    ),
    (
        _set("scoring.overrides.1.id", "direct"),
        "scoring.overrides[1].id",
        "duplicate override id 'direct'",
    ),
    (_set("scoring.suggestion.method", "mean"), "scoring.suggestion.method", "'max'"),
    (_set("levels.1.rescreen_days", 0), "levels[1].rescreen_days", "greater than or equal to 1"),
    (_set("sha256", "0" * 64), "sha256", "computed from the file"),
]


@pytest.mark.parametrize(("mutate", "location", "problem"), BAD_FILES)
def test_a_bad_file_names_file_location_and_problem(
    write_definition: WriteDefinition,
    mutate: Callable[[Content], None],
    location: str,
    problem: str,
) -> None:
    content = base_content()
    mutate(content)
    path = write_definition("bad.yaml", content)

    with pytest.raises(DefinitionError) as refused:
        validate_file(path)

    error = refused.value
    assert (error.file, error.location) == (str(path), location)
    assert problem in error.problem
    assert str(error).startswith(f"{path}: {location}: ")


def test_a_level_nothing_can_reach_is_refused(write_definition: WriteDefinition) -> None:
    content = base_content()
    content["scoring"]["cutoffs"].pop(1)
    content["scoring"]["overrides"].pop(1)
    path = write_definition("bad.yaml", content)

    with pytest.raises(DefinitionError) as refused:
        validate_file(path)

    assert refused.value.location == "levels[1].code"
    assert "can never be given" in refused.value.problem


def test_several_problems_report_the_first_and_count_the_rest(
    write_definition: WriteDefinition,
) -> None:
    content = base_content()
    del content["title"], content["contact"]
    path = write_definition("bad.yaml", content)

    with pytest.raises(
        DefinitionError, match=r"title: is required but missing \(and 1 more problem\)"
    ):
        validate_file(path)


@pytest.mark.parametrize(
    ("text", "location", "problem"),
    [
        ("id: x\nversion: [1\n", "line 3, column 1", "YAML syntax error"),
        ("id: x\nid: y\n", "line 2, column 1", "the key 'id' appears twice"),
        ("- just\n- a list\n", "", "must be a YAML mapping"),
    ],
)
def test_yaml_problems_become_definition_errors_with_the_line(
    tmp_path: Path, text: str, location: str, problem: str
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(DefinitionError) as refused:
        validate_file(path)

    assert refused.value.file == str(path)
    assert refused.value.location == location
    assert problem in refused.value.problem


def test_a_file_that_is_not_utf8_or_missing_is_a_definition_error(tmp_path: Path) -> None:
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("title: caf\xe9\n".encode("latin-1"))

    with pytest.raises(DefinitionError, match="is not UTF-8 text"):
        validate_file(latin)
    with pytest.raises(DefinitionError, match="cannot read the file"):
        validate_file(tmp_path / "absent.yaml")


def test_definitions_are_frozen(write_definition: WriteDefinition) -> None:
    definition = validate_file(write_definition())

    with pytest.raises(ValueError, match="frozen"):
        definition.title = "Changed"  # type: ignore[misc]
