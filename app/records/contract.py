"""The collector contract: what every source reader (vCenter, AD, NSX, runbooks, and the target
readers) implements, and the only place these types are defined.

A collector is opened from typed options by its source package (``ingest/<source>/``), knows the
identity of the source it reads before it reads anything, and streams records into a
:data:`Sink` and unreadable parts into a :data:`GapSink`. It never touches Neo4j: ``app.sync``
writes what it streams into a snapshot and loads that.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, Self, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from app.records.base import Record

Sink = Callable[[Record], None]
"""Receives each collected record, in collection order."""

GapSink = Callable[[str, str, str | None], None]
"""Receives ``(what, reason, entity)`` for a part of the source that could not be read (the run
becomes *partial* and stale removal is skipped for that source)."""


class SourceIdentity(BaseModel):
    """Which source a snapshot was collected from (e.g. a vCenter's instanceUuid)."""

    model_config = ConfigDict(extra="forbid")
    kind: str = Field(min_length=1)
    id: str = Field(min_length=1)
    name: str | None = None


@runtime_checkable
class Collector(Protocol):
    """An open connection to one source, ready to stream its records.

    ``identity`` is known once the collector is open (it names the sync run); ``where`` is a
    human description of what is read (a host, a file list) for progress and error lines, with
    no secret in it. ``collect`` may raise on a source that dies mid-way; ``app.sync`` turns that
    into a failed run. ``close`` releases the connection and is safe to call twice.
    """

    @property
    def identity(self) -> SourceIdentity: ...

    @property
    def where(self) -> str: ...

    def collect(self, sink: Sink, gap: GapSink) -> None: ...

    def close(self) -> None: ...


class SourceError(RuntimeError):
    """A source could not be opened: unreachable, credentials refused, TLS verification failed,
    a CA file unusable, or options that do not fit together. Each source's connection error
    derives from it; its message is one line for a person and never holds a secret."""


class CollectorBase:
    """What every collector shares: ``with open_x(options) as collector:`` closes it."""

    def close(self) -> None:
        """Release the connection (nothing to release here)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
