"""Reads of an agency's screening policy: the version in force on a day, its history, and the CSE-IT
defaults an agency follows before it saves a version of its own. Reads only: changes are
`services.policy_create`."""

from __future__ import annotations

import datetime as dt

from sightline.scheduling import compute
from sightline.scheduling.models import ScreeningPolicy
from sightline.tenancy.models import Agency, AgencyType

# Hotlines and police have limited contact with a youth: the Brief version is made for them.
BRIEF_AGENCY_TYPES = frozenset({AgencyType.HOTLINE, AgencyType.LAW_ENFORCEMENT})
FULL_INSTRUMENT_ID = "cse-it-2.0"
BRIEF_INSTRUMENT_ID = "cse-it-brief"


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
    return row if row is not None else policy_defaults(agency)


def correction_window_days(agency_id: int, on: dt.date) -> int:
    """Days in which a screening first finalized on `on` may be corrected: the policy in force that
    day (0: no window). Screenings read it through `screenings.versions` (see `apps.ready`)."""
    days = (
        ScreeningPolicy.objects.filter(agency_id=agency_id, effective_from__lte=on)
        .order_by("-effective_from", "-id")
        .values_list("correction_window_days", flat=True)
        .first()
    )
    if days is None:
        return int(ScreeningPolicy._meta.get_field("correction_window_days").get_default())
    return int(days)


def policy_defaults(agency: Agency) -> ScreeningPolicy:
    """An unsaved row with the CSE-IT defaults, what an agency follows before its first version."""
    return ScreeningPolicy(
        agency=agency,
        effective_from=dt.date.min,
        instrument_id=default_instrument_id(agency.type),
    )
