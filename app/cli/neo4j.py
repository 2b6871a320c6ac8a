"""``authmap neo4j``: the managed local Neo4j Community server."""

from __future__ import annotations

from pathlib import Path

import typer

from app.cli.common import err, fail, out, settings
from app.localneo4j import NEO4J_VERSION, LocalNeo4j, Neo4jServerError
from app.localneo4j.distribution import DistributionError
from app.localneo4j.java import JavaError
from app.localneo4j.server import DEFAULT_PORT, START_TIMEOUT

app = typer.Typer(
    help=(
        f"Run a local Neo4j Community {NEO4J_VERSION} server for authmap (the default graph when "
        "NEO4J_URI is not set). Its data lives under $AUTHMAP_HOME/neo4j."
    ),
    no_args_is_help=True,
)


def _server() -> LocalNeo4j:
    current = settings()
    return LocalNeo4j(current.home, current.cache)


def _parse_settings(items: list[str]) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            fail(f"--setting expects KEY=VALUE, got {item!r}")
        parsed[key.strip()] = value.strip()
    return parsed


@app.command()
def start(
    port: int | None = typer.Option(
        None,
        min=1,
        max=65535,
        help=f"Bolt port on 127.0.0.1 (remembered). Default: the remembered port, else "
        f"{DEFAULT_PORT}, else a free one when another program uses those.",
    ),
    heap: str = typer.Option(
        "auto", help="Largest JVM heap (2g, 512m...); auto: 1/8 of the machine's memory, 512m-8g."
    ),
    pagecache: str = typer.Option(
        "auto", help="Page cache size; auto: 1/8 of the machine's memory, 256m-8g."
    ),
    setting: list[str] = typer.Option(
        [], "--setting", help="Extra neo4j.conf setting KEY=VALUE (repeatable)."
    ),
    timeout: float = typer.Option(
        START_TIMEOUT, min=1, help="Seconds to wait for Bolt to answer (more on a busy machine)."
    ),
    distribution: Path | None = typer.Option(
        None,
        help="An official Neo4j Community tarball or extracted directory to use instead of "
        "resolving the server jars from Maven Central.",
    ),
) -> None:
    """Start the server in the background; return once Bolt answers. Harmless if it runs."""
    server = _server()
    out.print(f"Starting Neo4j Community {NEO4J_VERSION} under {server.root} ...")
    try:
        result = server.start(
            port=port,
            heap=heap,
            pagecache=pagecache,
            settings=_parse_settings(setting),
            distribution=distribution,
            timeout=timeout,
        )
    except (Neo4jServerError, DistributionError, JavaError) as exc:
        fail(str(exc))
    status = result.status
    if result.port is not None:
        out.print(f"Bolt on {result.port.reason}.")
    elif port is not None and port != status.port:
        err.print(
            f"note: Neo4j already runs on port {status.port}; `authmap neo4j stop` first to "
            f"move it to {port}"
        )
    verb = "started" if result.started else "already running"
    out.print(
        f"Neo4j {verb}: {status.uri} (pid {status.pid}). `authmap neo4j env` prints the "
        "connection settings."
    )


@app.command()
def stop() -> None:
    """Stop the server cleanly (data is kept)."""
    stopped = _server().stop()
    out.print("Neo4j stopped." if stopped else "Neo4j was not running.")


@app.command()
def status() -> None:
    """Say whether the server runs, and where. Exit code 0 if it runs, 3 if not."""
    current = _server().status()
    if current.running:
        out.print(
            f"running: {current.uri} (pid {current.pid}), Neo4j {current.version}, "
            f"data in {current.home}"
        )
    else:
        last = f", remembered port {current.port}" if current.port else ""
        out.print(
            f"not running (data in {current.home}{last}); start it with `authmap neo4j start`"
        )
        raise typer.Exit(3)


@app.command()
def env() -> None:
    """Print NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD and NEO4J_DATABASE lines (shell syntax)."""
    try:
        lines = _server().env_lines()
    except Neo4jServerError as exc:
        fail(str(exc))
    for line in lines:
        typer.echo(line)
