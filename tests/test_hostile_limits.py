"""Issue 20 against the real Neo4j and the real application: a viewer's heap-exhausting
query, the console's procedure allow-list and concurrency bounds, open mode's Host/Origin
check, odd bytes, and sync runs whose process was killed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.graph import Graph
from app.localneo4j.memory import MIB, MemorySizeError, plan_memory
from app.service import create_app
from app.tokens import NewToken, create
from tests.conftest import REPO, Neo4jInstance, query, run_cli
from tests.support.permission_estate import write_snapshots
from tests.support.service import serve
from tests.test_api import _estate

HOSTILE = "RETURN size([x IN range(1,200000000) | toString(x)]) AS s"
HEAVY = "UNWIND range(1, 2000000000) AS x WITH x WHERE x % 7 = 100 RETURN count(*) AS n"


def _token(graph: Graph, role: str, name: str) -> dict[str, str]:
    secret = create(graph, NewToken.model_validate({"name": name, "role": role}), "test").token
    return {"Authorization": f"Bearer {secret}"}


def _pid(instance: Neo4jInstance) -> int:
    return int(json.loads((instance.home / "neo4j" / "instance.json").read_text())["pid"])


@pytest.fixture()
def app_client(graph: Graph, neo4j_instance: Neo4jInstance) -> Iterator[TestClient]:
    """The real application on an empty graph (open: no token), a 3 s console timeout."""
    settings = neo4j_instance.settings(api_console_timeout_seconds=3)
    with TestClient(create_app(settings)) as client:
        yield client


# --- finding 1: one viewer query must not kill Neo4j --------------------------------------


def test_heap_exhausting_viewer_query_fails_alone_and_neo4j_keeps_running(
    app_client: TestClient, graph: Graph, neo4j_instance: Neo4jInstance
) -> None:
    pid = _pid(neo4j_instance)
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    assert b"-XX:+ExitOnOutOfMemoryError" not in cmdline
    conf = (neo4j_instance.home / "neo4j" / "conf" / "neo4j.conf").read_text()
    assert "db.memory.transaction.max=" in conf
    viewer = _token(graph, "viewer", "hostile-viewer")
    r = app_client.post("/api/cypher", json={"query": HOSTILE}, headers=viewer)
    assert r.status_code in (400, 408), r.text
    assert "memory" in r.json()["error"] or "longer than" in r.json()["error"]
    status = neo4j_instance.cli("neo4j", "status")
    assert status.returncode == 0 and _pid(neo4j_instance) == pid, status.stdout
    after = app_client.post("/api/cypher", json={"query": "RETURN 1 AS one"}, headers=viewer)
    assert after.status_code == 200 and after.json()["rows"] == [{"one": 1}]


def test_memory_is_sized_from_the_machine_and_overridable(tmp_path: Path) -> None:
    big = plan_memory(total=24 * 1024 * MIB)
    assert (big.heap_max, big.pagecache) == (3072 * MIB, 3072 * MIB)
    assert big.heap_initial == 512 * MIB and big.transaction_max == big.heap_max // 2
    small = plan_memory(total=2048 * MIB)
    assert (small.heap_max, small.pagecache) == (512 * MIB, 256 * MIB)
    huge = plan_memory(total=512 * 1024 * MIB)
    assert (huge.heap_max, huge.pagecache) == (8192 * MIB, 8192 * MIB)
    chosen = plan_memory("2g", "768m", total=24 * 1024 * MIB)
    assert chosen.settings()["server.memory.heap.max_size"] == "2048m"
    assert chosen.settings()["server.memory.pagecache.size"] == "768m"
    with pytest.raises(MemorySizeError):
        plan_memory("lots")
    refused = run_cli("neo4j", "start", "--heap", "lots", env={"AUTHMAP_HOME": str(tmp_path)})
    assert refused.returncode == 2 and "memory size" in refused.stderr
    assert "Traceback" not in refused.stderr


# --- findings 1, 2, 5: the managed server stopped under a running `authmap serve` ----------


def test_outage_answers_fast_and_say_how_to_restart(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {"AUTHMAP_HOME": str(home), "NEO4J_URI": ""}
    port = str(_free_port())
    run_cli("neo4j", "start", "--port", port, "--heap", "512m", "--pagecache", "64m", env=env,
            check=True)  # fmt: skip
    try:
        run_cli("tokens", "create", "--name", "t", "--role", "viewer", env=env, check=True)
        env["AUTHMAP_API_HEALTH_INTERVAL_SECONDS"] = "0.2"
        with serve(env) as service:
            run_cli("neo4j", "stop", env=env, check=True)
            # generous bounds: the driver's own retry made these take 60-130 s
            with httpx.Client(base_url=service.base, timeout=10) as http:
                stats = http.get("/api/stats")
                assert stats.status_code == 503, stats.text
                assert stats.json() == {"error": "the graph database is not reachable "
                                        "(see the server log)"}  # fmt: skip
                assert port not in stats.text and "bolt" not in stats.text
                posted = http.post("/api/teams", json={"name": "x"})
                assert posted.status_code == 503 and port not in posted.text
                health = _wait_health(http, reachable=False)
                assert health["status"] == "degraded"
                assert "authmap neo4j start" in health["neo4j"]["error"]
                stopped = run_cli("neo4j", "status", env=env)
                assert stopped.returncode == 3 and "authmap neo4j start" in stopped.stdout
        assert "is not reachable" in service.stderr or "not running" in service.stderr
    finally:
        run_cli("neo4j", "stop", env=env)


def _free_port() -> int:
    from tests.conftest import free_port

    return free_port()


def _wait_health(http: httpx.Client, *, reachable: bool) -> dict[str, Any]:
    for _ in range(300):  # the probe runs every 0.2 s; not a timing assertion
        answer = http.get("/api/health")
        assert answer.status_code == 200
        body: dict[str, Any] = answer.json()
        if body["neo4j"]["reachable"] is reachable:
            return body
        threading.Event().wait(0.1)
    raise AssertionError(f"health never became reachable={reachable}: {body}")


# --- finding 4: open mode checks Host and Origin -------------------------------------------


def test_open_mode_refuses_foreign_host_and_cross_origin_writes(
    graph: Graph, neo4j_instance: Neo4jInstance
) -> None:
    settings = neo4j_instance.settings(api_allowed_hosts=["authmap.internal"])
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8000") as client:
        rebind = client.post(
            "/api/teams", json={"name": "evil"}, headers={"Host": "rebind.attacker.example"}
        )
        assert rebind.status_code == 403 and "Host" in rebind.json()["error"]
        read = client.get("/api/teams", headers={"Host": "rebind.attacker.example:8000"})
        assert read.status_code == 403
        cross = client.post(
            "/api/teams", json={"name": "evil"}, headers={"Origin": "http://evil.example"}
        )
        assert cross.status_code == 403 and "Origin" in cross.json()["error"]
        assert query(neo4j_instance, "MATCH (t:Team) RETURN t.name AS n") == []
        same = client.post(
            "/api/teams", json={"name": "ok-1"}, headers={"Origin": "http://127.0.0.1:8000"}
        )
        assert same.status_code == 200, same.text
        for host in ("localhost:8000", "[::1]:8000", "authmap.internal", "myhost"):
            assert client.get("/api/teams", headers={"Host": host}).status_code == 200, host
    # with a token the service is closed and any Host may be used (a proxy's name)
    admin = _token(graph, "admin", "host-admin")
    with TestClient(create_app(neo4j_instance.settings())) as client:
        named = client.get("/api/teams", headers={**admin, "Host": "authmap.example.com"})
        assert named.status_code == 200


# --- finding 6: odd bytes are 4xx ----------------------------------------------------------


def test_null_byte_asset_and_lone_surrogate_are_4xx(app_client: TestClient) -> None:
    assert app_client.get("/assets/%00").status_code == 404
    assert app_client.get("/assets/a%00b.js").status_code == 404
    body = '{"query": "RETURN $p AS p", "params": {"p": "\\udc00"}}'
    r = app_client.post("/api/cypher", content=body, headers={"Content-Type": "application/json"})
    assert 400 <= r.status_code < 500 and "surrogate" in r.json()["error"], r.text
    key = '{"query": "RETURN 1 AS p", "params": {"\\ud800": 1}}'
    r = app_client.post("/api/cypher", content=key, headers={"Content-Type": "application/json"})
    assert 400 <= r.status_code < 500, r.text
    team = '{"name": "x\\udc00"}'
    r = app_client.post("/api/teams", content=team, headers={"Content-Type": "application/json"})
    assert 400 <= r.status_code < 500, r.text


# --- finding 7: the console's allow-list ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "CALL db.stats.retrieve('QUERIES')",
        "CALL db.stats.collect('QUERIES')",
        "CALL db.stats.stop('QUERIES')",
        "CALL db.stats.clear('QUERIES')",
        "CALL db.resampleOutdatedIndexes()",
        "CALL db.prepareForReplanning()",
        "SHOW TRANSACTIONS YIELD transactionId, parameters",
        "SHOW SETTINGS",
        "CALL dbms.listConfig()",
        "CALL dbms.components()",
        "MATCH (n) CALL db.stats.retrieve('QUERIES') YIELD data RETURN data LIMIT 1",
    ],
)
def test_console_calls_only_allow_listed_procedures(app_client: TestClient, text: str) -> None:
    r = app_client.post("/api/cypher", json={"query": text})
    assert r.status_code == 400, r.text
    assert r.json()["error"].startswith("refused:"), r.text


def test_console_still_runs_the_allow_listed_calls(app_client: TestClient) -> None:
    for text in (
        "CALL db.labels() YIELD label RETURN label",
        "CALL db.relationshipTypes()",
        "CALL db.schema.visualization()",
        "SHOW INDEXES YIELD name RETURN name",
        "SHOW CONSTRAINTS",
    ):
        r = app_client.post("/api/cypher", json={"query": text})
        assert r.status_code == 200, (text, r.text)


# --- finding 8: bounded concurrent console queries -----------------------------------------


def test_console_concurrency_is_bounded_and_health_stays_responsive(
    graph: Graph, neo4j_instance: Neo4jInstance
) -> None:
    env = {**neo4j_instance.env, "AUTHMAP_API_CONSOLE_TIMEOUT_SECONDS": "20",
           "AUTHMAP_API_CONSOLE_CONCURRENCY": "3",
           "AUTHMAP_API_CONSOLE_CONCURRENCY_PER_TOKEN": "2"}  # fmt: skip
    a, b = _token(graph, "viewer", "busy-a"), _token(graph, "viewer", "busy-b")
    with serve(env) as service, httpx.Client(base_url=service.base, timeout=60) as http:
        answers: list[int] = []

        def heavy(headers: dict[str, str]) -> None:
            answers.append(http.post("/api/cypher", json={"query": HEAVY}, headers=headers)
                           .status_code)  # fmt: skip

        workers = [threading.Thread(target=heavy, args=(h,)) for h in (a, a, b)]
        for worker in workers:
            worker.start()
        _wait_running(neo4j_instance, 3)
        third = http.post("/api/cypher", json={"query": "RETURN 1"}, headers=a)
        assert third.status_code == 429 and "busy-a" in third.json()["error"], third.text
        assert third.headers["retry-after"]
        full = http.post("/api/cypher", json={"query": "RETURN 1"}, headers=b)
        assert full.status_code == 429 and "running" in full.json()["error"], full.text
        assert http.get("/api/health").json()["status"] == "ok"
        assert http.get("/api/stats", headers=a).status_code == 200
        _terminate_heavy(neo4j_instance)
        for worker in workers:
            worker.join()
        assert len(answers) == 3 and 429 not in answers, answers
        assert http.post("/api/cypher", json={"query": "RETURN 1"}, headers=a).status_code == 200


def _running_heavy(instance: Neo4jInstance) -> list[str]:
    rows = query(
        instance,
        "SHOW TRANSACTIONS YIELD transactionId AS id, currentQuery AS q "
        "WHERE q STARTS WITH 'UNWIND range(1, 2000000000)' RETURN id",
    )
    return [row["id"] for row in rows]


def _wait_running(instance: Neo4jInstance, count: int) -> None:
    for _ in range(600):
        if len(_running_heavy(instance)) >= count:
            return
        threading.Event().wait(0.05)
    raise AssertionError("the heavy console queries never ran")


def _terminate_heavy(instance: Neo4jInstance) -> None:
    ids = _running_heavy(instance)
    query(instance, "TERMINATE TRANSACTIONS $ids", ids=ids)


# --- finding 9: a killed sync run is marked failed -----------------------------------------

KILLED_LOAD = """
import os, sys
from pathlib import Path
from app.config import Settings
from app.graph import Graph
from app.graph.loader import _start_run
from app.snapshot import validate
graph = Graph(Settings(home=Path(sys.argv[1]), neo4j_uri=None))
print(_start_run(graph, validate(Path(sys.argv[2]))).sync_run, flush=True)
os._exit(9)  # killed before the run is finished: no `finally`, no bookkeeping
"""


def test_a_killed_sync_run_is_marked_failed_and_shown(
    graph: Graph, neo4j_instance: Neo4jInstance, tmp_path: Path
) -> None:
    vc, _ = write_snapshots(_estate(), tmp_path)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_LOAD, str(neo4j_instance.home), str(vc)],
        capture_output=True, text=True, cwd=REPO, env={**os.environ, "NEO4J_URI": ""},
        check=False, timeout=120,
    )  # fmt: skip
    assert killed.returncode == 9, killed.stderr
    run_id = killed.stdout.strip()
    [row] = query(neo4j_instance, "MATCH (s:SyncRun {id: $id}) RETURN s.status AS s", id=run_id)
    assert row["s"] == "running"
    stats = neo4j_instance.cli("db", "stats", check=True)
    line = next(text for text in stats.stdout.splitlines() if run_id in text)
    assert "failed" in line and "gone" in line, stats.stdout
    [row] = query(
        neo4j_instance, "MATCH (s:SyncRun {id: $id}) RETURN s.status AS s, s.error AS e", id=run_id
    )
    assert row["s"] == "failed" and "killed or crashed" in row["e"]
    # a run of a live process is left alone
    neo4j_instance.cli("load", str(vc), check=True)
    statuses = query(neo4j_instance, "MATCH (s:SyncRun) RETURN s.id AS id, s.status AS s")
    assert {r["s"] for r in statuses if r["id"] != run_id} == {"complete"}


# --- finding 6: fuzzing with lone surrogates and bytes that are not UTF-8 ------------------

ODD_BYTES = ["%00", "%ED%B0%80", "%FF", "a%00b", "%C0%AF"]
SURROGATES = ["\udc00", "\ud800", "x\udfffy"]


def test_odd_bytes_in_every_path_and_query_and_surrogates_in_every_body(
    app_client: TestClient, neo4j_instance: Neo4jInstance
) -> None:
    urls = [
        "/assets/{x}",
        "/api/nodes/{x}",
        "/api/nodes/{x}/neighbourhood",
        "/api/decisions/{x}",
        "/api/audits/{x}/graph",
        "/api/search?q={x}",
        "/api/path?from={x}&to={x}",
        "/api/permissions/who-can?entity={x}",
        "/api/permissions/effective?principal={x}",
        "/api/events?decision={x}",
    ]
    for url in urls:
        for raw in ODD_BYTES:
            r = app_client.get(url.replace("{x}", raw))
            assert r.status_code < 500, (url, raw, r.status_code, r.text[:200])
    bodies = [
        ("/api/teams", lambda s: {"name": s}),
        ("/api/platforms", lambda s: {"name": s, "kind": "Proxmox"}),
        ("/api/tokens", lambda s: {"name": s, "role": "viewer"}),
        ("/api/cypher", lambda s: {"query": f"RETURN '{s}' AS s"}),
        ("/api/cypher", lambda s: {"query": "RETURN $p AS p", "params": {"p": [s]}}),
        ("/api/decisions/x/assign", lambda s: {"team": s, "note": s}),
    ]
    for url, shape in bodies:
        for text in SURROGATES:
            body = json.dumps(shape(text))  # json escapes the surrogate as \udc00
            r = app_client.post(
                url, content=body, headers={"Content-Type": "application/json", "If-Match": '"0"'}
            )
            assert 400 <= r.status_code < 500, (url, repr(text), r.status_code, r.text[:200])
    assert query(neo4j_instance, "MATCH (n) WHERE n:Team OR n:TargetPlatform RETURN n") == []
