"""`sightline validate synthetic`: a study of an in-memory synthetic population, as text and JSON."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from sightline.cli import main


def test_validate_synthetic_writes_summary_and_json(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "study.json"

    result = runner.invoke(
        main, ["validate", "synthetic", "--youth", "3000", "--seed", "5", "--json", str(out)]
    )

    assert result.exit_code == 0, result.output
    assert "Cronbach's alpha" in result.output and "ROC AUC (DeLong)" in result.output
    data = json.loads(out.read_text())
    assert data["parameters"] == {
        "population": "synthetic",
        "youth": 3000,
        "seed": 5,
        "instrument": "cse-it-2.0",
        "against": "criterion",
        "window_days": 365,
    }
    sensitivity = data["study"]["cutoffs"][0]["accuracy"]["sensitivity"]
    assert set(sensitivity) >= {"estimate", "low", "high", "n"}
    assert sensitivity["low"] <= sensitivity["estimate"] <= sensitivity["high"]


def test_same_seed_gives_the_same_study(runner: CliRunner, tmp_path: Path) -> None:
    paths = [tmp_path / "a.json", tmp_path / "b.json"]
    for path in paths:
        args = ["validate", "synthetic", "--youth", "1500", "--seed", "9", "--against", "truth"]
        assert runner.invoke(main, [*args, "--json", str(path)]).exit_code == 0

    assert paths[0].read_text() == paths[1].read_text()
