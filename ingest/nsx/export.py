"""Read hierarchical Policy API exports (``GET /policy/api/v1/infra?type_filter=...``, or the
same under ``/orgs/default/projects/<p>/infra``) taken elsewhere.

The document is an ``Infra`` object whose ``children`` are wrappers named after the child type
(``{"resource_type": "ChildSegment", "Segment": {...}}``): ``ChildTier0``, ``ChildTier1``,
``ChildSegment``, ``ChildService``, ``ChildDomain`` (whose domain holds ``ChildGroup``,
``ChildSecurityPolicy``, ``ChildGatewayPolicy``), and ``ChildRule`` under a policy (rules may
also come inline in the policy's ``rules`` array). An ``OrgRoot`` document (``ChildOrg`` /
``ChildProject`` / ``ChildInfra``) is walked too. The project an object belongs to is read
from its path, so project exports need no extra option.

An export holds configuration only: NSX computes effective group membership and keeps its VM
inventory (and the VMs' tags) outside it, so the collection records a gap saying so, which
makes the snapshot partial (its load removes nothing).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.records import Record
from app.records.contract import GapSink, Sink
from ingest.nsx import parse

CONFIG_ONLY = (
    "a hierarchical export holds configuration only: effective group members and VM tags "
    "need a live collection"
)


class NsxExportError(ValueError):
    """The file is not a Policy API hierarchical export."""


def _children(obj: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(type, object)`` of every child wrapper: ``ChildX`` holds its object under ``X``."""
    for child in obj.get("children") or []:
        if not isinstance(child, dict):
            continue
        wrapper = str(child.get("resource_type", ""))
        if wrapper == "ChildResourceReference":  # a parent named by id, with real children
            if not parse.is_deleted(child):
                yield from _children(child)
            continue
        kind = wrapper.removeprefix("Child")
        inner = child.get(kind)
        if isinstance(inner, dict) and not parse.is_deleted(child):
            yield kind, inner


def _walk(obj: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any] | None]]:
    """Every object below ``obj`` as ``(type, object, parent)``, depth first."""
    for kind, inner in _children(obj):
        yield kind, inner, obj
        yield from _walk(inner)
    for rule in obj.get("rules") or []:
        if isinstance(rule, dict):
            yield "Rule", rule, obj


def read_export(path: Path) -> dict[str, Any]:
    """The parsed document; :class:`NsxExportError` if it is not an export."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise NsxExportError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise NsxExportError(f"{path} is not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("resource_type") not in ("Infra", "OrgRoot"):
        raise NsxExportError(
            f"{path} is not a hierarchical Policy API export (expected an Infra or OrgRoot "
            "object with children, as GET /policy/api/v1/infra?type_filter=... returns)"
        )
    return data


def records_from_export(document: dict[str, Any], source: str) -> Iterator[Record]:
    """The records of one export document (objects marked for delete skipped)."""
    ids = parse.Ids(source)
    seen: set[str] = set()
    for kind, obj, parent in _walk(document):
        if parse.is_deleted(obj) or "path" not in obj:
            continue
        record: Record | None = None
        if kind == "Project":
            record = None if obj.get("id") == "default" else parse.project(obj, ids)
        elif kind == "Tier0":
            record = parse.tier0(obj, ids)
        elif kind == "Tier1":
            record = parse.tier1(obj, ids)
        elif kind == "Segment":
            record = parse.segment(obj, ids)
        elif kind == "Service":
            record = parse.service(obj, ids)
        elif kind == "Group":
            record = parse.group(obj, ids)
        elif kind in ("SecurityPolicy", "GatewayPolicy"):
            policy_type = "gateway" if kind == "GatewayPolicy" else "distributed"
            record = parse.policy(obj, ids, policy_type)
        elif kind == "Rule" and parent is not None and "path" in parent:
            if parse.is_deleted(parent):
                continue
            record = parse.rule(obj, ids, str(parent["path"]))
        if record is not None and record.id not in seen:
            seen.add(record.id)
            yield record


def collect_export(paths: list[Path], source: str, sink: Sink, gap: GapSink) -> None:
    """Write the records of every export file into ``sink``, and the configuration-only gap."""
    documents = [read_export(path) for path in paths]
    seen: set[str] = set()
    for document in documents:
        for record in records_from_export(document, source):
            if record.id not in seen:
                seen.add(record.id)
                sink(record)
    gap("NsxVirtualMachine", CONFIG_ONLY, None)
