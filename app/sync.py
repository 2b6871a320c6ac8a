"""One sync path for every source: collector -> snapshot -> graph -> derive.

A collector (see :mod:`app.records.contract`) is opened by its source package from typed
options (``ingest.vcenter.open_vcenter(VCenterOptions(...))`` and so on); this module does
the rest, the same way for every source, and never prints: progress goes to a callback.

Public API:

* :func:`write_snapshot` ``(collector, path, progress=None) -> CollectSummary`` -- stream the
  collector into a snapshot file; counts and gaps come back in the summary. A collection
  that breaks off raises :class:`CollectionFailed` and leaves no file behind.
* :func:`ingest` ``(graph, collector, progress=None) -> IngestResult`` -- collect into a
  temporary snapshot, load it as one sync run, then derive. A collection that breaks off is
  recorded as a failed sync run (nothing loaded or removed) and :class:`CollectionFailed`
  is raised with the run's id in ``run``. An invalid snapshot raises
  :class:`~app.snapshot.SnapshotError` before anything is written.
* :class:`CollectionFailed`, :class:`CollectSummary`, :class:`IngestResult`, :data:`Progress`.

Adding a source: a package ``ingest/<source>/`` with a frozen options dataclass and an
``open_<source>(options)`` that returns an open collector (subclass
:class:`~app.records.contract.CollectorBase`, raise a
:class:`~app.records.contract.SourceError` subclass when it cannot open, use
:mod:`ingest.tls` for TLS); its record types in ``app/records/``; then one
``SourceCommand`` in :mod:`app.cli.sources` for ``collect`` and ``ingest``.

``progress(stage, done)`` is called with ``("collect", records so far)`` every
:data:`PROGRESS_EVERY` records, ``("load", rows)`` after each batch of nodes loaded and
``("derive", 0)`` once before deriving.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.derive import DeriveReport, run_derive
from app.graph import Graph, GraphError
from app.graph.loader import LoadReport, load_snapshot, record_failed_run
from app.records import Record
from app.records.contract import Collector, SourceIdentity
from app.snapshot import Gap, SnapshotWriter

Progress = Callable[[str, int], None]
"""``progress(stage, done)``: see the module docstring."""

PROGRESS_EVERY = 500
"""Records between two ``("collect", n)`` progress calls."""


class CollectionFailed(Exception):
    """A collection broke off mid-way (the server went away or answered nonsense).

    ``error`` says what failed after how many records (no secret in it); ``source`` is the
    collector's identity. After :func:`ingest`, ``run`` is the id of the failed sync run it
    recorded, or ``unrecorded`` says why it could not be recorded."""

    def __init__(self, source: SourceIdentity, error: str) -> None:
        super().__init__(f"{error}; no snapshot was written and nothing was loaded")
        self.source = source
        self.error = error
        self.run: str | None = None
        self.unrecorded: str | None = None


@dataclass
class CollectSummary:
    """What a collection wrote: the file, its source, records per kind, and the gaps."""

    path: Path
    source: SourceIdentity
    where: str
    counts: dict[str, int] = field(default_factory=dict)
    gaps: list[Gap] = field(default_factory=list)

    @property
    def records(self) -> int:
        """Records written."""
        return sum(self.counts.values())

    def describe(self) -> list[str]:
        """``Collected N records from WHERE: counts per kind``, then one ``  gap: ...`` line
        per gap."""
        kinds = ", ".join(f"{n} {kind}" for kind, n in self.counts.items())
        lines = [f"Collected {self.records} records from {self.where}: {kinds}"]
        return lines + [f"  gap: {gap.describe()}" for gap in self.gaps]


@dataclass
class IngestResult:
    """The outcome of :func:`ingest`: the collection, the load (one sync run), the derive."""

    collected: CollectSummary
    load: LoadReport
    derived: DeriveReport


def write_snapshot(
    collector: Collector, path: Path, progress: Progress | None = None
) -> CollectSummary:
    """Stream ``collector`` into a new snapshot at ``path``; raise :class:`CollectionFailed`
    (no file left behind) if the collection breaks off."""
    source, where = collector.identity, collector.where
    counts: Counter[str] = Counter()
    try:
        with SnapshotWriter(path, source) as writer:

            def sink(record: Record) -> None:
                writer.write(record)
                counts[record.kind] += 1
                if progress is not None and writer.count % PROGRESS_EVERY == 0:
                    progress("collect", writer.count)

            collector.collect(sink, writer.gap)
            gaps = list(writer.gaps)
    except Exception as exc:  # the server went away or answered nonsense mid-collection
        reason = getattr(exc, "msg", None) or str(exc) or type(exc).__name__
        error = (
            f"collection from {where} failed after {sum(counts.values())} records "
            f"({type(exc).__name__}: {reason})"
        )
        raise CollectionFailed(source, error) from None
    return CollectSummary(path, source, where, dict(sorted(counts.items())), gaps)


def ingest(graph: Graph, collector: Collector, progress: Progress | None = None) -> IngestResult:
    """Collect into a temporary snapshot, load it as one sync run, then derive (see the
    module docstring for the failures)."""
    with tempfile.TemporaryDirectory(prefix="authmap-") as tmp:
        try:
            collected = write_snapshot(collector, Path(tmp) / "snapshot.jsonl.gz", progress)
        except CollectionFailed as failed:
            record_failure(graph, failed)
            raise
        graph.apply_schema()

        def loaded(name: str, rows: int) -> None:
            if progress is not None and "-" not in name:  # node batches, not relationships
                progress("load", rows)

        report = load_snapshot(graph, collected.path, progress=loaded)
    if progress is not None:
        progress("derive", 0)
    return IngestResult(collected, report, run_derive(graph))


def record_failure(graph: Graph, failed: CollectionFailed) -> None:
    """Record ``failed`` as a failed sync run of its source (sets ``failed.run``, or
    ``failed.unrecorded`` when the graph refused)."""
    try:
        failed.run = record_failed_run(graph, failed.source, failed.error)
    except GraphError as exc:
        failed.unrecorded = str(exc)
