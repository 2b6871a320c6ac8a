"""The demo estate with a migrated counterpart in the real kube-apiserver (namespace
``surface``), ingested and judged by ``authmap parity``: what the parity API, the audits, the
readiness report and the viewer show (tests/test_parity_surface.py, tests/test_viewer_parity.py).

Migrated: sql-01 and sql-02 without anti-affinity (their rule ``sql-ag-apart``, which the demo's
owners file marks verified by a DR drill, is missing on the target), lb-01 and lb-02 kept apart by
required pod anti-affinity (``lb-apart`` enforced), web-01..04 only preferred apart
(``web-apart`` drifted); a group the source never granted is bound to a VM role.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from demo.load import DEMO_DIR
from demo.scenario import VCENTER_FILE
from tests.conftest import Neo4jInstance
from tests.support import kube_objects as ko
from tests.support.kube import KubeCluster
from tests.support.viewer import load_demo

NS = "surface"
SQL_APART = "drs-rule:04e13b05-d4f2-5266-b8cc-310f1fbe62ac:domain-c61:rule:1"
LB_APART = "drs-rule:04e13b05-d4f2-5266-b8cc-310f1fbe62ac:domain-c28:rule:3"
WEB_APART = "drs-rule:04e13b05-d4f2-5266-b8cc-310f1fbe62ac:domain-c28:rule:1"
TARGET_ONLY_GROUP = "surface-auditors"


def demo_uuids() -> dict[str, str]:
    """BIOS UUID of each demo VM by name (from the shipped snapshot)."""
    found = {}
    with gzip.open(DEMO_DIR / VCENTER_FILE, "rt", encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            if record.get("kind") == "VirtualMachine":
                found[record["name"]] = record["bios_uuid"]
    return found


def _anti(app: str, required: bool) -> dict[str, Any]:
    term = {"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": "kubernetes.io/hostname"}
    if required:
        return {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}}
    preferred = [{"weight": 100, "podAffinityTerm": term}]
    return {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": preferred}}


def build_target(kube: KubeCluster) -> None:
    """The migrated VMs and a target-only binding (created once per cluster)."""
    api = kube.api_client()
    ids = demo_uuids()
    ko.ensure(api, ko.namespace(NS))
    plan: list[tuple[str, str, dict[str, Any]]] = [
        ("sql-01", "sql", {}),
        ("sql-02", "sql", {}),
        ("lb-01", "lb", {"affinity": _anti("lb", True)}),
        ("lb-02", "lb", {"affinity": _anti("lb", True)}),
        *((f"web-0{i}", "web", {"affinity": _anti("web", False)}) for i in range(1, 5)),
    ]
    for name, app, spec in plan:
        manifest = ko.vm_manifest(
            name, NS, template_labels={"app": app}, serial=ids[name], spec=spec
        )
        ko.ensure(api, manifest)
    power = ["virtualmachines/start", "virtualmachines/stop"]
    role = [{"apiGroups": ["subresources.kubevirt.io"], "resources": power, "verbs": ["update"]}]
    ko.ensure(api, ko.cluster_role("surface-vm-power", role))
    ko.ensure(api, ko.binding("surface-auditors", "surface-vm-power",
                              [("Group", TARGET_ONLY_GROUP)], ns=NS))  # fmt: skip
    api.close()


def judge(instance: Neo4jInstance, kube: KubeCluster, out: Path) -> dict[str, Any]:
    """Load the demo, ingest the cluster, run ``authmap parity --format json`` (stored);
    return its report (also written to ``out``)."""
    load_demo(instance)
    build_target(kube)
    proc = instance.cli("ingest", "kubernetes", "--kubeconfig", str(kube.kubeconfig))
    assert proc.returncode == 0, proc.stderr
    return parity(instance, kube, out)


def parity(instance: Neo4jInstance, kube: KubeCluster, out: Path, *args: str) -> dict[str, Any]:
    """One stored ``authmap parity --format json`` run."""
    proc = instance.cli("parity", "--kubeconfig", str(kube.kubeconfig), "--format", "json", *args)
    out.write_text(proc.stdout)
    assert proc.returncode in (0, 1), proc.stderr
    report: dict[str, Any] = json.loads(proc.stdout)
    return report
