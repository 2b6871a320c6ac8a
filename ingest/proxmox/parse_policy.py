"""Reading a Proxmox cluster's identity, storage, access, HA, firewall and SDN into records.

Each ``read_*`` function takes the collector (anything with :meth:`Reader.read`, which turns a
failed request into a gap and returns ``None``) and yields records.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from app.records import Record
from app.records import proxmox as r
from app.records import proxmox_policy as p
from app.records.contract import GapSink
from ingest.proxmox.parse import Ids, acl, firewall_rule, flag, node_priorities


class Reader(Protocol):
    """What the readers need of the collector."""

    ids: Ids
    cluster: r.PveCluster

    def read(self, path: str, what: str, gap: GapSink, optional: bool = False) -> Any: ...

    def cluster_nodes(self) -> list[str]: ...

    def qemu_guests(self) -> list[tuple[str, int]]: ...


def cluster(server: str, version: dict[str, Any], status: list[dict[str, Any]]) -> r.PveCluster:
    """The cluster record from ``/version`` and ``/cluster/status``."""
    entry = next((e for e in status if e.get("type") == "cluster"), None)
    nodes = [e for e in status if e.get("type") == "node"]
    if entry is not None:
        name = str(entry["name"])
    elif nodes:
        name = f"node:{nodes[0]['name']}"
    else:
        raise ValueError("/cluster/status names neither a cluster nor a node")
    source = r.source_id(name)
    return r.PveCluster(
        id=source,
        name=name,
        server=server,
        version=str(version.get("version", "")),
        release=str(version.get("release", "")),
        quorate=flag(entry["quorate"]) if entry and "quorate" in entry else None,
        node_count=len(nodes),
    )


def nodes(status: list[dict[str, Any]], ids: Ids, cluster_id: str) -> Iterator[r.PveNode]:
    """The nodes ``/cluster/status`` lists."""
    for entry in status:
        if entry.get("type") == "node":
            yield r.PveNode(
                id=ids.of("PveNode", entry["name"]),
                cluster=cluster_id,
                name=entry["name"],
                online=flag(entry.get("online", 0)),
                ip=entry.get("ip"),
            )


def read_storage(c: Reader, gap: GapSink) -> Iterator[Record]:
    """Storage definitions and pools."""
    for row in c.read("/storage", "storage", gap) or []:
        yield r.PveStorage(
            id=c.ids.of("PveStorage", row["storage"]),
            cluster=c.cluster.id,
            name=row["storage"],
            storage_type=row.get("type", ""),
            content=[x for x in str(row.get("content", "")).split(",") if x],
            shared=flag(row["shared"]) if "shared" in row else None,
            pool_name=row.get("pool"),
            disabled=flag(row.get("disable", 0)),
        )
    for row in c.read("/pools", "pools", gap) or []:
        body = c.read(f"/pools/{row['poolid']}", "pool members", gap) or {}
        members = body.get("members", [])
        yield r.PvePool(
            id=c.ids.of("PvePool", row["poolid"]),
            cluster=c.cluster.id,
            name=row["poolid"],
            comment=row.get("comment"),
            storages=sorted(
                c.ids.of("PveStorage", m["storage"]) for m in members if m.get("type") == "storage"
            ),
        )


def read_realms(c: Reader, gap: GapSink) -> Iterator[Record]:
    """Authentication realms, with a directory realm's sync settings."""
    cid, ids = c.cluster.id, c.ids
    for row in c.read("/access/domains", "realms", gap) or []:
        detail: dict[str, Any] = {}
        if row.get("type") in ("ad", "ldap"):
            detail = c.read(f"/access/domains/{row['realm']}", "realm settings", gap) or {}
        yield p.PveRealm(
            id=ids.of("PveRealm", row["realm"]),
            cluster=cid,
            name=row["realm"],
            realm_type=row["type"],
            domain=detail.get("domain"),
            servers=[s for s in (detail.get("server1"), detail.get("server2")) if s],
            base_dn=detail.get("base_dn"),
            sync_options=detail.get("sync-defaults-options"),
            group_filter=detail.get("group_filter"),
            case_sensitive=flag(detail["case-sensitive"]) if "case-sensitive" in detail else None,
        )


def read_access(c: Reader, gap: GapSink) -> Iterator[Record]:
    """Users (with tokens), groups, roles and ACL entries."""
    cid, ids = c.cluster.id, c.ids
    members: dict[str, list[str]] = {}
    for row in c.read("/access/users", "users", gap) or []:
        uid = row["userid"]
        groups = [g for g in str(row.get("groups", "")).split(",") if g]
        for group in groups:
            members.setdefault(group, []).append(ids.of("PveUser", uid))
        tokens = row.get("tokens") or []
        yield p.PveUser(
            id=ids.of("PveUser", uid),
            cluster=cid,
            userid=uid,
            realm=ids.of("PveRealm", uid.rsplit("@", 1)[-1]),
            enabled=flag(row.get("enable", 1)),
            expire=row.get("expire") or None,
            groups=[ids.of("PveGroup", g) for g in groups],
            tokens=[f"{uid}!{t['tokenid']}" for t in tokens],
            privsep_tokens=[f"{uid}!{t['tokenid']}" for t in tokens if flag(t.get("privsep", 1))],
        )
    for row in c.read("/access/groups", "groups", gap) or []:
        yield p.PveGroup(
            id=ids.of("PveGroup", row["groupid"]),
            cluster=cid,
            name=row["groupid"],
            comment=row.get("comment"),
            members=sorted(members.get(row["groupid"], [])),
        )
    for row in c.read("/access/roles", "roles", gap) or []:
        yield p.PveRole(
            id=ids.of("PveRole", row["roleid"]),
            cluster=cid,
            name=row["roleid"],
            privileges=sorted(x for x in str(row.get("privs", "")).split(",") if x),
            builtin=flag(row.get("special", 0)),
        )
    for row in c.read("/access/acl", "ACL entries", gap) or []:
        yield acl(row, ids, cid)


def read_ha(c: Reader, gap: GapSink) -> Iterator[Record]:
    """HA resources, PVE 8 groups and PVE 9 rules."""
    cid, ids = c.cluster.id, c.ids

    def guest_of(sid: str) -> str:
        return ids.of("PveGuest", sid.split(":", 1)[-1])

    for row in c.read("/cluster/ha/resources", "HA resources", gap) or []:
        yield p.PveHaResource(
            id=ids.of("PveHaResource", row["sid"]),
            cluster=cid,
            sid=row["sid"],
            guest=guest_of(row["sid"]),
            state=row.get("state", "started"),
            max_restart=row.get("max_restart"),
            max_relocate=row.get("max_relocate"),
            group=ids.of("PveHaGroup", row["group"]) if row.get("group") else None,
            failback=flag(row["failback"]) if "failback" in row else None,
        )
    for row in c.read("/cluster/ha/groups", "HA groups", gap, optional=True) or []:
        yield p.PveHaGroup(
            id=ids.of("PveHaGroup", row["group"]),
            cluster=cid,
            name=row["group"],
            nodes=node_priorities(row.get("nodes", "")),
            restricted=flag(row.get("restricted", 0)),
            nofailback=flag(row.get("nofailback", 0)),
        )
    for row in c.read("/cluster/ha/rules", "HA rules", gap, optional=True) or []:
        resources = [x for x in str(row.get("resources", "")).split(",") if x]
        yield p.PveHaRule(
            id=ids.of("PveHaRule", row["rule"]),
            cluster=cid,
            name=row["rule"],
            rule_type=row["type"],
            resources=resources,
            guests=[guest_of(x) for x in resources],
            nodes=node_priorities(row.get("nodes", "")),
            strict=flag(row["strict"]) if "strict" in row else None,
            affinity=row.get("affinity"),
            disabled=flag(row.get("disable", 0)),
        )


def _options(scope: str, body: dict[str, Any], ids: Ids, cid: str) -> p.PveFirewallOptions:
    return p.PveFirewallOptions(
        id=ids.of("PveFirewallOptions", scope),
        cluster=cid,
        scope=scope,
        enabled=flag(body.get("enable", 0)),
        policy_in=body.get("policy_in"),
        policy_out=body.get("policy_out"),
        policy_forward=body.get("policy_forward"),
    )


def read_firewall(c: Reader, gap: GapSink) -> Iterator[Record]:
    """Cluster, node and guest firewall options and rules, security groups, IP sets, aliases."""
    cid, ids = c.cluster.id, c.ids
    base = "/cluster/firewall"
    body = c.read(f"{base}/options", "firewall options", gap)
    if body is not None:
        yield _options("cluster", body, ids, cid)
    scopes = [("cluster", f"{base}/rules")]
    for row in c.read(f"{base}/groups", "security groups", gap) or []:
        yield p.PveSecurityGroup(
            id=ids.of("PveSecurityGroup", row["group"]),
            cluster=cid,
            name=row["group"],
            comment=row.get("comment"),
        )
        scopes.append((f"group/{row['group']}", f"{base}/groups/{row['group']}"))
    for node in c.cluster_nodes():
        scopes.append((f"node/{node}", f"/nodes/{node}/firewall/rules"))
    for guest_path, vmid in c.qemu_guests():
        body = c.read(f"{guest_path}/firewall/options", "guest firewall options", gap)
        if body is not None:
            yield _options(f"guest/{vmid}", body, ids, cid)
        scopes.append((f"guest/{vmid}", f"{guest_path}/firewall/rules"))
    for scope, path in scopes:
        for rule in c.read(path, "firewall rules", gap) or []:
            yield firewall_rule(scope, rule, ids, cid)
    for row in c.read(f"{base}/ipset", "IP sets", gap) or []:
        entries = c.read(f"{base}/ipset/{row['name']}", "IP set entries", gap) or []
        yield p.PveIpSet(
            id=ids.of("PveIpSet", row["name"]),
            cluster=cid,
            name=row["name"],
            cidrs=[e["cidr"] for e in entries if not flag(e.get("nomatch", 0))],
            nomatch=[e["cidr"] for e in entries if flag(e.get("nomatch", 0))],
        )
    for row in c.read(f"{base}/aliases", "firewall aliases", gap) or []:
        yield p.PveAlias(
            id=ids.of("PveAlias", row["name"]), cluster=cid, name=row["name"], cidr=row["cidr"]
        )


def read_sdn(c: Reader, gap: GapSink) -> Iterator[Record]:
    """SDN zones, VNets and their subnets (absent where SDN is not installed)."""
    cid, ids = c.cluster.id, c.ids
    for row in c.read("/cluster/sdn/zones", "SDN zones", gap, optional=True) or []:
        yield p.PveSdnZone(
            id=ids.of("PveSdnZone", row["zone"]),
            cluster=cid,
            name=row["zone"],
            zone_type=row["type"],
            bridge=row.get("bridge"),
        )
    for row in c.read("/cluster/sdn/vnets", "SDN VNets", gap, optional=True) or []:
        path = f"/cluster/sdn/vnets/{row['vnet']}/subnets"
        subnets = c.read(path, "SDN subnets", gap, optional=True) or []
        yield p.PveVnet(
            id=ids.of("PveVnet", row["vnet"]),
            cluster=cid,
            name=row["vnet"],
            in_zone=ids.of("PveSdnZone", row["zone"]) if row.get("zone") else None,
            tag=row.get("tag"),
            alias=row.get("alias"),
            subnets=sorted(_subnet_cidr(s) for s in subnets),
        )


def _subnet_cidr(row: dict[str, Any]) -> str:
    """``vlanzone-10.20.0.0-24`` → ``10.20.0.0/24`` (PVE's subnet ids), or its ``cidr``."""
    if row.get("cidr"):
        return str(row["cidr"])
    parts = str(row["subnet"]).rsplit("-", 2)
    return f"{parts[-2]}/{parts[-1]}" if len(parts) == 3 else str(row["subnet"])
