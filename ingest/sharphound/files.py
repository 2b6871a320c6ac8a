"""Reading a SharpHound collection: a ``.zip`` as SharpHound writes it, or a directory of its
``.json`` files. Each file is ``{"data": [...], "meta": {"type", "count", "version"}}``; the
types authmap reads are users, groups, computers and domains (others are skipped), versions 5
and 6 (a file without ``meta.version`` is read as BloodHound CE reads it). Everything is
checked before a record is made: a bad file is one :class:`SharpHoundError` line naming it.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.records.contract import SourceError

TYPES = ("domains", "users", "groups", "computers")
"""The file types read, in the order their records are made."""
VERSIONS = (5, 6)
MAX_FILE_BYTES = 2_000_000_000


class SharpHoundError(SourceError):
    """A SharpHound collection could not be read: missing, not a zip or JSON, or not the
    SharpHound CE format."""


@dataclass(frozen=True)
class CollectionFile:
    """One file of the collection, checked."""

    name: str
    type: str
    version: int | None
    count: int | None
    data: list[dict[str, Any]]


def _entries(path: Path) -> list[tuple[str, bytes]]:
    """``(name, bytes)`` of every ``.json`` file of the zip or directory."""
    if not path.exists():
        raise SharpHoundError(f"{path}: no such file or directory")
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".json" and p.is_file())
        return [(p.name, p.read_bytes()) for p in files]
    if not zipfile.is_zipfile(path):
        raise SharpHoundError(f"{path}: not a zip file nor a directory of SharpHound JSON")
    try:
        with zipfile.ZipFile(path) as archive:
            members = [i for i in archive.infolist() if i.filename.lower().endswith(".json")]
            if any(i.file_size > MAX_FILE_BYTES for i in members):
                raise SharpHoundError(f"{path}: a member is larger than {MAX_FILE_BYTES} bytes")
            return [(i.filename, archive.read(i)) for i in members]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError) as exc:
        raise SharpHoundError(f"{path}: unreadable zip ({exc})") from None


def _check(name: str, value: Any) -> CollectionFile | None:
    """The checked file, or None for a type authmap does not read."""
    if not isinstance(value, dict) or not isinstance(value.get("meta"), dict):
        raise SharpHoundError(f"{name}: not a SharpHound file (no 'meta' object)")
    meta = value["meta"]
    kind, version, count = meta.get("type"), meta.get("version"), meta.get("count")
    if not isinstance(kind, str):
        raise SharpHoundError(f"{name}: meta.type is missing")
    if kind.lower() not in TYPES:
        return None
    if version is not None and version not in VERSIONS:
        raise SharpHoundError(
            f"{name}: meta.version {version!r} is not supported (SharpHound CE writes 5 or 6)"
        )
    if count is not None and (not isinstance(count, int) or isinstance(count, bool)):
        raise SharpHoundError(f"{name}: meta.count is not a number")
    data = value.get("data")
    if not isinstance(data, list):
        raise SharpHoundError(f"{name}: 'data' is not a list")
    for index, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("ObjectIdentifier"), str):
            raise SharpHoundError(f"{name}: data[{index}] has no ObjectIdentifier")
        if not isinstance(item.get("Properties"), dict):
            raise SharpHoundError(f"{name}: data[{index}] has no Properties object")
        if kind.lower() == "groups" and not isinstance(item.get("Members", []), list):
            raise SharpHoundError(f"{name}: data[{index}].Members is not a list")
    return CollectionFile(name, kind.lower(), version, count, data)


def read_collection(path: Path) -> list[CollectionFile]:
    """Every users, groups, computers and domains file of the collection at ``path``,
    checked; :class:`SharpHoundError` at the first problem."""
    found = []
    for name, raw in _entries(path):
        try:
            value = json.loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise SharpHoundError(f"{name}: not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise SharpHoundError(f"{name}: not JSON ({exc.msg} at line {exc.lineno})") from None
        except RecursionError:
            raise SharpHoundError(f"{name}: JSON nested too deeply") from None
        checked = _check(name, value)
        if checked is not None:
            found.append(checked)
    if not any(f.type in ("users", "groups", "computers") for f in found):
        raise SharpHoundError(f"{path}: no SharpHound users, groups or computers file in it")
    return sorted(found, key=lambda f: (TYPES.index(f.type), f.name))
