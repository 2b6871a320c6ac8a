"""Kubernetes API objects (raw JSON, camelCase) to records: cluster objects, storage, capacity,
KubeVirt VirtualMachines and Multus NADs. Network policies and RBAC: :mod:`.parse_policy`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from kubernetes.utils import parse_quantity

from app.records import kubernetes as r

Obj = dict[str, Any]
DEFAULT_CLASS_ANNOTATIONS = (
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
)
RESOURCE_NAME_ANNOTATION = "k8s.v1.cni.cncf.io/resourceName"
_MASTER_VLAN = re.compile(r"\.(\d{1,4})$")


@dataclass(frozen=True)
class Ids:
    """Record ids of one cluster (``source`` is the snapshot's source id)."""

    source: str

    def obj(self, kind: str, name: str, namespace: str | None = None) -> str:
        """The id of an object of record kind ``kind``."""
        return r.object_id(self.source, kind, name, namespace)

    def namespace(self, name: str) -> str:
        """The id of a namespace."""
        return self.obj("K8sNamespace", name)


def meta(obj: Obj) -> Obj:
    """``metadata`` (an empty dict if absent)."""
    return obj.get("metadata") or {}


def strs(value: Any) -> dict[str, str]:
    """A map with every value as text (labels, quantities that JSON wrote as numbers)."""
    return {str(k): str(v) for k, v in (value or {}).items()}


def common(obj: Obj) -> dict[str, Any]:
    """``name``, ``uid`` and ``labels`` of any object."""
    m = meta(obj)
    return {"name": str(m["name"]), "uid": m.get("uid"), "labels": strs(m.get("labels"))}


def namespaced(obj: Obj, ids: Ids, kind: str) -> dict[str, Any]:
    """:func:`common` plus the id and namespace fields of a namespaced object."""
    m = meta(obj)
    ns = str(m["namespace"])
    return {
        **common(obj),
        "id": ids.obj(kind, str(m["name"]), ns),
        "namespace": ns,
        "in_namespace": ids.namespace(ns),
    }


def cluster_scoped(obj: Obj, ids: Ids, kind: str) -> dict[str, Any]:
    """:func:`common` plus the id and cluster of a cluster-scoped object."""
    return {**common(obj), "id": ids.obj(kind, str(meta(obj)["name"])), "cluster": ids.source}


def quantity(value: Any, scale: int = 1) -> int | None:
    """A quantity (``"500m"``, ``"2Gi"``, ``2``) times ``scale`` as an integer (None if absent
    or not a quantity)."""
    if value is None:
        return None
    try:
        return int(Decimal(parse_quantity(value)) * scale)
    except (ValueError, TypeError, InvalidOperation):
        return None


def selector(value: Any) -> r.LabelSelector | None:
    """A label selector (None if absent; an empty selector selects everything)."""
    if value is None:
        return None
    return r.LabelSelector(
        match_labels=strs(value.get("matchLabels")),
        match_expressions=requirements(value.get("matchExpressions")),
    )


def requirements(items: Any, key: str = "key") -> list[r.SelectorRequirement]:
    """``matchExpressions`` entries (``key`` names the key field: ``scopeName`` for quotas)."""
    return [
        r.SelectorRequirement(
            key=str(e.get(key)),
            operator=str(e.get("operator")),
            values=[str(v) for v in e.get("values") or []],
        )
        for e in items or []
    ]


def cluster(server: str, name: str | None, kube_system_uid: str, version: Obj) -> r.K8sCluster:
    """The cluster record (``name``: the kubeconfig's name of the cluster)."""
    return r.K8sCluster(
        id=r.source_id(kube_system_uid),
        name=name or server,
        server=server,
        kube_system_uid=kube_system_uid,
        git_version=version.get("gitVersion"),
    )


def namespace(obj: Obj, ids: Ids) -> r.K8sNamespace:
    """A namespace."""
    return r.K8sNamespace(
        **cluster_scoped(obj, ids, "K8sNamespace"), phase=(obj.get("status") or {}).get("phase")
    )


def node(obj: Obj, ids: Ids) -> r.K8sNode:
    """A node with its taints."""
    spec, info = obj.get("spec") or {}, (obj.get("status") or {}).get("nodeInfo") or {}
    base = cluster_scoped(obj, ids, "K8sNode")
    return r.K8sNode(
        **base,
        hostname=base["labels"].get("kubernetes.io/hostname"),
        taints=[
            r.Taint(key=str(t["key"]), value=t.get("value"), effect=str(t["effect"]))
            for t in spec.get("taints") or []
        ],
        unschedulable=bool(spec.get("unschedulable")),
        system_uuid=info.get("systemUUID"),
        kubelet_version=info.get("kubeletVersion"),
    )


def storage_class(obj: Obj, ids: Ids) -> r.K8sStorageClass:
    """A storage class."""
    annotations = meta(obj).get("annotations") or {}
    return r.K8sStorageClass(
        **cluster_scoped(obj, ids, "K8sStorageClass"),
        provisioner=str(obj.get("provisioner")),
        parameters=strs(obj.get("parameters")),
        reclaim_policy=obj.get("reclaimPolicy"),
        volume_binding_mode=obj.get("volumeBindingMode"),
        allow_volume_expansion=obj.get("allowVolumeExpansion"),
        is_default=any(annotations.get(a) == "true" for a in DEFAULT_CLASS_ANNOTATIONS),
    )


def priority_class(obj: Obj, ids: Ids) -> r.K8sPriorityClass:
    """A priority class."""
    return r.K8sPriorityClass(
        **cluster_scoped(obj, ids, "K8sPriorityClass"),
        value=int(obj.get("value") or 0),
        global_default=bool(obj.get("globalDefault")),
        preemption_policy=obj.get("preemptionPolicy"),
        description=obj.get("description"),
    )


def pvc(obj: Obj, ids: Ids) -> r.K8sPersistentVolumeClaim:
    """A persistent volume claim."""
    spec = obj.get("spec") or {}
    cls = spec.get("storageClassName")
    storage = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
    return r.K8sPersistentVolumeClaim(
        **namespaced(obj, ids, "K8sPersistentVolumeClaim"),
        storage_class_name=cls,
        storage_class=ids.obj("K8sStorageClass", cls) if cls else None,
        access_modes=[str(m) for m in spec.get("accessModes") or []],
        volume_mode=spec.get("volumeMode"),
        requested_storage=None if storage is None else str(storage),
        requested_bytes=quantity(storage),
        volume_name=spec.get("volumeName"),
        phase=(obj.get("status") or {}).get("phase"),
    )


def resource_quota(obj: Obj, ids: Ids) -> r.K8sResourceQuota:
    """A resource quota."""
    spec = obj.get("spec") or {}
    return r.K8sResourceQuota(
        **namespaced(obj, ids, "K8sResourceQuota"),
        hard=strs(spec.get("hard")),
        used=strs((obj.get("status") or {}).get("used")),
        scopes=[str(s) for s in spec.get("scopes") or []],
        scope_selector=requirements(
            (spec.get("scopeSelector") or {}).get("matchExpressions"), key="scopeName"
        ),
    )


def limit_range(obj: Obj, ids: Ids) -> r.K8sLimitRange:
    """A limit range."""
    return r.K8sLimitRange(
        **namespaced(obj, ids, "K8sLimitRange"),
        limits=[
            r.LimitRangeItem(
                type=str(item.get("type")),
                default=strs(item.get("default")),
                default_request=strs(item.get("defaultRequest")),
                max=strs(item.get("max")),
                min=strs(item.get("min")),
                max_limit_request_ratio=strs(item.get("maxLimitRequestRatio")),
            )
            for item in (obj.get("spec") or {}).get("limits") or []
        ],
    )


def _cni_plugins(config: Obj) -> list[Obj]:
    plugins = config.get("plugins")
    if isinstance(plugins, list):
        return [p for p in plugins if isinstance(p, dict)]
    return [config]


def _vlan(plugin: Obj) -> int | None:
    for key in ("vlan", "vlanID", "vlanId"):
        value = plugin.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.isdigit():
            return int(value)
    found = _MASTER_VLAN.search(str(plugin.get("master") or ""))
    return int(found.group(1)) if found else None


def _trunk(plugin: Obj) -> list[str]:
    out: list[str] = []
    for item in plugin.get("vlanTrunk") or []:
        if not isinstance(item, dict):
            continue
        if "id" in item:
            out.append(str(item["id"]))
        elif "minID" in item or "maxID" in item:
            out.append(f"{item.get('minID')}-{item.get('maxID')}")
    return out


def nad(obj: Obj, ids: Ids) -> r.K8sNetworkAttachmentDefinition:
    """A NetworkAttachmentDefinition, its CNI config parsed for the VLAN (the first plugin
    that names one)."""
    base = namespaced(obj, ids, "K8sNetworkAttachmentDefinition")
    resource = (meta(obj).get("annotations") or {}).get(RESOURCE_NAME_ANNOTATION)
    raw = (obj.get("spec") or {}).get("config")
    fields: dict[str, Any] = {"resource_name": resource}
    if raw:
        try:
            config = json.loads(raw)
            if not isinstance(config, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            return r.K8sNetworkAttachmentDefinition(
                **base, **fields, config_error=f"spec.config: {exc}"
            )
        plugins = _cni_plugins(config)
        first = plugins[0] if plugins else {}
        vlan_plugin = next((p for p in plugins if _vlan(p) is not None), first)
        fields |= {
            "cni_type": first.get("type"),
            "plugins": [str(p.get("type")) for p in plugins],
            "vlan": _vlan(vlan_plugin),
            "vlan_trunk": _trunk(vlan_plugin),
            "topology": first.get("topology"),
            "network_name": first.get("physicalNetworkName") or config.get("name"),
            "bridge": first.get("bridge"),
            "master": first.get("master"),
            "ipam_type": (first.get("ipam") or {}).get("type"),
        }
    return r.K8sNetworkAttachmentDefinition(**base, **fields)
