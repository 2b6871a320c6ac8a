"""Records read from a Kubernetes cluster (with KubeVirt, Multus and CDI objects), a migration
target. Policy and RBAC records are in :mod:`app.records.kubernetes_policy`.

The source id is ``k8s:<uid of the kube-system namespace>`` (stable while the cluster lives,
whatever URL it is reached by). Object ids are ``<source id>:<Kind>:<namespace>/<name>`` for
namespaced objects and ``<source id>:<Kind>:<name>`` for cluster-scoped ones (see
:func:`object_id`), so a re-ingest re-attaches to the same nodes and a re-created object keeps
its node; the object's ``uid`` is kept as a property. Fields that reference another record
hold that record's id; the plain ``namespace`` name is kept besides ``in_namespace``.
Quantities are kept as the API wrote them (``"2Gi"``, ``"500m"``) and, where useful,
normalised (``*_millicores``, ``*_bytes``).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.records.base import Record

FORKLIFT_TAG_PREFIX = "vsphere.forklift.konveyor.io/"
"""Forklift/MTV turns each vSphere tag of a migrated VM into a label with this prefix."""


def source_id(kube_system_uid: str) -> str:
    """The source id of a cluster, from the uid of its ``kube-system`` namespace."""
    return f"k8s:{kube_system_uid}"


def object_id(source: str, kind: str, name: str, namespace: str | None = None) -> str:
    """The record id of an object: ``<source>:<Kind>:[<namespace>/]<name>``."""
    return f"{source}:{kind}:{namespace}/{name}" if namespace else f"{source}:{kind}:{name}"


class Nested(BaseModel):
    """Base of the value objects nested in records (stored as JSON text on the node)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SelectorRequirement(Nested):
    """One ``matchExpressions`` entry (``In``, ``NotIn``, ``Exists``, ``DoesNotExist``, and for
    node selectors also ``Gt``/``Lt``)."""

    key: str
    operator: str
    values: list[str] = Field(default_factory=list)


class LabelSelector(Nested):
    """A label selector: ``matchLabels`` and ``matchExpressions`` (both must hold)."""

    match_labels: dict[str, str] = Field(default_factory=dict)
    match_expressions: list[SelectorRequirement] = Field(default_factory=list)


class NodeSelectorTerm(Nested):
    """One node affinity term: its label expressions and field expressions (ANDed)."""

    match_expressions: list[SelectorRequirement] = Field(default_factory=list)
    match_fields: list[SelectorRequirement] = Field(default_factory=list)


class NodeAffinityTerm(Nested):
    """A node affinity term: ``required`` (all required terms are ORed) or preferred with
    a ``weight``."""

    required: bool
    weight: int | None = None
    term: NodeSelectorTerm


class PodAffinityTerm(Nested):
    """A pod affinity or anti-affinity term of a VM's template."""

    anti: bool
    """True for ``podAntiAffinity``."""
    required: bool
    """``requiredDuringSchedulingIgnoredDuringExecution`` (else preferred, with ``weight``)."""
    weight: int | None = None
    topology_key: str
    label_selector: LabelSelector | None = None
    namespaces: list[str] = Field(default_factory=list)
    namespace_selector: LabelSelector | None = None
    match_label_keys: list[str] = Field(default_factory=list)


class Toleration(Nested):
    """A toleration (``operator`` ``Equal`` or ``Exists``)."""

    key: str | None = None
    operator: str | None = None
    value: str | None = None
    effect: str | None = None
    toleration_seconds: int | None = None


class Taint(Nested):
    """A node taint."""

    key: str
    value: str | None = None
    effect: str


class TopologySpread(Nested):
    """A topology spread constraint."""

    max_skew: int
    topology_key: str
    when_unsatisfiable: str
    label_selector: LabelSelector | None = None
    min_domains: int | None = None


class VmInterface(Nested):
    """A VM interface and the network it is on (``pod`` or a Multus NAD)."""

    name: str
    binding: str | None = None
    """``bridge``, ``masquerade``, ``sriov``, ``passt`` or a binding plugin's name."""
    model: str | None = None
    mac_address: str | None = None
    """Lower case, ``:``-separated, as KubeVirt accepts it."""
    network_type: str | None = None
    """``pod`` or ``multus``."""
    network_name: str | None = None
    """For Multus: the NAD as ``<namespace>/<name>`` (the VM's namespace if it gave none)."""
    nad: str | None = None
    """The NAD's record id (Multus networks)."""


class VmVolume(Nested):
    """A VM volume: its source and, for claims, the storage class behind it."""

    name: str
    type: str
    """``persistentVolumeClaim``, ``dataVolume``, ``containerDisk``, ``cloudInitNoCloud``..."""
    claim_name: str | None = None
    """The PVC (for ``dataVolume``: the PVC CDI creates, of the same name)."""
    storage_class: str | None = None
    """The storage class name, from the PVC or the DataVolume template."""
    size: str | None = None
    disk_bus: str | None = None
    boot_order: int | None = None


class K8sRecord(Record):
    """Base of every Kubernetes record."""

    source_kind: ClassVar[str] = "kubernetes"


class K8sObject(K8sRecord):
    """Fields every Kubernetes object carries."""

    kind: str
    name: str
    uid: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)


class K8sNamespaced(K8sObject):
    """A namespaced object: ``namespace`` is its name, ``in_namespace`` the namespace's id."""

    kind: str
    namespace: str
    in_namespace: str


class K8sCluster(K8sRecord):
    """The cluster itself: the server URL read from, and its version."""

    kind: Literal["K8sCluster"] = "K8sCluster"
    name: str
    """The kubeconfig's name of the cluster (else the server URL)."""
    server: str
    kube_system_uid: str
    git_version: str | None = None


class K8sNode(K8sObject):
    """A node: labels (``kubernetes.io/hostname`` is what ``topologyKey`` usually names),
    taints and whether it takes new pods."""

    kind: Literal["K8sNode"] = "K8sNode"
    cluster: str
    hostname: str | None = None
    taints: list[Taint] = Field(default_factory=list)
    unschedulable: bool = False
    system_uuid: str | None = None
    kubelet_version: str | None = None


class K8sNamespace(K8sObject):
    """A namespace (an OpenShift project is one)."""

    kind: Literal["K8sNamespace"] = "K8sNamespace"
    cluster: str
    phase: str | None = None


class K8sVirtualMachine(K8sNamespaced):
    """A KubeVirt VirtualMachine (``kubevirt.io/v1``), read from its spec and template."""

    kind: Literal["K8sVirtualMachine"] = "K8sVirtualMachine"
    run_strategy: str | None = None
    """``spec.runStrategy``, or ``Always``/``Halted`` from the deprecated ``spec.running``."""
    printable_status: str | None = None
    eviction_strategy: str | None = None
    priority_class_name: str | None = None
    priority_class: str | None = None
    """The PriorityClass's record id (set whenever a name is)."""
    firmware_serial: str | None = None
    """``firmware.serial``: Forklift/MTV writes the vSphere BIOS UUID here."""
    firmware_uuid: str | None = None
    template_labels: dict[str, str] = Field(default_factory=dict)
    """``spec.template.metadata.labels``: what pod (anti-)affinity selectors match."""
    forklift_tags: list[str] = Field(default_factory=list)
    """vSphere tags, from labels ``vsphere.forklift.konveyor.io/<tag>`` (VM or template)."""
    cpu_cores: int | None = None
    cpu_sockets: int | None = None
    cpu_threads: int | None = None
    memory_guest: str | None = None
    cpu_request: str | None = None
    cpu_request_millicores: int | None = None
    memory_request: str | None = None
    memory_request_bytes: int | None = None
    cpu_limit: str | None = None
    cpu_limit_millicores: int | None = None
    memory_limit: str | None = None
    memory_limit_bytes: int | None = None
    interfaces: list[VmInterface] = Field(default_factory=list)
    mac_addresses: list[str] = Field(default_factory=list)
    multus_networks: list[str] = Field(default_factory=list)
    """``<namespace>/<name>`` of every Multus network."""
    nads: list[str] = Field(default_factory=list)
    """Record ids of the NADs the VM attaches to."""
    volumes: list[VmVolume] = Field(default_factory=list)
    pvcs: list[str] = Field(default_factory=list)
    """Record ids of the PVCs the VM's volumes claim."""
    storage_classes: list[str] = Field(default_factory=list)
    """Record ids of the storage classes of the VM's volumes."""
    node_selector: dict[str, str] = Field(default_factory=dict)
    node_affinity: list[NodeAffinityTerm] = Field(default_factory=list)
    pod_affinity: list[PodAffinityTerm] = Field(default_factory=list)
    """Affinity and anti-affinity terms (``anti`` tells them apart)."""
    tolerations: list[Toleration] = Field(default_factory=list)
    topology_spread: list[TopologySpread] = Field(default_factory=list)
    scheduler_name: str | None = None


class K8sNetworkAttachmentDefinition(K8sNamespaced):
    """A Multus NetworkAttachmentDefinition (``k8s.cni.cncf.io/v1``) and what its CNI config
    says about the VLAN: ``vlan`` for bridge, ``vlanID`` for OVN-Kubernetes localnet,
    ``vlanId`` for the vlan plugin and SR-IOV, or ``<master>.<id>`` for macvlan/ipvlan."""

    kind: Literal["K8sNetworkAttachmentDefinition"] = "K8sNetworkAttachmentDefinition"
    cni_type: str | None = None
    """The first plugin's ``type`` (``bridge``, ``ovn-k8s-cni-overlay``, ``macvlan``...)."""
    plugins: list[str] = Field(default_factory=list)
    vlan: int | None = None
    vlan_trunk: list[str] = Field(default_factory=list)
    """Trunk ranges (bridge ``vlanTrunk``) as ``"N"`` or ``"A-B"``."""
    topology: str | None = None
    """OVN-Kubernetes ``topology`` (``localnet``, ``layer2``, ``layer3``)."""
    network_name: str | None = None
    """The CNI network ``name`` (for OVN localnet, the physical network mapping)."""
    bridge: str | None = None
    master: str | None = None
    ipam_type: str | None = None
    resource_name: str | None = None
    """The ``k8s.v1.cni.cncf.io/resourceName`` annotation (SR-IOV device pools)."""
    config_error: str | None = None
    """Why the CNI config could not be parsed (the NAD is still recorded)."""


class K8sStorageClass(K8sObject):
    """A StorageClass (``is_default`` from the ``is-default-class`` annotation)."""

    kind: Literal["K8sStorageClass"] = "K8sStorageClass"
    cluster: str
    provisioner: str
    parameters: dict[str, str] = Field(default_factory=dict)
    reclaim_policy: str | None = None
    volume_binding_mode: str | None = None
    allow_volume_expansion: bool | None = None
    is_default: bool = False


class K8sPersistentVolumeClaim(K8sNamespaced):
    """A PersistentVolumeClaim and its storage class."""

    kind: Literal["K8sPersistentVolumeClaim"] = "K8sPersistentVolumeClaim"
    storage_class_name: str | None = None
    storage_class: str | None = None
    """The StorageClass's record id."""
    access_modes: list[str] = Field(default_factory=list)
    volume_mode: str | None = None
    requested_storage: str | None = None
    requested_bytes: int | None = None
    volume_name: str | None = None
    phase: str | None = None


class K8sPriorityClass(K8sObject):
    """A PriorityClass (higher ``value`` schedules, and preempts, first)."""

    kind: Literal["K8sPriorityClass"] = "K8sPriorityClass"
    cluster: str
    value: int
    global_default: bool = False
    preemption_policy: str | None = None
    description: str | None = None


class K8sResourceQuota(K8sNamespaced):
    """A ResourceQuota: ``hard`` limits by resource name (``requests.cpu``, ``limits.memory``,
    ``count/virtualmachines.kubevirt.io``...) and the ``used`` status when a controller set it."""

    kind: Literal["K8sResourceQuota"] = "K8sResourceQuota"
    hard: dict[str, str] = Field(default_factory=dict)
    used: dict[str, str] = Field(default_factory=dict)
    scopes: list[str] = Field(default_factory=list)
    scope_selector: list[SelectorRequirement] = Field(default_factory=list)
    """``scopeSelector.matchExpressions`` (``scopeName`` as ``key``)."""


class LimitRangeItem(Nested):
    """One ``limits`` entry of a LimitRange (``type`` ``Container``, ``Pod`` or ``PVC``)."""

    type: str
    default: dict[str, str] = Field(default_factory=dict)
    default_request: dict[str, str] = Field(default_factory=dict)
    max: dict[str, str] = Field(default_factory=dict)
    min: dict[str, str] = Field(default_factory=dict)
    max_limit_request_ratio: dict[str, str] = Field(default_factory=dict)


class K8sLimitRange(K8sNamespaced):
    """A LimitRange."""

    kind: Literal["K8sLimitRange"] = "K8sLimitRange"
    limits: list[LimitRangeItem] = Field(default_factory=list)
