"""Screening schedule rules: every boundary from DOMAIN.md "Screening policy: exact rules"."""

from __future__ import annotations

import ast
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sightline.scheduling import rules
from sightline.scheduling.rules import Policy, State, add_months, birthday_on, due_status

TEEN = date(2010, 1, 15)  # 16 throughout these tests
# What the bundled definitions' possible concern calls for (its `rescreen_days: 30`).
POSSIBLE = rules.SoonerRescreen(30, "Possible concern")
INTAKE = date(2026, 3, 2)


def status(**overrides: Any) -> rules.ScheduleStatus:
    arguments: dict[str, Any] = {
        "date_of_birth": TEEN,
        "high_risk": False,
        "intake_on": INTAKE,
        "exit_on": None,
        "last_final_on": None,
        "today": INTAKE,
    }
    arguments.update(overrides)
    return due_status(**arguments)


def test_rules_module_imports_no_django() -> None:
    tree = ast.parse(Path(rules.__file__).read_text())
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name.split(".")[0] == "django" for name in imported), imported


# --- add_months -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2028, 3, 31), -1, date(2028, 2, 29)),
        (date(2026, 5, 31), 1, date(2026, 6, 30)),
        (date(2026, 1, 15), 6, date(2026, 7, 15)),
        (date(2026, 3, 2), -6, date(2025, 9, 2)),
        (date(2026, 11, 30), 2, date(2027, 1, 30)),
        (date(2026, 1, 31), -13, date(2024, 12, 31)),
        (date(2026, 4, 10), 0, date(2026, 4, 10)),
    ],
)
def test_add_months_clamps_to_month_end(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("date_of_birth", "expected"),
    [
        (date(2016, 6, 1), date(2026, 6, 1)),
        (date(2016, 2, 29), date(2026, 3, 1)),
        (date(2018, 2, 28), date(2028, 2, 28)),
        (date(2020, 2, 29), date(2030, 3, 1)),
        (date(2012, 2, 29), date(2022, 3, 1)),
    ],
)
def test_tenth_birthday(date_of_birth: date, expected: date) -> None:
    assert birthday_on(date_of_birth, 10) == expected


def test_feb_29_birthday_in_a_leap_year_is_feb_29() -> None:
    assert birthday_on(date(2016, 2, 29), 12) == date(2028, 2, 29)


# --- eligibility ------------------------------------------------------------------------------

NINE_UNTIL = date(2016, 5, 20)  # turns 10 on 2026-05-20
EARLY_INTAKE = date(2026, 1, 5)


def test_day_before_tenth_birthday_is_not_eligible() -> None:
    result = status(date_of_birth=NINE_UNTIL, intake_on=EARLY_INTAKE, today=date(2026, 5, 19))
    assert result == rules.ScheduleStatus(
        State.NOT_ELIGIBLE,
        None,
        0,
        "Under 10 and not flagged high risk; eligible from 2026-05-20.",
    )


def test_tenth_birthday_itself_is_eligible() -> None:
    result = status(date_of_birth=NINE_UNTIL, intake_on=EARLY_INTAKE, today=date(2026, 5, 20))
    assert result.state is State.DUE
    assert result.due_on == date(2026, 6, 19)


def test_high_risk_nine_year_old_is_eligible_from_intake() -> None:
    result = status(
        date_of_birth=NINE_UNTIL, high_risk=True, intake_on=EARLY_INTAKE, today=date(2026, 1, 20)
    )
    assert result.state is State.DUE
    assert result.due_on == date(2026, 2, 4)


def test_high_risk_nine_year_old_not_eligible_when_policy_excludes() -> None:
    result = status(
        date_of_birth=NINE_UNTIL,
        high_risk=True,
        intake_on=EARLY_INTAKE,
        today=date(2026, 1, 20),
        policy=Policy(include_high_risk_under_min_age=False),
    )
    assert result.state is State.NOT_ELIGIBLE
    assert result.due_on is None
    assert result.reason == "Under 10 and not flagged high risk; eligible from 2026-05-20."


def test_high_risk_excluded_by_policy_turning_ten_gets_birthday_window() -> None:
    result = status(
        date_of_birth=NINE_UNTIL,
        high_risk=True,
        intake_on=EARLY_INTAKE,
        today=date(2026, 5, 20),
        policy=Policy(include_high_risk_under_min_age=False),
    )
    assert (result.state, result.due_on) == (State.DUE, date(2026, 6, 19))


def test_min_age_follows_policy() -> None:
    result = status(
        date_of_birth=NINE_UNTIL,
        intake_on=EARLY_INTAKE,
        today=date(2026, 1, 20),
        policy=Policy(min_age=9),
    )
    assert (result.state, result.due_on) == (State.DUE, date(2026, 2, 4))


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (date(2026, 2, 28), State.NOT_ELIGIBLE),
        (date(2026, 3, 1), State.DUE),
    ],
)
def test_feb_29_birthday_turns_ten_on_mar_1_in_a_non_leap_year(today: date, state: State) -> None:
    result = status(date_of_birth=date(2016, 2, 29), intake_on=EARLY_INTAKE, today=today)
    assert result.state is state
    if state is State.NOT_ELIGIBLE:
        assert result.reason == "Under 10 and not flagged high risk; eligible from 2026-03-01."
    else:
        assert result.due_on == date(2026, 3, 31)


def test_intake_in_the_future_is_not_eligible() -> None:
    result = status(today=INTAKE - timedelta(days=1))
    assert result == rules.ScheduleStatus(
        State.NOT_ELIGIBLE, None, 0, "Intake starts on 2026-03-02."
    )


def test_intake_start_day_is_eligible() -> None:
    assert status(today=INTAKE).state is State.DUE


def test_closed_intake_stops_the_clock() -> None:
    result = status(exit_on=date(2026, 3, 20), today=date(2026, 6, 1))
    assert result == rules.ScheduleStatus(
        State.NOT_ELIGIBLE, None, 0, "Intake closed on 2026-03-20."
    )


def test_exit_day_itself_is_still_eligible() -> None:
    result = status(exit_on=date(2026, 4, 10), today=date(2026, 4, 10))
    assert result.state is State.OVERDUE
    assert result.due_on == date(2026, 4, 1)
    assert result.days_overdue == 9


def test_closed_intake_with_a_final_screening_is_not_eligible() -> None:
    result = status(
        exit_on=date(2026, 4, 10),
        last_final_on=date(2026, 3, 10),
        today=date(2026, 12, 1),
    )
    assert result.state is State.NOT_ELIGIBLE


@pytest.mark.parametrize(
    "overrides",
    [
        {"exit_on": INTAKE - timedelta(days=1)},
        {"last_final_on": INTAKE + timedelta(days=1), "today": INTAKE},
    ],
)
def test_inconsistent_dates_are_rejected(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        status(**overrides)


# --- first screening --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "state", "days_overdue"),
    [
        (date(2026, 3, 2), State.DUE, 0),  # intake day
        (date(2026, 4, 1), State.DUE, 0),  # day 30: inclusive
        (date(2026, 4, 2), State.OVERDUE, 1),  # day 31
        (date(2026, 5, 1), State.OVERDUE, 30),
    ],
)
def test_first_screening_due_thirty_days_after_intake(
    today: date, state: State, days_overdue: int
) -> None:
    result = status(today=today)
    assert (result.state, result.due_on, result.days_overdue) == (
        state,
        date(2026, 4, 1),
        days_overdue,
    )


def test_first_screening_reasons() -> None:
    assert status(today=date(2026, 3, 10)).reason == (
        "First screening (30 days after intake on 2026-03-02) due by 2026-04-01."
    )
    assert status(today=date(2026, 4, 2)).reason == (
        "First screening (30 days after intake on 2026-03-02) was due by 2026-04-01; 1 day overdue."
    )


@pytest.mark.parametrize(
    ("intake_on", "expected_due"),
    [
        (date(2026, 1, 5), date(2026, 6, 19)),  # birthday+30 is later
        (date(2026, 5, 20), date(2026, 6, 19)),  # intake on the birthday: both windows agree
        (date(2026, 5, 25), date(2026, 6, 24)),  # intake after the birthday: intake+30
    ],
)
def test_turning_ten_during_intake_takes_the_later_window(
    intake_on: date, expected_due: date
) -> None:
    result = status(date_of_birth=NINE_UNTIL, intake_on=intake_on, today=date(2026, 6, 1))
    assert (result.state, result.due_on) == (State.DUE, expected_due)


def test_turning_ten_during_intake_overdue_counts_from_birthday_window() -> None:
    result = status(date_of_birth=NINE_UNTIL, intake_on=EARLY_INTAKE, today=date(2026, 6, 20))
    assert (result.state, result.due_on, result.days_overdue) == (
        State.OVERDUE,
        date(2026, 6, 19),
        1,
    )
    assert result.reason == (
        "First screening (30 days after turning 10 on 2026-05-20) was due by 2026-06-19;"
        " 1 day overdue."
    )


def test_high_risk_under_ten_window_opens_at_intake_not_birthday() -> None:
    result = status(
        date_of_birth=NINE_UNTIL, high_risk=True, intake_on=EARLY_INTAKE, today=date(2026, 6, 1)
    )
    assert (result.state, result.due_on, result.days_overdue) == (
        State.OVERDUE,
        date(2026, 2, 4),
        117,
    )


def test_first_screen_days_follow_policy() -> None:
    result = status(today=date(2026, 3, 20), policy=Policy(first_screen_days=14))
    assert (result.state, result.due_on, result.days_overdue) == (
        State.OVERDUE,
        date(2026, 3, 16),
        4,
    )


# --- rescreen ---------------------------------------------------------------------------------

LAST_FINAL = date(2026, 3, 20)


@pytest.mark.parametrize(
    ("today", "state", "days_overdue"),
    [
        (date(2026, 8, 20), State.UP_TO_DATE, 0),  # 31 days before due
        (date(2026, 8, 21), State.DUE, 0),  # due-soon window opens 30 days before
        (date(2026, 9, 20), State.DUE, 0),  # exactly 6 months later
        (date(2026, 9, 21), State.OVERDUE, 1),
    ],
)
def test_rescreen_six_calendar_months_after_last_final(
    today: date, state: State, days_overdue: int
) -> None:
    result = status(last_final_on=LAST_FINAL, today=today)
    assert (result.state, result.due_on, result.days_overdue) == (
        state,
        date(2026, 9, 20),
        days_overdue,
    )


def test_rescreen_reasons() -> None:
    up_to_date = status(last_final_on=LAST_FINAL, today=LAST_FINAL)
    assert up_to_date.reason == (
        "Up to date; rescreen (6 months after the last final screening on 2026-03-20)"
        " due by 2026-09-20."
    )
    overdue = status(last_final_on=LAST_FINAL, today=date(2026, 9, 23))
    assert overdue.reason == (
        "Rescreen (6 months after the last final screening on 2026-03-20)"
        " was due by 2026-09-20; 3 days overdue."
    )


@pytest.mark.parametrize(
    ("last_final_on", "expected_due"),
    [
        (date(2026, 8, 31), date(2027, 2, 28)),
        (date(2027, 8, 31), date(2028, 2, 29)),
    ],
)
def test_rescreen_from_aug_31_is_last_day_of_february(
    last_final_on: date, expected_due: date
) -> None:
    result = status(
        intake_on=date(2026, 8, 1),
        last_final_on=last_final_on,
        today=last_final_on,
    )
    assert (result.state, result.due_on) == (State.UP_TO_DATE, expected_due)


@pytest.mark.parametrize(
    ("today", "state", "days_overdue"),
    [
        (date(2026, 3, 20), State.DUE, 0),  # already inside the 30-day due-soon window
        (date(2026, 4, 19), State.DUE, 0),  # day 30
        (date(2026, 4, 20), State.OVERDUE, 1),
    ],
)
def test_possible_concern_rescreen_after_thirty_days(
    today: date, state: State, days_overdue: int
) -> None:
    result = status(last_final_on=LAST_FINAL, sooner_rescreen=POSSIBLE, today=today)
    assert (result.state, result.due_on, result.days_overdue) == (
        state,
        date(2026, 4, 19),
        days_overdue,
    )


def test_possible_concern_reason() -> None:
    result = status(last_final_on=LAST_FINAL, sooner_rescreen=POSSIBLE, today=date(2026, 4, 1))
    assert result.reason == (
        "Rescreen (30 days after the possible concern on 2026-03-20) due by 2026-04-19."
    )


def test_possible_concern_uses_calendar_interval_when_policy_has_no_sooner_rescreen() -> None:
    result = status(
        last_final_on=LAST_FINAL,
        sooner_rescreen=POSSIBLE,
        today=date(2026, 4, 20),
        policy=Policy(sooner_rescreen=False),
    )
    assert (result.state, result.due_on) == (State.UP_TO_DATE, date(2026, 9, 20))


def test_possible_concern_rescreen_is_never_later_than_the_calendar_interval() -> None:
    result = status(
        last_final_on=LAST_FINAL,
        sooner_rescreen=POSSIBLE,
        today=date(2026, 4, 20),
        policy=Policy(sooner_rescreen_days=400),
    )
    assert result.due_on == date(2026, 9, 20)


def test_a_level_that_calls_for_no_sooner_rescreen_uses_the_calendar_interval() -> None:
    # The caller passes None for a level whose definition says `rescreen_days: null` (no concern,
    # clear concern in the bundled files), whatever the policy's days.
    for policy in (Policy(), Policy(sooner_rescreen_days=10)):
        result = status(last_final_on=LAST_FINAL, today=date(2026, 4, 20), policy=policy)
        assert (result.state, result.due_on) == (State.UP_TO_DATE, date(2026, 9, 20))


def test_the_sooner_rescreen_takes_the_days_and_words_of_the_definition() -> None:
    # An official file may name its levels otherwise and give other days: only its data counts.
    moderate = rules.SoonerRescreen(45, "Moderate concern")

    result = status(last_final_on=LAST_FINAL, sooner_rescreen=moderate, today=date(2026, 4, 1))

    assert result.due_on == LAST_FINAL + timedelta(days=45)
    assert result.reason == (
        "Up to date; rescreen (45 days after the moderate concern on 2026-03-20) due by 2026-05-04."
    )


def test_the_agency_days_replace_the_definition_days_and_can_turn_it_off() -> None:
    moderate = rules.SoonerRescreen(45, "Moderate concern")
    assert rules.sooner_rescreen_days(moderate, Policy()) == 45
    assert rules.sooner_rescreen_days(moderate, Policy(sooner_rescreen_days=14)) == 14
    assert rules.sooner_rescreen_days(moderate, Policy(sooner_rescreen=False)) is None
    assert rules.sooner_rescreen_days(None, Policy(sooner_rescreen_days=14)) is None

    result = status(
        last_final_on=LAST_FINAL,
        sooner_rescreen=moderate,
        today=date(2026, 4, 1),
        policy=Policy(sooner_rescreen_days=14),
    )
    assert result.due_on == date(2026, 4, 3)


def test_a_sooner_rescreen_is_at_least_a_day() -> None:
    with pytest.raises(ValueError, match="at least 1 day"):
        rules.SoonerRescreen(0, "Possible concern")


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (date(2026, 7, 20), State.UP_TO_DATE),  # 62 days before due
        (date(2026, 7, 22), State.DUE),  # 60-day window
    ],
)
def test_due_soon_window_follows_policy(today: date, state: State) -> None:
    result = status(
        last_final_on=LAST_FINAL,
        today=today,
        policy=Policy(due_soon_days=60),
    )
    assert result.state is state


def test_rescreen_months_follow_policy() -> None:
    result = status(
        last_final_on=LAST_FINAL,
        today=LAST_FINAL,
        policy=Policy(rescreen_months=12),
    )
    assert result.due_on == date(2027, 3, 20)


# --- reopened intake --------------------------------------------------------------------------

REOPENED = date(2026, 10, 1)


@pytest.mark.parametrize(
    ("last_final_on", "state", "due_on"),
    [
        (date(2026, 5, 1), State.UP_TO_DATE, date(2026, 11, 1)),  # 5 months before: continues
        (date(2026, 4, 1), State.DUE, date(2026, 10, 1)),  # exactly 6 months before: still counts
        (date(2026, 3, 31), State.DUE, date(2026, 10, 31)),  # one day older: new 30-day window
        (date(2026, 3, 1), State.DUE, date(2026, 10, 31)),  # 7 months before: new window
    ],
)
def test_reopened_intake_continues_rescreen_only_within_six_months(
    last_final_on: date, state: State, due_on: date
) -> None:
    result = status(
        intake_on=REOPENED,
        last_final_on=last_final_on,
        today=REOPENED,
    )
    assert (result.state, result.due_on) == (state, due_on)


def test_reopened_intake_after_old_final_goes_overdue_on_day_31() -> None:
    result = status(
        intake_on=REOPENED,
        last_final_on=date(2026, 3, 1),
        today=date(2026, 11, 1),
    )
    assert (result.state, result.days_overdue) == (State.OVERDUE, 1)
    assert result.reason.startswith("First screening (30 days after intake on 2026-10-01)")


def test_reopened_intake_with_recent_final_is_up_to_date() -> None:
    result = status(
        intake_on=REOPENED,
        last_final_on=date(2026, 9, 15),
        today=REOPENED,
    )
    assert (result.state, result.due_on) == (State.UP_TO_DATE, date(2027, 3, 15))


# --- properties -------------------------------------------------------------------------------

dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
policies = st.builds(
    Policy,
    min_age=st.integers(min_value=0, max_value=18),
    include_high_risk_under_min_age=st.booleans(),
    first_screen_days=st.integers(min_value=0, max_value=120),
    rescreen_months=st.integers(min_value=1, max_value=24),
    sooner_rescreen=st.booleans(),
    sooner_rescreen_days=st.none() | st.integers(min_value=1, max_value=180),
    due_soon_days=st.integers(min_value=0, max_value=120),
)


@given(
    date_of_birth=dates,
    high_risk=st.booleans(),
    intake_on=dates,
    exit_after=st.none() | st.integers(min_value=0, max_value=2000),
    final_before_today=st.none() | st.integers(min_value=0, max_value=2000),
    sooner=st.none()
    | st.builds(
        rules.SoonerRescreen,
        days=st.integers(min_value=1, max_value=400),
        level_label=st.sampled_from(["Possible concern", "Moderate concern"]),
    ),
    today=dates,
    policy=policies,
)
def test_due_status_invariants(
    date_of_birth: date,
    high_risk: bool,
    intake_on: date,
    exit_after: int | None,
    final_before_today: int | None,
    sooner: rules.SoonerRescreen | None,
    today: date,
    policy: Policy,
) -> None:
    exit_on = None if exit_after is None else intake_on + timedelta(days=exit_after)
    last_final_on = (
        None if final_before_today is None else today - timedelta(days=final_before_today)
    )
    result = due_status(
        date_of_birth=date_of_birth,
        high_risk=high_risk,
        intake_on=intake_on,
        exit_on=exit_on,
        last_final_on=last_final_on,
        sooner_rescreen=sooner,
        today=today,
        policy=policy,
    )
    assert result.days_overdue >= 0
    assert result.reason.endswith(".")
    if result.state is State.NOT_ELIGIBLE:
        assert result.due_on is None
        return
    assert result.due_on is not None
    if result.reason.startswith("First screening"):
        assert result.due_on >= intake_on
    if result.state is State.OVERDUE:
        assert result.days_overdue == (today - result.due_on).days > 0
    else:
        assert result.days_overdue == 0
        assert today <= result.due_on


@given(day=dates, months=st.integers(min_value=-60, max_value=60))
def test_add_months_lands_in_the_right_month_and_never_later_day(day: date, months: int) -> None:
    moved = add_months(day, months)
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day <= day.day
    assert moved.day == day.day or moved.day >= 28


# --- the basis, read back ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "basis",
    [
        rules.Basis("intake", 30, date(2026, 1, 20)),
        rules.Basis("intake", 1, date(2026, 1, 20)),
        rules.Basis("birthday", 30, date(2026, 5, 17), age=10),
        rules.Basis("level", 30, date(2026, 2, 1), level_label="possible concern"),
        rules.Basis("level", 1, date(2026, 2, 1), level_label="CSE-IT flag on review"),
        rules.Basis("interval", 6, date(2025, 12, 31)),
        rules.Basis("interval", 1, date(2025, 12, 31)),
    ],
)
def test_a_stored_basis_reads_back_into_its_parts(basis: rules.Basis) -> None:
    # The stored sentence is the only copy of the reason: reading it back must give the same parts,
    # whatever a definition's level label holds (here " on " itself).
    assert rules.parse_basis(basis.text) == basis


def test_every_basis_the_rules_write_reads_back() -> None:
    sooner = rules.SoonerRescreen(days=30, level_label="Possible concern")
    written = [
        rules.schedule(
            date_of_birth=date(2010, 5, 17),
            high_risk=False,
            intake_on=date(2026, 1, 5),
            exit_on=None,
            last_final_on=None,
        ).basis,
        rules.schedule(
            date_of_birth=date(2016, 2, 1),
            high_risk=False,
            intake_on=date(2026, 1, 5),
            exit_on=None,
            last_final_on=None,
        ).basis,
        rules.schedule(
            date_of_birth=date(2010, 5, 17),
            high_risk=False,
            intake_on=date(2026, 1, 5),
            exit_on=None,
            last_final_on=date(2026, 1, 10),
            sooner_rescreen=sooner,
        ).basis,
        rules.schedule(
            date_of_birth=date(2010, 5, 17),
            high_risk=False,
            intake_on=date(2026, 1, 5),
            exit_on=None,
            last_final_on=date(2026, 1, 10),
        ).basis,
    ]
    parsed = [rules.parse_basis(text) for text in written]
    assert [p.reason if p else None for p in parsed] == ["intake", "birthday", "level", "interval"]
    assert [p.text if p else None for p in parsed] == written
    assert rules.parse_basis("Screen when you can") is None
