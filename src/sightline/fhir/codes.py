"""The URLs and link ids the FHIR mapping shares between Questionnaire and QuestionnaireResponse."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sightline.instruments import Definition

SIGHTLINE = "https://sightline.example/fhir"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
CALCULATED_EXPRESSION = (
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression"
)
SDC_QUESTIONNAIRE_PROFILE = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire"
USAGE_CONTEXT_TYPE = f"{SIGHTLINE}/CodeSystem/usage-context-type"
WORDING = f"{SIGHTLINE}/CodeSystem/wording"
SCREENING_ID = f"{SIGHTLINE}/screening"
YOUTH_PSEUDONYM = f"{SIGHTLINE}/youth-pseudonym"

CONTEXT_GROUP = "context"
RESULT_GROUP = "result"
TOTAL = "result.total"
LEVEL = "result.level"
CONTEXT_FIELDS = (
    "screened_on",
    "reason",
    "reason_other",
    "information_sources",
    "screener_role",
    "known_for",
    "mode",
)


def rating_link(indicator_id: str) -> str:
    """The rating question of a key indicator (the group itself is linked by the indicator's id)."""
    return f"{indicator_id}.rating"


def context_link(name: str) -> str:
    return f"{CONTEXT_GROUP}.{name}"


def scale_system(definition: Definition, scale: str) -> str:
    """The code system of one rating scale of one instrument (its codes are the scale's codes)."""
    return f"{definition.canonical_url}/{scale}"


def context_system(name: str) -> str:
    return f"{SIGHTLINE}/CodeSystem/{name.replace('_', '-')}"


def level_system(definition: Definition) -> str:
    return f"{definition.canonical_url}/level"


@dataclass(frozen=True)
class ContextOptions:
    """The codes (and labels) of the screening's context questions, handed in by the Django side so
    this package needs no Django: reasons, information sources, screener roles, how long known,
    modes."""

    reasons: Sequence[tuple[str, str]]
    information_sources: Sequence[tuple[str, str]]
    screener_roles: Sequence[tuple[str, str]]
    known_for: Sequence[tuple[str, str]]
    modes: Sequence[tuple[str, str]]

    def of(self, name: str) -> Sequence[tuple[str, str]]:
        return {
            "reason": self.reasons,
            "information_sources": self.information_sources,
            "screener_role": self.screener_roles,
            "known_for": self.known_for,
            "mode": self.modes,
        }[name]
