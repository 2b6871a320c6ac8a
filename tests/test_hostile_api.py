"""The HTTP API under hostile input, against the real Neo4j and a small loaded estate.

* every operation of the API's own OpenAPI description is fuzzed with schemathesis (its pytest
  integration over the ASGI app, so no server or socket): never a 5xx, and every answer
  conforms to the schema it documents;
* Cypher-injection text, NUL bytes, 100k-character strings and odd Unicode go through every
  text parameter (query strings, path segments, JSON bodies, console parameters): never a
  5xx, and the graph is unchanged (a fingerprint of every node and relationship);
* oversized and deeply nested JSON bodies are refused with a 4xx, and the service still
  answers afterwards.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
)

from app.config import Settings
from app.derive import run_derive
from app.graph import Graph
from app.graph.loader import load_snapshot
from app.service import create_app
from app.tokens import NewToken, create
from tests.conftest import Neo4jInstance, query
from tests.support.permission_estate import entity_id, write_snapshots
from tests.test_api import _estate

MAX_BODY = 64 * 1024
ADMIN_NAME = "hostile-admin-3f9c"
VM_WEB = entity_id("vm-11")

INJECTIONS = [
    "x' }) DETACH DELETE n //",
    'x" }) DETACH DELETE n //',
    '"; MATCH (n) DETACH DELETE n',
    "'; MATCH (n) DETACH DELETE n; //",
    "`) DETACH DELETE n //",
    "web-01' OR 1=1 //",
    "*/ MATCH (n) DETACH DELETE n /*",
    "$query",
    "{id: 'x'}",
    "CALL db.clearQueryCaches()",
    "web\u0000-01",
    "\u0000",
    "a" * 100_000,
    "\u24cc\u24d4\u24d1-01 \u2603 \U0001d518\U0001d52b\U0001d526 \u202e\ufeff\U0010ffff",
    "\ud7ff\ue000 e\u0301 İı ß ﬀ",
    "..%2F..%2Fetc%2Fpasswd",
    "\\' \\\" \\\\ \\u0027",
    '+-&&||!(){}[]^"~*?:\\/',
]


def _fingerprint(instance: Neo4jInstance) -> str:
    """A digest of every node (labels and properties) and relationship (type, ends,
    properties), API tokens left out."""
    nodes = query(
        instance,
        "MATCH (n) WHERE NOT n:ApiToken "
        "RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props",
    )
    rels = query(
        instance,
        "MATCH (a)-[r]->(b) RETURN elementId(a) AS a, type(r) AS type, elementId(b) AS b, "
        "properties(r) AS props",
    )
    text = json.dumps(
        [
            sorted(nodes, key=lambda r: r["id"]),
            sorted(rels, key=lambda r: json.dumps(r, default=str)),
        ],
        sort_keys=True,
        default=str,
    )
    return f"{len(nodes)} nodes, {len(rels)} rels, {hashlib.sha256(text.encode()).hexdigest()}"


@pytest.fixture(scope="module")
def estate(neo4j_instance: Neo4jInstance, tmp_path_factory: pytest.TempPathFactory) -> Graph:
    """The estate of tests/test_api.py, loaded and derived once, with one admin token."""
    graph = Graph(neo4j_instance.settings())
    graph.write_chunked("admin/wipe", {})
    graph.apply_schema()
    vc, ad = write_snapshots(_estate(), tmp_path_factory.mktemp("hostile-estate"))
    load_snapshot(graph, vc)
    load_snapshot(graph, ad)
    run_derive(graph)
    query(neo4j_instance, "CALL db.awaitIndexes(60)")
    return graph


@pytest.fixture(scope="module")
def admin(estate: Graph) -> dict[str, str]:
    """The Authorization header of an admin token (the API is closed from here on)."""
    token = create(
        estate, NewToken.model_validate({"name": ADMIN_NAME, "role": "admin"}), "test"
    ).token
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def api(estate: Graph, admin: dict[str, str], neo4j_instance: Neo4jInstance) -> FastAPI:
    """The real application with a small body limit and a short console timeout."""
    return create_app(
        neo4j_instance.settings(api_max_body_bytes=MAX_BODY, api_console_timeout_seconds=3)
    )


@pytest.fixture()
def client(api: FastAPI, admin: dict[str, str]) -> Iterator[TestClient]:
    """The application in process, every request sent as the admin."""
    with TestClient(api, headers=admin) as test_client:
        yield test_client


# --- schemathesis ---------------------------------------------------------------------------


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every documented operation (building the description needs no
    Neo4j: the app connects in its lifespan)."""
    spec = create_app(Settings(home=Path("/nonexistent-authmap-home"))).openapi()
    return [(m.upper(), p) for p, item in spec["paths"].items() for m in item]


@pytest.fixture(scope="module")
def api_schema(api: FastAPI) -> Any:
    """The API's own OpenAPI description, served by the ASGI app."""
    return schemathesis.openapi.from_asgi("/openapi.json", api)


@pytest.mark.parametrize(("method", "path"), _operations())
def test_fuzz_every_operation_from_the_openapi_schema(
    api_schema: Any, admin: dict[str, str], method: str, path: str
) -> None:
    # DELETE /api/tokens/{ref} is fuzzed too: it can only revoke tokens the fuzzer created,
    # the admin's name is not guessable.
    operation = api_schema[path][method]
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @given(case=cases)
    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def fuzz(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(
            headers=admin,
            checks=[
                not_a_server_error,
                response_schema_conformance,
                content_type_conformance,
                response_headers_conformance,
            ],
        )

    fuzz()


# --- injection ------------------------------------------------------------------------------


def _requests(payload: str, decision: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every text parameter of the API, carrying ``payload`` (in URLs cut to 20,000
    characters: httpx refuses URL parts over 64 KiB; JSON bodies carry all of it)."""
    body_payload, payload = payload, payload[:20_000]
    seg = quote(payload, safe="")
    yield "GET", "/api/search", {"params": {"q": payload}}
    yield "GET", "/api/search", {"params": {"q": f"web {payload}"[:200]}}
    yield "GET", f"/api/nodes/{seg}", {}
    yield "GET", f"/api/nodes/{seg}/neighbourhood", {"params": {"labels": "Folder"}}
    yield (
        "GET",
        f"/api/nodes/{quote(VM_WEB, safe='')}/neighbourhood",
        {"params": {"labels": payload}},
    )
    yield "GET", "/api/path", {"params": {"from": payload, "to": VM_WEB}}
    yield "GET", "/api/path", {"params": {"from": "ad:user-alice", "to": VM_WEB, "types": payload}}
    for name in ("category", "team", "text", "status"):
        yield "GET", "/api/decisions", {"params": {name: payload}}
    yield "GET", f"/api/decisions/{seg}", {}
    yield (
        "POST",
        f"/api/decisions/{seg}/assign",
        {
            "json": {"team": "x"},
            "headers": {"If-Match": '"0"'},
        },
    )
    yield (
        "POST",
        f"/api/decisions/{quote(decision, safe='')}/assign",
        {
            "json": {"team": body_payload, "note": body_payload},
            "headers": {"If-Match": '"0"'},
        },
    )
    yield (
        "POST",
        f"/api/decisions/{quote(decision, safe='')}/accept",
        {
            "json": {"note": body_payload},
            "headers": {"If-Match": payload[:1000].encode()},  # raw UTF-8 bytes
        },
    )
    yield "GET", "/api/events", {"params": {"decision": payload, "actor": payload}}
    yield "DELETE", f"/api/tokens/{seg}", {}
    yield "POST", f"/api/audits/{seg}/run", {}
    yield "GET", f"/api/audits/{seg}/graph", {}
    yield "GET", "/api/permissions/effective", {"params": {"principal": payload}}
    yield "GET", "/api/permissions/effective", {"params": {"principal": "alice", "entity": payload}}
    yield "GET", "/api/permissions/who-can", {"params": {"entity": payload}}
    yield "GET", "/api/permissions/who-can", {"params": {"entity": "web-01", "privilege": payload}}
    yield (
        "POST",
        "/api/cypher",
        {
            "json": {
                "query": "MATCH (n) WHERE n.name = $p OR n.id = $p RETURN count(n) AS n",
                "params": {"p": body_payload, "nested": {"k": [body_payload]}},
            }
        },
    )
    yield "POST", "/api/cypher", {"json": {"query": body_payload}}
    yield "POST", "/api/cypher", {"json": {"query": f"MATCH (n) RETURN n {payload}"[:20_000]}}


@pytest.mark.parametrize("payload", INJECTIONS, ids=lambda p: repr(p[:24]))
def test_injection_through_every_text_parameter_changes_nothing(
    client: TestClient, neo4j_instance: Neo4jInstance, payload: str
) -> None:
    decision = query(
        neo4j_instance, "MATCH (d:Decision {status: 'active'}) RETURN d.id AS id ORDER BY id"
    )[0]["id"]
    before = _fingerprint(neo4j_instance)
    for method, url, kwargs in _requests(payload, decision):
        r = client.request(method, url, **kwargs)
        assert r.status_code < 500, (method, url[:80], r.status_code, r.text[:300])
        assert r.headers["content-type"].startswith("application/json"), (method, url[:80])
        if r.status_code >= 400:
            assert set(r.json()) == {"error"}, r.text[:300]
    assert _fingerprint(neo4j_instance) == before
    assert client.get("/api/search", params={"q": "web-01"}).json()[0]["id"] == VM_WEB


# --- oversized and nested bodies -------------------------------------------------------------


def test_oversized_bodies_are_413_and_the_service_still_answers(client: TestClient) -> None:
    big = json.dumps({"query": "RETURN 1", "params": {"p": "a" * (MAX_BODY + 1)}})
    r = client.post("/api/cypher", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and str(MAX_BODY) in r.json()["error"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streamed
        yield b'{"query": "RETURN 1", "params": {"p": "'
        for _ in range(MAX_BODY // 1024 + 1):
            yield b"a" * 1024
        yield b'"}}'

    streamed = client.post(
        "/api/decisions/x/assign",
        content=chunks(),
        headers={"Content-Type": "application/json", "If-Match": '"0"'},
    )
    assert streamed.status_code == 413
    lying = client.post(
        "/api/teams", content=b"{}", headers={"Content-Length": "-1", "Content-Type": "x"}
    )
    assert lying.status_code == 413
    assert client.get("/api/health").json()["status"] == "ok"


@pytest.mark.parametrize(
    ("url", "shape"),
    [
        ("/api/cypher", lambda inner: {"query": "RETURN $p AS p", "params": {"p": inner}}),
        ("/api/teams", lambda inner: {"name": inner}),
        ("/api/tokens", lambda inner: {"name": "n", "role": "viewer", "team": inner}),
    ],
    ids=["cypher-params", "teams", "tokens"],
)
@pytest.mark.parametrize("depth", [100, 10_000])
def test_deeply_nested_json_is_refused_cleanly(
    client: TestClient, neo4j_instance: Neo4jInstance, url: str, shape: Any, depth: int
) -> None:
    before = _fingerprint(neo4j_instance)
    for opener, closer in (("[", "]"), ('{"a":', "}")):
        inner = opener * depth + "1" + closer * depth
        body = json.dumps(shape("__INNER__")).replace('"__INNER__"', inner)
        r = client.post(url, content=body, headers={"Content-Type": "application/json"})
        if url == "/api/cypher" and depth == 100:
            # a legitimately nested parameter: the read-only console just echoes it
            assert r.status_code in (200, 400), r.text[:300]
        else:
            assert 400 <= r.status_code < 500, (url, depth, opener, r.status_code, r.text[:300])
        assert set(r.json()) <= {"error", "columns", "rows", "count", "truncated", "row_cap"}
    assert _fingerprint(neo4j_instance) == before
    assert client.get("/api/health").json()["status"] == "ok"
    assert client.get("/api/search", params={"q": "web-01"}).status_code == 200
