"""``authmap collect|ingest kubernetes`` end to end: the real apiserver, the real CLI, a real
Neo4j. Sync-run rules as for every source: idempotent re-ingest, stale removal after a complete
run, nothing removed after a partial one, refused accounts change nothing."""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path
from typing import Any

import pytest

from app.graph import Graph
from tests.conftest import Neo4jInstance, free_port, query, run_cli
from tests.support import kube_scenario as sc
from tests.support.kube import KubeCluster
from tests.support.kube_objects import create, delete, nad_manifest

# The first ingest of a session also creates the whole Neo4j schema and derives over the graph;
# on a loaded 2-core machine that alone took over 300 s (plus fixture setup): a higher ceiling.
pytestmark = pytest.mark.timeout(1500)


@pytest.fixture(scope="module")
def estate(kube_cluster: KubeCluster) -> KubeCluster:
    """The scenario in the session's cluster (tests/support/kube_scenario.py)."""
    sc.populate(kube_cluster)
    return kube_cluster


def ingest(
    instance: Neo4jInstance, kube: KubeCluster, context: str = "admin", *extra: str
) -> subprocess.CompletedProcess[str]:
    """``authmap ingest kubernetes`` with the test kubeconfig."""
    return instance.cli(
        "ingest", "kubernetes", "--kubeconfig", str(kube.kubeconfig), "--context", context, *extra
    )


def counts(instance: Neo4jInstance) -> dict[str, int]:
    """Kubernetes nodes per label and relationships per type."""
    nodes = query(
        instance,
        "MATCH (n:TargetObject) UNWIND labels(n) AS label "
        "WITH label WHERE label STARTS WITH 'K8s' RETURN label, count(*) AS n",
    )
    rels = query(
        instance,
        "MATCH (:TargetObject)-[r]->(:TargetObject) RETURN type(r) AS label, count(*) AS n",
    )
    return {row["label"]: row["n"] for row in nodes + rels}


def runs(instance: Neo4jInstance) -> list[dict[str, Any]]:
    return query(
        instance,
        "MATCH (r:SyncRun {source_kind: 'kubernetes'}) "
        "RETURN r.status AS status, r.removed AS removed, r.gaps AS gaps ORDER BY r.started_at",
    )


def test_collect_writes_a_snapshot_without_the_token(estate: KubeCluster, tmp_path: Path) -> None:
    out = tmp_path / "k8s.jsonl.gz"
    proc = run_cli(
        "collect", "kubernetes", "--kubeconfig", str(estate.kubeconfig), "--out", str(out)
    )
    assert proc.returncode == 0, proc.stderr
    assert f"records from {estate.server}" in proc.stdout
    assert "K8sVirtualMachine" in proc.stdout
    text = gzip.decompress(out.read_bytes()).decode()
    assert '"kind":"K8sVirtualMachine"' in text and "kc-web-1" in text
    for token in estate.tokens.values():
        assert token not in proc.stdout + proc.stderr + text


def test_ingest_builds_the_graph(
    estate: KubeCluster, neo4j_instance: Neo4jInstance, graph: Graph
) -> None:
    proc = ingest(neo4j_instance, estate)
    assert proc.returncode == 0, proc.stderr
    assert estate.token("admin") not in proc.stdout + proc.stderr
    vm = query(
        neo4j_instance,
        "MATCH (v:K8sVirtualMachine:TargetObject:K8sObject {name: 'kc-web-1'}) "
        "OPTIONAL MATCH (v)-[:ATTACHED_TO]->(n:K8sNetworkAttachmentDefinition) "
        "OPTIONAL MATCH (v)-[:USES_STORAGE_CLASS]->(c:K8sStorageClass) "
        "OPTIONAL MATCH (v)-[:USES_CLAIM]->(p:K8sPersistentVolumeClaim) "
        "OPTIONAL MATCH (v)-[:HAS_PRIORITY]->(pc:K8sPriorityClass) "
        "OPTIONAL MATCH (v)-[:IN_NAMESPACE]->(ns:K8sNamespace)-[:IN_CLUSTER]->(k:K8sCluster) "
        "RETURN v.firmware_serial AS serial, v.mac_addresses AS macs, "
        "collect(DISTINCT n.vlan) AS vlans, collect(DISTINCT c.name) AS classes, "
        "collect(DISTINCT p.name) AS pvcs, collect(DISTINCT pc.value) AS priority, "
        "collect(DISTINCT ns.name) AS ns, collect(DISTINCT k.server) AS server",
    )
    assert [{k: sorted(v) if isinstance(v, list) and k != "macs" else v for k, v in row.items()}
            for row in vm] == [{
        "serial": sc.SERIAL, "macs": ["02:00:00:00:ab:01", "02:00:00:00:aa:01"],
        "vlans": [100], "classes": ["kc-fast", "kc-slow"], "pvcs": ["kc-web"],
        "priority": [1000000], "ns": [sc.APPS], "server": [estate.server],
    }]  # fmt: skip
    grants = query(
        neo4j_instance,
        "MATCH (b:K8sRoleBinding {name: 'kc-vm-ops'})-[:BINDS_ROLE]->(r:K8sClusterRole) "
        "MATCH (b)-[:GRANTS_TO]->(s:K8sSubject) "
        "RETURN r.name AS role, collect(s.subject_kind + ' ' + s.name) AS subjects",
    )
    assert [(g["role"], sorted(g["subjects"])) for g in grants] == [
        ("kc-vm-operator", ["Group CORP\\Ops", "ServiceAccount robot", "User alice"])
    ]
    mnp = query(
        neo4j_instance,
        "MATCH (:K8sMultiNetworkPolicy {name: 'kc-vlan-only'})-[:POLICY_FOR]->(n) "
        "RETURN n.name AS nad ORDER BY nad",
    )
    assert [row["nad"] for row in mnp] == ["kc-vlan100", "kc-vlan500"]
    assert [run["status"] for run in runs(neo4j_instance)] == ["complete"]


def test_reingest_is_idempotent_and_removes_what_was_deleted(
    estate: KubeCluster, neo4j_instance: Neo4jInstance, graph: Graph
) -> None:
    temp = nad_manifest("kc-temp", sc.APPS, {"cniVersion": "0.3.1", "type": "bridge", "vlan": 9})
    with estate.api_client() as api:
        create(api, temp)
    assert ingest(neo4j_instance, estate).returncode == 0
    first = counts(neo4j_instance)
    assert ingest(neo4j_instance, estate).returncode == 0
    assert counts(neo4j_instance) == first
    with estate.api_client() as api:
        delete(api, temp)
    assert ingest(neo4j_instance, estate).returncode == 0
    gone = query(neo4j_instance, "MATCH (n:K8sNetworkAttachmentDefinition {name: 'kc-temp'}) "
                                 "RETURN count(n) AS n")  # fmt: skip
    assert gone == [{"n": 0}]
    after = counts(neo4j_instance)
    assert after["K8sNetworkAttachmentDefinition"] == first["K8sNetworkAttachmentDefinition"] - 1
    assert [r["removed"] > 0 for r in runs(neo4j_instance)] == [False, False, True]


def test_a_partial_run_removes_nothing(
    estate: KubeCluster, neo4j_instance: Neo4jInstance, graph: Graph
) -> None:
    temp = nad_manifest("kc-temp2", sc.APPS, None)
    with estate.api_client() as api:
        create(api, temp)
    assert ingest(neo4j_instance, estate).returncode == 0
    policies = counts(neo4j_instance)["K8sNetworkPolicy"]
    with estate.api_client() as api:
        delete(api, temp)
    proc = ingest(neo4j_instance, estate, "limited")
    assert proc.returncode == 0, proc.stderr
    assert "gap: K8sNetworkPolicy" in proc.stderr + proc.stdout
    assert estate.token("limited") not in proc.stdout + proc.stderr
    kept = query(neo4j_instance, "MATCH (n:K8sNetworkAttachmentDefinition {name: 'kc-temp2'}) "
                                 "RETURN count(n) AS n")  # fmt: skip
    assert kept == [{"n": 1}]
    assert counts(neo4j_instance)["K8sNetworkPolicy"] == policies
    last = runs(neo4j_instance)[-1]
    assert (last["status"], last["removed"]) == ("partial", 0)
    assert any(gap.startswith("K8sNetworkPolicy:") for gap in last["gaps"])


@pytest.mark.parametrize("case", ["forbidden", "unauthorized", "unreachable", "no-ca"])
def test_refusals_are_one_line_exit_2_and_change_nothing(
    estate: KubeCluster, neo4j_instance: Neo4jInstance, graph: Graph, tmp_path: Path, case: str
) -> None:
    assert ingest(neo4j_instance, estate).returncode == 0
    before, runs_before = counts(neo4j_instance), runs(neo4j_instance)
    config, context = estate.kubeconfig, "nobody"
    if case != "forbidden":
        context = "admin"
        config = estate.write_kubeconfig(
            tmp_path / "config",
            server=f"https://127.0.0.1:{free_port()}" if case == "unreachable" else None,
            ca=case != "no-ca",
        )
        if case == "unauthorized":
            config.write_text(config.read_text().replace(estate.token("admin"), "bogus-0000"))
    proc = neo4j_instance.cli(
        "ingest", "kubernetes", "--kubeconfig", str(config), "--context", context
    )
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    expected = {"forbidden": "forbidden", "unauthorized": "401", "unreachable": "cannot reach",
                "no-ca": "TLS verification"}  # fmt: skip
    assert expected[case] in lines[0]
    for token in [*estate.tokens.values(), "bogus-0000"]:
        assert token not in proc.stdout + proc.stderr
    assert counts(neo4j_instance) == before
    assert runs(neo4j_instance) == runs_before


def test_insecure_reads_without_the_ca(
    estate: KubeCluster, neo4j_instance: Neo4jInstance, graph: Graph, tmp_path: Path
) -> None:
    config = estate.write_kubeconfig(tmp_path / "config", ca=False)
    proc = neo4j_instance.cli("ingest", "kubernetes", "--kubeconfig", str(config), "--insecure")
    assert proc.returncode == 0, proc.stderr
    assert "TLS verification" in proc.stderr and "OFF" in proc.stderr
    assert counts(neo4j_instance)["K8sVirtualMachine"] >= 3
