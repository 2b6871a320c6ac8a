"""What parity reads of one Proxmox VE target from the graph (``cypher/parity/pve_*``)."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import TypeAdapter

from app.graph import Graph
from app.parity.pve_acl import AccessConfig, Acl
from app.parity.pve_model import (
    PveHaGroup,
    PveHaRule,
    PveRealmRef,
    PveStorageRef,
    PveTarget,
    PveUserRef,
    PveVM,
    PveVnet,
)
from app.records.proxmox import PveDisk, PveNic

Q = "parity"
_NICS = TypeAdapter(list[PveNic])
_DISKS = TypeAdapter(list[PveDisk])


def _json(value: Any, default: Any) -> Any:
    if value is None or value == "":
        return default
    return json.loads(value) if isinstance(value, str) else value


def major_version(version: str | None) -> int:
    """``9.1.2`` -> 9 (0 when unknown)."""
    found = re.match(r"\s*(\d+)", version or "")
    return int(found.group(1)) if found else 0


def _guest(row: dict[str, Any]) -> PveVM:
    return PveVM(
        id=row["id"],
        namespace="",
        name=row["name"] or str(row["vmid"]),
        firmware_uuid=row["smbios_uuid"],
        macs=tuple(row["macs"]),
        vmid=int(row["vmid"]),
        guest_type=row["guest_type"] or "qemu",
        node=row["node"],
        pool=row["pool"],
        nics=tuple(_NICS.validate_python(_json(row["nics"], []))),
        disks=tuple(_DISKS.validate_python(_json(row["disks"], []))),
        cpulimit=row["cpulimit"],
        cpuunits=row["cpuunits"],
        memory_mib=row["memory_mib"],
        balloon_mib=row["balloon_mib"],
        ha_id=row["ha_id"],
        ha_state=row["ha_state"] if row["ha_id"] else None,
        ha_group=row["ha_group"],
    )


def _objects(pve: PveTarget, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        kind = row["type"]
        if kind == "node":
            pve.nodes.append(row["name"])
        elif kind == "ha_group":
            pve.ha_groups[row["name"]] = PveHaGroup(
                row["id"], row["name"], _json(row["nodes"], {}), bool(row["restricted"])
            )
        elif kind == "ha_rule":
            pve.ha_rules.append(
                PveHaRule(
                    row["id"],
                    row["name"],
                    row["rule_type"],
                    frozenset(row["guests"]),
                    _json(row["nodes"], {}),
                    bool(row["strict"]),
                    row["affinity"],
                    bool(row["disabled"]),
                )
            )
        elif kind == "vnet":
            pve.vnets[row["name"]] = PveVnet(row["id"], row["name"], row["tag"])
        else:
            pve.storages[row["name"]] = PveStorageRef(row["id"], row["name"], row["storage_type"])


def _access(pve: PveTarget, rows: list[dict[str, Any]]) -> None:
    acls: list[Acl] = []
    roles: dict[str, frozenset[str]] = {}
    groups: dict[str, frozenset[str]] = {}
    pools: dict[str, frozenset[str]] = {}
    tokens: dict[str, bool] = {}
    for row in rows:
        kind = row["type"]
        if kind == "acl":
            acl = Acl(
                row["path"], row["subject_type"], row["subject"], row["role"], row["propagate"]
            )
            acls.append(acl)
            pve.acl_ids[(acl.path, acl.kind, acl.ugid, acl.role)] = row["id"]
        elif kind == "role":
            roles[row["name"]] = frozenset(row["privileges"])
        elif kind == "group":
            groups[row["name"]] = frozenset(row["members"])
            pve.groups.append(row["name"])
        elif kind == "user":
            pve.users.append(PveUserRef(row["userid"], bool(row["enabled"])))
            separated = set(row["privsep_tokens"])
            tokens.update({t: t in separated for t in row["tokens"]})
        elif kind == "pool":
            pools[row["name"]] = frozenset(
                [f"/vms/{v}" for v in row["pool_vmids"]]
                + [f"/storage/{s}" for s in row["pool_storages"]]
            )
        else:
            pve.realms[row["name"]] = PveRealmRef(row["name"], row["realm_type"], row["domain"])
    pve.access = AccessConfig(tuple(acls), roles, groups, pools, tokens)


def load_pve(graph: Graph, source: str, version: str | None) -> tuple[list[PveVM], PveTarget]:
    """A PVE cluster's guests and the rest of what the Proxmox rules compare."""
    params = {"source": source}
    guests = [_guest(r) for r in graph.read(f"{Q}/pve_guests", params)]
    pve = PveTarget(major_version(version))
    _objects(pve, graph.read(f"{Q}/pve_objects", params))
    _access(pve, graph.read(f"{Q}/pve_access", params))
    return guests, pve
