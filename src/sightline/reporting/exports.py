"""CSV, XLSX and PDF exports of a dashboard, prepared as a background task with progress.

Every export renders the same `figures.Dashboard` the page shows, so the numbers are identical; a
suppressed figure is written as "suppressed", never as a number. Cells are written through
`safe_cell` (no spreadsheet formula can start a label). Asking for an export and downloading it are
audited (EXPORT); only the person who asked may download the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from sightline.audit.context import AuditContext, context_for
from sightline.audit.models import AuditAction
from sightline.audit.services import audit_record
from sightline.common.errors import ServiceError
from sightline.common.spreadsheet import safe_cell
from sightline.reporting import charts, figures
from sightline.reporting.models import ExportStatus, PeriodKind, ReportExport
from sightline.reporting.scope import Period, Scope, resolve
from sightline.tenancy import access
from sightline.tenancy.models import User
from sightline.tenancy.permissions import Permission

FORMATS = {"csv": "CSV", "xlsx": "Excel (XLSX)", "pdf": "PDF report"}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
UNKNOWN_FORMAT = "Choose CSV, XLSX or PDF."
NO_SUCH_EXPORT = "No such export."
SUPPRESSED = "suppressed"
CSV_HEADER = (
    "Report",
    "Period",
    "Table",
    "Group",
    "Row",
    "Column",
    "Count",
    "Share (%)",
    "95% interval low (%)",
    "95% interval high (%)",
    "Median (days)",
)
Progress = Callable[[int, int], None]


class ExportError(ServiceError):
    pass


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


@dataclass(frozen=True)
class Figure:
    """One published figure of a dashboard, flat: what a CSV line and an API item both carry, so
    the page, the CSV and the API cannot disagree. `count` is None when suppressed (and on a median
    line); a share is a proportion (0 to 1) with its 95% interval."""

    table: str
    table_key: str
    group: str
    row: str
    column: str
    count: int | None
    suppressed: bool
    share: float | None = None
    share_low: float | None = None
    share_high: float | None = None
    median_days: float | None = None


HEADLINES = "Headline figures"


def _figure(table: figures.Table | None, row: str, column: str, cell: figures.Cell) -> Figure:
    share = cell.share
    return Figure(  # labels may be lazy translations: a figure carries plain text
        table=str(table.title) if table else HEADLINES,
        table_key=table.key if table else "headlines",
        group=str(table.group) if table else "",
        row=str(row),
        column=str(column),
        count=None if cell.suppressed else cell.count,
        suppressed=cell.suppressed,
        share=share.estimate if share else None,
        share_low=share.low if share else None,
        share_high=share.high if share else None,
    )


def table_figures(table: figures.Table) -> list[Figure]:
    """Every figure of a table, row by row (the total row last), each row's total after its
    columns; a row's median (days, not a count) is a figure of its own."""
    found = []
    for row in [*table.rows, *([table.total] if table.total else [])]:
        for name, cell in [*zip(table.columns, row.cells, strict=True), ("Total", row.total)]:
            found.append(_figure(table, row.label, name, cell))
        if row.median_days is not None and row.median_days.estimate is not None:
            found.append(
                Figure(
                    table=str(table.title),
                    table_key=table.key,
                    group=str(table.group),
                    row=str(row.label),
                    column="Median days",
                    count=None,
                    suppressed=False,
                    median_days=float(row.median_days.estimate),
                )
            )
    return found


def dashboard_figures(board: figures.Dashboard) -> list[Figure]:
    """Every figure of the dashboard, headlines first, in the page's order of tables."""
    found = [_figure(None, h.label, "Count", h.cell) for h in board.headlines]
    for table in board.all_tables():
        found.extend(table_figures(table))
    return found


def dashboard_data(board: figures.Dashboard) -> dict[str, Any]:
    """The dashboard as plain data: the API's answer and `sightline report --format json`."""
    period = board.period
    low, high = board.suppression or (None, None)
    return {
        "scope": {"level": board.scope.level, "key": board.scope.key, "label": board.scope.label},
        "period": {
            "kind": str(period.kind),
            "start": period.start,
            "end": period.end,
            "label": period.label,
        },
        "suppressed_from": low,
        "suppressed_to": high,
        "figures": [asdict(f) for f in dashboard_figures(board)],
    }


def dashboard_csv(board: figures.Dashboard) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    head = (board.scope.label, board.period.label)
    for f in dashboard_figures(board):
        count: object = SUPPRESSED if f.suppressed else ("" if f.count is None else f.count)
        median = "" if f.median_days is None else f"{f.median_days:g}"
        line = (f.table, f.group, f.row, f.column, count)
        shares = (_percent(f.share), _percent(f.share_low), _percent(f.share_high))
        writer.writerow([safe_cell(v) for v in (*head, *line, *shares, median)])
    return buffer.getvalue()


def dashboard_xlsx(board: figures.Dashboard, progress: Progress | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    about = book.active
    about.title = "About"
    about.append(["Report", board.scope.label])
    about.append(["Period", f"{board.period.label} ({board.period.start} to {board.period.end})"])
    if board.suppression:
        low, high = board.suppression
        about.append(
            ["Suppression", f"counts from {low} to {high}, and cells that would reveal them"]
        )
    for headline in board.headlines:
        about.append(
            [headline.label, SUPPRESSED if headline.cell.suppressed else headline.cell.count]
        )
    tables = board.all_tables()
    for done, table in enumerate(tables, start=1):
        sheet = book.create_sheet(table.key[:31])
        sheet.append([table.title])
        sheet.append([table.group or "Row", *table.columns, "Total"])
        for row in [*table.rows, *([table.total] if table.total else [])]:
            sheet.append(
                [
                    safe_cell(row.label),
                    *(SUPPRESSED if c.suppressed else c.count for c in (*row.cells, row.total)),
                ]
            )
        if progress is not None:
            progress(done, len(tables))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def dashboard_pdf(board: figures.Dashboard, progress: Progress | None = None) -> bytes:
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    buffer = io.BytesIO()
    with PdfPages(buffer, metadata={"Title": f"{board.scope.label}, {board.period.label}"}) as pdf:
        cover = Figure(figsize=(8.27, 11.69))
        cover.text(0.08, 0.92, f"{board.scope.label}", fontsize=18, weight="bold")
        cover.text(0.08, 0.88, f"CSE-IT screening report, {board.period.label}", fontsize=12)
        y = 0.82
        for headline in board.headlines:
            value = "suppressed" if headline.cell.suppressed else f"{headline.cell.count:,}"
            cover.text(0.08, y, f"{headline.label}: {value}", fontsize=11)
            y -= 0.03
        if board.suppression:
            low, high = board.suppression
            cover.text(
                0.08,
                y - 0.02,
                f"Counts from {low} to {high}, and cells that would reveal them, are suppressed.",
                fontsize=9,
            )
        pdf.savefig(cover)
        tables = board.all_tables()
        for done, table in enumerate(tables, start=1):
            figure = charts.figure_for(table)
            if figure is not None:
                figure.suptitle(table.title, fontsize=11)
                pdf.savefig(figure, bbox_inches="tight")
            if progress is not None:
                progress(done, len(tables))
    return buffer.getvalue()


# --- the export as a background task ------------------------------------------------------------------


@dataclass(frozen=True)
class ExportView:
    token: str
    label: str
    format: str
    status: str
    status_label: str
    percent: int
    filename: str
    created_at: dt.datetime
    error: str


def _view(row: ReportExport) -> ExportView:
    return ExportView(
        token=str(row.token),
        label=f"{row.level.capitalize()} {row.key}, {row.period} from {row.start:%Y-%m}",
        format=FORMATS.get(row.format, row.format),
        status=row.status,
        status_label=ExportStatus(row.status).label,
        percent=int(100 * row.done_steps / max(row.total_steps, 1)),
        filename=row.filename,
        created_at=row.created_at,
        error=row.error,
    )


def export_request(
    *, by: User, scope: Scope, period: Period, format: str, context: AuditContext | None = None
) -> ExportView:
    """Queue an export of the report the person may see; the task prepares it."""
    from sightline.reporting.tasks import prepare_export_task

    if format not in FORMATS:
        raise ExportError(UNKNOWN_FORMAT, field="format")
    with transaction.atomic():
        row = ReportExport.objects.create(
            token=uuid.uuid4(),
            requested_by=by,
            level=scope.level,
            key=scope.key,
            period=period.kind,
            start=period.start,
            format=format,
        )
        audit_record(
            actor=by,
            action=AuditAction.EXPORT,
            object_type="report",
            object_id=str(row.token),
            agency_id=scope.agency_ids[0] if scope.level == "agency" else None,
            context=context_for(by, context),
            detail={
                "kind": "report",
                "level": scope.level,
                "key": scope.key,
                "period": period.slug,
                "format": format,
            },
        )
        token = str(row.token)
        transaction.on_commit(lambda: prepare_export_task.enqueue(token))
    return _view(row)


def prepare_export(token: str, *, today: dt.date | None = None) -> None:
    """Build the file of a queued export, saving progress as each table is drawn."""
    row = ReportExport.objects.select_related("requested_by").get(token=token)
    row.status = ExportStatus.RUNNING
    row.save(update_fields=["status"])

    def progress(done: int, total: int) -> None:
        ReportExport.objects.filter(pk=row.pk).update(done_steps=done, total_steps=total)

    try:
        # The person's access is checked again now: a membership ended since the request ends it.
        scope = resolve(row.requested_by, row.level, row.key)
        period = Period(PeriodKind(row.period), row.start)
        board = figures.dashboard(
            user=row.requested_by, scope=scope, period=period, today=today or timezone.localdate()
        )
        if row.format == "csv":
            content = dashboard_csv(board).encode("utf-8")
        elif row.format == "xlsx":
            content = dashboard_xlsx(board, progress)
        else:
            content = dashboard_pdf(board, progress)
    except Exception as error:  # a failed export says so on the page; the log has the details
        ReportExport.objects.filter(pk=row.pk).update(
            status=ExportStatus.FAILED, error=type(error).__name__, finished_at=timezone.now()
        )
        raise
    ReportExport.objects.filter(pk=row.pk).update(
        status=ExportStatus.DONE,
        content=content,
        filename=f"sightline-{scope.level}-{scope.key}-{period.slug}.{row.format}",
        done_steps=1,
        total_steps=1,
        finished_at=timezone.now(),
    )


def exports_for_user(user: User, *, limit: int = 20) -> list[ExportView]:
    """The person's own recent exports (nobody sees another's). Holding AGGREGATE_VIEW or
    AGENCY_REPORT_VIEW somewhere is checked by the page."""
    access.agency_ids_visible_to(user, Permission.AGGREGATE_VIEW)  # through the door
    rows = ReportExport.objects.filter(requested_by=user).defer("content")[:limit]
    return [_view(row) for row in rows]


def export_download(
    *, user: User, token: str, context: AuditContext | None = None
) -> tuple[str, str, bytes]:
    """(filename, content type, bytes) of the person's finished export; NotFound otherwise."""
    access.agency_ids_visible_to(user, Permission.AGGREGATE_VIEW)
    try:
        wanted = uuid.UUID(str(token))
    except ValueError:
        wanted = None
    row = (
        ReportExport.objects.filter(
            token=wanted, requested_by=user, status=ExportStatus.DONE
        ).first()
        if wanted
        else None
    )
    if row is None or row.content is None:
        raise access.NotFound(NO_SUCH_EXPORT, object_type="report_export", object_id=token)
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type="report",
        object_id=str(row.token),
        context=context_for(user, context),
        detail={"kind": "report_download", "format": row.format},
    )
    return row.filename, CONTENT_TYPES[row.format], bytes(row.content)
