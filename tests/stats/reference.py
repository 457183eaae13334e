"""Loaders for the published reference data sets in tests/stats/data (see the README there)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import numpy.typing as npt

DATA = Path(__file__).parent / "data"


def asah() -> dict[str, npt.NDArray[np.float64]]:
    """pROC's aSAH: `poor` (1 = poor outcome, the "case" level in pROC) and the three predictors."""
    with (DATA / "asah.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {
        "poor": np.array([row["outcome"] == "Poor" for row in rows], dtype=np.float64),
        "s100b": np.array([float(row["s100b"]) for row in rows]),
        "ndka": np.array([float(row["ndka"]) for row in rows]),
        "wfns": np.array([float(row["wfns"]) for row in rows]),
    }


def long_to_wide(name: str, row: str, column: str, value: str) -> npt.NDArray[np.float64]:
    """A long-format CSV as a (rows x columns) matrix, both sorted by their labels."""
    with (DATA / name).open(newline="") as handle:
        records = list(csv.DictReader(handle))
    row_labels = sorted({record[row] for record in records}, key=_natural)
    column_labels = sorted({record[column] for record in records}, key=_natural)
    matrix = np.full((len(row_labels), len(column_labels)), np.nan)
    for record in records:
        matrix[row_labels.index(record[row]), column_labels.index(record[column])] = float(
            record[value]
        )
    return matrix


def wide(name: str) -> npt.NDArray[np.float64]:
    """A wide CSV with a header row; empty cells are NaN."""
    with (DATA / name).open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))[1:]
    return np.array([[float(cell) if cell else np.nan for cell in row] for row in rows])


def _natural(label: str) -> tuple[int, str]:
    return (int(label), "") if label.isdigit() else (0, label)
