"""Per decision kind: read the source side (``cypher/parity/*``) and apply its rule.

Each judge gets the decisions of its kinds and returns a verdict per decision id over the
decision's mapped VMs. Decisions whose VMs are all off the target never reach a judge (the
engine marks them ``unmapped``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from app.graph import Graph
from app.parity.authority import Authorizer, Grant, change_authority
from app.parity.capacity import SourceAllocation, expandable, pool_allocation, vm_allocation
from app.parity.mapfile import TargetMap
from app.parity.model import TargetRef, TargetVM, Verdict, combine
from app.parity.network import PortGroup, port_group
from app.parity.placement import map_hosts, vm_host_rule, vm_vm_rule
from app.parity.principals import MapperBase
from app.parity.priority import FROM_CLUSTER, Ranked, cluster_order, effective, vm_override
from app.parity.recovery import cluster_ha
from app.parity.storage import StoragePolicy, storage_policy
from app.parity.target import Target

Q = "parity"


@dataclass
class Context:
    """Everything a judge may need."""

    graph: Graph
    target: Target
    target_map: TargetMap
    principals: MapperBase
    authorizer: Authorizer | None
    matched: Mapping[str, TargetVM] = field(default_factory=dict)
    """Source VM id -> its target VM (every mapped VM, not only a decision's)."""


@dataclass(frozen=True)
class Item:
    """One decision to judge, with its mapped VMs."""

    id: str
    kind: str
    vms: tuple[TargetVM, ...]


Judge = Callable[[Context, Sequence[Item]], dict[str, Verdict]]


def source_rows(ctx: Context, name: str, items: Sequence[Item]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in ctx.graph.read(f"{Q}/{name}", {"ids": [i.id for i in items]})}


def placement(ctx: Context, items: Sequence[Item]) -> dict[str, Verdict]:
    """DRS VM-VM and VM-host rules."""
    rules = source_rows(ctx, "drs_rules", items)
    out: dict[str, Verdict] = {}
    for item in items:
        rule = rules.get(item.id)
        if rule is None:
            continue
        if item.kind in ("vm_affinity", "vm_anti_affinity"):
            verdict = vm_vm_rule(
                item.kind == "vm_anti_affinity", item.vms, ctx.target.vms, ctx.target.namespaces
            )
        else:
            hosts = map_hosts(rule["hosts"], ctx.target.nodes, ctx.target_map.hosts)
            verdict = vm_host_rule(
                item.vms,
                ctx.target.nodes,
                frozenset(hosts.nodes.values()),
                must=bool(rule["mandatory"]),
                anti=bool(rule["anti_host"]),
            )
            if hosts.nodes:
                pairs = ", ".join(f"{h} -> {n}" for h, n in sorted(hosts.nodes.items()))
                verdict.explanation.append(f"hosts of group {rule['host_group']}: {pairs}")
            if hosts.unmatched:
                verdict.explanation.append(f"hosts with no node: {', '.join(hosts.unmatched)}")
            for host, found in hosts.ambiguous.items():
                verdict.explanation.append(f"host {host} could be node {' or '.join(found)}")
            verdict.evidence += [
                TargetRef("Node", n.id, n.name)
                for n in ctx.target.nodes
                if n.name in hosts.nodes.values()
            ]
        if not rule["enabled"]:
            verdict.explanation.append("the source rule is disabled")
        out[item.id] = verdict
    return out


def authority(ctx: Context, items: Sequence[Item]) -> dict[str, Verdict]:
    """vSphere permissions, through the target's authorizer."""
    assert ctx.authorizer is not None, "change-authority parity needs the target's authorizer"
    grants = source_rows(ctx, "grants", items)
    out: dict[str, Verdict] = {}
    for item in items:
        row = grants.get(item.id)
        if row is None:
            continue
        grant = Grant(
            row["principal"],
            bool(row["is_group"]),
            row["role"],
            int(row["role_id"]),
            tuple(row["privileges"]),
        )
        if not item.vms:
            out[item.id] = Verdict(
                "gap", ["the grant reaches no VM: parity judges VM authority only"]
            )
            continue
        out[item.id] = change_authority(
            grant, item.vms, ctx.principals, ctx.authorizer, ctx.target.source
        )
    return out


def network(ctx: Context, items: Sequence[Item]) -> dict[str, Verdict]:
    """Port-group VLANs against NADs."""
    groups = source_rows(ctx, "port_groups", items)
    out: dict[str, Verdict] = {}
    for item in items:
        row = groups.get(item.id)
        if row is None:
            continue
        pg = PortGroup(row["name"], row["vlan_id"], tuple(row["vlan_trunk"]), row["pvlan_id"])
        out[item.id] = port_group(pg, item.vms, ctx.target.nads, bool(row["had_vms"]))
    return out


ALLOCATION = (
    "cpu_reservation",
    "cpu_limit",
    "cpu_shares_level",
    "mem_reservation",
    "mem_limit",
    "mem_shares_level",
    "cpu_expandable",
    "mem_expandable",
)


def capacity(ctx: Context, items: Sequence[Item]) -> dict[str, Verdict]:
    """VM and pool reservations, limits, shares; expandable reservations."""
    rows = source_rows(ctx, "allocations", items)
    mhz = ctx.target_map.cpu_mhz_per_core
    out: dict[str, Verdict] = {}
    for item in items:
        row = rows.get(item.id)
        if row is None:
            continue
        alloc = SourceAllocation(**{k: row[k] for k in ALLOCATION})
        if item.kind == "vm_allocation":
            if not item.vms:
                continue
            out[item.id] = vm_allocation(alloc, item.vms[0], mhz)
        elif item.kind == "pool_allocation":
            namespaces = sorted({vm.namespace for vm in item.vms})
            out[item.id] = pool_allocation(alloc, namespaces, ctx.target.quotas, mhz)
        else:
            out[item.id] = expandable(alloc)
    return out


def _members(ctx: Context, row: dict[str, Any], default: str) -> dict[str, Ranked]:
    return {
        m["vm"]: Ranked(ctx.matched[m["vm"]], effective(m["override"], default))
        for m in row["members"]
        if m["vm"] in ctx.matched
    }


def recovery(ctx: Context, items: Sequence[Item]) -> dict[str, Verdict]:
    """Cluster HA (run strategies, admission control, default restart priority) and per-VM
    HA overrides (restart priority order, disabled, isolation response, monitoring)."""
    ha = source_rows(ctx, "clusters_ha", [i for i in items if i.kind == "cluster_ha"])
    rows = source_rows(ctx, "restart_priorities", items)
    classes = ctx.target.priority_classes
    out: dict[str, Verdict] = {}
    for item in items:
        row = rows.get(item.id)
        if row is None or not item.vms:
            continue
        default = effective(None, row["default_priority"])
        members = _members(ctx, row, default)
        if item.kind == "cluster_ha" and item.id in ha:
            disabled = frozenset(r.vm.id for r in members.values() if r.priority == "disabled")
            out[item.id] = combine(
                [
                    cluster_ha(item.vms, bool(ha[item.id]["admission_control"]), disabled),
                    cluster_order(list(members.values()), default, classes),
                ]
            )
        elif item.kind == "vm_ha_override":
            subject = Ranked(item.vms[0], effective(row["restart_priority"], default))
            out[item.id] = vm_override(
                subject,
                [r for sid, r in members.items() if sid != row["vm"]],
                classes,
                default,
                row["isolation_response"],
                row["vm_monitoring"],
                sets_priority=row["restart_priority"] not in (None, FROM_CLUSTER),
            )
    return out


def storage(ctx: Context, items: Sequence[Item]) -> dict[str, Verdict]:
    """SPBM storage policies against StorageClasses (through the map file's policy map)."""
    rows = source_rows(ctx, "storage_policies", items)
    return {
        i.id: storage_policy(
            StoragePolicy(rows[i.id]["name"], tuple(rows[i.id]["rules"])),
            i.vms,
            ctx.target_map.storage_policies,
            ctx.target.storage_classes,
        )
        for i in items
        if i.id in rows and i.vms
    }


KINDS: dict[str, str] = {
    "cluster_ha": "recovery",
    "vm_ha_override": "recovery",
    "storage_policy": "storage",
    "vm_affinity": "placement",
    "vm_anti_affinity": "placement",
    "vm_host": "placement",
    "permission": "authority",
    "port_group": "network",
    "vm_allocation": "capacity",
    "pool_allocation": "capacity",
    "expandable_reservation": "capacity",
}
"""Decision kind -> the name of its judge, the same on every platform. Kinds not listed are
not judged yet (docs/targets.md)."""


def judge_table(module: ModuleType) -> dict[str, Judge]:
    """Decision kind -> judge, from a platform's module of judges named as :data:`KINDS`
    says (this module for Kubernetes, :mod:`app.parity.pve_judges` for Proxmox VE)."""
    return {kind: getattr(module, name) for kind, name in KINDS.items()}


JUDGES: dict[str, Judge] = judge_table(sys.modules[__name__])
"""Decision kind -> its Kubernetes judge."""
