"""The practice scorer's form: request data -> indicator ratings and statement answers, by shape only.

Which options exist, what they are called and what they add up to all come from the instrument
definition. The form posts each option's `code` from the definition ("" for not rated yet); this module
only checks that a posted code is one of the definition's and turns it into the integer values
`sightline.instruments` takes (points, `NEI` or `MISSING`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext_noop

from sightline import instruments
from sightline.instruments import Definition

RATING_PREFIX = "rating-"
STATEMENT_PREFIX = "statement-"
MODE_FIELD = "mode"
FLUENT = "fluent"
# "Not rated yet" posts an empty value, so an untouched form scores as MISSING.
NOT_RATED = ""

UNKNOWN_OPTION = gettext_noop("{what}: “{value}” is not one of this instrument's options.")
UNKNOWN_FIELD = gettext_noop("“{name}” is not part of this instrument.")
REPEATED_FIELD = gettext_noop("{what} was answered more than once.")
_MAX_ECHO = 40


@dataclass(frozen=True)
class Choice:
    """One option of a rating scale as the form shows it."""

    code: str  # what the form posts
    value: int  # what `sightline.instruments` takes: points, or NEI
    label: str
    help: str


def scale_choices(scale: Iterable[Any]) -> tuple[Choice, ...]:
    """The options of `definition.indicator_scale` or `definition.statement_scale`, in order."""
    return tuple(Choice(code=o.code, value=o.value, label=o.label, help=o.help) for o in scale)


@dataclass(frozen=True)
class StatementField:
    statement: Any
    name: str
    selected: str  # the posted code, NOT_RATED when unanswered


@dataclass(frozen=True)
class IndicatorField:
    number: int
    indicator: Any
    name: str
    selected: str
    statements: tuple[StatementField, ...]
    suggestion: Choice | None
    # The jump list's marker: "done" (rated), "nei" (not enough information) or "not_rated".
    marker: str = "not_rated"


class PracticeForm:
    """Bound to a definition and, when posted, to the request's data.

    Valid answers are kept even when others are refused, so a re-rendered page keeps every good selection.
    """

    def __init__(
        self, definition: Definition, data: QueryDict | None = None, *, fluent: bool = False
    ) -> None:
        self.definition = definition
        self.indicator_choices = scale_choices(definition.indicator_scale)
        self.statement_choices = scale_choices(definition.statement_scale)
        self.ratings: dict[str, int] = {}  # indicator id -> value; absent = MISSING
        # indicator id -> {statement id -> value}: `suggest_rating` takes one indicator's answers.
        self.statement_answers: dict[str, dict[str, int]] = {
            i.id: {} for i in definition.indicators
        }
        self.errors: list[str] = []
        self.fluent = fluent
        if data is not None:
            self.fluent = data.get(MODE_FIELD) == FLUENT
            self._parse(data)

    def is_valid(self) -> bool:
        return not self.errors

    def _parse(self, data: QueryDict) -> None:
        indicators = {i.id: i for i in self.definition.indicators}
        statements = {s.id: (i, s) for i in self.definition.indicators for s in i.statements}
        rating_values = {c.code: c.value for c in self.indicator_choices}
        answer_values = {c.code: c.value for c in self.statement_choices}
        for name, posted in data.lists():
            if name.startswith(RATING_PREFIX):
                indicator = indicators.get(name.removeprefix(RATING_PREFIX))
                if indicator is None:
                    self.errors.append(UNKNOWN_FIELD.format(name=_echo(name)))
                    continue
                value = self._one(indicator.title, posted, rating_values)
                if value is not None:
                    self.ratings[indicator.id] = value
            elif name.startswith(STATEMENT_PREFIX):
                found = statements.get(name.removeprefix(STATEMENT_PREFIX))
                if found is None:
                    self.errors.append(UNKNOWN_FIELD.format(name=_echo(name)))
                    continue
                indicator, statement = found
                value = self._one(statement.text, posted, answer_values)
                if value is not None:
                    self.statement_answers[indicator.id][statement.id] = value

    def _one(self, what: str, posted: list[str], values: Mapping[str, int]) -> int | None:
        """The value for one radio group's posted code; None (and an error) when refused."""
        if len(posted) != 1:
            self.errors.append(REPEATED_FIELD.format(what=what))
            return None
        code = posted[0]
        if code == NOT_RATED:
            return instruments.MISSING
        if code not in values:
            self.errors.append(UNKNOWN_OPTION.format(what=what, value=_echo(code)))
            return None
        return values[code]

    def fields(self, suggestions: Mapping[str, int | None]) -> list[IndicatorField]:
        """One entry per key indicator, in the definition's order, with what is selected."""
        rating_codes = {c.value: c.code for c in self.indicator_choices}
        answer_codes = {c.value: c.code for c in self.statement_choices}
        by_value = {c.value: c for c in self.indicator_choices}
        nei_codes = {c.code for c in self.indicator_choices if c.value == instruments.NEI}
        fields = []
        for number, indicator in enumerate(self.definition.indicators, start=1):
            answers = self.statement_answers[indicator.id]
            suggested = suggestions.get(indicator.id)
            selected = rating_codes.get(self.ratings.get(indicator.id), NOT_RATED)  # type: ignore[arg-type]
            fields.append(
                IndicatorField(
                    number=number,
                    indicator=indicator,
                    name=RATING_PREFIX + indicator.id,
                    selected=selected,
                    statements=tuple(
                        StatementField(
                            statement=statement,
                            name=STATEMENT_PREFIX + statement.id,
                            selected=answer_codes.get(answers.get(statement.id), NOT_RATED),  # type: ignore[arg-type]
                        )
                        for statement in indicator.statements
                    ),
                    suggestion=None if suggested is None else by_value.get(suggested),
                    marker="not_rated"
                    if selected == NOT_RATED
                    else ("nei" if selected in nei_codes else "done"),
                )
            )
        return fields


def _echo(value: str) -> str:
    """A posted value, shortened, for an error message (the template escapes it)."""
    return value if len(value) <= _MAX_ECHO else value[: _MAX_ECHO - 1] + "…"
