"""The shared CSV path: blocks cut only at row ends, odd cells, quoting kept valid, formulas defused."""

from __future__ import annotations

import csv
import io

import pytest

from sightline import instruments
from sightline.cli.score import score_csv
from sightline.instruments.csv_ratings import RatingReader, rating_codes

INSTRUMENT = "cse-it-2.0"


def _ids() -> list[str]:
    return [i.id for i in instruments.load(INSTRUMENT).indicators]


@pytest.mark.parametrize("block_bytes", [64, 1 << 20])
def test_values_with_commas_quotes_and_line_breaks_survive_any_block_size(block_bytes: int) -> None:
    ids = _ids()
    notes = ["plain", "a, b", 'said "hi"', "two\nlines", "crlf\r\ninside", "=1+2"]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(["note", *ids])
    for k, note in enumerate(notes * 5):
        writer.writerow([note, *(str((k + j) % 3) for j in range(len(ids)))])
    source = io.BytesIO(b"\xef\xbb\xbf" + text.getvalue().encode())
    sink = io.BytesIO()

    summary = score_csv(instruments.load(INSTRUMENT), source, sink, block_bytes=block_bytes)

    assert summary.rows == 30
    rows = list(csv.reader(io.StringIO(sink.getvalue().decode())))
    assert rows[0] == ["note", *ids, "total", "level", "rated"]
    expected_notes = [f"'{n}" if n.startswith("=") else n for n in notes * 5]
    assert [row[0] for row in rows[1:]] == expected_notes
    definition = instruments.load(INSTRUMENT)
    for k, row in enumerate(rows[1:]):
        ratings = {i: (k + j) % 3 for j, i in enumerate(ids)}
        result = instruments.score(definition, ratings)
        assert row[-3:] == [str(result.total), result.level or "", str(result.rated_count)]


def test_rating_codes_reads_every_spelling_and_marks_the_rest_unreadable() -> None:
    import pyarrow as pa

    cells = ["0", "1", "2", "", "NEI", "nei", "nEi", " 2 ", "  ", "9", "x", "-1", "1.0", "NE"]
    codes = rating_codes(pa.array(cells)).tolist()

    unreadable = 2**31 - 1
    nei, missing = instruments.NEI, instruments.MISSING
    assert codes == [
        0,
        1,
        2,
        missing,
        nei,
        nei,
        nei,
        2,
        missing,
        9,
        unreadable,
        unreadable,
        unreadable,
        unreadable,
    ]


def test_bad_cells_are_all_listed_with_their_rows() -> None:
    ids = _ids()
    lines = [",".join(["id", *ids])]
    for k in range(6):
        cells = ["1"] * len(ids)
        if k in (1, 4):
            cells[2] = "7" if k == 1 else "oops"
        lines.append(",".join([f"c{k}", *cells]))
    reader = RatingReader(io.BytesIO("\n".join(lines).encode()), instruments.load(INSTRUMENT))

    bad = [cell for batch in reader for cell in batch.bad]

    assert [(c.row, c.column, c.value) for c in bad] == [(2, ids[2], "7"), (5, ids[2], "oops")]
