"""The HTTP API against the real Neo4j: every endpoint, the authorization matrix, ETags, the
read-only console, hashed tokens, error shapes; and one run of the real `authmap serve`.

The estate (a small vCenter inventory, an AD directory, roles and permissions) is loaded once
per module through the normal snapshot path (`load_snapshot` + `run_derive`); each test starts
from it with no ownership, no events and no tokens."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app import lifecycle as ownership
from app.decisions import list_decisions
from app.derive import run_derive
from app.graph import Graph
from app.graph.loader import load_snapshot
from app.service import create_app
from app.service.graph_routes import lucene_escape, search_query
from app.tokens import NewToken, create
from tests.conftest import REPO, Neo4jInstance, query, run_cli
from tests.support.permission_estate import Estate, entity_id, write_snapshots
from tests.support.service import serve

VM_WEB = entity_id("vm-11")
VM_DB = entity_id("vm-12")
ALICE = "ad:user-alice"


def _estate() -> Estate:
    e = Estate()
    root = e.add("group-d1", "Folder", "Datacenters", None)
    dc = e.add("datacenter-2", "Datacenter", "DC-Prod", root)
    vm_root = e.add("group-v3", "Folder", "vm", dc)
    host_root = e.add("group-h4", "Folder", "host", dc)
    apps = e.add("group-v5", "Folder", "apps", vm_root)
    cluster = e.add("domain-c7", "Cluster", "Prod-A", host_root)
    host = e.add("host-8", "Host", "esx-01", cluster)
    pool = e.add("resgroup-9", "ResourcePool", "Resources", cluster)
    e.add("vm-11", "VirtualMachine", "web-01", apps, pool=pool, host=host)
    e.add("vm-12", "VirtualMachine", "db-01", vm_root, pool=pool, host=host)
    e.users = {"alice": True, "bob": True}
    e.groups = {"web-ops": ["alice"], "dbas": ["bob"]}
    e.roles = {
        -1: ("Admin", frozenset({"System.Read", "Authorization.ModifyPermissions"})),
        -2: ("ReadOnly", frozenset({"System.Read"})),
        1001: ("vm-operator", frozenset({"System.Read", "VirtualMachine.Interact.PowerOn"})),
    }
    e.grant("web-ops", 1001, apps, group=True)
    e.grant("dbas", 1001, vm_root, group=True)
    e.grant("alice", -2, dc)
    return e


@pytest.fixture(scope="module")
def estate(neo4j_instance: Neo4jInstance, tmp_path_factory: pytest.TempPathFactory) -> Graph:
    """The module's estate, loaded and derived once."""
    graph = Graph(neo4j_instance.settings())
    graph.write_chunked("admin/wipe", {})
    graph.apply_schema()
    vc, ad = write_snapshots(_estate(), tmp_path_factory.mktemp("estate"))
    load_snapshot(graph, vc)
    load_snapshot(graph, ad)
    run_derive(graph)
    query(neo4j_instance, "CALL db.awaitIndexes(60)")
    return graph


@pytest.fixture()
def graph(estate: Graph, neo4j_instance: Neo4jInstance) -> Iterator[Graph]:
    """The estate with no ownership, events, teams, platforms or tokens."""
    query(
        neo4j_instance,
        "MATCH (n) WHERE n:Team OR n:TargetPlatform OR n:Event OR n:Enforcement "
        "OR n:Verification OR n:ApiToken DETACH DELETE n",
    )
    query(
        neo4j_instance,
        "MATCH (d:Decision) REMOVE d.ownership_status, d.owner, d.version, d.accepted_at, "
        "d.accepted_by",
    )
    ownership.upsert_team(estate, ownership.Team(name="team-a"), "test")
    ownership.upsert_team(estate, ownership.Team(name="team-b"), "test")
    ownership.upsert_platform(estate, ownership.TargetPlatform(name="pve", kind="Proxmox"), "t")
    yield estate


@pytest.fixture()
def client(graph: Graph, neo4j_instance: Neo4jInstance) -> Iterator[TestClient]:
    """The real application (its own Neo4j connection) in process."""
    with TestClient(create_app(neo4j_instance.settings())) as test_client:
        yield test_client


def _token(graph: Graph, role: str, team: str | None = None, name: str | None = None) -> str:
    request = NewToken.model_validate(
        {"name": name or f"{role}-{team or 'x'}", "role": role, "team": team}
    )
    return create(graph, request, "test").token


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _decision(neo4j_instance: Neo4jInstance, kind: str = "permission") -> str:
    rows = query(
        neo4j_instance,
        "MATCH (d:Decision {kind: $kind, status: 'active'}) RETURN d.id AS id ORDER BY id",
        kind=kind,
    )
    return str(rows[0]["id"])


def _events(neo4j_instance: Neo4jInstance, decision_id: str) -> int:
    rows = query(
        neo4j_instance,
        "MATCH (e:Event {decision_id: $id}) RETURN count(e) AS n",
        id=decision_id,
    )
    return int(rows[0]["n"])


def _etag(client: TestClient, decision_id: str, headers: dict[str, str] | None = None) -> str:
    r = client.get(f"/api/decisions/{decision_id}", headers=headers or {})
    assert r.status_code == 200, r.text
    return str(r.headers["etag"])


# --- open mode, health, summary, search, nodes, path ------------------------------------


def test_open_mode_treats_callers_as_local_admin(client: TestClient, graph: Graph) -> None:
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["neo4j"]["uri"].startswith("bolt://")
    assert client.post("/api/teams", json={"name": "team-c"}).status_code == 200
    decision = ownership.state(graph, _first(graph)).id
    r = client.post(
        f"/api/decisions/{decision}/assign",
        json={"team": "team-c"},
        headers={"If-Match": _etag(client, decision)},
    )
    assert r.status_code == 200 and r.json()["team"] == "team-c"
    [event] = client.get("/api/events", params={"decision": decision}).json()["items"]
    assert event["actor"] == "local" and event["action"] == "assign"


def _first(graph: Graph) -> str:
    return list_decisions(graph, limit=1)[0].id


def test_summary_counts_and_readiness(
    client: TestClient, graph: Graph, neo4j_instance: Neo4jInstance
) -> None:
    decision = _decision(neo4j_instance)
    ownership.assign(graph, decision, "team-a", "t")
    ownership.accept(graph, decision, "t")
    body = client.get("/api/summary").json()
    vms = query(neo4j_instance, "MATCH (v:VirtualMachine) RETURN count(v) AS n")[0]["n"]
    assert body["labels"]["VirtualMachine"] == vms == 2
    assert "ApiToken" not in body["labels"]
    authority = next(c for c in body["readiness"] if c["category"] == "change_authority")
    expected = query(
        neo4j_instance,
        "MATCH (d:Decision {category: 'change_authority', status: 'active'}) RETURN count(d) AS n",
    )[0]["n"]
    assert authority["total"] == expected >= 3
    assert authority["owned"] == 1 and authority["verified"] == 0
    assert body["total"]["owned"] == 1


def test_search_is_full_text_and_escapes_user_text(client: TestClient, graph: Graph) -> None:
    hits = client.get("/api/search", params={"q": "web-0"}).json()
    assert hits[0] == {
        "id": VM_WEB,
        "kind": "VirtualMachine",
        "name": "web-01",
        "score": hits[0]["score"],
    }
    kinds = {h["kind"] for h in client.get("/api/search", params={"q": "web-ops"}).json()}
    assert {"ADGroup", "Permission"} <= kinds  # the group and the permission granted to it
    assert [h["name"] for h in client.get("/api/search", params={"q": "team-b"}).json()] == [
        "team-b"
    ]
    for nasty in ("web-01 AND (", 'a"b', "x:y~ *?", "a\\b", "OR NOT"):
        assert client.get("/api/search", params={"q": nasty}).status_code == 200, nasty
    bad = client.get("/api/search", params={"q": "!!!"})
    assert bad.status_code == 400 and "letter or digit" in bad.json()["error"]
    assert lucene_escape('a+b(c)"d\\') == 'a\\+b\\(c\\)\\"d\\\\'
    assert search_query("Web-01") == '"web\\-01"^4 OR (web* AND 01*)'


def test_node_detail_neighbourhood_and_path(client: TestClient, graph: Graph) -> None:
    node = client.get(f"/api/nodes/{VM_WEB}").json()
    assert node["kind"] == "VirtualMachine" and node["name"] == "web-01"
    assert {"Source", "VSphereEntity", "VirtualMachine"} <= set(node["labels"])
    degree = {(d["type"], d["direction"]): d["count"] for d in node["degree"]}
    assert degree[("IN_FOLDER", "out")] == 1 and degree[("RUNS_ON", "out")] == 1
    assert client.get(f"/api/nodes/{node['element_id']}").json()["id"] == VM_WEB
    assert client.get("/api/nodes/nope").status_code == 404

    around = client.get(f"/api/nodes/{VM_WEB}/neighbourhood").json()
    ids = {n["id"] for n in around["nodes"]}
    assert entity_id("group-v5") in ids and entity_id("host-8") in ids
    assert all(e["source"] in ids and e["target"] in ids for e in around["edges"])
    folders = client.get(
        f"/api/nodes/{VM_WEB}/neighbourhood", params={"depth": 2, "labels": "Folder"}
    ).json()
    assert {n["kind"] for n in folders["nodes"][1:]} == {"Folder"}
    assert entity_id("group-v3") in {n["id"] for n in folders["nodes"]}  # two hops away
    small = client.get(f"/api/nodes/{VM_WEB}/neighbourhood", params={"depth": 3, "limit": 3})
    assert len(small.json()["nodes"]) == 3 and small.json()["truncated"] is True
    assert client.get(f"/api/nodes/{VM_WEB}/neighbourhood", params={"depth": 4}).status_code == 422
    bad = client.get(f"/api/nodes/{VM_WEB}/neighbourhood", params={"labels": "A) DELETE n //"})
    assert bad.status_code == 400

    types = "GRANTED_TO,ON_ENTITY,PERMISSION_PARENT,MEMBER_OF"
    path = client.get("/api/path", params={"from": ALICE, "to": VM_WEB, "types": types}).json()
    # alice -MEMBER_OF-> web-ops <-GRANTED_TO- permission -ON_ENTITY-> apps <-PARENT- web-01
    assert [n["kind"] for n in path["nodes"]] == [
        "ADUser",
        "ADGroup",
        "Permission",
        "Folder",
        "VirtualMachine",
    ]
    assert [e["type"] for e in path["edges"]] == [
        "MEMBER_OF",
        "GRANTED_TO",
        "ON_ENTITY",
        "PERMISSION_PARENT",
    ]
    chain = [path["nodes"][0]["id"]]
    for edge in path["edges"]:
        chain.append(edge["target"] if edge["source"] == chain[-1] else edge["source"])
    assert chain == [n["id"] for n in path["nodes"]]
    too_short = client.get(
        "/api/path", params={"from": ALICE, "to": VM_WEB, "types": types, "max": 3}
    )
    assert too_short.status_code == 404


# --- decisions, lifecycle, ETags, events ----------------------------------------------------


def test_decisions_list_filters_and_detail(
    client: TestClient, graph: Graph, neo4j_instance: Neo4jInstance
) -> None:
    everything = client.get("/api/decisions", params={"limit": 1000}).json()
    expected = query(neo4j_instance, "MATCH (d:Decision) RETURN count(d) AS n")[0]["n"]
    assert everything["total"] == expected == len(everything["items"])
    page = client.get("/api/decisions", params={"limit": 2, "offset": 1}).json()
    assert page["total"] == expected and page["items"] == everything["items"][1:3]
    perms = client.get("/api/decisions", params={"category": "change_authority"}).json()
    assert {i["category"] for i in perms["items"]} == {"change_authority"}
    decision = _decision(neo4j_instance)
    ownership.assign(graph, decision, "team-b", "t")
    mine = client.get("/api/decisions", params={"team": "team-b"}).json()
    assert [i["id"] for i in mine["items"]] == [decision] and mine["items"][0][
        "status"
    ] == "assigned"
    assert client.get("/api/decisions", params={"status": "assigned"}).json()["total"] == 1
    text = client.get("/api/decisions", params={"text": "WEB-OPS"}).json()
    assert text["total"] >= 1 and all("web-ops" in i["summary"].lower() for i in text["items"])
    none = client.get("/api/decisions", params={"text": "no-such-thing"}).json()
    assert none == {"total": 0, "offset": 0, "limit": 100, "items": []}
    assert client.get("/api/decisions", params={"status": "bogus"}).status_code == 422

    web_ops = next(i for i in text["items"] if i["kind"] == "permission")
    r = client.get(f"/api/decisions/{web_ops['id']}")
    detail = r.json()
    assert r.headers["etag"] == f'"{detail["version"]}"'
    assert [vm["name"] for vm in detail["affects"]] == ["web-01"] and detail["blast_radius"] == 1
    assert any(e["kind"] == "Permission" for e in detail["evidence"])
    assert client.get("/api/decisions/nope").status_code == 404


def test_lifecycle_needs_if_match_and_refuses_stale_etags(
    client: TestClient, graph: Graph, neo4j_instance: Neo4jInstance
) -> None:
    token = _token(graph, "editor", name="carol")
    h = _auth(token)
    decision = _decision(neo4j_instance)
    url = f"/api/decisions/{decision}"
    missing = client.post(f"{url}/assign", json={"team": "team-a"}, headers=h)
    assert missing.status_code == 428 and "If-Match" in missing.json()["error"]
    v0 = _etag(client, decision, h)
    r = client.post(f"{url}/assign", json={"team": "team-a"}, headers={**h, "If-Match": v0})
    assert r.status_code == 200 and r.headers["etag"] == '"1"' and r.json()["status"] == "assigned"
    before = client.get(url, headers=h).json()
    stale = client.post(f"{url}/assign", json={"team": "team-b"}, headers={**h, "If-Match": v0})
    assert stale.status_code == 412 and stale.headers["etag"] == '"1"'
    assert client.get(url, headers=h).json() == before  # unchanged
    assert _events(neo4j_instance, decision) == 1  # no event added
    star = client.post(f"{url}/accept", json={}, headers={**h, "If-Match": "*"})
    assert star.status_code == 400

    steps: list[tuple[str, dict[str, Any]]] = [
        ("accept", {"note": "ours"}),
        ("enforce", {"platform": "pve", "reference": "ha-group prod", "control_kind": "ha"}),
        ("verify", {"method": "dr_drill", "result": "pass"}),
    ]
    for action, body in steps:
        etag = _etag(client, decision, h)
        r = client.post(f"{url}/{action}", json=body, headers={**h, "If-Match": etag})
        assert r.status_code == 200, r.text
    final = client.get(url, headers=h).json()
    assert final["status"] == "verified" and final["version"] == 4 and final["team"] == "team-a"
    assert final["enforcements"][0]["reference"] == "ha-group prod"
    assert final["verifications"][0]["method"] == "dr_drill"
    # a transition the lifecycle does not allow: 409, nothing written
    wrong = client.post(f"{url}/accept", json={}, headers={**h, "If-Match": '"4"'})
    assert wrong.status_code == 409 and _events(neo4j_instance, decision) == 4
    bad_body = client.post(
        f"{url}/verify",
        json={"method": "vibes", "result": "pass"},
        headers={**h, "If-Match": '"4"'},
    )
    assert bad_body.status_code == 422 and "method" in bad_body.json()["error"]
    extra = client.post(f"{url}/accept", json={"x": 1}, headers={**h, "If-Match": '"4"'})
    assert extra.status_code == 422
    unknown_team = client.post(
        f"{url}/assign", json={"team": "nobody"}, headers={**h, "If-Match": '"4"'}
    )
    assert unknown_team.status_code == 400

    log = client.get("/api/events", params={"decision": decision}, headers=h).json()
    assert log["total"] == 4
    assert [e["action"] for e in log["items"]] == ["verify", "enforce", "accept", "assign"]
    assert {e["actor"] for e in log["items"]} == {"carol"}
    paged = client.get(
        "/api/events", params={"decision": decision, "limit": 1, "offset": 1}, headers=h
    )
    assert [e["action"] for e in paged.json()["items"]] == ["enforce"]
    assert client.get("/api/events", params={"actor": "nobody"}, headers=h).json()["total"] == 0
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert client.get("/api/events", params={"since": future}, headers=h).json()["total"] == 0
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    assert client.get("/api/events", params={"since": past}, headers=h).json()["total"] == 4


# --- authorization ---------------------------------------------------------------------------

ROLES = ["viewer", "member-a", "member-b", "editor", "admin"]
PREPARE = {  # the decision's state before the action
    "assign": [],
    "accept": ["assign"],
    "enforce": ["assign", "accept"],
    "verify": ["assign", "accept", "enforce"],
}
ALLOWED = {
    "assign": {"editor", "admin"},
    "accept": {"member-a", "editor", "admin"},
    "enforce": {"editor", "admin"},
    "verify": {"member-a", "editor", "admin"},
    "team": {"admin"},
    "platform": {"admin"},
    "token": {"admin"},
    "tokens": {"admin"},
}
BODIES: dict[str, dict[str, Any]] = {
    "assign": {"team": "team-a"},
    "accept": {},
    "enforce": {"platform": "pve", "reference": None},
    "verify": {"method": "config_check", "result": "pass"},
}


def _prepare(graph: Graph, decision: str, steps: list[str]) -> None:
    for step in steps:
        if step == "assign":
            ownership.assign(graph, decision, "team-a", "setup")
        elif step == "accept":
            ownership.accept(graph, decision, "setup")
        elif step == "enforce":
            ownership.enforce(graph, decision, "setup", platform="pve", reference="x")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_authorization_matrix(
    client: TestClient, graph: Graph, neo4j_instance: Neo4jInstance, role: str, action: str
) -> None:
    tokens = {r: _token(graph, r.partition("-")[0], _team(r), name=r) for r in ROLES}
    h = _auth(tokens[role])
    assert client.get("/api/summary", headers=h).status_code == 200  # every role reads
    if action in PREPARE:
        decision = _decision(neo4j_instance)
        _prepare(graph, decision, PREPARE[action])
        h["If-Match"] = _etag(client, decision, h)
        events = _events(neo4j_instance, decision)
        r = client.post(f"/api/decisions/{decision}/{action}", json=BODIES[action], headers=h)
        added = _events(neo4j_instance, decision) - events
        if role in ALLOWED[action]:
            assert r.status_code == 200, r.text
            assert added == 1
            last = client.get("/api/events", params={"decision": decision}, headers=h).json()
            assert last["items"][0]["actor"] == role
        else:
            assert r.status_code == 403, r.text
            assert added == 0
        return
    if action == "team":
        r = client.post("/api/teams", json={"name": "team-z", "contact": "z@x"}, headers=h)
    elif action == "platform":
        r = client.post("/api/platforms", json={"name": "ocp", "kind": "OpenShift"}, headers=h)
    elif action == "token":
        r = client.post("/api/tokens", json={"name": "new", "role": "viewer"}, headers=h)
    else:
        r = client.get("/api/tokens", headers=h)
    expected = (201 if action == "token" else 200) if role in ALLOWED[action] else 403
    assert r.status_code == expected, r.text


def _team(role: str) -> str | None:
    return {"member-a": "team-a", "member-b": "team-b"}.get(role)


def test_missing_invalid_expired_and_revoked_tokens_are_401(
    client: TestClient, graph: Graph, neo4j_instance: Neo4jInstance
) -> None:
    token = _token(graph, "viewer", name="dave")
    token_id = token.split("_")[1]
    paths = ["/api/summary", "/api/decisions", "/api/permissions/who-can?entity=web-01"]
    for path in paths:
        assert client.get(path, headers=_auth(token)).status_code == 200, path
        r = client.get(path)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        assert "token is required" in r.json()["error"]
    assert client.post("/api/cypher", json={"query": "RETURN 1"}).status_code == 401
    forged = f"amt_{token_id}_{'A' * 43}"
    for bad in ["nonsense", f"amt_{'0' * 32}_{'A' * 43}", forged, token + "x"]:
        r = client.get("/api/summary", headers=_auth(bad))
        assert r.status_code == 401 and r.json()["error"] == "invalid API token", bad
    assert client.get("/api/summary", headers={"Authorization": "Basic Zm9v"}).status_code == 401
    # health stays open (load balancers) but tells an anonymous caller nothing more
    assert client.get("/api/health").json()["neo4j"] == {"reachable": True}

    query(
        neo4j_instance,
        "MATCH (t:ApiToken {id: $id}) SET t.expires_at = datetime() - duration('PT1M')",
        id=token_id,
    )
    r = client.get("/api/summary", headers=_auth(token))
    assert r.status_code == 401 and "expired" in r.json()["error"]
    other = _token(graph, "admin", name="erin")
    assert client.delete("/api/tokens/erin", headers=_auth(other)).status_code == 200
    r = client.get("/api/summary", headers=_auth(other))
    assert r.status_code == 401 and "revoked" in r.json()["error"]


def test_tokens_are_stored_hashed_and_shown_once(
    client: TestClient, graph: Graph, neo4j_instance: Neo4jInstance
) -> None:
    created = run_cli(
        "tokens", "create", "--name", "frank", "--role", "member", "--team", "team-a",
        "--expires-days", "30", env=neo4j_instance.env, check=True,
    )  # fmt: skip
    token = created.stdout.strip()
    assert token.startswith("amt_") and "not shown again" in created.stderr
    secret = token.split("_", 2)[2]
    [stored] = query(neo4j_instance, "MATCH (t:ApiToken {name: 'frank'}) RETURN t {.*} AS t")
    assert stored["t"]["hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert stored["t"]["role"] == "member" and stored["t"]["team"] == "team-a"
    everything = query(
        neo4j_instance,
        "MATCH (n) UNWIND keys(n) AS k WITH n[k] AS v WHERE v IS :: STRING "
        "AND (v CONTAINS $secret OR v CONTAINS $token) RETURN count(*) AS n",
        secret=secret,
        token=token,
    )
    assert everything[0]["n"] == 0
    listed = run_cli("tokens", "list", "--json", env=neo4j_instance.env, check=True).stdout
    assert "frank" in listed and secret not in listed and stored["t"]["hash"] not in listed
    admin = _token(graph, "admin", name="root")
    api_list = client.get("/api/tokens", headers=_auth(admin)).text
    assert "frank" in api_list and stored["t"]["hash"] not in api_list and "hash" not in api_list
    assert client.get("/api/summary", headers=_auth(token)).status_code == 200
    node = client.get(f"/api/nodes/{stored['t']['id']}", headers=_auth(admin))
    assert node.status_code == 404  # tokens are not graph content
    no_team = run_cli("tokens", "create", "--name", "g", "--role", "member", env=neo4j_instance.env)
    assert no_team.returncode == 2 and "--team" in no_team.stderr
    revoked = run_cli("tokens", "revoke", "frank", env=neo4j_instance.env, check=True)
    assert "revoked frank" in revoked.stdout
    assert client.get("/api/summary", headers=_auth(token)).status_code == 401


# --- teams, platforms, audits ------------------------------------------------------------------


def test_teams_platforms_and_audits(
    client: TestClient, graph: Graph, neo4j_instance: Neo4jInstance
) -> None:
    saved = client.post(
        "/api/teams",
        json={"name": "team-db", "contact": "db@corp", "directory_group": "CORP\\dbas"},
    )
    assert saved.status_code == 200
    teams = {t["name"]: t for t in client.get("/api/teams").json()}
    assert teams["team-db"]["directory_group"] == "CORP\\dbas" and "team-a" in teams
    client.post("/api/teams", json={"name": "team-db", "contact": "dba@corp"})
    assert {t["name"]: t for t in client.get("/api/teams").json()}["team-db"][
        "contact"
    ] == "dba@corp"
    assert client.post("/api/teams", json={"name": ""}).status_code == 422
    assert (
        client.post("/api/platforms", json={"name": "ocp", "kind": "OpenShift"}).status_code == 200
    )
    assert {p["name"] for p in client.get("/api/platforms").json()} == {"pve", "ocp"}

    audits = {a["id"]: a for a in client.get("/api/audits").json()}
    assert audits["authority-vacuum"]["severity"] == "high"
    run = client.post("/api/audits/authority-vacuum/run").json()
    active = query(neo4j_instance, "MATCH (d:Decision {status: 'active'}) RETURN count(d) AS n")[0][
        "n"
    ]
    assert run["count"] == run["total"] == active == len(run["findings"])
    assert "MATCH" in run["graph_query"] and "file" not in run
    assert client.post("/api/audits/nope/run").status_code == 404


# --- the console ------------------------------------------------------------------------------

WRITES = [
    "CREATE (n:Hacked)",
    "MERGE (n:Hacked {x: 1})",
    "MATCH (n:VirtualMachine) SET n.name = 'pwned'",
    "MATCH (n:VirtualMachine) DELETE n",
    "MATCH (n:VirtualMachine) DETACH DELETE n",
    "MATCH (n:VirtualMachine) REMOVE n.name",
    "CALL db.createLabel('Hacked')",
    "CALL db.createProperty('hacked')",
    "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
    "CREATE INDEX hacked FOR (n:Hacked) ON (n.x)",
    "DROP CONSTRAINT team_name",
    "CALL () { MATCH (n) RETURN n } IN TRANSACTIONS RETURN count(n)",
    "MATCH (n) CALL (n) { SET n.hacked = 1 } IN TRANSACTIONS",
    "MATCH (n) RETURN n; CREATE (m:Hacked)",
    "RETURN 1; RETURN 2",
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "CREATE USER mallory SET PASSWORD 'secretpassword'",
    "MATCH (n) FOREACH (x IN [1] | CREATE (:Hacked))",
    "CALL db.clearQueryCaches()",
]


def _fingerprint(neo4j_instance: Neo4jInstance) -> dict[str, Any]:
    q = query
    return {
        "nodes": q(neo4j_instance, "MATCH (n) RETURN count(n) AS n")[0]["n"],
        "rels": q(neo4j_instance, "MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"],
        "labels": sorted(r["label"] for r in q(neo4j_instance, "CALL db.labels()")),
        "props": sorted(r["propertyKey"] for r in q(neo4j_instance, "CALL db.propertyKeys()")),
        "indexes": sorted(r["name"] for r in q(neo4j_instance, "SHOW INDEXES YIELD name")),
        "constraints": sorted(r["name"] for r in q(neo4j_instance, "SHOW CONSTRAINTS YIELD name")),
        "names": q(neo4j_instance, "MATCH (v:VirtualMachine) RETURN collect(v.name) AS n")[0]["n"],
        "users": sorted(r["user"] for r in q(neo4j_instance, "SHOW USERS YIELD user")),
    }


@pytest.mark.parametrize("text", WRITES)
def test_console_refuses_writes(
    client: TestClient, graph: Graph, neo4j_instance: Neo4jInstance, text: str
) -> None:
    before = _fingerprint(neo4j_instance)
    r = client.post("/api/cypher", json={"query": text})
    assert r.status_code == 400, r.text
    message = r.json()["error"]
    assert message.startswith(("refused:", "Neo4j refused the query")), message
    assert "Traceback" not in message
    assert _fingerprint(neo4j_instance) == before


def test_console_reads_with_params_and_caps_rows(
    graph: Graph, neo4j_instance: Neo4jInstance
) -> None:
    settings = neo4j_instance.settings(api_console_row_cap=5, api_console_timeout_seconds=1)
    with TestClient(create_app(settings)) as client:
        r = client.post(
            "/api/cypher",
            json={
                "query": "MATCH (v:VirtualMachine {name: $name}) RETURN v, v.name AS name",
                "params": {"name": "web-01"},
            },
        ).json()
        assert r["columns"] == ["v", "name"] and r["count"] == 1 and r["truncated"] is False
        vm = r["rows"][0]["v"]
        assert vm["id"] == VM_WEB and "VirtualMachine" in vm["labels"]
        assert vm["props"]["name"] == "web-01"
        capped = client.post("/api/cypher", json={"query": "UNWIND range(1, 10) AS x RETURN x"})
        assert capped.json()["rows"] == [{"x": i} for i in range(1, 6)]
        assert capped.json()["truncated"] is True and capped.json()["row_cap"] == 5
        exact = client.post("/api/cypher", json={"query": "UNWIND range(1, 5) AS x RETURN x"})
        assert exact.json()["truncated"] is False
        when = client.post(
            "/api/cypher", json={"query": "RETURN datetime('2026-01-02T03:04:05Z') AS t"}
        )
        assert when.json()["rows"][0]["t"].startswith("2026-01-02T03:04:05")
        started = time.monotonic()
        slow = client.post(
            "/api/cypher",
            json={"query": "UNWIND range(1, 100000000) AS x WITH x WHERE x < 0 RETURN count(*)"},
        )
        assert slow.status_code == 408 and "1 s limit" in slow.json()["error"]
        assert time.monotonic() - started < 30
        assert client.post("/api/cypher", json={"query": "MATCH (n RETURN n"}).status_code == 400
        assert client.post("/api/cypher", json={}).status_code == 422
        token = _token(graph, "viewer")
        assert client.post("/api/cypher", json={"query": "RETURN 1"}).status_code == 401
        ok = client.post("/api/cypher", json={"query": "RETURN 1 AS one"}, headers=_auth(token))
        assert ok.json()["rows"] == [{"one": 1}]


# --- errors --------------------------------------------------------------------------------------


def test_errors_are_json_without_internals(graph: Graph, neo4j_instance: Neo4jInstance) -> None:
    api = create_app(neo4j_instance.settings(api_max_body_bytes=4096))

    @api.get("/api/boom")
    def boom() -> None:
        raise RuntimeError("secret internal detail")

    with TestClient(api, raise_server_exceptions=False) as client:
        r = client.get("/api/boom")
        assert r.status_code == 500 and r.json() == {
            "error": "internal error (logged on the server)"
        }
        big = client.post("/api/cypher", json={"query": "RETURN 1", "params": {"x": "y" * 5000}})
        assert big.status_code == 413 and "4096 bytes" in big.json()["error"]

        def chunks() -> Iterator[bytes]:
            yield b'{"query": "RETURN 1", "params": {"x": "'
            for _ in range(10):
                yield b"y" * 1000
            yield b'"}}'

        streamed = client.post(
            "/api/cypher", content=chunks(), headers={"Content-Type": "application/json"}
        )
        assert streamed.status_code == 413
        assert (
            client.get("/api/nodes/x/neighbourhood?depth=x")
            .json()["error"]
            .startswith("invalid request")
        )
        spec = client.get("/openapi.json").json()["paths"]
        for path in ("/api/search", "/api/cypher", "/api/decisions/{decision_id}/verify"):
            assert path in spec


# --- the real service --------------------------------------------------------------------------


def test_authmap_serve_end_to_end(graph: Graph, neo4j_instance: Neo4jInstance) -> None:
    refused = run_cli("serve", "--host", "0.0.0.0", env=neo4j_instance.env, timeout=60)  # noqa: S104
    assert refused.returncode == 2 and "loopback only" in refused.stderr
    with serve(neo4j_instance.env) as service:
        base = service.base
        assert httpx.get(f"{base}/api/summary").status_code == 200  # open: no token yet
        token = run_cli(
            "tokens", "create", "--name", "ci", "--role", "editor", env=neo4j_instance.env,
            check=True,
        ).stdout.strip()  # fmt: skip
        assert httpx.get(f"{base}/api/summary").status_code == 401
        h = _auth(token)
        hits = httpx.get(f"{base}/api/search", params={"q": "db-01"}, headers=h).json()
        assert hits[0]["id"] == VM_DB
        decision = httpx.get(
            f"{base}/api/decisions", params={"category": "change_authority"}, headers=h
        ).json()["items"][0]["id"]
        etag = httpx.get(f"{base}/api/decisions/{decision}", headers=h).headers["etag"]
        r = httpx.post(
            f"{base}/api/decisions/{decision}/assign",
            json={"team": "team-a"},
            headers={**h, "If-Match": etag},
        )
        assert r.status_code == 200 and r.headers["etag"] == '"1"'
        console = httpx.post(f"{base}/api/cypher", json={"query": "CREATE (n:X)"}, headers=h)
        assert console.status_code == 400
        assert "/api/cypher" in httpx.get(f"{base}/openapi.json").json()["paths"]
    assert "OPEN" in service.stderr


def test_docs_list_every_route(graph: Graph, neo4j_instance: Neo4jInstance) -> None:
    docs = (Path(REPO) / "docs" / "api.md").read_text()
    app = create_app(neo4j_instance.settings())
    for route in app.routes:
        path = getattr(route, "path", "")
        if path.startswith("/api/") and path != "/api/boom":
            assert path.split("{")[0].rstrip("/") in docs, path
