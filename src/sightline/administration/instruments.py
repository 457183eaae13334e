"""The system admin's upload of an official instrument definition file: check it, or install it
through `catalog.services.definition_install` (the validator and install the command line uses)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction

from sightline.audit.context import AuditContext, context_for
from sightline.audit.models import AuditAction
from sightline.audit.services import audit_record
from sightline.catalog.services import definition_install
from sightline.instruments import Definition, DefinitionError
from sightline.instruments.parsing import MAX_FILE_BYTES, parse_definition
from sightline.tenancy import access
from sightline.tenancy.permissions import Permission

if TYPE_CHECKING:
    from sightline.tenancy.models import User


UPLOAD_SUFFIXES = (".yaml", ".yml")
WRONG_TYPE = "Upload a YAML definition file (.yaml or .yml, UTF-8 text)."
TOO_LARGE = "The file is larger than the {limit:,} bytes a definition file may have."


@dataclass(frozen=True)
class Checked:
    """An uploaded file that passed the validator: its definition, and whether it was installed now
    (False for a check only, or for an identical copy of an installed version)."""

    definition: Definition
    installed: bool


def definition_upload(
    *,
    by: User,
    name: str,
    raw: bytes,
    install: bool,
    context: AuditContext | None = None,
) -> Checked:
    """Check an uploaded definition file and, when `install`, add its version to the catalog.

    Refused before the validator runs: more than `MAX_FILE_BYTES`, a name that is not .yaml/.yml,
    bytes that are not UTF-8 text. A broken file raises the validator's DefinitionError (its
    `problems` list every one found) and changes nothing. Only system admins (INSTRUMENT_INSTALL).
    """
    if not access.holds_anywhere(by, Permission.INSTRUMENT_INSTALL):
        raise access.Forbidden(
            access.NOT_ALLOWED,
            object_type="instrument_definition",
            object_id=name[:64],
            permission=Permission.INSTRUMENT_INSTALL,
        )
    shown = Path(name).name[:200] or "upload"
    if len(raw) > MAX_FILE_BYTES:
        raise DefinitionError(shown, "", TOO_LARGE.format(limit=MAX_FILE_BYTES))
    if Path(shown).suffix.lower() not in UPLOAD_SUFFIXES or b"\x00" in raw:
        raise DefinitionError(shown, "", WRONG_TYPE)
    if not install:
        return Checked(parse_definition(raw, source=shown), installed=False)
    with transaction.atomic():
        done = definition_install(raw=raw, source=shown, by=by)
        if done.created:
            audit_record(
                actor=by,
                action=AuditAction.CREATE,
                object_type="instrument_definition",
                object_id=f"{done.definition.id}@{done.definition.version}"[:64],
                context=context_for(by, context),
                detail={
                    "instrument": done.definition.id,
                    "version": done.definition.version,
                    "sha256": done.definition.sha256,
                    "official": done.definition.official,
                    "file": shown,
                },
            )
    return Checked(done.definition, installed=done.created)
