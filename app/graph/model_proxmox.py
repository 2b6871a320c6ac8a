"""The Proxmox VE target's node types (records: :mod:`app.records.proxmox` and
:mod:`app.records.proxmox_policy`), registered into :data:`app.graph.model.NODE_TYPES`.

Labels: each node's primary label is its record kind, prefixed ``Pve`` (``PveGuest``,
``PveAcl``...), so it never meets a vSphere or Kubernetes label; every node also carries
:data:`~app.graph.model_kubernetes.TARGET_OBJECT`, the label shared by every target reader, and
:data:`PVE_OBJECT`. Everything is ``IN_CLUSTER`` of its cluster. ACL entries point at their role
(``WITH_ROLE``); who they grant to stays a property (``subject_type``, ``subject``): a subject may
be a user, a group or a token, and permission evaluation (``app/parity/pve_acl.py``) reads the
entries, not a path through the graph.
"""

from __future__ import annotations

from app.graph.model import NodeType, Rel
from app.graph.model_kubernetes import TARGET_OBJECT
from app.records import proxmox as r
from app.records import proxmox_policy as p

PVE_OBJECT = "PveObject"
"""Label shared by every node read from a Proxmox VE cluster."""

_O = (TARGET_OBJECT, PVE_OBJECT)
_C = Rel("IN_CLUSTER", "cluster", "PveCluster")

PROXMOX_NODE_TYPES: tuple[NodeType, ...] = (
    NodeType(r.PveCluster, _O, indexes=("name", "server")),
    NodeType(r.PveNode, _O, (_C,)),
    NodeType(r.PveStorage, _O, (_C,)),
    NodeType(r.PvePool, _O, (_C, Rel("HOLDS_STORAGE", "storages", "PveStorage", many=True))),
    NodeType(
        r.PveGuest,
        _O,
        (
            _C,
            Rel("ON_NODE", "on_node", "PveNode"),
            Rel("IN_POOL", "in_pool", "PvePool"),
            Rel("USES_STORAGE", "storages", "PveStorage", many=True),
        ),
        indexes=("name", "vmid", "smbios_uuid"),
    ),
    NodeType(p.PveRealm, _O, (_C,)),
    NodeType(p.PveGroup, _O, (_C,)),
    NodeType(
        p.PveUser,
        _O,
        (
            _C,
            Rel("IN_REALM", "realm", "PveRealm"),
            Rel("MEMBER_OF", "groups", "PveGroup", many=True),
        ),
        indexes=("userid",),
    ),
    NodeType(p.PveRole, _O, (_C,)),
    NodeType(p.PveAcl, _O, (_C, Rel("WITH_ROLE", "role", "PveRole")), indexes=("path", "subject")),
    NodeType(p.PveHaGroup, _O, (_C,)),
    NodeType(
        p.PveHaResource,
        _O,
        (_C, Rel("PROTECTS", "guest", "PveGuest"), Rel("IN_HA_GROUP", "group", "PveHaGroup")),
        indexes=("sid",),
    ),
    NodeType(p.PveHaRule, _O, (_C, Rel("RULE_FOR", "guests", "PveGuest", many=True))),
    NodeType(p.PveFirewallOptions, _O, (_C,), indexes=("scope",)),
    NodeType(p.PveSecurityGroup, _O, (_C,)),
    NodeType(p.PveFirewallRule, _O, (_C,), indexes=("scope",)),
    NodeType(p.PveIpSet, _O, (_C,)),
    NodeType(p.PveAlias, _O, (_C,)),
    NodeType(p.PveSdnZone, _O, (_C,)),
    NodeType(p.PveVnet, _O, (_C, Rel("IN_ZONE", "in_zone", "PveSdnZone")), indexes=("name", "tag")),
)
"""Proxmox node types, in load order."""

PROXMOX_SHARED_KEY_LABELS: tuple[str, ...] = (PVE_OBJECT,)
"""Shared labels whose ``id`` is unique."""
