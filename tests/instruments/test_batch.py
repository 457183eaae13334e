"""`score_many` gives exactly what `score` gives, row by row, and refuses bad codes like `score` does."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sightline.instruments import (
    MISSING,
    NEI,
    Definition,
    RatingError,
    load,
    score,
    score_many,
)
from tests.instruments.conftest import make_definition

DTYPES = [np.int8, np.int16, np.int32, np.int64]


def _assert_batch_equals_single(
    definition: Definition, rows: list[dict[str, int]], table: dict[str, Any]
) -> None:
    batch = score_many(definition, table)
    codes = batch.level_codes()
    assert batch.total.dtype == np.int32 and batch.level.dtype == np.int8
    assert len(batch.total) == len(rows)
    for k, ratings in enumerate(rows):
        single = score(definition, ratings)
        assert (int(batch.total[k]), codes[k], int(batch.rated[k])) == (
            single.total,
            single.level,
            single.rated_count,
        ), (k, ratings)
        expected_index = -1 if single.level is None else definition.level_index(single.level)
        assert int(batch.level[k]) == expected_index


@st.composite
def definitions(draw: st.DrawFn) -> Definition:
    """Small random definitions: gappy scales, big points (the int16 path), 1-4 levels, overrides."""
    values = sorted(draw(st.sets(st.sampled_from([0, 1, 2, 3, 5, 200]), min_size=1, max_size=4)))
    with_nei = draw(st.booleans())
    scale = [{"value": v, "code": f"v{v}", "label": f"Rating {v}"} for v in values]
    if with_nei:
        scale.append({"value": "NEI", "code": "nei", "label": "Not enough information"})
    ids = [f"i{n}" for n in range(draw(st.integers(1, 8)))]
    level_codes = [f"level{n}" for n in range(draw(st.integers(1, 4)))]
    start = draw(st.integers(0, 6))
    steps = draw(st.lists(st.integers(1, 6), min_size=len(level_codes), max_size=len(level_codes)))
    cutoffs = [
        {"level": code, "min_total": start + sum(steps[:n])} for n, code in enumerate(level_codes)
    ]
    if len(cutoffs) > 1 and draw(st.booleans()):
        cutoffs = cutoffs[1:]  # below all cut-offs then means the first level
    overrides = [
        {
            "id": f"o{n}",
            "indicators": chosen,
            "rating_at_least": draw(st.sampled_from(values)),
            "count_at_least": draw(st.integers(1, len(chosen))),
            "level_at_least": draw(st.sampled_from(level_codes)),
        }
        for n in range(draw(st.integers(0, 3)))
        for chosen in [draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))]
    ]
    content = {
        "id": "random",
        "version": "1",
        "title": "Random",
        "short_title": "Random",
        "intended_users": ["tester"],
        "contact": "Any",
        "min_age": 10,
        "official": False,
        "indicator_scale": scale,
        "indicators": [{"id": i, "title": f"Indicator {i}", "domain": "Test"} for i in ids],
        "scoring": {
            "total": "sum",
            "not_enough_information": {
                "points": draw(st.integers(0, 3)),
                "counts_as_rated": draw(st.booleans()),
            },
            "minimum_rated": draw(st.integers(0, len(ids))),
            "cutoffs": cutoffs,
            "overrides": overrides,
            "suggestion": {"method": "max"},
        },
        "levels": [{"code": code, "label": f"Level {code}"} for code in level_codes],
    }
    return make_definition(content)


@st.composite
def definitions_and_rows(draw: st.DrawFn, fixed: Definition | None = None) -> tuple[Any, ...]:
    definition = fixed if fixed is not None else draw(definitions())
    codes = sorted(definition.indicator_values)
    ids = [i.id for i in definition.indicators]
    rows = draw(
        st.lists(st.fixed_dictionaries({i: st.sampled_from(codes) for i in ids}), max_size=40)
    )
    dtype = draw(st.sampled_from(DTYPES if max(codes) < 127 else DTYPES[1:]))
    # An indicator with no column at all is MISSING in every row (one column fixes the row count).
    subset = st.lists(st.sampled_from(ids), min_size=1, unique=True)
    present = draw(subset) if draw(st.booleans()) else ids
    table = {i: np.array([row[i] for row in rows], dtype=dtype) for i in present}
    rows = [{i: (row[i] if i in present else MISSING) for i in ids} for row in rows]
    return definition, rows, table


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(definitions_and_rows())
def test_batch_equals_single_on_random_definitions(case: tuple[Any, ...]) -> None:
    _assert_batch_equals_single(*case)


@pytest.mark.parametrize("instrument", ["cse-it-2.0", "cse-it-brief"])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_batch_equals_single_on_the_bundled_instruments(
    instrument: str, data: st.DataObject
) -> None:
    definition = load(instrument)
    _assert_batch_equals_single(*data.draw(definitions_and_rows(definition)))


def test_every_rule_matches_on_the_synthetic_definition(definition: Definition) -> None:
    rows = [
        {},  # nothing rated
        {"exchange": 2},  # override below the minimum
        {"housing": 1, "missing": 1, "money": 1, "control": 0},  # exactly the mid cut-off
        {"housing": 1, "missing": 1, "money": 0, "control": 0},  # one below it
        {"housing": NEI, "missing": 1, "money": 1, "control": 1},  # NEI does not count
        {"control": 1, "threats": 1},  # two-indicator override
    ]
    ids = [i.id for i in definition.indicators]
    table = {i: np.array([row.get(i, MISSING) for row in rows], dtype=np.int8) for i in ids}

    _assert_batch_equals_single(definition, rows, table)
    assert list(score_many(definition, table).level_codes()) == [
        None,
        "high",
        "mid",
        "low",
        None,
        "mid",
    ]


def test_a_bad_code_names_the_first_bad_row_indicator_and_value(definition: Definition) -> None:
    table = {
        "housing": np.array([0, 0, 0, 9], dtype=np.int32),
        "missing": np.array([0, 0, -5, 0], dtype=np.int32),
        "money": np.array([0, 0, 3, 0], dtype=np.int32),
    }

    with pytest.raises(RatingError) as refused:
        score_many(definition, table)

    assert (refused.value.row, refused.value.indicator, refused.value.value) == (2, "missing", -5)
    assert "row 2: -5 is not a rating on the scale of key indicator 'missing'" in str(refused.value)


def test_a_gap_in_the_scale_is_refused_too() -> None:
    from tests.instruments.conftest import base_content

    content = base_content()
    content["indicator_scale"] = [o for o in content["indicator_scale"] if o["value"] != 1]
    content["statement_scale"] = [dict(o) for o in content["indicator_scale"]]  # no YAML alias
    content["scoring"]["overrides"][1]["rating_at_least"] = 2
    definition = make_definition(content)

    with pytest.raises(RatingError) as refused:
        score_many(definition, {"housing": np.array([0, 2, 1])})

    assert (refused.value.row, refused.value.value) == (2, 1)


def test_unknown_columns_and_non_integer_columns_are_refused(definition: Definition) -> None:
    with pytest.raises(RatingError, match="'nope' is not a key indicator"):
        score_many(definition, {"nope": np.array([0])})
    with pytest.raises(TypeError, match="must hold integer rating values"):
        score_many(definition, {"housing": np.array([0.0, 1.0])})
    with pytest.raises(ValueError, match="has 1 rows but the table has 2"):
        score_many(definition, {"housing": np.array([0, 1]), "missing": np.array([0])})


def test_a_dataframe_is_scored_by_its_indicator_columns(definition: Definition) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "case": ["a", "b"],
            "housing": [1, 1],
            "missing": [1, 0],
            "money": [1, 0],
            "control": [0, 0],
        }
    )

    batch = score_many(definition, frame)

    assert list(batch.total) == [3, 1]
    assert list(batch.level_codes()) == ["mid", "low"]
    assert list(batch.rated) == [4, 4]


def test_an_empty_table_gives_empty_results(definition: Definition) -> None:
    batch = score_many(definition, {})

    assert batch.total.shape == batch.level.shape == batch.rated.shape == (0,)


def test_pandas_is_not_imported_for_a_plain_mapping() -> None:
    code = (
        "import sys, numpy as np\n"
        "from sightline import instruments\n"
        "d = instruments.load('cse-it-brief')\n"
        "instruments.score_many(d, {i.id: np.zeros(3, dtype=np.int8) for i in d.indicators})\n"
        "assert 'pandas' not in sys.modules, 'pandas was imported'\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )

    assert completed.returncode == 0, completed.stderr
