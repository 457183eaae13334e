"""Reads of the audit log for the audit page and its CSV export.

The caller passes the scope it got from the access layer (`agency_ids`: a lazy subquery of the agencies
whose events the person may examine, or None for a system admin's whole log), so the audit app needs
no tenancy import and the rule of who sees what stays in `tenancy.access`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from sightline.audit.models import AuditEvent


@dataclass(frozen=True)
class EventFilter:
    """What the audit page was asked for; every field optional."""

    since: dt.date | None = None
    until: dt.date | None = None  # inclusive
    actor: str = ""  # a username, exactly
    action: str = ""
    object_type: str = ""
    youth_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def used(self) -> dict[str, str]:
        """The filters given, as text (for the page's links and the audit event of an export)."""
        values = {
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
            "actor": self.actor,
            "action": self.action,
            "object_type": self.object_type,
            "youth_id": "" if self.youth_id is None else str(self.youth_id),
        }
        return {name: value for name, value in values.items() if value}


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_events(
    *, agency_ids: QuerySet[Any, int] | None, filters: EventFilter
) -> QuerySet[AuditEvent]:
    """Events in scope matching `filters`, newest first, with actor and agency in the same query.

    `agency_ids=None` is the whole log (events of every agency and of none: sign-ins, admin changes).
    """
    events = AuditEvent.objects.select_related("actor", "agency").order_by("-at", "-id")
    if agency_ids is not None:
        events = events.filter(agency_id__in=agency_ids)
    if filters.since:
        events = events.filter(at__gte=_start_of(filters.since))
    if filters.until:
        events = events.filter(at__lt=_start_of(filters.until + dt.timedelta(days=1)))
    if filters.actor:
        events = events.filter(actor__username=filters.actor)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.youth_id is not None:
        events = events.filter(youth_id=filters.youth_id)
    return events


CSV_HEADER = [
    "at_utc",
    "chain_place",
    "actor",
    "agency",
    "action",
    "object_type",
    "object_id",
    "youth_id",
    "channel",
    "ip_address",
    "path",
    "request_id",
]


def csv_rows(events: QuerySet[AuditEvent]) -> Any:
    """The export's rows, read in chunks; a spreadsheet formula in a cell is neutralised."""
    yield CSV_HEADER
    for event in events.iterator(chunk_size=1000):
        yield [
            _cell(value)
            for value in (
                event.at.astimezone(dt.UTC).isoformat(timespec="seconds"),
                "" if event.seq is None else event.seq,
                event.actor.username if event.actor else "",
                event.agency.name if event.agency else "",
                event.action,
                event.object_type,
                event.object_id,
                "" if event.youth_id is None else event.youth_id,
                event.channel,
                event.ip_address or "",
                event.path,
                event.request_id,
            )
        ]


def _cell(value: object) -> str:
    text = str(value)
    # A cell starting like a formula would run in a spreadsheet (CSV injection).
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text
