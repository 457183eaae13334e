"""A generated population written to CSV or Parquet reads back with the same tables and lengths."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from sightline.synth import Population, SynthParams, generate
from sightline.synth.files import write_files


@pytest.fixture(scope="module")
def population() -> Population:
    return generate(SynthParams(seed=2026, youth=300))


@pytest.mark.parametrize("file_format", ["csv", "parquet"])
def test_files_round_trip(population: Any, tmp_path: Path, file_format: str) -> None:
    paths = write_files(population, tmp_path, format=file_format)
    assert set(paths) == set(population.tables)
    for name, columns in population.tables.items():
        path = paths[name]
        table = pa_csv.read_csv(path) if file_format == "csv" else pq.read_table(path)
        first = next(iter(columns.values()))
        assert table.num_rows == len(first), name


def test_ratings_become_one_column_per_indicator_position(population: Any, tmp_path: Path) -> None:
    table = pq.read_table(write_files(population, tmp_path, format="parquet")["screenings"])
    ratings = population.tables["screenings"]["ratings"]
    assert "ratings" not in table.column_names
    assert table.column("rating_01").to_pylist() == ratings[:, 0].tolist()
    assert f"rating_{ratings.shape[1]:02d}" in table.column_names


def test_dates_without_a_value_are_empty(population: Any, tmp_path: Path) -> None:
    table = pq.read_table(write_files(population, tmp_path, format="parquet")["intakes"])
    exits = population.tables["intakes"]["exit_on"]
    assert table.column("exit_on").null_count == int(np.isnat(exits).sum())


def test_unknown_format_is_refused(population: Any, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="format"):
        write_files(population, tmp_path, format="xlsx")  # type: ignore[arg-type]
