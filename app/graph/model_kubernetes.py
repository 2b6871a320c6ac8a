"""The Kubernetes target's node types (records: :mod:`app.records.kubernetes` and
:mod:`app.records.kubernetes_policy`), registered into :data:`app.graph.model.NODE_TYPES`.

Labels: each node's primary label is its record kind, prefixed ``K8s`` (``K8sVirtualMachine``,
``K8sRoleBinding``...), so it never meets a vSphere label. Every node of the source also carries
:data:`TARGET_OBJECT` (shared by every target reader: what parity evidence and the viewer's
decision-to-target links point at), and every API object :data:`K8S_OBJECT` (a binding's role
may be a Role or a ClusterRole). Namespaced objects are ``IN_NAMESPACE`` of their namespace,
cluster-scoped ones ``IN_CLUSTER`` of the cluster. Scheduling terms (affinity, selectors,
tolerations) are properties, not relationships: they select labels, not nodes.
"""

from __future__ import annotations

from app.graph.model import NodeType, Rel
from app.records import kubernetes as k
from app.records import kubernetes_policy as kp

TARGET_OBJECT = "TargetObject"
"""Label shared by every node read from a migration target."""

K8S_OBJECT = "K8sObject"
"""Label shared by every Kubernetes API object (not the cluster, not binding subjects)."""

_O = (TARGET_OBJECT, K8S_OBJECT)
_CLUSTER = Rel("IN_CLUSTER", "cluster", "K8sCluster")
_NS = Rel("IN_NAMESPACE", "in_namespace", "K8sNamespace")
_CLASS = "K8sStorageClass"

KUBERNETES_NODE_TYPES: tuple[NodeType, ...] = (
    NodeType(k.K8sCluster, (TARGET_OBJECT,), indexes=("name", "server", "kube_system_uid")),
    NodeType(k.K8sNamespace, _O, (_CLUSTER,)),
    NodeType(k.K8sNode, _O, (_CLUSTER,), indexes=("name", "hostname")),
    NodeType(k.K8sStorageClass, _O, (_CLUSTER,)),
    NodeType(k.K8sPriorityClass, _O, (_CLUSTER,)),
    NodeType(
        k.K8sPersistentVolumeClaim,
        _O,
        (_NS, Rel("USES_STORAGE_CLASS", "storage_class", _CLASS)),
    ),
    NodeType(k.K8sNetworkAttachmentDefinition, _O, (_NS,), indexes=("name", "vlan")),
    NodeType(
        k.K8sVirtualMachine,
        _O,
        (
            _NS,
            Rel("ATTACHED_TO", "nads", "K8sNetworkAttachmentDefinition", many=True),
            Rel("USES_CLAIM", "pvcs", "K8sPersistentVolumeClaim", many=True),
            Rel("USES_STORAGE_CLASS", "storage_classes", _CLASS, many=True),
            Rel("HAS_PRIORITY", "priority_class", "K8sPriorityClass"),
        ),
        indexes=("name", "firmware_serial", "firmware_uuid"),
    ),
    NodeType(kp.K8sNetworkPolicy, _O, (_NS,)),
    NodeType(
        kp.K8sMultiNetworkPolicy,
        _O,
        (_NS, Rel("POLICY_FOR", "nads", "K8sNetworkAttachmentDefinition", many=True)),
    ),
    NodeType(kp.K8sAdminNetworkPolicy, _O, (_CLUSTER,), indexes=("name", "priority")),
    NodeType(kp.K8sClusterRole, _O, (_CLUSTER,)),
    NodeType(kp.K8sRole, _O, (_NS,)),
    NodeType(kp.K8sSubject, (TARGET_OBJECT,), (_CLUSTER,), indexes=("name", "name_key")),
    NodeType(
        kp.K8sClusterRoleBinding,
        _O,
        (
            _CLUSTER,
            Rel("BINDS_ROLE", "role", K8S_OBJECT),
            Rel("GRANTS_TO", "subject_ids", "K8sSubject", many=True),
        ),
        indexes=("name", "role_name"),
    ),
    NodeType(
        kp.K8sRoleBinding,
        _O,
        (
            _NS,
            Rel("BINDS_ROLE", "role", K8S_OBJECT),
            Rel("GRANTS_TO", "subject_ids", "K8sSubject", many=True),
        ),
        indexes=("name", "role_name"),
    ),
    NodeType(k.K8sResourceQuota, _O, (_NS,)),
    NodeType(k.K8sLimitRange, _O, (_NS,)),
)
"""Kubernetes node types, in load order."""

KUBERNETES_SHARED_KEY_LABELS: tuple[str, ...] = (TARGET_OBJECT, K8S_OBJECT)
"""Shared labels whose ``id`` is unique (relationship targets)."""
