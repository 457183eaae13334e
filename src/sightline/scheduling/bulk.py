"""Rebuild every stored schedule row fast, after a bulk load (synthetic population, import).

Same inputs, same rules and same rows as `services.schedule_refresh`: each youth's schedule comes from
`compute.youth_schedule`, and the rows are built by the service's own `youth_rows`. What differs is the
plumbing, for millions of youth: inputs are read in ranges of youth ids with one query per table, and the
rows are written with `COPY ... FROM STDIN` on PostgreSQL (`executemany` on SQLite) instead of the ORM's
`bulk_create`, all in one transaction after deleting the old rows of those youth. Use it when no one else
writes schedule inputs (a load, a repair); while the product runs, `schedule_refresh_youth` keeps the rows
current.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from sightline.catalog import selectors as catalog
from sightline.scheduling import compute, rules
from sightline.scheduling.models import IntakeSchedule, RescreenDue
from sightline.scheduling.policies import policy_history
from sightline.scheduling.services import youth_row_values
from sightline.screenings.models import Screening, ScreeningStatus
from sightline.youth.models import IntakeEpisode, Youth

Progress = Callable[[int], None]


def schedule_rebuild(
    *,
    agency_ids: Sequence[int] | None = None,
    batch_size: int = 20_000,
    progress: Progress | None = None,
) -> int:
    """Recompute the schedule rows of every youth (of `agency_ids`, if given); returns the youth count.

    One transaction: the rows are either all rebuilt or left as they were. `progress` is called with
    the number of youth done in each batch, like `services.schedule_refresh`.
    """
    agencies = list(agency_ids) if agency_ids is not None else None
    histories: dict[int, list[compute.PolicyVersion]] = {}

    def history(agency_id: int) -> list[compute.PolicyVersion]:
        if agency_id not in histories:
            histories[agency_id] = policy_history(agency_id)
        return histories[agency_id]

    # What each installed definition level calls for, read once for the whole rebuild.
    sooner = compute.sooner_rescreens(catalog.sooner_rescreen_levels())
    done = 0
    with transaction.atomic():
        if agencies is None:
            IntakeSchedule.objects.all().delete()
            RescreenDue.objects.all().delete()
        else:
            youth_of_agencies = Youth.objects.filter(agency_id__in=agencies).values("pk")
            IntakeSchedule.objects.filter(youth_id__in=youth_of_agencies).delete()
            RescreenDue.objects.filter(youth_id__in=youth_of_agencies).delete()
        last = 0
        while True:
            youth = _youth_batch(after=last, size=batch_size, agencies=agencies)
            if not youth:
                return done
            schedules, rescreens = _rows(youth, history, sooner)
            _write(IntakeSchedule, schedules)
            _write(RescreenDue, rescreens)
            done += len(youth)
            last = max(youth)
            if progress is not None:
                progress(len(youth))
    return done  # pragma: no cover -- the loop returns


def _youth_batch(
    *, after: int, size: int, agencies: list[int] | None
) -> dict[int, tuple[dt.date, bool]]:
    rows = Youth.objects.filter(pk__gt=after).order_by("pk")
    if agencies is not None:
        rows = rows.filter(agency_id__in=agencies)
    return {
        pk: (dob, high_risk)
        for pk, dob, high_risk in rows.values_list("pk", "date_of_birth", "high_risk")[:size]
    }


def _rows(
    youth: dict[int, tuple[dt.date, bool]],
    history: Callable[[int], list[compute.PolicyVersion]],
    sooner: Mapping[tuple[str, str, str], rules.SoonerRescreen],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The same grouping as `services._refresh`: per youth and agency, intakes and final chains; the
    rows as field values (`youth_row_values`), not model instances."""
    low, high = min(youth), max(youth)
    intakes: dict[int, dict[int, list[compute.Intake]]] = defaultdict(lambda: defaultdict(list))
    for pk, youth_id, agency_id, intake_on, exit_on, program, assigned_to_id in (
        IntakeEpisode.objects.filter(youth_id__gte=low, youth_id__lte=high)
        .order_by()
        .values_list(
            "pk", "youth_id", "agency_id", "intake_on", "exit_on", "program", "assigned_to_id"
        )
    ):
        if youth_id in youth:
            intakes[youth_id][agency_id].append(
                compute.Intake(pk, intake_on, exit_on, program, assigned_to_id)
            )
    # Each chain of final rows: its first final row stands for it, its last one gives the level (a
    # code of the definition version that row is pinned to, which says whether a sooner rescreen
    # is due).
    chains: dict[uuid.UUID, tuple[int, int, int, dt.date, str, str, str]] = {}
    for pk, youth_id, agency_id, chain, screened_on, level, instrument_id, version in (
        Screening.objects.filter(
            youth_id__gte=low, youth_id__lte=high, status=ScreeningStatus.FINAL
        )
        .order_by("id")
        .values_list(
            "id",
            "youth_id",
            "agency_id",
            "chain",
            "screened_on",
            "level",
            "instrument_id",
            "instrument_version",
        )
    ):
        if youth_id not in youth:
            continue
        first = chains.get(chain)
        if first:
            pk, agency_id, screened_on = first[0], first[2], first[3]
        chains[chain] = (pk, youth_id, agency_id, screened_on, level, instrument_id, version)
    finals: dict[int, dict[int, list[compute.FinalScreening]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for pk, youth_id, agency_id, screened_on, level, instrument_id, version in chains.values():
        finals[youth_id][agency_id].append(
            compute.FinalScreening(
                pk,
                screened_on,
                level,
                instrument_id,
                version,
                sooner.get((instrument_id, version, level)),
            )
        )

    schedule_rows: list[dict[str, Any]] = []
    rescreen_rows: list[dict[str, Any]] = []
    for youth_id, (dob, high_risk) in youth.items():
        rows, rescreens = youth_row_values(
            youth_id,
            dob,
            high_risk,
            intakes=intakes.get(youth_id, {}),
            finals=finals.get(youth_id, {}),
            history=history,
        )
        schedule_rows.extend(rows)
        rescreen_rows.extend(rescreens)
    return schedule_rows, rescreen_rows


def _write(model: type[Model], values: Iterable[Mapping[str, Any]]) -> None:
    """Rows given as field values (every concrete field but `computed_at`, which is now)."""
    now = timezone.now()
    fields = model._meta.concrete_fields
    columns = [field.column for field in fields]
    names = [field.attname for field in fields]
    rows: list[tuple[Any, ...]] = [
        tuple(now if name == "computed_at" else row[name] for name in names) for row in values
    ]
    if not rows:
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.connection.cursor()
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            adapt = connection.ops.adapt_datetimefield_value
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # nosec B608  # table and columns come from the models' _meta; rows are parameters
                [
                    tuple(
                        adapt(v)
                        if isinstance(v, dt.datetime)
                        else v.isoformat()
                        if isinstance(v, dt.date)
                        else v
                        for v in row
                    )
                    for row in rows
                ],
            )
