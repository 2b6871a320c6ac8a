"""Per decision kind on a Proxmox VE target: read the source side (the same
``cypher/parity/*`` queries as on Kubernetes) and apply the Proxmox rule
(:mod:`app.parity.pve_placement`, :mod:`app.parity.pve_recovery`,
:mod:`app.parity.pve_rules`, :mod:`app.parity.pve_authority`)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import cast

from app.parity import pve_placement, pve_recovery
from app.parity import pve_rules as rules
from app.parity.authority import Grant
from app.parity.capacity import SourceAllocation
from app.parity.judges import ALLOCATION, Context, Item, Judge, judge_table, source_rows
from app.parity.model import TargetNode, Verdict
from app.parity.network import PortGroup
from app.parity.placement import map_hosts
from app.parity.priority import FROM_CLUSTER, effective
from app.parity.pve_authority import change_authority
from app.parity.pve_model import PveTarget, PveVM
from app.parity.pve_principals import PvePrincipalMapper
from app.parity.storage import StoragePolicy

Q = "parity"


def _pve(ctx: Context) -> PveTarget:
    assert ctx.target.pve is not None, "a Proxmox judge needs a Proxmox target"
    return ctx.target.pve


def _guests(item: Item) -> list[PveVM]:
    return [cast(PveVM, vm) for vm in item.vms]


def placement(ctx: Context, items: Sequence[Item]) -> dict[str, Verdict]:
    """DRS VM-VM and VM-host rules against HA rules (PVE 9) or HA groups (PVE 8)."""
    pve = _pve(ctx)
    found = source_rows(ctx, "drs_rules", items)
    nodes = [TargetNode(n, n) for n in pve.nodes]
    out: dict[str, Verdict] = {}
    for item in items:
        rule = found.get(item.id)
        if rule is None:
            continue
        if item.kind in ("vm_affinity", "vm_anti_affinity"):
            verdict = pve_placement.vm_vm_rule(item.kind == "vm_anti_affinity", _guests(item), pve)
        else:
            hosts = map_hosts(rule["hosts"], nodes, ctx.target_map.hosts)
            verdict = pve_placement.vm_host_rule(
                _guests(item),
                pve,
                frozenset(hosts.nodes.values()),
                must=bool(rule["mandatory"]),
                anti=bool(rule["anti_host"]),
            )
            if hosts.nodes:
                pairs = ", ".join(f"{h} -> {n}" for h, n in sorted(hosts.nodes.items()))
                verdict.explanation.append(f"hosts of group {rule['host_group']}: {pairs}")
            if hosts.unmatched:
                verdict.explanation.append(f"hosts with no node: {', '.join(hosts.unmatched)}")
        if not rule["enabled"]:
            verdict.explanation.append("the source rule is disabled")
        out[item.id] = verdict
    return out


def authority(ctx: Context, items: Sequence[Item]) -> dict[str, Verdict]:
    """vSphere permissions against PVE ACLs, by Proxmox's permission rules."""
    pve = _pve(ctx)
    grants = source_rows(ctx, "grants", items)
    out: dict[str, Verdict] = {}
    for item in items:
        row = grants.get(item.id)
        if row is None:
            continue
        if not item.vms:
            out[item.id] = Verdict(
                "gap", ["the grant reaches no VM: parity judges VM authority only"]
            )
            continue
        grant = Grant(
            row["principal"],
            bool(row["is_group"]),
            row["role"],
            int(row["role_id"]),
            tuple(row["privileges"]),
        )
        mapper = cast(PvePrincipalMapper, ctx.principals)
        out[item.id] = change_authority(grant, _guests(item), mapper, pve)
    return out


def network(ctx: Context, items: Sequence[Item]) -> dict[str, Verdict]:
    """Port-group VLANs against guest NIC tags and SDN VNets."""
    pve = _pve(ctx)
    groups = source_rows(ctx, "port_groups", items)
    out: dict[str, Verdict] = {}
    for item in items:
        row = groups.get(item.id)
        if row is None:
            continue
        pg = PortGroup(row["name"], row["vlan_id"], tuple(row["vlan_trunk"]), row["pvlan_id"])
        out[item.id] = rules.port_group(pg, _guests(item), pve, bool(row["had_vms"]))
    return out


def _shares(ctx: Context) -> tuple[dict[str, int], list[tuple[PveVM, int]]]:
    """Each mapped source VM's CPU shares value (from its level when no value is stored),
    and the mapped guests with theirs."""
    levels = {"low": 500, "normal": 1000, "high": 2000}
    values: dict[str, int] = {}
    for row in ctx.graph.read(f"{Q}/vm_shares"):
        values[row["id"]] = int(row["shares"] or levels.get(row["level"] or "normal", 1000))
    peers = [(cast(PveVM, vm), values.get(sid, 1000)) for sid, vm in ctx.matched.items()]
    return values, peers


def capacity(ctx: Context, items: Sequence[Item]) -> dict[str, Verdict]:
    """VM limits and shares against cpulimit, memory and cpuunits; the rest are gaps."""
    found = source_rows(ctx, "allocations", items)
    mhz = ctx.target_map.cpu_mhz_per_core
    values, peers = _shares(ctx)
    out: dict[str, Verdict] = {}
    for item in items:
        row = found.get(item.id)
        if row is None:
            continue
        alloc = SourceAllocation(**{k: row[k] for k in ALLOCATION})
        if item.kind == "vm_allocation":
            if not item.vms:
                continue
            out[item.id] = rules.vm_allocation(
                alloc, _guests(item)[0], mhz, values.get(row["object_id"]), peers
            )
        elif item.kind == "pool_allocation":
            out[item.id] = rules.pool_allocation(alloc)
        else:
            out[item.id] = rules.expandable(alloc)
    return out


def recovery(ctx: Context, items: Sequence[Item]) -> dict[str, Verdict]:
    """Cluster HA and per-VM HA overrides against HA resources."""
    ha = source_rows(ctx, "clusters_ha", [i for i in items if i.kind == "cluster_ha"])
    found = source_rows(ctx, "restart_priorities", items)
    out: dict[str, Verdict] = {}
    for item in items:
        row = found.get(item.id)
        if row is None or not item.vms:
            continue
        default = effective(None, row["default_priority"])
        members = {
            cast(PveVM, ctx.matched[m["vm"]]).id: effective(m["override"], default)
            for m in row["members"]
            if m["vm"] in ctx.matched
        }
        if item.kind == "cluster_ha" and item.id in ha:
            disabled = frozenset(v for v, p in members.items() if p == "disabled")
            out[item.id] = pve_recovery.cluster_ha(
                _guests(item), bool(ha[item.id]["admission_control"]), disabled, members
            )
        elif item.kind == "vm_ha_override":
            out[item.id] = pve_recovery.vm_override(
                _guests(item)[0],
                effective(row["restart_priority"], default),
                row["isolation_response"],
                row["vm_monitoring"],
                sets_priority=row["restart_priority"] not in (None, FROM_CLUSTER),
            )
    return out


def storage(ctx: Context, items: Sequence[Item]) -> dict[str, Verdict]:
    """SPBM storage policies against PVE storages (through the map file's policy map)."""
    pve = _pve(ctx)
    found = source_rows(ctx, "storage_policies", items)
    return {
        i.id: rules.storage_policy(
            StoragePolicy(found[i.id]["name"], tuple(found[i.id]["rules"])),
            _guests(i),
            ctx.target_map.storage_policies,
            pve.storages,
        )
        for i in items
        if i.id in found and i.vms
    }


PVE_JUDGES: dict[str, Judge] = judge_table(sys.modules[__name__])
"""Decision kind -> its Proxmox judge (the same kinds as on Kubernetes)."""
