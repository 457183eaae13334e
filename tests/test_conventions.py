"""Project conventions that code review alone would miss, checked on the real source tree.

The checkers live in `tests/test_contracts.py`, which also proves that each one reports a deliberate
violation; here they run on `src/`. A red test prints the offending file:line (and, for a cycle,
the imports that make each edge).
"""

from __future__ import annotations

from pathlib import Path

from tests.test_contracts import (
    PURE_CORES,
    app_cycles,
    app_graph,
    describe_cycles,
    edge_violations,
    iter_edge_modules,
    modules,
    pure_core_violations,
)

SRC = Path(__file__).resolve().parent.parent / "src"


def test_the_checkers_see_the_real_tree() -> None:
    # Guards against a checker that passes because it looks at nothing.
    assert "sightline.web.youth_views" in set(iter_edge_modules(SRC))
    assert "sightline.api.screenings" in set(iter_edge_modules(SRC))
    assert {("web", "tenancy"), ("scheduling", "youth"), ("screenings", "youth")} <= set(
        app_graph(SRC)
    )
    for core in (
        "sightline.instruments",
        "sightline.scheduling.rules",
        "sightline.scheduling.compute",
    ):
        assert core in modules(SRC), f"{core} moved: update PURE_CORES"


def test_web_and_api_never_import_models_or_the_orm_at_run_time() -> None:
    problems = edge_violations(SRC)

    assert problems == [], (
        "web/ and api/ read through selectors and the access layer; import choices from "
        "<app>/choices.py and model classes for annotations under `if TYPE_CHECKING:`:\n"
        + "\n".join(problems)
    )


def test_web_templates_never_reach_a_manager() -> None:
    templates = SRC / "sightline" / "web" / "templates"
    offenders = [
        str(path.relative_to(templates))
        for path in sorted(templates.rglob("*"))
        if path.is_file() and ".objects" in path.read_text(encoding="utf-8")
    ]

    assert offenders == []


def test_no_import_cycles_between_apps() -> None:
    cycles = app_cycles(SRC)

    assert cycles == [], (
        "apps tell each other what happened through sightline.events, not by importing each "
        "other:\n" + describe_cycles(SRC, cycles)
    )


def test_pure_cores_import_no_django() -> None:
    problems = pure_core_violations(SRC)

    assert problems == [], f"{', '.join(PURE_CORES)} must import without Django:\n" + "\n".join(
        problems
    )
