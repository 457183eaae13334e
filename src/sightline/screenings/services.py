"""State changes for screenings and follow-up actions: one keyword-only function each, actor explicit.

Every function checks access through the selectors, validates before writing, re-reads the row with
`select_for_update()` inside one transaction, saves with `update_fields`, and writes its own audit event,
which names what changed but never a rating, a note or a reason. Drafts are shared by everyone with
SCREENING_EDIT at the agency, so every draft write names the `lock_version` it read (optimistic locking).
A finalized row is never changed: an amendment is a new row in the same chain.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from sightline import events, instruments
from sightline.audit.context import AuditContext, context_for
from sightline.audit.models import AuditAction
from sightline.audit.services import audit_record
from sightline.common import cleaning
from sightline.screenings import errors, versions
from sightline.screenings.choices import VersionKind
from sightline.screenings.definitions import Definition, definition_for, definition_for_new
from sightline.screenings.errors import ScreeningConflictError, ScreeningError, ScreeningStateError
from sightline.screenings.followups import REPORT_KINDS
from sightline.screenings.models import (
    FollowUpAction,
    FollowUpKind,
    InformationSource,
    KnownFor,
    Screening,
    ScreeningMode,
    ScreeningReason,
    ScreeningStatus,
)
from sightline.screenings.selectors import (
    current_version,
    followup_for_user,
    screening_for_user,
)
from sightline.tenancy import access
from sightline.tenancy.models import ScreenerRole, User
from sightline.tenancy.permissions import Permission, has_permission
from sightline.tenancy.selectors import current_training
from sightline.youth.models import Youth
from sightline.youth.selectors import youth_for_user

REASON_OTHER_MAX_LENGTH = 200  # the model column
NOTES_MAX_LENGTH = 20_000
AMENDMENT_REASON_MAX_LENGTH = 2_000
FOLLOWUP_TEXT_MAX_LENGTH = 5_000


# --- validation: each cleaner returns the value to store or raises ScreeningError naming the field ------


def _text(value: object, *, field: str, max_length: int, required: str | None = None) -> str:
    return cleaning.text(
        value, field=field, max_length=max_length, required=required, error=ScreeningError
    )


def _optional_text(value: object, *, field: str, max_length: int) -> str | None:
    return cleaning.optional_text(value, field=field, max_length=max_length, error=ScreeningError)


def _choice(value: object, choices: Iterable[str], *, code: str, field: str, blank: bool) -> str:
    """A code from `choices`; with `blank`, "" too (a draft may leave it unanswered until finalizing)."""
    return cleaning.choice(
        value, choices, code=code, field=field, blank=blank, error=ScreeningError
    )


def _date(value: object, *, field: str) -> dt.date:
    return cleaning.date(value, field=field, error=ScreeningError)


def _screened_on(value: object, *, youth: Youth) -> dt.date:
    screened_on = _date(value, field="screened_on")
    if screened_on > timezone.localdate():
        raise ScreeningError(errors.SCREENED_IN_FUTURE, field="screened_on")
    if screened_on < youth.date_of_birth:
        raise ScreeningError(errors.SCREENED_BEFORE_BIRTH, field="screened_on")
    return screened_on


def _information_sources(value: object) -> list[str]:
    return cleaning.code_list(
        value,
        InformationSource.values,
        code=errors.UNKNOWN_INFORMATION_SOURCE,
        field="information_sources",
        error=ScreeningError,
    )


def _rating_values(
    value: object, *, field: str, kind: str, order: list[str], accepted: frozenset[int]
) -> dict[str, int]:
    """`{item id: value}` checked against the definition's scale (the values `instruments.score`
    takes). None or MISSING means "not rated" and is dropped (MISSING is stored as absence). Every
    problem is named at once, so one error says it all."""
    if not isinstance(value, Mapping):
        raise ScreeningError(errors.BAD_RATING, field=field, problems=[f"{field} is not a mapping"])
    # The definition says which values exist (`instruments` is the one truth); MISSING is absence.
    allowed = accepted - {instruments.MISSING}
    known = set(order)
    problems: list[str] = []
    given: dict[str, int] = {}
    for item, rating in value.items():
        if item not in known:
            problems.append(f"unknown {kind} {item!r}")
        elif rating is None or (type(rating) is int and rating == instruments.MISSING):
            continue
        # `type(...) is int` keeps True and 1.0 out: a JSON field would store them as given.
        elif type(rating) is not int or rating not in allowed:
            problems.append(f"{kind} {item!r}: {rating!r} is not one of {sorted(allowed)}")
        else:
            given[item] = rating
    if problems:
        raise ScreeningError(errors.BAD_RATING, field=field, problems=problems)
    return {item: given[item] for item in order if item in given}


def _indicator_ratings(value: object, definition: Definition) -> dict[str, int]:
    return _rating_values(
        value,
        field="indicator_ratings",
        kind="key indicator",
        order=[indicator.id for indicator in definition.indicators],
        accepted=definition.indicator_values,
    )


def _statement_answers(value: object, definition: Definition) -> dict[str, int]:
    return _rating_values(
        value,
        field="statement_answers",
        kind="supporting statement",
        order=[s.id for indicator in definition.indicators for s in indicator.statements],
        accepted=definition.statement_values,
    )


def _expected_lock_version(value: object) -> int:
    if type(value) is not int or value < 0:
        raise ScreeningError(errors.LOCK_VERSION_REQUIRED, field="lock_version")
    return value


def _same(old: Any, new: Any) -> bool:
    # JSON compare keeps True apart from 1, which == would merge.
    return json.dumps(old, sort_keys=True, default=str) == json.dumps(
        new, sort_keys=True, default=str
    )


# --- scoring -------------------------------------------------------------------------------------------


def _score(definition: Definition, screening: Screening) -> Any:
    ratings = {
        indicator.id: screening.indicator_ratings.get(indicator.id, instruments.MISSING)
        for indicator in definition.indicators
    }
    return instruments.score(definition, ratings, screening.statement_answers or None)


def _store_result(screening: Screening, result: Any) -> list[str]:
    screening.total = result.total
    screening.level = result.level or ""
    screening.rated_count = result.rated_count
    return ["total", "level", "rated_count"]


def missing_for_finalize(definition: Definition, screening: Screening) -> list[tuple[str, str]]:
    """What finalizing `screening` still needs, as (field, what to tell the screener): for pages that
    link each missing answer (the service itself refuses with one message naming them all)."""
    return _missing_items(screening, definition)


def _missing_items(screening: Screening, definition: Definition) -> list[tuple[str, str]]:
    """What still has to be answered before finalizing, as (field, what to tell the screener)."""
    missing = [
        ("indicator_ratings", f"key indicator '{indicator.title}'")
        for indicator in definition.indicators
        if indicator.id not in screening.indicator_ratings
    ]
    if not screening.information_sources:
        missing.append(("information_sources", "the information sources you used"))
    if not screening.reason:
        missing.append(("reason", "the reason for screening"))
    elif screening.reason == ScreeningReason.OTHER and not screening.reason_other:
        missing.append(("reason_other", "what the other reason for screening is"))
    if not screening.screener_role:
        missing.append(("screener_role", "your professional role"))
    if not screening.known_for:
        missing.append(("known_for", "how long you have known the youth"))
    return missing


# --- locking and state ---------------------------------------------------------------------------------


def _lock_for_write(*, by: User, screening: Screening, permission: Permission) -> Screening:
    """Lock the row through the one door: one query that is empty for a missing or foreign screening
    (NotFound), then Forbidden unless `by` holds `permission` at its agency.

    Only the screening row is read and locked; its youth is the caller's, already read through the
    door, when the caller has it (a screening write never changes its youth).
    """
    current = screening_for_user(user=by, pk=screening.pk, permission=permission, for_update=True)
    if current.youth_id == screening.youth_id and _YOUTH.is_cached(screening):
        current.youth = screening.youth
    return current


_YOUTH = Screening._meta.get_field("youth")


def _require_draft(screening: Screening) -> None:
    if screening.status == ScreeningStatus.FINAL:
        raise ScreeningStateError(errors.SCREENING_ALREADY_FINAL)
    if screening.status != ScreeningStatus.DRAFT:
        raise ScreeningStateError(errors.SCREENING_NOT_DRAFT)


def _require_lock_version(screening: Screening, expected: int) -> None:
    if screening.lock_version != expected:
        raise ScreeningConflictError(errors.SCREENING_EDIT_CONFLICT, field="lock_version")


def _require_current_final(screening: Screening) -> None:
    if screening.status != ScreeningStatus.FINAL:
        raise ScreeningStateError(errors.SCREENING_NOT_FINAL)
    if current_version(screening).pk != screening.pk:
        raise ScreeningStateError(errors.SCREENING_NOT_CURRENT)


# --- screenings ----------------------------------------------------------------------------------------


def screening_start(
    *,
    youth: Youth,
    by: User,
    instrument_id: str,
    reason: str,
    reason_other: str = "",
    information_sources: Iterable[str] = (),
    screener_role: str,
    known_for: str,
    screened_on: dt.date | None = None,
    mode: str = ScreeningMode.FULL,
    instrument_version: str | None = None,
    context: AuditContext | None = None,
) -> Screening:
    """Start a draft screening of `youth` by `by`, pinned to the current definition of `instrument_id`
    (or to the installed `instrument_version`, when a screening made earlier with it is recorded now:
    the FHIR import of a case system's history; the pages always start on the current version).

    `reason`, `screener_role` and `known_for` may be "" in a draft; finalizing requires them.
    `screened_on` (the date of the contact) defaults to today. An open intake is not required: a hotline
    or a return from running away can call for a screening at any time, and the schedule is
    `scheduling`'s business.
    """
    # The caller read `youth` through the door; when `by` may not see it there, the door says so.
    visible_youth = (
        youth
        if has_permission(by, Permission.YOUTH_VIEW, agency=youth.agency_id)
        else youth_for_user(user=by, pk=youth.pk)
    )
    access.require(
        by,
        Permission.SCREENING_EDIT,
        agency_id=visible_youth.agency_id,
        object_type="youth",
        object_id=visible_youth.pk,
    )
    definition = definition_for_new(instrument_id, instrument_version)
    fields = {
        "reason": _choice(
            reason, ScreeningReason.values, code=errors.UNKNOWN_REASON, field="reason", blank=True
        ),
        # Encrypted: no answer is stored as None, since the ciphertext of "" is not "".
        "reason_other": _optional_text(
            reason_other, field="reason_other", max_length=REASON_OTHER_MAX_LENGTH
        ),
        "information_sources": _information_sources(information_sources),
        "screener_role": _choice(
            screener_role,
            ScreenerRole.values,
            code=errors.UNKNOWN_SCREENER_ROLE,
            field="screener_role",
            blank=True,
        ),
        "known_for": _choice(
            known_for, KnownFor.values, code=errors.UNKNOWN_KNOWN_FOR, field="known_for", blank=True
        ),
        "mode": _choice(
            mode, ScreeningMode.values, code=errors.UNKNOWN_MODE, field="mode", blank=False
        ),
        "screened_on": _screened_on(
            timezone.localdate() if screened_on is None else screened_on, youth=visible_youth
        ),
    }
    with transaction.atomic():
        screening = Screening(
            youth=visible_youth,
            agency_id=visible_youth.agency_id,
            instrument_id=definition.id,
            instrument_version=definition.version,
            instrument_sha256=definition.sha256,
            screener=by,
            **fields,
        )
        _store_result(screening, _score(definition, screening))
        screening.save(force_insert=True)  # a new row: no UPDATE tried first for its allocated id
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=screening,
            context=context_for(by, context),
            detail={"instrument": f"{definition.id}@{definition.version}"},
        )
    return screening


_DRAFT_FIELDS = (
    "indicator_ratings",
    "statement_answers",
    "information_sources",
    "reason",
    "reason_other",
    "screener_role",
    "known_for",
    "screened_on",
    "mode",
    "notes",
)


def screening_save_draft(
    *,
    screening: Screening,
    by: User,
    expected_lock_version: int,
    indicator_ratings: Mapping[str, int | None] | None = None,
    statement_answers: Mapping[str, int | None] | None = None,
    information_sources: Iterable[str] | None = None,
    reason: str | None = None,
    reason_other: str | None = None,
    screener_role: str | None = None,
    known_for: str | None = None,
    screened_on: dt.date | None = None,
    mode: str | None = None,
    notes: str | None = None,
    context: AuditContext | None = None,
) -> Screening:
    """Save changes to a draft; returns the saved row (the argument is not modified).

    An argument left as None keeps the stored value. `indicator_ratings` and `statement_answers` replace
    the stored mapping as a whole (an item left out, or given None or MISSING, is not rated); to change one
    item, pass the stored mapping with that item changed. `notes=""` clears the notes.

    Refuses with ScreeningConflictError, writing nothing, when the row's `lock_version` is no longer
    `expected_lock_version`. Re-scores the preview (total, level, rated count) and bumps `lock_version`;
    when nothing actually changes nothing is written, not even an audit event.
    """
    expected = _expected_lock_version(expected_lock_version)
    given = _given(locals())
    with transaction.atomic():
        current = _lock_for_write(by=by, screening=screening, permission=Permission.SCREENING_EDIT)
        _require_draft(current)
        _require_lock_version(current, expected)
        definition = definition_for(current)
        _save_changes(current, given, definition=definition, by=by, context=context)
    return current


@dataclass(frozen=True)
class FinalizeOutcome:
    """What `screening_save_and_finalize` did: the saved row, and why it is still a draft, if it is."""

    screening: Screening
    refused: ScreeningError | None

    @property
    def finalized(self) -> bool:
        return self.refused is None


def screening_save_and_finalize(
    *,
    screening: Screening,
    by: User,
    expected_lock_version: int,
    context: AuditContext | None = None,
    **changes: Any,
) -> FinalizeOutcome:
    """Save a draft's changes and finalize it, in one transaction under one lock.

    Bad input or a stale `expected_lock_version` raises and writes nothing. When the finalize rules
    refuse (training, a missing answer, no concern level), the changes are kept as a draft and the
    outcome says why; a person never loses what they entered, and no other session can slip in between
    the save and the finalize.
    """
    expected = _expected_lock_version(expected_lock_version)
    unknown = sorted(set(changes) - set(_DRAFT_FIELDS))
    if unknown:
        raise TypeError(f"unexpected draft fields: {unknown}")
    given = {name: value for name, value in changes.items() if value is not None}
    with transaction.atomic():
        current = _lock_for_write(by=by, screening=screening, permission=Permission.SCREENING_EDIT)
        _require_draft(current)
        _require_lock_version(current, expected)
        definition = definition_for(current)
        _save_changes(current, given, definition=definition, by=by, context=context)
        try:
            # Every refusal comes before `_finalize_locked` writes anything, so no savepoint is needed.
            _finalize_locked(current, definition=definition, by=by, context=context)
        except ScreeningError as refused:
            return FinalizeOutcome(screening=current, refused=refused)
    return FinalizeOutcome(screening=current, refused=None)


def _given(arguments: dict[str, Any]) -> dict[str, Any]:
    return {name: arguments[name] for name in _DRAFT_FIELDS if arguments[name] is not None}


def _save_changes(
    current: Screening,
    given: dict[str, Any],
    *,
    definition: Definition,
    by: User,
    context: AuditContext | None,
) -> None:
    """Apply validated changes to the locked draft `current` (nothing when nothing changes)."""
    cleaned = _clean_draft(given, definition=definition, youth=current.youth)
    changed = sorted(
        name for name, value in cleaned.items() if not _same(getattr(current, name), value)
    )
    if not changed:
        return
    for name in changed:
        setattr(current, name, cleaned[name])
    scored = _store_result(current, _score(definition, current))
    current.lock_version += 1
    current.save(update_fields=[*changed, *scored, "lock_version", "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.CHANGE,
        obj=current,
        context=context_for(by, context),
        detail={"fields": changed, "lock_version": current.lock_version},
    )


def _clean_draft(given: dict[str, Any], *, definition: Definition, youth: Youth) -> dict[str, Any]:
    cleaners = {
        "indicator_ratings": lambda v: _indicator_ratings(v, definition),
        "statement_answers": lambda v: _statement_answers(v, definition),
        "information_sources": _information_sources,
        "reason": lambda v: _choice(
            v, ScreeningReason.values, code=errors.UNKNOWN_REASON, field="reason", blank=True
        ),
        "reason_other": lambda v: _optional_text(
            v, field="reason_other", max_length=REASON_OTHER_MAX_LENGTH
        ),
        "screener_role": lambda v: _choice(
            v,
            ScreenerRole.values,
            code=errors.UNKNOWN_SCREENER_ROLE,
            field="screener_role",
            blank=True,
        ),
        "known_for": lambda v: _choice(
            v, KnownFor.values, code=errors.UNKNOWN_KNOWN_FOR, field="known_for", blank=True
        ),
        "screened_on": lambda v: _screened_on(v, youth=youth),
        "mode": lambda v: _choice(
            v, ScreeningMode.values, code=errors.UNKNOWN_MODE, field="mode", blank=False
        ),
        "notes": lambda v: _optional_text(v, field="notes", max_length=NOTES_MAX_LENGTH),
    }
    return {name: cleaners[name](value) for name, value in given.items()}


def screening_finalize(
    *,
    screening: Screening,
    by: User,
    expected_lock_version: int,
    context: AuditContext | None = None,
) -> Screening:
    """Finalize a draft: after this the row never changes.

    Requires SCREENING_FINALIZE at the agency (Forbidden), the draft as read
    (ScreeningConflictError), training of `by` for the instrument current today (TRAINING_REQUIRED),
    every required item answered (SCREENING_INCOMPLETE names each one) and a concern level
    (SCREENING_NO_RESULT). The result is re-scored from the pinned definition, never taken from the
    draft's preview.
    """
    expected = _expected_lock_version(expected_lock_version)
    with transaction.atomic():
        current = _lock_for_write(by=by, screening=screening, permission=Permission.SCREENING_EDIT)
        _require_draft(current)
        _require_lock_version(current, expected)
        definition = definition_for(current)
        _finalize_locked(current, definition=definition, by=by, context=context)
    return current


def _finalize_locked(
    current: Screening, *, definition: Definition, by: User, context: AuditContext | None
) -> None:
    """Finalize the locked draft `current`, or raise saying why not (the caller's transaction).

    Checks everything before it writes anything: a refusal leaves the transaction as it found it.
    """
    access.require(
        by,
        Permission.SCREENING_FINALIZE,
        agency_id=current.agency_id,
        object_type="screening",
        object_id=current.pk,
    )
    if current.amends_id is not None:
        original = Screening.objects.select_for_update().get(pk=current.amends_id)
        _require_current_final(original)
        if current.version_kind == VersionKind.CORRECTION:
            # A correction is finished within the window too; after it, only an amendment (ADR 0007).
            versions.require_correction_window(current, now=timezone.now())
    if (
        current_training(user=by, instrument_id=current.instrument_id, on=timezone.localdate())
        is None
    ):
        raise ScreeningError(
            errors.TRAINING_REQUIRED,
            field="training",
            instrument=f"{definition.title} ({definition.id})",
        )
    missing = _missing_items(current, definition)
    if missing:
        raise ScreeningError(
            errors.SCREENING_INCOMPLETE,
            field=missing[0][0],
            missing=[label for _, label in missing],
            missing_fields=sorted({name for name, _ in missing}),
        )
    result = _score(definition, current)
    if not result.valid or result.level is None:
        raise ScreeningError(
            errors.SCREENING_NO_RESULT,
            field="indicator_ratings",
            explanation=" ".join(result.explanation) or result.decided_by,
        )
    scored = _store_result(current, result)
    current.status = ScreeningStatus.FINAL
    current.finalized_at = timezone.now()
    current.finalized_by = by
    current.lock_version += 1
    current.save(
        update_fields=[
            *scored,
            "status",
            "finalized_at",
            "finalized_by",
            "lock_version",
            "updated_at",
        ]
    )
    detail: dict[str, Any] = {"instrument": f"{definition.id}@{definition.version}"}
    if current.amends_id is not None:
        detail["amends"] = current.amends_id
    audit_record(
        actor=by,
        action=AuditAction.FINALIZE,
        obj=current,
        context=context_for(by, context),
        detail=detail,
    )
    events.publish(
        events.ScreeningFinalized(
            youth_id=current.youth_id,
            agency_id=current.agency_id,
            screening_id=current.pk,
            level=current.level,
            amends_id=current.amends_id,
            screened_on=current.screened_on,
        )
    )


_COPIED_ON_AMEND = (
    "youth_id",
    "agency_id",
    "instrument_id",
    "instrument_version",
    "instrument_sha256",
    "reason",
    "reason_other",
    "information_sources",
    "screener_id",
    "screener_role",
    "known_for",
    "mode",
    "screened_on",
    "indicator_ratings",
    "statement_answers",
    "total",
    "level",
    "rated_count",
    "notes",
    "chain",
    "rerates_id",
)


def screening_amend(
    *, screening: Screening, by: User, reason: str, context: AuditContext | None = None
) -> Screening:
    """Open an amendment: a new draft version of a final, current screening, copying everything it
    recorded (the same screener, contact date and pinned instrument), with `reason` saying why.

    The original row is not touched and stays the current version until the amendment is finalized.
    One open amendment per screening (AMENDMENT_PENDING); the screening date stays, so an amendment
    never moves the rescreen date.
    """
    reason = _text(
        reason,
        field="reason",
        max_length=AMENDMENT_REASON_MAX_LENGTH,
        required=errors.AMENDMENT_REASON_REQUIRED,
    )
    with transaction.atomic():
        # The lock on the original serialises concurrent amendments of it.
        original = _lock_for_write(by=by, screening=screening, permission=Permission.SCREENING_EDIT)
        _require_current_final(original)
        versions.refuse_if_open(original.pk)
        definition_for(original)  # a changed or missing file could not score the amendment
        amendment = Screening(
            **{name: getattr(original, name) for name in _COPIED_ON_AMEND},
            status=ScreeningStatus.DRAFT,
            amends=original,
            version_kind=VersionKind.AMENDMENT,
            amendment_reason=reason,
        )
        versions.save_new_version(amendment)  # a lost race is AMENDMENT_PENDING, not an error
        audit_record(
            actor=by,
            action=AuditAction.AMEND,
            obj=amendment,
            context=context_for(by, context),
            detail={"amends": original.pk},
        )
    return amendment


def screening_discard(
    *,
    screening: Screening,
    by: User,
    expected_lock_version: int,
    context: AuditContext | None = None,
) -> Screening:
    """Void a draft started by mistake or an amendment no longer wanted. The row is kept (status
    voided) and never counts; a voided draft cannot be reopened."""
    expected = _expected_lock_version(expected_lock_version)
    with transaction.atomic():
        current = _lock_for_write(by=by, screening=screening, permission=Permission.SCREENING_EDIT)
        _require_draft(current)
        _require_lock_version(current, expected)
        current.status = ScreeningStatus.VOIDED
        current.lock_version += 1
        current.save(update_fields=["status", "lock_version", "updated_at"])
        audit_record(
            actor=by,
            action=AuditAction.CHANGE,
            obj=current,
            context=context_for(by, context),
            detail={"fields": ["status"], "status": ScreeningStatus.VOIDED.value},
        )
    return current


# --- follow-up -----------------------------------------------------------------------------------------


def followup_create(
    *,
    screening: Screening,
    by: User,
    kind: str,
    owner: User,
    due_on: dt.date,
    description: str | None = None,
    context: AuditContext | None = None,
) -> FollowUpAction:
    """Record a follow-up action a final screening calls for, owned by a casework member of its agency
    (someone who may also complete it)."""
    kind = _choice(
        kind, FollowUpKind.values, code=errors.UNKNOWN_FOLLOWUP_KIND, field="kind", blank=False
    )
    due_on = _date(due_on, field="due_on")
    description = _optional_text(
        description, field="description", max_length=FOLLOWUP_TEXT_MAX_LENGTH
    )
    with transaction.atomic():
        current = screening_for_user(user=by, pk=screening.pk, permission=Permission.FOLLOWUP_EDIT)
        if current.status != ScreeningStatus.FINAL:
            raise ScreeningStateError(errors.SCREENING_NOT_FINAL)
        if not isinstance(owner, User) or not has_permission(
            owner, Permission.FOLLOWUP_EDIT, agency=current.agency_id
        ):
            raise ScreeningError(errors.FOLLOWUP_OWNER_NOT_MEMBER, field="owner")
        if due_on < current.screened_on:
            raise ScreeningError(errors.FOLLOWUP_DUE_BEFORE_SCREENING, field="due_on")
        followup = FollowUpAction.objects.create(
            screening=current,
            agency_id=current.agency_id,
            kind=kind,
            description=description,
            owner=owner,
            due_on=due_on,
            created_by=by,
        )
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=followup,
            youth_id=current.youth_id,
            context=context_for(by, context),
            detail={"screening": current.pk, "kind": kind},
        )
    return followup


def followup_complete(
    *,
    followup: FollowUpAction,
    by: User,
    completed_on: dt.date,
    outcome: str,
    reference: str | None = None,
    context: AuditContext | None = None,
) -> FollowUpAction:
    """Mark a follow-up done, saying what happened. Anyone with FOLLOWUP_EDIT at its agency may, not only
    its owner (people leave and cover for each other); once completed it stays completed. A mandated
    report (`REPORT_KINDS`) also needs its `reference`; `completed_on` is the day it was made."""
    completed_on = _date(completed_on, field="completed_on")
    if completed_on > timezone.localdate():
        raise ScreeningError(errors.FOLLOWUP_COMPLETED_IN_FUTURE, field="completed_on")
    outcome = _text(
        outcome,
        field="outcome",
        max_length=FOLLOWUP_TEXT_MAX_LENGTH,
        required=errors.FOLLOWUP_OUTCOME_REQUIRED,
    )
    with transaction.atomic():
        visible = followup_for_user(user=by, pk=followup.pk, permission=Permission.FOLLOWUP_EDIT)
        current = FollowUpAction.objects.select_for_update().get(pk=followup.pk)
        if current.completed_on is not None:
            raise ScreeningStateError(errors.FOLLOWUP_ALREADY_COMPLETE)
        if completed_on < visible.screening.screened_on:
            raise ScreeningError(errors.FOLLOWUP_COMPLETED_BEFORE_SCREENING, field="completed_on")
        reference = _optional_text(reference, field="reference", max_length=100)
        if current.kind in REPORT_KINDS and not reference:
            raise ScreeningError(errors.FOLLOWUP_REFERENCE_REQUIRED, field="reference")
        current.completed_on = completed_on
        current.outcome = outcome
        current.reference = reference
        current.save(update_fields=["completed_on", "outcome", "reference"])
        audit_record(
            actor=by,
            action=AuditAction.CHANGE,
            obj=current,
            youth_id=visible.screening.youth_id,
            context=context_for(by, context),
            detail={"fields": ["completed_on", "outcome", *(["reference"] if reference else [])]},
        )
        events.publish(
            events.FollowUpCompleted(
                youth_id=visible.screening.youth_id,
                agency_id=current.agency_id,
                screening_id=current.screening_id,
                screened_on=visible.screening.screened_on,
            )
        )
    return current
