"""The graph access layer against the real server: schema, batching, retries, routing."""

from __future__ import annotations

import threading
import time

import pytest
from neo4j import GraphDatabase

from app.graph import Graph, GraphError
from app.graph.client import batched
from app.graph.codegen import NAME_PROPERTIES, fulltext_labels
from tests.conftest import Neo4jInstance, query


def _label_count(graph: Graph, label: str) -> int:
    return next((r["count"] for r in graph.read("admin/label_counts") if r["label"] == label), 0)


def _vm_rows(count: int, prefix: str = "vc-1:vm-") -> list[dict[str, object]]:
    return [
        {
            "id": f"{prefix}{i}",
            "moref": f"vm-{i}",
            "name": f"vm{i:05d}",
            "instance_uuid": None,
            "bios_uuid": None,
            "power_state": "poweredOn",
            "guest_os": None,
            "template": False,
            "annotation": None,
        }
        for i in range(count)
    ]


def test_schema_applies_twice_without_error(graph: Graph) -> None:
    first = graph.apply_schema()
    second = graph.apply_schema()
    assert first == second > 5


def test_fifty_thousand_rows_land_exactly_once(graph: Graph) -> None:
    rows = _vm_rows(50_000)
    params = {"source_id": "vc-1", "sync_run": "run-1"}
    stats = graph.write_rows("load/nodes/VirtualMachine", rows, params, batch_size=7_000)
    assert stats.rows == 50_000
    assert stats.batches == 8  # ceil(50000 / 7000)
    assert stats.totals["written"] == 50_000
    assert _label_count(graph, "VirtualMachine") == 50_000
    again = graph.write_rows("load/nodes/VirtualMachine", rows, params, batch_size=20_000)
    assert again.batches == 3
    assert _label_count(graph, "VirtualMachine") == 50_000


def test_transient_lock_timeout_is_retried(graph: Graph, neo4j_instance: Neo4jInstance) -> None:
    params = {"source_id": "vc-1", "sync_run": "run-1"}
    graph.write_rows("load/nodes/VirtualMachine", _vm_rows(1), params)
    locked = threading.Event()
    password = (neo4j_instance.home / "neo4j" / "password").read_text().strip()

    def hold_lock() -> None:
        uri = f"bolt://127.0.0.1:{neo4j_instance.port}"
        with GraphDatabase.driver(uri, auth=("neo4j", password)) as driver, driver.session() as s:
            tx = s.begin_transaction()
            tx.run("MATCH (n:VirtualMachine {id: 'vc-1:vm-0'}) SET n.name = 'held'").consume()
            locked.set()
            time.sleep(2.5)  # longer than the server's 1 s lock acquisition timeout
            tx.commit()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    assert locked.wait(30)
    row = {**_vm_rows(1)[0], "name": "after-retry"}
    stats = graph.write_rows("load/nodes/VirtualMachine", [row], params)
    holder.join()
    assert stats.attempts >= 2, "the lock timeout should have failed the first attempt"
    assert graph.read("admin/label_counts")  # still usable
    names = GraphDatabase.driver(
        f"bolt://127.0.0.1:{neo4j_instance.port}", auth=("neo4j", password)
    )
    with names:
        records, _, _ = names.execute_query(
            "MATCH (n:VirtualMachine {id: 'vc-1:vm-0'}) RETURN n.name AS name"
        )
    assert records[0]["name"] == "after-retry"


def test_reads_run_in_read_mode(graph: Graph) -> None:
    with pytest.raises(GraphError, match=r"AccessMode|read"):
        graph.read("admin/wipe", {"limit": 1})


def test_unknown_statement_name_is_an_error(graph: Graph) -> None:
    with pytest.raises(LookupError, match="no Cypher file"):
        graph.read("admin/does-not-exist")
    with pytest.raises(LookupError, match="bad statement name"):
        graph.read("../pyproject")


def test_batched_splits_exactly() -> None:
    chunks = list(batched(({"i": i} for i in range(10)), 4))
    assert [len(c) for c in chunks] == [4, 4, 2]
    assert [row["i"] for chunk in chunks for row in chunk] == list(range(10))


def test_wrong_password_error_does_not_leak_it(neo4j_instance: Neo4jInstance) -> None:
    secret = "Sup3r-Secret-Value-xyz"
    settings = neo4j_instance.settings(
        neo4j_uri=f"bolt://127.0.0.1:{neo4j_instance.port}", neo4j_password=secret
    )
    with Graph(settings) as wrong, pytest.raises(GraphError) as caught:
        wrong.verify()
    assert "refused the credentials" in str(caught.value)
    assert secret not in str(caught.value)
    assert secret not in repr(settings)


def test_schema_rebuilds_a_names_index_made_for_an_older_model(
    graph: Graph, neo4j_instance: Neo4jInstance
) -> None:
    """`db init` on a database whose full-text index predates new node kinds recreates it
    over the model's kinds, and search finds a node of a kind the old index lacked."""
    graph.apply_schema()
    query(neo4j_instance, "DROP INDEX node_names")
    query(
        neo4j_instance,
        "CREATE FULLTEXT INDEX node_names FOR (n:VirtualMachine) ON EACH [n.name]",
    )
    query(neo4j_instance, "CREATE (:Alarm {id: 'fulltext-probe', name: 'zqxprobealarm'})")
    try:
        graph.apply_schema()
        index = query(
            neo4j_instance,
            "SHOW FULLTEXT INDEXES YIELD name, labelsOrTypes, properties, state "
            "WHERE name = 'node_names' RETURN labelsOrTypes, properties, state",
        )
        assert set(index[0]["labelsOrTypes"]) == set(fulltext_labels())
        assert set(index[0]["properties"]) == set(NAME_PROPERTIES)
        assert index[0]["state"] == "ONLINE"
        found = query(
            neo4j_instance,
            "CALL db.index.fulltext.queryNodes('node_names', 'zqxprobealarm') "
            "YIELD node RETURN node.id AS id",
        )
        assert [row["id"] for row in found] == ["fulltext-probe"]
        assert graph.apply_schema() > 0  # a current index is left alone
    finally:
        query(neo4j_instance, "MATCH (n:Alarm {id: 'fulltext-probe'}) DELETE n")
