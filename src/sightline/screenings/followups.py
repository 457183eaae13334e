"""Follow-up work: when a follow-up is overdue, and which of a level's prompts become one-click actions.

Overdue is decided as the schedule decides it (`scheduling.selectors._state_q`): due by the end of its
due day, overdue from the day after, for as long as it is not completed. A level's prompts are text in
the instrument definition; `prompt_actions` recognises the four kinds a county acts on (mandated report,
referral, safety plan, supervisor consult) by their words, so a new definition version needs no code.
Pure: no Django models, so the rules are tested without a database.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from sightline.screenings.choices import FollowUpKind


class FollowUpState(enum.Enum):
    OPEN = "open"
    OVERDUE = "overdue"
    DONE = "done"


STATE_LABELS = {
    FollowUpState.OPEN.value: _("Open"),
    FollowUpState.OVERDUE.value: _("Overdue"),
    FollowUpState.DONE.value: _("Completed"),
}

# Completing one of these records when the report was made and its reference (the hotline's number).
REPORT_KINDS = frozenset(
    {FollowUpKind.HOTLINE_REPORT.value, FollowUpKind.LAW_ENFORCEMENT_REPORT.value}
)


def followup_state(
    *, due_on: dt.date, completed_on: dt.date | None, today: dt.date
) -> FollowUpState:
    if completed_on is not None:
        return FollowUpState.DONE
    return FollowUpState.OVERDUE if due_on < today else FollowUpState.OPEN


def days_late(*, due_on: dt.date, completed_on: dt.date | None, today: dt.date) -> int:
    if completed_on is not None:
        return 0
    return max(0, (today - due_on).days)


@dataclass(frozen=True)
class PromptAction:
    """A level's prompt offered as a follow-up of `kind`, due `due_days` after today."""

    prompt: str
    kind: str
    label: str  # lazily translated: shown in the page's language
    due_days: int


# First match wins; the order puts the most urgent reading of a prompt first.
_PROMPT_RULES: tuple[tuple[re.Pattern[str], FollowUpKind, str, int], ...] = (
    (re.compile(r"\bmandated report|\bhotline|\breport\b", re.I), FollowUpKind.HOTLINE_REPORT,
     _("Mandated report"), 1),
    (re.compile(r"\brefer", re.I), FollowUpKind.REFERRAL, _("Referral"), 7),
    (re.compile(r"\bsafety\b", re.I), FollowUpKind.SAFETY_PLAN, _("Safety plan"), 3),
    (re.compile(r"\bsupervisor\b", re.I), FollowUpKind.SUPERVISOR_CONSULT,
     _("Supervisor consult"), 2),
)  # fmt: skip


def prompt_actions(prompts: Iterable[str]) -> list[PromptAction]:
    """The prompts that name an action a follow-up records, each once per kind, in prompt order."""
    found: list[PromptAction] = []
    kinds: set[str] = set()
    for prompt in prompts:
        for pattern, kind, label, due_days in _PROMPT_RULES:
            if pattern.search(prompt):
                if kind.value not in kinds:
                    kinds.add(kind.value)
                    found.append(PromptAction(prompt, kind.value, label, due_days))
                break
    return found
