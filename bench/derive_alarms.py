"""Benchmark: derive with vCenter's predefined alarms at 10,000 VMs.

A real vCenter defines about 200 alarms on its root folder, so each one's blast radius is
every VM: about 2M ``AFFECTS`` links. This measures ``derive`` on the permissions benchmark's
estate without alarms (the baseline, same run), then with ``--alarms`` root alarms: the first
derive (links created) and a second, unchanged one (links kept). It runs against a managed
Neo4j with the heap ``authmap neo4j start`` uses by default, unless ``--heap`` says otherwise.

    .venv/bin/python -m bench.derive_alarms [--vms 10000] [--alarms 200] [--heap 512m]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from app.derive import run_derive
from app.graph import Graph
from app.graph.loader import load_snapshot
from app.records import vcenter as r
from app.records.contract import SourceIdentity
from app.snapshot import SnapshotWriter, iter_records, validate
from bench.measure import temporary_graph
from bench.permissions import build
from tests.support.permission_estate import VC, entity_id, write_snapshots


def with_alarms(source: Path, target: Path, count: int, root: str) -> Path:
    """A copy of the vCenter snapshot ``source`` plus ``count`` alarms on entity ``root``."""
    header = validate(source).header
    with SnapshotWriter(target, SourceIdentity(**header.source.model_dump())) as out:
        for record in iter_records(source):
            out.write(record)
        for i in range(count):
            out.write(
                r.Alarm(
                    id=f"{VC}:alarm:alarm-{i}",
                    moref=f"alarm-{i}",
                    name=f"Predefined alarm {i}",
                    entity=root,
                    watches=["VirtualMachine"],
                    trigger_texts=[f"VirtualMachine cpu.usage.average isAbove 75%/90% ({i})"],
                )
            )
    return target


def timed_derive(graph: Graph) -> float:
    """Seconds one ``derive`` takes."""
    started = time.perf_counter()
    run_derive(graph)
    return time.perf_counter() - started


def affects(graph: Graph) -> int:
    """How many ``AFFECTS`` links the alarm decisions hold."""
    rows = graph.read("bench/alarm_affects")
    return int(rows[0]["links"]) if rows else 0


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vms", type=int, default=10_000)
    parser.add_argument("--alarms", type=int, default=200)
    parser.add_argument("--heap", default="512m")
    args = parser.parse_args()

    estate, _ = build(args.vms, 1_000)
    with (
        tempfile.TemporaryDirectory() as tmp,
        temporary_graph(Path(tmp) / "home", heap=args.heap) as graph,
    ):
        vc_path, ad_path = write_snapshots(estate, Path(tmp) / "snap")
        load_snapshot(graph, vc_path)
        load_snapshot(graph, ad_path)
        timed_derive(graph)  # plans every statement once
        baseline = timed_derive(graph)
        alarmed = with_alarms(
            vc_path, Path(tmp) / "snap" / "alarms.jsonl", args.alarms, entity_id("group-d1")
        )
        load_snapshot(graph, alarmed)
        rows = [("derive, no alarms (baseline)", baseline, 0)]
        try:
            rows.append((f"derive, {args.alarms} root alarms, first", timed_derive(graph), 0))
            rows[-1] = (*rows[-1][:2], affects(graph))
            rows.append(("derive again, nothing changed", timed_derive(graph), affects(graph)))
        except Exception as exc:  # report what failed, e.g. Neo4j's transaction memory limit
            print(f"derive with alarms FAILED: {type(exc).__name__}: {exc}")
        print(f"estate: {args.vms} VMs, heap {args.heap}")
        print(f"{'derive':42} {'seconds':>8} {'x baseline':>11} {'AFFECTS':>10}")
        for name, seconds, links in rows:
            print(f"{name:42} {seconds:8.1f} {seconds / baseline:11.1f} {links:10d}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
