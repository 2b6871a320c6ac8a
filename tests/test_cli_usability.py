"""The first-hour CLI on the demo estate (issue 15, item 7): decisions have short ids that the
lifecycle commands take, the list searches and pages like the API, platforms have their own
list, names print as typed, ``who-can --privilege`` shows that privilege, piped output is not
cut at 80 columns; the path API takes names."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.graph import Graph
from tests.conftest import REPO, Neo4jInstance, query
from tests.support.service import serve

# Loading the demo and starting the service take minutes on a busy machine (not a speed check).
pytestmark = pytest.mark.timeout(1800)


@pytest.fixture(scope="module")
def demo(neo4j_instance: Neo4jInstance) -> Iterator[Neo4jInstance]:
    """The demo estate in an emptied graph."""
    with Graph(neo4j_instance.settings()) as graph:
        graph.write_chunked("admin/wipe", {})
        graph.apply_schema()
    subprocess.run(
        [sys.executable, "-m", "demo.load", "--quiet"],
        env={**os.environ, **neo4j_instance.env},
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=900,
    )
    yield neo4j_instance


def _json(instance: Neo4jInstance, *args: str) -> Any:
    return json.loads(instance.cli(*args, check=True).stdout)


def test_short_ids_are_shown_and_taken_by_the_lifecycle(demo: Neo4jInstance) -> None:
    found = _json(demo, "decisions", "list", "--status", "unowned", "--format", "json")
    decision = next(d for d in found if d["category"] == "placement")
    short = decision["short_id"]
    assert len(short) >= 7 and hashlib.sha1(
        decision["id"].encode(), usedforsecurity=False
    ).hexdigest().startswith(short)
    assert len({d["short_id"] for d in found}) == len(found)
    table = demo.cli("decisions", "list", "--status", "unowned", check=True).stdout
    assert short in table
    done = demo.cli("decisions", "assign", short, "--team", "dba", check=True).stdout
    assert done.startswith(f"{decision['id']}: assigned (team dba")
    demo.cli("decisions", "accept", short[:5], check=True)  # any unambiguous prefix
    log = _json(demo, "events", "--decision", short, "--json")
    assert [e["action"] for e in log] == ["accept", "assign"]
    assert [e["decision_id"] for e in log] == [decision["id"]] * 2


def test_an_ambiguous_or_unknown_short_id_is_one_clear_error(demo: Neo4jInstance) -> None:
    seen: dict[str, str] = {}
    n = 0
    while True:  # two ids whose digests share their first 4 hex digits
        candidate = f"test:ambiguous-{n}"
        prefix = hashlib.sha1(candidate.encode(), usedforsecurity=False).hexdigest()[:4]
        if prefix in seen:
            break
        seen[prefix] = candidate
        n += 1
    ids = [seen[prefix], candidate]
    query(
        demo,
        "UNWIND $ids AS id CREATE (:Decision {id: id, status: 'active', category: 'placement', "
        "kind: 'test', summary: 'test decision ' + id})",
        ids=ids,
    )
    try:
        before = query(demo, "MATCH (e:Event) RETURN count(e) AS n")[0]["n"]
        proc = demo.cli("decisions", "assign", prefix, "--team", "dba")
        assert proc.returncode == 2 and not proc.stdout
        assert proc.stderr.count("\n") == 1 and "ambiguous" in proc.stderr
        assert all(i in proc.stderr for i in ids)
        missing = demo.cli("decisions", "accept", "ffffffffffffffff")
        assert missing.returncode == 2 and "no decision with short id" in missing.stderr
        assert query(demo, "MATCH (e:Event) RETURN count(e) AS n")[0]["n"] == before
        # their short ids are longer than 4 digits, and unique
        rows = _json(demo, "decisions", "list", "--search", "test:ambiguous", "--format", "json")
        shorts = {r["short_id"] for r in rows}
        assert len(shorts) == 2 and all(s.startswith(prefix) and len(s) >= 7 for s in shorts)
    finally:
        query(demo, "MATCH (d:Decision) WHERE d.id IN $ids DETACH DELETE d", ids=ids)


def test_search_limit_and_offset_page_like_the_api(demo: Neo4jInstance) -> None:
    everything = _json(demo, "decisions", "list", "--search", "sql", "--format", "json")
    assert len(everything) >= 3
    assert all("sql" in (d["summary"] + d["id"]).lower() for d in everything)
    page = _json(
        demo, "decisions", "list", "--search", "SQL", "--limit", "2", "--offset", "1",
        "--format", "json",
    )  # fmt: skip
    assert page == everything[1:3]
    table = demo.cli("decisions", "list", "--search", "sql", "--limit", "2", check=True).stdout
    assert f"decisions 1-2 of {len(everything)}" in table
    bad = demo.cli("decisions", "list", "--status", "owned")
    assert bad.returncode == 2 and "unknown status" in bad.stderr


def test_platforms_have_their_own_list(demo: Neo4jInstance) -> None:
    assert _json(demo, "platforms", "list", "--json") == [{"name": "pve", "kind": "Proxmox VE"}]
    teams = _json(demo, "teams", "list", "--json")
    assert [t["name"] for t in teams] == ["dba", "platform"]
    assert "pve" not in demo.cli("teams", "list", check=True).stdout
    assert "Proxmox VE" in demo.cli("platforms", "list", check=True).stdout


def test_names_print_as_typed(demo: Neo4jInstance) -> None:
    bad = demo.cli("effective", "--principal", "CORP\\nobody")
    assert bad.returncode == 2
    assert "'CORP\\nobody'" in bad.stderr and "\\\\" not in bad.stderr


def test_who_can_with_a_privilege_shows_that_privilege(demo: Neo4jInstance) -> None:
    privilege = "VirtualMachine.Interact.PowerOn"
    args = ("who-can", "--entity", "sql-01", "--privilege", privilege)
    answers = _json(demo, *args, "--format", "json")
    assert answers and all(a["privileges"] == [privilege] for a in answers)
    table = demo.cli(*args, check=True).stdout
    assert privilege in table and "in all)" not in table and "Alarm.Acknowledge" not in table


def test_piped_output_is_not_cut_at_80_columns(demo: Neo4jInstance) -> None:
    found = _json(demo, "decisions", "list", "--format", "json")
    longest = max(found, key=lambda d: len(d["summary"]))
    assert len(longest["summary"]) > 80
    table = demo.cli("decisions", "list", check=True).stdout  # stdout is a pipe here
    assert any(longest["summary"] in line for line in table.splitlines())
    narrow = subprocess.run(
        [sys.executable, "-m", "app", "decisions", "list"],
        env={**os.environ, **demo.env, "COLUMNS": "100"},
        capture_output=True, text=True, cwd=REPO, check=True,
    )  # fmt: skip
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 100


def test_derive_help_says_what_it_derives(demo: Neo4jInstance) -> None:
    text = demo.cli("derive", "--help", check=True).stdout
    assert "later" not in text and "decisions" in text


def test_the_path_api_takes_names(demo: Neo4jInstance) -> None:
    with serve(demo.env) as service, httpx.Client(timeout=120) as http:
        api = f"{service.base}/api"
        types = "GRANTED_TO,ON_ENTITY,PERMISSION_PARENT,MEMBER_OF"
        path = http.get(
            f"{api}/path", params={"from": "CORP\\alice", "to": "sql-01", "types": types}
        )
        assert path.status_code == 200, path.text
        names = [n["name"] for n in path.json()["nodes"]]
        assert names[0] == "alice" or "alice" in names[0]
        assert names[-1] == "sql-01"
        vm = http.get(f"{api}/search", params={"q": "sql-01", "limit": 1}).json()[0]["id"]
        by_id = http.get(f"{api}/path", params={"from": "CORP\\alice", "to": vm, "types": types})
        assert by_id.json() == path.json()
        ambiguous = http.get(f"{api}/path", params={"from": "Resources", "to": "sql-01"})
        assert ambiguous.status_code == 400 and "give an id" in ambiguous.json()["error"]
        missing = http.get(f"{api}/path", params={"from": "no-such-name", "to": "sql-01"})
        assert missing.status_code == 404
