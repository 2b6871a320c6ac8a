"""Concurrent ownership writes through the real `authmap serve` (issue 9, reliability).

A small estate (the one of ``tests/test_api.py``) is loaded into the session's Neo4j; the real
service runs as a subprocess with editor and member tokens (created through `authmap tokens
create`). Twelve threads, each with its own httpx client, read a decision's ``ETag`` and walk
the same three or four decisions through assign → accept → enforce → verify (and reassignments,
failing verifications and transitions the lifecycle refuses), re-reading on 412.

Every write carries a unique note, so each accepted (2xx) write is found again in the event
log. The test then checks, per decision: no 5xx; one event per accepted write and none for a
refused one; versions 1..N with the decision at N; the events chain (each ``before_*`` is the
previous ``after_*``); and the final state (status, team, enforcements, verifications) is what
replaying the accepted writes serially in version order gives. No timing is asserted.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from app import lifecycle as ownership
from app.derive import run_derive
from app.graph import Graph
from app.graph.loader import load_snapshot
from tests.conftest import Neo4jInstance, query, run_cli
from tests.support.permission_estate import write_snapshots
from tests.support.service import running_service
from tests.test_api import _estate

THREADS = 12
OPS_PER_THREAD = 12
MAX_ATTEMPTS = 40  # re-reads after 412 per operation (a safety net, never a timing)
TEAMS = ("team-a", "team-b")
OK, STALE, REFUSED = 200, 412, 409


@dataclass
class Write:
    """One lifecycle POST and its answer."""

    decision: str
    action: str
    body: dict[str, Any]
    actor: str
    status: int
    answer: dict[str, Any]
    etag: str | None


@dataclass
class Log:
    """Everything the threads saw (appends are atomic under the GIL; a lock keeps it plain)."""

    writes: list[Write] = field(default_factory=list)
    reads: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class Caller:
    """A token the service knows: its name (the events' actor), role and team."""

    name: str
    role: str
    team: str | None
    token: str


@pytest.fixture(scope="module")
def estate(neo4j_instance: Neo4jInstance, tmp_path_factory: pytest.TempPathFactory) -> Graph:
    """The estate with teams and a platform, no ownership, no events and no tokens."""
    graph = Graph(neo4j_instance.settings())
    graph.write_chunked("admin/wipe", {})
    graph.apply_schema()
    vc, ad = write_snapshots(_estate(), tmp_path_factory.mktemp("concurrency"))
    load_snapshot(graph, vc)
    load_snapshot(graph, ad)
    run_derive(graph)
    for team in TEAMS:
        ownership.upsert_team(graph, ownership.Team(name=team), "test")
    ownership.upsert_platform(graph, ownership.TargetPlatform(name="pve", kind="Proxmox"), "t")
    return graph


@pytest.fixture(scope="module")
def callers(estate: Graph, neo4j_instance: Neo4jInstance) -> Iterator[list[Caller]]:
    """Two editors and a member of each team, created through the command line."""
    specs = [
        ("editor-1", "editor", None),
        ("editor-2", "editor", None),
        ("member-a", "member", "team-a"),
        ("member-b", "member", "team-b"),
    ]
    made = []
    for name, role, team in specs:
        args = ["tokens", "create", "--name", name, "--role", role]
        args += ["--team", team] if team else []
        token = run_cli(*args, env=neo4j_instance.env, check=True).stdout.strip()
        assert token.startswith("amt_"), token
        made.append(Caller(name, role, team, token))
    yield made
    query(neo4j_instance, "MATCH (t:ApiToken) DETACH DELETE t")  # leave the API open again


@pytest.fixture(scope="module")
def service(callers: list[Caller], neo4j_instance: Neo4jInstance) -> Iterator[str]:
    """The real `authmap serve` on a free port; yields its base URL."""
    with running_service(neo4j_instance.env) as base:
        yield base


def _plan(
    detail: dict[str, Any], caller: Caller, rng: random.Random, note: str
) -> tuple[str, dict[str, Any]] | None:
    """The next lifecycle call this caller makes on a decision it has just read."""
    status, team = detail["ownership_status"], detail["team"]
    if caller.role == "member":
        if team != caller.team:
            return None
        if status == "assigned":
            return "accept", {"note": note}
        if status in ("enforced", "verified"):
            return "verify", {"method": "config_check", "result": "pass", "note": note}
        return None
    if rng.random() < 0.1:  # any action: the lifecycle may refuse it (409)
        action = rng.choice(["accept", "verify", "enforce"])
    else:
        action = {
            "unowned": "assign",
            "assigned": "accept",
            "accepted": "enforce",
            "enforced": "verify",
            "verified": rng.choice(["assign", "enforce"]),
        }[status]
    if action == "assign":
        return action, {"team": rng.choice(TEAMS), "note": note}
    if action == "accept":
        return action, {"note": note}
    if action == "enforce":
        return action, {"platform": "pve", "reference": f"ref {note}", "note": note}
    result = "fail" if rng.random() < 0.25 else "pass"
    return action, {"method": "dr_drill", "result": result, "note": note}


def _worker(
    index: int, caller: Caller, base: str, decisions: list[str], log: Log, start: threading.Barrier
) -> None:
    rng = random.Random(index)
    headers = {"Authorization": f"Bearer {caller.token}"}
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
            start.wait()
            for op in range(OPS_PER_THREAD):
                decision = decisions[(index + op) % len(decisions)]
                for attempt in range(MAX_ATTEMPTS):
                    got = client.get(f"/api/decisions/{decision}")
                    with log.lock:
                        log.reads[got.status_code] += 1
                    if got.status_code != OK:
                        break
                    note = f"t{index}-op{op}-try{attempt}"
                    plan = _plan(got.json(), caller, rng, note)
                    if plan is None:
                        break
                    action, body = plan
                    r = client.post(
                        f"/api/decisions/{decision}/{action}",
                        json=body,
                        headers={"If-Match": got.headers["etag"]},
                    )
                    answer = r.json() if r.headers.get("content-type") == "application/json" else {}
                    with log.lock:
                        log.writes.append(
                            Write(
                                decision,
                                action,
                                body,
                                caller.name,
                                r.status_code,
                                answer,
                                r.headers.get("etag"),
                            )
                        )
                    if r.status_code != STALE:
                        break
    except Exception as exc:  # reported by the test, with the thread
        with log.lock:
            log.errors.append(f"thread {index} ({caller.name}): {exc!r}")


def _replay(writes: list[Write]) -> dict[str, Any]:
    """The state serial application of ``writes`` (in version order) gives, step by step."""
    state: dict[str, Any] = {
        "status": "unowned",
        "team": None,
        "enforcements": [],
        "verifications": [],
        "steps": [],
    }
    for w in writes:
        before = (state["status"], state["team"])
        if w.action == "assign":
            state["status"], state["team"] = "assigned", w.body["team"]
        elif w.action == "accept":
            assert state["status"] == "assigned", (w, before)
            state["status"] = "accepted"
        elif w.action == "enforce":
            assert state["status"] in ("accepted", "enforced", "verified"), (w, before)
            state["status"] = "enforced"
            state["enforcements"].append(w.body["reference"])
        else:
            assert state["status"] in ("enforced", "verified"), (w, before)
            state["status"] = "verified" if w.body["result"] == "pass" else "enforced"
            state["verifications"].append(w.body["result"])
        state["steps"].append((before, (state["status"], state["team"])))
    return state


def test_concurrent_lifecycle_writes_lose_nothing(
    service: str, callers: list[Caller], estate: Graph, neo4j_instance: Neo4jInstance
) -> None:
    decisions = [
        r["id"]
        for r in query(
            neo4j_instance,
            "MATCH (d:Decision {status: 'active'}) RETURN d.id AS id ORDER BY id LIMIT 4",
        )
    ]
    assert len(decisions) >= 3
    assert query(neo4j_instance, "MATCH (e:Event) RETURN count(e) AS n")[0]["n"] == 0

    # editors outnumber members so the decisions keep moving; members add contention
    roster = [callers[i % len(callers)] for i in range(THREADS)]
    log = Log()
    start = threading.Barrier(THREADS)
    threads = [
        threading.Thread(target=_worker, args=(i, c, service, decisions, log, start))
        for i, c in enumerate(roster)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # 1. every answer is 200, 409 or 412: never a 5xx (nor a 403: members only act on what
    #    they read as their team's, and a changed team is a changed version, so 412 first)
    assert not log.errors, log.errors
    assert set(log.reads) == {OK}, log.reads
    statuses = Counter(w.status for w in log.writes)
    assert set(statuses) <= {OK, STALE, REFUSED}, statuses
    assert statuses[OK] > 0 and statuses[STALE] > 0, statuses  # there was contention

    accepted = [w for w in log.writes if w.status == OK]
    refused_notes = {w.body["note"] for w in log.writes if w.status != OK}

    # 2. no lost update: one new event per accepted write, none for a refused one
    events = query(
        neo4j_instance,
        "MATCH (d:Decision)-[:HAS_EVENT]->(e:Event) "
        "RETURN d.id AS decision, e.decision_id AS decision_id, e.action AS action, "
        "e.actor AS actor, e.version AS version, e.note AS note, "
        "e.before_status AS before_status, e.after_status AS after_status, "
        "e.before_owner AS before_owner, e.after_owner AS after_owner, e.detail AS detail",
    )
    assert len(events) == len(accepted)
    assert all(e["decision"] == e["decision_id"] for e in events)
    by_note = {e["note"]: e for e in events}
    assert len(by_note) == len(events), "two events carry the same write's note"
    assert set(by_note) == {w.body["note"] for w in accepted}
    assert not refused_notes & set(by_note)

    api_events = 0
    headers = {"Authorization": f"Bearer {callers[0].token}"}
    with httpx.Client(base_url=service, headers=headers, timeout=120) as client:
        for decision in decisions:
            mine = sorted(
                (w for w in accepted if w.decision == decision),
                key=lambda w: int(by_note[w.body["note"]]["version"]),
            )
            evs = [by_note[w.body["note"]] for w in mine]

            # 3. versions are 1..N, N the accepted writes, and the decision is at N
            assert [e["version"] for e in evs] == list(range(1, len(mine) + 1)), decision
            detail = client.get(f"/api/decisions/{decision}")
            assert detail.status_code == OK
            final = detail.json()
            assert final["version"] == len(mine)
            assert detail.headers["etag"] == f'"{len(mine)}"'

            # 4. each event is its write (action, actor) and the chain is unbroken
            replay = _replay(mine)
            for w, e, (before, after) in zip(mine, evs, replay["steps"], strict=True):
                assert (e["action"], e["actor"]) == (w.action, w.actor)
                assert (e["before_status"], e["before_owner"]) == before, (w, e)
                assert (e["after_status"], e["after_owner"]) == after, (w, e)
            for prev, nxt in itertools.pairwise(evs):
                assert nxt["before_status"] == prev["after_status"]
                assert nxt["before_owner"] == prev["after_owner"]
            if evs:
                assert (evs[0]["before_status"], evs[0]["before_owner"]) == ("unowned", None)

            # 5. the final state is the serial replay of the accepted writes
            assert final["ownership_status"] == replay["status"]
            assert final["team"] == replay["team"]
            refs = [e["reference"] for e in final["enforcements"]]
            assert sorted(refs) == sorted(replay["enforcements"])
            current = [e["reference"] for e in final["enforcements"] if e["current"]]
            assert current == replay["enforcements"][-1:]
            assert sorted(v["result"] for v in final["verifications"]) == sorted(
                replay["verifications"]
            )

            # the API's event log agrees, newest first
            page = client.get("/api/events", params={"decision": decision, "limit": 1000})
            assert page.status_code == OK
            items = page.json()["items"]
            assert [i["version"] for i in items] == list(range(len(mine), 0, -1))
            api_events += len(items)

    # one assignment at most per decision, one current enforcement at most
    rows = query(
        neo4j_instance,
        "UNWIND $ids AS id MATCH (d:Decision {id: id}) "
        "RETURN id, COUNT { (d)-[:ASSIGNED_TO]->() } AS teams, "
        "COUNT { (d)-[:ENFORCED_BY]->(:Enforcement {current: true}) } AS current",
        ids=decisions,
    )
    assert all(r["teams"] <= 1 and r["current"] <= 1 for r in rows), rows
    assert api_events == len(accepted)
