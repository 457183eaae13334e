"""Scheduling actions: change an agency's policy, and keep the stored schedule rows up to date.

`schedule_refresh_youth` runs after every committed change of an input of the schedule (intake opened,
closed or reassigned; date of birth or high-risk flag changed; screening finalized): `handlers`
subscribes to those events, so the youth and screening apps never call scheduling. `schedule_refresh`
rebuilds rows in bulk after an import or a synthetic load, or to repair them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sightline.audit.context import AuditContext, context_for
from sightline.audit.models import AuditAction
from sightline.audit.services import audit_record
from sightline.catalog import selectors as catalog
from sightline.common import cleaning
from sightline.scheduling import compute, errors
from sightline.scheduling.errors import SchedulingError
from sightline.scheduling.models import IntakeSchedule, RescreenDue, ScreeningPolicy
from sightline.scheduling.policies import policy_history, policy_in_force
from sightline.screenings.models import Screening, ScreeningStatus
from sightline.tenancy import access
from sightline.tenancy.models import Agency
from sightline.tenancy.permissions import Permission
from sightline.youth.models import IntakeEpisode, Youth

if TYPE_CHECKING:
    from sightline.tenancy.models import User

# Each setting: (low, high) for whole numbers, None for yes/no.
_NUMBERS: dict[str, tuple[int, int]] = {
    "min_age": (0, 25),
    "first_screen_days": (1, 365),
    "rescreen_months": (1, 36),
    "possible_concern_rescreen_days": (1, 365),
    "due_soon_days": (0, 365),
    "correction_window_days": (0, 90),
    "missing_return_hours": (1, 720),
    "placement_change_hours": (1, 720),
}
_OPTIONAL_NUMBERS = frozenset({"possible_concern_rescreen_days"})
_FLAGS = frozenset({"include_high_risk_under_min_age"})
POLICY_FIELDS = (*_NUMBERS, *_FLAGS, "instrument_id")


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
            cleaned[name] = cleaning.yes_no(value, field=name, error=SchedulingError)
        elif name == "instrument_id":
            if value not in catalog.instrument_ids():
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
    context: AuditContext | None = None,
    **settings: Any,
) -> ScreeningPolicy:
    """A new version of the agency's policy from `effective_from` (today or later, never earlier).

    Settings not given keep the values of the version in force on `effective_from`. Clocks already
    running keep the policy they started under (see `compute`); the rows of clocks starting on or after
    `effective_from` are recomputed here.
    """
    access.require(
        by,
        Permission.POLICY_MANAGE,
        agency_id=agency.pk,
        object_type="agency",
        object_id=agency.pk,
        message=errors.NOT_ALLOWED,
    )
    effective_from = cleaning.date(effective_from, field="effective_from", error=SchedulingError)
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
            context=context_for(by, context),
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
    """Rewrite one youth's schedule rows (the event handlers call it once a change has committed).

    Inside the subscriber's own transaction no savepoint is needed; called alone it is one transaction.
    """
    with transaction.atomic(savepoint=False):
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


def _finals_by_youth(
    youth_ids: list[int],
) -> tuple[dict[int, list[compute.FinalScreening]], dict[int, int]]:
    """Each youth's final screening chains (the chain's first final row, its current level and the
    sooner rescreen that level calls for in the definition version it is pinned to), and the agency of
    each chain's row, from one query."""
    sooner = compute.sooner_rescreens(catalog.sooner_rescreen_levels())
    chains: dict[Any, tuple[int, int, dt.date, str, str, str]] = {}
    agency_of: dict[int, int] = {}
    rows = (
        Screening.objects.filter(youth_id__in=youth_ids, status=ScreeningStatus.FINAL)
        .order_by("id")
        .values_list(
            "id",
            "youth_id",
            "chain",
            "screened_on",
            "level",
            "instrument_id",
            "instrument_version",
            "agency_id",
        )
    )
    for pk, youth_id, chain, screened_on, level, instrument_id, version, agency_id in rows:
        first = chains.get(chain)
        # Ordered by id: the first row found stands for the chain, the last one gives its level.
        pk, screened_on = (first[0], first[2]) if first else (pk, screened_on)
        chains[chain] = (pk, youth_id, screened_on, level, instrument_id, version)
        agency_of[pk] = agency_id
    finals: dict[int, list[compute.FinalScreening]] = defaultdict(list)
    for pk, youth_id, screened_on, level, instrument_id, version in chains.values():
        finals[youth_id].append(
            compute.FinalScreening(
                pk,
                screened_on,
                level,
                instrument_id,
                version,
                sooner.get((instrument_id, version, level)),
            )
        )
    return finals, agency_of


def _refresh(youth_ids: Iterable[int]) -> None:
    """Rewrite the rows of `youth_ids` (call inside a transaction).

    Locks the youth rows first, in pk order (so refreshes of overlapping sets cannot deadlock), and
    only then reads their inputs: two transactions refreshing one youth take turns, and the second
    reads what the first committed. Without the lock both read, the second's DELETE waits for the
    first's, finds its rows gone, and its INSERT collides with the first's new rows (issue 16).
    `no_key`: the lock does not hold up inserts that only reference the youth (a new screening).
    """
    youth_ids = list(youth_ids)
    if not youth_ids:
        return
    youth = {
        pk: (dob, high_risk)
        for pk, dob, high_risk in Youth.objects.select_for_update(no_key=True)
        .filter(pk__in=youth_ids)
        .order_by("pk")
        .values_list("pk", "date_of_birth", "high_risk")
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
    finals, screening_agency = _finals_by_youth(youth_ids)
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
    `schedule_refresh` and the bulk rebuild (which takes the same rows as values, `youth_row_values`)
    so both write the same rows.
    """
    schedules, rescreens = youth_row_values(
        youth_id, date_of_birth, high_risk, intakes=intakes, finals=finals, history=history
    )
    return [IntakeSchedule(**v) for v in schedules], [RescreenDue(**v) for v in rescreens]


def youth_row_values(
    youth_id: int,
    date_of_birth: dt.date,
    high_risk: bool,
    *,
    intakes: Mapping[int, list[compute.Intake]],
    finals: Mapping[int, list[compute.FinalScreening]],
    history: Callable[[int], list[compute.PolicyVersion]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`youth_rows` as field values (attname -> value, `computed_at` left to the writer): what the
    bulk writers stream to COPY without building a model instance per row."""
    schedule_rows: list[dict[str, Any]] = []
    rescreen_rows: list[dict[str, Any]] = []
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
) -> dict[str, Any]:
    schedule = row.schedule
    return dict(
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
        last_final_instrument_id=row.last_final.instrument_id if row.last_final else "",
        last_final_instrument_version=row.last_final.instrument_version if row.last_final else "",
        first_due_on=row.first_due_on,
        first_screened_on=row.first_screened_on,
        policy_id=row.policy_id,
    )


def _rescreen_row(row: compute.RescreenRow, agency_id: int, youth_id: int) -> dict[str, Any]:
    return dict(
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
