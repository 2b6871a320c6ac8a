"""Benchmark: rows/s into Neo4j, UNWIND batches against one-row-per-transaction writes.

Starts its own managed Neo4j (the same code path as ``authmap neo4j start``) in a temporary
home, measures in one run:

* baseline: single-row write transactions (the way naive ingest code writes);
* ``Graph.write_rows`` with UNWIND batches of several sizes;
* a whole snapshot load (10,000 VMs in folders) through ``authmap load``'s code path.

Usage: ``.venv/bin/python -m bench.load_throughput [--rows 50000]``. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import time
from pathlib import Path

from app.config import Settings
from app.graph import Graph
from app.graph.loader import load_snapshot
from app.localneo4j import LocalNeo4j
from app.records import Datacenter, Folder, VCenter, VirtualMachine
from app.records.contract import SourceIdentity
from app.snapshot import SnapshotWriter

VC = "bench-vcenter-0000"


def _rows(count: int, run: str) -> list[dict[str, object]]:
    return [
        {
            "id": f"{VC}:vm-{i}",
            "moref": f"vm-{i}",
            "name": f"vm{i}",
            "instance_uuid": None,
            "bios_uuid": None,
            "power_state": "poweredOn",
            "guest_os": "linux",
            "template": False,
            "annotation": run,
        }
        for i in range(count)
    ]


def _snapshot(path: Path, vms: int) -> Path:
    with SnapshotWriter(path, SourceIdentity(kind="vcenter", id=VC)) as out:
        out.write(VCenter(id=VC, name="bench", instance_uuid=VC))
        out.write(Datacenter(id=f"{VC}:dc", moref="dc", name="DC0", vcenter=VC))
        for f in range(100):
            out.write(Folder(id=f"{VC}:f{f}", moref=f"f{f}", name=f"f{f}", parent=f"{VC}:dc"))
        for i in range(vms):
            out.write(
                VirtualMachine(
                    id=f"{VC}:vm-{i}", moref=f"vm-{i}", name=f"vm{i}", folder=f"{VC}:f{i % 100}"
                )
            )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--baseline-rows", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="authmap-bench-") as tmp:
        home = Path(tmp)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        settings = Settings(home=home, neo4j_uri=None)
        server = LocalNeo4j(home, settings.cache)
        started = time.perf_counter()
        server.start(port=port)
        start_s = time.perf_counter() - started
        try:
            with Graph(settings) as graph:
                graph.apply_schema()
                params = {"source_id": VC, "sync_run": "bench"}
                rows = _rows(args.baseline_rows, "baseline")
                t0 = time.perf_counter()
                for row in rows:
                    graph.write_rows("load/nodes/VirtualMachine", [row], params, batch_size=1)
                baseline = len(rows) / (time.perf_counter() - t0)
                graph.write_chunked("admin/wipe", {})
                results = []
                for size in (1_000, 5_000, 20_000):
                    rows = _rows(args.rows, f"b{size}")
                    t0 = time.perf_counter()
                    graph.write_rows("load/nodes/VirtualMachine", rows, params, batch_size=size)
                    rate = len(rows) / (time.perf_counter() - t0)
                    results.append((size, rate))
                    graph.write_chunked("admin/wipe", {})
                snap = _snapshot(home / "bench.jsonl.gz", 10_000)
                t0 = time.perf_counter()
                report = load_snapshot(graph, snap)
                load_s = time.perf_counter() - t0
                written = sum(report.nodes.values()) + sum(report.links.values())
        finally:
            server.stop()
    print(f"Neo4j start (jars cached): {start_s:.1f} s\n")
    print("| write | rows/s | ratio to baseline |\n|---|---:|---:|")
    print(
        f"| one row per transaction (baseline, {args.baseline_rows} rows) | {baseline:,.0f} | 1.0 |"
    )
    for size, rate in results:
        print(
            f"| UNWIND batches of {size:,} ({args.rows:,} rows) | {rate:,.0f} "
            f"| {rate / baseline:.1f} |"
        )
    print(
        f"| snapshot load, 10,000 VMs + 100 folders, nodes and links ({written:,} rows, "
        f"{load_s:.1f} s) | {written / load_s:,.0f} | {written / load_s / baseline:.1f} |"
    )


if __name__ == "__main__":
    main()
