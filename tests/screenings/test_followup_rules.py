"""Overdue follow-ups are decided like the schedule's due dates; a level's prompts become actions."""

from __future__ import annotations

import datetime as dt

import pytest

from sightline import instruments
from sightline.screenings.followups import (
    FollowUpState,
    days_late,
    followup_state,
    prompt_actions,
)

DUE = dt.date(2026, 11, 13)


@pytest.mark.parametrize(
    ("today", "completed_on", "state", "late"),
    [
        (dt.date(2026, 11, 12), None, FollowUpState.OPEN, 0),
        (DUE, None, FollowUpState.OPEN, 0),  # due by the end of its day, like a screening
        (dt.date(2026, 11, 14), None, FollowUpState.OVERDUE, 1),
        (dt.date(2026, 12, 2), None, FollowUpState.OVERDUE, 19),  # the safety plan
        (dt.date(2026, 12, 2), dt.date(2026, 11, 20), FollowUpState.DONE, 0),
    ],
)
def test_state_and_days_late(
    today: dt.date, completed_on: dt.date | None, state: FollowUpState, late: int
) -> None:
    assert followup_state(due_on=DUE, completed_on=completed_on, today=today) is state
    assert days_late(due_on=DUE, completed_on=completed_on, today=today) == late


def test_the_bundled_levels_prompts_become_the_four_actions() -> None:
    definition = instruments.load("cse-it-2.0")
    by_level = {
        level.code: [a.kind for a in prompt_actions(level.follow_up)] for level in definition.levels
    }
    assert by_level["no_concern"] == []
    assert by_level["possible_concern"] == ["supervisor_consult"]
    assert by_level["clear_concern"] == ["hotline_report", "referral", "safety_plan"]


def test_each_kind_is_offered_once_in_prompt_order() -> None:
    actions = prompt_actions(
        ["Talk to your supervisor.", "Ask your supervisor again.", "Refer the youth."]
    )
    assert [(a.kind, a.due_days) for a in actions] == [("supervisor_consult", 2), ("referral", 7)]
    assert actions[0].prompt == "Talk to your supervisor."
