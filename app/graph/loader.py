"""Load a validated snapshot into Neo4j as one sync run.

Order: validate the whole file (nothing written if it is bad) → record a ``SyncRun`` →
merge nodes, kind by kind, in batches of rows → merge relationships (counting rows whose
target is missing instead of dropping them silently) → only if the collection was complete,
remove this source's nodes and relationships the run did not see → record the outcome.
A partial or failed run removes nothing. Human data (owners, events...) never carries a
``source_id`` and is never touched here. A collection that broke off before there was a
snapshot to load is recorded too (:func:`record_failed_run`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from app.graph.client import Graph
from app.graph.model import NODE_TYPES, NodeType, node_type
from app.graph.sync_runs import host_name, mark_abandoned_runs, process_identity
from app.records import Record
from app.records.contract import SourceIdentity
from app.snapshot import SnapshotSummary, iter_records, validate

Progress = Callable[[str, int], None]
ERROR_CHARS = 500
"""The longest error text kept on a failed ``SyncRun``."""


@dataclass
class LoadReport:
    """The outcome of one load."""

    sync_run: str
    source_kind: str
    source_id: str
    status: str = "running"
    nodes: dict[str, int] = field(default_factory=dict)
    links: dict[str, int] = field(default_factory=dict)
    missing: dict[str, int] = field(default_factory=dict)
    missing_samples: dict[str, list[str]] = field(default_factory=dict)
    removed: int = 0
    gaps: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly view."""
        return dict(self.__dict__)


def neo4j_value(value: Any) -> Any:
    """A property value Neo4j can store: maps and lists of maps become JSON text."""
    if isinstance(value, dict) or (
        isinstance(value, list) and any(isinstance(v, dict) for v in value)
    ):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def node_row(node: NodeType, record: Record) -> dict[str, Any]:
    """The ``$rows`` entry of a record: its id and stored properties."""
    data = record.model_dump(mode="json")
    row = {prop: neo4j_value(data.get(prop)) for prop in node.properties}
    row["id"] = record.id
    return row


def rel_rows(node: NodeType, record: Record) -> Iterator[tuple[str, dict[str, str]]]:
    """``(relationship name, {from, to})`` for every relationship a record declares."""
    for rel in node.rels:
        value = getattr(record, rel.field)
        targets = value if rel.many else [value]
        for target in targets or []:
            if target:
                yield rel.name(node.label), {"from": record.id, "to": str(target)}


def _flush(
    graph: Graph,
    name: str,
    rows: list[Mapping[str, Any]],
    params: Mapping[str, Any],
    report: LoadReport,
    progress: Progress | None,
) -> None:
    if not rows:
        return
    stats = graph.write_rows(name, rows, params)
    key = name.rsplit("/", 1)[-1]
    if name.startswith("load/nodes/"):
        report.nodes[key] = report.nodes.get(key, 0) + stats.totals.get("written", 0)
    else:
        report.links[key] = report.links.get(key, 0) + stats.totals.get("linked", 0)
        missing = stats.totals.get("missing", 0)
        if missing:
            report.missing[key] = report.missing.get(key, 0) + missing
            kept = report.missing_samples.setdefault(key, [])
            kept.extend(str(s) for s in stats.samples.get("missing_sample", [])[: 20 - len(kept)])
    if progress:
        progress(key, len(rows))
    rows.clear()


def load_snapshot(
    graph: Graph,
    path: Path,
    *,
    progress: Progress | None = None,
    summary: SnapshotSummary | None = None,
) -> LoadReport:
    """Validate ``path`` and load it as one sync run; return what happened."""
    summary = summary or validate(path)
    report = _start_run(graph, summary)
    params = {"source_id": report.source_id, "sync_run": report.sync_run}
    try:
        size = graph.settings.batch_size
        batches = _Batches(graph, params, report, progress, size)
        for record in iter_records(path):
            node = node_type(record.kind)
            batches.add(f"load/nodes/{node.label}", node_row(node, record))
        batches.flush_all()
        for record in iter_records(path):
            for rel_name, row in rel_rows(node_type(record.kind), record):
                batches.add(f"load/rels/{rel_name}", row)
        batches.flush_all()
        if summary.trailer.complete:
            report.removed = remove_stale(graph, report.source_kind, params)
            report.status = "complete"
        else:
            report.status = "partial"
    except BaseException as exc:
        report.status = "failed"
        _finish(graph, report, error=type(exc).__name__, best_effort=True)
        raise
    _finish(graph, report, error=None)
    return report


class _Batches:
    """Batches of rows per statement (``cypher/load/``), written when they reach the batch size."""

    def __init__(
        self,
        graph: Graph,
        params: Mapping[str, Any],
        report: LoadReport,
        progress: Progress | None,
        size: int,
    ) -> None:
        self.graph, self.params, self.report, self.progress = graph, params, report, progress
        self.size = size
        self.buffers: dict[str, list[Mapping[str, Any]]] = {}

    def add(self, name: str, row: Mapping[str, Any]) -> None:
        """Queue one row for statement ``name``."""
        buffer = self.buffers.setdefault(name, [])
        buffer.append(row)
        if len(buffer) >= self.size:
            _flush(self.graph, name, buffer, self.params, self.report, self.progress)

    def flush_all(self) -> None:
        """Write every queued row, statement by statement in first-seen order."""
        for name, buffer in self.buffers.items():
            _flush(self.graph, name, buffer, self.params, self.report, self.progress)
        self.buffers.clear()


def _start_run(graph: Graph, summary: SnapshotSummary) -> LoadReport:
    """Mark runs whose process is gone as failed, record the ``SyncRun`` (status
    ``running``, with this host and process) and return its report."""
    mark_abandoned_runs(graph)
    source = summary.header.source
    now = datetime.now(UTC)
    report = LoadReport(
        sync_run=_run_id(source.kind, now),
        source_kind=source.kind,
        source_id=source.id,
        gaps=[gap.describe() for gap in summary.trailer.gaps],
    )
    graph.write(
        "sync/start_run",
        {
            "id": report.sync_run,
            "source_kind": source.kind,
            "source_id": source.id,
            "source_name": source.name,
            "started_at": now.isoformat(),
            "snapshot_collected_at": summary.header.collected_at.isoformat(),
            "host": host_name(),
            "process": process_identity(),
        },
    )
    return report


def record_failed_run(graph: Graph, source: SourceIdentity, error: str) -> str:
    """Record a sync run of ``source`` whose collection failed before anything was loaded:
    a ``SyncRun`` with status ``'failed'`` and ``error`` (cut to :data:`ERROR_CHARS`; the
    caller keeps passwords and tokens out of it). Nothing else is written, so no node,
    relationship or human data changes. Returns the run's id."""
    now = datetime.now(UTC)
    run_id = _run_id(source.kind, now)
    graph.write(
        "sync/record_failed",
        {
            "id": run_id,
            "source_kind": source.kind,
            "source_id": source.id,
            "source_name": source.name,
            "started_at": now.isoformat(),
            "error": " ".join(error.split())[:ERROR_CHARS],
        },
    )
    return run_id


def _run_id(source_kind: str, now: datetime) -> str:
    return f"{source_kind}:{now:%Y%m%dT%H%M%S}:{uuid.uuid4().hex[:12]}"


def remove_stale(graph: Graph, source_kind: str, params: Mapping[str, Any]) -> int:
    """Delete, in chunks, this source's relationships and then nodes not seen by the run."""
    removed = 0
    source_nodes = [n for n in NODE_TYPES if n.record.source_kind == source_kind]
    for node in source_nodes:
        for rel in node.rels:
            removed += graph.write_chunked(f"cleanup/rels/{rel.name(node.label)}", params)
    for node in reversed(source_nodes):
        removed += graph.write_chunked(f"cleanup/nodes/{node.label}", params)
    return removed


def _finish(
    graph: Graph, report: LoadReport, *, error: str | None, best_effort: bool = False
) -> None:
    try:
        graph.write(
            "sync/finish_run",
            {
                "id": report.sync_run,
                "status": report.status,
                "finished_at": datetime.now(UTC).isoformat(),
                "counts_json": json.dumps({"nodes": report.nodes, "links": report.links}),
                "missing_json": json.dumps(report.missing),
                "gaps": report.gaps,
                "removed": report.removed,
                "error": error,
            },
        )
    except Exception:
        if not best_effort:
            raise
