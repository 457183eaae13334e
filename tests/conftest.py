"""Shared fixtures: the personas every view module tests with."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from sightline import events
from sightline.tenancy.models import Agency, AgencyType, Role, User
from tests import factories


@pytest.fixture(autouse=True)
def _events_at_once(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside a `db` test nothing ever commits, so subscribers run as soon as an event is published
    (and their errors fail the test). Tests with real commits (`transactional_db`, live servers) and
    the tests of `sightline.events` itself keep the real after-commit behaviour."""
    real_commits = {"transactional_db", "live_server", "real_events"}
    if real_commits.intersection(request.fixturenames):
        return
    monkeypatch.setattr(events, "publish", lambda event: events.dispatch(event, raise_errors=True))


@pytest.fixture
def real_events() -> None:
    """Ask for this to keep events published after commit, as in production."""


@dataclass
class World:
    """Two agencies; in A one person of every role, in B an outsider screener."""

    agency_a: Agency
    agency_b: Agency
    screener: User
    supervisor: User
    agency_admin: User
    analyst: User
    researcher: User
    system_admin: User
    outsider: User


@pytest.fixture
def world(db: None) -> World:
    county = factories.county(name="Alameda")
    agency_a = factories.agency(name="Harbor Child Welfare", county_=county)
    agency_b = factories.agency(
        name="Bayside Probation", type=AgencyType.JUVENILE_PROBATION, county_=county
    )
    trained = ("cse-it-2.0", "cse-it-brief")
    system_admin = factories.member(agency_a, Role.SYSTEM_ADMIN, username="sysadmin")
    system_admin.is_staff = True
    system_admin.is_superuser = True
    system_admin.save(update_fields=["is_staff", "is_superuser"])
    return World(
        agency_a=agency_a,
        agency_b=agency_b,
        screener=factories.member(
            agency_a, Role.SCREENER, username="screener", trained_for=trained
        ),
        supervisor=factories.member(
            agency_a, Role.SUPERVISOR, username="supervisor", trained_for=trained
        ),
        agency_admin=factories.member(agency_a, Role.AGENCY_ADMIN, username="agencyadmin"),
        analyst=factories.member(agency_a, Role.ANALYST, username="analyst"),
        researcher=factories.member(agency_a, Role.RESEARCHER, username="researcher"),
        system_admin=system_admin,
        outsider=factories.member(
            agency_b, Role.SCREENER, username="outsider", trained_for=trained
        ),
    )
