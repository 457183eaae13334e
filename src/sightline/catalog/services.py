"""Installing definition versions into the catalog: the one step that reads definition files.

`definition_install` validates one file's bytes and adds its version; `sync_installed` installs every
file in the bundled folder and `SIGHTLINE_INSTRUMENT_DIRS` (run by every `migrate`, by
`manage.py instruments_sync` and by `sightline instruments load`). A broken file is refused with its
`DefinitionError` message and nothing is installed for it; the good files beside it still are.
Versions are immutable: the same id and version with other content is refused, an identical copy is a
no-op.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from sightline.catalog import selectors
from sightline.catalog.models import InstalledDefinition
from sightline.instruments import Definition, DefinitionError, registry
from sightline.instruments.parsing import parse_definition

if TYPE_CHECKING:
    from sightline.tenancy.models import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Installed:
    """The outcome of installing one file: its definition, and whether a new row was written."""

    definition: Definition
    created: bool


@dataclass
class SyncReport:
    """What `sync_installed` did with each file it found."""

    installed: list[Installed] = field(default_factory=list)
    refused: list[DefinitionError] = field(default_factory=list)

    @property
    def created(self) -> list[Definition]:
        return [i.definition for i in self.installed if i.created]


def definition_install(*, raw: bytes, source: str | Path, by: User | None = None) -> Installed:
    """Validate a definition file's bytes and install its version.

    Raises DefinitionError (``"<source>: <place>: <problem>"``) for an invalid file, for a version
    already installed with different content, and for a canonical URL and version another instrument
    uses; nothing is written then.
    """
    definition = parse_definition(raw, source=source)
    try:
        text = raw.decode("utf-8")  # parse_definition has checked it is UTF-8
        existing = _existing(definition, source)
        if existing is not None:
            return Installed(existing, created=False)
        with transaction.atomic():
            InstalledDefinition.objects.create(
                instrument_id=definition.id,
                version=definition.version,
                url=definition.canonical_url,
                sha256=definition.sha256,
                content=text,
                official=definition.official,
                title=definition.title,
                short_title=definition.short_title,
                source_name=str(source)[-255:],
                installed_by=by,
            )
            selectors.forget_if_rolled_back()
    except IntegrityError:
        # Another process installed the same version (or URL) a moment ago: judge it as installed.
        existing = _existing(definition, source)
        if existing is None:  # pragma: no cover -- a constraint we do not know of
            raise
        return Installed(existing, created=False)
    finally:
        selectors.forget()
    return Installed(definition, created=True)


def sync_installed(*, search_dirs: Iterable[str | Path] = (), by: User | None = None) -> SyncReport:
    """Install every definition file in the bundled folder, `SIGHTLINE_INSTRUMENT_DIRS` and
    `search_dirs`, in that order; a broken or conflicting file is refused on its own (in the report)."""
    report = SyncReport()
    for found in registry.scan(search_dirs=search_dirs):
        if found.error is not None:
            report.refused.append(found.error)
            continue
        try:
            report.installed.append(definition_install(raw=found.raw, source=found.path, by=by))
        except DefinitionError as error:
            report.refused.append(error)
    return report


def sync_after_migrate(
    *, using: str = "default", verbosity: int = 1, stdout: Any = None, **_: Any
) -> None:
    """`post_migrate` receiver: install the bundled files and `SIGHTLINE_INSTRUMENT_DIRS`.

    A refused file is reported, never fatal: `migrate` must finish, and pages leave the file out.
    """
    if using != "default" or InstalledDefinition._meta.db_table not in _tables():
        return  # another database, or the catalog migrated away
    report = sync_installed()
    out = stdout if stdout is not None else sys.stdout
    for created in report.created:
        if verbosity >= 1:
            out.write(f"  Installed instrument {created.id} {created.version}\n")
    for error in report.refused:
        logger.warning("Instrument definition refused (not installed): %s", error)
    selectors.installed_versions()  # read the list now, so the first page need not


def _tables() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def _existing(definition: Definition, source: str | Path) -> Definition | None:
    """The installed definition of this id and version when its content is the same; DefinitionError
    when another content holds the version or another instrument holds the URL; None if neither."""
    same_version = (
        InstalledDefinition.objects.filter(instrument_id=definition.id, version=definition.version)
        .values_list("sha256", flat=True)
        .first()
    )
    if same_version is not None:
        if same_version != definition.sha256:
            raise DefinitionError(
                source,
                "version",
                f"'{definition.id}' version '{definition.version}' is already installed with "
                "different content; versions are immutable, so give the changed file a new version",
            )
        return definition
    other = (
        InstalledDefinition.objects.filter(url=definition.canonical_url, version=definition.version)
        .values_list("instrument_id", flat=True)
        .first()
    )
    if other is not None:
        raise DefinitionError(
            source,
            "url",
            f"{definition.canonical_url} version '{definition.version}' is already installed as "
            f"the instrument '{other}'; an instrument's canonical URL must be its own",
        )
    return None
