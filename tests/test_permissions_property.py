"""The graph-backed permission engine against a plainly written reference implementation.

Hypothesis generates random inventories (datacenters, nested folders, clusters and standalone
hosts, nested resource pools, VMs and templates), random directories (nested groups with
cycles, primary groups, disabled users) and random permissions (propagating or not, NoAccess,
grants to hidden objects, to deleted accounts, to other domains, users granted as groups).
Each estate is loaded into the real Neo4j through the snapshot path and derived, then every
answer of the engine (`effective` on one entity, `effective` across the estate, `who-can`) is
compared with :mod:`tests.support.permissions_reference`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.derive import run_derive
from app.graph import Graph
from app.graph.loader import load_snapshot
from app.permissions import PermissionEngine
from app.permissions.engine import Answer
from tests.support import permissions_reference as ref
from tests.support.permission_estate import NETBIOS, Estate, entity_id, write_snapshots

PRIVILEGES = (
    "VirtualMachine.Interact.PowerOn",
    "VirtualMachine.Config.CPU",
    "Host.Config.Power",
    "Folder.Create",
)


@st.composite
def estates(draw: st.DrawFn) -> Estate:
    """A random but well-formed vSphere inventory, directory, roles and permissions."""
    e = Estate()
    n = iter(range(1, 10_000))
    root = e.add("group-d1", "Folder", "Datacenters", None)
    vm_folders: list[str] = []
    clusters: list[tuple[str, list[str], list[str]]] = []  # cluster, hosts, pools
    for d in range(draw(st.integers(1, 2))):
        parent = root
        if draw(st.booleans()):
            parent = e.add(f"group-f{next(n)}", "Folder", f"region{d}", root)
        dc = e.add(f"datacenter-{next(n)}", "Datacenter", f"DC{d}", parent)
        vm_root = e.add(f"group-v{next(n)}", "Folder", "vm", dc)
        host_root = e.add(f"group-h{next(n)}", "Folder", "host", dc)
        e.add(f"group-s{next(n)}", "Folder", "datastore", dc)
        e.add(f"group-n{next(n)}", "Folder", "network", dc)
        folders = [vm_root]
        for _ in range(draw(st.integers(0, 3))):
            folders.append(
                e.add(f"group-v{next(n)}", "Folder", f"f{next(n)}", draw(st.sampled_from(folders)))
            )
        vm_folders += folders
        host_parents = [host_root]
        if draw(st.booleans()):
            host_parents.append(e.add(f"group-h{next(n)}", "Folder", f"hf{next(n)}", host_root))
        for c in range(draw(st.integers(1, 2))):
            standalone = draw(st.booleans())
            cid = e.add(
                f"domain-c{next(n)}",
                "Cluster",
                f"C{d}{c}",
                draw(st.sampled_from(host_parents)),
                standalone=standalone,
            )
            hosts = [
                e.add(f"host-{next(n)}", "Host", f"esx{next(n)}", cid)
                for _ in range(1 if standalone else draw(st.integers(1, 2)))
            ]
            pools = [e.add(f"resgroup-{next(n)}", "ResourcePool", "Resources", cid)]
            for _ in range(draw(st.integers(0, 2))):
                pools.append(
                    e.add(
                        f"resgroup-{next(n)}",
                        "ResourcePool",
                        f"rp{next(n)}",
                        draw(st.sampled_from(pools)),
                    )
                )
            clusters.append((cid, hosts, pools))
    for i in range(draw(st.integers(1, 5))):
        cid, hosts, pools = draw(st.sampled_from(clusters))
        template = draw(st.integers(0, 5)) == 0
        e.add(
            f"vm-{next(n)}",
            "VirtualMachine",
            f"vm{i}",
            draw(st.sampled_from(vm_folders)),
            pool=None if template else draw(st.sampled_from(pools)),
            host=draw(st.sampled_from(hosts)),
        )

    users = [f"u{i}" for i in range(draw(st.integers(1, 4)))]
    groups = [f"g{i}" for i in range(draw(st.integers(1, 4)))]
    for u in users:
        e.users[u] = draw(st.booleans()) or draw(st.booleans())
    for g in groups:
        e.groups[g] = sorted(set(draw(st.lists(st.sampled_from(users + groups), max_size=4))) - {g})
    for u in users:
        if draw(st.integers(0, 3)) == 0:
            e.primary_group[u] = draw(st.sampled_from(groups))

    e.roles = {-5: ("NoAccess", frozenset()), -2: ("ReadOnly", frozenset({"System.Read"}))}
    for rid in (1001, 1002, 1003):
        privs = draw(st.sets(st.sampled_from(PRIVILEGES), min_size=1))
        e.roles[rid] = (f"role{rid}", frozenset(privs) | {"System.Read"})
    seen: set[tuple[str, bool, str]] = set()
    morefs = sorted(e.entities)
    for _ in range(draw(st.integers(0, 9))):
        kind = draw(st.sampled_from(["user", "group", "group", "ghost", "external", "mismatch"]))
        if kind == "user":
            name, group = f"{NETBIOS}\\{draw(st.sampled_from(users))}", False
        elif kind == "group":
            name, group = f"{NETBIOS}\\{draw(st.sampled_from(groups))}", True
        elif kind == "ghost":
            name, group = f"{NETBIOS}\\deleted-group", True
        elif kind == "external":
            name, group = "VSPHERE.LOCAL\\Administrators", True
        else:
            name, group = f"{NETBIOS}\\{draw(st.sampled_from(users))}", True
        entity = draw(st.sampled_from(morefs))
        if (name.lower(), group, entity) in seen:
            continue
        seen.add((name.lower(), group, entity))
        role = draw(st.sampled_from(sorted(e.roles)))
        e.grant(
            name, role, entity, propagate=draw(st.booleans()) or draw(st.booleans()), group=group
        )
    return e


def _who(answer: Answer) -> ref.Who:
    p = answer.principal
    if p.id is not None:
        return ("ad", p.id.split("-", 1)[1])
    return ("name", p.name.lower())


def _load(graph: Graph, estate: Estate) -> None:
    graph.write_chunked("admin/wipe", {})
    with tempfile.TemporaryDirectory() as tmp:
        vc_path, ad_path = write_snapshots(estate, Path(tmp))
        load_snapshot(graph, vc_path)
        load_snapshot(graph, ad_path)
    run_derive(graph)


def _principal_arg(who: ref.Who) -> str:
    return f"{NETBIOS}\\{who[1]}" if who[0] == "ad" else who[1]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(estate=estates(), sample=st.randoms(use_true_random=False))
def test_engine_matches_reference(graph: Graph, estate: Estate, sample: Any) -> None:
    _load(graph, estate)
    engine = PermissionEngine(graph)
    principals = ref.everyone(estate)
    morefs = sorted(estate.entities)

    # who-can, every entity: exactly the principals the reference gives privileges to.
    for moref in morefs:
        answers = engine.who_can(entity_id(moref))
        got = {_who(a): set(a.outcome.privileges) for a in answers}
        for a in answers:  # every privilege is justified by a grant step
            steps = [s for s in a.outcome.steps if s.effect == "grant"]
            assert set().union(*(s.privileges for s in steps)) == a.outcome.privileges
        want = {}
        for who in principals:
            privs = ref.effective_privileges(estate, who, moref)
            if privs:
                want[who] = privs
        assert got == want, f"who-can {moref}"

    # effective across the estate, every principal that can be named.
    for who in principals:
        if who[0] == "name" and not any(p.principal.lower() == who[1] for p in estate.permissions):
            continue
        account = who[1].split("\\", 1)[-1]
        if who[0] == "name" and (account in estate.users or account in estate.groups):
            continue  # the name is also an account's: `effective` means the account
        answers = engine.effective(_principal_arg(who))
        got_entities = {
            a.entity.id: set(a.outcome.privileges) for a in answers if a.outcome.privileges
        }
        expected: dict[str, set[str]] = {}
        for moref in morefs:
            privs = ref.effective_privileges(estate, who, moref)
            if privs:
                expected[entity_id(moref)] = privs
        assert got_entities == expected, f"effective {who}"

    # effective on one entity, a sample of pairs (the command line's --entity path).
    for who in sample.sample(principals, min(3, len(principals))):
        if who[0] == "name":
            continue
        for moref in sample.sample(morefs, min(4, len(morefs))):
            [answer] = engine.effective(_principal_arg(who), entity_id(moref))
            assert set(answer.outcome.privileges) == ref.effective_privileges(estate, who, moref)
