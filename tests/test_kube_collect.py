"""The Kubernetes collector against a real kube-apiserver + etcd with the real KubeVirt, Multus
and network-policy-API CRDs: what is created in the cluster is what the records say."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client as k8s

from app.records import Record
from app.records import kubernetes as r
from app.records import kubernetes_policy as p
from ingest.kubernetes import KubeConnectionError, KubernetesCollector, KubernetesOptions
from tests.support import kube_scenario as sc
from tests.support.kube import KubeCluster

Collected = tuple[dict[str, Record], list[tuple[str, str, str | None]]]


@pytest.fixture(scope="module")
def estate(kube_cluster: KubeCluster) -> KubeCluster:
    """The scenario in the session's cluster (tests/support/kube_scenario.py)."""
    sc.populate(kube_cluster)
    return kube_cluster


def collect(kube: KubeCluster, context: str = "admin", **options: Any) -> Collected:
    """Open, collect and close; records by id and the gaps."""
    collector = KubernetesCollector.open(
        KubernetesOptions(kubeconfig=kube.kubeconfig, context=context, **options)
    )
    records: dict[str, Record] = {}
    gaps: list[tuple[str, str, str | None]] = []

    def sink(record: Record) -> None:
        assert record.id not in records, f"{record.id} collected twice"
        records[record.id] = record

    try:
        collector.collect(sink, lambda *g: gaps.append(g))
    finally:
        collector.close()
        collector.close()  # twice is fine
    return records, gaps


def kube_system_uid(kube: KubeCluster) -> str:
    with kube.api_client() as api:
        ns: Any = k8s.CoreV1Api(api).read_namespace("kube-system")
        return str(ns.metadata.uid)


def oid(kube: KubeCluster, kind: str, name: str, ns: str | None = None) -> str:
    return r.object_id(r.source_id(kube_system_uid(kube)), kind, name, ns)


def test_identity_is_the_cluster_not_the_token(estate: KubeCluster) -> None:
    collector = KubernetesCollector.open(KubernetesOptions(kubeconfig=estate.kubeconfig))
    try:
        assert collector.identity.kind == "kubernetes"
        assert collector.identity.id == f"k8s:{kube_system_uid(estate)}"
        assert collector.identity.name == collector.where == estate.server
        assert estate.token("admin") not in repr(collector.client) + collector.where
    finally:
        collector.close()


def test_virtual_machine_as_created(estate: KubeCluster) -> None:
    records, gaps = collect(estate)
    assert gaps == []
    vm = records[oid(estate, "K8sVirtualMachine", "kc-web-1", sc.APPS)]
    assert isinstance(vm, r.K8sVirtualMachine)
    assert (vm.run_strategy, vm.eviction_strategy, vm.priority_class_name) == (
        "Always", "LiveMigrate", "kc-vm-high"
    )  # fmt: skip
    assert vm.priority_class == oid(estate, "K8sPriorityClass", "kc-vm-high")
    assert (vm.firmware_serial, vm.firmware_uuid) == (sc.SERIAL, sc.WEB_UUID)
    assert vm.forklift_tags == ["prod"]
    assert vm.template_labels == {"app": "web", "vm": "kc-web-1"}
    assert (vm.cpu_cores, vm.cpu_request_millicores, vm.memory_request_bytes) == (2, 1000, 4 << 30)
    assert (vm.cpu_limit, vm.cpu_limit_millicores, vm.memory_limit_bytes) == ("2", 2000, 8 << 30)
    assert vm.mac_addresses == ["02:00:00:00:ab:01", "02:00:00:00:aa:01"]
    assert [(i.name, i.binding, i.network_type) for i in vm.interfaces] == [
        ("default", "masquerade", "pod"), ("kc-vlan100", "bridge", "multus")
    ]  # fmt: skip
    assert vm.multus_networks == [f"{sc.APPS}/kc-vlan100"]
    assert vm.nads == [oid(estate, "K8sNetworkAttachmentDefinition", "kc-vlan100", sc.APPS)]
    assert [(v.name, v.type, v.claim_name, v.storage_class, v.size) for v in vm.volumes] == [
        ("rootdisk", "containerDisk", None, None, None),
        ("kc-web-1-data", "dataVolume", "kc-web-1-data", "kc-slow", "20Gi"),
        ("shared", "persistentVolumeClaim", "kc-web", "kc-fast", "10Gi"),
    ]
    assert vm.storage_classes == sorted(
        oid(estate, "K8sStorageClass", c) for c in ("kc-fast", "kc-slow")
    )
    assert oid(estate, "K8sPersistentVolumeClaim", "kc-web", sc.APPS) in vm.pvcs
    assert vm.node_selector == {"kubevirt.io/schedulable": "true"}
    assert [(t.key, t.operator, t.value, t.effect) for t in vm.tolerations] == [
        ("dedicated", "Equal", "vms", "NoSchedule")
    ]
    assert [(s.max_skew, s.topology_key, s.when_unsatisfiable) for s in vm.topology_spread] == [
        (1, "topology.kubernetes.io/zone", "DoNotSchedule")
    ]


def test_affinity_terms_as_created(estate: KubeCluster) -> None:
    records, _ = collect(estate)
    vm = records[oid(estate, "K8sVirtualMachine", "kc-web-1", sc.APPS)]
    assert isinstance(vm, r.K8sVirtualMachine)
    required, preferred = vm.pod_affinity
    assert (required.anti, required.required, required.topology_key) == (True, True, sc.HOSTNAME)
    assert required.label_selector == r.LabelSelector(match_labels={"app": "web"})
    assert (preferred.anti, preferred.required, preferred.weight) == (True, False, 50)
    assert preferred.label_selector is not None
    assert preferred.label_selector.match_expressions == [
        r.SelectorRequirement(key="tier", operator="In", values=["db"])
    ]
    hard, soft = vm.node_affinity
    assert hard.required and hard.term.match_expressions == [
        r.SelectorRequirement(key=sc.HOSTNAME, operator="In", values=["kc-worker-1", "kc-worker-2"])
    ]
    assert (soft.required, soft.weight) == (False, 10)
    db = records[oid(estate, "K8sVirtualMachine", "kc-db-1", sc.DB)]
    assert isinstance(db, r.K8sVirtualMachine)
    assert (db.run_strategy, db.pod_affinity, db.node_affinity) == ("Halted", [], [])
    assert db.mac_addresses == ["02:00:00:00:bb:01"]  # lower case, as KubeVirt compares
    assert db.nads == [oid(estate, "K8sNetworkAttachmentDefinition", "kc-vlan500", sc.DB)]


def test_nad_vlans_from_the_cni_config(estate: KubeCluster) -> None:
    records, _ = collect(estate)
    nads = {
        rec.name: rec
        for rec in records.values()
        if isinstance(rec, r.K8sNetworkAttachmentDefinition) and rec.name.startswith("kc-")
    }
    seen = {n: (x.cni_type, x.vlan, x.vlan_trunk, x.topology) for n, x in nads.items()}
    assert seen == {
        "kc-vlan100": ("bridge", 100, [], None),
        "kc-localnet200": ("ovn-k8s-cni-overlay", 200, [], "localnet"),
        "kc-macvlan300": ("macvlan", 300, [], None),
        "kc-chain400": ("bridge", 400, ["401", "410-420"], None),
        "kc-broken": (None, None, [], None),
        "kc-vlan500": ("bridge", 500, [], None),
    }
    assert nads["kc-localnet200"].network_name == "physnet"
    assert nads["kc-macvlan300"].master == "eth0.300"
    assert nads["kc-chain400"].plugins == ["bridge", "tuning"]
    assert nads["kc-broken"].config_error is not None
    assert nads["kc-vlan500"].namespace == sc.DB


def test_network_policies_as_created(estate: KubeCluster) -> None:
    records, _ = collect(estate)
    np = records[oid(estate, "K8sNetworkPolicy", "kc-web", sc.APPS)]
    assert isinstance(np, p.K8sNetworkPolicy)
    assert np.pod_selector.match_labels == {"app": "web"}
    assert np.policy_types == ["Ingress", "Egress"]
    (ingress,) = np.ingress
    assert ingress.peers[0].namespace_selector == r.LabelSelector(match_labels={"team": "ops"})
    assert ingress.peers[1].ip_block == p.IpBlock(cidr="10.1.0.0/16", excepted=["10.1.2.0/24"])
    assert [(x.protocol, x.port, x.end_port) for x in ingress.ports] == [
        ("TCP", "443", None), ("TCP", "8000", 8080)
    ]  # fmt: skip
    mnp = records[oid(estate, "K8sMultiNetworkPolicy", "kc-vlan-only", sc.APPS)]
    assert isinstance(mnp, p.K8sMultiNetworkPolicy)
    assert mnp.policy_for == [f"{sc.APPS}/kc-vlan100", f"{sc.DB}/kc-vlan500"]
    assert mnp.policy_types == ["Ingress"]  # the API's default, applied for the CRD too
    anp = records[oid(estate, "K8sAdminNetworkPolicy", "kc-isolate-apps")]
    assert isinstance(anp, p.K8sAdminNetworkPolicy)
    assert (anp.baseline, anp.priority) == (False, 10)
    assert anp.subject_namespaces == r.LabelSelector(match_labels={"team": "apps"})
    assert [(x.name, x.direction, x.action) for x in anp.rules] == [
        ("deny-all", "ingress", "Deny"), ("dns", "egress", "Allow")
    ]  # fmt: skip
    assert anp.rules[1].peers[0].networks == ["10.0.0.0/8"]
    assert [(x.protocol, x.port, x.end_port) for x in anp.rules[1].ports] == [
        ("UDP", 53, None), ("TCP", 9000, 9100)
    ]  # fmt: skip
    banp = records[oid(estate, "K8sAdminNetworkPolicy", "baseline/default")]
    assert isinstance(banp, p.K8sAdminNetworkPolicy)
    assert banp.baseline and banp.priority is None
    assert banp.subject_pods == r.LabelSelector(match_labels={"app": "web"})


def test_rbac_roles_bindings_and_subjects(estate: KubeCluster) -> None:
    records, _ = collect(estate)
    role = records[oid(estate, "K8sClusterRole", "kc-vm-operator")]
    assert isinstance(role, p.K8sClusterRole)
    assert role.rules[1] == p.RbacRule(
        api_groups=["subresources.kubevirt.io"],
        resources=["virtualmachines/start", "virtualmachines/stop"],
        verbs=["update"],
        resource_names=["kc-web-1"],
    )
    rb = records[oid(estate, "K8sRoleBinding", "kc-vm-ops", sc.APPS)]
    assert isinstance(rb, p.K8sRoleBinding)
    assert (rb.role_kind, rb.role) == ("ClusterRole", role.id)
    source = r.source_id(kube_system_uid(estate))
    ops = p.subject_id(source, "Group", "CORP\\Ops")
    robot = p.subject_id(source, "ServiceAccount", "robot", sc.APPS)
    assert rb.subject_ids == [ops, p.subject_id(source, "User", "alice"), robot]
    nad_users = records[oid(estate, "K8sRoleBinding", "kc-nad-users", sc.APPS)]
    assert isinstance(nad_users, p.K8sBinding)
    assert nad_users.role == oid(estate, "K8sRole", "kc-nad-user", sc.APPS)
    admins = records[oid(estate, "K8sClusterRoleBinding", "kc-admins")]
    assert isinstance(admins, p.K8sClusterRoleBinding)
    assert admins.role == oid(estate, "K8sClusterRole", "cluster-admin")
    subject = records[ops]
    assert isinstance(subject, p.K8sSubject)
    assert (subject.subject_kind, subject.name, subject.name_key) == (
        "Group",
        "CORP\\Ops",
        "corp\\ops",
    )
    assert isinstance(records[robot], p.K8sSubject)


def test_storage_capacity_and_nodes_as_created(estate: KubeCluster) -> None:
    records, _ = collect(estate)
    fast = records[oid(estate, "K8sStorageClass", "kc-fast")]
    assert isinstance(fast, r.K8sStorageClass)
    assert (fast.provisioner, fast.parameters, fast.is_default, fast.reclaim_policy) == (
        "kubernetes.io/no-provisioner", {"tier": "gold"}, True, "Retain"
    )  # fmt: skip
    high = records[oid(estate, "K8sPriorityClass", "kc-vm-high")]
    low = records[oid(estate, "K8sPriorityClass", "kc-vm-low")]
    assert isinstance(high, r.K8sPriorityClass) and isinstance(low, r.K8sPriorityClass)
    assert (high.value, low.value, low.preemption_policy) == (1000000, 1000, "Never")
    pvc = records[oid(estate, "K8sPersistentVolumeClaim", "kc-web", sc.APPS)]
    assert isinstance(pvc, r.K8sPersistentVolumeClaim)
    assert (pvc.storage_class, pvc.requested_bytes, pvc.access_modes, pvc.volume_mode) == (
        fast.id, 10 << 30, ["ReadWriteMany"], "Block"
    )  # fmt: skip
    quota = records[oid(estate, "K8sResourceQuota", "kc-compute", sc.APPS)]
    assert isinstance(quota, r.K8sResourceQuota)
    assert quota.hard == {
        "requests.cpu": "10", "limits.memory": "64Gi", "count/virtualmachines.kubevirt.io": "20"
    }  # fmt: skip
    scoped = records[oid(estate, "K8sResourceQuota", "kc-priority", sc.APPS)]
    assert isinstance(scoped, r.K8sResourceQuota)
    assert scoped.scope_selector == [
        r.SelectorRequirement(key="PriorityClass", operator="In", values=["kc-vm-high"])
    ]
    limits = records[oid(estate, "K8sLimitRange", "kc-defaults", sc.APPS)]
    assert isinstance(limits, r.K8sLimitRange)
    assert limits.limits == [  # the API defaults default/defaultRequest memory from max
        r.LimitRangeItem(type="Container", default={"cpu": "500m", "memory": "16Gi"},
                         default_request={"cpu": "250m", "memory": "16Gi"}, max={"memory": "16Gi"})
    ]  # fmt: skip
    worker = records[oid(estate, "K8sNode", "kc-worker-1")]
    assert isinstance(worker, r.K8sNode)
    assert (worker.hostname, worker.labels["zone"]) == ("kc-worker-1", "a")
    assert worker.taints == [  # the second added by the TaintNodesByCondition admission plugin
        r.Taint(key="dedicated", value="vms", effect="NoSchedule"),
        r.Taint(key="node.kubernetes.io/not-ready", effect="NoSchedule"),
    ]
    other = records[oid(estate, "K8sNode", "kc-worker-2")]
    assert isinstance(other, r.K8sNode) and other.unschedulable
    apps = records[oid(estate, "K8sNamespace", sc.APPS)]
    assert isinstance(apps, r.K8sNamespace) and apps.labels["team"] == "apps"


def test_small_pages_read_the_same(estate: KubeCluster) -> None:
    whole, _ = collect(estate)
    paged, gaps = collect(estate, page_size=2)
    assert gaps == []
    assert paged == whole


def test_the_documented_reader_role_reads_everything(estate: KubeCluster) -> None:
    as_admin, _ = collect(estate)
    as_reader, gaps = collect(estate, context="reader")
    assert gaps == []
    assert as_reader == as_admin


def test_a_forbidden_kind_is_a_gap_not_a_crash(estate: KubeCluster) -> None:
    records, gaps = collect(estate, context="limited")
    assert [(what, entity) for what, _, entity in gaps] == [("K8sNetworkPolicy", None)]
    assert "403 forbidden" in gaps[0][1]
    assert estate.token("limited") not in gaps[0][1]
    kinds = {rec.kind for rec in records.values()}
    assert "K8sNetworkPolicy" not in kinds
    assert {"K8sVirtualMachine", "K8sMultiNetworkPolicy", "K8sRoleBinding"} <= kinds


@pytest.mark.parametrize("user", ["nobody", "bob"])
def test_an_account_forbidden_everything_is_refused(estate: KubeCluster, user: str) -> None:
    with pytest.raises(KubeConnectionError) as refused:
        KubernetesCollector.open(KubernetesOptions(kubeconfig=estate.kubeconfig, context=user))
    message = str(refused.value)
    assert "forbidden" in message and "\n" not in message
    assert estate.token(user) not in message


def test_a_wrong_token_is_refused_without_printing_it(estate: KubeCluster, tmp_path: Path) -> None:
    config = estate.write_kubeconfig(tmp_path / "config")
    doc = yaml.safe_load(config.read_text())
    doc["users"][0]["user"]["token"] = "wrong-token-0123456789abcdef"
    config.write_text(yaml.safe_dump(doc))
    with pytest.raises(KubeConnectionError) as refused:
        KubernetesCollector.open(KubernetesOptions(kubeconfig=config))
    assert "401" in str(refused.value)
    assert "wrong-token-0123456789abcdef" not in str(refused.value)


def test_tls_is_verified_unless_insecure(estate: KubeCluster, tmp_path: Path) -> None:
    config = estate.write_kubeconfig(tmp_path / "config", ca=False)
    with pytest.raises(KubeConnectionError) as refused:
        KubernetesCollector.open(KubernetesOptions(kubeconfig=config))
    assert "TLS verification" in str(refused.value) and "--insecure" in str(refused.value)
    collector = KubernetesCollector.open(KubernetesOptions(kubeconfig=config, insecure=True))
    collector.close()


def test_an_unreachable_server_is_one_line(estate: KubeCluster, tmp_path: Path) -> None:
    from tests.conftest import free_port

    config = estate.write_kubeconfig(tmp_path / "c", server=f"https://127.0.0.1:{free_port()}")
    with pytest.raises(KubeConnectionError) as refused:
        KubernetesCollector.open(KubernetesOptions(kubeconfig=config, timeout=5))
    assert str(refused.value).startswith("cannot reach https://127.0.0.1:")
    assert "\n" not in str(refused.value)


def test_a_missing_context_or_file_is_one_line(estate: KubeCluster, tmp_path: Path) -> None:
    with pytest.raises(KubeConnectionError, match="cannot use"):
        KubernetesCollector.open(KubernetesOptions(kubeconfig=estate.kubeconfig, context="nope"))
    with pytest.raises(KubeConnectionError, match="cannot use"):
        KubernetesCollector.open(KubernetesOptions(kubeconfig=tmp_path / "absent"))
