"""``authmap serve``: the HTTP API and the viewer."""

from __future__ import annotations

import ipaddress

import typer

from app.cli.common import err, fail, out, settings
from app.graph import Graph, GraphError
from app.tokens import authenticate


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="TCP port."),
    open_network: bool = typer.Option(
        False,
        "--open-network",
        help="Listen on a non-loopback address although no API tokens exist (only inside a "
        "container network or behind a trusted proxy).",
    ),
) -> None:
    """Serve the JSON API (/api, OpenAPI at /openapi.json) and the viewer (/).

    Once an API token exists (`authmap tokens create`) every /api call needs one and any
    address may be used; until then the service is open, so it listens on loopback only."""
    current = settings()
    try:
        with Graph(current) as probe:
            probe.verify()
            secured = not authenticate(probe, None).open
    except GraphError as exc:
        fail(str(exc))
    if not secured and not _loopback(host) and not open_network:
        fail(
            "without API tokens the service runs open, so it listens on loopback only "
            f"(got --host {host}; create a token with `authmap tokens create`, or "
            "--open-network overrides)"
        )
    if secured:
        err.print("API tokens configured: every /api call needs `Authorization: Bearer <token>`")
    else:
        who = "anyone who can reach it" if not _loopback(host) else "anyone on this machine"
        err.print(
            f"warning: no API tokens configured: the service is OPEN to {who}, every caller "
            "is the admin 'local'; `authmap tokens create` closes it"
        )
    out.print(f"authmap serving on http://{host}:{port}/ (Ctrl-C to stop)")
    import uvicorn  # the web stack is imported only by this command: every other starts faster

    from app.service import create_app

    uvicorn.run(create_app(current), host=host, port=port, log_level="warning")
