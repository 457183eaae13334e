"""A screening as an SDC QuestionnaireResponse, and back.

Export writes what the screening recorded: its context (date, reason, sources, role, how long
known, mode), each key indicator's rating and supporting-statement answers as codings of the
definition's scales, and the stored total and level. Import reads one back for the Django side to
store, refusing with every reason at once (an unknown instrument version, an unknown item, an answer
outside its scale, a total or level that the definition's scoring does not give): nothing half-read
is ever returned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sightline import instruments
from sightline.fhir import codes
from sightline.fhir.codes import ContextOptions
from sightline.instruments import Definition
from sightline.instruments.schema import ScaleOption

_STATUS = {"draft": "in-progress", "final": "completed", "voided": "entered-in-error"}
IMPORTABLE_STATUSES = frozenset({"completed", "amended"})


@dataclass(frozen=True)
class ScreeningRecord:
    """What a screening recorded, as plain data (the Django side fills it from a row)."""

    instrument_id: str
    instrument_version: str
    status: str  # draft, final, voided
    screened_on: dt.date
    youth_pseudonym: str
    indicator_ratings: Mapping[str, int]
    statement_answers: Mapping[str, int]
    total: int
    level: str
    reason: str = ""
    reason_other: str = ""
    information_sources: Sequence[str] = ()
    screener_role: str = ""
    known_for: str = ""
    mode: str = "full"
    screening_id: int | None = None
    amends_id: int | None = None
    authored: dt.datetime | None = None


@dataclass(frozen=True)
class ParsedResponse:
    """A QuestionnaireResponse read back: everything a screening needs, checked against its
    definition."""

    definition: Definition
    youth_pseudonym: str | None
    screened_on: dt.date
    indicator_ratings: dict[str, int]
    statement_answers: dict[str, int]
    reason: str
    reason_other: str
    information_sources: list[str]
    screener_role: str
    known_for: str
    mode: str
    total: int | None
    level: str | None


@dataclass
class FhirImportError(ValueError):
    """The resource cannot be taken; `problems` names each reason as (where, what)."""

    problems: list[tuple[str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(f"{where}: {what}" for where, what in self.problems)


def resource_id(record: ScreeningRecord) -> str:
    return f"screening-{record.screening_id}" if record.screening_id else "screening"


def _coding(system: str, option: ScaleOption) -> dict[str, Any]:
    return {"valueCoding": {"system": system, "code": option.code, "display": option.label}}


def _by_value(scale: Sequence[ScaleOption]) -> dict[int, ScaleOption]:
    return {o.value: o for o in scale}


def _context(record: ScreeningRecord, options: ContextOptions) -> list[dict[str, Any]]:
    def coded(name: str, value: str) -> dict[str, Any]:
        label = dict(options.of(name)).get(value, value)
        return {
            "valueCoding": {"system": codes.context_system(name), "code": value, "display": label}
        }

    items: list[dict[str, Any]] = [
        {
            "linkId": codes.context_link("screened_on"),
            "answer": [{"valueDate": record.screened_on.isoformat()}],
        }
    ]
    singles = {
        "reason": record.reason,
        "screener_role": record.screener_role,
        "known_for": record.known_for,
        "mode": record.mode,
    }
    for name in (
        "reason",
        "reason_other",
        "information_sources",
        "screener_role",
        "known_for",
        "mode",
    ):
        if name == "reason_other":
            if record.reason_other:
                items.append(
                    {
                        "linkId": codes.context_link(name),
                        "answer": [{"valueString": record.reason_other}],
                    }
                )
        elif name == "information_sources":
            if record.information_sources:
                items.append(
                    {
                        "linkId": codes.context_link(name),
                        "answer": [coded(name, s) for s in record.information_sources],
                    }
                )
        elif singles[name]:
            items.append(
                {"linkId": codes.context_link(name), "answer": [coded(name, singles[name])]}
            )
    return items


def questionnaire_response(
    definition: Definition, record: ScreeningRecord, *, options: ContextOptions
) -> dict[str, Any]:
    """The QuestionnaireResponse of one screening version, as FHIR JSON (a dict)."""
    if (definition.id, definition.version) != (record.instrument_id, record.instrument_version):
        raise ValueError("the record was not made with this definition")
    indicator_system = codes.scale_system(definition, "indicator-scale")
    statement_system = codes.scale_system(definition, "statement-scale")
    ratings = _by_value(definition.indicator_scale)
    answers = _by_value(definition.statement_scale)
    groups = []
    for indicator in definition.indicators:
        children: list[dict[str, Any]] = []
        rating = record.indicator_ratings.get(indicator.id)
        if rating is not None and rating in ratings:
            children.append(
                {
                    "linkId": codes.rating_link(indicator.id),
                    "answer": [_coding(indicator_system, ratings[rating])],
                }
            )
        for statement in indicator.statements:
            answer = record.statement_answers.get(statement.id)
            if answer is not None and answer in answers:
                children.append(
                    {"linkId": statement.id, "answer": [_coding(statement_system, answers[answer])]}
                )
        if children:
            groups.append({"linkId": indicator.id, "item": children})
    result: list[dict[str, Any]] = [
        {"linkId": codes.TOTAL, "answer": [{"valueInteger": record.total}]}
    ]
    if record.level:
        level = definition.level(record.level)
        result.append(
            {
                "linkId": codes.LEVEL,
                "answer": [
                    {
                        "valueCoding": {
                            "system": codes.level_system(definition),
                            "code": level.code,
                            "display": level.label,
                        }
                    }
                ],
            }
        )
    status = _STATUS.get(record.status, "in-progress")
    if status == "completed" and record.amends_id is not None:
        status = "amended"
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": resource_id(record),
        "questionnaire": definition.versioned_url,
        "status": status,
        "subject": {
            "identifier": {"system": codes.YOUTH_PSEUDONYM, "value": record.youth_pseudonym},
            "display": "Youth (pseudonymous id)",
        },
        "item": [
            {"linkId": codes.CONTEXT_GROUP, "item": _context(record, options)},
            *groups,
            {"linkId": codes.RESULT_GROUP, "item": result},
        ],
    }
    if record.screening_id is not None:
        resource["identifier"] = {"system": codes.SCREENING_ID, "value": str(record.screening_id)}
    if record.authored is not None:
        resource["authored"] = record.authored.isoformat()
    return resource


# --- import --------------------------------------------------------------------------------------------


class _Reader:
    def __init__(self, definition: Definition, options: ContextOptions) -> None:
        self.definition = definition
        self.options = options
        self.problems: list[tuple[str, str]] = []

    def problem(self, where: str, what: str) -> None:
        self.problems.append((where, what))

    def answers(self, item: Mapping[str, Any]) -> list[Mapping[str, Any]]:
        found = item.get("answer", [])
        if not isinstance(found, list) or not all(isinstance(a, Mapping) for a in found):
            self.problem(str(item.get("linkId")), "answer is not a list of answers")
            return []
        return found

    def one_coding(self, item: Mapping[str, Any], system: str, allowed: Mapping[str, Any]) -> Any:
        link = str(item.get("linkId"))
        answers = self.answers(item)
        if len(answers) != 1:
            self.problem(link, f"expected one answer, got {len(answers)}")
            return None
        coding = answers[0].get("valueCoding")
        if not isinstance(coding, Mapping):
            self.problem(link, "the answer is not a valueCoding")
            return None
        if coding.get("system") != system:
            self.problem(link, f"the coding's system is not {system}")
            return None
        code = coding.get("code")
        if not isinstance(code, str) or code not in allowed:
            self.problem(link, f"{code!r} is not one of {sorted(allowed)}")
            return None
        return allowed[code]

    def context(self, items: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        found: dict[str, Any] = {"information_sources": [], "reason_other": ""}
        known = {codes.context_link(name): name for name in codes.CONTEXT_FIELDS}
        for item in items:
            link = str(item.get("linkId"))
            name = known.get(link)
            if name is None:
                self.problem(link, "not an item of this questionnaire")
                continue
            if name == "screened_on":
                answers = self.answers(item)
                try:
                    found[name] = dt.date.fromisoformat(str(answers[0]["valueDate"]))
                except (IndexError, KeyError, ValueError):
                    self.problem(link, "expected one valueDate (YYYY-MM-DD)")
            elif name == "reason_other":
                answers = self.answers(item)
                value = answers[0].get("valueString") if len(answers) == 1 else None
                if not isinstance(value, str):
                    self.problem(link, "expected one valueString")
                else:
                    found[name] = value
            else:
                allowed = {c: c for c, _ in self.options.of(name)}
                system = codes.context_system(name)
                if name == "information_sources":
                    for answer in self.answers(item):
                        value = self.one_coding(
                            {"linkId": link, "answer": [answer]}, system, allowed
                        )
                        if value is not None:
                            found[name].append(value)
                else:
                    value = self.one_coding(item, system, allowed)
                    if value is not None:
                        found[name] = value
        if "screened_on" not in found:
            self.problem(codes.context_link("screened_on"), "the date of the contact is required")
        return found

    def indicator(
        self, group: Mapping[str, Any], ratings: dict[str, int], statements: dict[str, int]
    ) -> None:
        definition = self.definition
        indicator_id = str(group.get("linkId"))
        indicator = definition.indicator(indicator_id)
        rating_codes = {o.code: o.value for o in definition.indicator_scale}
        answer_codes = {o.code: o.value for o in definition.statement_scale}
        own_statements = {s.id for s in indicator.statements}
        for item in group.get("item", []) or []:
            link = str(item.get("linkId"))
            if link == codes.rating_link(indicator_id):
                value = self.one_coding(
                    item, codes.scale_system(definition, "indicator-scale"), rating_codes
                )
                if value is not None:
                    ratings[indicator_id] = value
            elif link in own_statements:
                value = self.one_coding(
                    item, codes.scale_system(definition, "statement-scale"), answer_codes
                )
                if value is not None:
                    statements[link] = value
            else:
                self.problem(link, f"not an item of key indicator {indicator_id!r}")

    def result(self, items: Sequence[Mapping[str, Any]]) -> tuple[int | None, str | None]:
        total: int | None = None
        level: str | None = None
        for item in items:
            link = str(item.get("linkId"))
            answers = self.answers(item)
            if link == codes.TOTAL:
                value = answers[0].get("valueInteger") if len(answers) == 1 else None
                if type(value) is not int:
                    self.problem(link, "expected one valueInteger")
                else:
                    total = value
            elif link == codes.LEVEL:
                allowed = {lvl.code: lvl.code for lvl in self.definition.levels}
                level = self.one_coding(item, codes.level_system(self.definition), allowed)
            else:
                self.problem(link, "not an item of this questionnaire")
        return total, level


def parse_questionnaire_response(
    resource: Mapping[str, Any],
    *,
    find: Callable[[str, str], Definition | None],
    options: ContextOptions,
) -> ParsedResponse:
    """Read a completed QuestionnaireResponse; FhirImportError lists every problem.

    `find(canonical_url, version)` is the installed definition of that version, or None. The stored
    total and level, when given, must be what the definition's scoring gives for the answers.
    """
    if not isinstance(resource, Mapping) or resource.get("resourceType") != "QuestionnaireResponse":
        raise FhirImportError([("resourceType", "expected a QuestionnaireResponse")])
    reference = resource.get("questionnaire")
    url, _, version = str(reference or "").partition("|")
    definition = find(url, version) if url and version else None
    if definition is None:
        raise FhirImportError(
            [
                (
                    "questionnaire",
                    f"unknown instrument version {reference!r} (expected <url>|<version>)",
                )
            ]
        )
    problems: list[tuple[str, str]] = []
    status = resource.get("status")
    if status not in IMPORTABLE_STATUSES:
        problems.append(("status", f"only a completed response can be imported, not {status!r}"))
    reader = _Reader(definition, options)
    ratings: dict[str, int] = {}
    statements: dict[str, int] = {}
    context: dict[str, Any] = {}
    total: int | None = None
    level: str | None = None
    indicator_ids = {i.id for i in definition.indicators}
    items = resource.get("item", [])
    if not isinstance(items, list):
        items = []
        problems.append(("item", "expected a list of items"))
    for item in items:
        if not isinstance(item, Mapping):
            problems.append(("item", "an item is not an object"))
            continue
        link = str(item.get("linkId"))
        children = item.get("item", []) or []
        if link == codes.CONTEXT_GROUP:
            context = reader.context(children)
        elif link == codes.RESULT_GROUP:
            total, level = reader.result(children)
        elif link in indicator_ids:
            reader.indicator(item, ratings, statements)
        else:
            problems.append((link, "not an item of this questionnaire"))
    if not context:
        reader.problem(
            codes.CONTEXT_GROUP, "the screening's context (at least its date) is required"
        )
    problems += reader.problems
    if not problems:
        scored = instruments.score(
            definition,
            {i.id: ratings.get(i.id, instruments.MISSING) for i in definition.indicators},
            statements or None,
        )
        if total is not None and total != scored.total:
            problems.append((codes.TOTAL, f"the total {total} is not the score {scored.total}"))
        if level is not None and level != scored.level:
            problems.append((codes.LEVEL, f"the level {level!r} is not the score {scored.level!r}"))
    if problems:
        raise FhirImportError(problems)
    subject = resource.get("subject") or {}
    identifier = subject.get("identifier") if isinstance(subject, Mapping) else None
    pseudonym = (
        str(identifier.get("value"))
        if isinstance(identifier, Mapping) and identifier.get("system") == codes.YOUTH_PSEUDONYM
        else None
    )
    return ParsedResponse(
        definition=definition,
        youth_pseudonym=pseudonym,
        screened_on=context["screened_on"],
        indicator_ratings=ratings,
        statement_answers=statements,
        reason=context.get("reason", ""),
        reason_other=context.get("reason_other", ""),
        information_sources=context.get("information_sources", []),
        screener_role=context.get("screener_role", ""),
        known_for=context.get("known_for", ""),
        mode=context.get("mode", "full"),
        total=total,
        level=level,
    )
