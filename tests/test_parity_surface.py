"""The parity surface on the real servers: ``/api/parity`` (paged, filtered, validated) gives the
answers of ``authmap parity --format json``; the policy-blindspot audit, ``/api/readiness`` and
``authmap report`` tell a decision verified by a person from one verified by target read, and
list a person's verification the target read contradicts. The demo estate, its migrated
counterpart in the real kube-apiserver (tests/support/parity_surface.py), a real parity run."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.graph import Graph
from app.tokens import NewToken, create
from tests.conftest import Neo4jInstance, query
from tests.support.kube import KubeCluster
from tests.support.parity_surface import (
    LB_APART,
    SQL_APART,
    TARGET_ONLY_GROUP,
    WEB_APART,
    judge,
    parity,
)
from tests.support.service import serve

pytestmark = pytest.mark.timeout(1200)


@pytest.fixture(scope="module")
def judged(
    neo4j_instance: Neo4jInstance,
    kube_cluster: KubeCluster,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("surface") / "parity.json"
    return judge(neo4j_instance, kube_cluster, out)


@pytest.fixture(scope="module")
def api(neo4j_instance: Neo4jInstance, judged: dict[str, Any]) -> Iterator[httpx.Client]:
    """``authmap serve`` with a viewer token (once a token exists every call needs one)."""
    with Graph(neo4j_instance.settings()) as g:
        token = create(g, NewToken(name="surface-viewer", role="viewer"), "test").token
    with serve(neo4j_instance.env) as service:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=service.base, headers=headers, timeout=120) as client:
            yield client


def _all(client: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a paged list, 7 at a time (the total checked on every page)."""
    items: list[dict[str, Any]] = []
    total = None
    while True:
        page = client.get(path, params={**params, "limit": 7, "offset": len(items)})
        assert page.status_code == 200, page.text
        body = page.json()
        assert total is None or body["total"] == total
        total = body["total"]
        items += body["items"]
        if not body["items"]:
            break
    assert len(items) == total
    return items


def _by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["decision_id"]: d for d in report["decisions"]}


def test_api_pages_the_cli_answers(api: httpx.Client, judged: dict[str, Any]) -> None:
    items = _all(api, "/api/parity")
    keys = ("decision_id", "category", "summary", "status", "evidence", "explanation", "vms")
    assert {i["decision_id"]: {k: i[k] for k in keys} for i in items} == _by_id(judged)
    run = judged["target"]
    assert {(i["run"], i["target"], i["target_name"]) for i in items} == {
        (run["run"], run["id"], run["name"])
    }
    statuses = {i["decision_id"]: i["status"] for i in items}
    assert (statuses[SQL_APART], statuses[LB_APART], statuses[WEB_APART]) == (
        "missing",
        "enforced",
        "drifted",
    )


def test_api_filters(api: httpx.Client, judged: dict[str, Any]) -> None:
    missing = _all(api, "/api/parity", status="missing", target=judged["target"]["name"])
    expected = {d["decision_id"] for d in judged["decisions"] if d["status"] == "missing"}
    assert {i["decision_id"] for i in missing} == expected and SQL_APART in expected
    placement = _all(api, "/api/parity", category="placement")
    assert {i["decision_id"] for i in placement} == {
        d["decision_id"] for d in judged["decisions"] if d["category"] == "placement"
    }
    by_id = _all(api, "/api/parity", target=judged["target"]["id"], category="change_authority")
    assert by_id == _all(api, "/api/parity", category="change_authority") and by_id


@pytest.mark.parametrize(
    ("params", "code", "says"),
    [
        ({"target": "nowhere"}, 404, "no target 'nowhere'"),
        ({"status": "fine"}, 422, "status"),
        ({"category": "weather"}, 422, "unknown category 'weather'"),
        ({"limit": 0}, 422, "limit"),
        ({"limit": 1001}, 422, "limit"),
        ({"offset": -1}, 422, "offset"),
        ({"offset": "x"}, 422, "offset"),
    ],
)
def test_api_refuses_bad_parameters(
    api: httpx.Client, params: dict[str, Any], code: int, says: str
) -> None:
    for path in ("/api/parity", "/api/parity/target-only", "/api/parity/vm-mapping"):
        if path != "/api/parity" and set(params) & {"status", "category"}:
            continue
        answer = api.get(path, params=params)
        assert answer.status_code == code, (path, answer.text)
        assert says in answer.json()["error"]


def test_target_only_and_vm_mapping(api: httpx.Client, judged: dict[str, Any]) -> None:
    assert _all(api, "/api/parity/target-only") == judged["target_only"]
    assert any(f["subject"] == f"Group {TARGET_ONLY_GROUP}" for f in judged["target_only"])
    mapping = judged["vm_mapping"]
    assert _all(api, "/api/parity/vm-mapping") == mapping["matched"]
    whole = api.get("/api/parity/vm-mapping", params={"limit": 2}).json()
    assert whole["run"]["run"] == judged["target"]["run"]
    for key in ("ambiguous", "unmatched", "unused_target", "errors"):
        assert whole[key] == mapping[key]
    assert {m["source"] for m in mapping["matched"]} >= {"sql-01", "lb-02", "web-04"}


def test_viewer_role_is_needed(api: httpx.Client) -> None:
    for path in ("/api/parity", f"/api/decisions/{SQL_APART}/parity"):
        anonymous = httpx.get(str(api.base_url) + path)
        assert anonymous.status_code == 401, anonymous.text


def test_blindspot_tells_a_person_from_the_target_read(api: httpx.Client) -> None:
    found = api.post("/api/audits/policy-blindspot/run").json()
    by = {f["decision_id"]: f for f in found["findings"]}
    sql = by[SQL_APART]  # verified by a DR drill, missing on the target
    assert (sql["status"], sql["verified_by"], sql["parity"]) == ("verified", "person", "missing")
    assert sql["gap"].startswith("verified by dr_drill but the target read finds it missing")
    assert LB_APART not in by  # unowned: an authority vacuum, not a blindspot
    graph = api.get("/api/audits/policy-blindspot/graph").json()
    kinds = {n["kind"] for n in graph["nodes"]}
    assert {"Decision", "ParityResult"} <= kinds


def test_readiness_and_report_show_parity(
    api: httpx.Client,
    neo4j_instance: Neo4jInstance,
    judged: dict[str, Any],
    tmp_path: Path,
) -> None:
    body = api.get("/api/readiness").json()
    rows = {r["id"]: r for r in body["parity"]}
    stored = query(
        neo4j_instance,
        "MATCH (p:ParityResult {latest: true}) RETURN p.decision_id AS id, p.status AS status, "
        "toString(p.at) AS at",
    )
    assert {r["id"]: (r["parity"], r["parity_at"]) for r in body["parity"] if r["parity"]} == {
        s["id"]: (s["status"], s["at"]) for s in stored
    }
    assert rows[SQL_APART]["target"] == judged["target"]["name"]
    assert {r["status"] for r in body["parity"] if r["verified_by"]} == {"verified"}
    assert body["parity"][0]["status"] == "verified"  # contradicted ones come first
    assert body["parity_summary"]["contradicted"] >= 1
    assert body["parity_summary"]["read"] == len(judged["decisions"])
    proc = neo4j_instance.cli("report", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    with (tmp_path / "parity.csv").open(newline="", encoding="utf-8") as f:
        listed = {r["id"]: r for r in csv.DictReader(f)}
    assert (listed[SQL_APART]["verified_by"], listed[SQL_APART]["parity"]) == ("person", "missing")
    assert "data-parity='missing'" in (tmp_path / "readiness.html").read_text()
    assert "by a person only" in (tmp_path / "readiness.md").read_text()


def test_history_and_verification_by_target_read(
    api: httpx.Client, neo4j_instance: Neo4jInstance, kube_cluster: KubeCluster, tmp_path: Path
) -> None:
    """Runs last: a second run and a verification by target read."""
    cli = neo4j_instance.cli
    plan = [  # lb-apart is unowned in the demo
        ("assign", LB_APART, "--team", "platform"),
        ("accept", LB_APART),
        ("enforce", LB_APART, "--platform", "pve", "--reference", "pod anti-affinity app=lb"),
    ]
    for args in plan:
        proc = cli("decisions", *args)
        assert proc.returncode == 0, proc.stderr
    second = parity(
        neo4j_instance, kube_cluster, tmp_path / "again.json", "--category", "placement"
    )
    proc = cli("decisions", "verify", LB_APART, "--method", "target-read")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    history = _all(api, f"/api/decisions/{LB_APART}/parity")
    assert history[0]["run"] == second["target"]["run"]
    assert [h["latest"] for h in history] == [True, False]
    assert {h["status"] for h in history} == {"enforced"}
    rows = {r["id"]: r for r in api.get("/api/readiness").json()["parity"]}
    assert rows[LB_APART]["verified_by"] == "target-read"
    assert rows[SQL_APART]["verified_by"] == "person"
    unknown = api.get("/api/decisions/nothing-here/parity")
    assert unknown.status_code == 404 and "no decision 'nothing-here'" in unknown.json()["error"]
