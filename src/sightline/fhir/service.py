"""The Django side of the FHIR mapping: screenings to `ScreeningRecord`s, the installed definitions
as FHIR sees them, and the import of a QuestionnaireResponse through the screening services, in one
transaction (all or nothing). The API calls this; the mapping modules beside it import no Django."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from sightline.audit.context import AuditContext
from sightline.catalog import selectors as catalog
from sightline.fhir import codes
from sightline.fhir.bundle import collection_bundle
from sightline.fhir.codes import ContextOptions
from sightline.fhir.questionnaire import questionnaire
from sightline.fhir.response import (
    FhirImportError,
    ScreeningRecord,
    parse_questionnaire_response,
    questionnaire_response,
)
from sightline.instruments import Definition
from sightline.screenings import services
from sightline.screenings.choices import (
    InformationSource,
    KnownFor,
    ScreeningMode,
    ScreeningReason,
    ScreeningStatus,
)
from sightline.screenings.definitions import definition_for
from sightline.screenings.selectors import youth_history
from sightline.tenancy.choices import ScreenerRole

if TYPE_CHECKING:
    from sightline.screenings.models import Screening
    from sightline.tenancy.models import User
    from sightline.youth.models import Youth

OTHER_YOUTH = "The response's subject is another youth."


def context_options() -> ContextOptions:
    return ContextOptions(
        reasons=ScreeningReason.choices,
        information_sources=InformationSource.choices,
        screener_roles=ScreenerRole.choices,
        known_for=KnownFor.choices,
        modes=ScreeningMode.choices,
    )


def find_definition(url: str, version: str) -> Definition | None:
    """The installed definition with this canonical URL and version, or None."""
    for definition in catalog.installed_definitions():
        if definition.canonical_url == url and definition.version == version:
            return definition
    return None


def questionnaire_of(definition: Definition) -> dict[str, Any]:
    return questionnaire(definition, options=context_options())


def record_of(screening: Screening) -> ScreeningRecord:
    return ScreeningRecord(
        instrument_id=screening.instrument_id,
        instrument_version=screening.instrument_version,
        status=screening.status,
        screened_on=screening.screened_on,
        youth_pseudonym=str(screening.youth.pseudonym),
        indicator_ratings=dict(screening.indicator_ratings),
        statement_answers=dict(screening.statement_answers or {}),
        total=screening.total or 0,
        level=screening.level,
        reason=screening.reason,
        reason_other=screening.reason_other or "",
        information_sources=list(screening.information_sources),
        screener_role=screening.screener_role,
        known_for=screening.known_for,
        mode=screening.mode,
        screening_id=screening.pk,
        amends_id=screening.amends_id,
        authored=screening.finalized_at or screening.updated_at,
    )


def response_of(screening: Screening) -> dict[str, Any]:
    return questionnaire_response(
        definition_for(screening), record_of(screening), options=context_options()
    )


def bundle_of(*, user: User, youth: Youth) -> dict[str, Any]:
    """Every version of the youth's screenings the user may see, with the questionnaires they use."""
    versions = [
        v for v in youth_history(user=user, youth=youth) if v.status != ScreeningStatus.VOIDED
    ]
    definitions: dict[tuple[str, str], Definition] = {}
    responses = []
    for screening in versions:
        definition = definition_for(screening)
        definitions[(definition.id, definition.version)] = definition
        responses.append(
            questionnaire_response(definition, record_of(screening), options=context_options())
        )
    return collection_bundle(
        [*(questionnaire_of(d) for d in definitions.values()), *responses],
        timestamp=timezone.now(),
    )


def import_response(
    *, youth: Youth, by: User, resource: dict[str, Any], context: AuditContext | None
) -> Screening:
    """Store a completed QuestionnaireResponse as a final screening of `youth` by `by`, through the
    screening services, or nothing at all: FhirImportError (every problem with the resource) or the
    services' own ScreeningError (training, a missing answer ...) rolls the whole import back."""
    parsed = parse_questionnaire_response(resource, find=find_definition, options=context_options())
    if parsed.youth_pseudonym is not None and parsed.youth_pseudonym != str(youth.pseudonym):
        raise FhirImportError([("subject", OTHER_YOUTH)])
    with transaction.atomic():
        draft = services.screening_start(
            youth=youth,
            by=by,
            instrument_id=parsed.definition.id,
            # The version the response was made with, current or not: history keeps its own version.
            instrument_version=parsed.definition.version,
            reason=parsed.reason,
            reason_other=parsed.reason_other,
            information_sources=parsed.information_sources,
            screener_role=parsed.screener_role,
            known_for=parsed.known_for,
            screened_on=parsed.screened_on,
            mode=parsed.mode,
            context=context,
        )
        outcome = services.screening_save_and_finalize(
            screening=draft,
            by=by,
            expected_lock_version=draft.lock_version,
            indicator_ratings=parsed.indicator_ratings,
            statement_answers=parsed.statement_answers,
            context=context,
        )
        if outcome.refused is not None:
            raise outcome.refused
    return outcome.screening


__all__ = ["codes"]
