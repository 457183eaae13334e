"""Write a generated `Population` to files: one CSV or Parquet file per table.

The screenings' 2-D `ratings` array becomes one column per indicator position, `rating_01` ...
(`MISSING` = -1, `NEI` = -2, as in `sightline.instruments`); dates are dates with empty cells for none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

Format = Literal["csv", "parquet"]
FORMATS: tuple[str, ...] = ("csv", "parquet")


def table_to_arrow(columns: dict[str, np.ndarray]) -> pa.Table:
    arrays: dict[str, pa.Array] = {}
    for name, values in columns.items():
        values = np.asarray(values)
        if values.ndim == 2:
            for j in range(values.shape[1]):
                arrays[f"{name.rstrip('s')}_{j + 1:02d}"] = pa.array(values[:, j])
        elif np.issubdtype(values.dtype, np.datetime64):
            days = values.astype("datetime64[D]")
            arrays[name] = pa.array(days, type=pa.date32(), mask=np.isnat(days))
        elif values.dtype == object:
            arrays[name] = pa.array(values.tolist(), type=pa.string())
        else:
            arrays[name] = pa.array(values)
    return pa.table(arrays)


def write_files(population: Any, folder: str | Path, *, format: Format = "csv") -> dict[str, Path]:
    """Write each table of `population` to `folder/<table>.<format>`; returns the paths by table."""
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name, columns in population.tables.items():
        table = table_to_arrow(columns)
        path = target / f"{name}.{format}"
        if format == "csv":
            pa_csv.write_csv(table, path)
        else:
            pq.write_table(table, path)
        written[name] = path
    return written
