"""A migrated estate in the test cluster: what tests/test_kube_collect.py creates and then
expects to read back. Every name starts with ``kc-`` so other tests' objects do not mix in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.support.kube import KubeCluster
from tests.support.kube_objects import (
    Manifest,
    binding,
    cluster_role,
    ensure,
    nad_manifest,
    namespace,
    vm_manifest,
)

READER_ROLE = Path(__file__).resolve().parents[2] / "docs" / "kubernetes-reader.yaml"

APPS, DB = "kc-apps", "kc-db"
SERIAL = "VMware-42 2c 6a 2a 5e a9 10 83-39 f3 3b 14 0f ff b4 44"
WEB_UUID = "422c6a2a-5ea9-1083-39f3-3b140fffb444"
HOSTNAME = "kubernetes.io/hostname"

WEB_AFFINITY: dict[str, Any] = {
    "podAntiAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [
            {"topologyKey": HOSTNAME, "labelSelector": {"matchLabels": {"app": "web"}}}
        ],
        "preferredDuringSchedulingIgnoredDuringExecution": [
            {
                "weight": 50,
                "podAffinityTerm": {
                    "topologyKey": "topology.kubernetes.io/zone",
                    "labelSelector": {
                        "matchExpressions": [{"key": "tier", "operator": "In", "values": ["db"]}]
                    },
                },
            }
        ],
    },
    "nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [
                {"matchExpressions": [
                    {"key": HOSTNAME, "operator": "In", "values": ["kc-worker-1", "kc-worker-2"]}
                ]}
            ]
        },
        "preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 10, "preference": {"matchExpressions": [
                {"key": "zone", "operator": "In", "values": ["a"]}]}}
        ],
    },
}  # fmt: skip

WEB_SPEC: dict[str, Any] = {
    "affinity": WEB_AFFINITY,
    "evictionStrategy": "LiveMigrate",
    "priorityClassName": "kc-vm-high",
    "nodeSelector": {"kubevirt.io/schedulable": "true"},
    "tolerations": [
        {"key": "dedicated", "operator": "Equal", "value": "vms", "effect": "NoSchedule"}
    ],
    "topologySpreadConstraints": [
        {
            "maxSkew": 1,
            "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "DoNotSchedule",
            "labelSelector": {"matchLabels": {"app": "web"}},
        }
    ],
}


def _web_vm(name: str, mac: str, serial: str | None, uuid: str | None) -> Manifest:
    vm = vm_manifest(
        name, APPS,
        labels={"vsphere.forklift.konveyor.io/prod": "true", "app": "web"},
        template_labels={"app": "web", "vm": name},
        serial=serial, uuid=uuid,
        macs={"default": mac.replace("aa", "ab"), "kc-vlan100": mac},
        spec=WEB_SPEC,
        data_volumes={f"{name}-data": ("kc-slow", "20Gi")},
    )  # fmt: skip
    tspec = vm["spec"]["template"]["spec"]
    tspec["domain"]["resources"]["limits"] = {"cpu": "2", "memory": "8Gi"}
    tspec["volumes"].append({"name": "shared", "persistentVolumeClaim": {"claimName": "kc-web"}})
    tspec["domain"]["devices"]["disks"].append({"name": "shared", "disk": {"bus": "scsi"}})
    return vm


def _nads() -> list[Manifest]:
    return [
        nad_manifest("kc-vlan100", APPS, {"cniVersion": "0.3.1", "name": "kc-vlan100",
                     "type": "bridge", "bridge": "br1", "vlan": 100, "ipam": {}}),
        nad_manifest("kc-localnet200", APPS, {"cniVersion": "0.4.0", "name": "physnet",
                     "type": "ovn-k8s-cni-overlay", "topology": "localnet", "vlanID": 200,
                     "netAttachDefName": f"{APPS}/kc-localnet200"}),
        nad_manifest("kc-macvlan300", APPS, {"cniVersion": "0.3.1", "type": "macvlan",
                     "master": "eth0.300", "ipam": {"type": "dhcp"}}),
        nad_manifest("kc-chain400", APPS, {"cniVersion": "0.3.1", "name": "chain", "plugins": [
            {"type": "bridge", "bridge": "br2", "vlan": 400,
             "vlanTrunk": [{"id": 401}, {"minID": 410, "maxID": 420}]},
            {"type": "tuning"}]}),
        {**nad_manifest("kc-broken", APPS, None), "spec": {"config": "{not json"}},
        nad_manifest("kc-vlan500", DB, {"cniVersion": "0.3.1", "type": "bridge",
                     "bridge": "br5", "vlan": 500}),
    ]  # fmt: skip


def _network_policies() -> list[Manifest]:
    np_spec = {
        "podSelector": {"matchLabels": {"app": "web"}},
        "policyTypes": ["Ingress", "Egress"],
        "ingress": [{
            "from": [{"namespaceSelector": {"matchLabels": {"team": "ops"}}},
                     {"ipBlock": {"cidr": "10.1.0.0/16", "except": ["10.1.2.0/24"]}}],
            "ports": [{"protocol": "TCP", "port": 443}, {"protocol": "TCP", "port": 8000,
                                                          "endPort": 8080}]}],
        "egress": [{"to": [{"podSelector": {"matchLabels": {"tier": "db"}}}]}],
    }  # fmt: skip
    anp_ports = [{"portNumber": {"protocol": "UDP", "port": 53}},
                 {"portRange": {"protocol": "TCP", "start": 9000, "end": 9100}}]  # fmt: skip
    return [
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
         "metadata": {"name": "kc-web", "namespace": APPS}, "spec": np_spec},
        {"apiVersion": "k8s.cni.cncf.io/v1beta1", "kind": "MultiNetworkPolicy",
         "metadata": {"name": "kc-vlan-only", "namespace": APPS, "annotations": {
             "k8s.v1.cni.cncf.io/policy-for": f"kc-vlan100, {DB}/kc-vlan500"}},
         "spec": {"podSelector": {}, "ingress": [
             {"from": [{"podSelector": {"matchLabels": {"app": "web"}}}]}]}},
        {"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "AdminNetworkPolicy",
         "metadata": {"name": "kc-isolate-apps"},
         "spec": {"priority": 10, "subject": {"namespaces": {"matchLabels": {"team": "apps"}}},
                  "ingress": [{"name": "deny-all", "action": "Deny",
                               "from": [{"namespaces": {}}]}],
                  "egress": [{"name": "dns", "action": "Allow",
                              "to": [{"networks": ["10.0.0.0/8"]}], "ports": anp_ports}]}},
        {"apiVersion": "policy.networking.k8s.io/v1alpha1", "kind": "BaselineAdminNetworkPolicy",
         "metadata": {"name": "default"},
         "spec": {"subject": {"pods": {"namespaceSelector": {},
                                       "podSelector": {"matchLabels": {"app": "web"}}}},
                  "ingress": [{"name": "baseline-deny", "action": "Deny",
                               "from": [{"pods": {"namespaceSelector": {}, "podSelector": {}}}]}]}},
    ]  # fmt: skip


def _rbac() -> list[Manifest]:
    return [
        cluster_role("kc-vm-operator", [
            {"apiGroups": ["kubevirt.io"], "resources": ["virtualmachines"],
             "verbs": ["get", "list", "watch"]},
            {"apiGroups": ["subresources.kubevirt.io"],
             "resources": ["virtualmachines/start", "virtualmachines/stop"], "verbs": ["update"],
             "resourceNames": ["kc-web-1"]},
        ]),
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
         "metadata": {"name": "kc-nad-user", "namespace": APPS},
         "rules": [{"apiGroups": ["k8s.cni.cncf.io"],
                    "resources": ["network-attachment-definitions"], "verbs": ["get"]}]},
        binding("kc-vm-ops", "kc-vm-operator",
                [("Group", "CORP\\Ops"), ("User", "alice"), ("ServiceAccount", f"{APPS}/robot")],
                ns=APPS),
        binding("kc-nad-users", "kc-nad-user", [("Group", "CORP\\Ops")], ns=APPS,
                role_kind="Role"),
        binding("kc-admins", "cluster-admin", [("Group", "kc-cluster-admins")]),
    ]  # fmt: skip


def manifests() -> list[Manifest]:
    """Every object of the scenario, in an order the API accepts."""
    return [
        namespace(APPS, {"team": "apps"}),
        namespace(DB),
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "kc-worker-1", "labels": {
            HOSTNAME: "kc-worker-1", "zone": "a"}},
         "spec": {"taints": [{"key": "dedicated", "value": "vms", "effect": "NoSchedule"}]}},
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "kc-worker-2", "labels": {
            HOSTNAME: "kc-worker-2", "zone": "b"}}, "spec": {"unschedulable": True}},
        {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
         "metadata": {"name": "kc-fast", "annotations": {
             "storageclass.kubernetes.io/is-default-class": "true"}},
         "provisioner": "kubernetes.io/no-provisioner", "parameters": {"tier": "gold"},
         "reclaimPolicy": "Retain", "volumeBindingMode": "WaitForFirstConsumer",
         "allowVolumeExpansion": True},
        {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
         "metadata": {"name": "kc-slow"}, "provisioner": "example.com/slow"},
        {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
         "metadata": {"name": "kc-vm-high"}, "value": 1000000, "description": "tier 1 VMs"},
        {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
         "metadata": {"name": "kc-vm-low"}, "value": 1000, "preemptionPolicy": "Never"},
        {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
         "metadata": {"name": "kc-web", "namespace": APPS},
         "spec": {"storageClassName": "kc-fast", "accessModes": ["ReadWriteMany"],
                  "volumeMode": "Block", "resources": {"requests": {"storage": "10Gi"}}}},
        *_nads(),
        _web_vm("kc-web-1", "02:00:00:00:aa:01", SERIAL, WEB_UUID),
        _web_vm("kc-web-2", "02:00:00:00:aa:02", None, None),
        vm_manifest("kc-db-1", DB, run_strategy="Halted", macs={"kc-vlan500": "02:00:00:00:BB:01"},
                    serial="4224c1d9-0000-1111-2222-333344445555"),
        *_network_policies(),
        *_rbac(),
        {"apiVersion": "v1", "kind": "ResourceQuota",
         "metadata": {"name": "kc-compute", "namespace": APPS},
         "spec": {"hard": {"requests.cpu": "10", "limits.memory": "64Gi",
                           "count/virtualmachines.kubevirt.io": "20"}}},
        {"apiVersion": "v1", "kind": "ResourceQuota",
         "metadata": {"name": "kc-priority", "namespace": APPS},
         "spec": {"hard": {"pods": "5"}, "scopeSelector": {"matchExpressions": [
             {"scopeName": "PriorityClass", "operator": "In", "values": ["kc-vm-high"]}]}}},
        {"apiVersion": "v1", "kind": "LimitRange",
         "metadata": {"name": "kc-defaults", "namespace": APPS},
         "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m"},
                              "defaultRequest": {"cpu": "250m"}, "max": {"memory": "16Gi"}}]}},
    ]  # fmt: skip


def populate(kube: KubeCluster) -> None:
    """Create the scenario (objects that exist already are kept), the documented reader
    ClusterRole bound to group ``authmap-readers`` (user ``reader``), and the same role without
    NetworkPolicies bound to ``authmap-limited`` (user ``limited``)."""
    reader = yaml.safe_load(READER_ROLE.read_text())
    limited = cluster_role("kc-limited-reader", [
        rule for rule in reader["rules"] if "networkpolicies" not in rule["resources"]
    ])  # fmt: skip
    with kube.api_client() as api:
        for manifest in [*manifests(), reader, limited]:
            ensure(api, manifest)
        ensure(api, binding("kc-readers", "authmap-reader", [("Group", "authmap-readers")]))
        ensure(api, binding("kc-limited", "kc-limited-reader", [("Group", "authmap-limited")]))
