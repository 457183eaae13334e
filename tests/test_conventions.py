"""Project conventions that code review alone would miss."""

from __future__ import annotations

from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parent.parent / "src" / "sightline" / "web"
# Every read goes through a selector, which scopes by the acting user: web/ runs no model query.
FORBIDDEN_IN_WEB = (
    "Youth.objects",
    "Screening.objects",
    "FollowUpAction.objects",
    "IntakeEpisode.objects",
    "Membership.objects",
    "Agency.objects",
    "AuditEvent.objects",
)


def _web_files() -> list[Path]:
    return sorted(
        path
        for path in WEB.rglob("*")
        if path.is_file() and path.suffix in {".py", ".html", ".txt"}
    )


def test_there_are_web_files_to_check() -> None:
    assert any(path.name == "youth_views.py" for path in _web_files())


@pytest.mark.parametrize("forbidden", FORBIDDEN_IN_WEB)
def test_web_never_queries_youth_screening_or_followup_models_directly(forbidden: str) -> None:
    offenders = [
        str(path.relative_to(WEB))
        for path in _web_files()
        if forbidden in path.read_text(encoding="utf-8")
    ]
    assert offenders == [], f"use a selector instead of {forbidden} in {offenders}"
