"""Kubernetes network policy and RBAC records (ids and conventions: :mod:`app.records.kubernetes`).

Network policies: ``NetworkPolicy`` (``networking.k8s.io/v1``, the pod network),
``MultiNetworkPolicy`` (``k8s.cni.cncf.io/v1beta1``, Multus secondary networks named by the
``k8s.v1.cni.cncf.io/policy-for`` annotation) and the cluster tiers ``AdminNetworkPolicy`` /
``BaselineAdminNetworkPolicy`` (``policy.networking.k8s.io/v1alpha1``), read only when their
CRDs exist. RBAC: roles with their rules, bindings with their role and subjects; each distinct
subject is a :class:`K8sSubject` node the bindings point at.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.records.kubernetes import (
    K8sNamespaced,
    K8sObject,
    K8sRecord,
    LabelSelector,
    Nested,
)


def subject_id(source: str, kind: str, name: str, namespace: str | None = None) -> str:
    """The record id of an RBAC subject: ``<source>:K8sSubject:<Kind>:[<namespace>/]<name>``
    (only ServiceAccounts have a namespace)."""
    where = f"{namespace}/{name}" if namespace else name
    return f"{source}:K8sSubject:{kind}:{where}"


class IpBlock(Nested):
    """A CIDR and the CIDRs carved out of it."""

    cidr: str
    excepted: list[str] = Field(default_factory=list)


class PolicyPeer(Nested):
    """A NetworkPolicy / MultiNetworkPolicy peer: pods and/or namespaces by label, or an IP
    block. Both selectors absent with no IP block does not occur (the API refuses it)."""

    pod_selector: LabelSelector | None = None
    namespace_selector: LabelSelector | None = None
    ip_block: IpBlock | None = None


class PolicyPort(Nested):
    """A port (number or name) and protocol; ``end_port`` for a range."""

    protocol: str | None = None
    port: str | None = None
    end_port: int | None = None


class PolicyRule(Nested):
    """One ingress (``peers`` = ``from``) or egress (``peers`` = ``to``) rule. An empty
    ``peers`` list matches every peer, an empty ``ports`` list every port."""

    peers: list[PolicyPeer] = Field(default_factory=list)
    ports: list[PolicyPort] = Field(default_factory=list)


class K8sNetworkPolicy(K8sNamespaced):
    """A NetworkPolicy: the pods it selects and its ingress/egress rules."""

    kind: Literal["K8sNetworkPolicy"] = "K8sNetworkPolicy"
    pod_selector: LabelSelector = Field(default_factory=LabelSelector)
    policy_types: list[str] = Field(default_factory=list)
    ingress: list[PolicyRule] = Field(default_factory=list)
    egress: list[PolicyRule] = Field(default_factory=list)


class K8sMultiNetworkPolicy(K8sNamespaced):
    """A MultiNetworkPolicy: like a NetworkPolicy, for the NADs of its ``policy-for``."""

    kind: Literal["K8sMultiNetworkPolicy"] = "K8sMultiNetworkPolicy"
    pod_selector: LabelSelector = Field(default_factory=LabelSelector)
    policy_types: list[str] = Field(default_factory=list)
    ingress: list[PolicyRule] = Field(default_factory=list)
    egress: list[PolicyRule] = Field(default_factory=list)
    policy_for: list[str] = Field(default_factory=list)
    """The ``k8s.v1.cni.cncf.io/policy-for`` networks as ``<namespace>/<name>``."""
    nads: list[str] = Field(default_factory=list)
    """Record ids of those NADs."""


class AdminPeer(Nested):
    """An AdminNetworkPolicy peer (one of its fields is set): namespaces by label, pods by
    namespace + pod label, nodes by label (egress), or CIDR networks (egress)."""

    namespaces: LabelSelector | None = None
    pod_namespaces: LabelSelector | None = None
    pods: LabelSelector | None = None
    nodes: LabelSelector | None = None
    networks: list[str] = Field(default_factory=list)


class AdminPort(Nested):
    """An AdminNetworkPolicy port: a number, a named port or a range."""

    protocol: str | None = None
    port: int | None = None
    named_port: str | None = None
    end_port: int | None = None


class AdminRule(Nested):
    """One AdminNetworkPolicy rule, in the order written (first match wins)."""

    name: str | None = None
    direction: Literal["ingress", "egress"]
    action: str
    """``Allow``, ``Deny`` or ``Pass`` (baseline: ``Allow`` or ``Deny``)."""
    peers: list[AdminPeer] = Field(default_factory=list)
    ports: list[AdminPort] = Field(default_factory=list)


class K8sAdminNetworkPolicy(K8sObject):
    """An AdminNetworkPolicy (cluster tier, lower ``priority`` wins) or, with ``baseline``,
    the cluster's BaselineAdminNetworkPolicy (below NetworkPolicies)."""

    kind: Literal["K8sAdminNetworkPolicy"] = "K8sAdminNetworkPolicy"
    cluster: str
    baseline: bool = False
    priority: int | None = None
    subject_namespaces: LabelSelector | None = None
    """``subject.namespaces``: every pod of the selected namespaces."""
    subject_pod_namespaces: LabelSelector | None = None
    subject_pods: LabelSelector | None = None
    """``subject.pods``: ``namespaceSelector`` and ``podSelector``."""
    rules: list[AdminRule] = Field(default_factory=list)


class RbacRule(Nested):
    """One RBAC policy rule (``*`` is kept as written)."""

    api_groups: list[str] = Field(default_factory=list)
    resources: list[str] = Field(default_factory=list)
    """Resources and subresources as written (``virtualmachines/start``)."""
    verbs: list[str] = Field(default_factory=list)
    resource_names: list[str] = Field(default_factory=list)
    non_resource_urls: list[str] = Field(default_factory=list)


class K8sClusterRole(K8sObject):
    """A ClusterRole and its rules (for an aggregated role, the aggregated rules)."""

    kind: Literal["K8sClusterRole"] = "K8sClusterRole"
    cluster: str
    rules: list[RbacRule] = Field(default_factory=list)
    aggregation_selectors: list[LabelSelector] = Field(default_factory=list)


class K8sRole(K8sNamespaced):
    """A namespaced Role and its rules."""

    kind: Literal["K8sRole"] = "K8sRole"
    rules: list[RbacRule] = Field(default_factory=list)


class BindingSubject(Nested):
    """A subject as the binding names it."""

    kind: str
    """``User``, ``Group`` or ``ServiceAccount``."""
    name: str
    namespace: str | None = None


class K8sBinding(K8sObject):
    """Fields shared by both binding kinds."""

    kind: str
    role_kind: str
    """``ClusterRole`` or ``Role``."""
    role_name: str
    role: str
    """The role's record id (the node may be absent if the role does not exist)."""
    subjects: list[BindingSubject] = Field(default_factory=list)
    subject_ids: list[str] = Field(default_factory=list)
    """Record ids of the :class:`K8sSubject` nodes."""


class K8sClusterRoleBinding(K8sBinding):
    """A ClusterRoleBinding: its ClusterRole applies in every namespace."""

    kind: Literal["K8sClusterRoleBinding"] = "K8sClusterRoleBinding"
    cluster: str


class K8sRoleBinding(K8sBinding):
    """A RoleBinding: its Role or ClusterRole applies in ``namespace`` only."""

    kind: Literal["K8sRoleBinding"] = "K8sRoleBinding"
    namespace: str
    in_namespace: str


class K8sSubject(K8sRecord):
    """A user, group or service account that some binding names (not read from the API:
    Kubernetes has no user or group objects)."""

    kind: Literal["K8sSubject"] = "K8sSubject"
    subject_kind: str
    name: str
    namespace: str | None = None
    name_key: str
    """``name`` in lower case, for principal matching."""
    cluster: str
