"""One youth's schedule rows from intakes, final screenings and the policy history (pure)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from sightline.scheduling import compute, rules
from sightline.scheduling.compute import FinalScreening, Intake, PolicyVersion

BORN = date(2010, 5, 17)  # 10 on 2020-05-17
# What levels call for, as the catalog reads it from definitions (`sooner_rescreen_levels`): the
# bundled files' possible concern (30 days), and an official-style file with other codes.
SOONER = compute.sooner_rescreens(
    {
        ("cse-it-2.0", "2.0-sightline.1", "possible_concern"): (30, "Possible concern"),
        ("official", "3.0", "moderate"): (45, "Moderate concern"),
    }
)


def _final(
    pk: int, on: date, level: str, instrument: tuple[str, str] = ("cse-it-2.0", "2.0-sightline.1")
) -> FinalScreening:
    """A final screening whose level's sooner rescreen is looked up as the services do."""
    return FinalScreening(pk, on, level, *instrument, SOONER.get((*instrument, level)))


def _intake(pk: int, on: date, exit_on: date | None = None) -> Intake:
    return Intake(pk, on, exit_on, program="", assigned_to_id=None)


def _rows(intakes, finals=(), history=()):
    return compute.youth_schedule(
        date_of_birth=BORN,
        high_risk=False,
        intakes=list(intakes),
        finals=list(finals),
        history=list(history),
    )


def test_first_screening_owed_and_done_within_the_intake() -> None:
    rows, rescreens = _rows(
        [_intake(1, date(2026, 1, 5))], [_final(7, date(2026, 1, 20), "no_concern")]
    )
    (row,) = rows
    assert row.first_due_on == date(2026, 2, 4)
    assert row.first_screened_on == date(2026, 1, 20)
    assert row.schedule.kind is rules.Kind.RESCREEN
    assert row.schedule.due_on == date(2026, 7, 20)
    assert row.policy_id is None
    (rescreen,) = rescreens
    assert (rescreen.due_on, rescreen.rescreened_on, rescreen.intake) == (
        date(2026, 7, 20),
        None,
        row.intake,
    )


def test_never_screened_intake_keeps_its_first_due_date() -> None:
    (row,), _ = _rows([_intake(1, date(2026, 1, 5))])
    assert (row.first_due_on, row.first_screened_on) == (date(2026, 2, 4), None)
    assert row.schedule.status_on(date(2026, 2, 5)).days_overdue == 1


def test_recent_screening_carries_over_and_no_first_screening_is_owed() -> None:
    earlier = _final(7, date(2026, 1, 10), "no_concern")
    rows, _ = _rows(
        [_intake(1, date(2025, 12, 1), date(2026, 2, 1)), _intake(2, date(2026, 3, 1))], [earlier]
    )
    second = rows[1]
    assert second.first_due_on is None and second.first_screened_on is None
    assert second.schedule.kind is rules.Kind.RESCREEN
    assert second.schedule.due_on == date(2026, 7, 10)
    # The first intake owed (and got) its first screening.
    assert rows[0].first_screened_on == date(2026, 1, 10)


def test_old_screening_does_not_carry_over() -> None:
    old = _final(7, date(2025, 1, 10), "no_concern")
    rows, _ = _rows(
        [_intake(1, date(2025, 1, 1), date(2025, 3, 1)), _intake(2, date(2026, 3, 1))], [old]
    )
    assert rows[1].first_due_on == date(2026, 3, 31)
    assert rows[1].schedule.kind is rules.Kind.FIRST


def test_closed_intake_uses_the_last_screening_inside_it() -> None:
    rows, _ = _rows(
        [_intake(1, date(2025, 1, 1), date(2025, 6, 1)), _intake(2, date(2026, 3, 1))],
        [
            _final(1, date(2025, 1, 15), "no_concern"),
            _final(2, date(2026, 3, 4), "no_concern"),
        ],
    )
    assert rows[0].last_final is not None and rows[0].last_final.id == 1
    assert rows[1].last_final is not None and rows[1].last_final.id == 2


def test_rescreen_rows_record_the_next_screening_and_whether_it_was_owed() -> None:
    intakes = [_intake(1, date(2025, 1, 1), date(2025, 9, 1))]
    finals = [
        _final(1, date(2025, 1, 10), "no_concern"),  # due 2025-07-10, inside the intake
        _final(2, date(2025, 7, 9), "possible_concern"),  # due 30 days later: 2025-08-08
        _final(3, date(2025, 8, 20), "no_concern"),  # due 2026-02-20: youth had left
    ]
    _, rescreens = _rows(intakes, finals)
    assert [(r.due_on, r.rescreened_on, r.intake is not None) for r in rescreens] == [
        (date(2025, 7, 10), date(2025, 7, 9), True),
        (date(2025, 8, 8), date(2025, 8, 20), True),
        (date(2026, 2, 20), None, False),
    ]


def test_the_sooner_rescreen_follows_the_definition_not_a_level_code() -> None:
    intakes = [_intake(1, date(2025, 1, 1))]
    # An official file whose middle level is "moderate" (45 days) gets its sooner rescreen ...
    moderate = _final(1, date(2025, 3, 1), "moderate", ("official", "3.0"))
    # ... and a level called "possible_concern" in a file that gives it no rescreen_days gets none.
    plain = _final(2, date(2025, 3, 1), "possible_concern", ("official", "3.0"))

    (row,), (rescreen,) = _rows(intakes, [moderate])
    assert row.schedule.due_on == rescreen.due_on == date(2025, 4, 15)
    assert row.schedule.basis == "Rescreen (45 days after the moderate concern on 2025-03-01)"
    assert row.last_final is not None
    assert (row.last_final.instrument_id, row.last_final.instrument_version) == ("official", "3.0")
    (row,), _ = _rows(intakes, [plain])
    assert row.schedule.due_on == date(2025, 9, 1)


def test_same_day_screenings_do_not_count_as_a_rescreen_of_each_other() -> None:
    _, rescreens = _rows(
        [_intake(1, date(2026, 1, 1))],
        [
            _final(1, date(2026, 1, 10), "no_concern"),
            _final(2, date(2026, 1, 10), "no_concern"),
        ],
    )
    assert [r.rescreened_on for r in rescreens] == [None, None]


def test_policy_in_force_when_the_clock_started() -> None:
    strict = PolicyVersion(
        5, date(2026, 3, 1), rules.Policy(first_screen_days=14, rescreen_months=3)
    )
    rows, rescreens = _rows(
        [_intake(1, date(2026, 2, 20))],
        [_final(1, date(2026, 3, 5), "no_concern")],
        [strict],
    )
    # The intake began under the defaults (30 days) ...
    assert rows[0].first_due_on == date(2026, 3, 22)
    # ... and the screening on 2026-03-05 started a clock under the new policy (3 months).
    assert rows[0].schedule.due_on == date(2026, 6, 5)
    assert rows[0].policy_id == 5
    assert rescreens[0].due_on == date(2026, 6, 5)


def test_policy_on_picks_the_latest_version_not_after_the_day() -> None:
    a = PolicyVersion(1, date(2025, 1, 1), rules.Policy(min_age=11))
    b = PolicyVersion(2, date(2026, 1, 1), rules.Policy(min_age=12))
    c = PolicyVersion(3, date(2026, 1, 1), rules.Policy(min_age=13))  # same day, later row wins
    assert compute.policy_on([a, b, c], date(2024, 12, 31)) is compute.DEFAULT_POLICY
    assert compute.policy_on([a, b, c], date(2025, 12, 31)) is a
    assert compute.policy_on([a, b, c], date(2026, 1, 1)) is c


def test_youth_turning_ten_during_the_intake() -> None:
    (row,), _ = compute.youth_schedule(
        date_of_birth=date(2016, 4, 10),
        high_risk=False,
        intakes=[_intake(1, date(2026, 1, 5))],
        finals=[],
        history=[],
    )
    assert row.schedule.eligible_on == date(2026, 4, 10)
    assert row.first_due_on == date(2026, 5, 10)


@given(
    intake_offset=st.integers(0, 400),
    stay=st.one_of(st.none(), st.integers(0, 400)),
    screening_offsets=st.lists(st.integers(-300, 600), max_size=4),
    levels=st.lists(
        st.sampled_from(["no_concern", "possible_concern", "clear_concern"]), min_size=4, max_size=4
    ),
    high_risk=st.booleans(),
    today_offset=st.integers(0, 900),
)
def test_stored_schedule_gives_the_same_status_as_the_rules(
    intake_offset: int,
    stay: int | None,
    screening_offsets: list[int],
    levels: list[str],
    high_risk: bool,
    today_offset: int,
) -> None:
    """The stored dates reproduce `due_status` for any day of the intake."""
    start = date(2024, 1, 1)
    intake_on = start + timedelta(days=intake_offset)
    exit_on = None if stay is None else intake_on + timedelta(days=stay)
    today = start + timedelta(days=today_offset)
    finals = [
        _final(i, intake_on + timedelta(days=offset), levels[i])
        for i, offset in enumerate(screening_offsets)
        if intake_on + timedelta(days=offset) <= today
        and (exit_on is None or intake_on + timedelta(days=offset) <= exit_on)
    ]
    (row,), _ = compute.youth_schedule(
        date_of_birth=date(2015, 6, 30),
        high_risk=high_risk,
        intakes=[_intake(1, intake_on, exit_on)],
        finals=finals,
        history=[],
    )
    latest = max(finals, key=lambda s: (s.screened_on, s.id)) if finals else None
    expected = rules.due_status(
        date_of_birth=date(2015, 6, 30),
        high_risk=high_risk,
        intake_on=intake_on,
        exit_on=exit_on,
        last_final_on=latest.screened_on if latest else None,
        sooner_rescreen=latest.sooner_rescreen if latest else None,
        today=today,
    )
    assert row.schedule.status_on(today) == expected
