"""Erase one youth and every row that points at them, by walking the foreign keys.

The walk starts at the youth and follows every relation that points back at a model it deletes
(`_meta.get_fields(include_hidden=True)`, so the schedule's `related_name="+"` keys count too), deleting
children before parents. A model added later with a key to the youth, an intake or a screening is
therefore erased without a change here, and the test that checks "no row of the youth in any table"
walks the same graph. Rows that name the youth by a plain id (not a key) are listed explicitly:
external keys of imports, events received from case systems, and stored API answers that carry the
youth. Audit events are never touched: they hold ids and codes, not identifying text.
"""

from __future__ import annotations

import base64
import json
import re
from collections import Counter
from typing import Any

from django.db import models
from django.db.models.fields.reverse_related import ForeignObjectRel

from sightline.apitokens.models import IdempotencyRecord, ReceivedEvent
from sightline.audit.models import AuditEvent
from sightline.imports.models import ExternalKey, ObjectType
from sightline.youth.models import IntakeEpisode, Youth

# Reached only through `erase_youth`'s explicit steps (or never: the audit trail stays).
_NOT_WALKED = {AuditEvent}


def reverse_relations(model: type[models.Model]) -> list[ForeignObjectRel]:
    """Every one-to-many or one-to-one relation pointing at `model`, hidden ones included."""
    return [
        field
        for field in model._meta.get_fields(include_hidden=True)
        if isinstance(field, ForeignObjectRel)
        and not field.many_to_many
        and field.related_model not in _NOT_WALKED
    ]


def erase_youth(youth: Youth) -> dict[str, int]:
    """Delete the youth and everything that refers to them; returns rows deleted per model label.

    Call inside a transaction (the deletion service does): a failure leaves everything in place.
    """
    counts: Counter[str] = Counter()
    intake_ids = list(IntakeEpisode.objects.filter(youth_id=youth.pk).values_list("pk", flat=True))
    screening_ids = list(youth.screenings.values_list("pk", flat=True))
    _erase_plain_references(youth, intake_ids, screening_ids, counts)
    _erase(Youth, [youth.pk], counts)
    return {label: n for label, n in sorted(counts.items()) if n}


def _erase(model: type[models.Model], pks: list[Any], counts: Counter[str]) -> None:
    if not pks:
        return
    for relation in reverse_relations(model):
        child = relation.related_model
        field = relation.field.name
        if child is model:
            continue  # a key to the same table (an amendment's original): ordered below
        child_pks = list(
            child._base_manager.filter(**{f"{field}__in": pks}).values_list("pk", flat=True)
        )
        _erase(child, child_pks, counts)
    _delete_in_order(model, pks, counts)


def _delete_in_order(model: type[models.Model], pks: list[Any], counts: Counter[str]) -> None:
    """Delete `pks`, rows that others among them point at (by a key to the same table) last."""
    own_keys = [r.field.name for r in reverse_relations(model) if r.related_model is model]
    left = set(pks)
    while left:
        referenced: set[Any] = set()
        for name in own_keys:
            referenced |= set(
                model._base_manager.filter(pk__in=left, **{f"{name}__isnull": False}).values_list(
                    name, flat=True
                )
            )
        leaves = left - referenced
        if not leaves:  # pragma: no cover -- a cycle of keys; the database would refuse anyway
            leaves = left
        # The base manager: the append-only guards of some querysets (reviews) stop edits, not this.
        _, deleted = model._base_manager.filter(pk__in=sorted(leaves)).delete()
        counts.update(deleted)
        left -= leaves


def _erase_plain_references(
    youth: Youth, intake_ids: list[int], screening_ids: list[int], counts: Counter[str]
) -> None:
    for object_type, ids in (
        (ObjectType.YOUTH, [youth.pk]),
        (ObjectType.INTAKE, intake_ids),
        (ObjectType.SCREENING, screening_ids),
    ):
        if ids:
            _, deleted = ExternalKey.objects.filter(
                object_type=object_type, object_id__in=ids
            ).delete()
            counts.update(deleted)
    counts.update(ReceivedEvent.objects.filter(youth_id=youth.pk).delete()[1])
    stored = [
        record.pk
        for record in IdempotencyRecord.objects.only("pk", "sealed_body").iterator(chunk_size=500)
        # Encrypted (the base64 of the answer's bytes): opened one by one, never searched in SQL.
        if _mentions(base64.b64decode(record.sealed_body or ""), youth, intake_ids, screening_ids)
    ]
    if stored:
        counts.update(IdempotencyRecord.objects.filter(pk__in=stored).delete()[1])


_JSON_START = re.compile(rb"^\s*[\[{]")


def _mentions(body: bytes, youth: Youth, intake_ids: list[int], screening_ids: list[int]) -> bool:
    """Whether a stored API answer is about the youth, one of their intakes or screenings."""
    if not body or not _JSON_START.match(body):
        return False
    try:
        document = json.loads(body)
    except ValueError:
        return False
    pseudonym = str(youth.pseudonym)
    intakes, screenings = set(intake_ids), set(screening_ids)

    def about(node: Any) -> bool:
        if isinstance(node, list):
            return any(about(item) for item in node)
        if not isinstance(node, dict):
            return False
        if node.get("pseudonym") == pseudonym or node.get("youth_id") == youth.pk:
            return True
        if node.get("intake_id") in intakes or node.get("screening_id") in screenings:
            return True
        return any(about(value) for value in node.values() if isinstance(value, dict | list))

    return about(document)
