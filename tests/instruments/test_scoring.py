"""`score`: every rule of ADR 0001 against the small synthetic definition in conftest."""

from __future__ import annotations

import numpy as np
import pytest

from sightline.instruments import (
    MISSING,
    NEI,
    Definition,
    RatingError,
    score,
    suggest_rating,
)
from tests.instruments.conftest import base_content, make_definition

NOT_DIRECT = ("housing", "missing", "money", "control")


def _rated(*values: int) -> dict[str, int]:
    """Ratings for the first indicators in definition order."""
    return dict(
        zip(("housing", "missing", "money", "control", "threats", "exchange"), values, strict=False)
    )


def test_total_is_the_sum_and_omitted_indicators_are_missing(definition: Definition) -> None:
    result = score(definition, _rated(1, 0, 1, 0))

    assert result.total == 2
    assert result.ratings == {
        "housing": 1,
        "missing": 0,
        "money": 1,
        "control": 0,
        "threats": MISSING,
        "exchange": MISSING,
    }
    assert result.missing == ("threats", "exchange")
    assert result.rated_count == 4
    assert not result.complete
    assert (result.instrument_id, result.instrument_version) == ("test-instrument", "1.0.0")


@pytest.mark.parametrize(
    ("total_ratings", "level"),
    [
        ((0, 0, 0, 0, 0, 0), "low"),
        ((1, 1, 0, 0, 0, 0), "low"),  # min_total - 1 of "mid"
        ((1, 1, 1, 0, 0, 0), "mid"),  # exactly min_total of "mid"
        ((2, 2, 1, 0, 0, 0), "mid"),  # min_total - 1 of "high"
        ((2, 2, 2, 0, 0, 0), "high"),  # exactly min_total of "high"
    ],
)
def test_cutoff_boundaries(
    definition: Definition, total_ratings: tuple[int, ...], level: str
) -> None:
    result = score(definition, _rated(*total_ratings))

    assert result.level == level
    assert result.decided_by == f"cutoff:{level}"
    assert result.valid and result.complete


def test_below_every_cutoff_gives_the_first_level() -> None:
    content = base_content()
    content["scoring"]["cutoffs"] = [
        {"level": "mid", "min_total": 3},
        {"level": "high", "min_total": 6},
    ]
    definition = make_definition(content)

    result = score(definition, _rated(1, 1, 0, 0))

    assert (result.level, result.decided_by) == ("low", "cutoff:low")
    assert result.explanation[0] == (
        "The total of 2 is below the possible-concern cut-off of 3, so the level is No concern."
    )


def test_too_few_rated_gives_no_level(definition: Definition) -> None:
    result = score(definition, _rated(2, 2, 2))

    assert result.level is None and result.level_label is None
    assert not result.valid
    assert result.decided_by == "minimum-rated"
    assert result.follow_up == ()
    assert result.explanation[0] == (
        "Only 3 of the required 4 key indicators are rated; rate at least 1 more to get a result."
    )


def test_nothing_rated_says_how_many_to_rate(definition: Definition) -> None:
    result = score(definition, {})

    assert result.level is None
    assert (
        result.explanation[0] == "No key indicators are rated yet; rate at least 4 to get a result."
    )


def test_nei_not_counted_leaves_the_minimum_unmet(definition: Definition) -> None:
    result = score(definition, _rated(1, 1, 1, NEI))

    assert result.rated_count == 3
    assert result.total == 3
    assert result.level is None
    assert result.not_enough_information == ("control",)
    assert result.complete is False  # threats and exchange are still missing


def test_nei_counting_as_rated_with_points_reaches_the_minimum_and_adds_points() -> None:
    content = base_content()
    content["scoring"]["not_enough_information"] = {"points": 1, "counts_as_rated": True}
    definition = make_definition(content)

    result = score(definition, _rated(1, 1, 0, NEI))

    assert result.rated_count == 4
    assert result.total == 3
    assert result.level == "mid"
    assert "'Not enough information' adds 1 point to the total and counts as rated." in (
        result.explanation
    )


def test_override_raises_the_level_above_the_cutoff(definition: Definition) -> None:
    result = score(definition, _rated(0, 0, 0, 0, 0, 2))

    assert result.total == 2
    assert result.level == "high"
    assert result.level_label == "Clear concern"
    assert result.decided_by == "override:direct"
    assert result.follow_up == ("Follow the protocol.",)
    assert result.explanation[:3] == (
        "Clear concern on 'Exchanges sex for money, shelter or other needs' sets the level to at "
        "least Clear concern.",
        "A direct sign always calls for the protocol.",
        "The total of 2 alone would give No concern.",
    )


def test_override_applies_below_the_minimum_rated(definition: Definition) -> None:
    result = score(definition, {"exchange": 2})

    assert result.rated_count == 1
    assert result.level == "high"
    assert result.valid
    assert result.decided_by == "override:direct"
    assert result.explanation[2] == (
        "Only 1 of the required 4 key indicators is rated; rate at least 3 more to get a result "
        "from the total as well."
    )


def test_override_needs_count_at_least_indicators(definition: Definition) -> None:
    one = score(definition, {"control": 1})
    both = score(definition, {"control": 1, "threats": 2})

    assert one.level is None
    assert both.level == "mid"
    assert both.decided_by == "override:coercion"
    assert both.explanation[0] == (
        "Possible concern on 'Controlled by someone' and clear concern on 'Threatened by someone' "
        "set the level to at least Possible concern."
    )


def test_override_never_lowers_the_level_and_then_the_cutoff_decides(
    definition: Definition,
) -> None:
    result = score(definition, _rated(2, 2, 2, 1, 1, 0))

    assert result.level == "high"
    assert result.decided_by == "cutoff:high"
    assert result.explanation[0] == "The total of 8 reaches the clear-concern cut-off of 6."


def test_nei_on_an_override_indicator_does_not_trigger_it(definition: Definition) -> None:
    result = score(definition, {"exchange": NEI, "control": NEI, "threats": NEI})

    assert result.level is None
    assert result.decided_by == "minimum-rated"


def test_explanation_names_missing_and_nei_indicators_by_title(definition: Definition) -> None:
    result = score(definition, _rated(1, 1, 1, NEI, 0))

    assert result.explanation == (
        "The total of 3 reaches the possible-concern cut-off of 3.",
        "Clear concern starts at a total of 6.",
        "Not rated yet: 'Exchanges sex for money, shelter or other needs'.",
        "Rated 'Not enough information': 'Controlled by someone'.",
        "'Not enough information' adds 0 points to the total and does not count as rated.",
    )


def test_follow_up_comes_from_the_level(definition: Definition) -> None:
    result = score(definition, _rated(1, 1, 1, 0, 0, 0))

    assert result.follow_up == definition.level("mid").follow_up
    assert definition.level("mid").rescreen_days == 30


@pytest.mark.parametrize(
    ("ratings", "indicator", "value"),
    [
        ({"nope": 1}, "nope", 1),
        ({"housing": 3}, "housing", 3),
        ({"housing": -3}, "housing", -3),
        ({"housing": True}, "housing", True),
        ({"housing": "1"}, "housing", "1"),
    ],
)
def test_bad_ratings_are_refused_naming_indicator_and_value(
    definition: Definition, ratings: dict[str, object], indicator: str, value: object
) -> None:
    with pytest.raises(RatingError) as refused:
        score(definition, ratings)  # type: ignore[arg-type]

    assert refused.value.indicator == indicator
    assert refused.value.value == value
    assert refused.value.row is None
    assert f"'{indicator}'" in str(refused.value)
    assert repr(value) in str(refused.value) or f"'{indicator}' is not a key indicator" in str(
        refused.value
    )


def test_numpy_integers_are_accepted(definition: Definition) -> None:
    result = score(definition, {"housing": np.int8(2), "missing": np.int64(NEI)})

    assert result.ratings["housing"] == 2
    assert result.not_enough_information == ("missing",)


# -- supporting statements ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "suggested"),
    [
        ({}, None),
        ({"housing.one": MISSING}, None),
        ({"housing.one": 0}, 0),
        ({"housing.one": 1, "housing.two": 2}, 2),
        ({"housing.one": NEI, "housing.two": 1}, 1),
        ({"housing.one": NEI, "housing.two": NEI}, NEI),
    ],
)
def test_suggested_rating_is_the_highest_answer(
    definition: Definition, answers: dict[str, int], suggested: int | None
) -> None:
    assert suggest_rating(definition, "housing", answers) == suggested


def test_suggestion_refuses_another_indicators_statement_and_bad_answers(
    definition: Definition,
) -> None:
    with pytest.raises(RatingError, match=r"'missing\.one' is not a supporting statement"):
        suggest_rating(definition, "housing", {"missing.one": 1})
    with pytest.raises(RatingError, match="7 is not an answer") as refused:
        suggest_rating(definition, "housing", {"housing.one": 7})
    assert refused.value.statement == "housing.one"
    with pytest.raises(RatingError, match="'nope' is not a key indicator"):
        suggest_rating(definition, "nope", {})


def test_score_fills_suggested_from_statements_without_changing_the_level(
    definition: Definition,
) -> None:
    without = score(definition, _rated(0, 0, 0, 0))
    with_statements = score(definition, _rated(0, 0, 0, 0), {"housing.one": 2, "money.two": NEI})

    assert without.suggested == {}
    assert with_statements.suggested == {
        "housing": 2,
        "missing": None,
        "money": NEI,
        "control": None,
        "threats": None,
        "exchange": None,
    }
    assert with_statements.level == without.level == "low"


def test_score_refuses_an_unknown_statement(definition: Definition) -> None:
    with pytest.raises(RatingError, match=r"'housing\.nine' is not a supporting statement"):
        score(definition, {}, {"housing.nine": 1})
