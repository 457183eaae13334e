"""`import_file`: validate a whole file, report every problem, then write all of it or nothing.

The order is the contract (issue 17): read and check every row first (the services' cleaners, the
natural keys, the cross-row rules); if any error was found, or on a dry run, return the report and
write nothing. Otherwise write everything in one transaction with `bulk_create` (ADR 0010), one IMPORT
audit event, and the schedule refreshed for the affected youth only. A process killed at any point
leaves the database as it was: PostgreSQL rolls back the open transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from sightline.audit.context import AuditContext, context_for
from sightline.audit.models import AuditAction
from sightline.audit.services import audit_record
from sightline.common.errors import ServiceError
from sightline.imports import files, rows
from sightline.imports.columns import ScreeningChecks
from sightline.imports.models import ExternalKey, ObjectType
from sightline.imports.rows import (  # the row messages, re-exported for the tests and callers
    BAD_RATING_CELL as BAD_RATING_CELL,
)
from sightline.imports.rows import (
    DUPLICATE_IN_FILE as DUPLICATE_IN_FILE,
)
from sightline.imports.rows import (
    EXTERNAL_ID_MAX_LENGTH as EXTERNAL_ID_MAX_LENGTH,
)
from sightline.imports.rows import (
    NOT_RATED as NOT_RATED,
)
from sightline.imports.rows import (
    SCORE_DISAGREES as SCORE_DISAGREES,
)
from sightline.imports.rows import (
    UNKNOWN_YOUTH as UNKNOWN_YOUTH,
)
from sightline.imports.rows import Problem, RowProblems
from sightline.instruments.csv_ratings import InputError
from sightline.privacy.blind_index import identifier_digest
from sightline.privacy.keys import search_key, search_key_id
from sightline.screenings.definitions import definition_for_new
from sightline.screenings.models import Screening, ScreeningStatus
from sightline.tenancy import access
from sightline.tenancy.models import Agency, Membership, TrainingRecord, User
from sightline.tenancy.permissions import Permission, has_permission
from sightline.youth import errors as youth_errors
from sightline.youth.models import IntakeEpisode, Youth, YouthNameToken
from sightline.youth.search_index import token_rows

Progress = Callable[[str, int, int], None]
WRITE_BATCH = 2_000
SCHEDULE_BATCH = 20_000  # youth per schedule rebuild: one query per table each
SCHEDULE_BATCH_SCREENINGS = 50_000  # and about this many imported screenings (memory)
KEY_LOOKUP_BATCH = 5_000
SOURCE_SYSTEM_MAX_LENGTH = 64

NOT_ALLOWED = "You do not have permission to import data at this agency."
UNKNOWN_COLUMN = "Unknown column: the importer does not know what to do with it."
MISSING_COLUMN = "Required column missing from the header."
UNKNOWN_USER = "No user with this username or e-mail at this agency."
RAGGED_ROW = "The row has {values} values but the header has {width} columns."


def insert_rows(model: type[Model], objects: list[Any]) -> None:
    """Insert `objects` and set their primary keys: `COPY` on PostgreSQL (ADR 0010), `bulk_create`
    elsewhere. The ids come from the table's own sequence (`nextval`), so concurrent writers are
    safe, and every value goes through its field's `pre_save` and `get_db_prep_save` (encryption,
    JSON, auto_now_add) exactly as the ORM's insert would."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objects)
        return
    meta = model._meta
    table = meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, meta.pk.column, len(objects)],  # type: ignore[union-attr]
        )
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk
        fields = list(meta.concrete_fields)
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        convert = [_copy_value(field) for field in fields]
        raw = cursor.connection.cursor()
        with raw.copy(f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row(
                    [
                        to_db(getattr(obj, field.attname))
                        for field, to_db in zip(fields, convert, strict=True)
                    ]
                )
    for obj in objects:
        obj._state.adding = False
        obj._state.db = "default"


def _copy_value(field: Any) -> Callable[[Any], Any]:
    """How one field's Python value goes into COPY: what the ORM's `get_db_prep_save` does, without
    its per-value overhead where psycopg adapts the value itself (ints, text, dates, UUIDs)."""
    from django.db.models import DateTimeField, JSONField
    from psycopg.types.json import Jsonb

    from sightline.privacy.fields import EncryptedTextField

    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        now = timezone.now()
        return lambda value: now
    if isinstance(field, EncryptedTextField) or type(field).__module__.startswith(
        "sightline.privacy"
    ):
        return lambda value: field.get_db_prep_save(value, connection)
    if isinstance(field, JSONField):
        return lambda value: None if value is None else Jsonb(value)
    if isinstance(field, DateTimeField):
        return lambda value: field.get_db_prep_save(value, connection)
    return lambda value: value


def in_list(queryset: QuerySet[Any], column: str, values: Sequence[Any]) -> QuerySet[Any]:
    """`queryset` filtered to rows whose `column` is one of `values`: one array parameter
    (`= ANY(%s)`) on PostgreSQL, where Django's `__in` would bind (and parse) one parameter per
    value, tens of thousands per batch of an import; `__in` elsewhere."""
    if connection.vendor != "postgresql":
        return queryset.filter(**{f"{column}__in": list(values)})
    model = queryset.model
    target = model._meta.get_field(column)
    qualified = f"{connection.ops.quote_name(model._meta.db_table)}."
    qualified += connection.ops.quote_name(target.column)  # type: ignore[union-attr]
    return queryset.extra(where=[f"{qualified} = ANY(%s)"], params=[list(values)])  # nosec B610  # the column is the model's own, quoted; the values are one array parameter


class ImportError_(ServiceError):
    """An import that cannot start (no permission, a bad source system name)."""


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False
    affected_youth: int = 0
    # Seconds spent checking, writing the rows, refreshing schedules, committing (benchmarks).
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]


def write_problems(problems: Iterable[Problem], sink: IO[str]) -> None:
    """The problems as CSV (row, column, value, reason, severity), cells safe to open in Excel."""
    from sightline.common.spreadsheet import safe_cell

    writer = csv.writer(sink, lineterminator="\n")
    writer.writerow(["row", "column", "value", "reason", "severity"])
    for problem in problems:
        writer.writerow([safe_cell(str(cell)) for cell in problem.as_list()])


def import_file(
    *,
    by: User,
    agency: Agency,
    kind: str,
    path: Path,
    source_system: str,
    dry_run: bool = False,
    instrument_id: str = "cse-it-2.0",
    progress: Progress | None = None,
    context: AuditContext | None = None,
) -> ImportReport:
    """Import `path` (CSV or XLSX) of `kind` (youth, intake, screening) into `agency`.

    Needs DATA_IMPORT at the agency. `source_system` names the agency's system the file comes from;
    with each row's `external_id` it is the natural key that makes a re-import change nothing.
    """
    access.require(
        by,
        Permission.DATA_IMPORT,
        agency_id=agency.pk,
        object_type="agency",
        object_id=agency.pk,
        message=NOT_ALLOWED,
    )
    source = source_system.strip()
    if not source or len(source) > SOURCE_SYSTEM_MAX_LENGTH:
        raise ImportError_("Name the source system (at most 64 characters).", field="source")
    if kind not in ObjectType.values:
        raise ImportError_("Choose youth, intake or screening.", field="kind")
    if kind == ObjectType.CRITERION:  # its own module: imports/criteria.py
        from sightline.imports.criteria import import_criteria

        return import_criteria(
            by=by,
            agency=agency,
            path=path,
            source_system=source,
            dry_run=dry_run,
            progress=progress,
            context=context,
        )
    definition = definition_for_new(instrument_id) if kind == ObjectType.SCREENING else None
    report = ImportReport(kind=kind, dry_run=dry_run)
    importer = _Importer(by=by, agency=agency, kind=kind, source=source, definition=definition)
    started = time.perf_counter()
    try:
        with files.open_table(path, definition) as reader:
            if not importer.check_header(reader.header, report.problems):
                return report
            for batch in reader:
                importer.check_batch(batch, report)
                if progress is not None:
                    progress("checking", report.rows, 0)
            for row, line, values in files.ragged_rows(path, reader):
                reason = RAGGED_ROW.format(values=values, width=len(reader.header))
                report.problems.append(Problem(row, "", f"file line {line}", reason))
    except InputError as error:
        report.problems.append(Problem(0, "", "", str(error)))
        return report
    importer.check_across_rows(report)
    report.timings["check"] = time.perf_counter() - started
    report.problems.sort(key=lambda p: (p.row, p.column))
    report.unchanged = importer.unchanged
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        started = time.perf_counter()
        report.created = importer.write(progress)
        wrote = time.perf_counter()
        report.affected_youth = importer.refresh_schedules()
        importer.mark_rollups()
        report.timings.update(write=wrote - started, schedules=time.perf_counter() - wrote)
        audit_record(
            actor=by,
            action=AuditAction.IMPORT,
            object_type="agency",
            object_id=agency.pk,
            agency_id=agency.pk,
            context=context_for(by, context),
            detail={
                "kind": kind,
                "source_system": source,
                "rows": report.rows,
                "created": report.created,
                "unchanged": report.unchanged,
                "warnings": len(report.warnings),
                "youth_refreshed": report.affected_youth,
            },
        )
    report.timings["commit"] = (
        time.perf_counter()
        - started
        - sum(report.timings.get(k, 0.0) for k in ("write", "schedules"))
    )
    report.written = True
    return report


class _Importer:
    """The state of one import between checking and writing."""

    def __init__(
        self, *, by: User, agency: Agency, kind: str, source: str, definition: Any
    ) -> None:
        self.by = by
        self.agency = agency
        self.kind = kind
        self.source = source
        self.definition = definition
        self.pending: dict[str, tuple[int, dict[str, Any]]] = {}  # external id -> (row, values)
        self.unchanged = 0
        self._seen: dict[str, int] = {}
        self._cache: dict[tuple[str, str], tuple[bool, Any]] = {}
        self._youth: dict[str, tuple[int, dt.date]] = {}  # youth external id -> (pk, born)
        self._users: dict[str, User | None] = {}
        self._training: dict[int, list[tuple[dt.date, dt.date | None, dt.date | None]]] | None = (
            None
        )
        # Historical screenings are checked and written a column at a time (`columns.py`).
        self.screenings = ScreeningChecks(self) if kind == ObjectType.SCREENING else None

    # --- checking --------------------------------------------------------------------------------

    def check_header(self, header: list[str], problems: list[Problem]) -> bool:
        required, optional = {
            ObjectType.YOUTH: (rows.YOUTH_REQUIRED, rows.YOUTH_OPTIONAL),
            ObjectType.INTAKE: (rows.INTAKE_REQUIRED, rows.INTAKE_OPTIONAL),
            ObjectType.SCREENING: (rows.SCREENING_REQUIRED, rows.SCREENING_OPTIONAL),
        }[ObjectType(self.kind)]
        known = {*required, *optional}
        if self.definition is not None:
            indicator_ids = [i.id for i in self.definition.indicators]
            required = (*required, *indicator_ids)
            known.update(indicator_ids)
        before = len(problems)
        problems.extend(
            Problem(0, name, "", MISSING_COLUMN) for name in required if name not in header
        )
        problems.extend(
            Problem(0, name, name, UNKNOWN_COLUMN) for name in header if name not in known
        )
        return len(problems) == before

    def check_batch(self, batch: Any, report: ImportReport) -> None:
        if self.screenings is not None:
            self.screenings.check_batch(batch, report)
            return
        table = batch.table.to_pylist()
        report.rows += len(table)
        self._resolve_youth({cells.get("youth_external_id", "").strip() for cells in table})
        keys = [cells["external_id"].strip() for cells in table]
        existing = self._existing_keys(self.kind, keys)
        for k, cells in enumerate(table):
            row = batch.first_row + k
            problems = RowProblems(row, cells, report.problems, self._cache)
            external_id = keys[k]
            if not rows.first_external_id(problems, external_id, row, self._seen):
                continue
            if external_id in existing:
                self.unchanged += 1
                continue
            values: dict[str, Any] | None
            if self.kind == ObjectType.YOUTH:
                values = rows.clean_youth(problems)
            else:
                youth = self._youth.get(cells["youth_external_id"].strip())
                if youth is None:
                    problems.add("youth_external_id", UNKNOWN_YOUTH.format(source=self.source))
                    continue
                values = rows.clean_intake(problems, born=youth[1], assignee=self._assignee)
                if values is not None:
                    values["youth_id"] = youth[0]
            if values is not None:
                self.pending[external_id] = (row, values)

    def check_across_rows(self, report: ImportReport) -> None:
        """Intakes: one open episode per youth and none overlapping, counting those already stored."""
        if self.kind != ObjectType.INTAKE:
            return
        by_youth: dict[int, list[tuple[dt.date, dt.date | None, int | None]]] = defaultdict(list)
        for row, values in self.pending.values():
            by_youth[values["youth_id"]].append((values["intake_on"], values["exit_on"], row))
        for youth_id, intake_on, exit_on in IntakeEpisode.objects.filter(
            youth_id__in=list(by_youth)
        ).values_list("youth_id", "intake_on", "exit_on"):
            by_youth[youth_id].append((intake_on, exit_on, None))
        for episodes in by_youth.values():
            episodes.sort(key=lambda e: (e[0], e[2] is not None))
            for previous, current in itertools.pairwise(episodes):
                if current[2] is None:
                    continue
                if previous[1] is None:
                    reason = youth_errors.INTAKE_ALREADY_OPEN
                elif previous[1] > current[0]:
                    reason = youth_errors.INTAKE_OVERLAPS
                else:
                    continue
                report.problems.append(
                    Problem(current[2], "intake_on", current[0].isoformat(), reason)
                )

    # --- lookups ---------------------------------------------------------------------------------

    def _existing_keys(self, object_type: str, external_ids: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(external_ids), KEY_LOOKUP_BATCH):
            found.update(
                in_list(
                    ExternalKey.objects.filter(
                        agency_id=self.agency.pk,
                        source_system=self.source,
                        object_type=object_type,
                    ),
                    "external_id",
                    external_ids[start : start + KEY_LOOKUP_BATCH],
                ).values_list("external_id", flat=True)
            )
        return found

    def _resolve_youth(self, external_ids: set[str]) -> None:
        wanted = [e for e in external_ids if e and e not in self._youth]
        if self.kind == ObjectType.YOUTH or not wanted:
            return
        keys = dict(
            in_list(
                ExternalKey.objects.filter(
                    agency_id=self.agency.pk,
                    source_system=self.source,
                    object_type=ObjectType.YOUTH,
                ),
                "external_id",
                wanted,
            ).values_list("object_id", "external_id")
        )
        for pk, born in in_list(
            Youth.objects.filter(agency_id=self.agency.pk), "id", list(keys)
        ).values_list("pk", "date_of_birth"):
            self._youth[keys[pk]] = (pk, born)

    def _member(self, name: str) -> User:
        """A user with a membership (current or past) at the agency, by username or e-mail."""
        if name not in self._users:
            self._users[name] = (
                User.objects.filter(Q(username=name) | Q(email__iexact=name))
                .filter(
                    pk__in=Membership.objects.filter(agency_id=self.agency.pk).values("user_id")
                )
                .first()
                if name
                else None
            )
        user = self._users[name]
        if user is None:
            raise ServiceError(UNKNOWN_USER)
        return user

    def _assignee(self, name: str) -> User:
        user = self._member(name)
        if not has_permission(user, Permission.SCREENING_EDIT, agency=self.agency.pk):
            raise ServiceError(youth_errors.ASSIGNEE_NOT_SCREENER)
        return user

    def _trained(self, user_id: int, on: dt.date) -> bool:
        """`tenancy.selectors.current_training`'s rule (trained on or before `on`, not expired or
        withdrawn before it), over the screeners' records read once instead of one query per row; a
        test checks the two agree on every boundary."""
        if self._training is None:
            self._training = defaultdict(list)
            for uid, trained_on, expires_on, withdrawn_on in TrainingRecord.objects.filter(
                instrument_id=self.definition.id
            ).values_list("user_id", "trained_on", "expires_on", "withdrawn_on"):
                self._training[uid].append((trained_on, expires_on, withdrawn_on))
        return any(
            trained_on <= on
            and (expires_on is None or expires_on >= on)
            and (withdrawn_on is None or withdrawn_on > on)
            for trained_on, expires_on, withdrawn_on in self._training.get(user_id, ())
        )

    # --- writing ---------------------------------------------------------------------------------

    def write(self, progress: Progress | None) -> int:
        if self.screenings is not None:
            return self.screenings.write(progress)
        items = list(self.pending.items())
        done = 0
        for start in range(0, len(items), WRITE_BATCH):
            chunk = items[start : start + WRITE_BATCH]
            objects = [self._build(values) for _, (_, values) in chunk]
            insert_rows(type(objects[0]), objects)
            if self.kind == ObjectType.YOUTH:
                # The whole index, prefixes included, as the services write it (search_index).
                key = search_key()
                insert_rows(
                    YouthNameToken, [row for youth in objects for row in token_rows(youth, key=key)]
                )
            keys = [
                ExternalKey(
                    agency_id=self.agency.pk,
                    source_system=self.source,
                    object_type=self.kind,
                    external_id=external_id,
                    object_id=obj.pk,
                )
                for (external_id, _), obj in zip(chunk, objects, strict=True)
            ]
            insert_rows(ExternalKey, keys)
            done += len(objects)
            if progress is not None:
                progress("writing", done, len(items))
        return done

    def _build(self, values: dict[str, Any]) -> Any:
        agency_id = self.agency.pk
        if self.kind == ObjectType.YOUTH:
            youth = Youth(
                agency_id=agency_id, created_by=self.by, search_key_id=search_key_id(), **values
            )
            # COPY (PostgreSQL) writes attributes as they are, without the digest field's pre_save.
            youth.case_number_digest = identifier_digest(youth.case_number, key=search_key())
            return youth
        return IntakeEpisode(agency_id=agency_id, created_by=self.by, **values)

    def refresh_schedules(self) -> int:
        """Rewrite the stored schedule of the youth this import touched, and only theirs."""
        if self.kind == ObjectType.YOUTH:
            youth_ids = sorted(
                ExternalKey.objects.filter(
                    agency_id=self.agency.pk,
                    source_system=self.source,
                    object_type=ObjectType.YOUTH,
                    external_id__in=list(self.pending),
                ).values_list("object_id", flat=True)
            )
        elif self.screenings is not None:
            batches = self.screenings.youth_batches(SCHEDULE_BATCH, SCHEDULE_BATCH_SCREENINGS)
            for batch in batches:
                _refresh_schedules(batch)
            return sum(len(batch) for batch in batches)
        else:
            youth_ids = sorted({values["youth_id"] for _, values in self.pending.values()})
        for start in range(0, len(youth_ids), SCHEDULE_BATCH):
            _refresh_schedules(youth_ids[start : start + SCHEDULE_BATCH])
        return len(youth_ids)

    def mark_rollups(self) -> None:
        """The report rollups of the months this import adds screenings to (or whose youth's
        intakes it changes) marked stale, in the import's transaction: the next read redoes them."""
        from sightline.reporting import rollups

        if self.screenings is not None:
            rollups.mark_stale(self.screenings.months())
        elif self.kind == ObjectType.INTAKE:
            youth_ids = sorted({values["youth_id"] for _, values in self.pending.values()})
            for start in range(0, len(youth_ids), KEY_LOOKUP_BATCH):
                rollups.mark_stale(
                    Screening.objects.filter(
                        youth_id__in=youth_ids[start : start + KEY_LOOKUP_BATCH],
                        status=ScreeningStatus.FINAL,
                    )
                    .values_list("agency_id", "screened_on")
                    .distinct()
                )


def _refresh_schedules(youth_ids: list[int]) -> None:
    """The schedule rows of `youth_ids` rebuilt as `scheduling.bulk` does after a load (the refresh
    service's own `youth_rows`, written with COPY), after locking those youth as the refresh service
    does, so a concurrent refresh of one of them waits for this import's commit."""
    from sightline.catalog import selectors as catalog
    from sightline.scheduling import bulk, compute
    from sightline.scheduling.models import IntakeSchedule, RescreenDue
    from sightline.scheduling.policies import policy_history

    youth = {
        pk: (born, high_risk)
        for pk, born, high_risk in in_list(
            Youth.objects.select_for_update(no_key=True), "id", youth_ids
        )
        .order_by("pk")
        .values_list("pk", "date_of_birth", "high_risk")
    }
    if not youth:
        return
    histories: dict[int, Any] = {}

    def history(agency_id: int) -> Any:
        if agency_id not in histories:
            histories[agency_id] = policy_history(agency_id)
        return histories[agency_id]

    in_list(IntakeSchedule.objects.all(), "youth", list(youth)).delete()
    in_list(RescreenDue.objects.all(), "youth", list(youth)).delete()
    sooner = compute.sooner_rescreens(catalog.sooner_rescreen_levels())
    schedules, rescreens = bulk._rows(youth, history, sooner)
    bulk._write(IntakeSchedule, schedules)
    bulk._write(RescreenDue, rescreens)
