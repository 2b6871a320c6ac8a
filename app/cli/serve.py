"""``authmap serve``: the HTTP API and the viewer."""

from __future__ import annotations

import errno
import ipaddress
import socket

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


PORT_TRIES = 100  # a taken port: try the next ones, up to this many


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``: ``port`` if free, else the next free port after it
    (said on stderr). Bound here, before uvicorn starts, so the printed URL is the real one."""
    family = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)[0][0]
    for candidate in range(port, min(port + PORT_TRIES, 65536)):
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, candidate))
        except OSError as exc:
            sock.close()
            if exc.errno != errno.EADDRINUSE or port == 0:
                fail(f"cannot listen on {host} port {candidate}: {exc.strerror}")
            continue
        if candidate != port:
            err.print(f"port {port} on {host} is in use by another program: using port {candidate}")
        sock.listen(2048)
        return sock
    fail(f"ports {port}-{candidate} on {host} are all in use: pass a free --port")


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(
        8000,
        min=0,
        max=65535,
        help="TCP port; when another program uses it, the next free one (printed).",
    ),
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
    sock = _bind(host, port)
    bound = int(sock.getsockname()[1])
    shown = f"[{host}]" if ":" in host else host
    out.print(f"authmap serving on http://{shown}:{bound}/ (Ctrl-C to stop)")
    import uvicorn  # the web stack is imported only by this command: every other starts faster

    from app.service import create_app

    config = uvicorn.Config(create_app(current), host=host, port=bound, log_level="warning")
    uvicorn.Server(config).run(sockets=[sock])
