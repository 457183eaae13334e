"""Finding definition files: the bundled ones, the folders in `SIGHTLINE_INSTRUMENT_DIRS`, `search_dirs`.

These are the file-side functions, for the `sightline instruments` commands and for the install step
that copies every file into the database catalog (`sightline.catalog`, which is what pages and services
read). A licensed agency drops the publisher's file into one of those folders; because an official
definition is preferred over an unofficial one, `load("cse-it-2.0")` then returns it with no code change.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from sightline.instruments.errors import DefinitionError
from sightline.instruments.parsing import parse_definition, read_bytes, read_definition
from sightline.instruments.schema import Definition

BUNDLED_DIR = Path(__file__).resolve().parent / "definitions"
DIRS_ENV_VAR = "SIGHTLINE_INSTRUMENT_DIRS"
SUFFIXES = (".yaml", ".yml")
SearchDirs = Iterable[str | Path]

# Parsed files by (path, sha256 of the bytes): the key changes with the content, so it is never stale.
_parsed: dict[tuple[str, str], Definition] = {}
_MAX_CACHED = 256


def instrument_dirs(search_dirs: SearchDirs = ()) -> list[Path]:
    """The folders searched, in order: bundled, `SIGHTLINE_INSTRUMENT_DIRS` (comma-separated), then
    `search_dirs`."""
    from_env = [part.strip() for part in os.environ.get(DIRS_ENV_VAR, "").split(",")]
    return [BUNDLED_DIR, *(Path(p) for p in from_env if p), *(Path(p) for p in search_dirs)]


def available(*, search_dirs: SearchDirs = ()) -> list[Definition]:
    """Every definition found, sorted by id then version (natural order: 2.10 after 2.9).

    Raises DefinitionError for an invalid file, or for two files giving one id and version different
    content: versions are immutable, so which one a screening meant would be ambiguous.
    """
    found: dict[tuple[str, str], Definition] = {}
    for definition in _definitions_in(instrument_dirs(search_dirs), strict=True):
        key = (definition.id, definition.version)
        first = found.setdefault(key, definition)
        if first.sha256 != definition.sha256:
            raise DefinitionError(
                definition.source_path or "",
                "version",
                f"'{definition.id}' version '{definition.version}' is also defined, with different "
                f"content, by {first.source_path}; versions are immutable, so give one of them a new "
                "version",
            )
    return sorted(found.values(), key=lambda d: (d.id, version_key(d.version), d.version))


@dataclass(frozen=True)
class DefinitionFile:
    """One file found by `scan`: its bytes and either the definition they hold or why they are refused."""

    path: Path
    raw: bytes
    definition: Definition | None
    error: DefinitionError | None


def scan(*, search_dirs: SearchDirs = ()) -> list[DefinitionFile]:
    """Every definition file in the searched folders, in search order, each parsed on its own: a broken
    file is reported with its error and never stops the others (the install step installs the good ones
    and refuses the rest). Files that cannot be read are reported with an empty ``raw``."""
    found: list[DefinitionFile] = []
    for path in _definition_paths(instrument_dirs(search_dirs)):
        try:
            raw = read_bytes(path)
        except DefinitionError as error:
            found.append(DefinitionFile(path, b"", None, error))
            continue
        try:
            found.append(DefinitionFile(path, raw, parse_definition(raw, source=path), None))
        except DefinitionError as error:
            found.append(DefinitionFile(path, raw, None, error))
    return found


def load(id_or_path: str | os.PathLike[str], *, search_dirs: SearchDirs = ()) -> Definition:
    """A definition by file path, by id (official first, then the highest version) or by ``id@version``.

    Raises LookupError when no definition matches, DefinitionError when a file is invalid.
    """
    if isinstance(id_or_path, os.PathLike) or _looks_like_path(id_or_path):
        return _read(Path(id_or_path))
    wanted_id, _, wanted_version = id_or_path.partition("@")
    candidates = [d for d in available(search_dirs=search_dirs) if d.id == wanted_id]
    if not candidates:
        raise LookupError(f"no instrument definition has the id '{wanted_id}'")
    if not wanted_version:
        return max(candidates, key=lambda d: (d.official, version_key(d.version), d.version))
    for definition in candidates:
        if definition.version == wanted_version:
            return definition
    versions = ", ".join(d.version for d in candidates)
    raise LookupError(f"'{wanted_id}' has no version '{wanted_version}' (found: {versions})")


def validate_file(path: str | os.PathLike[str]) -> Definition:
    """Parse and validate one file; raises DefinitionError naming the file, the place and the problem."""
    return read_definition(Path(path))


def install(path: str | os.PathLike[str], target_dir: str | os.PathLike[str]) -> Path:
    """Validate `path`, then copy it to ``target_dir/<id>@<version>.yaml`` and return that path.

    Versions are immutable: the same id and version with different content, here or in any folder
    searched, is refused with DefinitionError; an identical copy already in place is a no-op.
    """
    source, target_dir = Path(path), Path(target_dir)
    raw = read_bytes(source)
    definition = parse_definition(raw, source=source)
    destination = target_dir / f"{definition.id}@{definition.version}.yaml"
    for other in _definitions_in([*instrument_dirs(), target_dir], strict=False):
        same_version = (other.id, other.version) == (definition.id, definition.version)
        if same_version and other.sha256 != definition.sha256:
            raise DefinitionError(
                source,
                "version",
                f"'{definition.id}' version '{definition.version}' is already installed with "
                f"different content ({other.source_path}); versions are immutable, so give the "
                "changed file a new version",
            )
    if destination.exists():
        if destination.read_bytes() == raw:
            return destination
        raise DefinitionError(
            source,
            "",
            f"{destination} already exists with different content; it was left unchanged",
        )
    target_dir.mkdir(parents=True, exist_ok=True)
    # Write beside the destination and rename, so a reader never sees half a file.
    handle, temporary = tempfile.mkstemp(
        dir=target_dir, prefix=f".{destination.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(raw)
        os.replace(temporary, destination)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return destination


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order for versions: numbers compare as numbers and sort after words at the same place,
    so ``2.0.0`` > ``2.0-sightline.1`` and ``2.10`` > ``2.9``."""
    return tuple(
        (1, int(part)) if part.isdigit() else (0, part.lower())
        for part in re.findall(r"\d+|[A-Za-z]+", version)
    )


def _looks_like_path(name: str) -> bool:
    return "/" in name or os.sep in name or name.endswith(SUFFIXES)


def _definition_paths(dirs: Iterable[Path]) -> Iterator[Path]:
    """Every definition file directly inside `dirs`, each once; a missing folder is skipped."""
    seen: set[Path] = set()
    for folder in dirs:
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            resolved = path.resolve()
            hidden = path.name.startswith(".")  # editors' and `install`'s temporary files
            if hidden or path.suffix not in SUFFIXES or not path.is_file() or resolved in seen:
                continue
            seen.add(resolved)
            yield path


def _definitions_in(dirs: Iterable[Path], *, strict: bool) -> Iterator[Definition]:
    """Every definition file directly inside `dirs`; unless `strict`, an unreadable or invalid file is
    skipped."""
    for path in _definition_paths(dirs):
        try:
            yield _read(path)
        except DefinitionError:
            if strict:
                raise


def _read(path: Path) -> Definition:
    raw = read_bytes(path)
    key = (str(path), hashlib.sha256(raw).hexdigest())
    definition = _parsed.get(key)
    if definition is None:
        definition = parse_definition(raw, source=path)
        if len(_parsed) >= _MAX_CACHED:
            _parsed.clear()
        _parsed[key] = definition
    return definition
