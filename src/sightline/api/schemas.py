"""Input and output shapes of the API (shape only: every rule is the services')."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Generic, Literal, TypeVar

from ninja import Schema
from pydantic import Field

Item = TypeVar("Item")


class PageOut(Schema, Generic[Item]):
    """One page of a list; pass `next_cursor` back as `cursor` for the next (None: the last page)."""

    items: list[Item]
    next_cursor: str | None


# --- instruments ---------------------------------------------------------------------------------------


class InstrumentOut(Schema):
    instrument_id: str
    version: str
    title: str
    short_title: str
    official: bool
    url: str
    versioned_url: str
    sha256: str
    current: bool


class ScoreIn(Schema):
    instrument_id: str = Field(max_length=64)
    version: str | None = Field(default=None, max_length=64)
    indicator_ratings: dict[str, int | None] = Field(default_factory=dict)
    statement_answers: dict[str, int | None] = Field(default_factory=dict)


class ScoreOut(Schema):
    instrument_id: str
    instrument_version: str
    total: int
    level: str | None
    level_label: str | None
    rated_count: int
    complete: bool
    valid: bool
    decided_by: str
    explanation: list[str]
    follow_up: list[str]
    suggested: dict[str, int | None]


# --- youth and intakes ---------------------------------------------------------------------------------


class YouthIn(Schema):
    agency_id: int
    first_name: str = Field(max_length=200)
    last_name: str = Field(max_length=200)
    date_of_birth: dt.date
    gender_identity: str = Field(max_length=24)
    gender_self_description: str | None = Field(default=None, max_length=200)
    aliases: list[str] = Field(default_factory=list, max_length=20)
    race_ethnicity: list[str] = Field(default_factory=list, max_length=20)
    preferred_language: str = Field(default="", max_length=64)
    case_number: str = Field(default="", max_length=64)
    high_risk: bool = False
    intake_on: dt.date | None = None
    program: str = Field(default="", max_length=100)
    assigned_to_id: int | None = None


class YouthUpdateIn(Schema):
    """A youth's changed details; a field left out keeps its value. `lock_version` is the version read."""

    lock_version: int = Field(ge=0)
    first_name: str | None = Field(default=None, max_length=200)
    last_name: str | None = Field(default=None, max_length=200)
    date_of_birth: dt.date | None = None
    gender_identity: str | None = Field(default=None, max_length=24)
    gender_self_description: str | None = Field(default=None, max_length=200)
    aliases: list[str] | None = Field(default=None, max_length=20)
    race_ethnicity: list[str] | None = Field(default=None, max_length=20)
    preferred_language: str | None = Field(default=None, max_length=64)
    case_number: str | None = Field(default=None, max_length=64)
    high_risk: bool | None = None


class YouthSearchIn(Schema):
    name: str = Field(default="", max_length=200)
    case_number: str = Field(default="", max_length=64)
    date_of_birth: dt.date | None = None


class YouthOut(Schema):
    id: int
    agency_id: int
    pseudonym: uuid.UUID
    first_name: str
    last_name: str
    aliases: list[str]
    date_of_birth: dt.date
    gender_identity: str
    race_ethnicity: list[str]
    preferred_language: str
    case_number: str
    high_risk: bool
    created_at: dt.datetime
    lock_version: int


class IntakeIn(Schema):
    intake_on: dt.date
    program: str = Field(default="", max_length=100)
    assigned_to_id: int | None = None


class IntakeCloseIn(Schema):
    exit_on: dt.date


class IntakeOut(Schema):
    id: int
    youth_id: int
    agency_id: int
    program: str
    intake_on: dt.date
    exit_on: dt.date | None
    assigned_to_id: int | None


# --- screenings ----------------------------------------------------------------------------------------


class ScreeningIn(Schema):
    youth_id: int
    instrument_id: str = Field(max_length=64)
    reason: str = Field(default="", max_length=20)
    reason_other: str = Field(default="", max_length=200)
    information_sources: list[str] = Field(default_factory=list, max_length=20)
    screener_role: str = Field(default="", max_length=32)
    known_for: str = Field(default="", max_length=16)
    screened_on: dt.date | None = None
    mode: str = Field(default="full", max_length=8)


class ScreeningUpdateIn(Schema):
    """A draft's changes; a field left out keeps its value. `lock_version` is the version read."""

    lock_version: int = Field(ge=0)
    indicator_ratings: dict[str, int | None] | None = None
    statement_answers: dict[str, int | None] | None = None
    information_sources: list[str] | None = Field(default=None, max_length=20)
    reason: str | None = Field(default=None, max_length=20)
    reason_other: str | None = Field(default=None, max_length=200)
    screener_role: str | None = Field(default=None, max_length=32)
    known_for: str | None = Field(default=None, max_length=16)
    screened_on: dt.date | None = None
    mode: str | None = Field(default=None, max_length=8)
    notes: str | None = Field(default=None, max_length=20_000)


class LockIn(Schema):
    lock_version: int = Field(ge=0)


class AmendIn(Schema):
    reason: str = Field(max_length=2000)


class ReviewIn(Schema):
    decision: Literal["reviewed", "returned"]
    reason: str = Field(default="", max_length=2000)


class ReviewOut(Schema):
    id: int
    screening_id: int
    decision: str
    reviewed_by_id: int
    reviewed_at: dt.datetime


class ScreeningOut(Schema):
    id: int
    youth_id: int
    agency_id: int
    chain: uuid.UUID
    instrument_id: str
    instrument_version: str
    status: str
    version_kind: str
    amends_id: int | None
    screened_on: dt.date
    reason: str
    information_sources: list[str]
    screener_id: int
    screener_role: str
    known_for: str
    mode: str
    indicator_ratings: dict[str, int]
    statement_answers: dict[str, int]
    total: int | None
    level: str
    rated_count: int
    lock_version: int
    finalized_at: dt.datetime | None
    finalized_by_id: int | None


# --- follow-ups ----------------------------------------------------------------------------------------


class FollowUpIn(Schema):
    kind: str = Field(max_length=32)
    owner_id: int
    due_on: dt.date
    description: str | None = Field(default=None, max_length=5000)


class FollowUpCompleteIn(Schema):
    completed_on: dt.date
    outcome: str = Field(max_length=5000)


class FollowUpOut(Schema):
    id: int
    screening_id: int
    agency_id: int
    kind: str
    owner_id: int
    due_on: dt.date
    completed_on: dt.date | None


# --- schedule ------------------------------------------------------------------------------------------


class ScheduleOut(Schema):
    intake_id: int
    youth_id: int
    agency_id: int
    assigned_to_id: int | None
    program: str
    state: str
    kind: str
    eligible_on: dt.date
    due_from: dt.date
    due_on: dt.date
    last_final_on: dt.date | None
    last_final_level: str


class RequestedOut(Schema):
    id: int
    youth_id: int
    agency_id: int
    reason: str
    occurred_at: dt.datetime
    due_at: dt.datetime
    source: str


# --- events from case systems --------------------------------------------------------------------------


class EventIn(Schema):
    """One event from a case system; `event_id` is the sender's own id (a retry sends it again)."""

    source: str = Field(min_length=1, max_length=64)
    event_id: str = Field(min_length=1, max_length=128)
    kind: Literal["intake_opened", "placement_changed", "returned_from_missing", "intake_closed"]
    youth_id: int
    occurred_at: dt.datetime
    program: str = Field(default="", max_length=100)
    assigned_to_id: int | None = None


class EventOut(Schema):
    source: str
    event_id: str
    kind: str
    duplicate: bool
    outcome: dict[str, Any]


# --- reports -------------------------------------------------------------------------------------------


class ReportScopeOut(Schema):
    level: Literal["agency", "county", "state"]
    key: str
    label: str


class ReportPeriodOut(Schema):
    kind: Literal["year", "quarter", "month"]
    start: dt.date
    end: dt.date
    label: str


class FigureOut(Schema):
    """One figure: `count` is null when `suppressed` (and on a median line); `share` and its 95%
    Wilson interval are proportions from 0 to 1."""

    table: str
    table_key: str
    group: str
    row: str
    column: str
    count: int | None
    suppressed: bool
    share: float | None
    share_low: float | None
    share_high: float | None
    median_days: float | None


class ReportOut(Schema):
    """A dashboard as its figures, in the page's order; `suppressed_from`..`suppressed_to` is the
    range of counts hidden (null on an agency's own report, which is not suppressed)."""

    scope: ReportScopeOut
    period: ReportPeriodOut
    suppressed_from: int | None
    suppressed_to: int | None
    figures: list[FigureOut]
