"""A small world for the schemathesis run (`run_schemathesis.sh`): agency A with a screener whose
token the run uses, and agency B whose data must never appear in any answer. Writes the token and B's
markers to the JSON file named by the first argument. Run with `manage.py shell -c`."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

from sightline.apitokens.services import token_create
from sightline.tenancy.models import Membership, Role
from sightline.tenancy.permissions import permissions_anywhere
from tests import factories


def build(path: str) -> None:
    county = factories.county(name="Fuzz County")
    agency_a = factories.agency(name="Agency A", county_=county)
    agency_b = factories.agency(name="Agency B", county_=county)
    trained = ("cse-it-2.0", "cse-it-brief")
    screener = factories.member(agency_a, Role.SUPERVISOR, username="fuzz-a", trained_for=trained)
    other = factories.member(agency_b, Role.SUPERVISOR, username="fuzz-b", trained_for=trained)
    mine = factories.registered_youth(
        agency_a, by=screener, first_name="Alex", last_name="Rivera", intake_on=dt.date(2026, 1, 5)
    )
    theirs = factories.registered_youth(
        agency_b,
        by=other,
        first_name="Zebulonia",
        last_name="Quixotera",
        intake_on=dt.date(2026, 1, 5),
    )
    for youth, by in ((mine, screener), (theirs, other)):
        factories.finalized_screening(youth, by=by, screened_on=dt.date(2026, 2, 2))
        factories.screening(youth, screener=by, rating=None)
    scope = [agency_a.pk]
    if os.environ.get("SIGHTLINE_FUZZ_SELFTEST"):
        # Prove the leak check bites: the token may see agency B too, so B's rows must be caught.
        Membership.objects.create(user=screener, agency=agency_b, role=Role.SUPERVISOR)
        scope.append(agency_b.pk)
    secret = token_create(
        by=screener,
        name="schemathesis",
        agency_ids=scope,
        permissions=sorted(permissions_anywhere(screener), key=lambda p: p.value),
    ).secret
    markers = {
        "token": secret,
        "agency_b": agency_b.pk,
        "strings": [str(theirs.pseudonym), "Zebulonia", "Quixotera", "Agency B"],
    }
    with open(path, "w", encoding="utf-8") as out:
        json.dump(markers, out)


build(sys.argv[-1] if len(sys.argv) > 1 else "world.json")
