"""Benchmark: ``authmap ingest kubernetes`` and ``authmap parity`` at 5,000 KubeVirt VMs and 200
RoleBindings/ClusterRoleBindings, each against a baseline measured in the same run.

Starts the real kube-apiserver + etcd (tests/support/kube.py, the cached binaries) and a
managed Neo4j in a temporary home. The source is a synthetic vCenter snapshot (5,000 VMs with
BIOS UUIDs, 100 mandatory anti-affinity rules, 100 permissions of a VM operator role) loaded
through ``authmap load``; the target holds the 5,000 migrated VMs (firmware serial = BIOS UUID,
half the rules' pairs kept apart by required pod anti-affinity) created in bulk by parallel
clients, and 200 bindings (100 RoleBindings for the source's groups, 100 ClusterRoleBindings of
groups the source never granted).

Measured, each in its own process (wall time and the process's peak RSS, ``VmHWM``; the
kube-apiserver's RSS sampled every 50 ms while each step runs):

* ``authmap ingest kubernetes`` against a raw kubernetes-client list of the same kinds;
* ``authmap parity`` (every category; SubjectAccessReviews for change authority) against a raw
  Neo4j read of the rows parity reads and an UNWIND write of as many result rows.

Usage: ``.venv/bin/python -m bench.parity_kube [--vms 5000] [--bindings 200]``. Prints a
Markdown table.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app.records import Datacenter, VCenter, VirtualMachine
from app.records.contract import SourceIdentity
from app.records.vcenter import Cluster, DrsRule, Host, Permission, Privilege, Role
from app.snapshot import SnapshotWriter
from bench.measure import temporary_graph
from tests.support import kube_objects as ko
from tests.support.kube import KubeCluster, ensure_kube

VC = "bench-parity-vc"
NAMESPACES = 10
PRIVILEGES = (
    "System.Anonymous", "System.View", "System.Read", "VirtualMachine.Interact.PowerOn",
    "VirtualMachine.Interact.PowerOff", "VirtualMachine.Interact.Reset",
)  # fmt: skip
OPERATOR_RULES = [
    {"apiGroups": ["subresources.kubevirt.io"],
     "resources": ["virtualmachines/start", "virtualmachines/stop", "virtualmachines/restart"],
     "verbs": ["update"]},
    {"apiGroups": ["kubevirt.io"], "resources": ["virtualmachines"], "verbs": ["get", "list"]},
]  # fmt: skip
LIST_SCRIPT = """
import sys
from kubernetes import client, config
api = config.new_client_from_config(sys.argv[1])
custom, core = client.CustomObjectsApi(api), client.CoreV1Api(api)
rbac = client.RbacAuthorizationV1Api(api)
n = len(custom.list_cluster_custom_object("kubevirt.io", "v1", "virtualmachines")["items"])
n += len(rbac.list_role_binding_for_all_namespaces().items)
n += len(rbac.list_cluster_role_binding().items) + len(rbac.list_cluster_role().items)
n += len(rbac.list_role_for_all_namespaces().items)
n += len(core.list_namespace().items) + len(core.list_node().items)
print(n)
"""
UNWIND_SCRIPT = """
import sys
from app.config import Settings
from app.graph import Graph
with Graph(Settings(home=sys.argv[1], neo4j_uri=None)) as g:
    rows = g.read("bench/parity_rows")
    g.write_rows("bench/parity_unwind", rows, {})
    g.write_chunked("bench/parity_unwind_clean", {})
"""


def bios(i: int) -> str:
    """The BIOS UUID of source VM ``i``."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench-vm-{i}"))


def source_snapshot(path: Path, vms: int, bindings: int) -> Path:
    """The source estate: one cluster, 10 hosts, ``vms`` VMs, rules and permissions."""
    rules, grants = bindings // 2, bindings // 2
    cl = f"{VC}:c1"
    with SnapshotWriter(path, SourceIdentity(kind="vcenter", id=VC)) as out:
        out.write(VCenter(id=VC, name="bench", instance_uuid=VC))
        out.write(Datacenter(id=f"{VC}:dc", moref="dc", name="DC0", vcenter=VC))
        out.write(Cluster(id=cl, moref="c1", name="C1", parent=f"{VC}:dc", drs_enabled=True))
        for h in range(10):
            out.write(Host(id=f"{VC}:h{h}", moref=f"h{h}", name=f"esx-{h}", cluster=cl))
        for i in range(vms):
            out.write(
                VirtualMachine(
                    id=f"{VC}:vm-{i}", moref=f"vm-{i}", name=f"vm-{i:05d}",
                    bios_uuid=bios(i), host=f"{VC}:h{i % 10}",
                )
            )  # fmt: skip
        for k in range(rules):
            vm_ids = [f"{VC}:vm-{2 * k}", f"{VC}:vm-{2 * k + 1}"]
            out.write(
                DrsRule(id=f"{cl}:rule:{k}", key=k, name=f"apart-{k}", cluster=cl,
                        rule_type="vm_anti_affinity", mandatory=True, vms=vm_ids)
            )  # fmt: skip
        priv_ids = [f"{VC}:priv:{p}" for p in PRIVILEGES]
        for p, pid in zip(PRIVILEGES, priv_ids, strict=True):
            out.write(Privilege(id=pid, privilege_id=p, name=p.rsplit(".", 1)[1]))
        role = f"{VC}:role:1000"
        out.write(Role(id=role, role_id=1000, name="VM Operator", privileges=priv_ids))
        for g in range(grants):
            out.write(
                Permission(id=f"{VC}:perm:{g}", principal=f"CORP\\ops-{g}", is_group=True,
                           role_id=1000, propagate=False, entity=f"{VC}:vm-{g * 7}", role=role)
            )  # fmt: skip
    return path


def _vm(i: int, rules: int) -> dict[str, Any]:
    ns = f"bench-{i % NAMESPACES}"
    pair = i // 2
    labels = {"app": f"pair-{pair}"} if pair < rules else {"app": "bulk"}
    spec: dict[str, Any] = {}
    if pair < rules and pair % 2 == 0:  # half the rules enforced, half missing
        term = {"labelSelector": {"matchLabels": labels}, "topologyKey": "kubernetes.io/hostname"}
        required = {"requiredDuringSchedulingIgnoredDuringExecution": [term]}
        spec = {"affinity": {"podAntiAffinity": required}}
    return ko.vm_manifest(f"vm-{i:05d}", ns, template_labels=labels, serial=bios(i), spec=spec)


def build_target(kube: KubeCluster, vms: int, bindings: int, workers: int = 12) -> float:
    """Create the target in bulk (``workers`` parallel clients); return the seconds taken."""
    local = threading.local()

    def create(manifest: dict[str, Any]) -> None:
        if not hasattr(local, "api"):
            local.api = kube.api_client()
        ko.create(local.api, manifest)

    started = time.perf_counter()
    with kube.api_client() as api:
        for n in range(NAMESPACES):
            ko.create(api, ko.namespace(f"bench-{n}"))
        ko.create(api, ko.cluster_role("bench-vm-operator", OPERATOR_RULES))
    manifests = [_vm(i, bindings // 2) for i in range(vms)]
    for b in range(bindings // 2):
        ns = f"bench-{(b * 7) % NAMESPACES}"
        manifests.append(
            ko.binding(f"ops-{b}", "bench-vm-operator", [("Group", f"ops-{b}")], ns=ns)
        )
        manifests.append(ko.binding(f"extra-{b}", "bench-vm-operator", [("Group", f"extra-{b}")]))
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(create, manifests))
    return time.perf_counter() - started


def rss_mb(pid: int) -> float:
    """A process's resident set size now, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@contextmanager
def sampled(pid: int) -> Iterator[list[float]]:
    """Sample ``pid``'s RSS every 50 ms while the block runs (the list holds the peak)."""
    peak = [rss_mb(pid)]
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(0.05):
            peak[0] = max(peak[0], rss_mb(pid))

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        stop.set()
        thread.join()


def _hwm_mb(pid: int) -> float:
    """A process's peak RSS since it started its program (``VmHWM``), in MB; 0 once gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def measured(
    cmd: Sequence[str], env: dict[str, str], ok: Sequence[int] = (0,)
) -> tuple[float, float]:
    """Run ``cmd``; (seconds, its peak RSS in MB); an exit status not in ``ok`` fails.

    The peak is the child's ``VmHWM`` sampled every 20 ms (``wait4``'s ``ru_maxrss`` would
    count the copy of this process the child was forked from)."""
    start = time.perf_counter()
    proc = subprocess.Popen(list(cmd), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0.0]
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], _hwm_mb(proc.pid))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    code = proc.wait()
    seconds = time.perf_counter() - start
    done.set()
    watcher.join()
    if code not in ok:
        raise RuntimeError(f"{list(cmd)[:5]} exited {code}: {stderr[-2000:]}")
    return seconds, peak[0]


def run(vms: int, bindings: int) -> dict[str, Any]:
    """Build both estates and take every measurement (see the module docstring)."""
    py = sys.executable
    found: dict[str, Any] = {}
    with (
        tempfile.TemporaryDirectory(prefix="authmap-bench-") as tmp,
        KubeCluster(ensure_kube()) as kube,
    ):
        home = Path(tmp)
        apiserver = kube._procs[1].pid  # the benchmark samples its memory
        with temporary_graph(home):
            env = {**os.environ, "AUTHMAP_HOME": str(home), "NEO4J_URI": ""}
            snap = source_snapshot(home / "source.jsonl.gz", vms, bindings)
            load = [py, "-m", "app", "load", str(snap)]
            subprocess.run(load, env=env, check=True, capture_output=True)
            found["create_s"] = build_target(kube, vms, bindings)
            kc = str(kube.kubeconfig)
            ingest = [py, "-m", "app", "ingest", "kubernetes", "--kubeconfig", kc]
            parity = [py, "-m", "app", "parity", "--kubeconfig", kc, "--format"]
            steps = [
                ("list", [py, "-c", LIST_SCRIPT, kc], (0,)),
                ("ingest", ingest, (0,)),
                ("unwind", [py, "-c", UNWIND_SCRIPT, str(home)], (0,)),
                ("parity", [*parity, "json"], (0, 1)),
            ]
            for name, cmd, ok in steps:
                with sampled(apiserver) as peak:
                    found[name] = (*measured(cmd, env, ok), peak)
            md = subprocess.run(
                [*parity, "markdown", "--no-store"], env=env, capture_output=True, text=True
            )
            lines = md.stdout.split("\n\n")
            found["counts"] = next((b for b in lines if b.startswith("| status |")), "")
    return found


def _row(label: str, step: tuple[float, float, list[float]], base: tuple[float, float, list[float]],
         api_base: list[float]) -> str:  # fmt: skip
    s, rss, api = step
    return (
        f"| {label} | {s:.1f} | {s / base[0]:.1f} | {rss:.0f} | {rss / base[1]:.1f} "
        f"| {api[0]:.0f} | {api[0] / api_base[0]:.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vms", type=int, default=5_000)
    parser.add_argument("--bindings", type=int, default=200)
    args = parser.parse_args()
    r = run(args.vms, args.bindings)
    api_base = r["list"][2]
    print(f"Target created in bulk: {args.vms:,} VMs + {args.bindings} bindings, "
          f"{r['create_s']:.1f} s\n")  # fmt: skip
    print("| step | s | ratio | peak RSS MB | ratio | kube-apiserver RSS MB | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(_row("raw kubernetes-client list (baseline)", r["list"], r["list"], api_base))
    print(_row("`authmap ingest kubernetes`", r["ingest"], r["list"], api_base))
    print(_row("raw Neo4j read + UNWIND (baseline)", r["unwind"], r["unwind"], api_base))
    print(_row("`authmap parity`, every category", r["parity"], r["unwind"], api_base))
    print("\n" + r["counts"])


if __name__ == "__main__":
    main()
