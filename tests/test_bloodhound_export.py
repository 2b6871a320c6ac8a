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
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from app.cli import app
from app.graph import Graph
from demo.load import steps
from tests.conftest import REPO, Neo4jInstance, query

SCHEMAS = REPO / "tests" / "fixtures" / "bloodhound" / "opengraph-schema"
CONTROL = {
    "VS_AdminTo",
    "VS_CanModifyPermissions",
    "VS_CanPowerOff",
    "VS_CanConsole",
    "VS_CanReconfigure",
}


def _validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{name}.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


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
    proc = neo4j_instance.cli(
        "export",
        "bloodhound",
        "--out",
        str(out / "estate.json"),
        "--queries",
        str(out / "queries.json"),
        check=True,
    )
    assert "Wrote" in proc.stdout and "VS_AdminTo" in proc.stdout, proc.stdout
    yield neo4j_instance, json.loads((out / "estate.json").read_text()), out


def test_export_validates_against_the_opengraph_schema(
    demo: tuple[Neo4jInstance, dict[str, Any], Path],
) -> None:
    _, document, _ = demo
    assert set(document) == {"metadata", "graph"}
    assert set(document["graph"]) == {"nodes", "edges"}
    _validator("metadata").validate(document["metadata"])
    node_schema, edge_schema = _validator("node"), _validator("edge")
    nodes, edges = document["graph"]["nodes"], document["graph"]["edges"]
    for node in nodes:
        node_schema.validate(node)
        assert all(kind.startswith("VS_") for kind in node["kinds"]), node
    for edge in edges:
        edge_schema.validate(edge)
        assert edge["kind"].startswith("VS_"), edge
    assert len({n["id"] for n in nodes}) == len(nodes)
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
    assert not node_schema.is_valid(bad)


def test_every_edge_end_exists_and_ad_ends_are_directory_sids(
    demo: tuple[Neo4jInstance, dict[str, Any], Path],
) -> None:
    instance, document, _ = demo
    ids = {n["id"] for n in document["graph"]["nodes"]}
    sids = {r["sid"] for r in query(instance, "MATCH (n:ADPrincipal) RETURN n.sid AS sid")}
    outside = 0
    for edge in document["graph"]["edges"]:
        assert edge["start"]["match_by"] == edge["end"]["match_by"] == "id"
        assert edge["end"]["value"] in ids, edge
        if edge["start"]["value"] not in ids:
            outside += 1
            assert edge["start"]["value"] in sids, edge
            assert edge["start"]["value"].startswith("S-1-"), edge
    assert outside > 0
    # vsphere.local principals are nodes of their own, and an unowned grant says so.
    principals = [n for n in document["graph"]["nodes"] if "VS_Principal" in n["kinds"]]
    assert any(n["properties"]["name"].upper().startswith("VSPHERE.LOCAL\\") for n in principals)
    grants = [e for e in document["graph"]["edges"] if e["kind"] == "VS_HasPermission"]
    permissions = query(instance, "MATCH (p:Permission) RETURN count(p) AS n")[0]["n"]
    assert len(grants) == permissions
    assert any(e["properties"].get("ownership") == "unowned" for e in grants)


def _who_can(instance: Neo4jInstance, entity: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(
        app, ["who-can", "--entity", entity, "--format", "json"], env=instance.env
    )
    assert result.exit_code == 0, result.output
    return list(json.loads(result.stdout))


def _expected(row: dict[str, Any], kind: str, admin: set[str]) -> set[str]:
    """The control edges of one who-can row, from the privilege ids (docs/bloodhound.md)."""
    held = set(row["privileges"])
    out = set()
    if admin <= held:
        out.add("VS_AdminTo")
    if "Authorization.ModifyPermissions" in held:
        out.add("VS_CanModifyPermissions")
    if kind == "VirtualMachine":
        if "VirtualMachine.Interact.PowerOff" in held:
            out.add("VS_CanPowerOff")
        if "VirtualMachine.Interact.ConsoleInteract" in held:
            out.add("VS_CanConsole")
        if any(p.startswith("VirtualMachine.Config.") for p in held):
            out.add("VS_CanReconfigure")
    return out


def test_derived_control_edges_agree_with_who_can(
    demo: tuple[Neo4jInstance, dict[str, Any], Path],
) -> None:
    instance, document, _ = demo
    sid_of = {
        r["id"]: r["sid"]
        for r in query(instance, "MATCH (n:ADPrincipal) RETURN n.id AS id, n.sid AS sid")
    }
    admin = {
        r["id"]
        for r in query(
            instance,
            "MATCH (:Role {role_id: -1})-[:INCLUDES]->(p:Privilege) RETURN p.privilege_id AS id",
        )
    }
    assert admin
    exported = {
        (e["start"]["value"], e["end"]["value"], e["kind"])
        for e in document["graph"]["edges"]
        if e["kind"] in CONTROL
    }
    entities = query(
        instance,
        "MATCH (e:VSphereEntity) RETURN e.id AS id, "
        "[l IN labels(e) WHERE l <> 'VSphereEntity' AND l <> 'Source'][0] AS kind",
    )
    expected: set[tuple[str, str, str]] = set()
    for entity in entities:
        for row in _who_can(instance, entity["id"]):
            start = sid_of.get(row["principal_id"]) if row["principal_id"] else None
            start = start or f"vsphere-principal:{row['principal'].lower()}"
            for kind in _expected(row, entity["kind"], admin):
                expected.add((start, entity["id"], kind))
    assert expected, "the demo estate has control edges"
    assert exported == expected


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
