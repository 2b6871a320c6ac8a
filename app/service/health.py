"""``/api/health`` from a background probe: it answers at once, whatever Neo4j does.

A thread probes Neo4j every ``api_health_interval_seconds`` (a ping); the route returns the
last result with its age and never waits on a request worker (the URI is shown only to an
authorised caller, or while no token exists: one token check on the event loop's own threads).
When the managed local server (no ``NEO4J_URI``) is not running, the answer says so and how to
start it again; the server log says it too.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request

from app import __version__
from app.graph import Graph, GraphError
from app.tokens import authenticate

log = logging.getLogger(__name__)

MANAGED_DOWN = "the managed Neo4j is not running: restart it with `authmap neo4j start`"
UNREACHABLE = "the graph database is not reachable (see the server log)"


@dataclass(frozen=True)
class Probe:
    """One probe's outcome."""

    reachable: bool
    error: str | None
    at: float


def _managed_running(graph: Graph) -> bool | None:
    """Whether the managed local server runs (None when an external NEO4J_URI is used)."""
    if graph.settings.neo4j_uri:
        return None
    from app.localneo4j import LocalNeo4j

    return LocalNeo4j(graph.settings.home, graph.settings.cache).status().running


def probe(graph: Graph) -> Probe:
    """Probe Neo4j once (never raises)."""
    try:
        if _managed_running(graph) is False:
            return Probe(False, MANAGED_DOWN, time.monotonic())
        graph.read("admin/ping")
    except GraphError as exc:
        log.warning("health: %s", exc)
        return Probe(False, UNREACHABLE, time.monotonic())
    return Probe(True, None, time.monotonic())


class HealthMonitor:
    """The background probe of one application."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.last = probe(graph)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="authmap-health", daemon=True)

    def _run(self) -> None:
        interval = self.graph.settings.api_health_interval_seconds
        while not self._stop.wait(interval):
            current = probe(self.graph)
            if current.reachable != self.last.reachable:
                log.warning("health: Neo4j %s", "is back" if current.reachable else current.error)
            self.last = current

    def start(self) -> HealthMonitor:
        """Start probing in the background."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop probing."""
        self._stop.set()
        self._thread.join(timeout=5)


async def _authorised(request: Request, graph: Graph) -> bool:
    """Whether the caller may see the URI: a valid token, or none needed (no token exists).
    The check runs on the event loop's own threads, not the request workers."""
    from app.service.auth import bearer

    try:
        token = bearer(request)
        result = await asyncio.to_thread(authenticate, graph, token)
    except (HTTPException, GraphError):
        return False
    return result.caller is not None


async def health(request: Request) -> dict[str, Any]:
    """Service and Neo4j reachability from the last background probe (no token needed, for
    load balancers; the Neo4j URI only for an authorised caller, or while no token exists)."""
    monitor: HealthMonitor = request.app.state.health
    graph: Graph = request.app.state.graph
    last = monitor.last
    neo4j: dict[str, Any] = {"reachable": last.reachable}
    if last.reachable and await _authorised(request, graph):
        neo4j["uri"] = graph.uri
    if last.error:
        neo4j["error"] = last.error
    return {
        "status": "ok" if last.reachable else "degraded",
        "version": __version__,
        "neo4j": neo4j,
        "checked_seconds_ago": round(time.monotonic() - last.at, 1),
    }
