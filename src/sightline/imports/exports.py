"""Export of one agency's data, identified, for the agency's own use: CSV, XLSX or Parquet.

Three tables (youth, intakes, final screenings with their ratings, one column per key indicator), each
written a batch at a time so memory stays bounded. CSV and XLSX are a folder-free single download:
CSV and Parquet as a zip of one file per table, XLSX as one workbook with a sheet per table. Text cells
are neutralised against formula injection in CSV and XLSX (issue 18). Each export writes one EXPORT
audit event with its row counts.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from sightline.audit.context import AuditContext, context_for
from sightline.audit.models import AuditAction
from sightline.audit.services import audit_record
from sightline.common.spreadsheet import safe_cell
from sightline.imports.models import ExternalKey
from sightline.screenings.models import Screening, ScreeningStatus
from sightline.tenancy import access
from sightline.tenancy.models import Agency, User
from sightline.tenancy.permissions import Permission
from sightline.youth.models import IntakeEpisode, Youth

FORMATS = ("csv", "xlsx", "parquet")
BATCH = 5_000
NOT_ALLOWED = "You do not have permission to export this agency's data."

YOUTH_COLUMNS = (
    "id",
    "pseudonym",
    "external_ids",
    "first_name",
    "last_name",
    "aliases",
    "date_of_birth",
    "gender_identity",
    "race_ethnicity",
    "preferred_language",
    "case_number",
    "high_risk",
)
INTAKE_COLUMNS = ("id", "youth_id", "program", "intake_on", "exit_on", "assigned_to")
SCREENING_FIXED = (
    "id",
    "youth_id",
    "chain",
    "version_kind",
    "instrument_id",
    "instrument_version",
    "screened_on",
    "finalized_at",
    "screener",
    "screener_role",
    "reason",
    "information_sources",
    "known_for",
    "mode",
    "total",
    "level",
    "rated_count",
)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ";".join(str(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _youth_rows(agency: Agency) -> Iterator[list[str]]:
    keys: dict[int, list[str]] = {}
    for object_id, source, external_id in ExternalKey.objects.filter(
        agency_id=agency.pk, object_type="youth"
    ).values_list("object_id", "source_system", "external_id"):
        keys.setdefault(object_id, []).append(f"{source}:{external_id}")
    for youth in Youth.objects.filter(agency_id=agency.pk).order_by("pk").iterator(BATCH):
        yield [
            _text(youth.pk),
            _text(youth.pseudonym),
            _text(keys.get(youth.pk, [])),
            youth.first_name,
            youth.last_name,
            _text(youth.aliases),
            _text(youth.date_of_birth),
            youth.gender_identity,
            _text(youth.race_ethnicity),
            youth.preferred_language,
            youth.case_number,
            _text(youth.high_risk),
        ]


def _intake_rows(agency: Agency) -> Iterator[list[str]]:
    rows = (
        IntakeEpisode.objects.filter(agency_id=agency.pk)
        .order_by("pk")
        .values_list("pk", "youth_id", "program", "intake_on", "exit_on", "assigned_to__username")
    )
    for row in rows.iterator(BATCH):
        yield [_text(value) for value in row]


def _screening_columns(agency: Agency) -> list[str]:
    indicator_ids: list[str] = []
    for instrument_id in (
        Screening.objects.filter(agency_id=agency.pk, status=ScreeningStatus.FINAL)
        .order_by()
        .values_list("instrument_id", flat=True)
        .distinct()
    ):
        from sightline import instruments

        try:
            definition = instruments.load(instrument_id)
        except Exception:  # an instrument no longer bundled: its ratings still go out by id
            continue
        indicator_ids.extend(i.id for i in definition.indicators if i.id not in indicator_ids)
    return [*SCREENING_FIXED, *indicator_ids]


def _screening_rows(agency: Agency, columns: list[str]) -> Iterator[list[str]]:
    indicator_ids = columns[len(SCREENING_FIXED) :]
    rows = (
        Screening.objects.filter(agency_id=agency.pk, status=ScreeningStatus.FINAL)
        .order_by("pk")
        .values_list(
            "pk",
            "youth_id",
            "chain",
            "version_kind",
            "instrument_id",
            "instrument_version",
            "screened_on",
            "finalized_at",
            "screener__username",
            "screener_role",
            "reason",
            "information_sources",
            "known_for",
            "mode",
            "total",
            "level",
            "rated_count",
            "indicator_ratings",
        )
    )
    for row in rows.iterator(BATCH):
        ratings = row[-1] or {}
        yield [
            *(_text(value) for value in row[:-1]),
            *(_rating(ratings.get(i)) for i in indicator_ids),
        ]


def _rating(code: int | None) -> str:
    from sightline import instruments

    if code is None or code == instruments.MISSING:
        return ""
    return "NEI" if code == instruments.NEI else str(code)


def _tables(agency: Agency) -> list[tuple[str, list[str], Iterator[list[str]]]]:
    screening_columns = _screening_columns(agency)
    return [
        ("youth", list(YOUTH_COLUMNS), _youth_rows(agency)),
        ("intakes", list(INTAKE_COLUMNS), _intake_rows(agency)),
        ("screenings", screening_columns, _screening_rows(agency, screening_columns)),
    ]


def agency_export(
    *,
    by: User,
    agency: Agency,
    file_format: str,
    sink: IO[bytes],
    context: AuditContext | None = None,
) -> dict[str, int]:
    """Write `agency`'s data to `sink` in `file_format`; returns the row count of each table.

    Needs DATA_EXPORT at the agency. CSV and Parquet come as a zip of one file per table.
    """
    access.require(
        by,
        Permission.DATA_EXPORT,
        agency_id=agency.pk,
        object_type="agency",
        object_id=agency.pk,
        message=NOT_ALLOWED,
    )
    if file_format not in FORMATS:
        raise ValueError(f"unknown export format {file_format!r}")
    counts: dict[str, int] = {}
    if file_format == "xlsx":
        counts = _write_xlsx(agency, sink)
    else:
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, columns, rows in _tables(agency):
                with archive.open(f"{name}.{file_format}", "w", force_zip64=True) as member:
                    if file_format == "csv":
                        counts[name] = _write_csv(columns, rows, member)
                    else:
                        counts[name] = _write_parquet(columns, rows, member)
    audit_record(
        actor=by,
        action=AuditAction.EXPORT,
        object_type="agency",
        object_id=agency.pk,
        agency_id=agency.pk,
        context=context_for(by, context),
        detail={"format": file_format, "rows": counts, "identified": True},
    )
    return counts


def _write_csv(columns: list[str], rows: Iterator[list[str]], member: IO[bytes]) -> int:
    text = io.TextIOWrapper(member, encoding="utf-8", newline="")
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
        count += 1
    text.flush()
    text.detach()
    return count


def _write_parquet(columns: list[str], rows: Iterator[list[str]], member: IO[bytes]) -> int:
    schema = pa.schema([(name, pa.string()) for name in columns])
    count = 0
    buffer: list[list[str]] = []
    with pq.ParquetWriter(member, schema) as writer:
        for row in rows:
            buffer.append(row)
            if len(buffer) == BATCH:
                writer.write_batch(_batch(schema, buffer))
                count += len(buffer)
                buffer = []
        if buffer or not count:
            writer.write_batch(_batch(schema, buffer))
            count += len(buffer)
    return count


def _batch(schema: pa.Schema, rows: list[list[str]]) -> pa.RecordBatch:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema.names]
    return pa.RecordBatch.from_arrays(
        [pa.array(list(column), type=pa.string()) for column in columns], schema=schema
    )


def _write_xlsx(agency: Agency, sink: IO[bytes]) -> dict[str, int]:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    counts: dict[str, int] = {}
    for name, columns, rows in _tables(agency):
        sheet = book.create_sheet(title=name)
        sheet.append(columns)
        count = 0
        for row in rows:
            sheet.append([safe_cell(cell) for cell in row])
            count += 1
        counts[name] = count
    book.save(sink)
    return counts
