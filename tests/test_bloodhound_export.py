"""``authmap export bloodhound`` on the demo estate, in the session's real Neo4j.

The document is checked against BloodHound CE's own published JSON schemas (node, edge and
metadata, copied with their commit into ``tests/fixtures/bloodhound/opengraph-schema/``), every
edge that starts outside the document starts at a SID the collected directory holds, and every
derived control edge is what ``authmap who-can`` (run through the command line, in process)
says about that (principal, entity) pair, no more and no fewer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.graph import Graph
from demo.load import steps
from tests.conftest import Neo4jInstance, query
from tests.support.bloodhound_checks import (
    CONTROL,
    check_edge_ends,
    check_schema,
    control_edges,
    expected_control_edges,
    export,
    validator,
)


@pytest.fixture(scope="module")
def demo(
    neo4j_instance: Neo4jInstance, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Neo4jInstance, dict[str, Any], Path]]:
    """The demo estate loaded into an emptied graph, and its export."""
    with Graph(neo4j_instance.settings()) as graph:
        graph.write_chunked("admin/wipe", {})
    neo4j_instance.cli("db", "init", check=True)
    for args in steps():
        neo4j_instance.cli(*args, check=True)
    out = tmp_path_factory.mktemp("bloodhound")
    yield neo4j_instance, export(neo4j_instance, out), out


def test_export_validates_against_the_opengraph_schema(
    demo: tuple[Neo4jInstance, dict[str, Any], Path],
) -> None:
    _, document, _ = demo
    check_schema(document)
    nodes, edges = document["graph"]["nodes"], document["graph"]["edges"]
    kinds = {kind for n in nodes for kind in n["kinds"]}
    assert {
        "VS_VCenter",
        "VS_Datacenter",
        "VS_Folder",
        "VS_Cluster",
        "VS_Host",
        "VS_VM",
        "VS_Role",
        "VS_Principal",
    } <= kinds
    assert {"VS_HasPermission", "VS_Contains"} | CONTROL <= {e["kind"] for e in edges}
    # The schema itself refuses what BloodHound would refuse: a map as a property value.
    bad = {**nodes[0], "properties": {"nested": {"a": 1}}}
    assert not validator("node").is_valid(bad)


def test_every_edge_end_exists_and_ad_ends_are_directory_sids(
    demo: tuple[Neo4jInstance, dict[str, Any], Path],
) -> None:
    instance, document, _ = demo
    sids = {r["sid"] for r in query(instance, "MATCH (n:ADPrincipal) RETURN n.sid AS sid")}
    assert check_edge_ends(document, sids) > 0
    # vsphere.local principals are nodes of their own, and an unowned grant says so.
    principals = [n for n in document["graph"]["nodes"] if "VS_Principal" in n["kinds"]]
    assert any(n["properties"]["name"].upper().startswith("VSPHERE.LOCAL\\") for n in principals)
    grants = [e for e in document["graph"]["edges"] if e["kind"] == "VS_HasPermission"]
    permissions = query(instance, "MATCH (p:Permission) RETURN count(p) AS n")[0]["n"]
    assert len(grants) == permissions
    assert any(e["properties"].get("ownership") == "unowned" for e in grants)


def test_derived_control_edges_agree_with_who_can(
    demo: tuple[Neo4jInstance, dict[str, Any], Path],
) -> None:
    instance, document, _ = demo
    expected = expected_control_edges(instance)
    assert expected, "the demo estate has control edges"
    assert control_edges(document) == expected


def test_saved_queries_walk_from_ad_into_vsphere(
    demo: tuple[Neo4jInstance, dict[str, Any], Path],
) -> None:
    _, _, out = demo
    queries = json.loads((out / "queries.json").read_text())
    assert len(queries) >= 5
    for q in queries:
        assert set(q) == {"name", "description", "query"} and q["name"] and q["query"]
        assert "VS_" in q["query"]
    assert any(":User" in q["query"] and "MemberOf" in q["query"] for q in queries)


def test_bad_options_are_one_line_and_exit_2(
    demo: tuple[Neo4jInstance, dict[str, Any], Path],
    tmp_path: Path,
) -> None:
    instance, _, _ = demo
    proc = instance.cli(
        "export", "bloodhound", "--out", str(tmp_path / "x.json"), "--privileges", "some"
    )
    assert proc.returncode == 2 and "--privileges must be all or dangerous" in proc.stderr
    proc = instance.cli("export", "bloodhound", "--out", str(tmp_path / "no" / "x.json"))
    assert proc.returncode == 2 and "is not a directory" in proc.stderr
    assert not (tmp_path / "x.json").exists()
