"""The two ways input can be wrong: a bad definition file, or a rating that is not on its scale."""

from __future__ import annotations

from pathlib import Path


class DefinitionError(ValueError):
    """A definition file that cannot be used; the message says where, so an author can fix it.

    The message is ``"<file>: <location>: <problem>"``; ``location`` is a path inside the file such as
    ``indicators[3].statements[0].id`` or ``line 12, column 3`` for a YAML syntax error.
    """

    def __init__(self, file: str | Path, location: str, problem: str) -> None:
        self.file = str(file)
        self.location = location
        self.problem = problem
        # Every problem found, as (location, problem); the message names the first of them.
        self.problems: list[tuple[str, str]] = [(location, problem)]
        super().__init__(
            f"{self.file}: {location}: {problem}" if location else f"{file}: {problem}"
        )


class RatingError(ValueError):
    """A rating (or supporting-statement answer) given to `score`/`score_many` that the definition
    does not allow; ``row`` is the 0-based row for `score_many` and ``None`` for `score`."""

    def __init__(
        self,
        message: str,
        *,
        indicator: str,
        value: object,
        row: int | None = None,
        statement: str | None = None,
    ) -> None:
        self.indicator = indicator
        self.value = value
        self.row = row
        self.statement = statement
        super().__init__(message)
