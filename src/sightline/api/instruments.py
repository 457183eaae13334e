"""Instruments: the installed definition versions, one version's definition, and scoring without
saving (the practice scorer's API)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ninja.errors import HttpError

from sightline import instruments
from sightline.api import paging, schemas
from sightline.api.errors import ErrorOut
from sightline.api.runtime import ApiRouter
from sightline.catalog import selectors as catalog
from sightline.common.errors import ServiceError

if TYPE_CHECKING:
    from django.http import HttpRequest

router = ApiRouter(tags=["instruments"])
NO_SUCH_VERSION = "No such instrument version is installed."
BAD_RATINGS = "{problem}"


@router.get("/instruments", response={200: schemas.PageOut[schemas.InstrumentOut]})
def instrument_list(
    request: HttpRequest, cursor: str | None = None, limit: int = paging.DEFAULT_LIMIT
) -> dict[str, Any]:
    current = {(d.id, d.version) for d in catalog.current_definitions()}
    rows = sorted(catalog.installed_versions(), key=lambda v: (v.instrument_id, v.version))
    items = [
        {
            "instrument_id": v.instrument_id,
            "version": v.version,
            "title": v.title,
            "short_title": v.short_title,
            "official": v.official,
            "url": v.url,
            "versioned_url": v.versioned_url,
            "sha256": v.sha256,
            "current": (v.instrument_id, v.version) in current,
        }
        for v in rows
    ]
    return paging.page_list(
        items, key=lambda i: [i["instrument_id"], i["version"]], cursor=cursor, limit=limit
    )


def definition_of(instrument_id: str, version: str) -> instruments.Definition:
    try:
        return catalog.definition(instrument_id, version)
    except LookupError:
        raise HttpError(404, NO_SUCH_VERSION) from None


@router.get(
    "/instruments/{instrument_id}/versions/{version}",
    response={200: dict[str, Any], 404: ErrorOut},
)
def instrument_version(request: HttpRequest, instrument_id: str, version: str) -> dict[str, Any]:
    """The stored definition of one version, as its fields (every wording, scale and cut-off)."""
    return definition_of(instrument_id, version).model_dump(mode="json", exclude={"source_path"})


@router.post("/score", response={200: schemas.ScoreOut, 404: ErrorOut, 422: ErrorOut})
def score(request: HttpRequest, payload: schemas.ScoreIn) -> dict[str, Any]:
    """Score ratings without saving anything (the current version unless `version` is given)."""
    try:
        definition = (
            catalog.definition(payload.instrument_id, payload.version)
            if payload.version
            else catalog.current_definition(payload.instrument_id)
        )
    except LookupError:
        raise HttpError(404, NO_SUCH_VERSION) from None
    ratings = {
        i.id: (
            instruments.MISSING
            if payload.indicator_ratings.get(i.id) is None
            else payload.indicator_ratings[i.id]
        )
        for i in definition.indicators
    }
    unknown = sorted(set(payload.indicator_ratings) - set(ratings))
    statements = {k: v for k, v in payload.statement_answers.items() if v is not None}
    if unknown:
        raise ServiceError(
            BAD_RATINGS, field="indicator_ratings", problem=f"unknown key indicator {unknown[0]!r}"
        )
    try:
        result = instruments.score(definition, ratings, statements or None)
    except (instruments.RatingError, ValueError) as bad:
        raise ServiceError(BAD_RATINGS, field="indicator_ratings", problem=str(bad)) from None
    return {
        "instrument_id": result.instrument_id,
        "instrument_version": result.instrument_version,
        "total": result.total,
        "level": result.level,
        "level_label": result.level_label,
        "rated_count": result.rated_count,
        "complete": result.complete,
        "valid": result.valid,
        "decided_by": result.decided_by,
        "explanation": list(result.explanation),
        "follow_up": list(result.follow_up),
        "suggested": dict(result.suggested),
    }
