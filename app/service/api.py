"""The FastAPI application. Stateless: every answer comes from Neo4j."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from app import __version__
from app.config import Settings
from app.graph import Graph, GraphError
from app.service import (
    audits_routes,
    auth,
    console,
    decisions_routes,
    errors,
    graph_routes,
    permissions_routes,
)
from app.service.auth import Viewer
from app.tokens import authenticate

log = logging.getLogger(__name__)


def frontend_dir() -> Path:
    """The built viewer: ``frontend/dist`` beside the ``app`` package (source tree, built by
    ``make``), else the copy inside a wheel."""
    package = Path(__file__).resolve().parents[1]
    source = package.parent / "frontend"
    return source / "dist" if source.is_dir() else package / "_frontend"


NOT_BUILT = (
    "<!doctype html><title>authmap</title><h1>The viewer is not built</h1>"
    "<p>Run <code>make</code> (or <code>make frontend</code>) in the authmap checkout: it builds "
    "<code>frontend/dist/</code> with npm. The API is at <a href='/docs'>/docs</a>.</p>"
)


def create_app(settings: Settings) -> FastAPI:
    """Build the application for one Neo4j connection (opened at start-up)."""

    @asynccontextmanager
    async def lifespan(api: FastAPI) -> AsyncIterator[None]:
        api.state.graph = Graph(settings)
        try:
            yield
        finally:
            api.state.graph.close()

    api = FastAPI(title="authmap", version=__version__, lifespan=lifespan)
    errors.install(api, settings.api_max_body_bytes)

    @api.exception_handler(GraphError)
    async def _graph_error(_: Request, exc: GraphError) -> JSONResponse:
        return JSONResponse(status_code=503, content={"error": str(exc)})

    @api.get("/api/health")
    def health(request: Request) -> dict[str, Any]:
        """Service and Neo4j reachability (no token needed, for load balancers; the Neo4j
        URI and error only for an authorised caller, or while no token exists)."""
        graph: Graph = request.app.state.graph
        try:
            graph.read("admin/ping")
            neo4j: dict[str, Any] = {"reachable": True, "uri": graph.uri}
            try:
                authorised = authenticate(graph, auth.bearer(request)).caller is not None
            except (HTTPException, GraphError):
                authorised = False
            if not authorised:
                del neo4j["uri"]
        except GraphError as exc:
            log.warning("health: %s", exc)
            neo4j = {"reachable": False, "error": "Neo4j is not reachable (see the server log)"}
        return {
            "status": "ok" if neo4j["reachable"] else "degraded",
            "version": __version__,
            "neo4j": neo4j,
        }

    @api.get("/api/stats")
    def stats(request: Request, _: Viewer) -> dict[str, Any]:
        """Node counts per label."""
        graph: Graph = request.app.state.graph
        return {"labels": graph.read("admin/label_counts")}

    permissions_routes.install(api)
    for router in (
        auth.router,
        graph_routes.router,
        decisions_routes.router,
        audits_routes.router,
        console.router,
    ):
        api.include_router(router)

    @api.get("/", include_in_schema=False, response_model=None)
    def index() -> FileResponse | HTMLResponse:
        page = frontend_dir() / "index.html"
        if not page.is_file():
            return HTMLResponse(NOT_BUILT, status_code=503)
        return FileResponse(page, headers={"Cache-Control": "no-cache"})

    @api.get("/assets/{name}", include_in_schema=False)
    def asset(name: str) -> FileResponse:
        assets = (frontend_dir() / "assets").resolve()
        path = (assets / name).resolve()
        if path.parent != assets or not path.is_file():
            raise HTTPException(404, f"no asset {name!r}")
        return FileResponse(path, headers={"Cache-Control": "no-cache"})

    return api
