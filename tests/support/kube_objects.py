"""Building and creating Kubernetes objects in the test cluster (tests/support/kube.py).

:func:`create` / :func:`delete` work for any kind, built-in or custom, through the official
client's ``DynamicClient``. The builders return manifests that follow the real schemas
(KubeVirt prunes unknown fields silently, so a typo would vanish rather than fail).
"""

from __future__ import annotations

import json
from typing import Any

from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException
from kubernetes.dynamic import DynamicClient

Manifest = dict[str, Any]
_DYNAMIC: dict[int, DynamicClient] = {}


def dynamic(api: k8s.ApiClient) -> DynamicClient:
    """A discovery-backed client for ``api`` (one per ApiClient)."""
    key = id(api)
    if key not in _DYNAMIC:
        _DYNAMIC[key] = DynamicClient(api)
    return _DYNAMIC[key]


def _resource(api: k8s.ApiClient, manifest: Manifest) -> Any:
    return dynamic(api).resources.get(api_version=manifest["apiVersion"], kind=manifest["kind"])


def create(api: k8s.ApiClient, manifest: Manifest) -> Manifest:
    """Create ``manifest`` and return the stored object as a dict."""
    ns = manifest.get("metadata", {}).get("namespace")
    created = _resource(api, manifest).create(body=manifest, namespace=ns)
    return dict(created.to_dict())


def ensure(api: k8s.ApiClient, manifest: Manifest) -> None:
    """Create ``manifest`` unless an object of that name exists already (409)."""
    try:
        create(api, manifest)
    except ApiException as exc:
        if exc.status != 409:
            raise


def delete(api: k8s.ApiClient, manifest: Manifest) -> None:
    """Delete the object ``manifest`` names."""
    meta = manifest["metadata"]
    _resource(api, manifest).delete(name=meta["name"], namespace=meta.get("namespace"))


def namespace(name: str, labels: dict[str, str] | None = None) -> Manifest:
    """A namespace."""
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": labels or {}}}  # fmt: skip


def vm_manifest(
    name: str,
    ns: str,
    *,
    labels: dict[str, str] | None = None,
    template_labels: dict[str, str] | None = None,
    serial: str | None = None,
    uuid: str | None = None,
    macs: dict[str, str] | None = None,
    run_strategy: str = "Always",
    spec: dict[str, Any] | None = None,
    data_volumes: dict[str, tuple[str, str]] | None = None,
) -> Manifest:
    """A KubeVirt VM: ``macs`` maps interface names to MACs (``default`` is the pod network,
    any other name a Multus network of the NAD of that name); ``data_volumes`` maps DataVolume
    template names to ``(storage class, size)``; ``spec`` is merged into the template spec."""
    macs = macs if macs is not None else {"default": "02:00:00:00:00:01"}
    interfaces, networks = [], []
    for iface, mac in macs.items():
        kind = "masquerade" if iface == "default" else "bridge"
        interfaces.append({"name": iface, "macAddress": mac, "model": "virtio", kind: {}})
        networks.append({"name": iface, "pod": {}} if iface == "default"
                        else {"name": iface, "multus": {"networkName": iface}})  # fmt: skip
    firmware: dict[str, str] = {}
    if serial:
        firmware["serial"] = serial
    if uuid:
        firmware["uuid"] = uuid
    volumes: list[dict[str, Any]] = [
        {"name": "rootdisk", "containerDisk": {"image": "quay.io/containerdisks/fedora:40"}}
    ]
    disks: list[dict[str, Any]] = [{"name": "rootdisk", "disk": {"bus": "virtio"}, "bootOrder": 1}]
    templates = []
    for dv, (cls, size) in (data_volumes or {}).items():
        volumes.append({"name": dv, "dataVolume": {"name": dv}})
        disks.append({"name": dv, "disk": {"bus": "virtio"}})
        templates.append(
            {
                "metadata": {"name": dv},
                "spec": {
                    "source": {"blank": {}},
                    "storage": {
                        "storageClassName": cls,
                        "resources": {"requests": {"storage": size}},
                    },
                },
            }
        )
    tspec: dict[str, Any] = {
        "domain": {
            "cpu": {"cores": 2, "sockets": 1, "threads": 1},
            "memory": {"guest": "4Gi"},
            "resources": {"requests": {"memory": "4Gi", "cpu": "1"}},
            "devices": {"interfaces": interfaces, "disks": disks},
            **({"firmware": firmware} if firmware else {}),
        },
        "networks": networks,
        "volumes": volumes,
        **(spec or {}),
    }
    body: dict[str, Any] = {
        "runStrategy": run_strategy,
        "template": {"metadata": {"labels": template_labels or {"vm": name}}, "spec": tspec},
    }
    if templates:
        body["dataVolumeTemplates"] = templates
    return {
        "apiVersion": "kubevirt.io/v1",
        "kind": "VirtualMachine",
        "metadata": {"name": name, "namespace": ns, "labels": labels or {}},
        "spec": body,
    }


def nad_manifest(name: str, ns: str, config: dict[str, Any] | None) -> Manifest:
    """A NetworkAttachmentDefinition with ``config`` as its CNI JSON (None: no config)."""
    spec = {} if config is None else {"config": json.dumps(config)}
    return {"apiVersion": "k8s.cni.cncf.io/v1", "kind": "NetworkAttachmentDefinition",
            "metadata": {"name": name, "namespace": ns}, "spec": spec}  # fmt: skip


def cluster_role(name: str, rules: list[dict[str, Any]]) -> Manifest:
    """A ClusterRole."""
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": name}, "rules": rules}  # fmt: skip


def binding(
    name: str,
    role: str,
    subjects: list[tuple[str, str]],
    *,
    ns: str | None = None,
    role_kind: str = "ClusterRole",
) -> Manifest:
    """A ClusterRoleBinding (``ns`` None) or RoleBinding; ``subjects`` are ``(kind, name)``,
    a ServiceAccount's name as ``namespace/name``."""
    subs = []
    for kind, who in subjects:
        if kind == "ServiceAccount":
            sa_ns, sa = who.split("/", 1)
            subs.append({"kind": kind, "name": sa, "namespace": sa_ns})
        else:
            subs.append({"kind": kind, "name": who, "apiGroup": "rbac.authorization.k8s.io"})
    meta: dict[str, Any] = {"name": name, **({"namespace": ns} if ns else {})}
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding" if ns else "ClusterRoleBinding",
        "metadata": meta,
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
        "subjects": subs,
    }
