"""A small synthetic definition (not the bundled wording) so every scoring rule can be pinned exactly."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from sightline.instruments import Definition
from sightline.instruments.parsing import parse_definition

SCALE = [
    {"value": 0, "code": "none", "label": "No concern", "help": "Nothing points to it."},
    {"value": 1, "code": "some", "label": "Possible concern", "help": "Some signs."},
    {"value": 2, "code": "clear", "label": "Clear concern", "help": "Clear signs."},
    {"value": "NEI", "code": "nei", "label": "Not enough information", "help": "Unknown."},
]

TITLES = {
    "housing": "Unstable housing",
    "missing": "Goes missing",
    "money": "Unexplained money",
    "control": "Controlled by someone",
    "threats": "Threatened by someone",
    "exchange": "Exchanges sex for money, shelter or other needs",
}


def base_content() -> dict[str, Any]:
    """Six indicators, minimum 4 rated, cut-offs 0 / 3 / 6, two overrides."""
    return copy.deepcopy(
        {
            "id": "test-instrument",
            "version": "1.0.0",
            "title": "Test instrument",
            "short_title": "Test",
            "description": "For tests only.",
            "intended_users": ["tester"],
            "contact": "Any",
            "min_age": 10,
            "official": False,
            "source_note": "Synthetic.",
            "indicator_scale": SCALE,
            "statement_scale": [dict(option) for option in SCALE],  # not shared with the above
            "indicators": [
                {
                    "id": indicator_id,
                    "title": title,
                    "domain": "Test domain",
                    "guidance": "Rate it.",
                    "statements": [
                        {"id": f"{indicator_id}.one", "text": "First sign.", "help": "Help."},
                        {"id": f"{indicator_id}.two", "text": "Second sign.", "help": "Help."},
                    ],
                }
                for indicator_id, title in TITLES.items()
            ],
            "scoring": {
                "total": "sum",
                "not_enough_information": {"points": 0, "counts_as_rated": False},
                "minimum_rated": 4,
                "cutoffs": [
                    {"level": "low", "min_total": 0},
                    {"level": "mid", "min_total": 3},
                    {"level": "high", "min_total": 6},
                ],
                "overrides": [
                    {
                        "id": "direct",
                        "indicators": ["exchange"],
                        "rating_at_least": 2,
                        "count_at_least": 1,
                        "level_at_least": "high",
                        "explanation": "A direct sign always calls for the protocol.",
                    },
                    {
                        "id": "coercion",
                        "indicators": ["control", "threats"],
                        "rating_at_least": 1,
                        "count_at_least": 2,
                        "level_at_least": "mid",
                    },
                ],
                "suggestion": {"method": "max"},
            },
            "levels": [
                {"code": "low", "label": "No concern", "follow_up": ["Carry on."]},
                {
                    "code": "mid",
                    "label": "Possible concern",
                    "follow_up": ["Consult a supervisor.", "Rescreen in 30 days."],
                    "rescreen_days": 30,
                },
                {"code": "high", "label": "Clear concern", "follow_up": ["Follow the protocol."]},
            ],
        }
    )


def make_definition(content: dict[str, Any], source: str = "test.yaml") -> Definition:
    return parse_definition(yaml.safe_dump(content, sort_keys=False).encode(), source=source)


WriteDefinition = Callable[..., Path]


@pytest.fixture
def definition() -> Definition:
    return make_definition(base_content())


@pytest.fixture
def write_definition(tmp_path: Path) -> WriteDefinition:
    """Write `content` (default: the base content, with top-level `changes`) as YAML in tmp_path."""

    def write(
        name: str = "def.yaml", content: dict[str, Any] | None = None, **changes: Any
    ) -> Path:
        data = base_content() if content is None else content
        data.update(changes)
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    return write


@pytest.fixture(autouse=True)
def _only_bundled_definitions(monkeypatch: pytest.MonkeyPatch) -> None:
    # A developer's own SIGHTLINE_INSTRUMENT_DIRS must never change what these tests see.
    monkeypatch.delenv("SIGHTLINE_INSTRUMENT_DIRS", raising=False)
