"""Import criterion records: findings about a youth from another data source, for validation studies.

A criterion record says what a source other than the CSE-IT found about one youth on one day: a
substantiated exploitation allegation in a child-welfare system, the exploitation item of another
instrument (the CAT, the CANS), ... . Issue 20 judges the screen against them; `validation.matching`
matches them to screenings within a window of days.

The same contract as the other kinds (`imports.services.import_file`, ADR 0010): every row checked
first and every problem reported (row, column, value, reason); nothing written on any error or on a
dry run; otherwise one transaction writes the records (COPY on PostgreSQL), their natural keys
(`ExternalKey(agency, source system, "criterion", external_id)`, so a re-import changes nothing) and
one IMPORT audit event. Criterion records do not move any due date, so no schedule is refreshed.

Columns: `external_id` (the record's id in the source system), the youth by `youth_external_id` (the
id a youth import gave them, from `youth_source_system` or else this import's source system) or by
`case_number` (the agency's case number), `finding_kind` (`CriterionKind` codes), `value` (yes/no:
was exploitation found), `recorded_on` (ISO date), and optionally `source` (what the source is called
in studies, at most 64 characters; the source system's name when blank).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from sightline.audit.context import AuditContext, context_for
from sightline.audit.models import AuditAction
from sightline.audit.services import audit_record
from sightline.common.errors import ServiceError
from sightline.imports import files, rows
from sightline.imports.models import ExternalKey, ObjectType
from sightline.imports.rows import Problem, RowProblems
from sightline.imports.services import (
    MISSING_COLUMN,
    RAGGED_ROW,
    UNKNOWN_COLUMN,
    WRITE_BATCH,
    ImportReport,
    Progress,
    insert_rows,
)
from sightline.instruments.csv_ratings import InputError
from sightline.tenancy.models import Agency, User
from sightline.validation.models import CriterionKind, CriterionRecord
from sightline.youth.models import Youth
from sightline.youth.search_index import case_number_digests

REQUIRED_COLUMNS = ("external_id", "finding_kind", "value", "recorded_on")
YOUTH_COLUMNS = ("youth_external_id", "case_number")
OPTIONAL_COLUMNS = ("youth_source_system", "source")
SOURCE_MAX_LENGTH = 64

NO_YOUTH_COLUMN = "Name the youth: a youth_external_id or a case_number column is required."
NO_YOUTH = "Name the youth: give a youth_external_id or a case_number."
UNKNOWN_YOUTH = "No youth with this external id from {source} at this agency."
UNKNOWN_CASE = "No youth with this case number at this agency."
AMBIGUOUS_CASE = "{count} youth have this case number at this agency: use youth_external_id."
UNKNOWN_KIND = "Not a finding kind (allowed: {allowed})."
RECORDED_IN_FUTURE = "The date of the finding cannot be in the future."
RECORDED_BEFORE_BIRTH = "The date of the finding cannot be before the youth's date of birth."
SOURCE_TOO_LONG = f"At most {SOURCE_MAX_LENGTH} characters."


def import_criteria(
    *,
    by: User,
    agency: Agency,
    path: Path,
    source_system: str,
    dry_run: bool = False,
    progress: Progress | None = None,
    context: AuditContext | None = None,
) -> ImportReport:
    """Import the criterion records of `path` (CSV or XLSX) into `agency`, all or nothing.

    Called by `import_file` (kind `criterion`) after its permission (DATA_IMPORT) and source-system
    checks, so every entry point (CLI, upload page, task) goes through the same door."""
    report = ImportReport(kind=ObjectType.CRITERION, dry_run=dry_run)
    checker = _Checker(agency=agency, source=source_system)
    try:
        with files.open_table(path, None) as reader:
            if not checker.check_header(reader.header, report.problems):
                return report
            for batch in reader:
                checker.check_rows(batch.table.to_pylist(), batch.first_row, report)
                if progress is not None:
                    progress("checking", report.rows, 0)
            for row, line, values in files.ragged_rows(path, reader):
                reason = RAGGED_ROW.format(values=values, width=len(reader.header))
                report.problems.append(Problem(row, "", f"file line {line}", reason))
    except InputError as error:
        report.problems.append(Problem(0, "", "", str(error)))
        return report
    report.problems.sort(key=lambda p: (p.row, p.column))
    report.unchanged = checker.unchanged
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        report.created = checker.write(progress)
        report.affected_youth = len({values["youth_id"] for _, values in checker.pending.values()})
        audit_record(
            actor=by,
            action=AuditAction.IMPORT,
            object_type="agency",
            object_id=agency.pk,
            agency_id=agency.pk,
            context=context_for(by, context),
            detail={
                "kind": ObjectType.CRITERION.value,
                "source_system": source_system,
                "rows": report.rows,
                "created": report.created,
                "unchanged": report.unchanged,
                "warnings": len(report.warnings),
                "youth": report.affected_youth,
            },
        )
    report.written = True
    return report


class _Checker:
    """The state of one criterion import between checking and writing."""

    def __init__(self, *, agency: Agency, source: str) -> None:
        self.agency = agency
        self.source = source
        self.pending: dict[str, tuple[int, dict[str, Any]]] = {}
        self.unchanged = 0
        self.today = timezone.localdate()
        self._seen: dict[str, int] = {}
        self._cache: dict[tuple[str, str], tuple[bool, Any]] = {}
        self._by_key: dict[tuple[str, str], tuple[int, dt.date]] = {}
        self._by_case: dict[str, list[tuple[int, dt.date]]] = {}

    def check_header(self, header: list[str], problems: list[Problem]) -> bool:
        before = len(problems)
        problems.extend(
            Problem(0, name, "", MISSING_COLUMN) for name in REQUIRED_COLUMNS if name not in header
        )
        if not any(name in header for name in YOUTH_COLUMNS):
            problems.append(Problem(0, "youth_external_id", "", NO_YOUTH_COLUMN))
        known = {*REQUIRED_COLUMNS, *YOUTH_COLUMNS, *OPTIONAL_COLUMNS}
        problems.extend(
            Problem(0, name, name, UNKNOWN_COLUMN) for name in header if name not in known
        )
        return len(problems) == before

    def check_rows(self, table: list[dict[str, str]], first_row: int, report: ImportReport) -> None:
        report.rows += len(table)
        self._resolve(table)
        keys = [cells["external_id"].strip() for cells in table]
        existing = self._existing(keys)
        for k, cells in enumerate(table):
            row = first_row + k
            problems = RowProblems(row, cells, report.problems, self._cache)
            external_id = keys[k]
            if not rows.first_external_id(problems, external_id, row, self._seen):
                continue
            if external_id in existing:
                self.unchanged += 1
                continue
            values = self._clean(problems, cells)
            if values is not None:
                self.pending[external_id] = (row, values)

    def _clean(self, problems: RowProblems, cells: dict[str, str]) -> dict[str, Any] | None:
        youth = self._youth(problems, cells)
        kind = problems.field("finding_kind", _kind)
        finding = problems.field(
            "value", lambda t: rows.as_yes_no(rows.required(t, field="value"), field="value")
        )
        recorded_on = problems.field("recorded_on", lambda t: rows.as_date(t, field="recorded_on"))
        if recorded_on is not None and recorded_on > self.today:
            problems.add("recorded_on", RECORDED_IN_FUTURE)
        elif recorded_on is not None and youth is not None and recorded_on < youth[1]:
            problems.add("recorded_on", RECORDED_BEFORE_BIRTH)
        source = (cells.get("source") or "").strip() or self.source
        if len(source) > SOURCE_MAX_LENGTH:
            problems.add("source", SOURCE_TOO_LONG)
        if not problems.ok or youth is None:
            return None
        return {
            "youth_id": youth[0],
            "kind": kind,
            "finding": finding,
            "recorded_on": recorded_on,
            "source": source,
        }

    def _youth(self, problems: RowProblems, cells: dict[str, str]) -> tuple[int, dt.date] | None:
        external = (cells.get("youth_external_id") or "").strip()
        case = (cells.get("case_number") or "").strip()
        if external:
            system = self._system(cells)
            found = self._by_key.get((system, external))
            if found is None:
                problems.add("youth_external_id", UNKNOWN_YOUTH.format(source=system))
            return found
        if case:
            matches = self._by_case.get(case, [])
            if len(matches) != 1:
                problems.add(
                    "case_number",
                    AMBIGUOUS_CASE.format(count=len(matches)) if matches else UNKNOWN_CASE,
                )
                return None
            return matches[0]
        problems.add(
            "youth_external_id" if "youth_external_id" in cells else "case_number", NO_YOUTH
        )
        return None

    def _system(self, cells: dict[str, str]) -> str:
        return (cells.get("youth_source_system") or "").strip() or self.source

    def _resolve(self, table: list[dict[str, str]]) -> None:
        """Look up this batch's youth once: by (source system, external id) and by case number,
        only among the agency's own youth (another agency's ids and case numbers are not seen)."""
        wanted: dict[str, set[str]] = defaultdict(set)
        cases: set[str] = set()
        for cells in table:
            external = (cells.get("youth_external_id") or "").strip()
            case = (cells.get("case_number") or "").strip()
            if external:
                key = (self._system(cells), external)
                if key not in self._by_key:
                    wanted[key[0]].add(external)
            elif case and case not in self._by_case:
                cases.add(case)
        for system, externals in wanted.items():
            object_ids = dict(
                ExternalKey.objects.filter(
                    agency_id=self.agency.pk,
                    source_system=system,
                    object_type=ObjectType.YOUTH,
                    external_id__in=sorted(externals),
                ).values_list("object_id", "external_id")
            )
            for pk, born in Youth.objects.filter(
                pk__in=list(object_ids), agency_id=self.agency.pk
            ).values_list("pk", "date_of_birth"):
                self._by_key[(system, object_ids[pk])] = (pk, born)
        if cases:
            # Case numbers are encrypted: found through their blind-index digests (ADR 0011).
            by_digest: dict[str, list[str]] = defaultdict(list)
            for case in cases:
                self._by_case[case] = []
                for digest in case_number_digests(case):
                    by_digest[digest].append(case)
            for pk, born, digest in Youth.objects.filter(
                agency_id=self.agency.pk, case_number_digest__in=sorted(by_digest)
            ).values_list("pk", "date_of_birth", "case_number_digest"):
                for case in by_digest[digest]:
                    if (pk, born) not in self._by_case[case]:
                        self._by_case[case].append((pk, born))

    def _existing(self, external_ids: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(external_ids), WRITE_BATCH):
            found.update(
                ExternalKey.objects.filter(
                    agency_id=self.agency.pk,
                    source_system=self.source,
                    object_type=ObjectType.CRITERION,
                    external_id__in=external_ids[start : start + WRITE_BATCH],
                ).values_list("external_id", flat=True)
            )
        return found

    def write(self, progress: Progress | None) -> int:
        items = list(self.pending.items())
        for start in range(0, len(items), WRITE_BATCH):
            chunk = items[start : start + WRITE_BATCH]
            records = [
                CriterionRecord(agency_id=self.agency.pk, **values) for _, (_, values) in chunk
            ]
            insert_rows(CriterionRecord, records)
            insert_rows(
                ExternalKey,
                [
                    ExternalKey(
                        agency_id=self.agency.pk,
                        source_system=self.source,
                        object_type=ObjectType.CRITERION,
                        external_id=external_id,
                        object_id=record.pk,
                    )
                    for (external_id, _), record in zip(chunk, records, strict=True)
                ],
            )
            if progress is not None:
                progress("writing", start + len(chunk), len(items))
        return len(items)


def _kind(text: str) -> str:
    code = text.strip()
    if code not in CriterionKind.values:
        allowed = ", ".join(CriterionKind.values)
        raise ServiceError(UNKNOWN_KIND.format(allowed=allowed), field="finding_kind")
    return code
