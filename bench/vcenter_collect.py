"""Benchmark: vCenter collection against vcsim with about 10,000 VMs.

Measured in one run against the same vcsim:

* baseline: one raw, paged PropertyCollector retrieval (pyVmomi only, results kept in memory)
  of exactly the property set the collector asks for (``ingest.vcenter.inventory.PATHS``);
* authmap's collection (``collect_vcenter`` into a gzip snapshot through ``app.sync``, roles
  and permissions included), wall time and the ratio to the baseline (target: at most 1.3x);
* peak memory of ``authmap collect vcenter`` run as its own process;
* load throughput of that snapshot into a managed Neo4j, rows/s.

Usage: ``.venv/bin/python -m bench.vcenter_collect [--clusters 4 --hosts 8 --vms 2500]``
(VMs per cluster; 4 x 2,500 = 10,000). vcsim takes several minutes to build such a model.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pyVmomi import vim, vmodl

from app import sync
from app.graph.loader import load_snapshot
from app.records.contract import GapSink, Sink
from bench.measure import run_measured, temporary_graph
from ingest.vcenter import VCenterCollector, VCenterOptions, open_vcenter
from ingest.vcenter.inventory import PATHS, collect_vcenter
from tests.support.vcsim import VcsimServer, ensure_vcsim_binary

PC = vmodl.query.PropertyCollector


def raw_retrieve(content: Any) -> int:
    """The baseline: one paged RetrievePropertiesEx over a ContainerView, nothing else."""
    view = content.viewManager.CreateContainerView(content.rootFolder, list(PATHS), True)
    spec = PC.FilterSpec(
        objectSet=[
            PC.ObjectSpec(
                obj=view,
                skip=True,
                selectSet=[
                    PC.TraversalSpec(name="v", path="view", skip=False, type=vim.view.ContainerView)
                ],
            )
        ],
        propSet=[PC.PropertySpec(type=t, pathSet=p) for t, p in PATHS.items()],
    )
    kept: list[Any] = []
    result = content.propertyCollector.RetrievePropertiesEx(
        [spec], PC.RetrieveOptions(maxObjects=1000)
    )
    while result is not None:
        kept.extend(result.objects)
        result = (
            content.propertyCollector.ContinueRetrievePropertiesEx(result.token)
            if result.token
            else None
        )
    view.Destroy()
    return len(kept)


class InventoryOnly(VCenterCollector):
    """The vCenter collector without alarms, SPBM and tags: what the baseline compares to."""

    def __init__(self, full: VCenterCollector) -> None:
        super().__init__(full.service_instance, full.target)

    def collect(self, sink: Sink, gap: GapSink) -> None:
        """Inventory and authorization only."""
        collect_vcenter(self.service_instance, sink, gap)

    def close(self) -> None:
        """The session belongs to the full collector."""


def ours(collector: VCenterCollector, path: Path) -> int:
    """authmap's inventory collection into a snapshot file; returns the record count."""
    return sync.write_snapshot(InventoryOnly(collector), path).records


def everything(collector: VCenterCollector, path: Path) -> int:
    """The whole collection the CLI runs: inventory, authorization, alarms, SPBM and tags."""
    return sync.write_snapshot(collector, path).records


def peak_rss_of_cli(sim: VcsimServer, out: Path) -> float:
    """Run ``authmap collect vcenter`` as a child and return its own peak RSS in MB."""
    env = {**os.environ, "VCSIM_PW": sim.password}
    _, rss = run_measured(
        [
            sys.executable,
            "-m",
            "app",
            "collect",
            "vcenter",
            "--server",
            f"{sim.host}:{sim.port}",
            "--user",
            sim.username,
            "--password-env",
            "VCSIM_PW",
            "--insecure",
            "--out",
            str(out),
        ],
        env,
    )
    return rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clusters", type=int, default=4)
    parser.add_argument("--hosts", type=int, default=8)
    parser.add_argument("--vms", type=int, default=2500, help="VMs per cluster")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sim = VcsimServer(
        ensure_vcsim_binary(),
        cluster=args.clusters,
        host=args.hosts,
        vm=args.vms,
        standalone_host=0,
        extra_args=("-autostart=false",),
    )
    t0 = time.perf_counter()
    sim.start(timeout=3600)
    print(f"vcsim ready in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    try:
        result = _measure(sim, args)
    finally:
        sim.stop()
    print(result)


def _measure(sim: VcsimServer, args: argparse.Namespace) -> str:
    with tempfile.TemporaryDirectory(prefix="authmap-bench-") as tmp:
        server = f"{sim.host}:{sim.port}"
        collector = open_vcenter(VCenterOptions(server, sim.username, sim.password, insecure=True))
        si = collector.service_instance
        raw_times, our_times = [], []
        objects = records = 0
        for i in range(args.rounds):
            t = time.perf_counter()
            objects = raw_retrieve(si.RetrieveContent())
            raw_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            records = ours(collector, Path(tmp) / f"s{i}.jsonl.gz")
            our_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        full_records = everything(collector, Path(tmp) / "full.jsonl.gz")
        full_s = time.perf_counter() - t
        collector.close()
        rss = peak_rss_of_cli(sim, Path(tmp) / "cli.jsonl.gz")
        with temporary_graph(Path(tmp) / "home") as graph:
            t = time.perf_counter()
            report = load_snapshot(graph, Path(tmp) / "s0.jsonl.gz")
            load_s = time.perf_counter() - t
            t = time.perf_counter()
            again = load_snapshot(graph, Path(tmp) / "s1.jsonl.gz")
            reload_s = time.perf_counter() - t
    raw, our = statistics.median(raw_times), statistics.median(our_times)
    rows = sum(report.nodes.values()) + sum(report.links.values())
    lines = [
        f"model: {args.clusters} clusters x {args.hosts} hosts, {args.clusters * args.vms} VMs; "
        f"{objects} objects retrieved, {records} records written",
        "| measure | value |",
        "|---|---:|",
        f"| raw PropertyCollector retrieval (baseline, median of {args.rounds}) | {raw:.2f} s |",
        f"| authmap collection to snapshot (median of {args.rounds}) | {our:.2f} s |",
        f"| ratio collection / baseline | {our / raw:.2f}x |",
        f"| whole collection incl. SPBM and tags ({full_records:,} records) | {full_s:.2f} s |",
        f"| peak RSS of `authmap collect vcenter` (whole collection) | {rss:.0f} MB |",
        f"| first load into Neo4j ({rows:,} rows: nodes + relationships) | {load_s:.1f} s, "
        f"{rows / load_s:,.0f} rows/s |",
        f"| re-load of the same estate (idempotent MERGE, status {again.status}) | "
        f"{reload_s:.1f} s, {rows / reload_s:,.0f} rows/s |",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
