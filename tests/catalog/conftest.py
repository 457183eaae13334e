"""Fixtures for the catalog: definition files written from the synthetic test content, and installs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from sightline.catalog import selectors
from sightline.catalog.services import Installed, definition_install
from tests.instruments.conftest import base_content

WriteFile = Callable[..., Path]
Install = Callable[..., Installed]

# The test content's levels renamed, as a licensed official file might name them.
OTHER_CODES = {"low": "minimal", "mid": "moderate", "high": "severe"}


def other_codes_content(**changes: Any) -> dict[str, Any]:
    """The test content with levels `minimal`, `moderate` (a sooner rescreen after 45 days) and
    `severe`: no level is called "possible_concern"."""
    content = base_content()
    for cutoff in content["scoring"]["cutoffs"]:
        cutoff["level"] = OTHER_CODES[cutoff["level"]]
    for override in content["scoring"]["overrides"]:
        override["level_at_least"] = OTHER_CODES[override["level_at_least"]]
    content["levels"] = [
        {"code": "minimal", "label": "Minimal concern", "rescreen_days": None},
        {"code": "moderate", "label": "Moderate concern", "rescreen_days": 45},
        {"code": "severe", "label": "Severe concern", "rescreen_days": None},
    ]
    content.update(changes)
    return content


@pytest.fixture(autouse=True)
def _only_bundled_definitions(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("SIGHTLINE_INSTRUMENT_DIRS", raising=False)
    yield
    selectors.forget()  # nothing installed here outlives the test's rolled-back transaction


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    """Write a definition file (default: the test content with top-level `changes`) in tmp_path."""

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


@pytest.fixture
def install(write_file: WriteFile, db: None) -> Install:
    """Write a definition file and install it into the catalog, as `sightline instruments load`."""

    def install_(name: str = "def.yaml", content: dict[str, Any] | None = None, **changes: Any):
        path = write_file(name, content, **changes)
        return definition_install(raw=path.read_bytes(), source=path)

    return install_
