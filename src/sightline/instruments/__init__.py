"""Instrument definitions and scoring: pure Python (no Django), so it runs anywhere and tests fast.

Definitions are data files (see docs/instruments.md and ADR 0001); scoring is a pure function over them.
"""

from sightline.instruments.batch import BatchResult, score_many
from sightline.instruments.errors import DefinitionError, RatingError
from sightline.instruments.registry import available, install, load, validate_file
from sightline.instruments.schema import Definition
from sightline.instruments.scoring import ScoreResult, score, suggest_rating
from sightline.instruments.values import MISSING, NEI

__all__ = [
    "MISSING",
    "NEI",
    "BatchResult",
    "Definition",
    "DefinitionError",
    "RatingError",
    "ScoreResult",
    "available",
    "install",
    "load",
    "score",
    "score_many",
    "suggest_rating",
    "validate_file",
]
