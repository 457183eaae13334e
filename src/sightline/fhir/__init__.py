"""FHIR R4 Structured Data Capture mapping of instruments and screenings (pure: no Django).

`questionnaire` renders one definition version as a Questionnaire; `response` renders a screening as
a QuestionnaireResponse and reads one back (refusing, with every reason, what it cannot take);
`bundle` collects a youth's screenings. The Django side (`sightline.fhir.service`) turns records
into the plain `ScreeningRecord` these take and stores imports through the screening services.
"""

from sightline.fhir.bundle import collection_bundle
from sightline.fhir.codes import ContextOptions
from sightline.fhir.questionnaire import questionnaire
from sightline.fhir.response import (
    FhirImportError,
    ParsedResponse,
    ScreeningRecord,
    parse_questionnaire_response,
    questionnaire_response,
)

__all__ = [
    "ContextOptions",
    "FhirImportError",
    "ParsedResponse",
    "ScreeningRecord",
    "collection_bundle",
    "parse_questionnaire_response",
    "questionnaire",
    "questionnaire_response",
]
