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
        "negative values are reserved",
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


# --- hostile or runaway files: refused fast, with a short message --------------------------------


def _alias_bomb(levels: int) -> str:
    """`levels` levels of nine aliases each: 9**levels strings from a few hundred bytes."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("where", ["title: *l8", "colour: *l8", "indicators: *l8"])
def test_a_billion_laughs_file_is_refused_before_anything_expands(
    write_definition: WriteDefinition, where: str
) -> None:
    import time

    path = write_definition()
    text = path.read_text(encoding="utf-8")
    field = where.split(":")[0]
    kept = "\n".join(line for line in text.splitlines() if not line.startswith(f"{field}:"))
    path.write_text(_alias_bomb(9) + kept + f"\n{where}\n", encoding="utf-8")

    started = time.perf_counter()
    with pytest.raises(DefinitionError) as refused:
        validate_file(path)

    assert time.perf_counter() - started < 1.0  # 387 million strings would take minutes
    assert "aliases are not allowed" in refused.value.problem
    assert refused.value.location == "line 1, column 5"  # the repeated value
    assert len(refused.value.problem) < 150


def test_a_single_alias_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "alias.yaml"
    path.write_text("id: &x test\nversion: *x\n", encoding="utf-8")

    with pytest.raises(DefinitionError, match="aliases are not allowed"):
        validate_file(path)


def test_a_file_over_the_size_limit_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    from sightline.instruments.parsing import MAX_FILE_BYTES

    path = tmp_path / "huge.yaml"
    path.write_bytes(b"# padding\n" * (MAX_FILE_BYTES // 10 + 1))

    with pytest.raises(DefinitionError, match="larger than the 256,000 bytes a definition file"):
        validate_file(path)


def test_too_many_values_or_too_deep_nesting_are_refused(tmp_path: Path) -> None:
    from sightline.instruments.parsing import MAX_NESTING, MAX_NODES

    many = tmp_path / "many.yaml"
    many.write_text("id: x\nintended_users: [" + "a, " * MAX_NODES + "a]\n", encoding="utf-8")
    deep = tmp_path / "deep.yaml"
    deep.write_text("id: " + "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1) + "\n")

    with pytest.raises(DefinitionError, match="more than 20,000 values"):
        validate_file(many)
    with pytest.raises(DefinitionError, match="nested more than 40 levels deep"):
        validate_file(deep)


def test_a_wrong_value_is_quoted_in_a_few_characters_however_big_it_is(
    write_definition: WriteDefinition,
) -> None:
    # 100 kB of nested strings (separate lists, so the file holds no alias).
    path = write_definition(title=[["x" * 1000 for _ in range(10)] for _ in range(10)])

    with pytest.raises(DefinitionError) as refused:
        validate_file(path)

    assert refused.value.location == "title"
    assert "found [[" in refused.value.problem
    assert len(refused.value.problem) < 150


# --- the canonical URL ------------------------------------------------------------------------------


def test_the_canonical_url_is_the_files_url_or_a_default_from_the_id(
    write_definition: WriteDefinition,
) -> None:
    from sightline.instruments.schema import DEFAULT_CANONICAL_BASE

    default = validate_file(write_definition("a.yaml"))
    own = validate_file(write_definition("b.yaml", url="https://publisher.example/q/cse-it"))

    assert default.canonical_url == f"{DEFAULT_CANONICAL_BASE}test-instrument"
    assert default.versioned_url == f"{DEFAULT_CANONICAL_BASE}test-instrument|1.0.0"
    assert own.versioned_url == "https://publisher.example/q/cse-it|1.0.0"


@pytest.mark.parametrize("url", ["ftp://x.example/q", "https://x.example/q|2", "not a url"])
def test_a_canonical_url_must_be_http_without_a_version_bar(
    write_definition: WriteDefinition, url: str
) -> None:
    with pytest.raises(DefinitionError) as refused:
        validate_file(write_definition(url=url))
    assert refused.value.location == "url"
