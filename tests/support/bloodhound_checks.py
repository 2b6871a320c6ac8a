"""Checks of an ``authmap export bloodhound`` document, shared by the demo and Samba scenarios.

* :func:`check_schema`: every node, edge and the metadata validate against BloodHound CE's
  published JSON schemas (``tests/fixtures/bloodhound/opengraph-schema/``).
* :func:`check_edge_ends`: every edge ends at a node of the document, and an edge that starts
  outside it starts at a SID of the directory.
* :func:`expected_control_edges`: the derived control edges ``authmap who-can`` implies for
  every (principal, entity) pair of the graph, to compare with :func:`control_edges`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from app.cli import app
from tests.conftest import REPO, Neo4jInstance, query

SCHEMAS = REPO / "tests" / "fixtures" / "bloodhound" / "opengraph-schema"
CONTROL = frozenset(
    {
        "VS_AdminTo",
        "VS_CanModifyPermissions",
        "VS_CanPowerOff",
        "VS_CanConsole",
        "VS_CanReconfigure",
    }
)


def validator(name: str) -> Draft202012Validator:
    """A validator of one of BloodHound CE's schemas (node, edge, metadata)."""
    schema = json.loads((SCHEMAS / f"{name}.json").read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def export(instance: Neo4jInstance, out: Path) -> dict[str, Any]:
    """``authmap export bloodhound`` with saved queries into ``out``; the parsed document."""
    proc = instance.cli(
        "export", "bloodhound", "--out", str(out / "estate.json"),
        "--queries", str(out / "queries.json"), check=True,
    )  # fmt: skip
    assert "Wrote" in proc.stdout, proc.stdout
    document: dict[str, Any] = json.loads((out / "estate.json").read_text())
    return document


def check_schema(document: dict[str, Any]) -> None:
    """The document's shape, and each part valid against BloodHound's schemas."""
    assert set(document) == {"metadata", "graph"}
    assert set(document["graph"]) == {"nodes", "edges"}
    validator("metadata").validate(document["metadata"])
    node_schema, edge_schema = validator("node"), validator("edge")
    nodes, edges = document["graph"]["nodes"], document["graph"]["edges"]
    for node in nodes:
        node_schema.validate(node)
        assert all(kind.startswith("VS_") for kind in node["kinds"]), node
    for edge in edges:
        edge_schema.validate(edge)
        assert edge["kind"].startswith("VS_"), edge
    assert len({n["id"] for n in nodes}) == len(nodes)


def check_edge_ends(document: dict[str, Any], sids: Iterable[str]) -> int:
    """Assert every edge's ends; return how many edges start at a directory SID."""
    known = set(sids)
    ids = {n["id"] for n in document["graph"]["nodes"]}
    outside = 0
    for edge in document["graph"]["edges"]:
        assert edge["start"]["match_by"] == edge["end"]["match_by"] == "id"
        assert edge["end"]["value"] in ids, edge
        if edge["start"]["value"] not in ids:
            outside += 1
            assert edge["start"]["value"] in known, edge
            assert edge["start"]["value"].startswith("S-1-"), edge
    return outside


def control_edges(document: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(start, end, kind) of every derived control edge of the document."""
    return {
        (e["start"]["value"], e["end"]["value"], e["kind"])
        for e in document["graph"]["edges"]
        if e["kind"] in CONTROL
    }


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


def expected_control_edges(instance: Neo4jInstance) -> set[tuple[str, str, str]]:
    """The control edges ``authmap who-can`` implies for every entity of the graph."""
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
    return expected
