"""The de-identified export of final screenings for researchers (DEIDENTIFIED_VIEW).

Column-allowlisted: only the fields below leave, so a field added to a model later is never exported
by accident. Removed for HIPAA Safe Harbor: names and aliases, case numbers, every identifier and
database id (replaced by keyed pseudonymous ids), contact details, every free text (notes, reasons,
self-descriptions), the agency's name and county (geography below the state), the screener, and every
real date (shifted per youth; see `deidentify`). Every export writes an EXPORT audit event with its
row count. Aggregates over the export go through `level_counts`, which suppresses cells of 1 to 10.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from sightline.audit.choices import AuditAction
from sightline.audit.context import AuditContext
from sightline.audit.services import audit_record
from sightline.privacy.keys import search_key
from sightline.research import deidentify
from sightline.screenings.models import Screening
from sightline.tenancy.access import agency_ids_visible_to
from sightline.tenancy.permissions import Permission

COLUMNS = [
    "youth",
    "screening",
    "screened_on_shifted",
    "age_at_screening",
    "gender_identity",
    "race_ethnicity",
    "agency_type",
    "state",
    "instrument_id",
    "instrument_version",
    "version_kind",
    "reason",
    "screener_role",
    "known_for",
    "mode",
    "total",
    "level",
    "rated_count",
    "indicator_ratings",
]


def research_key() -> bytes:
    """The export's own key: SIGHTLINE_RESEARCH_KEY, else one derived from the search key."""
    configured = getattr(settings, "SIGHTLINE_RESEARCH_KEY", "")
    base = configured.encode() if configured else search_key()
    return hmac.new(base, b"sightline research export v1", hashlib.sha256).digest()


def _final_screenings(user: Any) -> QuerySet[Screening]:
    return (
        Screening.objects.filter(
            status="final", agency_id__in=agency_ids_visible_to(user, Permission.DEIDENTIFIED_VIEW)
        )
        .select_related("youth", "agency__county")
        .order_by("youth__pseudonym", "screened_on", "id")
    )


def deidentified_row(screening: Screening, key: bytes) -> dict[str, Any]:
    """The export's row of one screening (also the input row of a validation study)."""
    youth = screening.youth
    offset = deidentify.date_offset_days(youth.pseudonym, key=key)
    ratings = screening.indicator_ratings or {}
    return {
        "youth": deidentify.pseudonymous_id(youth.pseudonym, key=key, kind="youth"),
        "screening": deidentify.pseudonymous_id(screening.chain, key=key, kind="screening")
        + f"-{screening.version_kind}",
        "screened_on_shifted": deidentify.shift_date(screening.screened_on, offset),
        "age_at_screening": deidentify.age_band(youth.date_of_birth, screening.screened_on),
        "gender_identity": youth.gender_identity,
        "race_ethnicity": ";".join(sorted(youth.race_ethnicity or [])),
        "agency_type": screening.agency.type,
        "state": screening.agency.county.state,
        "instrument_id": screening.instrument_id,
        "instrument_version": screening.instrument_version,
        "version_kind": screening.version_kind,
        "reason": screening.reason,
        "screener_role": screening.screener_role,
        "known_for": screening.known_for,
        "mode": screening.mode,
        "total": "" if screening.total is None else screening.total,
        "level": screening.level,
        "rated_count": screening.rated_count,
        "indicator_ratings": ";".join(f"{k}={v}" for k, v in sorted(ratings.items())),
    }


def research_export(*, by: Any, context: AuditContext | None = None) -> list[dict[str, Any]]:
    """The de-identified rows the person may export (their DEIDENTIFIED_VIEW agencies), audited."""
    key = research_key()
    rows = [
        deidentified_row(screening, key)
        for screening in _final_screenings(by).iterator(chunk_size=1000)
    ]
    audit_record(
        actor=by,
        action=AuditAction.EXPORT,
        object_type="research_export",
        context=(context or AuditContext.system()).acting(by),
        detail={"rows": len(rows), "columns": COLUMNS},
    )
    return rows


def level_counts(rows: list[dict[str, Any]]) -> dict[str, int | str]:
    """Screenings per concern level, small cells suppressed."""
    return deidentify.suppress_small_cells(Counter(row["level"] for row in rows))


def csv_lines(rows: list[dict[str, Any]]) -> Iterator[list[str]]:
    yield COLUMNS
    for row in rows:
        yield [str(row[column]) for column in COLUMNS]
