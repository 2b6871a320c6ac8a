"""Benchmark: effective permissions on a 10,000-VM / 50,000-user graph.

A generated estate (seeded, so every run builds the same one) is written as a vCenter and an
AD snapshot, loaded into a temporary managed Neo4j and derived, then:

* baseline: one indexed entity lookup (``permissions/find_entity`` by id), the cheapest round
  trip the engine makes;
* ``effective`` for one user on one VM; ``who-can`` on a VM (typical: groups of a few hundred
  members reach it) and on a VM every user reaches (a grant to Domain Users, 50,000 answers),
  with and without a privilege filter; a user's full report across the estate; an
  administrator's full report (Admin at the root: every entity).

Each question runs once to warm up and then ``--repeat`` times; the median is reported in ms
and as a ratio to the baseline, with the answer count. Usage:
``.venv/bin/python -m bench.permissions [--vms 10000 --users 50000]``.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from app.derive import run_derive
from app.graph.loader import load_snapshot
from app.permissions import PermissionEngine
from bench.measure import temporary_graph
from tests.support.permission_estate import Estate, entity_id, write_snapshots

ROLES = {
    -1: ("Admin", frozenset({f"Priv.P{i:03d}" for i in range(400)} | {"System.Read"})),
    -2: ("ReadOnly", frozenset({"System.Anonymous", "System.Read", "System.View"})),
    -5: ("NoAccess", frozenset()),
    1001: ("VM-Operator", frozenset({"VirtualMachine.Interact.PowerOn", "System.Read"})),
    1002: ("VM-Config", frozenset({"VirtualMachine.Config.CPUCount", "System.Read"})),
    1003: ("Host-Config", frozenset({"Host.Config.Power", "System.Read"})),
}


def build(vms: int, users: int, seed: int = 7) -> tuple[Estate, dict[str, str]]:
    """The estate, and the names of the objects the questions are about."""
    rnd = random.Random(seed)
    e = Estate(roles=dict(ROLES))
    root = e.add("group-d1", "Folder", "Datacenters", None)
    dc = e.add("datacenter-1", "Datacenter", "DC0", root)
    vm_root = e.add("group-v1", "Folder", "vm", dc)
    host_root = e.add("group-h1", "Folder", "host", dc)
    top = [e.add(f"group-v{10 + i}", "Folder", f"app{i}", vm_root) for i in range(10)]
    folders = [
        e.add(f"group-v{100 + i * 10 + j}", "Folder", f"app{i}-{j}", t)
        for i, t in enumerate(top)
        for j in range(5)
    ]
    everyone = e.add("group-v9", "Folder", "everyone", vm_root)
    clusters, pools, hosts = [], [], []
    for c in range(10):
        cid = e.add(f"domain-c{c}", "Cluster", f"C{c}", host_root)
        clusters.append(cid)
        hosts.append([e.add(f"host-{c}-{h}", "Host", f"esx{c}-{h}", cid) for h in range(8)])
        rp = e.add(f"resgroup-{c}", "ResourcePool", "Resources", cid)
        pools.append(
            [rp] + [e.add(f"resgroup-{c}-{p}", "ResourcePool", f"rp{c}-{p}", rp) for p in range(4)]
        )
    for v in range(vms):
        c = v % 10
        folder = everyone if v < 100 else folders[v % len(folders)]
        e.add(
            f"vm-{v}", "VirtualMachine", f"vm{v:05d}", folder,
            pool=pools[c][v % 5], host=hosts[c][v % 8],
        )  # fmt: skip

    user_names = [f"user{u:05d}" for u in range(users)]
    e.users = {u: (i % 50 != 0) for i, u in enumerate(user_names)}
    leaf = [f"leaf{g:03d}" for g in range(400)]
    mid = [f"mid{g:02d}" for g in range(80)]
    upper = [f"top{g:02d}" for g in range(20)]
    e.groups = {g: [] for g in [*leaf, *mid, *upper, "Domain Users"]}
    for i, u in enumerate(user_names):
        e.groups[leaf[i % 400]].append(u)
        e.groups[leaf[(i * 7 + 3) % 400]].append(u)
        e.primary_group[u] = "Domain Users"
    for i, g in enumerate(leaf):
        e.groups[mid[i % 80]].append(g)
    for i, g in enumerate(mid):
        e.groups[upper[i % 20]].append(g)

    e.grant("top00", -1, root, group=True)  # the administrators
    e.grant("Domain Users", -2, everyone, group=True)
    for i, f in enumerate(top):
        e.grant(upper[1 + i], 1001, f, group=True)
        e.grant(mid[i], 1002, f, group=True)
    for i, f in enumerate(folders):
        e.grant(leaf[i * 7 % 400], 1001 + i % 2, f, group=True)
        if i % 5 == 0:
            e.grant(user_names[i], -5, f)  # a user masked out of a subtree
    for c, cid in enumerate(clusters):
        e.grant(mid[40 + c], 1003, cid, group=True)
        e.grant(leaf[200 + c], 1002, pools[c][1], group=True)
    for v in rnd.sample(range(100, vms), 200):
        e.grant(user_names[rnd.randrange(users)], 1001, f"vm-{v}", propagate=False)
    # The question's subjects: a user in several granted groups, a VM in a typical folder.
    subject = user_names[7]
    return e, {
        "user": f"CORP\\{subject}",
        "vm": entity_id("vm-1234"),
        "everyone_vm": entity_id("vm-42"),
    }


def median_ms(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median wall time of ``fn`` in ms (after one warm-up run), and its last result."""
    result = fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vms", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    started = time.perf_counter()
    estate, subjects = build(args.vms, args.users)
    with (
        tempfile.TemporaryDirectory() as tmp,
        temporary_graph(Path(tmp) / "home", heap="2g") as graph,
    ):
        vc_path, ad_path = write_snapshots(estate, Path(tmp) / "snap")
        load_snapshot(graph, vc_path)
        load_snapshot(graph, ad_path)
        t0 = time.perf_counter()
        run_derive(graph)
        derive_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        graph.write_chunked("derive/inheritance/10_clear", {})
        graph.write("derive/inheritance/20_parents")
        graph.write("derive/inheritance/30_holders")
        inheritance_s = time.perf_counter() - t0
        print(
            f"estate: {args.vms} VMs, {args.users} users, {len(estate.groups)} groups, "
            f"{len(estate.permissions)} permissions; built and loaded in "
            f"{time.perf_counter() - started:.0f} s; derive {derive_s:.1f} s "
            f"(of which the inheritance edges {inheritance_s:.2f} s)"
        )
        engine = PermissionEngine(graph)
        admin = "CORP\\" + next(u for u in estate.users if _in_top00(estate, u))
        user, vm, everyone_vm = subjects["user"], subjects["vm"], subjects["everyone_vm"]
        power_on = "VirtualMachine.Interact.PowerOn"

        def rendered() -> list[object]:
            return [a.to_dict() for a in engine.effective(admin)]

        questions: list[tuple[str, Callable[[], object]]] = [
            ("baseline: one indexed entity lookup",
             lambda: graph.read("permissions/find_entity", {"ref": vm})),
            ("effective: one user on one VM", lambda: engine.effective(user, vm)),
            ("who-can: a VM (typical)", lambda: engine.who_can(vm)),
            ("who-can: a VM, --privilege PowerOn", lambda: engine.who_can(vm, power_on)),
            ("who-can: a VM every user reaches", lambda: engine.who_can(everyone_vm)),
            ("effective: a user's full report", lambda: engine.effective(user)),
            ("effective: an administrator's full report", lambda: engine.effective(admin)),
            ("  the same, rendered as JSON dicts", rendered),
        ]  # fmt: skip
        baseline = None
        print(f"{'question':45} {'median ms':>10} {'x baseline':>11} {'answers':>8}")
        for name, fn in questions:
            ms, result = median_ms(fn, args.repeat)
            baseline = baseline or ms
            count = len(result) if isinstance(result, list) else 0
            print(f"{name:45} {ms:10.1f} {ms / baseline:11.1f} {count:8d}")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS of this process (estate generation included): {rss:.0f} MB")
    sys.stdout.flush()


def _in_top00(estate: Estate, user: str) -> bool:
    mids = set(estate.groups["top00"])
    leaves = {g for m in mids for g in estate.groups[m]}
    return any(user in estate.groups[g] for g in leaves)


if __name__ == "__main__":
    main()
