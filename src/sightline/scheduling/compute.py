"""One youth's schedule rows from their intakes, final screenings and the agency's policy history.

Pure (no Django): the refresh service reads the inputs, calls `youth_schedule`, and writes the rows.
Which policy applies: the one in force on the date a clock started — the intake date for a first
screening (or a screening carried over from before the intake), the screening's date for a rescreen.
A running clock keeps its policy, so today's worklist and a report on a past period agree, and a
policy change never rewrites history.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sightline.scheduling import rules


@dataclass(frozen=True)
class PolicyVersion:
    id: int | None  # None: the CSE-IT defaults, for an agency that never set a policy
    effective_from: date
    policy: rules.Policy


DEFAULT_POLICY = PolicyVersion(None, date.min, rules.Policy())


@dataclass(frozen=True)
class Intake:
    id: int
    intake_on: date
    exit_on: date | None
    program: str
    assigned_to_id: int | None


@dataclass(frozen=True)
class FinalScreening:
    """One screening chain that has a final version: its contact date, its current level (a code of
    the definition version its latest final row is pinned to) and the sooner rescreen that level calls
    for in that definition (None: none)."""

    id: int  # the chain's first final row, which stands for the chain
    screened_on: date
    level: str
    instrument_id: str
    instrument_version: str
    sooner_rescreen: rules.SoonerRescreen | None = None


def sooner_rescreens(
    levels: Mapping[tuple[str, str, str], tuple[int, str]],
) -> dict[tuple[str, str, str], rules.SoonerRescreen]:
    """``(instrument id, version, level code)`` -> the `SoonerRescreen` that level calls for, from
    the catalog's ``sooner_rescreen_levels()`` (days and label of each such level)."""
    return {key: rules.SoonerRescreen(days, label) for key, (days, label) in levels.items()}


@dataclass(frozen=True)
class IntakeRow:
    intake: Intake
    schedule: rules.Schedule
    policy_id: int | None
    last_final: FinalScreening | None
    first_due_on: date | None
    first_screened_on: date | None


@dataclass(frozen=True)
class RescreenRow:
    screening: FinalScreening
    due_on: date
    rescreened_on: date | None
    intake: Intake | None  # open on the due date; None when the rescreen is not owed


def policy_on(history: Sequence[PolicyVersion], day: date) -> PolicyVersion:
    """The version in force on `day`: the latest `effective_from` on or before it (history sorted by
    effective_from, later rows winning ties)."""
    index = bisect.bisect_right([version.effective_from for version in history], day)
    return history[index - 1] if index else DEFAULT_POLICY


def _covers(intake: Intake, day: date) -> bool:
    return intake.intake_on <= day and (intake.exit_on is None or day <= intake.exit_on)


def youth_schedule(
    *,
    date_of_birth: date,
    high_risk: bool,
    intakes: Sequence[Intake],
    finals: Sequence[FinalScreening],
    history: Sequence[PolicyVersion],
) -> tuple[list[IntakeRow], list[RescreenRow]]:
    """Every intake's schedule and every final screening's rescreen for one youth at one agency."""
    finals = sorted(finals, key=lambda s: (s.screened_on, s.id))
    dates = [s.screened_on for s in finals]
    intake_rows: list[IntakeRow] = []
    for intake in sorted(intakes, key=lambda i: i.intake_on):
        at_intake = policy_on(history, intake.intake_on)
        # The latest final screening up to the end of the intake (today, while it is open).
        end = bisect.bisect_right(dates, intake.exit_on) if intake.exit_on else len(finals)
        last = finals[end - 1] if end else None
        before = bisect.bisect_left(dates, intake.intake_on)
        prior = finals[before - 1] if before else None
        within = finals[before:end]

        # The schedule as it stood on the intake day tells whether a first screening was owed.
        opening = rules.schedule(
            date_of_birth=date_of_birth,
            high_risk=high_risk,
            intake_on=intake.intake_on,
            exit_on=intake.exit_on,
            last_final_on=prior.screened_on if prior else None,
            sooner_rescreen=prior.sooner_rescreen if prior else None,
            policy=at_intake.policy,
        )
        if within:
            version = policy_on(history, within[-1].screened_on)
            current = rules.schedule(
                date_of_birth=date_of_birth,
                high_risk=high_risk,
                intake_on=intake.intake_on,
                exit_on=intake.exit_on,
                last_final_on=within[-1].screened_on,
                sooner_rescreen=within[-1].sooner_rescreen,
                policy=version.policy,
            )
        else:
            version, current = at_intake, opening
        first_owed = opening.kind is rules.Kind.FIRST
        intake_rows.append(
            IntakeRow(
                intake=intake,
                schedule=current,
                policy_id=version.id,
                last_final=last,
                first_due_on=opening.due_on if first_owed else None,
                first_screened_on=within[0].screened_on if first_owed and within else None,
            )
        )

    rescreen_rows: list[RescreenRow] = []
    for index, screening in enumerate(finals):
        version = policy_on(history, screening.screened_on)
        due_on, _ = rules.rescreen_due(
            last_final_on=screening.screened_on,
            sooner_rescreen=screening.sooner_rescreen,
            policy=version.policy,
        )
        later = bisect.bisect_right(dates, screening.screened_on, lo=index)
        rescreened_on = finals[later].screened_on if later < len(finals) else None
        owed_in = next((i for i in intakes if _covers(i, due_on)), None)
        rescreen_rows.append(RescreenRow(screening, due_on, rescreened_on, owed_in))
    return intake_rows, rescreen_rows
