"""`sightline score`: batch scoring of a CSV, checked row by row against `instruments.score`."""

from __future__ import annotations

import csv
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from sightline import instruments
from sightline.cli import main
from sightline.cli.score import allowed_cells, parse_rating
from tests.cli.conftest import WriteCsv

INSTRUMENT = "cse-it-2.0"
CELL_CODES = {"0": 0, "1": 1, "2": 2, "": instruments.MISSING}
CELL_CODES |= {spelling: instruments.NEI for spelling in ("NEI", "nei", "Nei")}


def _indicator_ids(instrument: str = INSTRUMENT) -> list[str]:
    return [indicator.id for indicator in instruments.load(instrument).indicators]


def _random_rows(count: int, ids: list[str], *, seed: int = 7) -> list[list[str]]:
    rng = random.Random(seed)
    cells = list(CELL_CODES)
    rows = [
        [f"case-{n}", rng.choice(["north", "south"]), *(rng.choice(cells) for _ in ids)]
        for n in range(count)
    ]
    rows.append(["case-blank", "north", *("" for _ in ids)])  # nothing rated: no valid level
    rows.append(["case-nei", "south", *("NEI" for _ in ids)])
    return rows


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _expected(row: dict[str, str], ids: list[str]) -> tuple[str, str, str]:
    definition = instruments.load(INSTRUMENT)
    ratings = {id_: CELL_CODES[row[id_]] for id_ in ids if row[id_] != ""}
    result = instruments.score(definition, ratings)
    return str(result.total), result.level or "", str(result.rated_count)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.suffix != ".csv" or p.name.startswith("."))


@pytest.mark.parametrize("chunk_rows", [100_000, 7])
def test_score_appends_total_level_rated_matching_score_for_every_row(
    runner: CliRunner, write_csv: WriteCsv, tmp_path: Path, chunk_rows: int
) -> None:
    ids = _indicator_ids()
    source = write_csv("in.csv", ["case_id", "site", *ids], _random_rows(60, ids))
    output = tmp_path / "out.csv"

    result = runner.invoke(
        main,
        [
            "score",
            "--instrument",
            INSTRUMENT,
            str(source),
            "-o",
            str(output),
            "--chunk-rows",
            str(chunk_rows),
        ],
    )

    assert result.exit_code == 0, result.output
    rows = _read(output)
    assert list(rows[0]) == ["case_id", "site", *ids, "total", "level", "rated"]
    inputs = _read(source)
    assert len(rows) == len(inputs) == 62
    for given, scored in zip(inputs, rows, strict=True):
        assert {k: scored[k] for k in given} == given  # id and rating columns kept as they were
        assert (scored["total"], scored["level"], scored["rated"]) == _expected(given, ids), given
    blank = next(row for row in rows if row["case_id"] == "case-blank")
    assert blank["level"] == "" and blank["rated"] == "0"
    assert any(row["level"] for row in rows)
    assert "Scored 62 rows" in result.stderr
    assert _leftovers(tmp_path) == []


def test_score_keeps_columns_in_any_order_and_scores_absent_indicators_as_not_rated(
    runner: CliRunner, write_csv: WriteCsv, tmp_path: Path
) -> None:
    ids = _indicator_ids()
    present = ids[: max(1, len(ids) // 2)]
    header = [*reversed(present), "youth_ref"]
    source = write_csv(
        "in.csv", header, [["2"] * len(present) + ["y-1"], ["nei"] * len(present) + ["y-2"]]
    )
    output = tmp_path / "out.csv"

    result = runner.invoke(
        main,
        [
            "score",
            "-i",
            INSTRUMENT,
            str(source),
            "-o",
            str(output),
            "--allow-missing-columns",
        ],
    )

    assert result.exit_code == 0, result.output
    rows = _read(output)
    assert [row["youth_ref"] for row in rows] == ["y-1", "y-2"]
    definition = instruments.load(INSTRUMENT)
    expected = instruments.score(definition, dict.fromkeys(present, 2))
    assert rows[0]["total"] == str(expected.total)
    assert rows[0]["level"] == (expected.level or "")
    assert "Warning: no column for" in result.stderr and ids[-1] in result.stderr


def test_missing_indicator_columns_exit_2_naming_each_and_leave_no_output(
    runner: CliRunner, write_csv: WriteCsv, tmp_path: Path
) -> None:
    ids = _indicator_ids()
    kept = [id_ for id_ in ids if id_ not in (ids[3], ids[-1])]
    source = write_csv("in.csv", ["case_id", *kept], [["c1", *("1" for _ in kept)]])
    output = tmp_path / "out.csv"

    result = runner.invoke(main, ["score", "-i", INSTRUMENT, str(source), "-o", str(output)])

    assert result.exit_code == 2
    assert f"no column for indicator(s) {ids[3]}, {ids[-1]} of {INSTRUMENT}" in result.stderr
    assert "--allow-missing-columns" in result.stderr
    assert not output.exists()
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("lead", ["=", "+", "-", "@"])
def test_cells_a_spreadsheet_would_run_are_neutralised_in_the_output(
    runner: CliRunner, write_csv: WriteCsv, tmp_path: Path, lead: str
) -> None:
    ids = _indicator_ids()
    payload = f'{lead}HYPERLINK("http://evil.invalid","x")'
    header = ["case_id", f"{lead}note", *ids]
    source = write_csv(
        "in.csv",
        header,
        [[payload, "plain", *("1" for _ in ids)], ["c2", payload, *("0" for _ in ids)]],
    )
    output = tmp_path / "out.csv"

    result = runner.invoke(main, ["score", "-i", INSTRUMENT, str(source), "-o", str(output)])

    assert result.exit_code == 0, result.output
    with output.open(newline="", encoding="utf-8") as handle:
        out = list(csv.reader(handle))
    assert out[0][:2] == ["case_id", f"'{lead}note"]
    assert out[1][:2] == [f"'{payload}", "plain"]
    assert out[2][:2] == ["c2", f"'{payload}"]
    # The ratings and scores are untouched.
    assert out[1][2:][: len(ids)] == ["1"] * len(ids)


def test_score_to_stdout_with_dash(runner: CliRunner, write_csv: WriteCsv) -> None:
    ids = _indicator_ids()
    source = write_csv("in.csv", ["case_id", *ids], [["c1", *("1" for _ in ids)]])

    result = runner.invoke(main, ["score", "-i", INSTRUMENT, str(source), "-o", "-", "--quiet"])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == ",".join(["case_id", *ids, "total", "level", "rated"])
    assert lines[1].startswith("c1,") and lines[1].endswith(f",{len(ids)}")
    assert result.stderr == ""


@pytest.mark.parametrize("cell", ["x", "-1", "1.5", "7", "3", "NEI 2"])
def test_bad_value_names_row_line_column_and_value_and_leaves_no_output(
    runner: CliRunner, write_csv: WriteCsv, tmp_path: Path, cell: str
) -> None:
    ids = _indicator_ids()
    rows = [["c", *("0" for _ in ids)] for _ in range(30)]
    rows[22][3] = cell  # data row 23, file line 24, in the fourth chunk of seven
    source = write_csv("in.csv", ["case_id", *ids], rows)
    output = tmp_path / "out.csv"

    result = runner.invoke(
        main, ["score", "-i", INSTRUMENT, str(source), "-o", str(output), "--chunk-rows", "7"]
    )

    assert result.exit_code == 2
    allowed = allowed_cells(instruments.load(INSTRUMENT))
    assert (
        f"data row 23 (file line 24), column '{ids[2]}': '{cell}' is not an allowed rating "
        f"(allowed: {allowed})"
    ) in result.stderr
    assert not output.exists()
    assert _leftovers(tmp_path) == []


def test_the_first_bad_row_in_the_file_is_reported(
    runner: CliRunner, write_csv: WriteCsv, tmp_path: Path
) -> None:
    ids = _indicator_ids()
    rows = [["c", *("1" for _ in ids)] for _ in range(20)]
    rows[11][1] = "x"  # unreadable, in the first indicator column
    rows[4][-1] = "9"  # off the scale, in the last column but an earlier row

    result = runner.invoke(
        main,
        ["score", "-i", INSTRUMENT, str(write_csv("in.csv", ["case_id", *ids], rows)), "-o", "-"],
    )

    assert result.exit_code == 2
    assert f"data row 5 (file line 6), column '{ids[-1]}': '9'" in result.stderr


def test_failure_leaves_an_existing_output_file_untouched(
    runner: CliRunner, write_csv: WriteCsv, tmp_path: Path
) -> None:
    ids = _indicator_ids()
    source = write_csv("in.csv", ["case_id", *ids], [["c1", "oops", *("0" for _ in ids[1:])]])
    output = tmp_path / "out.csv"
    output.write_text("previous result\n", encoding="utf-8")

    result = runner.invoke(main, ["score", "-i", INSTRUMENT, str(source), "-o", str(output)])

    assert result.exit_code == 2
    assert output.read_text(encoding="utf-8") == "previous result\n"
    assert _leftovers(tmp_path) == []


def test_ragged_row_names_row_and_line_and_leaves_no_output(
    runner: CliRunner, tmp_path: Path
) -> None:
    ids = _indicator_ids()
    source = tmp_path / "in.csv"
    good = ",".join(["c", *("1" for _ in ids)])
    source.write_text(f"case_id,{','.join(ids)}\n{good}\n\n{good}\nc,1\n", encoding="utf-8")
    output = tmp_path / "out.csv"

    result = runner.invoke(main, ["score", "-i", INSTRUMENT, str(source), "-o", str(output)])

    assert result.exit_code == 2
    # The blank line 3 is skipped, so the short row is data row 3 on file line 5.
    assert (
        f"data row 3 (file line 5): 2 values but the header has {len(ids) + 1} columns"
        in result.stderr
    )
    assert not output.exists()
    assert _leftovers(tmp_path) == []


def test_unknown_instrument_exits_2(runner: CliRunner, write_csv: WriteCsv, tmp_path: Path) -> None:
    source = write_csv("in.csv", ["case_id"], [["c1"]])
    output = tmp_path / "out.csv"

    result = runner.invoke(main, ["score", "-i", "cse-it-9", str(source), "-o", str(output)])

    assert result.exit_code == 2
    assert "Unknown instrument 'cse-it-9'" in result.stderr
    assert not output.exists()


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (["case_id", "site"], "the header has no indicator column of cse-it-2.0"),
        (["case_id", "case_id"], "names column 'case_id' twice"),
        (["case_id", "level"], "already has column(s) 'level'"),
    ],
)
def test_unusable_header_is_refused(
    runner: CliRunner, write_csv: WriteCsv, tmp_path: Path, header: list[str], message: str
) -> None:
    source = write_csv("in.csv", header, [["c1", "x"]])
    output = tmp_path / "out.csv"

    result = runner.invoke(main, ["score", "-i", INSTRUMENT, str(source), "-o", str(output)])

    assert result.exit_code == 2
    assert message in result.stderr
    assert not output.exists()
    assert _leftovers(tmp_path) == []


def test_empty_input_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("", encoding="utf-8")
    output = tmp_path / "out.csv"

    result = runner.invoke(main, ["score", "-i", INSTRUMENT, str(source), "-o", str(output)])

    assert result.exit_code == 2
    assert "the input is empty" in result.stderr
    assert not output.exists()


def test_missing_output_folder_is_a_clear_error(
    runner: CliRunner, write_csv: WriteCsv, tmp_path: Path
) -> None:
    ids = _indicator_ids()
    source = write_csv("in.csv", ["case_id", *ids], [["c1", *("1" for _ in ids)]])

    result = runner.invoke(
        main, ["score", "-i", INSTRUMENT, str(source), "-o", str(tmp_path / "nope" / "out.csv")]
    )

    assert result.exit_code == 2
    assert "cannot write to" in result.stderr


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("", instruments.MISSING),
        ("  ", instruments.MISSING),
        ("NeI", instruments.NEI),
        (" 2 ", 2),
        ("0", 0),
        ("-1", None),
        ("-2", None),
        ("1.0", None),
        ("\uff12", None),  # a full-width two
        ("yes", None),
    ],
)
def test_parse_rating_refuses_signs_and_non_ascii_digits(cell: str, code: int | None) -> None:
    assert parse_rating(cell) == code


def test_installed_console_script_scores_a_file(write_csv: WriteCsv, tmp_path: Path) -> None:
    ids = _indicator_ids()
    source = write_csv(
        "in.csv", ["case_id", *ids], [["c1", *("2" for _ in ids)], ["c2", *("" for _ in ids)]]
    )
    output = tmp_path / "out.csv"
    script = Path(sys.executable).parent / "sightline"

    completed = subprocess.run(
        [str(script), "score", "--instrument", INSTRUMENT, str(source), "-o", str(output)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    rows = _read(output)
    assert [row["case_id"] for row in rows] == ["c1", "c2"]
    assert rows[0]["level"] == instruments.load(INSTRUMENT).levels[-1].code
    assert rows[1]["level"] == ""


def test_score_reads_stdin_with_dash(runner: CliRunner) -> None:
    ids = _indicator_ids()
    text = ",".join(["case_id", *ids]) + "\n" + ",".join(["c1", *("2" for _ in ids)]) + "\n"

    result = runner.invoke(main, ["score", "-i", INSTRUMENT, "-", "-o", "-", "-q"], input=text)

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].startswith(",".join(["c1", *("2" for _ in ids)]) + ",")


def test_terminated_run_leaves_no_output(tmp_path: Path) -> None:
    ids = _indicator_ids()
    output = tmp_path / "out.csv"
    script = Path(sys.executable).parent / "sightline"
    process = subprocess.Popen(
        [str(script), "score", "-i", INSTRUMENT, "-", "-o", str(output), "--chunk-rows", "1"],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None
    process.stdin.write(
        ",".join(["case_id", *ids]) + "\n" + ",".join(["c1", *("1" for _ in ids)]) + "\n"
    )
    process.stdin.flush()
    # Stdin stays open, so the run is blocked mid-file with its temporary output on disk.
    deadline = time.monotonic() + 30
    while not list(tmp_path.glob(".out.csv.*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(tmp_path.glob(".out.csv.*")), "the run never started writing"

    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)

    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert list(tmp_path.iterdir()) == []
