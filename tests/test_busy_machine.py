"""A busy machine: another program already listens on 7687 (Bolt) and 8000 (HTTP).

``make demo``'s path (``authmap neo4j start`` without ``--port``, ``db init``, the demo load,
``authmap serve --port 8000``) still works and prints the ports it really uses; the port Neo4j
got is remembered in ``$AUTHMAP_HOME/neo4j/instance.json`` and reused by the next start and by
every command; ``--port`` forces one (remembered too); a remembered port that another program
took meanwhile is replaced by a free one, said so.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from demo.scenario import AD_FILE, VCENTER_FILE
from tests.conftest import REPO, free_port, run_cli
from tests.support.service import serve

# A second Neo4j beside the session's: kept small, the ports are what is tested here.
# A loaded test machine can take minutes to bring a JVM up: wait long (not a speed test).
SMALL: tuple[str, ...] = ("--heap", "256m", "--pagecache", "64m", "--timeout", "900")
SMALL += ("--setting", "db.lock.acquisition.timeout=1s")


@contextmanager
def occupied(*ports: int) -> Iterator[None]:
    """Listening sockets of this test on ``ports`` of 127.0.0.1 (a port that something else
    already holds is busy anyway, which is all the test needs)."""
    with ExitStack() as stack:
        for port in ports:
            sock = stack.enter_context(socket.socket())
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                with socket.create_connection(("127.0.0.1", port), timeout=5):
                    pass  # someone else listens there: just as busy
                continue
            sock.listen(1)
        yield


class Home:
    """A fresh ``AUTHMAP_HOME`` whose local Neo4j is driven through the CLI."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.env = {"AUTHMAP_HOME": str(path), "NEO4J_URI": ""}
        self.first_start = ""  # what the first `authmap neo4j start` printed

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``authmap ARGS`` with this home."""
        return run_cli(*args, env=self.env, check=check)

    def start(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``authmap neo4j start`` with the small sizes and ``args``."""
        return self.cli("neo4j", "start", *SMALL, *args)

    def recorded_port(self) -> int:
        """The port in the instance state."""
        port = json.loads((self.path / "neo4j" / "instance.json").read_text())["port"]
        assert isinstance(port, int)
        return port

    def env_port(self) -> int:
        """The port of NEO4J_URI from ``authmap neo4j env``."""
        found = re.search(r"NEO4J_URI=bolt://127\.0\.0\.1:(\d+)", self.cli("neo4j", "env").stdout)
        assert found, "no NEO4J_URI line"
        return int(found.group(1))


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Home]:
    """A home started the way ``make demo`` starts it, with 7687 busy."""
    started = Home(tmp_path_factory.mktemp("busy-home"))
    try:
        with occupied(7687):
            started.first_start = started.start().stdout
        yield started
    finally:
        started.cli("neo4j", "stop", check=False)


def test_demo_path_with_7687_and_8000_taken(home: Home) -> None:
    output = home.first_start
    port = home.recorded_port()
    assert port != 7687
    assert f"port 7687 is used by another program: using free port {port}" in output
    assert f"Neo4j started: bolt://127.0.0.1:{port}" in output
    assert home.env_port() == port
    home.cli("db", "init")
    # The demo's snapshots (the first step of demo.load, the one that needs the graph's port).
    home.cli("load", str(REPO / "demo" / VCENTER_FILE), str(REPO / "demo" / AD_FILE))
    with occupied(8000), serve(home.env, port=8000) as service:
        served = int(service.base.rsplit(":", 1)[1])
        assert served != 8000
        # Generous timeouts: a loaded machine is slow, and speed is not what is tested here.
        assert httpx.get(f"{service.base}/", timeout=120).status_code == 200
        vms = httpx.get(f"{service.base}/api/search", params={"q": "sql-01"}, timeout=120)
        assert vms.status_code == 200 and "sql-01" in vms.text
    assert f"port 8000 on 127.0.0.1 is in use by another program: using port {served}" in (
        service.stderr
    )
    assert f"authmap serving on http://127.0.0.1:{served}/" in service.stdout


def test_restart_finds_the_remembered_port(home: Home) -> None:
    first = home.recorded_port()
    home.cli("neo4j", "stop")
    stopped = home.cli("neo4j", "status", check=False)
    assert stopped.returncode == 3 and f"remembered port {first}" in stopped.stdout
    again = home.start()
    assert f"Bolt on port {first} (remembered)" in again.stdout
    assert home.env_port() == first
    home.cli("db", "init")  # an ordinary command finds the server on the remembered port

    forced = free_port()
    home.cli("neo4j", "stop")
    assert f"Bolt on port {forced} (--port" in home.start("--port", str(forced)).stdout
    home.cli("neo4j", "stop")
    with occupied(forced):  # another program took the remembered port meanwhile
        moved = home.start()
    new = home.recorded_port()
    assert new != forced
    assert (
        f"the remembered port {forced} is now used by another program: using free port {new}"
        in moved.stdout
    )
    assert home.env_port() == new
    home.cli("db", "init")


def test_a_forced_port_that_is_taken_is_one_clear_error(tmp_path: Path) -> None:
    taken = free_port()
    with occupied(taken):
        proc = Home(tmp_path).cli("neo4j", "start", "--port", str(taken), check=False)
    assert proc.returncode == 2
    assert f"port {taken} on 127.0.0.1 is in use by another program" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "neo4j" / "instance.json").exists()
