"""Reads of the installed definitions: the only way pages and services get a definition.

Two per-process caches make a definition cost no query on a page:

- **Parsed definitions**, keyed by ``(id, version, sha256)``. An installed version never changes (the
  row is immutable and its content must hash to its sha256), so an entry is never stale.
- **The list of installed versions** (ids, versions, hashes, titles; never the content), read with one
  small query and trusted for `SIGHTLINE_CATALOG_RECHECK_SECONDS` (default 10). So a version another
  server process installs is used here within that time; a lookup of an exact version or id that is
  not in the list looks again at once (rows are immutable, so only a miss can be news); and this
  process sees its own installs at once. A list read inside a transaction that installed a version and
  then rolled back is dropped, so a version that was never committed is never shown.

A row whose content does not parse or does not match its sha256 (a file the validator of an older
release accepted, or a row edited by hand) is logged and left out, as if it were not installed: a
broken definition can never take a page down.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from sightline.catalog.models import InstalledDefinition
from sightline.instruments import Definition, DefinitionError
from sightline.instruments.parsing import parse_definition
from sightline.instruments.registry import version_key

logger = logging.getLogger(__name__)

LevelKey = tuple[str, str, str]  # (instrument id, version, level code)
DEFAULT_RECHECK_SECONDS = 10

_LISTED = ("pk", "instrument_id", "version", "sha256", "url", "official", "title", "short_title")


@dataclass(frozen=True)
class InstalledVersion:
    """One installed definition version, as a list shows it (no parsing needed)."""

    instrument_id: str
    version: str
    sha256: str
    url: str
    official: bool
    title: str
    short_title: str

    @property
    def versioned_url(self) -> str:
        """The version's canonical reference, FHIR style: ``<url>|<version>``."""
        return f"{self.url}|{self.version}"


@dataclass(frozen=True)
class _View:
    """One consistent look at the catalog: the usable versions, in order, with their definitions."""

    listed_at: float  # time.monotonic() of the query
    versions: tuple[InstalledVersion, ...]
    definitions: Mapping[tuple[str, str], Definition]
    current: Mapping[str, Definition]


class _Commit:
    """An on-commit callback that only records that the transaction committed."""

    committed = False

    def __call__(self) -> None:
        self.committed = True


# (id, version, sha256) -> the parsed definition, or None for content that is unusable.
_parsed: dict[tuple[str, str, str], Definition | None] = {}
_view: _View | None = None
# Set while a version this process installed inside a transaction is not yet committed.
_uncommitted: tuple[Any, _Commit] | None = None


def forget() -> None:
    """Make the next read list the table again (this process installed something)."""
    global _view
    _view = None


def forget_if_rolled_back() -> None:
    """Call after installing inside a transaction: if it rolls back, the next read lists again."""
    global _uncommitted
    if connection.in_atomic_block:
        marker = _Commit()
        transaction.on_commit(marker)
        _uncommitted = (connections[DEFAULT_DB_ALIAS], marker)  # this thread's connection
    forget()


def clear_cache() -> None:
    """Forget everything, parsed definitions included (only tests need this)."""
    _parsed.clear()
    forget()


# --- public reads ----------------------------------------------------------------------------------------


def installed_versions() -> list[InstalledVersion]:
    """Every usable installed version, sorted by id, then version in natural order (2.10 after 2.9)."""
    return list(_catalog().versions)


def installed_definitions() -> list[Definition]:
    """The definitions of `installed_versions`, in the same order."""
    view = _catalog()
    return [view.definitions[(v.instrument_id, v.version)] for v in view.versions]


def definition(instrument_id: str, version: str) -> Definition:
    """The installed definition of exactly this version (a screening's pinned one); LookupError if
    that version is not installed (or unusable)."""
    found = _catalog().definitions.get((instrument_id, version))
    if found is None:  # perhaps installed by another process a moment ago: look again
        found = _catalog(fresh=True).definitions.get((instrument_id, version))
    if found is None:
        raise LookupError(f"'{instrument_id}' version '{version}' is not installed")
    return found


def current_definition(instrument_id: str) -> Definition:
    """The version a new screening with this id uses: an official one before an unofficial one, then
    the highest version. LookupError if no version of the id is installed."""
    found = _catalog().current.get(instrument_id)
    if found is None:
        found = _catalog(fresh=True).current.get(instrument_id)
    if found is None:
        raise LookupError(f"no instrument definition has the id '{instrument_id}'")
    return found


def current_definitions() -> list[Definition]:
    """The current version of every installed instrument, sorted by id."""
    return list(_catalog().current.values())


def instrument_ids() -> frozenset[str]:
    """The ids of the installed instruments."""
    return frozenset(_catalog().current)


def instrument_titles() -> dict[str, str]:
    """Instrument id -> the short title of its current version, for choices and list columns."""
    return {i: d.short_title or d.title for i, d in _catalog().current.items()}


def level_label(instrument_id: str, version: str, code: str, *, language: str | None = None) -> str:
    """The label of level `code` in that definition version; the code itself when the version is not
    installed or has no such level (a page shows something rather than failing). Empty for no code.
    With `language`, the definition's own translation of the label where it has one (docs/i18n.md)."""
    if not code:
        return ""
    return _label(_catalog(), instrument_id, version, code, language)


def level_labels(keys: Iterable[LevelKey], *, language: str | None = None) -> dict[LevelKey, str]:
    """`level_label` for many ``(instrument id, version, level code)`` keys at once."""
    view = _catalog()
    return {key: _label(view, *key, language) if key[2] else "" for key in keys}


def level_choices(*, language: str | None = None) -> list[tuple[str, str]]:
    """Every level code of the current instruments with its label, for a filter by level. When two
    instruments give one code different labels, the choice shows both ("Moderate / Possible")."""
    labels: dict[str, list[str]] = {}
    for found in _catalog().current.values():
        for level in found.localized(language).levels:
            names = labels.setdefault(level.code, [])
            if level.label not in names:
                names.append(level.label)
    return [(code, " / ".join(names)) for code, names in labels.items()]


def sooner_rescreen_levels() -> dict[LevelKey, tuple[int, str]]:
    """Every level that calls for a sooner rescreen, over every installed version:
    ``(instrument id, version, level code)`` -> ``(its rescreen_days, its label)``. Levels with
    ``rescreen_days: null`` are left out."""
    return {
        (d.id, d.version, level.code): (level.rescreen_days, level.label)
        for d in _catalog().definitions.values()
        for level in d.levels
        if level.rescreen_days is not None
    }


# --- the cache -------------------------------------------------------------------------------------------


def _label(
    view: _View, instrument_id: str, version: str, code: str, language: str | None = None
) -> str:
    found = view.definitions.get((instrument_id, version))
    if found is None:
        return code
    try:
        return found.localized(language).level(code).label
    except KeyError:
        return code


def _catalog(*, fresh: bool = False) -> _View:
    """The trusted view, or a new one; `fresh` lists again unless the view was listed just now."""
    global _view
    view = _view
    if view is not None and not _rolled_back():
        age = time.monotonic() - view.listed_at
        interval = getattr(settings, "SIGHTLINE_CATALOG_RECHECK_SECONDS", DEFAULT_RECHECK_SECONDS)
        if fresh:
            if age < 0.001:
                return view
        elif interval is None or age < interval:
            return view
    rows = list(InstalledDefinition.objects.order_by().values_list(*_LISTED))
    _view = view = _build(rows)
    return view


def _rolled_back() -> bool:
    """True (once) when a transaction that installed a version here has rolled back."""
    global _uncommitted
    if _uncommitted is None:
        return False
    installed_on, marker = _uncommitted
    if marker.committed:
        _uncommitted = None
        return False
    # A rollback (of the transaction or of the savepoint around the install) drops the callback.
    if any(entry[1] is marker for entry in installed_on.run_on_commit):
        return False  # still inside that transaction
    _uncommitted = None
    return True


def _build(rows: list[tuple[Any, ...]]) -> _View:
    unparsed = [row for row in rows if (row[1], row[2], row[3]) not in _parsed]
    if unparsed:
        contents = dict(
            InstalledDefinition.objects.filter(pk__in=[row[0] for row in unparsed])
            .order_by()
            .values_list("pk", "content")
        )
        for pk, instrument_id, version, sha256, *_ in unparsed:
            _parsed[(instrument_id, version, sha256)] = _parse(
                instrument_id, version, sha256, contents.get(pk)
            )
    versions: list[InstalledVersion] = []
    definitions: dict[tuple[str, str], Definition] = {}
    for _, instrument_id, version, sha256, url, official, title, short_title in rows:
        parsed = _parsed.get((instrument_id, version, sha256))
        if parsed is None:
            continue
        versions.append(
            InstalledVersion(instrument_id, version, sha256, url, official, title, short_title)
        )
        definitions[(instrument_id, version)] = parsed
    versions.sort(key=lambda v: (v.instrument_id, version_key(v.version), v.version))
    current: dict[str, Definition] = {}
    for (
        installed
    ) in versions:  # ascending: a later one replaces an earlier one unless less official
        chosen = current.get(installed.instrument_id)
        if chosen is None or installed.official or not chosen.official:
            current[installed.instrument_id] = definitions[
                (installed.instrument_id, installed.version)
            ]
    return _View(time.monotonic(), tuple(versions), definitions, dict(sorted(current.items())))


def _parse(instrument_id: str, version: str, sha256: str, content: str | None) -> Definition | None:
    name = f"{instrument_id}@{version}"
    if content is None:
        return None
    raw = content.encode("utf-8")
    if hashlib.sha256(raw).hexdigest() != sha256:
        logger.error("Installed definition %s does not match its sha256; it is not used.", name)
        return None
    try:
        parsed = parse_definition(raw, source=name)
    except DefinitionError as error:
        logger.error("Installed definition %s is not valid (%s); it is not used.", name, error)
        return None
    if (parsed.id, parsed.version) != (instrument_id, version):
        logger.error(
            "Installed definition %s holds %s %s; it is not used.", name, parsed.id, parsed.version
        )
        return None
    return parsed
