"""Plain factory functions for tests: explicit keyword arguments, sensible defaults, no magic."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sightline.screenings.models import Screening
from sightline.tenancy.models import (
    Agency,
    AgencyType,
    County,
    Membership,
    Role,
    TrainingRecord,
    User,
)
from sightline.youth.models import IntakeEpisode, Youth

_seq = itertools.count(1)


def county(*, name: str | None = None, state: str = "CA") -> County:
    return County.objects.create(name=name or f"County {next(_seq)}", state=state)


def agency(
    *, name: str | None = None, type: str = AgencyType.CHILD_WELFARE, county_: County | None = None
) -> Agency:
    return Agency.objects.create(
        name=name or f"Agency {next(_seq)}", type=type, county=county_ or county()
    )


def user(*, username: str | None = None, password: str = "pw-for-tests", **extra: Any) -> User:
    name = username or f"user{next(_seq)}"
    return User.objects.create_user(
        username=name, password=password, email=f"{name}@example.org", **extra
    )


def member(
    agency_: Agency,
    role: str = Role.SCREENER,
    *,
    username: str | None = None,
    screener_role: str = "child_welfare_worker",
    trained_for: tuple[str, ...] = (),
) -> User:
    """A user with one active membership; `trained_for` adds current training for those instruments."""
    person = user(username=username)
    Membership.objects.create(user=person, agency=agency_, role=role, screener_role=screener_role)
    for instrument_id in trained_for:
        training(person, instrument_id=instrument_id)
    return person


def training(
    person: User,
    *,
    instrument_id: str = "cse-it-2.0",
    trained_on: dt.date | None = None,
    expires_on: dt.date | None = None,
    recorded_by: User | None = None,
) -> TrainingRecord:
    return TrainingRecord.objects.create(
        user=person,
        instrument_id=instrument_id,
        trained_on=trained_on or dt.date(2020, 1, 1),
        expires_on=expires_on,
        trainer="WestCoast trainer",
        recorded_by=recorded_by or person,
    )


def youth(
    agency_: Agency,
    *,
    created_by: User,
    first_name: str = "Alex",
    last_name: str | None = None,
    date_of_birth: dt.date = dt.date(2010, 5, 17),
    intake_on: dt.date | None = dt.date(2026, 1, 5),
    **extra: Any,
) -> Youth:
    """A youth row written directly (no audit, no name tokens); use youth services to test those."""
    record = Youth.objects.create(
        agency=agency_,
        first_name=first_name,
        last_name=last_name or f"Rivera{next(_seq)}",
        date_of_birth=date_of_birth,
        gender_identity=extra.pop("gender_identity", "girl"),
        created_by=created_by,
        **extra,
    )
    if intake_on is not None:
        IntakeEpisode.objects.create(
            youth=record, agency=agency_, intake_on=intake_on, created_by=created_by
        )
    return record


def registered_youth(
    agency_: Agency,
    *,
    by: User,
    first_name: str = "Alex",
    last_name: str = "Rivera",
    date_of_birth: dt.date = dt.date(2010, 5, 17),
    **extra: Any,
) -> Youth:
    """A youth created through `youth_create`: name tokens written and audited, like production data."""
    from sightline.youth.services import youth_create

    extra.setdefault("gender_identity", "girl")
    return youth_create(
        by=by,
        agency=agency_,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        **extra,
    )


def screening(
    youth_: Youth,
    *,
    screener: User,
    instrument_id: str = "cse-it-2.0",
    status: str = "draft",
    screened_on: dt.date = dt.date(2026, 2, 2),
    rating: int | None = 0,
    **extra: Any,
) -> Screening:
    """A screening row written directly (no audit, no checks), pinned to the installed definition.

    `rating` rates every key indicator with that code (None: nothing rated); status "final" fills
    finalized_at/by and the stored result as `screening_finalize` would.
    """
    from django.utils import timezone

    from sightline import instruments

    definition = instruments.load(instrument_id)
    ratings = {} if rating is None else {i.id: rating for i in definition.indicators}
    result = instruments.score(
        definition, {i.id: ratings.get(i.id, instruments.MISSING) for i in definition.indicators}
    )
    values: dict[str, Any] = {
        "reason": "intake",
        "information_sources": ["records"],
        "screener_role": "child_welfare_worker",
        "known_for": "under_month",
        "indicator_ratings": ratings,
        "total": result.total,
        "level": result.level or "",
        "rated_count": result.rated_count,
    }
    if status == "final":
        values.update(finalized_at=timezone.now(), finalized_by=screener)
    if extra.get("amends") is not None:
        values["version_kind"] = "amendment"  # a new version says what it is (a database check)
    values.update(extra)
    return Screening.objects.create(
        youth=youth_,
        agency=youth_.agency,
        instrument_id=definition.id,
        instrument_version=definition.version,
        instrument_sha256=definition.sha256,
        screener=screener,
        status=status,
        screened_on=screened_on,
        **values,
    )


def finalized_screening(
    youth_: Youth,
    *,
    by: User,
    screened_on: dt.date,
    rating: int = 0,
    ratings: dict[str, int] | None = None,
    instrument_id: str = "cse-it-2.0",
) -> Screening:
    """A final screening through the services (start, save, finalize), so the schedule follows it.

    Every key indicator gets `rating` unless `ratings` gives them one by one.
    """
    from sightline import instruments
    from sightline.screenings.services import (
        screening_finalize,
        screening_save_draft,
        screening_start,
    )

    definition = instruments.load(instrument_id)
    draft = screening_start(
        youth=youth_,
        by=by,
        instrument_id=instrument_id,
        reason="intake",
        information_sources=["records"],
        screener_role="child_welfare_worker",
        known_for="under_month",
        screened_on=screened_on,
    )
    draft = screening_save_draft(
        screening=draft,
        by=by,
        expected_lock_version=draft.lock_version,
        indicator_ratings=ratings or {i.id: rating for i in definition.indicators},
    )
    return screening_finalize(screening=draft, by=by, expected_lock_version=draft.lock_version)


def set_role_permissions(monkeypatch: Any, role: str, permissions: frozenset[Any]) -> None:
    """For one test, let `role` grant `permissions` (the real table is read-only)."""
    from types import MappingProxyType

    from sightline.tenancy import permissions as module

    table = dict(module.ROLE_PERMISSIONS)
    table[role] = frozenset(permissions)
    monkeypatch.setattr(module, "ROLE_PERMISSIONS", MappingProxyType(table))
