"""When a youth's next CSE-IT screening is due, from DOMAIN.md "Screening policy: exact rules".

Pure: no Django, no clock. The caller passes `today` and the dates it read from the database. Which
concern levels call for a sooner rescreen, and after how many days, is data in the instrument
definition (a level's ``rescreen_days``): the caller looks it up in the last final screening's pinned
definition version and passes it as a `SoonerRescreen`; no level code appears here. The agency's
policy may change those days or turn the sooner rescreen off (see `Policy`, ADR 0003).
"""

from __future__ import annotations

import calendar
import enum
import re
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Policy:
    """An agency's screening policy; the defaults are the CSE-IT defaults.

    A level that calls for a sooner rescreen (its definition gives ``rescreen_days``) gets it
    `sooner_rescreen_days` after the screening when the agency set that number, else after the
    definition's own days; `sooner_rescreen` False turns it off (the regular interval applies).
    """

    min_age: int = 10
    include_high_risk_under_min_age: bool = True
    first_screen_days: int = 30
    rescreen_months: int = 6
    sooner_rescreen: bool = True
    sooner_rescreen_days: int | None = None  # None: the days the definition gives the level
    due_soon_days: int = 30


@dataclass(frozen=True)
class SoonerRescreen:
    """What a final screening's level calls for, from its pinned definition: a rescreen `days` after
    the screening (when that is sooner than the regular interval). `level_label` names the level in
    the schedule's basis ("30 days after the possible concern on ...")."""

    days: int
    level_label: str

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError(
                f"a sooner rescreen is at least 1 day after the screening, not {self.days}"
            )


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


def _lower_first(text: str) -> str:
    """'Possible concern' -> 'possible concern', for the label inside a sentence (keeps 'CSE-IT')."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


@dataclass(frozen=True)
class Basis:
    """Why a screening is due, as parts: `text` is the English sentence stored on each schedule row
    (and shown as is on English pages); `parse_basis` reads one back into its parts, so a page in
    another language can say it in its own words.

    `reason` is "intake" or "birthday" (a first screening), "level" (a sooner rescreen after the
    level `level_label`) or "interval" (the regular rescreen); `count` is days, or months for
    "interval"; `on` is the date it counts from; `age` is the birthday's age."""

    reason: str
    count: int
    on: date
    level_label: str = ""
    age: int = 0

    @property
    def text(self) -> str:
        if self.reason == "intake":
            return f"First screening ({_days(self.count)} after intake on {self.on})"
        if self.reason == "birthday":
            return f"First screening ({_days(self.count)} after turning {self.age} on {self.on})"
        if self.reason == "level":
            label = _lower_first(self.level_label)
            return f"Rescreen ({_days(self.count)} after the {label} on {self.on})"
        return f"Rescreen ({_months(self.count)} after the last final screening on {self.on})"


_BASIS_PATTERNS = (
    ("intake", re.compile(r"First screening \((\d+) days? after intake on (\d{4}-\d\d-\d\d)\)")),
    (
        "birthday",
        re.compile(r"First screening \((\d+) days? after turning (\d+) on (\d{4}-\d\d-\d\d)\)"),
    ),
    (
        "interval",
        re.compile(
            r"Rescreen \((\d+) months? after the last final screening on (\d{4}-\d\d-\d\d)\)"
        ),
    ),
    ("level", re.compile(r"Rescreen \((\d+) days? after the (.+) on (\d{4}-\d\d-\d\d)\)")),
)


def parse_basis(text: str) -> Basis | None:
    """The parts of a stored basis sentence (`Basis.text`), or None for any other text."""
    for reason, pattern in _BASIS_PATTERNS:
        found = pattern.fullmatch(text)
        if found is None:
            continue
        parts = found.groups()
        on = date.fromisoformat(parts[-1])
        if reason == "birthday":
            return Basis(reason, int(parts[0]), on, age=int(parts[1]))
        if reason == "level":
            return Basis(reason, int(parts[0]), on, level_label=parts[1])
        return Basis(reason, int(parts[0]), on)
    return None


class Kind(enum.Enum):
    FIRST = "first"
    RESCREEN = "rescreen"


@dataclass(frozen=True)
class Schedule:
    """One intake's schedule as dates that do not depend on `today`.

    Because nothing here moves with the calendar, the dates can be stored and a worklist can compute
    every youth's state in SQL from `today` alone (`status_on` is the same comparison in Python).
    """

    intake_on: date
    exit_on: date | None
    eligible_on: date  # first day of the intake on which the youth is eligible
    min_age: int
    kind: Kind
    due_on: date
    due_from: date  # from this day the screening shows as due (a first screening: its window opens)
    basis: str

    def status_on(self, today: date) -> ScheduleStatus:
        if today < self.intake_on:
            return ScheduleStatus(
                State.NOT_ELIGIBLE, None, 0, f"Intake starts on {self.intake_on}."
            )
        # Closing the intake stops the clock; the exit day itself is still inside the intake.
        if self.exit_on is not None and today > self.exit_on:
            return ScheduleStatus(State.NOT_ELIGIBLE, None, 0, f"Intake closed on {self.exit_on}.")
        if today < self.eligible_on:
            return ScheduleStatus(
                State.NOT_ELIGIBLE,
                None,
                0,
                f"Under {self.min_age} and not flagged high risk; eligible from {self.eligible_on}.",
            )
        if today > self.due_on:
            overdue = (today - self.due_on).days
            return ScheduleStatus(
                State.OVERDUE,
                self.due_on,
                overdue,
                f"{self.basis} was due by {self.due_on}; {_days(overdue)} overdue.",
            )
        if today >= self.due_from:
            return ScheduleStatus(State.DUE, self.due_on, 0, f"{self.basis} due by {self.due_on}.")
        return ScheduleStatus(
            State.UP_TO_DATE,
            self.due_on,
            0,
            f"Up to date; {self.basis.lower()} due by {self.due_on}.",
        )


def carries_over(*, intake_on: date, last_final_on: date | None, policy: Policy = Policy()) -> bool:
    """True when a final screening before the intake is recent enough to stand for its first one."""
    return last_final_on is not None and last_final_on >= add_months(
        intake_on, -policy.rescreen_months
    )


def sooner_rescreen_days(sooner: SoonerRescreen | None, policy: Policy) -> int | None:
    """The days after a final screening its sooner rescreen falls due under `policy`, or None when
    there is none (the level calls for none, or the agency turned it off)."""
    if sooner is None or not policy.sooner_rescreen:
        return None
    return sooner.days if policy.sooner_rescreen_days is None else policy.sooner_rescreen_days


def rescreen_due(
    *, last_final_on: date, sooner_rescreen: SoonerRescreen | None, policy: Policy
) -> tuple[date, str]:
    """The date a rescreen falls due after a final screening, and the basis in words.

    `sooner_rescreen` is what the screening's level calls for in its definition (None: nothing).
    """
    calendar_due = add_months(last_final_on, policy.rescreen_months)
    days = sooner_rescreen_days(sooner_rescreen, policy)
    # A sooner rescreen is never later than the calendar interval.
    if (
        sooner_rescreen is not None
        and days is not None
        and last_final_on + timedelta(days=days) < calendar_due
    ):
        return (
            last_final_on + timedelta(days=days),
            Basis("level", days, last_final_on, level_label=sooner_rescreen.level_label).text,
        )
    return calendar_due, Basis("interval", policy.rescreen_months, last_final_on).text


def schedule(
    *,
    date_of_birth: date,
    high_risk: bool,
    intake_on: date,
    exit_on: date | None,
    last_final_on: date | None,
    sooner_rescreen: SoonerRescreen | None = None,
    policy: Policy = Policy(),
) -> Schedule:
    """The schedule of one intake at one agency; see `due_status` for the meaning of the arguments."""
    if exit_on is not None and exit_on < intake_on:
        raise ValueError(f"exit_on {exit_on} is before intake_on {intake_on}")
    # Age counts from the birthday itself; a high-risk flag admits younger youth if the policy says so.
    eligible_from = birthday_on(date_of_birth, policy.min_age)
    high_risk_included = high_risk and policy.include_high_risk_under_min_age
    eligible_on = intake_on if high_risk_included else max(intake_on, eligible_from)

    # A final screening within the rescreen interval before this intake carries the schedule over;
    # an older one belongs to an earlier intake and does not count here.
    if last_final_on is not None and carries_over(
        intake_on=intake_on, last_final_on=last_final_on, policy=policy
    ):
        due_on, basis = rescreen_due(
            last_final_on=last_final_on, sooner_rescreen=sooner_rescreen, policy=policy
        )
        return Schedule(
            intake_on=intake_on,
            exit_on=exit_on,
            eligible_on=eligible_on,
            min_age=policy.min_age,
            kind=Kind.RESCREEN,
            due_on=due_on,
            due_from=due_on - timedelta(days=policy.due_soon_days),
            basis=basis,
        )

    # First screening: the window opens at intake, or at the birthday for a youth who turns old enough
    # during the intake (the later of the two, each plus first_screen_days, inclusive).
    if eligible_on > intake_on:
        why = Basis("birthday", policy.first_screen_days, eligible_on, age=policy.min_age)
    else:
        why = Basis("intake", policy.first_screen_days, intake_on)
    return Schedule(
        intake_on=intake_on,
        exit_on=exit_on,
        eligible_on=eligible_on,
        min_age=policy.min_age,
        kind=Kind.FIRST,
        due_on=eligible_on + timedelta(days=policy.first_screen_days),
        due_from=eligible_on,
        basis=why.text,
    )


def due_status(
    *,
    date_of_birth: date,
    high_risk: bool,
    intake_on: date,
    exit_on: date | None,
    last_final_on: date | None,
    today: date,
    sooner_rescreen: SoonerRescreen | None = None,
    policy: Policy = Policy(),
) -> ScheduleStatus:
    """The youth's screening state on `today` for one intake at one agency.

    `last_final_on` is the contact date of the latest finalized, non-voided screening (None if there is
    none) and `sooner_rescreen` what its level calls for in its definition (None: no sooner rescreen,
    or no screening). An amendment keeps its original's contact date, so
    amending a screening does not move the schedule. `exit_on` is the last day of the intake (still
    eligible that day), None while it is open. Gender never affects eligibility, so it is not a parameter.
    """
    if last_final_on is not None and last_final_on > today:
        raise ValueError(f"last_final_on {last_final_on} is after today {today}")
    return schedule(
        date_of_birth=date_of_birth,
        high_risk=high_risk,
        intake_on=intake_on,
        exit_on=exit_on,
        last_final_on=last_final_on,
        sooner_rescreen=sooner_rescreen,
        policy=policy,
    ).status_on(today)
