"""One instrument definition version as an SDC Questionnaire.

The canonical URL and version are the stored definition's. Each key indicator is a group holding its
rating question and its supporting statements; every answer option carries its points as
`ordinalValue`; the total and the concern level are read-only items with `calculatedExpression`s
(FHIRPath over the answers, from the definition's cut-offs and overrides, so a form filler can show
the preview; Sightline's own scorer stays the authority). `official: false` travels as a use context,
so an unofficial wording is never mistaken for the publisher's.
"""

from __future__ import annotations

import re
from typing import Any

from sightline.fhir import codes
from sightline.fhir.codes import ContextOptions
from sightline.instruments import Definition
from sightline.instruments.schema import ScaleOption

VARIABLE = "http://hl7.org/fhir/StructureDefinition/variable"


def resource_id(definition: Definition) -> str:
    """A FHIR id ([A-Za-z0-9-.]{1,64}) for one version."""
    return re.sub(r"[^A-Za-z0-9\-.]", "-", f"{definition.id}-{definition.version}")[:64]


def _option(system: str, option: ScaleOption, points: int) -> dict[str, Any]:
    return {
        "extension": [{"url": codes.ORDINAL_VALUE, "valueDecimal": points}],
        "valueCoding": {"system": system, "code": option.code, "display": option.label},
    }


def _points(definition: Definition, option: ScaleOption) -> int:
    return definition.scoring.not_enough_information.points if option.is_nei else option.value


def _expression(expression: str, *, name: str | None = None) -> dict[str, Any]:
    value: dict[str, Any] = {"language": "text/fhirpath", "expression": expression}
    if name:
        value["name"] = name
    return value


def _quoted(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _ratings() -> str:
    return "%resource.repeat(item).where(linkId.endsWith('.rating')).answer.value"


def _nei_codes(definition: Definition) -> list[str]:
    return [o.code for o in definition.indicator_scale if o.is_nei]


def _scored(definition: Definition) -> str:
    """Rating answers that are points on the scale (not 'not enough information')."""
    nei = _nei_codes(definition)
    if not nei:
        return _ratings()
    return _ratings() + "".join(f".where(code != {_quoted(code)})" for code in nei)


def total_expression(definition: Definition) -> str:
    return f"{_ratings()}.ordinal().sum()"


def rated_expression(definition: Definition) -> str:
    counted = (
        _ratings()
        if definition.scoring.not_enough_information.counts_as_rated
        else _scored(definition)
    )
    return f"{counted}.count()"


def level_expression(definition: Definition) -> str:
    """The concern level code, or empty when too few indicators are rated and no override applies
    (the rules of `instruments.scoring.decide`)."""
    scoring = definition.scoring
    minimum = f"%rated >= {scoring.minimum_rated}"
    top = len(definition.levels) - 1
    expression = "{}"
    for index in range(top + 1):
        level = definition.levels[index]
        by_cutoff = [
            f"%total >= {cutoff.min_total}"
            for cutoff in scoring.cutoffs
            if definition.level_index(cutoff.level) >= index
        ]
        reasons = []
        if index == 0:
            reasons.append(minimum)
        elif by_cutoff:
            reasons.append(f"({minimum} and ({' or '.join(by_cutoff)}))")
        for override in scoring.overrides:
            if definition.level_index(override.level_at_least) >= index:
                links = " | ".join(_quoted(codes.rating_link(i)) for i in override.indicators)
                met = (
                    f"%resource.repeat(item).where(linkId in ({links})).answer.value"
                    + "".join(f".where(code != {_quoted(c)})" for c in _nei_codes(definition))
                    + f".where(ordinal() >= {override.rating_at_least}).count()"
                    + f" >= {override.count_at_least}"
                )
                reasons.append(f"({met})")
        if reasons:
            expression = f"iif({' or '.join(reasons)}, {_quoted(level.code)}, {expression})"
    return expression


def _context_items(options: ContextOptions) -> list[dict[str, Any]]:
    def choice(name: str, text: str, *, repeats: bool = False) -> dict[str, Any]:
        item: dict[str, Any] = {
            "linkId": codes.context_link(name),
            "text": text,
            "type": "choice",
            "answerOption": [
                {"valueCoding": {"system": codes.context_system(name), "code": c, "display": label}}
                for c, label in options.of(name)
            ],
        }
        if repeats:
            item["repeats"] = True
        return item

    return [
        {
            "linkId": codes.context_link("screened_on"),
            "text": "Date of the contact",
            "type": "date",
            "required": True,
        },
        choice("reason", "Reason for screening"),
        {"linkId": codes.context_link("reason_other"), "text": "Other reason", "type": "string"},
        choice("information_sources", "Information sources used", repeats=True),
        choice("screener_role", "Screener's professional role"),
        choice("known_for", "How long the screener has known the youth"),
        choice("mode", "Mode"),
    ]


def questionnaire(definition: Definition, *, options: ContextOptions) -> dict[str, Any]:
    """The Questionnaire of one definition version, as FHIR JSON (a dict)."""
    indicator_system = codes.scale_system(definition, "indicator-scale")
    statement_system = codes.scale_system(definition, "statement-scale")
    groups = []
    for indicator in definition.indicators:
        items: list[dict[str, Any]] = [
            {
                "linkId": codes.rating_link(indicator.id),
                "text": f"Rating: {indicator.title}",
                "type": "choice",
                "answerOption": [
                    _option(indicator_system, o, _points(definition, o))
                    for o in definition.indicator_scale
                ],
            }
        ]
        items += [
            {
                "linkId": statement.id,
                "text": statement.text,
                "type": "choice",
                "answerOption": [
                    _option(statement_system, o, _points(definition, o))
                    for o in definition.statement_scale
                ],
            }
            for statement in indicator.statements
        ]
        group: dict[str, Any] = {
            "linkId": indicator.id,
            "text": indicator.title,
            "type": "group",
            "prefix": indicator.domain,
            "item": items,
        }
        groups.append(group)
    level_system = codes.level_system(definition)
    result = {
        "linkId": codes.RESULT_GROUP,
        "text": "Result (calculated; not legal evidence that exploitation occurred)",
        "type": "group",
        "item": [
            {
                "linkId": codes.TOTAL,
                "text": "Total",
                "type": "integer",
                "readOnly": True,
                "extension": [
                    {
                        "url": codes.CALCULATED_EXPRESSION,
                        "valueExpression": _expression("%total"),
                    }
                ],
            },
            {
                "linkId": codes.LEVEL,
                "text": "Concern level",
                "type": "choice",
                "readOnly": True,
                "answerOption": [
                    {
                        "valueCoding": {
                            "system": level_system,
                            "code": level.code,
                            "display": level.label,
                        }
                    }
                    for level in definition.levels
                ],
                "extension": [
                    {
                        "url": codes.CALCULATED_EXPRESSION,
                        "valueExpression": _expression(level_expression(definition)),
                    }
                ],
            },
        ],
    }
    wording = "official" if definition.official else "unofficial"
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": resource_id(definition),
        "meta": {"profile": [codes.SDC_QUESTIONNAIRE_PROFILE]},
        "extension": [
            {
                "url": VARIABLE,
                "valueExpression": _expression(total_expression(definition), name="total"),
            },
            {
                "url": VARIABLE,
                "valueExpression": _expression(rated_expression(definition), name="rated"),
            },
        ],
        "url": definition.canonical_url,
        "version": definition.version,
        "name": re.sub(r"[^A-Za-z0-9]", "", definition.short_title.title()) or "Screening",
        "title": definition.title,
        "status": "active",
        "subjectType": ["Patient"],
        "useContext": [
            {
                "code": {"system": codes.USAGE_CONTEXT_TYPE, "code": "wording"},
                "valueCodeableConcept": {
                    "coding": [{"system": codes.WORDING, "code": wording}],
                    "text": "Official wording"
                    if definition.official
                    else (
                        "Unofficial wording (official: false): not the publisher's text or cut-offs"
                    ),
                },
            }
        ],
        "item": [
            {
                "linkId": codes.CONTEXT_GROUP,
                "text": "About this screening",
                "type": "group",
                "item": _context_items(options),
            },
            *groups,
            result,
        ],
    }
    if definition.description:
        resource["description"] = definition.description
    if definition.source_note:
        resource["copyright"] = definition.source_note
    return resource
