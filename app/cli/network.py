"""``authmap can-reach``: which VMs can reach which, by NSX's own rule order."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

import typer
from rich.table import Table

from app.cli.common import fail, graph, out
from app.network.answer import ReachQuery, ReachQueryError


class ReachFormat(StrEnum):
    """Output formats."""

    table = "table"
    json = "json"


def _table(answer: dict[str, Any]) -> None:
    rule = answer["rule"]
    decided = f"{rule['policy']} / {rule['name']} ({rule['category']})" if rule else "no rule"
    allowed = ", ".join(answer["allowed_services"])
    out.print(
        f"{answer['from']['name']} → {answer['to']['name']} ({answer['service']}): "
        f"{answer['verdict']}, decided by {decided}" + (f"; allowed: {allowed}" if allowed else "")
    )
    table = Table("category", "policy", "rule", "seq", "at", "outcome", "why")
    for step in answer["explanation"]:
        table.add_row(
            step["category"], step["policy"], step["name"], str(step["sequence"]), step["at"],
            step["outcome"], step["why"],
        )  # fmt: skip
    out.print(table)
    for note in answer["notes"]:
        out.print(f"Note: {note}")


def can_reach(
    source: str = typer.Option(..., "--from", help="Source VM: name, id, moref or instance UUID."),
    destination: str = typer.Option(..., "--to", help="Destination VM (as --from)."),
    port: str | None = typer.Option(
        None, "--port", help="N/tcp, N/udp or icmp. Omit: every service the rules tell apart."
    ),
    output: ReachFormat = typer.Option(ReachFormat.table, "--format", help="table or json."),
) -> None:
    """Whether one VM can reach another through NSX's distributed firewall, and why.

    Evaluates the rules as NSX does (categories Ethernet → Application, policies then rules by
    sequence number, first match wins, applied-to, negated sides, services, direction at both
    vNICs, the default rule); group membership is NSX's when collected live, else evaluated
    from the group's expression; see docs/nsx.md. Verdicts: allow, drop, reject,
    default-allow, default-drop, unknown.
    """
    with graph() as connected:
        try:
            answer = ReachQuery(source, destination, port).answer(connected)
        except ReachQueryError as exc:
            fail(str(exc))
    if output is ReachFormat.json:
        typer.echo(json.dumps(answer, indent=2, ensure_ascii=False))
    else:
        _table(answer)
