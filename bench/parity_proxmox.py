# ruff: noqa: E501  (generated payloads: one object per line reads better than wrapped)
"""Benchmark: ``authmap ingest proxmox`` and ``authmap parity`` on a Proxmox VE 9 target of
2,000 guests and 400 ACL entries, each against a baseline measured in the same run.

The target is the schema-checked replay server (tests/support/pve_replay.py, real HTTPS,
Proxmox's published permission checks on every request) serving a generated PVE 9 cluster:
the fixture cluster's access, storage, firewall and SDN, plus ``vms`` guests (smbios1 uuid =
the source's BIOS UUID), HA resources for all of them, a ``negative`` resource-affinity rule for
half the source's anti-affinity pairs, 200 ACL entries for the source's groups (as PVE's realm
sync names them) and 200 for groups the source never granted. The source is the synthetic
vCenter snapshot of bench/parity_kube.py (``vms`` VMs, 100 anti-affinity rules, 100
permissions of a VM operator role), loaded with ``authmap load`` into a managed Neo4j.

Measured, each in its own process (wall time, peak RSS ``VmHWM``):

* ``authmap ingest proxmox`` against a raw httpx read of the same guest endpoints (the
  resource list, every guest's configuration and firewall options and rules), through the
  same server;
* ``authmap parity`` (every category; change authority by Proxmox's permission rules) against
  a raw Neo4j read of the rows parity reads and an UNWIND write of as many rows.

Usage: ``.venv/bin/python -m bench.parity_proxmox [--vms 2000]``. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import copy
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.measure import temporary_graph
from bench.parity_kube import bios, measured, source_snapshot
from tests.support.pve_replay import TOKEN_ID, TOKEN_SECRET, PveReplay, load_documents

GROUPS = 100
RAW_SCRIPT = """
import sys, httpx
url, token, ca = sys.argv[1:4]
headers = {"Authorization": f"PVEAPIToken={token}"}
with httpx.Client(base_url=url + "/api2/json", headers=headers, verify=ca) as c:
    rows = c.get("/cluster/resources").json()["data"]
    n = 0
    for r in rows:
        if r["type"] in ("qemu", "lxc"):
            base = f"/nodes/{r['node']}/{r['type']}/{r['vmid']}"
            for tail in ("/config", "/firewall/options", "/firewall/rules"):
                c.get(base + tail).raise_for_status()
            n += 1
print(n)
"""
UNWIND_SCRIPT = """
import sys
from app.config import Settings
from app.graph import Graph
with Graph(Settings(home=sys.argv[1], neo4j_uri=None)) as g:
    rows = g.read("bench/pve_parity_rows")
    g.write_rows("bench/parity_unwind", rows, {})
    g.write_chunked("bench/parity_unwind_clean", {})
"""


def documents(vms: int, rules: int) -> dict[str, Any]:
    """The generated PVE 9 cluster (see the module docstring)."""
    docs = copy.deepcopy(load_documents(9))
    for path in [p for p in docs if p.startswith("/nodes/") and ("/qemu/" in p or "/lxc/" in p)]:
        del docs[path]
    nodes = ("pve1", "pve2", "pve3")
    rows = [r for r in docs["/cluster/resources"] if r["type"] not in ("qemu", "lxc")]
    ha, members = [], []
    for i in range(vms):
        vmid, node = 1000 + i, nodes[i % 3]
        rows.append({"id": f"qemu/{vmid}", "maxcpu": 2, "maxmem": 4294967296,
                     "name": f"vm-{i:05d}", "node": node, "pool": "prod", "status": "running",
                     "template": 0, "type": "qemu", "vmid": vmid})  # fmt: skip
        base = f"/nodes/{node}/qemu/{vmid}"
        docs[f"{base}/config"] = {
            "cores": 2, "memory": "4096", "name": f"vm-{i:05d}", "ostype": "l26",
            "net0": f"virtio=BC:24:11:{i >> 16 & 255:02X}:{i >> 8 & 255:02X}:{i & 255:02X},bridge=vmbr0,tag=20",
            "scsi0": f"ceph-gold:vm-{vmid}-disk-0,size=32G", "smbios1": f"uuid={bios(i)}",
        }  # fmt: skip
        docs[f"{base}/firewall/options"] = {"enable": 0}
        docs[f"{base}/firewall/rules"] = []
        ha.append({"max_relocate": 1, "max_restart": 1, "sid": f"vm:{vmid}", "state": "started",
                   "type": "vm"})  # fmt: skip
        members.append({"id": f"qemu/{vmid}", "node": node, "type": "qemu", "vmid": vmid})
    docs["/cluster/resources"] = rows
    docs["/cluster/ha/resources"] = ha
    docs["/cluster/ha/rules"] = [
        {"rule": f"apart-{k}", "type": "resource-affinity", "affinity": "negative",
         "resources": f"vm:{1000 + 2 * k},vm:{1001 + 2 * k}"}
        for k in range(0, rules, 2)
    ]  # fmt: skip
    docs["/pools"] = [{"comment": "production", "poolid": "prod"}]
    docs["/pools/prod"] = {"comment": "production", "members": members}
    docs.pop("/pools/lab", None)
    groups = [f"ops-{g}-corp" for g in range(GROUPS)] + [f"extra-{g}" for g in range(GROUPS)]
    docs["/access/groups"] = [{"comment": "bench", "groupid": g} for g in groups]
    for path in [p for p in docs if p.startswith("/access/groups/")]:
        del docs[path]
    docs["/access/roles"] = docs["/access/roles"] + [
        {"roleid": "VMOperator", "privs": "VM.Audit,VM.PowerMgmt", "special": 0}
    ]
    acl = [a for a in docs["/access/acl"] if "svc-authmap" in a["ugid"] or a["ugid"] == "root@pam"]
    for g in range(GROUPS):  # each source group on its VM, and on a pool; extra groups too
        vmid = 1000 + g * 7
        acl += [
            {"path": f"/vms/{vmid}", "propagate": 1, "roleid": "VMOperator", "type": "group", "ugid": f"ops-{g}-corp"},
            {"path": "/pool/prod", "propagate": 1, "roleid": "PVEAuditor", "type": "group", "ugid": f"ops-{g}-corp"},
            {"path": f"/vms/{vmid + 1}", "propagate": 1, "roleid": "PVEVMAdmin", "type": "group", "ugid": f"extra-{g}"},
            {"path": "/pool/prod", "propagate": 1, "roleid": "PVEVMUser", "type": "group", "ugid": f"extra-{g}"},
        ]  # fmt: skip
    docs["/access/acl"] = acl
    return docs


def run(vms: int) -> dict[str, Any]:
    """Build both estates and take every measurement (see the module docstring)."""
    py = sys.executable
    found: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="authmap-bench-") as tmp:
        home = Path(tmp)
        with temporary_graph(home), PveReplay(version=9, documents=documents(vms, 100)) as pve:
            env = {
                **os.environ,
                "AUTHMAP_HOME": str(home),
                "NEO4J_URI": "",
                "PVE_SECRET": TOKEN_SECRET,
            }
            snap = source_snapshot(home / "source.jsonl.gz", vms, 200)
            subprocess.run(
                [py, "-m", "app", "load", str(snap)], env=env, check=True, capture_output=True
            )
            ca = str(pve.ca_file)
            ingest = [py, "-m", "app", "ingest", "proxmox", "--server", pve.url, "--ca-file", ca,
                      "--token-id", TOKEN_ID, "--token-secret-env", "PVE_SECRET"]  # fmt: skip
            parity = [py, "-m", "app", "parity", "--format"]
            steps = [
                ("raw", [py, "-c", RAW_SCRIPT, pve.url, f"{TOKEN_ID}={TOKEN_SECRET}", ca], (0,)),
                ("ingest", ingest, (0,)),
                ("unwind", [py, "-c", UNWIND_SCRIPT, str(home)], (0,)),
                ("parity", [*parity, "json"], (0, 1)),
            ]
            for name, cmd, ok in steps:
                found[name] = measured(cmd, env, ok)
            md = subprocess.run(
                [*parity, "markdown", "--no-store"], env=env, capture_output=True, text=True
            )
            blocks = md.stdout.split("\n\n")
            found["counts"] = next((b for b in blocks if b.startswith("| status |")), "")
    return found


def _row(label: str, step: tuple[float, float], base: tuple[float, float]) -> str:
    s, rss = step
    return f"| {label} | {s:.1f} | {s / base[0]:.1f} | {rss:.0f} | {rss / base[1]:.1f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vms", type=int, default=2_000)
    args = parser.parse_args()
    r = run(args.vms)
    print("| step | s | ratio | peak RSS MB | ratio |")
    print("|---|---:|---:|---:|---:|")
    print(_row("raw httpx read of the guests (baseline)", r["raw"], r["raw"]))
    print(_row("`authmap ingest proxmox`", r["ingest"], r["raw"]))
    print(_row("raw Neo4j read + UNWIND (baseline)", r["unwind"], r["unwind"]))
    print(_row("`authmap parity`, every category", r["parity"], r["unwind"]))
    print("\n" + r["counts"])


if __name__ == "__main__":
    main()
