"""The ``authmap`` command line: one module per command group, all thin shells."""

from __future__ import annotations

import logging

import typer

from app import __version__
from app.cli import (
    audit,
    collect,
    db,
    decisions,
    dev,
    export,
    lifecycle,
    load,
    neo4j,
    network,
    owners_file,
    parity,
    permissions,
    report,
    serve,
    sources,
    teams,
    tokens,
)

app = typer.Typer(
    name="authmap",
    help=(
        "Map the governance decisions a vSphere estate makes on its own (roles and permissions, "
        "DRS and HA rules, network and storage policy, capacity settings) into a Neo4j graph, "
        "and find the ones nobody owns on the target platform."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(neo4j.app, name="neo4j")
app.add_typer(db.app, name="db")
app.add_typer(dev.app, name="dev")
lifecycle.register(decisions.app)
app.add_typer(decisions.app, name="decisions")
app.add_typer(teams.teams_app, name="teams")
app.add_typer(teams.platforms_app, name="platforms")
app.add_typer(owners_file.app, name="owners")
app.add_typer(tokens.app, name="tokens")
app.command("events")(lifecycle.events_cmd)
sources.register_all()
app.add_typer(collect.collect_app, name="collect")
app.add_typer(collect.ingest_app, name="ingest")
app.command("load")(load.load)
app.command("serve")(serve.serve)
app.command("derive")(db.derive)
app.command("audit")(audit.audit)
app.command("parity")(parity.parity)
app.command("report")(report.report)
app.command("effective")(permissions.effective)
app.command("who-can")(permissions.who_can)
app.add_typer(export.app, name="export")
app.command("can-reach")(network.can_reach)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"authmap {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    verbose: int = typer.Option(
        0, "--verbose", "-v", count=True, help="Log progress details (-vv: debug details too)."
    ),
) -> None:
    levels = (logging.WARNING, logging.INFO, logging.DEBUG)
    logging.basicConfig(
        level=levels[min(verbose, len(levels) - 1)],
        format="%(levelname)s %(name)s: %(message)s",
    )


def main() -> None:
    """Entry point of the ``authmap`` console script."""
    app()
