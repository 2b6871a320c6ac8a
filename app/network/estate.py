"""The network engine's estate read out of the graph, and the evaluated memberships written
back (``(:NsxGroup)-[:HAS_MEMBER]->(:VirtualMachine)``) at derive time.

Every NSX manager in the graph is read into one estate (one manager per graph is the usual
case). NSX's effective membership (live collections) is the truth for the groups that have
it; the others (exports) are evaluated from their expression over the vCenter VMs.
"""

from __future__ import annotations

import json
from typing import Any

from app.graph import Graph
from app.network.membership import resolve
from app.network.model import DfwPolicy, DfwRule, Estate, NetGroup, NetService, NetVm

MISSING = "/(a group that is not in the graph)"
"""Stands for a rule side whose group the load could not link (its target was missing)."""


def _vm(row: dict[str, Any]) -> NetVm:
    tags = row.get("tags")
    return NetVm(
        id=str(row["id"]),
        name=str(row.get("name") or row["id"]),
        instance_uuid=row.get("instance_uuid"),
        guest_os=row.get("guest_os"),
        tags=None if tags is None else frozenset(str(t) for t in tags),
    )


def _group(row: dict[str, Any]) -> NetGroup:
    try:
        expression = json.loads(row.get("expression") or "[]")
    except json.JSONDecodeError:
        expression = []
    return NetGroup(
        path=str(row["path"]),
        name=str(row.get("name") or row["path"]),
        expression=tuple(e for e in expression if isinstance(e, dict)),
        effective_members=frozenset(row["members"]) if row.get("from_nsx") else None,
    )


def _side(rule: dict[str, Any], which: str) -> tuple[str, ...]:
    any_key = "source_any" if which == "sources" else "destination_any"
    address_key = "source_addresses" if which == "sources" else "destination_addresses"
    if rule.get(any_key):
        return ()
    refs = [*(rule.get(which) or []), *(rule.get(address_key) or [])]
    return tuple(refs) or (MISSING,)


def _rule(row: dict[str, Any]) -> DfwRule:
    services = tuple(row.get("services") or ())
    entries = tuple(row.get("service_entries") or ())
    if not row.get("services_any") and not services and not entries:
        services = ("/(a service that is not in the graph)",)
    return DfwRule(
        path=str(row["path"]),
        name=str(row.get("display_name") or row["path"]),
        sequence=int(row.get("sequence_number") or 0),
        action=str(row.get("action") or ""),
        direction=str(row.get("direction") or "IN_OUT"),
        disabled=bool(row.get("disabled")),
        sources=_side(row, "sources"),
        destinations=_side(row, "destinations"),
        sources_excluded=bool(row.get("sources_excluded")),
        destinations_excluded=bool(row.get("destinations_excluded")),
        services=() if row.get("services_any") else services,
        service_entries=() if row.get("services_any") else entries,
        scope=tuple(row.get("scope") or ()),
        rule_id=row.get("rule_id"),
    )


def _policy(row: dict[str, Any]) -> DfwPolicy:
    return DfwPolicy(
        path=str(row["path"]),
        name=str(row.get("name") or row["path"]),
        category=str(row.get("category") or ""),
        sequence=int(row.get("sequence") or 0),
        rules=tuple(_rule(r) for r in row.get("rules") or []),
        scope=tuple(row.get("scope") or ()),
        policy_type=str(row.get("policy_type") or "distributed"),
        system_owned=bool(row.get("system_owned")),
    )


def load_estate(graph: Graph) -> Estate:
    """Everything the engine needs, from the graph."""
    vms = [_vm(r) for r in graph.read("network/vms")]
    groups = [_group(r) for r in graph.read("network/groups")]
    rows = graph.read("network/services")
    return Estate(
        vms={vm.id: vm for vm in vms},
        groups={g.path: g for g in groups},
        services={
            str(r["path"]): NetService(str(r["path"]), str(r["name"]), tuple(r["entries"]))
            for r in rows
            if r["kind"] == "service"
        },
        policies=tuple(_policy(r) for r in graph.read("network/policies")),
        segments=frozenset(str(r["path"]) for r in rows if r["kind"] == "segment"),
    )


def derive_memberships(graph: Graph, run: str) -> dict[str, int]:
    """Write every group's membership (NSX's or evaluated) as ``HAS_MEMBER`` edges, with its
    status on the group; return counts for the derive report."""
    estate = load_estate(graph)
    found = resolve(estate)
    graph.write("network/clear_members")
    rows = [
        {"path": m.group, "source": m.source, "status": m.status, "members": sorted(m.members)}
        for m in found.values()
    ]
    stats = graph.write_rows("network/write_members", rows, {"run": run})
    unknown = sum(1 for m in found.values() if m.unknown)
    return {
        "network_members": stats.totals.get("members", 0),
        "network_groups_unknown": unknown,
    }
