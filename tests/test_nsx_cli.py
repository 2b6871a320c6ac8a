"""``authmap collect nsx`` / ``authmap ingest nsx`` as users run them (subprocesses) against the
replay server and the real Neo4j: a live ingest, an export collected then loaded, and every
error path as one clear line, exit code 2, no secret printed and the graph untouched."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import Neo4jInstance, query, run_cli
from tests.support.nsx_replay import FIXTURES, PASSWORD, USER, NsxReplay

ENV = "NSX_TEST_PASSWORD"


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``authmap ARGS`` with exactly this environment on top of the test process's."""
    return run_cli(*args, env=env)


def _counts(db: Neo4jInstance) -> dict[str, int]:
    """Nodes per label; sync runs left out (an ingest whose collection fails records one)."""
    rows = query(db, "MATCH (n) WHERE NOT n:SyncRun RETURN labels(n)[0] AS label, count(*) AS n")
    return {row["label"]: row["n"] for row in rows}


def _nsx_decisions(db: Neo4jInstance) -> int:
    rows = query(db, "MATCH (d:Decision) WHERE d.kind STARTS WITH 'nsx_' RETURN count(d) AS n")
    return int(rows[0]["n"])


def test_ingest_live_then_from_an_export(neo4j_instance: Neo4jInstance, tmp_path: Path) -> None:
    db = neo4j_instance
    db.cli("db", "reset", "--yes", check=True)
    with NsxReplay() as nsx:
        env = {**db.env, ENV: PASSWORD}
        proc = cli(env, "ingest", "nsx", "--url", nsx.url, "--user", USER,
                   "--password-env", ENV, "--ca-file", str(nsx.ca_file))  # fmt: skip
        url = nsx.url
    assert proc.returncode == 0, proc.stderr
    assert "complete" in proc.stdout and "43 records" in proc.stdout
    assert PASSWORD not in proc.stdout + proc.stderr
    assert _nsx_decisions(db) == 16
    snapshot = tmp_path / "export.jsonl.gz"
    collected = db.cli(
        "collect", "nsx", "--url", url, "--out", str(snapshot),
        "--from-file", str(FIXTURES / "infra-export.json"),
        "--from-file", str(FIXTURES / "project-dev-export.json"),
    )  # fmt: skip
    assert collected.returncode == 0, collected.stderr
    assert "37 records" in collected.stdout and "gap: NsxVirtualMachine" in collected.stderr
    loaded = db.cli("load", str(snapshot))
    assert loaded.returncode == 0, loaded.stderr
    assert "partial" in loaded.stdout  # configuration only: nothing removed
    assert query(db, "MATCH (n:NsxVirtualMachine) RETURN count(n) AS n")[0]["n"] == 6
    assert _nsx_decisions(db) == 16


def test_insecure_is_allowed_and_warned(neo4j_instance: Neo4jInstance, tmp_path: Path) -> None:
    db = neo4j_instance
    with NsxReplay() as nsx:
        out = tmp_path / "s.jsonl"
        proc = cli({**db.env, ENV: PASSWORD}, "collect", "nsx", "--url", nsx.url,
                   "--user", USER, "--password-env", ENV, "--insecure", "--session",
                   "--out", str(out))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "TLS verification of 127.0.0.1" in proc.stderr and "OFF (--insecure)" in proc.stderr
    header = json.loads(out.read_text().splitlines()[0])
    assert header["source"]["kind"] == "nsx" and header["source"]["id"].startswith("nsx:127.0.0.1:")


def test_errors_are_one_line_exit_2_and_leave_the_graph_alone(
    neo4j_instance: Neo4jInstance, tmp_path: Path
) -> None:
    db = neo4j_instance
    not_export = tmp_path / "list.json"
    not_export.write_text(json.dumps({"results": [], "result_count": 0}))
    before = _counts(db)
    with NsxReplay() as nsx:
        good = {**db.env, ENV: PASSWORD}
        bad = {**db.env, ENV: "Wr0ng-" + PASSWORD}
        base = ["ingest", "nsx", "--user", USER, "--password-env", ENV]
        cases = [
            (bad, [*base, "--url", nsx.url, "--ca-file", str(nsx.ca_file)],
             "refused /policy/api/v1/infra for user 'audit-ro' (HTTP 403)"),
            (bad, [*base, "--url", nsx.url, "--ca-file", str(nsx.ca_file), "--session"],
             "refused"),
            (good, [*base, "--url", nsx.url], "TLS verification of NSX manager"),
            (good, [*base, "--url", nsx.url.replace("https", "http")], "plain HTTP"),
            (db.env, [*base, "--url", nsx.url], f"environment variable {ENV} is not set"),
            (good, ["ingest", "nsx", "--url", nsx.url], "--user is required"),
            (good, ["ingest", "nsx", "--url", nsx.url, "--from-file", str(not_export)],
             "not a hierarchical Policy API export"),
            (good, ["ingest", "nsx", "--url", nsx.url, "--from-file", str(tmp_path / "nope")],
             "is not a readable file"),
        ]  # fmt: skip
        for env, args, message in cases:
            proc = cli(env, *args)
            assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
            lines = [line for line in proc.stderr.splitlines() if line.strip()]
            assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
            assert message in " ".join(proc.stderr.split()), (message, proc.stderr)
            assert PASSWORD not in proc.stdout + proc.stderr
    assert _counts(db) == before
