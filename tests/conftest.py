"""Shared fixtures: one real Neo4j server per test session, started the way users start it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from neo4j import GraphDatabase

from app.config import Settings
from app.graph import Graph

if TYPE_CHECKING:
    from tests.support.kube import KubeCluster

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_cli(
    *args: str, env: dict[str, str] | None = None, check: bool = False, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run ``authmap ARGS`` in a subprocess (the installed entry point's code path)."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        cwd=REPO,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"authmap {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


class Neo4jInstance:
    """The session's managed server: its home, port and CLI environment."""

    def __init__(self, home: Path, port: int) -> None:
        self.home = home
        self.port = port
        self.env = {"AUTHMAP_HOME": str(home), "NEO4J_URI": ""}

    def cli(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        """Run the CLI against this instance."""
        return run_cli(*args, env=self.env, check=check)

    def start(self) -> subprocess.CompletedProcess[str]:
        """``authmap neo4j start`` with the test settings (short lock timeout, 512m heap)."""
        return self.cli(
            "neo4j",
            "start",
            "--port",
            str(self.port),
            "--setting",
            "db.lock.acquisition.timeout=1s",
            "--heap",  # the test estates are small: keep the shared machine's memory
            "512m",
            "--pagecache",
            "256m",
            check=True,
        )

    def settings(self, **overrides: object) -> Settings:
        """Settings pointing at this instance (through the local-server path)."""
        values: dict[str, object] = {"home": self.home, "neo4j_uri": None, **overrides}
        return Settings(**values)  # type: ignore[arg-type]


def query(instance: Neo4jInstance, text: str, **params: Any) -> list[dict[str, Any]]:
    """Run Cypher directly with the driver (an oracle independent of authmap's graph layer)."""
    password = (instance.home / "neo4j" / "password").read_text().strip()
    with GraphDatabase.driver(f"bolt://127.0.0.1:{instance.port}", auth=("neo4j", password)) as d:
        records, _, _ = d.execute_query(text, params)
    return [r.data() for r in records]


@pytest.fixture(scope="session")
def neo4j_instance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jInstance]:
    """A real Neo4j Community server for the whole session, via ``authmap neo4j start``."""
    instance = Neo4jInstance(tmp_path_factory.mktemp("authmap-home"), free_port())
    os.environ.pop("NEO4J_URI", None)
    instance.start()
    try:
        yield instance
    finally:
        instance.cli("neo4j", "stop")


@pytest.fixture()
def graph(neo4j_instance: Neo4jInstance) -> Iterator[Graph]:
    """A connected graph, emptied before the test, with the schema applied."""
    with Graph(neo4j_instance.settings()) as connected:
        connected.write_chunked("admin/wipe", {})
        connected.apply_schema()
        yield connected


@pytest.fixture(scope="session")
def kube_cluster() -> Iterator[KubeCluster]:
    """A real kube-apiserver + etcd with the CRDs for the whole session (tests/support/kube.py;
    the binaries are built once into ~/.cache/authmap/kube/)."""
    from tests.support.kube import KubeCluster, ensure_kube  # it imports this module

    with KubeCluster(ensure_kube()) as cluster:
        yield cluster
