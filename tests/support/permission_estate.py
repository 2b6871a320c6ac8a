"""A small in-memory vSphere + AD estate for permission tests and benchmarks.

:class:`Estate` holds an inventory tree, directory users and groups, roles and permissions in
plain Python. :func:`write_snapshots` turns it into the records the vCenter and AD collectors
write (same ids, same fields), so it loads into Neo4j through the normal snapshot path; the
reference implementation (:mod:`tests.support.permissions_reference`) reads the same object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.records import ad as a
from app.records import vcenter as r
from app.records.contract import SourceIdentity
from app.snapshot import SnapshotWriter

VC = "aaaaaaaa-1111-2222-3333-444444444444"
DOMAIN_SID = "S-1-5-21-1000-2000-3000"
NETBIOS = "CORP"
DNS = "corp.example.test"
BASE_DN = "DC=corp,DC=example,DC=test"


@dataclass
class Entity:
    """An inventory object. ``parent`` is its inventory parent (a host's: its cluster)."""

    kind: str  # Folder, Datacenter, Cluster, Host, ResourcePool, VirtualMachine
    name: str
    parent: str | None = None
    standalone: bool = False  # Cluster: a standalone host's compute resource
    pool: str | None = None  # VirtualMachine: its resource pool (None for a template)
    host: str | None = None  # VirtualMachine


@dataclass(frozen=True)
class Permission:
    """A permission as vCenter lists it."""

    principal: str  # DOMAIN\\account
    is_group: bool
    role_id: int
    entity: str
    propagate: bool


@dataclass
class Estate:
    """Inventory (by moref), directory (by sAMAccountName), roles and permissions."""

    entities: dict[str, Entity] = field(default_factory=dict)
    users: dict[str, bool] = field(default_factory=dict)  # sam -> enabled
    primary_group: dict[str, str] = field(default_factory=dict)  # user sam -> group sam
    groups: dict[str, list[str]] = field(default_factory=dict)  # group sam -> member sams
    roles: dict[int, tuple[str, frozenset[str]]] = field(default_factory=dict)
    permissions: list[Permission] = field(default_factory=list)

    def add(self, moref: str, kind: str, name: str, parent: str | None, **extra: object) -> str:
        """Add an inventory object; return its moref."""
        self.entities[moref] = Entity(kind, name, parent, **extra)  # type: ignore[arg-type]
        return moref

    def grant(
        self, principal: str, role_id: int, entity: str, propagate: bool = True, group: bool = False
    ) -> None:
        """Add a permission (``principal`` a sAMAccountName of the domain, or DOMAIN\\name)."""
        name = principal if "\\" in principal else f"{NETBIOS}\\{principal}"
        self.permissions.append(Permission(name, group, role_id, entity, propagate))


def entity_id(moref: str) -> str:
    """The graph id of an inventory object."""
    return f"{VC}:{moref}"


def principal_name(sam: str) -> str:
    """How vCenter and the answers name a directory account."""
    return f"{NETBIOS}\\{sam}"


def _dn(sam: str, estate: Estate) -> str:
    ou = "Groups" if sam in estate.groups else "People"
    return f"CN={sam},OU={ou},{BASE_DN}"


def write_snapshots(estate: Estate, directory: Path) -> tuple[Path, Path]:
    """Write the estate as a vCenter snapshot and an AD snapshot; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    vc_path, ad_path = directory / "vcenter.jsonl", directory / "ad.jsonl"
    with SnapshotWriter(vc_path, SourceIdentity(kind="vcenter", id=VC)) as out:
        out.write(r.VCenter(id=VC, name="vc-test", instance_uuid=VC))
        privileges = sorted({p for _, privs in estate.roles.values() for p in privs})
        for priv in privileges:
            group, _, name = priv.rpartition(".")
            out.write(
                r.Privilege(id=f"{VC}:priv:{priv}", privilege_id=priv, name=name, group=group)
            )
        for role_id, (name, privs) in sorted(estate.roles.items()):
            out.write(
                r.Role(
                    id=f"{VC}:role:{role_id}",
                    role_id=role_id,
                    name=name,
                    system=role_id < 0,
                    privileges=[f"{VC}:priv:{p}" for p in sorted(privs)],
                )
            )
        for moref, e in estate.entities.items():
            oid, parent = entity_id(moref), entity_id(e.parent) if e.parent else None
            if e.kind == "Folder":
                out.write(r.Folder(id=oid, moref=moref, name=e.name, parent=parent))
            elif e.kind == "Datacenter":
                out.write(r.Datacenter(id=oid, moref=moref, name=e.name, vcenter=VC, parent=parent))
            elif e.kind == "Cluster":
                out.write(
                    r.Cluster(
                        id=oid, moref=moref, name=e.name, parent=parent, standalone=e.standalone
                    )
                )
            elif e.kind == "Host":
                out.write(r.Host(id=oid, moref=moref, name=e.name, cluster=parent))
            elif e.kind == "ResourcePool":
                cluster = e.parent
                while cluster and estate.entities[cluster].kind != "Cluster":
                    cluster = estate.entities[cluster].parent
                out.write(
                    r.ResourcePool(
                        id=oid,
                        moref=moref,
                        name=e.name,
                        parent=parent,
                        cluster=entity_id(cluster) if cluster else None,
                    )
                )
            elif e.kind == "VirtualMachine":
                out.write(
                    r.VirtualMachine(
                        id=oid,
                        moref=moref,
                        name=e.name,
                        folder=parent,
                        template=e.pool is None,
                        host=entity_id(e.host) if e.host else None,
                        resource_pool=entity_id(e.pool) if e.pool else None,
                    )
                )
            else:
                raise ValueError(f"unknown kind {e.kind}")
        for p in estate.permissions:
            kind = "group" if p.is_group else "user"
            out.write(
                r.Permission(
                    id=f"{entity_id(p.entity)}:perm:{kind}:{p.principal}",
                    principal=p.principal,
                    is_group=p.is_group,
                    role_id=p.role_id,
                    propagate=p.propagate,
                    entity=entity_id(p.entity),
                    role=f"{VC}:role:{p.role_id}",
                )
            )
    domain = f"ad:{DOMAIN_SID}"
    rids = {sam: 2000 + i for i, sam in enumerate([*estate.users, *estate.groups])}
    with SnapshotWriter(ad_path, SourceIdentity(kind="ad", id=f"forest:{DNS}")) as out:
        out.write(
            a.ADDomain(
                id=domain, sid=DOMAIN_SID, netbios_name=NETBIOS, dns_name=DNS, dn=BASE_DN, name=DNS
            )
        )
        for sam, enabled in estate.users.items():
            dn = _dn(sam, estate)
            primary = estate.primary_group.get(sam)
            out.write(
                a.ADUser(
                    id=f"ad:user-{sam}",
                    guid=f"user-{sam}",
                    sid=f"{DOMAIN_SID}-{rids[sam]}",
                    dn=dn,
                    dn_key=a.dn_key(dn),
                    name=sam,
                    domain=domain,
                    account_key=f"{NETBIOS}\\{sam}".lower(),
                    sam_account_name=sam,
                    upn=f"{sam}@{DNS}",
                    upn_key=f"{sam}@{DNS}".lower(),
                    enabled=enabled,
                    primary_group_sid=f"{DOMAIN_SID}-{rids[primary]}" if primary else None,
                )
            )
        for sam, members in estate.groups.items():
            dn = _dn(sam, estate)
            out.write(
                a.ADGroup(
                    id=f"ad:group-{sam}",
                    guid=f"group-{sam}",
                    sid=f"{DOMAIN_SID}-{rids[sam]}",
                    dn=dn,
                    dn_key=a.dn_key(dn),
                    name=sam,
                    domain=domain,
                    account_key=f"{NETBIOS}\\{sam}".lower(),
                    sam_account_name=sam,
                    scope="global",
                    members=[a.dn_key(_dn(m, estate)) for m in members],
                    member_count=len(members),
                )
            )
    return vc_path, ad_path
