"""The SharpHound source: :func:`open_sharphound` reads and checks a whole collection
(:class:`SharpHoundOptions`) before anything is collected, so a bad file is one clear line and
the graph is never touched. The records are the LDAP collector's (source kind ``ad``); the
source identity ``sharphound:<domain DNS names>`` marks a snapshot made from SharpHound data
and keeps its sync runs (and stale removal) apart from the LDAP collector's runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.records.contract import CollectorBase, GapSink, Sink, SourceIdentity
from ingest.sharphound.convert import Converter
from ingest.sharphound.files import CollectionFile, SharpHoundError, read_collection

KIND = "sharphound"
"""The prefix of a SharpHound snapshot's source id (its records are ``ad`` records)."""


@dataclass(frozen=True)
class SharpHoundOptions:
    """What to read: a SharpHound ``.zip`` or a directory of its ``.json`` files."""

    path: Path


class SharpHoundCollector(CollectorBase):
    """A checked SharpHound collection, ready to stream (see :func:`open_sharphound`)."""

    def __init__(self, options: SharpHoundOptions, files: list[CollectionFile]) -> None:
        self.options = options
        self.files = files
        self.converter = Converter(files)
        names = sorted({d.dns for d in self.converter.domains.values()})
        if not names:
            raise SharpHoundError(f"{options.path}: no domain named by the collection")
        self._identity = SourceIdentity(
            kind="ad", id=f"{KIND}:{','.join(names)}", name=f"{', '.join(names)} (SharpHound)"
        )

    @property
    def identity(self) -> SourceIdentity:
        """``ad`` / ``sharphound:<domain DNS names>``."""
        return self._identity

    @property
    def where(self) -> str:
        """The collection's path."""
        return str(self.options.path)

    def collect(self, sink: Sink, gap: GapSink) -> None:
        """Every record; a file whose ``meta.count`` is not its number of objects, and group
        members the collection lacks, are gaps (the run is partial, nothing stale removed)."""
        for f in self.files:
            if f.count is not None and f.count != len(f.data):
                gap(f"{f.name} meta.count", f"says {f.count}, the file holds {len(f.data)}", None)
        for record in self.converter.records():
            sink(record)
        for what, reason, entity in self.converter.gaps:
            gap(what, reason, entity)


def open_sharphound(options: SharpHoundOptions) -> SharpHoundCollector:
    """Read and check the collection; :class:`SharpHoundError` (a ``SourceError``) with one
    line naming the file at the first problem."""
    return SharpHoundCollector(options, read_collection(options.path))
