"""When a youth's next CSE-IT screening is due, from DOMAIN.md "Screening policy: exact rules".

Pure: no Django, no clock. The caller passes `today` and the dates it read from the database.
"""

from __future__ import annotations

import calendar
import enum
from dataclasses import dataclass
from datetime import date, timedelta

POSSIBLE_CONCERN = "possible_concern"


@dataclass(frozen=True)
class Policy:
    """An agency's screening policy; the defaults are the CSE-IT defaults."""

    min_age: int = 10
    include_high_risk_under_min_age: bool = True
    first_screen_days: int = 30
    rescreen_months: int = 6
    possible_concern_rescreen_days: int | None = 30
    due_soon_days: int = 30


class State(enum.Enum):
    NOT_ELIGIBLE = "not_eligible"
    DUE = "due"
    OVERDUE = "overdue"
    UP_TO_DATE = "up_to_date"


@dataclass(frozen=True)
class ScheduleStatus:
    state: State
    due_on: date | None
    days_overdue: int
    reason: str


def add_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months, clamped to the month's end (Aug 31 + 6 → Feb 28/29)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def birthday_on(date_of_birth: date, age: int) -> date:
    """The day a youth turns `age`; a Feb 29 birthday turns a year older on Mar 1 in non-leap years."""
    try:
        return date_of_birth.replace(year=date_of_birth.year + age)
    except ValueError:
        return date(date_of_birth.year + age, 3, 1)


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _months(count: int) -> str:
    return f"{count} month" if count == 1 else f"{count} months"


def _status(*, due_on: date, today: date, basis: str, soon_days: int | None) -> ScheduleStatus:
    """OVERDUE after `due_on`; otherwise DUE, or UP_TO_DATE while outside a due-soon window.

    `soon_days` is None for a first screening, which is due from the first day of the window.
    """
    if today > due_on:
        overdue = (today - due_on).days
        return ScheduleStatus(
            State.OVERDUE,
            due_on,
            overdue,
            f"{basis} was due by {due_on}; {_days(overdue)} overdue.",
        )
    if soon_days is None or today >= due_on - timedelta(days=soon_days):
        return ScheduleStatus(State.DUE, due_on, 0, f"{basis} due by {due_on}.")
    return ScheduleStatus(
        State.UP_TO_DATE, due_on, 0, f"Up to date; {basis.lower()} due by {due_on}."
    )


def due_status(
    *,
    date_of_birth: date,
    high_risk: bool,
    intake_on: date,
    exit_on: date | None,
    last_final_on: date | None,
    last_final_level: str | None,
    today: date,
    policy: Policy = Policy(),
) -> ScheduleStatus:
    """The youth's screening state on `today` for one intake at one agency.

    `last_final_on` is the contact date of the latest finalized, non-voided screening (None if there is
    none) and `last_final_level` its concern level. An amendment keeps its original's contact date, so
    amending a screening does not move the schedule. `exit_on` is the last day of the intake (still
    eligible that day), None while it is open. Gender never affects eligibility, so it is not a parameter.
    """
    if exit_on is not None and exit_on < intake_on:
        raise ValueError(f"exit_on {exit_on} is before intake_on {intake_on}")
    if last_final_on is not None and last_final_on > today:
        raise ValueError(f"last_final_on {last_final_on} is after today {today}")

    # Eligible only during an open intake: before it starts there is nothing to schedule.
    if today < intake_on:
        return ScheduleStatus(State.NOT_ELIGIBLE, None, 0, f"Intake starts on {intake_on}.")
    # Closing the intake stops the clock; the exit day itself is still inside the intake.
    if exit_on is not None and today > exit_on:
        return ScheduleStatus(State.NOT_ELIGIBLE, None, 0, f"Intake closed on {exit_on}.")

    # Age counts from the birthday itself; a high-risk flag admits younger youth if the policy says so.
    eligible_from = birthday_on(date_of_birth, policy.min_age)
    high_risk_included = high_risk and policy.include_high_risk_under_min_age
    if today < eligible_from and not high_risk_included:
        return ScheduleStatus(
            State.NOT_ELIGIBLE,
            None,
            0,
            f"Under {policy.min_age} and not flagged high risk; eligible from {eligible_from}.",
        )

    # A final screening within the rescreen interval before this intake carries the schedule over;
    # an older one belongs to an earlier intake and does not count here.
    carried_from = add_months(intake_on, -policy.rescreen_months)
    if last_final_on is not None and last_final_on >= carried_from:
        calendar_due = add_months(last_final_on, policy.rescreen_months)
        # A possible concern calls for a *sooner* rescreen: never later than the calendar interval.
        if (
            last_final_level == POSSIBLE_CONCERN
            and policy.possible_concern_rescreen_days is not None
            and last_final_on + timedelta(days=policy.possible_concern_rescreen_days) < calendar_due
        ):
            due_on = last_final_on + timedelta(days=policy.possible_concern_rescreen_days)
            basis = (
                f"Rescreen ({_days(policy.possible_concern_rescreen_days)} after "
                f"the possible concern on {last_final_on})"
            )
        else:
            due_on = calendar_due
            basis = (
                f"Rescreen ({_months(policy.rescreen_months)} after "
                f"the last final screening on {last_final_on})"
            )
        return _status(due_on=due_on, today=today, basis=basis, soon_days=policy.due_soon_days)

    # First screening: the window opens at intake, or at the birthday for a youth who turns old enough
    # during the intake (the later of the two, each plus first_screen_days, inclusive).
    if not high_risk_included and eligible_from > intake_on:
        opened_on, opened_by = eligible_from, f"turning {policy.min_age} on {eligible_from}"
    else:
        opened_on, opened_by = intake_on, f"intake on {intake_on}"
    due_on = opened_on + timedelta(days=policy.first_screen_days)
    basis = f"First screening ({_days(policy.first_screen_days)} after {opened_by})"
    return _status(due_on=due_on, today=today, basis=basis, soon_days=None)
