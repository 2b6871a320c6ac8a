"""The vSphere authority of the graph as a BloodHound OpenGraph document.

``{"metadata": {"source_kind": "VSphere"}, "graph": {"nodes": [...], "edges": [...]}}``, the
shape BloodHound CE (v8+) ingests (its JSON schemas: ``tests/fixtures/bloodhound/``):

* nodes: the vCenters and vSphere objects (``VS_VCenter``, ``VS_Datacenter``, ``VS_Folder``,
  ``VS_Cluster``, ``VS_Host``, ``VS_VM``...; all also ``VS_Entity``), the roles (``VS_Role``)
  and the principals of domains authmap did not collect (``VS_User``/``VS_Group`` +
  ``VS_Principal``: vsphere.local, deleted accounts). AD accounts are *not* nodes: edges start
  at their SID (``match_by: id``), which is the object id SharpHound gave them.
* ``VS_Contains``: parent -> child along the permission-inheritance chain.
* ``VS_HasPermission``: principal -> entity, one per vCenter permission (role, propagate, the
  change-authority decision and its ownership status; ``ownership: unowned`` is a finding).
* derived control edges (``VS_AdminTo``, ``VS_CanModifyPermissions``, ``VS_CanPowerOff``,
  ``VS_CanConsole``, ``VS_CanReconfigure``): from the permission engine's ``who-can`` answer
  of every object, so nesting, propagation, NoAccess and the VM's two chains are applied
  exactly as ``authmap who-can`` applies them; every principal the answer lists (nested group
  members one by one) gets its own edge.

``--include-inventory`` adds the objects no permission or control edge reaches (else only
those, and their ancestors so the tree stays connected); ``--privileges all|dangerous`` says
which privilege ids the role nodes and edges list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from app.bloodhound import kinds as k
from app.graph import Graph
from app.permissions import Answer, PermissionEngine

Privileges = Literal["all", "dangerous"]


@dataclass(frozen=True)
class ExportOptions:
    """What the document holds besides what every export has."""

    include_inventory: bool = False
    privileges: Privileges = "dangerous"


def clean(properties: Mapping[str, Any]) -> dict[str, Any]:
    """Properties BloodHound accepts: no nulls, no maps (lists of primitives only)."""
    return {key: value for key, value in properties.items() if value is not None}


def ref(value: str) -> dict[str, str]:
    """An edge end matched by object id."""
    return {"match_by": "id", "value": value}


def edge(start: str, end: str, kind: str, **properties: Any) -> dict[str, Any]:
    """One OpenGraph edge between two object ids."""
    return {"start": ref(start), "end": ref(end), "kind": kind, "properties": clean(properties)}


def principal_node_id(name: str) -> str:
    """The node id of a principal of an uncollected domain (case-insensitive, as vCenter)."""
    return f"vsphere-principal:{name.lower()}"


@dataclass
class _Builder:
    """Collects nodes (by id) and edges while the graph is read."""

    options: ExportOptions
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: list[dict[str, Any]] = field(default_factory=list)
    sids: dict[str, str] = field(default_factory=dict)
    """Directory account id -> SID."""

    def privileges(self, ids: Iterable[str]) -> list[str]:
        """The privilege ids the options keep, sorted."""
        keep = self.options.privileges == "all"
        return sorted(p for p in ids if keep or k.dangerous(p))

    def node(self, node_id: str, kinds: list[str], **properties: Any) -> None:
        """Add a node once."""
        self.nodes.setdefault(
            node_id, {"id": node_id, "kinds": kinds, "properties": clean(properties)}
        )

    def principal(self, name: str, grantee: str | None, is_group: bool, status: str | None) -> str:
        """The object id an edge from this principal starts at: the account's SID, or a
        ``VS_`` node of its own when no collected account (with a SID) answers to it."""
        if grantee is not None and grantee in self.sids:
            return self.sids[grantee]
        node_id = principal_node_id(name)
        domain = name.split("\\", 1)[0] if "\\" in name else name.rpartition("@")[2]
        self.node(
            node_id,
            [k.GROUP if is_group else k.USER, k.PRINCIPAL],
            name=name,
            domain=domain or None,
            status=status or "external",
        )
        return node_id


def _entities(builder: _Builder, graph: Graph, reached: set[str]) -> None:
    """The vCenter and entity nodes, and VS_Contains between exported ones."""
    rows = graph.read("export/entities")
    parents = {str(r["id"]): [str(p) for p, _ in r["parents"]] for r in rows}
    keep = {str(r["id"]) for r in rows} if builder.options.include_inventory else set()
    todo = [e for e in reached if e in parents]
    while todo:  # ancestors of what is reached, so the tree stays connected
        eid = todo.pop()
        if eid not in keep:
            keep.add(eid)
            todo.extend(parents[eid])
    for vc in graph.read("export/vcenters"):
        builder.node(
            str(vc["id"]),
            [k.NODE_KINDS["VCenter"], k.ENTITY],
            name=vc["name"],
            instance_uuid=vc["instance_uuid"],
            authmap_kind="VCenter",
        )
    for row in rows:
        eid = str(row["id"])
        if eid not in keep:
            continue
        kind = str(row["kind"])
        builder.node(
            eid,
            [k.NODE_KINDS.get(kind, "VS_Object"), k.ENTITY],
            name=row["name"],
            moref=row["moref"],
            authmap_kind=kind,
            permission_holder=row["holder"],
        )
        for parent, chain in row["parents"]:
            if parent in keep:
                builder.edges.append(edge(str(parent), eid, k.CONTAINS, chain=chain))
        if not row["parents"] and row["vcenter"] is not None:
            builder.edges.append(edge(str(row["vcenter"]), eid, k.CONTAINS, chain="parent"))


def _roles(builder: _Builder, graph: Graph) -> frozenset[str]:
    """The role nodes; returns the Admin role's (id -1) privileges."""
    admin: frozenset[str] = frozenset()
    for row in graph.read("export/roles"):
        builder.node(
            str(row["id"]),
            [k.ROLE],
            name=row["name"],
            role_id=row["role_id"],
            privileges=builder.privileges(row["privileges"]),
        )
        if row["role_id"] == -1:
            admin = frozenset(row["privileges"])
    return admin


def _permissions(
    builder: _Builder, rows: list[dict[str, Any]], roles: Mapping[str, list[str]]
) -> None:
    """One VS_HasPermission edge per vCenter permission."""
    for row in rows:
        start = builder.principal(
            str(row["principal"]), row["grantee"], bool(row["is_group"]), row["status"]
        )
        builder.edges.append(
            edge(
                start,
                str(row["entity"]),
                k.HAS_PERMISSION,
                permission_id=row["id"],
                principal=row["principal"],
                principal_status=row["status"],
                role=row["role_name"],
                role_id=row["role_id"],
                role_node=row["role"],
                propagate=bool(row["propagate"]),
                privileges=roles.get(str(row["role"]), []),
                decision_id=row["decision"],
                decision_state=row["decision_state"],
                ownership=row["ownership"],
                team=row["team"],
            )
        )


def control(answer: Answer, admin: frozenset[str]) -> list[str]:
    """The derived control edges one who-can answer gives."""
    return k.control_edges(answer.outcome.privileges, answer.entity.kind, admin)


def _derived(
    builder: _Builder, answers: list[Answer], admin: frozenset[str], groups: Mapping[str, bool]
) -> None:
    """The control edges of every who-can answer."""
    for answer in answers:
        edges = control(answer, admin)
        if not edges:
            continue
        p = answer.principal
        is_group = p.kind == "ADGroup" or groups.get(p.name.lower(), False)
        start = builder.principal(p.name, p.id, is_group, p.kind if p.id is None else None)
        grants = [s for s in answer.outcome.steps if s.effect == "grant"]
        via = list(grants[0].via) if grants else []
        for kind in edges:
            builder.edges.append(
                edge(
                    start,
                    answer.entity.id,
                    kind,
                    principal=p.name,
                    via=via,
                    permissions=sorted({s.grant.id for s in grants}),
                    privileges=builder.privileges(answer.outcome.privileges),
                )
            )


def who_can_everything(graph: Graph) -> list[Answer]:
    """``who-can`` of every vSphere object: every principal with privileges there, and why."""
    engine = PermissionEngine(graph)
    ids = [str(r["id"]) for r in graph.read("export/entities")]
    return [answer for eid in ids for answer in engine.who_can(eid)]


def build(graph: Graph, options: ExportOptions | None = None) -> dict[str, Any]:
    """The OpenGraph document of the graph's vSphere authority (read-only)."""
    builder = _Builder(options or ExportOptions())
    permissions = graph.read("export/permissions")
    answers = who_can_everything(graph)
    accounts = {str(r["grantee"]) for r in permissions if r["grantee"]}
    accounts |= {a.principal.id for a in answers if a.principal.id}
    for row in graph.read("export/principal_sids", {"ids": sorted(accounts)}):
        if row["sid"]:
            builder.sids[str(row["id"])] = str(row["sid"])
    admin = _roles(builder, graph)
    roles = {nid: n["properties"].get("privileges", []) for nid, n in builder.nodes.items()}
    admin_reached = {a.entity.id for a in answers if control(a, admin)}
    _entities(builder, graph, admin_reached | {str(r["entity"]) for r in permissions})
    _permissions(builder, permissions, roles)
    groups = {str(r["principal"]).lower(): bool(r["is_group"]) for r in permissions}
    _derived(builder, answers, admin, groups)
    return {
        "metadata": {"source_kind": k.SOURCE_KIND},
        "graph": {"nodes": list(builder.nodes.values()), "edges": builder.edges},
    }
