"""``authmap export bloodhound``: the vSphere authority of the graph as a BloodHound CE
OpenGraph file (and, with ``--queries``, the saved queries for BloodHound's query library)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import typer

from app.cli.common import fail, graph, out

app = typer.Typer(help="Export the graph for other tools.", no_args_is_help=True)


@app.command("bloodhound")
def bloodhound(
    out_path: Path = typer.Option(..., "--out", help="The OpenGraph JSON file to write."),
    include_inventory: bool = typer.Option(
        False,
        "--include-inventory",
        help="Also export the vSphere objects no permission or control edge reaches.",
    ),
    privileges: str = typer.Option(
        "dangerous",
        "--privileges",
        help="Which privilege ids roles and edges list: all, or dangerous (those that change "
        "permissions, VMs, hosts or storage).",
    ),
    queries: Path | None = typer.Option(
        None, "--queries", help="Also write BloodHound saved queries (JSON) to this file."
    ),
) -> None:
    """Write a BloodHound OpenGraph file: vSphere objects, roles and vsphere.local principals as
    VS_ nodes, AD accounts by SID, VS_HasPermission, VS_Contains and the control edges the
    permission engine derives (VS_AdminTo, VS_CanModifyPermissions, VS_CanPowerOff,
    VS_CanConsole, VS_CanReconfigure)."""
    from app.bloodhound.opengraph import ExportOptions, build
    from app.bloodhound.queries import saved_queries

    if privileges not in ("all", "dangerous"):
        fail(f"--privileges must be all or dangerous, got {privileges!r}")
    for target in (out_path, queries):
        if target is not None and not target.parent.is_dir():
            fail(f"cannot write {target}: {target.parent} is not a directory")
    options = ExportOptions(include_inventory, "all" if privileges == "all" else "dangerous")
    with graph() as connected:
        document = build(connected, options)
    out_path.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    nodes, edges = document["graph"]["nodes"], document["graph"]["edges"]
    kinds = Counter(e["kind"] for e in edges)
    listed = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    out.print(f"Wrote {out_path}: {len(nodes)} nodes, {len(edges)} edges ({listed or 'none'})")
    if queries is not None:
        queries.write_text(json.dumps(saved_queries(), indent=1) + "\n")
        out.print(f"Wrote {queries}: {len(saved_queries())} saved queries")
