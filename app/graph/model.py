"""The declarative graph model: every source node type, its key, labels and relationships.

This is the one place the graph's shape is declared. ``app.graph.codegen`` turns it into the
load, cleanup and schema statements under ``cypher/`` (checked in, so anyone can read and
paste them); ``docs/graph-model.md`` describes it for people, its reference part generated from
here (``authmap dev docs``): each label's description (the ``description`` of its node type, or
its record's docstring) and each property's (``app/graph/descriptions.py``). Node properties are the
record's fields, except ``kind`` and the fields that hold relationship targets.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.records import Record, ad, nsx, runbooks
from app.records import vcenter as v

SOURCE_LABEL = "Source"
"""Extra label on every node loaded from a source (carries ``source_id`` and ``sync_run``)."""


@dataclass(frozen=True)
class Rel:
    """A relationship from a node to the node(s) whose id a record field holds.

    ``reverse`` flips the direction: the edge points from the target to this node.
    ``target_key`` is the target property the field's values match (``id`` by default).
    """

    type: str
    field: str
    target: str
    many: bool = False
    reverse: bool = False
    target_key: str = "id"

    def name(self, label: str) -> str:
        """A file-name-safe identifier such as ``VirtualMachine-IN_FOLDER-Folder``."""
        return f"{label}-{self.type}-{self.target}"


@dataclass(frozen=True)
class NodeType:
    """A source node type bound to its record class. ``description`` says what a node is (the
    record's docstring when empty)."""

    record: type[Record]
    extra_labels: tuple[str, ...] = ()
    rels: tuple[Rel, ...] = ()
    indexes: tuple[str, ...] = ("name",)
    description: str = ""

    @property
    def label(self) -> str:
        """The node's primary label: the record kind."""
        return str(self.record.model_fields["kind"].default)

    @property
    def properties(self) -> tuple[str, ...]:
        """Stored properties: the record fields minus ``kind``, ``id`` and relationship fields."""
        rel_fields = {rel.field for rel in self.rels}
        return tuple(
            name
            for name in self.record.model_fields
            if name not in {"kind", "id"} and name not in rel_fields
        )


VSPHERE = "VSphereEntity"
"""Label shared by every vSphere managed entity (permissions and tags point at any of them)."""

_E = (VSPHERE,)
_PARENT = Rel("CHILD_OF", "parent", VSPHERE)

NODE_TYPES: tuple[NodeType, ...] = (
    NodeType(v.VCenter, indexes=("name", "instance_uuid")),
    NodeType(v.Datacenter, _E, (Rel("IN_VCENTER", "vcenter", "VCenter"), _PARENT)),
    NodeType(v.Folder, _E, (_PARENT,)),
    NodeType(v.Cluster, _E, (_PARENT,)),
    NodeType(v.Host, _E, (Rel("IN_CLUSTER", "cluster", "Cluster"),)),
    NodeType(v.ResourcePool, _E, (_PARENT, Rel("IN_CLUSTER", "cluster", "Cluster"))),
    NodeType(v.DatastoreCluster, _E, (_PARENT,)),
    NodeType(v.Datastore, _E, (_PARENT,)),
    NodeType(v.VirtualSwitch, _E, (_PARENT,), indexes=("name", "uuid")),
    NodeType(v.Network, _E, (_PARENT, Rel("ON_SWITCH", "switch", "VirtualSwitch"))),
    NodeType(
        v.VirtualMachine,
        _E,
        (
            Rel("IN_FOLDER", "folder", "Folder"),
            Rel("RUNS_ON", "host", "Host"),
            Rel("IN_POOL", "resource_pool", "ResourcePool"),
            Rel("USES_DATASTORE", "datastores", "Datastore", many=True),
            Rel("ATTACHED_TO", "networks", "Network", many=True),
        ),
        indexes=("name", "instance_uuid", "bios_uuid"),
    ),
    NodeType(
        v.ClusterGroup,
        rels=(
            Rel("IN_CLUSTER", "cluster", "Cluster"),
            Rel("CONTAINS", "vms", "VirtualMachine", many=True),
            Rel("CONTAINS", "hosts", "Host", many=True),
        ),
    ),
    NodeType(
        v.DrsRule,
        rels=(
            Rel("IN_CLUSTER", "cluster", "Cluster"),
            Rel("APPLIES_TO", "vms", "VirtualMachine", many=True),
            Rel("USES_VM_GROUP", "vm_group", "ClusterGroup"),
            Rel("AFFINE_TO", "affine_host_group", "ClusterGroup"),
            Rel("ANTI_AFFINE_TO", "anti_affine_host_group", "ClusterGroup"),
        ),
    ),
    NodeType(
        v.VmOverride,
        rels=(Rel("IN_CLUSTER", "cluster", "Cluster"), Rel("OVERRIDES", "vm", "VirtualMachine")),
        indexes=(),
    ),
    NodeType(v.Privilege, indexes=("privilege_id",)),
    NodeType(
        v.Role,
        rels=(Rel("INCLUDES", "privileges", "Privilege", many=True),),
        indexes=("name", "role_id"),
    ),
    NodeType(
        v.Permission,
        rels=(Rel("ON_ENTITY", "entity", VSPHERE), Rel("WITH_ROLE", "role", "Role")),
        indexes=("principal",),
    ),
    NodeType(v.StoragePolicy, indexes=("name", "profile_id")),
    NodeType(
        v.StoragePolicyAssociation,
        rels=(Rel("FOR_VM", "vm", "VirtualMachine"), Rel("USES_POLICY", "policy", "StoragePolicy")),
        indexes=(),
    ),
    NodeType(v.TagCategory),
    NodeType(
        v.Tag,
        rels=(
            Rel("IN_CATEGORY", "category", "TagCategory"),
            Rel("TAGS", "attached_to", VSPHERE, many=True),
        ),
    ),
)
"""Every source node type, in load order."""

NODE_TYPES += (
    NodeType(
        v.Alarm,
        rels=(Rel("DEFINED_ON", "entity", VSPHERE),),
        indexes=("name", "system_name"),
    ),
    NodeType(
        v.NotificationRoute,
        rels=(Rel("FOR_VCENTER", "vcenter", "VCenter"), Rel("FOR_HOST", "host", "Host")),
        indexes=("route_type",),
    ),
)
"""vCenter observability: alarm definitions and where events and logs go."""

AD_PRINCIPAL = "ADPrincipal"
"""Label shared by AD users, groups and foreign security principals."""

_P = (AD_PRINCIPAL,)
_IN_DOMAIN = Rel("IN_DOMAIN", "domain", "ADDomain")

NODE_TYPES += (
    NodeType(ad.ADDomain, indexes=("name", "sid", "netbios_name", "dns_name")),
    NodeType(
        ad.ADUser,
        _P,
        (_IN_DOMAIN, Rel("HAS_PRIMARY_GROUP", "primary_group_sid", AD_PRINCIPAL, target_key="sid")),
        indexes=("name", "sam_account_name", "upn"),
    ),
    NodeType(
        ad.ADGroup,
        _P,
        (
            _IN_DOMAIN,
            Rel("MEMBER_OF", "members", AD_PRINCIPAL, many=True, reverse=True, target_key="dn_key"),
            Rel("MANAGED_BY", "managed_by", AD_PRINCIPAL, target_key="dn_key"),
        ),
        indexes=("name", "sam_account_name"),
    ),
    NodeType(ad.ADForeignPrincipal, _P, (_IN_DOMAIN,), indexes=("name",)),
    NodeType(ad.ADComputer, _P, (_IN_DOMAIN,), indexes=("name", "sam_account_name")),
)

NODE_TYPES += (NodeType(runbooks.RunbookRecord, indexes=("name", "path")),)

NSX_OBJECT = "NsxObject"
"""Label shared by every NSX policy object (applied-to scopes and path expressions name any)."""

_N = (NSX_OBJECT,)
_IN_PROJECT = Rel("IN_PROJECT", "project", "NsxProject")
_NSX = ("display_name", "path")

NODE_TYPES += (
    NodeType(nsx.NsxProject, _N, indexes=_NSX),
    NodeType(nsx.NsxTier0, _N, (_IN_PROJECT,), indexes=_NSX),
    NodeType(
        nsx.NsxTier1, _N, (_IN_PROJECT, Rel("CONNECTED_TO", "tier0", "NsxTier0")), indexes=_NSX
    ),
    NodeType(
        nsx.NsxSegment,
        _N,
        (_IN_PROJECT, Rel("CONNECTED_TO", "connectivity", NSX_OBJECT)),
        indexes=_NSX,
    ),
    NodeType(nsx.NsxService, _N, (_IN_PROJECT,), indexes=_NSX),
    NodeType(nsx.NsxVirtualMachine, indexes=("display_name", "external_id")),
    NodeType(
        nsx.NsxGroup,
        _N,
        (
            _IN_PROJECT,
            Rel("INCLUDES", "includes", NSX_OBJECT, many=True),
            Rel("CONTAINS", "members", "NsxVirtualMachine", many=True),
        ),
        indexes=_NSX,
    ),
    NodeType(
        nsx.NsxSecurityPolicy,
        _N,
        (_IN_PROJECT, Rel("APPLIED_TO", "scope", NSX_OBJECT, many=True)),
        indexes=_NSX,
    ),
    NodeType(
        nsx.NsxRule,
        _N,
        (
            _IN_PROJECT,
            Rel("IN_POLICY", "policy", "NsxSecurityPolicy"),
            Rel("SOURCE_GROUP", "source_groups", "NsxGroup", many=True),
            Rel("DESTINATION_GROUP", "destination_groups", "NsxGroup", many=True),
            Rel("USES_SERVICE", "services", "NsxService", many=True),
            Rel("APPLIED_TO", "scope", NSX_OBJECT, many=True),
        ),
        indexes=_NSX,
    ),
)
"""NSX (Policy API): gateways, segments, services, groups, policies, rules, VMs."""

SHARED_INDEXES: tuple[tuple[str, str], ...] = (
    (AD_PRINCIPAL, "dn_key"),
    (AD_PRINCIPAL, "sid"),
    (AD_PRINCIPAL, "account_key"),
    (AD_PRINCIPAL, "upn_key"),
    (VSPHERE, "name"),
    (VSPHERE, "moref"),
)
"""Indexes on shared labels: for relationships matched on a key other than ``id``, and for
looking up any vSphere entity by name or managed object id (``authmap who-can``)."""

SHARED_KEY_LABELS: tuple[str, ...] = (VSPHERE, AD_PRINCIPAL, NSX_OBJECT)
"""Labels shared by several node types whose ``id`` is still unique (relationship targets)."""

from app.graph.model_kubernetes import (  # noqa: E402 - it needs NodeType and Rel from here
    KUBERNETES_NODE_TYPES,
    KUBERNETES_SHARED_KEY_LABELS,
)
from app.graph.model_proxmox import (  # noqa: E402 - it needs NodeType and Rel from here
    PROXMOX_NODE_TYPES,
    PROXMOX_SHARED_KEY_LABELS,
)

NODE_TYPES += KUBERNETES_NODE_TYPES + PROXMOX_NODE_TYPES
SHARED_KEY_LABELS += KUBERNETES_SHARED_KEY_LABELS + PROXMOX_SHARED_KEY_LABELS

BY_KIND: dict[str, NodeType] = {node.label: node for node in NODE_TYPES}


def node_type(kind: str) -> NodeType:
    """The node type of a record kind (``KeyError`` if the kind is not in the graph model)."""
    return BY_KIND[kind]


def source_kinds() -> set[str]:
    """Every source kind that has node types."""
    return {node.record.source_kind for node in NODE_TYPES}
