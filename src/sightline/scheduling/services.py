"""Scheduling actions: change an agency's policy, and keep the stored schedule rows up to date.

`schedule_refresh_youth` is called inside the transaction of every service that changes an input of
the schedule (intake opened, closed or reassigned; date of birth or high-risk flag changed; screening
finalized), so a worklist read after the commit is never stale. `schedule_refresh` rebuilds rows in
bulk after an import or a synthetic load, or to repair them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sightline import instruments
from sightline.audit.models import AuditAction
from sightline.audit.services import audit_record
from sightline.scheduling import compute, errors
from sightline.scheduling.errors import SchedulingError
from sightline.scheduling.models import IntakeSchedule, RescreenDue, ScreeningPolicy
from sightline.screenings.models import Screening, ScreeningStatus
from sightline.tenancy.models import Agency, AgencyType
from sightline.tenancy.permissions import Permission, has_permission
from sightline.youth.models import IntakeEpisode, Youth

if TYPE_CHECKING:
    from django.http import HttpRequest

    from sightline.tenancy.models import User

# Hotlines and police have limited contact with a youth: the Brief version is made for them.
BRIEF_AGENCY_TYPES = frozenset({AgencyType.HOTLINE, AgencyType.LAW_ENFORCEMENT})
FULL_INSTRUMENT_ID = "cse-it-2.0"
BRIEF_INSTRUMENT_ID = "cse-it-brief"

# Each setting: (low, high) for whole numbers, None for yes/no.
_NUMBERS: dict[str, tuple[int, int]] = {
    "min_age": (0, 25),
    "first_screen_days": (1, 365),
    "rescreen_months": (1, 36),
    "possible_concern_rescreen_days": (1, 365),
    "due_soon_days": (0, 365),
}
_OPTIONAL_NUMBERS = frozenset({"possible_concern_rescreen_days"})
_FLAGS = frozenset({"include_high_risk_under_min_age"})
POLICY_FIELDS = (*_NUMBERS, *_FLAGS, "instrument_id")


def default_instrument_id(agency_type: str) -> str:
    return BRIEF_INSTRUMENT_ID if agency_type in BRIEF_AGENCY_TYPES else FULL_INSTRUMENT_ID


def policy_history(agency_id: int) -> list[compute.PolicyVersion]:
    """The agency's policy versions, oldest first (a later row wins on the same effective date)."""
    rows = ScreeningPolicy.objects.filter(agency_id=agency_id).order_by("effective_from", "id")
    return [compute.PolicyVersion(row.pk, row.effective_from, row.as_rules()) for row in rows]


def policy_in_force(agency: Agency, *, on: dt.date) -> ScreeningPolicy:
    """The policy in force on `on`; an unsaved row with the CSE-IT defaults when none was set."""
    row = (
        ScreeningPolicy.objects.filter(agency_id=agency.pk, effective_from__lte=on)
        .order_by("-effective_from", "-id")
        .first()
    )
    if row is not None:
        return row
    return ScreeningPolicy(
        agency=agency,
        effective_from=dt.date.min,
        instrument_id=default_instrument_id(agency.type),
    )


def _whole_number(value: object, *, field: str, optional: bool) -> int | None:
    if optional and value in (None, ""):
        return None
    if isinstance(value, bool):
        raise SchedulingError(errors.NOT_A_WHOLE_NUMBER, field=field)
    try:
        number = int(str(value).strip())
    except ValueError:
        raise SchedulingError(errors.NOT_A_WHOLE_NUMBER, field=field) from None
    low, high = _NUMBERS[field]
    if not low <= number <= high:
        raise SchedulingError(errors.OUT_OF_RANGE.format(low=low, high=high), field=field)
    return number


def _clean_policy(values: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name in _NUMBERS:
            cleaned[name] = _whole_number(value, field=name, optional=name in _OPTIONAL_NUMBERS)
        elif name in _FLAGS:
            if not isinstance(value, bool):
                raise SchedulingError(errors.NOT_YES_NO, field=name)
            cleaned[name] = value
        elif name == "instrument_id":
            if value not in {definition.id for definition in instruments.available()}:
                raise SchedulingError(errors.UNKNOWN_INSTRUMENT, field=name)
            cleaned[name] = value
        else:
            raise SchedulingError(errors.UNKNOWN_FIELD, field=name)
    return cleaned


def policy_create(
    *,
    agency: Agency,
    by: User,
    effective_from: dt.date,
    reason: str = "",
    request: HttpRequest | None = None,
    **settings: Any,
) -> ScreeningPolicy:
    """A new version of the agency's policy from `effective_from` (today or later, never earlier).

    Settings not given keep the values of the version in force on `effective_from`. Clocks already
    running keep the policy they started under (see `compute`); the rows of clocks starting on or after
    `effective_from` are recomputed here.
    """
    if not has_permission(by, Permission.POLICY_MANAGE, agency=agency):
        raise PermissionDenied(errors.NOT_ALLOWED)
    if not isinstance(effective_from, dt.date) or isinstance(effective_from, dt.datetime):
        raise SchedulingError(errors.NOT_A_DATE, field="effective_from")
    if effective_from < timezone.localdate():
        raise SchedulingError(errors.POLICY_RETROACTIVE, field="effective_from")
    reason = str(reason or "").strip()
    if len(reason) > 2000:
        raise SchedulingError(errors.REASON_TOO_LONG, field="reason")
    cleaned = _clean_policy(settings)
    with transaction.atomic():
        Agency.objects.select_for_update().get(pk=agency.pk)  # one policy change at a time
        base = policy_in_force(agency, on=effective_from)
        values = {name: getattr(base, name) for name in POLICY_FIELDS}
        values.update(cleaned)
        policy = ScreeningPolicy.objects.create(
            agency=agency,
            effective_from=effective_from,
            reason=reason,
            created_by=by,
            **values,
        )
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=policy,
            agency_id=agency.pk,
            request=request,
            detail={"fields": sorted(cleaned), "effective_from": effective_from.isoformat()},
        )
        started = IntakeEpisode.objects.filter(agency_id=agency.pk).filter(
            Q(intake_on__gte=effective_from)
            | Q(
                youth__screenings__status=ScreeningStatus.FINAL,
                youth__screenings__screened_on__gte=effective_from,
            )
        )
        _refresh(started.values_list("youth_id", flat=True).distinct())
    return policy


# --- the stored schedule -----------------------------------------------------------------------------


def schedule_refresh_youth(youth_id: int) -> None:
    """Rewrite one youth's schedule rows (call inside the transaction that changed an input)."""
    _refresh([youth_id])


def schedule_refresh(
    *,
    agency_ids: Sequence[int] | None = None,
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Rebuild the rows of every youth (of `agency_ids`, if given); returns the number of youth.

    Works in batches of youth, each in its own transaction, so memory stays flat on millions of rows;
    `progress` is called with the number of youth done in each batch.
    """
    youth = Youth.objects.order_by("pk")
    if agency_ids is not None:
        youth = youth.filter(agency_id__in=list(agency_ids))
    done = 0
    last = 0
    while True:
        ids = list(youth.filter(pk__gt=last).values_list("pk", flat=True)[:batch_size])
        if not ids:
            return done
        with transaction.atomic():
            _refresh(ids)
        done += len(ids)
        last = ids[-1]
        if progress is not None:
            progress(len(ids))


def _finals_by_youth(youth_ids: list[int]) -> dict[int, list[compute.FinalScreening]]:
    """Each youth's final screening chains: the chain's first final row and its current level."""
    chains: dict[Any, tuple[int, int, dt.date, str]] = {}
    rows = (
        Screening.objects.filter(youth_id__in=youth_ids, status=ScreeningStatus.FINAL)
        .order_by("id")
        .values_list("id", "youth_id", "chain", "screened_on", "level")
    )
    for pk, youth_id, chain, screened_on, level in rows:
        first = chains.get(chain)
        # Ordered by id: the first row found stands for the chain, the last one gives its level.
        chains[chain] = (
            (first[0], youth_id, first[2], level) if first else (pk, youth_id, screened_on, level)
        )
    finals: dict[int, list[compute.FinalScreening]] = defaultdict(list)
    for pk, youth_id, screened_on, level in chains.values():
        finals[youth_id].append(compute.FinalScreening(pk, screened_on, level))
    return finals


def _refresh(youth_ids: Iterable[int]) -> None:
    youth_ids = list(youth_ids)
    if not youth_ids:
        return
    youth = {
        pk: (dob, high_risk)
        for pk, dob, high_risk in Youth.objects.filter(pk__in=youth_ids).values_list(
            "pk", "date_of_birth", "high_risk"
        )
    }
    intakes: dict[int, list[tuple[int, compute.Intake]]] = defaultdict(list)
    for (
        pk,
        youth_id,
        agency_id,
        intake_on,
        exit_on,
        program,
        assigned_to_id,
    ) in IntakeEpisode.objects.filter(youth_id__in=youth_ids).values_list(
        "pk", "youth_id", "agency_id", "intake_on", "exit_on", "program", "assigned_to_id"
    ):
        intakes[youth_id].append(
            (agency_id, compute.Intake(pk, intake_on, exit_on, program, assigned_to_id))
        )
    finals = _finals_by_youth(youth_ids)
    screening_agency = dict(
        Screening.objects.filter(youth_id__in=youth_ids, status=ScreeningStatus.FINAL).values_list(
            "id", "agency_id"
        )
    )
    histories: dict[int, list[compute.PolicyVersion]] = {}

    def history(agency_id: int) -> list[compute.PolicyVersion]:
        if agency_id not in histories:
            histories[agency_id] = policy_history(agency_id)
        return histories[agency_id]

    schedule_rows: list[IntakeSchedule] = []
    rescreen_rows: list[RescreenDue] = []
    for youth_id, (dob, high_risk) in youth.items():
        by_agency: dict[int, list[compute.Intake]] = defaultdict(list)
        for agency_id, intake in intakes.get(youth_id, []):
            by_agency[agency_id].append(intake)
        agency_of_finals: dict[int, list[compute.FinalScreening]] = defaultdict(list)
        for final in finals.get(youth_id, []):
            agency_of_finals[screening_agency[final.id]].append(final)
        rows, rescreens = youth_rows(
            youth_id, dob, high_risk, intakes=by_agency, finals=agency_of_finals, history=history
        )
        schedule_rows.extend(rows)
        rescreen_rows.extend(rescreens)
    IntakeSchedule.objects.filter(youth_id__in=youth_ids).delete()
    RescreenDue.objects.filter(youth_id__in=youth_ids).delete()
    IntakeSchedule.objects.bulk_create(schedule_rows, batch_size=1000)
    RescreenDue.objects.bulk_create(rescreen_rows, batch_size=1000)


def youth_rows(
    youth_id: int,
    date_of_birth: dt.date,
    high_risk: bool,
    *,
    intakes: Mapping[int, list[compute.Intake]],
    finals: Mapping[int, list[compute.FinalScreening]],
    history: Callable[[int], list[compute.PolicyVersion]],
) -> tuple[list[IntakeSchedule], list[RescreenDue]]:
    """One youth's unsaved schedule and rescreen rows, from its intakes and final screenings by agency.

    Each agency keeps its own clock (its intakes, its screenings, its policy history); shared by
    `schedule_refresh` and the bulk rebuild so both write the same rows.
    """
    schedule_rows: list[IntakeSchedule] = []
    rescreen_rows: list[RescreenDue] = []
    for agency_id in sorted(set(intakes) | set(finals)):
        rows, rescreens = compute.youth_schedule(
            date_of_birth=date_of_birth,
            high_risk=high_risk,
            intakes=intakes.get(agency_id, []),
            finals=finals.get(agency_id, []),
            history=history(agency_id),
        )
        schedule_rows.extend(_schedule_row(row, agency_id, youth_id, date_of_birth) for row in rows)
        rescreen_rows.extend(_rescreen_row(row, agency_id, youth_id) for row in rescreens)
    return schedule_rows, rescreen_rows


def _schedule_row(
    row: compute.IntakeRow, agency_id: int, youth_id: int, dob: dt.date
) -> IntakeSchedule:
    schedule = row.schedule
    return IntakeSchedule(
        intake_id=row.intake.id,
        agency_id=agency_id,
        youth_id=youth_id,
        assigned_to_id=row.intake.assigned_to_id,
        program=row.intake.program,
        date_of_birth=dob,
        intake_on=row.intake.intake_on,
        exit_on=row.intake.exit_on,
        eligible_on=schedule.eligible_on,
        kind=schedule.kind.value,
        due_on=schedule.due_on,
        due_from=schedule.due_from,
        basis=schedule.basis[:200],
        last_final_on=row.last_final.screened_on if row.last_final else None,
        last_final_level=row.last_final.level if row.last_final else "",
        first_due_on=row.first_due_on,
        first_screened_on=row.first_screened_on,
        policy_id=row.policy_id,
    )


def _rescreen_row(row: compute.RescreenRow, agency_id: int, youth_id: int) -> RescreenDue:
    return RescreenDue(
        screening_id=row.screening.id,
        agency_id=agency_id,
        youth_id=youth_id,
        intake_id=row.intake.id if row.intake else None,
        assigned_to_id=row.intake.assigned_to_id if row.intake else None,
        program=row.intake.program if row.intake else "",
        screened_on=row.screening.screened_on,
        level=row.screening.level,
        due_on=row.due_on,
        rescreened_on=row.rescreened_on,
    )
