"""A FHIR Bundle (type collection) of resources, such as one youth's screenings and their
questionnaires."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

BASE = "https://sightline.example/fhir"


def collection_bundle(
    resources: Iterable[dict[str, Any]], *, timestamp: dt.datetime
) -> dict[str, Any]:
    """A collection Bundle of `resources` (each keeps its id; fullUrl is its absolute URL)."""
    entries = [
        {"fullUrl": f"{BASE}/{r['resourceType']}/{r.get('id') or uuid.uuid4()}", "resource": r}
        for r in resources
    ]
    # No `total`: FHIR allows it only on search and history bundles (bdl-1).
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": timestamp.isoformat(),
        "entry": entries,
    }
