"""The managed local Neo4j: start/stop/status/env through the CLI, against the real server."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from neo4j import GraphDatabase

from app.localneo4j import LocalNeo4j
from tests.conftest import Neo4jInstance, run_cli


def _env_lines(instance: Neo4jInstance) -> dict[str, str]:
    proc = instance.cli("neo4j", "env", check=True)
    return dict(line.split("=", 1) for line in proc.stdout.strip().splitlines())


def _listening_addresses(port: int) -> set[str]:
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hexport = local.rsplit(":", 1)
            if int(hexport, 16) == port and state == "0A":  # LISTEN
                found.add(address)
    return found


def test_env_output_is_usable_by_the_driver(neo4j_instance: Neo4jInstance) -> None:
    env = _env_lines(neo4j_instance)
    assert set(env) == {"NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"}
    assert env["NEO4J_URI"] == f"bolt://127.0.0.1:{neo4j_instance.port}"
    with GraphDatabase.driver(
        env["NEO4J_URI"], auth=(env["NEO4J_USER"], env["NEO4J_PASSWORD"])
    ) as d:
        records, _, _ = d.execute_query(
            "CALL dbms.components() YIELD name, versions, edition RETURN versions[0] AS v, edition",
            database_=env["NEO4J_DATABASE"],
        )
    assert records[0]["v"] == "5.26.30"
    assert records[0]["edition"] == "community"


def test_auth_is_on_and_password_file_is_private(neo4j_instance: Neo4jInstance) -> None:
    password_file = neo4j_instance.home / "neo4j" / "password"
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    uri = f"bolt://127.0.0.1:{neo4j_instance.port}"
    with GraphDatabase.driver(uri, auth=("neo4j", "wrong-password")) as driver:
        try:
            driver.verify_connectivity()
            raise AssertionError("a wrong password was accepted")
        except Exception as exc:  # the driver raises AuthError
            assert "auth" in type(exc).__name__.lower() or "Unauthorized" in str(exc)


def test_binds_to_loopback_only(neo4j_instance: Neo4jInstance) -> None:
    addresses = _listening_addresses(neo4j_instance.port)
    loopback = {"0100007F", "0000000000000000FFFF00000100007F"}  # 127.0.0.1, IPv4 or v4-mapped
    assert addresses and addresses <= loopback, addresses


def test_status_and_start_twice_is_harmless(neo4j_instance: Neo4jInstance) -> None:
    status = neo4j_instance.cli("neo4j", "status")
    assert status.returncode == 0 and "running" in status.stdout
    pid = json.loads((neo4j_instance.home / "neo4j" / "instance.json").read_text())["pid"]
    again = neo4j_instance.start()
    assert "already running" in again.stdout
    assert json.loads((neo4j_instance.home / "neo4j" / "instance.json").read_text())["pid"] == pid


def test_data_survives_stop_start_and_stale_pid(neo4j_instance: Neo4jInstance) -> None:
    env = _env_lines(neo4j_instance)
    auth = (env["NEO4J_USER"], env["NEO4J_PASSWORD"])
    with GraphDatabase.driver(env["NEO4J_URI"], auth=auth) as driver:
        driver.execute_query("MERGE (:SurvivalMarker {id: 'kept'})")
    assert "stopped" in neo4j_instance.cli("neo4j", "stop", check=True).stdout
    stopped = neo4j_instance.cli("neo4j", "status")
    assert stopped.returncode == 3 and "not running" in stopped.stdout
    # A crash leaves a pid file pointing at a process that is not Neo4j: start must cope.
    instance_file = neo4j_instance.home / "neo4j" / "instance.json"
    info = json.loads(instance_file.read_text())
    info["pid"] = os.getpid()
    instance_file.write_text(json.dumps(info))
    assert not LocalNeo4j(neo4j_instance.home, Path("/nonexistent")).status().running
    neo4j_instance.start()
    with GraphDatabase.driver(env["NEO4J_URI"], auth=auth) as driver:
        records, _, _ = driver.execute_query("MATCH (m:SurvivalMarker) RETURN m.id AS id")
        driver.execute_query("MATCH (m:SurvivalMarker) DELETE m")
    assert [r["id"] for r in records] == ["kept"]


def test_commands_fail_clearly_when_nothing_runs(tmp_path: Path) -> None:
    env = {"AUTHMAP_HOME": str(tmp_path), "NEO4J_URI": ""}
    proc = run_cli("db", "init", env=env)
    assert proc.returncode == 2
    assert "authmap neo4j start" in proc.stderr
    assert "Traceback" not in proc.stderr
    env_proc = run_cli("neo4j", "env", env=env)
    assert env_proc.returncode == 2 and "not running" in env_proc.stderr


def test_port_in_use_is_a_clear_error(neo4j_instance: Neo4jInstance, tmp_path: Path) -> None:
    proc = run_cli(
        "neo4j", "start", "--port", str(neo4j_instance.port), env={"AUTHMAP_HOME": str(tmp_path)}
    )
    assert proc.returncode == 2
    assert "in use" in proc.stderr
