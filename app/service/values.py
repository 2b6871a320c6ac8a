"""Neo4j values as JSON: nodes, relationships, paths, temporal and spatial values."""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from typing import Any

from neo4j.graph import Node, Path, Relationship
from neo4j.spatial import Point

SHARED_LABELS = frozenset(
    {"Source", "VSphereEntity", "ADPrincipal", "NsxObject", "TargetObject", "K8sObject"}
)
"""Labels several node kinds carry; a node's kind is its other label."""

HIDDEN_PROPERTIES = {"ApiToken": frozenset({"hash"})}
"""Properties never shown, by label."""


def kind_of(labels: list[str] | frozenset[str]) -> str:
    """A node's kind: its first label that is not a shared one."""
    own = sorted(label for label in labels if label not in SHARED_LABELS)
    return own[0] if own else (sorted(labels)[0] if labels else "")


def name_of(props: Mapping[str, Any]) -> str | None:
    """The name a viewer shows: name, display name, principal, summary (a parity result:
    ``parity: <status>``), else None."""
    for key in ("name", "display_name", "principal", "summary"):
        if isinstance(props.get(key), str):
            return str(props[key])
    if isinstance(props.get("status"), str) and isinstance(props.get("run"), str):
        return f"parity: {props['status']}"  # a ParityResult
    return None


def clean_props(labels: list[str] | frozenset[str], props: Mapping[str, Any]) -> dict[str, Any]:
    """Properties as JSON, without the hidden ones."""
    hidden: set[str] = set()
    for label in labels:
        hidden |= HIDDEN_PROPERTIES.get(label, frozenset())
    return {k: jsonable(v) for k, v in sorted(props.items()) if k not in hidden}


def jsonable(value: Any) -> Any:
    """Any value a Neo4j driver returns, as JSON-serialisable data."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Node):
        labels = sorted(value.labels)
        props = dict(value.items())
        return {
            "id": props.get("id") if isinstance(props.get("id"), str) else value.element_id,
            "element_id": value.element_id,
            "kind": kind_of(labels),
            "labels": labels,
            "props": clean_props(labels, props),
        }
    if isinstance(value, Relationship):
        return {
            "id": value.element_id,
            "type": value.type,
            "source": value.start_node.element_id if value.start_node else None,
            "target": value.end_node.element_id if value.end_node else None,
            "props": {k: jsonable(v) for k, v in value.items()},
        }
    if isinstance(value, Path):
        return {
            "nodes": [jsonable(n) for n in value.nodes],
            "relationships": [jsonable(r) for r in value.relationships],
        }
    if isinstance(value, Point):
        return {"srid": value.srid, "coordinates": list(value)}
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if hasattr(value, "iso_format"):
        return str(value.iso_format())
    return str(value)
