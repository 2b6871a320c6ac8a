"""The FastAPI application. Stateless: every answer comes from Neo4j."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from app import __version__
from app.config import Settings
from app.graph import Graph, GraphError, GraphUnavailable
from app.service import (
    audits_routes,
    auth,
    console,
    decisions_routes,
    errors,
    graph_routes,
    network_routes,
    parity_routes,
    permissions_routes,
)
from app.service import health as health_check
from app.service.auth import Viewer

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


SWAGGER_ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css")
"""Swagger UI's files, copied from the ``swagger-ui-dist`` npm package into the viewer's
assets by ``frontend/build.mjs``: ``/docs`` works with no network (air-gapped hosts)."""


def create_app(settings: Settings) -> FastAPI:
    """Build the application for one Neo4j connection (opened at start-up)."""

    @asynccontextmanager
    async def lifespan(api: FastAPI) -> AsyncIterator[None]:
        api.state.graph = Graph(settings, interactive=True)
        api.state.health = health_check.HealthMonitor(api.state.graph).start()
        try:
            yield
        finally:
            api.state.health.stop()
            api.state.graph.close()

    api = FastAPI(
        title="authmap", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None
    )
    errors.install(api, settings.api_max_body_bytes)

    @api.exception_handler(GraphError)
    async def _graph_error(_: Request, exc: GraphError) -> JSONResponse:
        if isinstance(exc, GraphUnavailable):  # its text names the server: logged, not shown
            log.warning("%s", exc)
            return JSONResponse(status_code=503, content={"error": health_check.UNREACHABLE})
        return JSONResponse(status_code=503, content={"error": str(exc)})

    _install_service_routes(api)
    permissions_routes.install(api)
    network_routes.install(api)
    for router in (
        auth.router,
        graph_routes.router,
        decisions_routes.router,
        audits_routes.router,
        audits_routes.readiness_router,
        console.router,
        parity_routes.router,
    ):
        api.include_router(router)
    _install_static(api)
    return api


def stats(request: Request, _: Viewer) -> dict[str, Any]:
    """Node counts per label."""
    graph: Graph = request.app.state.graph
    return {"labels": graph.read("admin/label_counts")}


def _install_service_routes(api: FastAPI) -> None:
    """``/api/health`` and ``/api/stats``."""
    api.add_api_route("/api/health", health_check.health, methods=["GET"])
    api.add_api_route("/api/stats", stats, methods=["GET"])


def index() -> FileResponse | HTMLResponse:
    """The viewer's page (a 503 page saying how to build it when it is not built)."""
    page = frontend_dir() / "index.html"
    if not page.is_file():
        return HTMLResponse(NOT_BUILT, status_code=503)
    return FileResponse(page, headers={"Cache-Control": "no-cache"})


def asset(name: str) -> FileResponse:
    """One file of the built viewer's ``assets/`` (nothing outside it)."""
    assets = (frontend_dir() / "assets").resolve()
    if "\0" in name:
        raise HTTPException(404, "no such asset")
    path = (assets / name).resolve()
    if path.parent != assets or not path.is_file():
        raise HTTPException(404, f"no asset {name!r}")
    return FileResponse(path, headers={"Cache-Control": "no-cache"})


def _install_static(api: FastAPI) -> None:
    """The viewer (``/``, ``/assets/...``) and Swagger UI at ``/docs`` from local assets."""
    api.add_api_route("/", index, methods=["GET"], include_in_schema=False, response_model=None)
    api.add_api_route("/assets/{name}", asset, methods=["GET"], include_in_schema=False)
    js, css = (f"/assets/{name}" for name in SWAGGER_ASSETS)

    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=api.openapi_url or "/openapi.json",
            title=f"{api.title} API",
            swagger_js_url=js,
            swagger_css_url=css,
            swagger_favicon_url="data:,",
        )

    api.add_api_route("/docs", docs, methods=["GET"], include_in_schema=False)
