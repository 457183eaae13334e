"""Fixtures for the `sightline` console script: a runner and a small CSV writer."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    # Only the bundled definitions unless a test adds a folder.
    monkeypatch.delenv("SIGHTLINE_INSTRUMENT_DIRS", raising=False)
    return CliRunner(catch_exceptions=False)


WriteCsv = Callable[[str, Sequence[str], Sequence[Sequence[object]]], Path]


@pytest.fixture
def write_csv(tmp_path: Path) -> WriteCsv:
    def write(name: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
        path = tmp_path / name
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        return path

    return write
