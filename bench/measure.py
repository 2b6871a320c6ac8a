"""Shared benchmark helpers: measure a child process; run a temporary managed Neo4j."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from app.config import Settings
from app.graph import Graph
from app.localneo4j import LocalNeo4j


def run_measured(cmd: Sequence[str], env: Mapping[str, str]) -> tuple[float, float]:
    """Run ``cmd`` to completion; return (seconds, peak RSS in MB) of that process alone.

    ``os.wait4`` reports the child's own rusage, unlike ``RUSAGE_CHILDREN``, which keeps the
    maximum over every child this process ever waited for.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd), env=dict(env), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise RuntimeError(f"{cmd[:4]} failed: {stderr[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


@contextmanager
def temporary_graph(home: Path, heap: str = "1g", pagecache: str = "512m") -> Iterator[Graph]:
    """A managed Neo4j under ``home`` on a free port (the same code path as
    ``authmap neo4j start``), schema applied; stopped on exit."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    settings = Settings(home=home, neo4j_uri=None)
    server = LocalNeo4j(home, settings.cache)
    server.start(port=port, heap=heap, pagecache=pagecache)
    try:
        with Graph(settings) as graph:
            graph.apply_schema()
            yield graph
    finally:
        server.stop()
