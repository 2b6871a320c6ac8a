"""The sustained-load harness (``bench/service_load.py``) on a tiny estate (issue 9, load).

The same code as the benchmark: the estate is loaded and derived into the session's Neo4j,
teams, a platform and tokens are created, the real ``authmap serve`` runs as a subprocess and
four client threads run the mixed load (reads of every kind, lifecycle writes with ``If-Match``)
for about 10 seconds. Asserted: no error at all (no 5xx, transport error or unexpected status,
no traceback in the service log), every accepted write has exactly one event and a refused
(412) one none, each decision's events form an unbroken version chain and the decision ends in
the state its last event gives. Nothing about speed is asserted.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.graph import Graph
from bench.service_load import (
    READS,
    STALE,
    WRITES,
    Workload,
    check_writes,
    client,
    decision_versions,
    event_total,
    load_estate,
    mixed_load,
    prepare_ownership,
    subjects_of,
    wait_for_search,
)
from tests.conftest import Neo4jInstance
from tests.support.permission_estate import Estate
from tests.support.service import serve

CLIENTS = 4
SECONDS = 10


def _estate() -> Estate:
    """Two folders of VMs on one cluster, a few users and groups, six permissions (six
    decisions, so the four clients' writes often meet on the same one)."""
    e = Estate()
    e.roles = {
        -1: ("Admin", frozenset({"System.Read", "Authorization.ModifyPermissions"})),
        -2: ("ReadOnly", frozenset({"System.Read"})),
        1001: ("vm-operator", frozenset({"System.Read", "VirtualMachine.Interact.PowerOn"})),
    }
    root = e.add("group-d1", "Folder", "Datacenters", None)
    dc = e.add("datacenter-2", "Datacenter", "DC-Load", root)
    vm_root = e.add("group-v3", "Folder", "vm", dc)
    host_root = e.add("group-h4", "Folder", "host", dc)
    web = e.add("group-v5", "Folder", "web", vm_root)
    db = e.add("group-v6", "Folder", "db", vm_root)
    cluster = e.add("domain-c7", "Cluster", "Load-A", host_root)
    host = e.add("host-8", "Host", "esx-load-01", cluster)
    pool = e.add("resgroup-9", "ResourcePool", "Resources", cluster)
    for i in range(8):
        folder, name = (web, f"web-{i:02d}") if i % 2 else (db, f"db-{i:02d}")
        e.add(f"vm-{20 + i}", "VirtualMachine", name, folder, pool=pool, host=host)
    e.users = {u: True for u in ("alice", "bob", "carol", "dave", "erin")}
    e.groups = {"web-ops": ["alice", "bob"], "dbas": ["carol"], "admins": ["dave", "web-ops"]}
    e.grant("admins", -1, root, group=True)
    e.grant("web-ops", 1001, web, group=True)
    e.grant("dbas", 1001, db, group=True)
    e.grant("erin", -2, dc)
    e.grant("bob", 1001, "vm-21", propagate=False)
    e.grant("carol", -2, cluster)
    return e


@pytest.fixture()
def loaded(graph: Graph, tmp_path: Path) -> Iterator[Graph]:
    """The estate loaded and derived; wiped afterwards (its tokens would close the API)."""
    try:
        load_estate(graph, _estate(), tmp_path / "snap")
        yield graph
    finally:
        graph.write_chunked("admin/wipe", {})


def test_mixed_load_loses_no_write(
    loaded: Graph, neo4j_instance: Neo4jInstance, tmp_path: Path
) -> None:
    estate = _estate()
    subjects = subjects_of(estate)
    tokens = prepare_ownership(loaded, "test")
    with (
        serve(neo4j_instance.env, logs=tmp_path / "serve") as service,
        client(service.base, tokens.viewer) as http,
    ):
        wait_for_search(http, subjects.vms[0][1])
        before = decision_versions(http)
        assert len(before) >= 6 and set(before.values()) == {0}
        work = Workload(
            base=service.base, tokens=tokens, subjects=subjects, decisions=sorted(before)
        )
        tally = mixed_load(work, CLIENTS, SECONDS)
        check = check_writes(http, tally.writes, before, work.run)
        final = decision_versions(http)
        logged = event_total(http)
        tracebacks = service.tracebacks()

    # no error of any kind; there were reads and writes (how many depends on the machine)
    assert tally.errors == [], tally.errors[:20]
    assert tracebacks == ""
    assert {s for _, s in tally.statuses} <= {200, STALE}, tally.statuses
    kinds = {kind for kind, _ in tally.statuses}
    assert kinds & set(READS) - {"decision detail"} and kinds & set(WRITES), tally.statuses

    # every accepted write has exactly one event, a refused one none; chains and final states
    assert check.problems == [], check.problems[:20]
    accepted = [w for w in tally.writes if w.status == 200]
    assert accepted and check.accepted == len(accepted) == check.events
    assert sum(final.values()) == len(accepted)  # each accepted write moved a version by one
    assert tally.stale == sum(1 for w in tally.writes if w.status == STALE)
    assert logged == len(accepted)  # the whole log: the graph started empty
