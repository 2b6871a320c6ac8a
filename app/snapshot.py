"""The snapshot file: typed records of one collection, written without Neo4j, loaded later.

Format (JSON Lines, optionally gzip-compressed when the name ends in ``.gz``):

* line 1, the header: ``{"format": "authmap-snapshot", "format_version": 1, "source": {"kind",
  "id", "name"}, "collected_at", "collector": {"name", "version"}}``;
* one record per line: ``{"kind": "VirtualMachine", "id": ..., ...}`` (see ``app.records``);
* last line, the trailer: ``{"kind": "_end", "records": N, "complete": true|false, "gaps": [...]}``.

A file without its trailer is truncated and refused. :func:`validate` reads the whole file
and raises :class:`SnapshotError` naming the line and field of the first problem; loading
starts only after it passed, so a bad snapshot writes nothing.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError

import app
from app.records import RECORD_TYPES, Record
from app.records.contract import SourceIdentity

FORMAT: Literal["authmap-snapshot"] = "authmap-snapshot"
SNAPSHOT_FORMAT_VERSION: Literal[1] = 1
END: Literal["_end"] = "_end"


class SnapshotError(ValueError):
    """A snapshot file is malformed; the message names the file, line and field."""


class CollectorInfo(BaseModel):
    """The program that wrote the snapshot."""

    model_config = ConfigDict(extra="forbid")
    name: str = "authmap"
    version: str = app.__version__


class Header(BaseModel):
    """The first line of a snapshot."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["authmap-snapshot"] = FORMAT
    format_version: Literal[1] = SNAPSHOT_FORMAT_VERSION
    source: SourceIdentity
    collected_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    collector: CollectorInfo = Field(default_factory=CollectorInfo)


class Gap(BaseModel):
    """Something the collector could not read (e.g. NoPermission on part of the inventory)."""

    model_config = ConfigDict(extra="forbid")
    what: str
    reason: str
    entity: str | None = None

    def describe(self) -> str:
        """``what: reason (entity)``, for people."""
        return f"{self.what}: {self.reason}" + (f" ({self.entity})" if self.entity else "")


class Trailer(BaseModel):
    """The last line: how many records, and whether the collection was complete."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["_end"] = END
    records: int = Field(ge=0)
    complete: bool
    gaps: list[Gap] = Field(default_factory=list)


class SnapshotSummary(BaseModel):
    """What :func:`validate` learnt about a valid file."""

    header: Header
    trailer: Trailer
    counts: dict[str, int]


def _open_text(path: Path, mode: Literal["r", "w"], *, gz: bool | None = None) -> IO[str]:
    if path.suffix == ".gz" if gz is None else gz:
        return cast(IO[str], gzip.open(path, mode + "t", encoding="utf-8"))
    return path.open(mode, encoding="utf-8")


class SnapshotWriter:
    """Writes a snapshot record by record; :meth:`close` writes the trailer.

    If the ``with`` block raises, the file is removed rather than left half-written.
    """

    def __init__(self, path: Path, source: SourceIdentity) -> None:
        self.path = path
        self.header = Header(source=source)
        self.count = 0
        self.gaps: list[Gap] = []
        self._partial = path.with_name(path.name + ".partial")
        self._handle = _open_text(self._partial, "w", gz=path.suffix == ".gz")
        self._handle.write(self.header.model_dump_json() + "\n")

    def write(self, record: Record) -> None:
        """Append one record."""
        self._handle.write(record.model_dump_json() + "\n")
        self.count += 1

    def gap(self, what: str, reason: str, entity: str | None = None) -> None:
        """Record something that could not be collected (makes the snapshot incomplete)."""
        self.gaps.append(Gap(what=what, reason=reason, entity=entity))

    def close(self, complete: bool = True) -> Path:
        """Write the trailer and move the file into place."""
        trailer = Trailer(records=self.count, complete=complete and not self.gaps, gaps=self.gaps)
        self._handle.write(trailer.model_dump_json() + "\n")
        self._handle.close()
        self._partial.replace(self.path)
        return self.path

    def abort(self) -> None:
        """Discard the file."""
        self._handle.close()
        self._partial.unlink(missing_ok=True)

    def __enter__(self) -> SnapshotWriter:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is not None:
            self.abort()
        elif not self._handle.closed:
            self.close()


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    loc = ".".join(str(part) for part in first["loc"]) or "(record)"
    return f"field '{loc}': {first['msg']}"


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        handle = _open_text(path, "r")
    except OSError as exc:
        raise SnapshotError(f"{path}: cannot open: {exc.strerror or exc}") from None
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise SnapshotError(f"{path}:{number}: not JSON: {exc.msg}") from None
                except RecursionError:
                    raise SnapshotError(f"{path}:{number}: JSON nested too deeply") from None
                if not isinstance(value, dict):
                    raise SnapshotError(f"{path}:{number}: expected a JSON object")
                yield number, value
        except (OSError, EOFError, UnicodeDecodeError, zlib.error) as exc:
            raise SnapshotError(f"{path}: unreadable: {exc}") from None


def validate(path: Path) -> SnapshotSummary:
    """Read the whole file and check every line; raise :class:`SnapshotError` at the first
    problem. Checks: header, known record kinds of the header's source, every field, unique
    ids per kind, the trailer present, last, and matching the record count."""
    lines = _lines(path)
    first = next(lines, None)
    if first is None:
        raise SnapshotError(f"{path}: empty file, expected a snapshot header")
    try:
        header = Header.model_validate(first[1])
    except ValidationError as exc:
        raise SnapshotError(f"{path}:{first[0]}: header {_describe(exc)}") from None
    counts: dict[str, int] = {}
    seen: dict[str, set[str]] = {}
    trailer: Trailer | None = None
    for number, value in lines:
        if trailer is not None:
            raise SnapshotError(f"{path}:{number}: data after the end-of-snapshot line")
        kind = value.get("kind")
        if kind == END:
            try:
                trailer = Trailer.model_validate(value)
            except ValidationError as exc:
                raise SnapshotError(f"{path}:{number}: trailer {_describe(exc)}") from None
            continue
        record_cls = RECORD_TYPES.get(kind) if isinstance(kind, str) else None
        if record_cls is None or record_cls.source_kind != header.source.kind:
            raise SnapshotError(
                f"{path}:{number}: unknown record kind {kind!r} for a "
                f"{header.source.kind!r} snapshot"
            )
        try:
            record = record_cls.model_validate(value)
        except ValidationError as exc:
            raise SnapshotError(f"{path}:{number}: {kind} record {_describe(exc)}") from None
        ids = seen.setdefault(record.kind, set())
        if record.id in ids:
            raise SnapshotError(f"{path}:{number}: duplicate {kind} id {record.id!r}")
        ids.add(record.id)
        counts[record.kind] = counts.get(record.kind, 0) + 1
    if trailer is None:
        raise SnapshotError(f"{path}: truncated: the end-of-snapshot line is missing")
    total = sum(counts.values())
    if trailer.records != total:
        raise SnapshotError(
            f"{path}: the trailer announces {trailer.records} records but the file holds {total}"
        )
    return SnapshotSummary(header=header, trailer=trailer, counts=counts)


def iter_records(path: Path) -> Iterator[Record]:
    """Yield the records of a file that :func:`validate` accepted."""
    lines = _lines(path)
    next(lines, None)
    for _, value in lines:
        kind = value.get("kind")
        if kind == END:
            return
        yield RECORD_TYPES[str(kind)].model_validate(value)
