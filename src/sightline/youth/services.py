"""State changes for youth records and intake episodes: one keyword-only function each, actor explicit.

Every function checks permission and validates before writing, writes inside one transaction, and
writes its own audit event, which names the fields touched but never their values.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from sightline import events
from sightline.audit.context import AuditContext, context_for
from sightline.audit.models import AuditAction
from sightline.audit.services import audit_record
from sightline.common import cleaning
from sightline.privacy.keys import search_key, search_key_id
from sightline.tenancy import access
from sightline.tenancy.models import Agency, User
from sightline.tenancy.permissions import Permission, has_permission
from sightline.youth import errors
from sightline.youth.choices import ExitReason
from sightline.youth.errors import YouthConflictError, YouthError
from sightline.youth.models import (
    GenderIdentity,
    IntakeEpisode,
    RaceEthnicity,
    Youth,
    YouthNameToken,
)
from sightline.youth.search_index import reindex, token_rows
from sightline.youth.selectors import youth_for_user

OLDEST_AGE = (
    25  # youth services end in the mid-twenties; an older birth date is almost surely a typo
)
NAME_MAX_LENGTH = 200
_NAME_FIELDS = frozenset({"first_name", "last_name", "aliases"})
_EXCLUSIVE_RACE = frozenset({RaceEthnicity.PREFERS_NOT_TO_SAY, RaceEthnicity.UNKNOWN})


# --- validation: each cleaner returns the value to store or raises YouthError naming the field ----------


def _text(value: object, *, field: str, max_length: int, required: str | None = None) -> str:
    return cleaning.text(
        value, field=field, max_length=max_length, required=required, error=YouthError
    )


def _optional_text(value: object, *, field: str, max_length: int) -> str | None:
    return cleaning.optional_text(value, field=field, max_length=max_length, error=YouthError)


def _date(value: object, *, field: str) -> dt.date:
    return cleaning.date(value, field=field, error=YouthError)


def _list(value: object, *, field: str) -> list[Any]:
    return cleaning.items(value, field=field, error=YouthError)


def _date_of_birth(value: object) -> dt.date:
    born = _date(value, field="date_of_birth")
    today = timezone.localdate()
    if born > today:
        raise YouthError(errors.BIRTH_IN_FUTURE, field="date_of_birth")
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if age > OLDEST_AGE:
        raise YouthError(errors.BIRTH_TOO_LONG_AGO, field="date_of_birth")
    return born


def _gender_identity(value: object) -> str:
    if value not in GenderIdentity.values:
        raise YouthError(errors.UNKNOWN_GENDER_IDENTITY, field="gender_identity")
    return str(value)


def _aliases(value: object) -> list[str]:
    cleaned: list[str] = []
    for alias in _list(value, field="aliases"):
        text = _text(alias, field="aliases", max_length=NAME_MAX_LENGTH)
        if text and text not in cleaned:
            cleaned.append(text)
    return cleaned


def _race_ethnicity(value: object) -> list[str]:
    codes: list[str] = []
    for code in _list(value, field="race_ethnicity"):
        if code not in RaceEthnicity.values:
            raise YouthError(errors.UNKNOWN_RACE_ETHNICITY, field="race_ethnicity")
        if code not in codes:
            codes.append(str(code))
    if len(codes) > 1 and _EXCLUSIVE_RACE.intersection(codes):
        raise YouthError(errors.RACE_ETHNICITY_EXCLUSIVE, field="race_ethnicity")
    return codes


def _high_risk(value: object) -> bool:
    return cleaning.yes_no(value, field="high_risk", error=YouthError)


def _contact(value: object) -> dict[str, str | None] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not all(
        isinstance(key, str) and (item is None or isinstance(item, str))
        for key, item in value.items()
    ):
        raise YouthError(errors.CONTACT_INVALID, field="contact")
    return {key: item.strip() if isinstance(item, str) else None for key, item in value.items()}


_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "first_name": lambda v: _text(
        v, field="first_name", max_length=NAME_MAX_LENGTH, required=errors.FIRST_NAME_REQUIRED
    ),
    "last_name": lambda v: _text(
        v, field="last_name", max_length=NAME_MAX_LENGTH, required=errors.LAST_NAME_REQUIRED
    ),
    "date_of_birth": _date_of_birth,
    "gender_identity": _gender_identity,
    "gender_self_description": lambda v: _optional_text(
        v, field="gender_self_description", max_length=NAME_MAX_LENGTH
    ),
    "aliases": _aliases,
    "race_ethnicity": _race_ethnicity,
    "preferred_language": lambda v: _text(v, field="preferred_language", max_length=64),
    "case_number": lambda v: _text(v, field="case_number", max_length=64),
    "high_risk": _high_risk,
    "contact": _contact,
    "notes": lambda v: _optional_text(v, field="notes", max_length=20_000),
}
EDITABLE_FIELDS = frozenset(_CLEANERS)


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(values) - EDITABLE_FIELDS)
    if unknown:
        raise YouthError(errors.UNKNOWN_FIELD, field=unknown[0])
    return {name: _CLEANERS[name](value) for name, value in values.items()}


def _intake_date(value: object, *, born: dt.date) -> dt.date:
    intake_on = _date(value, field="intake_on")
    if intake_on > timezone.localdate():
        raise YouthError(errors.INTAKE_IN_FUTURE, field="intake_on")
    if intake_on < born:
        raise YouthError(errors.INTAKE_BEFORE_BIRTH, field="intake_on")
    return intake_on


def _same(old: Any, new: Any) -> bool:
    # JSON compare keeps True apart from 1 and 1.0 apart from 1, which == would merge.
    return json.dumps(old, sort_keys=True, default=str) == json.dumps(
        new, sort_keys=True, default=str
    )


# --- writes -------------------------------------------------------------------------------------------


def _write_name_tokens(youth: Youth) -> None:
    """The youth's name tokens under the current search key (its case-number digest is the model's)."""
    YouthNameToken.objects.filter(youth_id=youth.pk).delete()
    YouthNameToken.objects.bulk_create(token_rows(youth, key=search_key()))


def _lock_for_write(*, by: User, pk: int) -> Youth:
    """Check access through the one door, then lock the row so concurrent writes serialise."""
    youth_for_user(user=by, pk=pk, permission=Permission.YOUTH_EDIT)
    return Youth.objects.select_for_update().get(pk=pk)


def youth_create(
    *,
    by: User,
    agency: Agency,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date,
    gender_identity: str,
    gender_self_description: str | None = None,
    aliases: Iterable[str] = (),
    race_ethnicity: Iterable[str] = (),
    preferred_language: str = "",
    case_number: str = "",
    high_risk: bool = False,
    contact: dict[str, str | None] | None = None,
    notes: str | None = None,
    intake_on: dt.date | None = None,
    program: str = "",
    assigned_to: User | None = None,
    context: AuditContext | None = None,
) -> Youth:
    """Create a youth record at `agency` (and its first intake when `intake_on` is given, on the
    caseload of `assigned_to`).

    Does not refuse likely duplicates: callers warn with `youth_likely_duplicates` and let the person
    decide, because twins and common names are real.
    """
    access.require(
        by,
        Permission.YOUTH_EDIT,
        agency_id=agency.pk,
        object_type="agency",
        object_id=agency.pk,
        message=errors.NOT_ALLOWED,
    )
    fields = _clean(
        {
            "first_name": first_name,
            "last_name": last_name,
            "date_of_birth": date_of_birth,
            "gender_identity": gender_identity,
            "gender_self_description": gender_self_description,
            "aliases": aliases,
            "race_ethnicity": race_ethnicity,
            "preferred_language": preferred_language,
            "case_number": case_number,
            "high_risk": high_risk,
            "contact": contact,
            "notes": notes,
        }
    )
    if intake_on is not None:
        intake_on = _intake_date(intake_on, born=fields["date_of_birth"])
    program = _text(program, field="program", max_length=100)

    with transaction.atomic():
        youth = Youth.objects.create(
            agency=agency, created_by=by, search_key_id=search_key_id(), **fields
        )
        _write_name_tokens(youth)
        audit_record(
            actor=by, action=AuditAction.CREATE, obj=youth, context=context_for(by, context)
        )
        if intake_on is not None:
            _require_caseworker(assigned_to, agency_id=agency.pk)
            intake = IntakeEpisode.objects.create(
                youth=youth,
                agency=agency,
                intake_on=intake_on,
                program=program,
                assigned_to=assigned_to,
                created_by=by,
            )
            audit_record(
                actor=by, action=AuditAction.CREATE, obj=intake, context=context_for(by, context)
            )
            events.publish(
                events.IntakeOpened(youth_id=youth.pk, agency_id=agency.pk, intake_id=intake.pk)
            )
    return youth


def youth_update(
    *,
    youth: Youth,
    by: User,
    expected_lock_version: int | None = None,
    context: AuditContext | None = None,
    **changes: Any,
) -> Youth:
    """Change some of a youth's details; returns the saved record (the argument is not modified).

    `expected_lock_version` is the `lock_version` the caller's page or request read: when someone else
    saved in between, YouthConflictError is raised and nothing is written, so two people editing one
    youth never silently overwrite each other. Every caller with a user behind it (the edit page) passes
    it; None skips the check, for callers that hold no earlier read. Only the fields given are
    validated, so an old record stays editable after the youth turns 26. Nothing is written, not even
    an audit event, when no value actually changes; a change bumps `lock_version`.
    """
    if expected_lock_version is not None and (
        isinstance(expected_lock_version, bool) or not isinstance(expected_lock_version, int)
    ):
        raise YouthError(errors.LOCK_VERSION_INVALID, field="lock_version")
    cleaned = _clean(changes)
    with transaction.atomic():
        current = _lock_for_write(by=by, pk=youth.pk)
        if expected_lock_version is not None and current.lock_version != expected_lock_version:
            raise YouthConflictError(errors.YOUTH_EDIT_CONFLICT, field="lock_version")
        changed = sorted(
            name for name, value in cleaned.items() if not _same(getattr(current, name), value)
        )
        if not changed:
            return current
        for name in changed:
            setattr(current, name, cleaned[name])
        current.lock_version += 1
        written = [*changed, "lock_version", "updated_at"]
        # A record whose tokens are under an older search key (a rotation under way) is re-indexed
        # whole, so it never carries tokens under two keys.
        stale_index = current.search_key_id != search_key_id()
        if stale_index or "case_number" in changed:
            current.search_key_id = search_key_id()
            written += ["case_number_digest", "search_key_id"]
        current.save(update_fields=written)
        if stale_index or _NAME_FIELDS.intersection(changed):
            _write_name_tokens(current)
        audit_record(
            actor=by,
            action=AuditAction.CHANGE,
            obj=current,
            context=context_for(by, context),
            detail={"fields": changed},
        )
        events.publish(
            events.YouthChanged(
                youth_id=current.pk, agency_id=current.agency_id, fields=tuple(changed)
            )
        )
    return current


def intake_open(
    *,
    youth: Youth,
    by: User,
    intake_on: dt.date,
    program: str = "",
    assigned_to: User | None = None,
    context: AuditContext | None = None,
) -> IntakeEpisode:
    """Start an episode of service. One open episode at a time, and never overlapping an earlier one,
    because due dates are counted from the open intake. `assigned_to` puts the youth on that
    screener's caseload (someone who may screen at the agency)."""
    program = _text(program, field="program", max_length=100)
    _date(intake_on, field="intake_on")
    with transaction.atomic():
        current = _lock_for_write(by=by, pk=youth.pk)
        _require_caseworker(assigned_to, agency_id=current.agency_id)
        intake_on = _intake_date(intake_on, born=current.date_of_birth)
        episodes = IntakeEpisode.objects.filter(youth_id=current.pk)
        if episodes.filter(exit_on__isnull=True).exists():
            raise YouthError(errors.INTAKE_ALREADY_OPEN, field="intake_on")
        # Exit days are inclusive, so a same-day transfer (exit and re-intake on one day) is allowed.
        if episodes.filter(exit_on__gt=intake_on).exists():
            raise YouthError(errors.INTAKE_OVERLAPS, field="intake_on")
        try:
            with transaction.atomic():  # a savepoint, so a lost race leaves this transaction usable
                intake = IntakeEpisode.objects.create(
                    youth=current,
                    agency_id=current.agency_id,
                    intake_on=intake_on,
                    program=program,
                    assigned_to=assigned_to,
                    created_by=by,
                )
        except IntegrityError:
            # The database's one-open-intake constraint caught what the check above missed.
            if episodes.filter(exit_on__isnull=True).exists():
                raise YouthError(errors.INTAKE_ALREADY_OPEN, field="intake_on") from None
            raise
        audit_record(
            actor=by, action=AuditAction.CREATE, obj=intake, context=context_for(by, context)
        )
        events.publish(
            events.IntakeOpened(
                youth_id=current.pk, agency_id=intake.agency_id, intake_id=intake.pk
            )
        )
    return intake


def _require_caseworker(user: User | None, *, agency_id: int) -> None:
    if user is not None and not has_permission(user, Permission.SCREENING_EDIT, agency=agency_id):
        raise YouthError(errors.ASSIGNEE_NOT_SCREENER, field="assigned_to")


def intake_assign(
    *,
    intake: IntakeEpisode,
    by: User,
    assigned_to: User | None,
    context: AuditContext | None = None,
) -> IntakeEpisode:
    """Move an open intake to another screener's caseload (None: nobody's). Same permission as editing
    the youth; the new screener must be able to screen at the agency."""
    with transaction.atomic():
        _lock_for_write(by=by, pk=intake.youth_id)
        current = IntakeEpisode.objects.select_for_update().get(pk=intake.pk)
        if current.exit_on is not None:
            raise YouthError(errors.INTAKE_ALREADY_CLOSED, field="assigned_to")
        _require_caseworker(assigned_to, agency_id=current.agency_id)
        new_id = assigned_to.pk if assigned_to is not None else None
        if current.assigned_to_id == new_id:
            return current
        current.assigned_to = assigned_to
        current.save(update_fields=["assigned_to"])
        audit_record(
            actor=by,
            action=AuditAction.CHANGE,
            obj=current,
            context=context_for(by, context),
            detail={"fields": ["assigned_to"]},
        )
        events.publish(
            events.IntakeReassigned(
                youth_id=current.youth_id, agency_id=current.agency_id, intake_id=current.pk
            )
        )
    return current


def intake_close(
    *,
    intake: IntakeEpisode,
    by: User,
    exit_on: dt.date,
    exit_reason: str = "",
    exit_reason_text: str = "",
    context: AuditContext | None = None,
) -> IntakeEpisode:
    """End an episode of service, saying why; closing stops the screening clock.

    `exit_reason` is one of `ExitReason`; OTHER needs `exit_reason_text` (kept for the others too).
    Blank means "not recorded", for callers that cannot know it (an import of historic episodes);
    the web form always asks.
    """
    exit_on = _date(exit_on, field="exit_on")
    if exit_on > timezone.localdate():
        raise YouthError(errors.EXIT_IN_FUTURE, field="exit_on")
    if exit_reason and exit_reason not in ExitReason.values:
        raise YouthError(errors.EXIT_REASON_UNKNOWN, field="exit_reason")
    exit_reason_text = _text(exit_reason_text, field="exit_reason_text", max_length=200)
    if exit_reason == ExitReason.OTHER and not exit_reason_text:
        raise YouthError(errors.EXIT_REASON_TEXT_REQUIRED, field="exit_reason_text")
    with transaction.atomic():
        _lock_for_write(by=by, pk=intake.youth_id)
        current = IntakeEpisode.objects.select_for_update().get(pk=intake.pk)
        if current.exit_on is not None:
            raise YouthError(errors.INTAKE_ALREADY_CLOSED, field="exit_on")
        if exit_on < current.intake_on:
            raise YouthError(errors.EXIT_BEFORE_INTAKE, field="exit_on")
        current.exit_on = exit_on
        current.exit_reason = exit_reason
        current.exit_reason_text = exit_reason_text
        current.save(update_fields=["exit_on", "exit_reason", "exit_reason_text"])
        audit_record(
            actor=by,
            action=AuditAction.CHANGE,
            obj=current,
            context=context_for(by, context),
            detail={"fields": ["exit_on", "exit_reason"], "exit_reason": exit_reason},
        )
        events.publish(
            events.IntakeClosed(
                youth_id=current.youth_id, agency_id=current.agency_id, intake_id=current.pk
            )
        )
    return current


def youth_reindex_names(*, batch_size: int = 500) -> int:
    """Rewrite every youth's blind index (name tokens, case-number digest) from the decrypted values;
    returns how many youth.

    For a change of what the index stores (ADR 0009's prefix tokens); a change of the search key uses
    the resumable `sightline keys rotate --search` (ADR 0011). A system operation, run by `manage.py
    reindex_youth_names`: no person acts, so it writes no audit event and goes through no access check.
    """
    return reindex(batch=batch_size)
