"""API test helpers: a client that sends a personal token, and the token factory."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from sightline import instruments
from sightline.apitokens.services import token_create
from sightline.screenings.services import followup_create
from sightline.tenancy.models import Membership, User
from sightline.tenancy.permissions import Permission, permissions_anywhere
from tests import factories
from tests.conftest import World


class Api:
    """A test client speaking JSON with `Authorization: Bearer <secret>`."""

    def __init__(self, secret: str | None) -> None:
        self.client = Client()
        self.secret = secret

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.secret:
            headers["Authorization"] = f"Bearer {self.secret}"
        return headers

    def get(self, path: str, headers: dict[str, str] | None = None, **query: Any) -> Any:
        return self.client.get(f"/api{path}", query, headers=self._headers(headers))

    def send(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Any:
        return getattr(self.client, method)(
            f"/api{path}",
            data=json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers=self._headers(headers),
        )

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.send("post", path, body, headers)

    def patch(self, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.send("patch", path, body, headers)


def issue(
    user: User,
    *,
    agencies: Iterable[int] | None = None,
    permissions: Iterable[Permission] | None = None,
    days: int = 30,
) -> str:
    """A token for `user`: by default every agency they belong to and every permission they hold."""
    agency_ids = (
        list(agencies)
        if agencies is not None
        else sorted(set(Membership.objects.filter(user=user).values_list("agency_id", flat=True)))
    )
    wanted = (
        list(permissions)
        if permissions is not None
        else sorted(permissions_anywhere(user), key=lambda p: p.value)
    )
    return token_create(
        by=user, name="test", agency_ids=agency_ids, permissions=wanted, lifetime_days=days
    ).secret


@pytest.fixture
def api_as() -> Any:
    """`api_as(user)`: an Api client holding a full-scope token of `user` (None: no token)."""

    def make(user: User | None, **scope: Any) -> Api:
        return Api(issue(user, **scope) if user is not None else None)

    return make


@dataclass
class Records:
    """Agency A's records every endpoint test names (the outsider is at agency B)."""

    youth: Any
    intake: Any
    final: Any
    draft: Any
    complete_draft: Any
    followup: Any


def complete_ratings(instrument_id: str = "cse-it-2.0") -> dict[str, int]:
    definition = instruments.load(instrument_id)
    return {i.id: 0 for i in definition.indicators}


@pytest.fixture
def records(world: World) -> Records:
    youth = factories.registered_youth(
        world.agency_a, by=world.screener, intake_on=dt.date(2026, 1, 5), assigned_to=world.screener
    )
    final = factories.finalized_screening(youth, by=world.screener, screened_on=dt.date(2026, 2, 2))
    draft = factories.screening(youth, screener=world.screener, rating=None)
    complete = factories.screening(youth, screener=world.screener, rating=0)
    followup = followup_create(
        screening=final,
        by=world.supervisor,
        kind="referral",
        owner=world.screener,
        due_on=dt.date(2026, 3, 1),
    )
    return Records(
        youth=youth,
        intake=youth.intakes.get(),
        final=final,
        draft=draft,
        complete_draft=complete,
        followup=followup,
    )
