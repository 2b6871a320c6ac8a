"""What parity reads of one target from the graph: a Kubernetes cluster
(``cypher/parity/target_*``) or a Proxmox VE cluster (:mod:`app.parity.pve_target`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter

from app.graph import Graph
from app.parity.authority import Binding
from app.parity.capacity import Quota
from app.parity.model import TargetNode, TargetPriorityClass, TargetStorageClass, TargetVM
from app.parity.network import Nad
from app.parity.principals import Subject
from app.parity.pve_model import PveTarget
from app.records.kubernetes import NodeAffinityTerm, PodAffinityTerm
from app.records.kubernetes_policy import BindingSubject, RbacRule
from ingest.kubernetes.parse import quantity

Q = "parity"
_POD_TERMS = TypeAdapter(list[PodAffinityTerm])
_NODE_TERMS = TypeAdapter(list[NodeAffinityTerm])
_RULES = TypeAdapter(list[RbacRule])
_SUBJECTS = TypeAdapter(list[BindingSubject])


class TargetError(LookupError):
    """No such target in the graph, or several and none chosen."""


def _json(value: Any, default: Any) -> Any:
    if value is None or value == "":
        return default
    return json.loads(value) if isinstance(value, str) else value


@dataclass
class Target:
    """One target cluster as parity sees it."""

    id: str
    name: str
    server: str | None
    source: str
    version: str | None = None
    platform: str = "kubernetes"
    """``kubernetes`` or ``proxmox``: which rules judge it."""
    vms: list[TargetVM] = field(default_factory=list)
    nodes: list[TargetNode] = field(default_factory=list)
    namespaces: dict[str, dict[str, str]] = field(default_factory=dict)
    nads: list[Nad] = field(default_factory=list)
    quotas: list[Quota] = field(default_factory=list)
    bindings: list[Binding] = field(default_factory=list)
    subjects: list[Subject] = field(default_factory=list)
    priority_classes: dict[str, TargetPriorityClass] = field(default_factory=dict)
    """By name."""
    storage_classes: dict[str, TargetStorageClass] = field(default_factory=dict)
    """By name."""
    pve: PveTarget | None = None
    """A Proxmox target's HA, network, storage and access configuration."""

    def to_dict(self) -> dict[str, Any]:
        """The ``target`` block of the JSON report."""
        return {
            "id": self.id,
            "name": self.name,
            "server": self.server,
            "version": self.version,
            "platform": self.platform,
            "vms": len(self.vms),
            "nodes": len(self.pve.nodes) if self.pve is not None else len(self.nodes),
        }

    @property
    def names_matter(self) -> bool:
        """Whether any RBAC rule names resources (then reviews name each VM)."""
        return any(r.resource_names for b in self.bindings for r in b.rules)


def choose_target(graph: Graph, name: str | None) -> Target:
    """The target called ``name`` (its name or id), or the only one."""
    rows = sorted(graph.read(f"{Q}/targets"), key=lambda r: (r["platform"], r["name"]))
    if not rows:
        raise TargetError(
            "no target in the graph: run `authmap ingest kubernetes` or "
            "`authmap ingest proxmox` first"
        )
    if name is not None:
        rows = [r for r in rows if name in (r["name"], r["id"], r["source_id"])]
        if not rows:
            raise TargetError(f"no target {name!r} in the graph")
    if len(rows) > 1:
        names = ", ".join(f"{r['name']} ({r['platform']})" for r in rows)
        raise TargetError(f"several targets ({names}): choose one with --target")
    row = rows[0]
    return Target(
        row["id"],
        row["name"],
        row["server"],
        row["source_id"] or row["id"],
        row["version"],
        row["platform"],
    )


def _vm(row: dict[str, Any]) -> TargetVM:
    return TargetVM(
        id=row["id"],
        namespace=row["namespace"],
        name=row["name"],
        labels=_json(row["labels"], {}),
        firmware_serial=row["firmware_serial"],
        firmware_uuid=row["firmware_uuid"],
        macs=tuple(row["macs"]),
        networks=tuple(row["networks"]),
        run_strategy=row["run_strategy"],
        priority_class=row["priority_class"],
        cpu_request_m=row["cpu_request_m"],
        memory_request_b=row["memory_request_b"],
        cpu_limit_m=row["cpu_limit_m"],
        memory_limit_b=row["memory_limit_b"],
        pod_affinity=tuple(_POD_TERMS.validate_python(_json(row["pod_affinity"], []))),
        node_affinity=tuple(_NODE_TERMS.validate_python(_json(row["node_affinity"], []))),
        node_selector=_json(row["node_selector"], {}),
        storage_classes=tuple(row["storage_classes"]),
    )


def _objects(target: Target, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        if row["type"] == "node":
            target.nodes.append(TargetNode(row["id"], row["name"], _json(row["labels"], {})))
        elif row["type"] == "namespace":
            target.namespaces[row["name"]] = _json(row["labels"], {})
        elif row["type"] == "priority_class":
            target.priority_classes[row["name"]] = TargetPriorityClass(
                row["id"], row["name"], int(row["value"] or 0), bool(row["global_default"])
            )
        elif row["type"] == "storage_class":
            target.storage_classes[row["name"]] = TargetStorageClass(
                row["id"], row["name"], row["provisioner"], _json(row["parameters"], {})
            )
        elif row["type"] == "nad":
            target.nads.append(
                Nad(
                    row["id"],
                    row["namespace"],
                    row["name"],
                    row["vlan"],
                    tuple(row["vlan_trunk"]),
                    row["cni_type"],
                )
            )
        else:
            hard = _json(row["hard"], {})
            target.quotas.append(
                Quota(
                    row["id"],
                    row["namespace"],
                    row["name"],
                    quantity(hard.get("limits.memory")),
                    quantity(hard.get("limits.cpu"), 1000),
                )
            )


def _binding(row: dict[str, Any]) -> Binding:
    subjects = _SUBJECTS.validate_python(_json(row["subjects"], []))
    return Binding(
        id=row["id"],
        kind=row["kind"],
        name=row["name"],
        namespace=row["namespace"],
        role_kind=row["role_kind"],
        role_name=row["role_name"],
        rules=tuple(_RULES.validate_python(_json(row["rules"], []))),
        subjects=tuple((s.kind, s.name, s.namespace) for s in subjects),
    )


def load_target(graph: Graph, target: Target) -> Target:
    """Fill a target's objects from the graph."""
    if target.platform == "proxmox":
        from app.parity.pve_target import load_pve

        guests, target.pve = load_pve(graph, target.source, target.version)
        target.vms = list(guests)
        return target
    params = {"source": target.source}
    target.vms = [_vm(r) for r in graph.read(f"{Q}/target_vms", params)]
    _objects(target, graph.read(f"{Q}/target_objects", params))
    target.bindings = [_binding(r) for r in graph.read(f"{Q}/target_bindings", params)]
    target.subjects = [
        Subject(r["kind"], r["name"])
        for r in graph.read(f"{Q}/target_subjects", params)
        if r["kind"] in ("User", "Group")
    ]
    return target
