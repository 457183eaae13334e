"""One screening's ratings -> its concern level, with the rule that decided it.

The rules (ADR 0001) read everything from the definition: the total is the sum of the ratings, "not
enough information" (NEI) adds the definition's points and counts as rated only if it says so, too few
rated indicators give no level from the cut-offs, and an override lifts the level whatever the total.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field

from sightline.instruments.errors import RatingError
from sightline.instruments.explain import explain
from sightline.instruments.schema import Cutoff, Definition, Override
from sightline.instruments.values import MISSING, NEI


@dataclass(frozen=True)
class ScoreResult:
    """The outcome of one screening, as plain data a service can store and a page can show.

    ``level`` is None when too few indicators are rated and no override applies (``valid`` is then
    False); ``decided_by`` is ``"cutoff:<level>"``, ``"override:<id>"`` or ``"minimum-rated"``.
    """

    instrument_id: str
    instrument_version: str
    ratings: Mapping[str, int]
    total: int
    level: str | None
    level_label: str | None
    rated_count: int
    missing: tuple[str, ...]
    not_enough_information: tuple[str, ...]
    complete: bool
    valid: bool
    decided_by: str
    explanation: tuple[str, ...]
    follow_up: tuple[str, ...]
    suggested: Mapping[str, int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """How the level came about; `explain` turns it into sentences."""

    total: int
    rated_count: int
    cutoff_level: int | None  # level index from the cut-offs; None below the minimum rated
    cutoff: Cutoff | None  # the highest cut-off the total reaches
    override: Override | None  # the override that raised the level, if one did
    override_matches: tuple[str, ...]  # indicator ids that met that override
    level: int | None

    @property
    def minimum_met(self) -> bool:
        return self.cutoff_level is not None


def score(
    definition: Definition,
    ratings: Mapping[str, int],
    statements: Mapping[str, int] | None = None,
) -> ScoreResult:
    """Score one screening. Indicators left out of `ratings` are `MISSING`.

    `statements` (supporting-statement id -> answer), when given, fills ``suggested`` with the rating
    the answers suggest for each indicator that has statements; it never changes the level.
    Raises RatingError for an unknown indicator or statement id or a value not on its scale.
    """
    values = checked_ratings(definition, ratings)
    decision = decide(definition, values)
    level = None if decision.level is None else definition.levels[decision.level]
    if decision.override is not None:
        decided_by = f"override:{decision.override.id}"
    elif level is not None:
        decided_by = f"cutoff:{level.code}"
    else:
        decided_by = "minimum-rated"
    missing = tuple(i for i, value in values.items() if value == MISSING)
    return ScoreResult(
        instrument_id=definition.id,
        instrument_version=definition.version,
        ratings=values,
        total=decision.total,
        level=None if level is None else level.code,
        level_label=None if level is None else level.label,
        rated_count=decision.rated_count,
        missing=missing,
        not_enough_information=tuple(i for i, value in values.items() if value == NEI),
        complete=not missing,
        valid=level is not None,
        decided_by=decided_by,
        explanation=explain(definition, values, decision),
        follow_up=() if level is None else level.follow_up,
        suggested={} if statements is None else _suggestions(definition, statements),
    )


def suggest_rating(
    definition: Definition, indicator_id: str, answers: Mapping[str, int]
) -> int | None:
    """The indicator rating that supporting-statement answers (statement id -> answer) suggest.

    With ``suggestion.method: max`` the highest answer wins; NEI answers are ignored unless every answer
    is NEI (then NEI); no answers (or only `MISSING`) give None. The screener's own rating decides.
    """
    try:
        indicator = definition.indicator(indicator_id)
    except KeyError:
        raise RatingError(
            f"'{indicator_id}' is not a key indicator of {definition.id} {definition.version}",
            indicator=indicator_id,
            value=None,
        ) from None
    own = {s.id for s in indicator.statements}
    allowed = definition.statement_values
    given: list[int] = []
    for statement_id, value in answers.items():
        if statement_id not in own:
            raise RatingError(
                f"'{statement_id}' is not a supporting statement of key indicator '{indicator_id}'",
                indicator=indicator_id,
                value=value,
                statement=statement_id,
            )
        answer = _as_value(value)
        if answer is None or answer not in allowed:
            raise RatingError(
                f"{value!r} is not an answer on the statement scale for supporting statement "
                f"'{statement_id}' (allowed: {_allowed_text(allowed)})",
                indicator=indicator_id,
                value=value,
                statement=statement_id,
            )
        if answer != MISSING:
            given.append(answer)
    if not given:
        return None
    points = [answer for answer in given if answer >= 0]
    # `suggestion.method` is "max", the only method the schema allows today.
    return max(points) if points else NEI


def checked_ratings(definition: Definition, ratings: Mapping[str, int]) -> dict[str, int]:
    """Every indicator's rating value in definition order, `MISSING` filled in; RatingError for bad
    input."""
    allowed = definition.indicator_values
    checked = dict.fromkeys((i.id for i in definition.indicators), MISSING)
    for indicator_id, value in ratings.items():
        if indicator_id not in checked:
            raise RatingError(
                f"'{indicator_id}' is not a key indicator of {definition.id} {definition.version}",
                indicator=indicator_id,
                value=value,
            )
        rating = _as_value(value)
        if rating is None or rating not in allowed:
            raise RatingError(
                f"{value!r} is not a rating on the scale of key indicator '{indicator_id}' "
                f"(allowed: {_allowed_text(allowed)})",
                indicator=indicator_id,
                value=value,
            )
        checked[indicator_id] = rating
    return checked


def decide(definition: Definition, values: Mapping[str, int]) -> Decision:
    """Apply the definition's scoring rules to checked rating values (see the module docstring)."""
    scoring = definition.scoring
    nei = scoring.not_enough_information
    given = values.values()
    nei_count = sum(1 for value in given if value == NEI)
    total = sum(value for value in given if value >= 0) + nei_count * nei.points
    rated = sum(1 for value in given if value >= 0) + (nei_count if nei.counts_as_rated else 0)

    cutoff_level: int | None = None
    reached: Cutoff | None = None
    if rated >= scoring.minimum_rated:
        for cutoff in scoring.cutoffs:
            if total >= cutoff.min_total:
                reached = cutoff
        cutoff_level = 0 if reached is None else definition.level_index(reached.level)

    deciding: Override | None = None
    matches: tuple[str, ...] = ()
    level = cutoff_level
    for override in scoring.overrides:
        met = tuple(i for i in override.indicators if values[i] >= override.rating_at_least)
        raised = definition.level_index(override.level_at_least)
        if len(met) >= override.count_at_least and (level is None or raised > level):
            deciding, matches, level = override, met, raised
    return Decision(
        total=total,
        rated_count=rated,
        cutoff_level=cutoff_level,
        cutoff=reached,
        override=deciding,
        override_matches=matches,
        level=level,
    )


def _suggestions(definition: Definition, statements: Mapping[str, int]) -> dict[str, int | None]:
    by_indicator: dict[str, dict[str, int]] = {i.id: {} for i in definition.indicators}
    for statement_id, value in statements.items():
        owner = definition.statement_indicator(statement_id)
        if owner is None:
            raise RatingError(
                f"'{statement_id}' is not a supporting statement of {definition.id} "
                f"{definition.version}",
                indicator=statement_id,
                value=value,
                statement=statement_id,
            )
        by_indicator[owner][statement_id] = value
    return {
        i.id: suggest_rating(definition, i.id, by_indicator[i.id])
        for i in definition.indicators
        if i.statements
    }


def _as_value(value: object) -> int | None:
    # numbers.Integral admits NumPy integers; bool is refused so True never passes as 1.
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        return None
    return int(value)


def _allowed_text(allowed: frozenset[int]) -> str:
    names = {MISSING: "MISSING", NEI: "NEI"}
    return ", ".join(names.get(v, str(v)) for v in sorted(allowed, key=lambda v: (v < 0, abs(v))))
