"""Load the shipped demo estate into the configured Neo4j and say where to click first.

    .venv/bin/python -m demo.load        # what `make demo` runs after `authmap db init`

The steps are ordinary ``authmap`` commands (:func:`steps`), run one after the other; each is
idempotent, so running this twice loads nothing new and changes no ownership. The graph is the
one the usual settings name (``NEO4J_URI``..., or the local server of ``authmap neo4j start``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from demo.scenario import AD_FILE, OWNERS_FILE, RUNBOOK_SOURCE, VCENTER_FILE

DEMO_DIR = Path(__file__).resolve().parent
REPO = DEMO_DIR.parent
URL = "http://127.0.0.1:8000"
EXAMPLE_VM = "sql-01"
EXAMPLE_PRINCIPAL = "CORP\\alice"


def steps(demo_dir: Path = DEMO_DIR) -> list[list[str]]:
    """The ``authmap`` argument lists that load the demo, in order."""
    return [
        ["load", str(demo_dir / VCENTER_FILE), str(demo_dir / AD_FILE)],
        ["ingest", "runbooks", str(demo_dir / "runbooks"), "--name", RUNBOOK_SOURCE],
        ["owners", "import", str(demo_dir / OWNERS_FILE), "--actor", "demo"],
    ]


def run_steps(demo_dir: Path = DEMO_DIR, quiet: bool = False) -> None:
    """Run every step with this interpreter's ``authmap`` (``python -m app``); stop at the
    first failure with its exit status."""
    for args in steps(demo_dir):
        if not quiet:
            print(f"$ authmap {' '.join(args)}", flush=True)
        proc = subprocess.run(
            [sys.executable, "-m", "app", *args],
            cwd=REPO,
            check=False,
            stdout=subprocess.DEVNULL if quiet else None,
        )
        if proc.returncode != 0:
            raise SystemExit(proc.returncode)


def where_to_click() -> str:
    """A short guide to the loaded demo, with figures read from the graph."""
    from app.audits import run_audits
    from app.config import load_settings
    from app.decisions import list_decisions
    from app.graph import Graph

    with Graph(load_settings()) as graph:
        audits = {a.id: a for a in run_audits(graph)}
        decisions = list_decisions(graph, state="active")
    verified = sum(1 for d in decisions if d.status == "verified")
    vacuum = audits["authority-vacuum"]
    lines = [
        "",
        "The demo estate is loaded: 3 clusters (Prod-A, Prod-B, Dev-A) and a standalone host, "
        f"{len(decisions)} decisions, {verified} of them verified on the target (Proxmox VE).",
        "",
        "Where to click first (with the port `authmap serve` prints: 8000 unless another "
        "program uses it):",
        f"  * {URL}/  the viewer",
        f"  * {URL}/docs  the API; try GET /api/permissions/who-can?entity={EXAMPLE_VM}",
        "",
        "Then, in another shell (.venv/bin/authmap ...):",
        f"  authmap audit --only authority-vacuum     # {vacuum.count} of {vacuum.total} "
        "decisions have no accepted owner",
        f"  authmap audit --only orphaned-principals  # {audits['orphaned-principals'].count} "
        "grant(s) to principals missing from the directory or disabled",
        f"  authmap audit --only runbook-rot          # {audits['runbook-rot'].count} runbook(s) "
        "still speak vSphere",
        f"  authmap who-can --entity {EXAMPLE_VM}          # who can do what to the SQL "
        "primary, and through which nested groups",
        f"  authmap effective --principal '{EXAMPLE_PRINCIPAL}' --entity {EXAMPLE_VM}",
        "  authmap decisions list --category placement",
        "  authmap report --out report/              # the Day-90 readiness report",
        "",
        "docs/demo.md explains what the demo holds.",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(
        prog="python -m demo.load",
        description="Load authmap's demo estate (snapshots, runbooks, ownership) into the "
        "configured Neo4j, idempotently, and print where to click first.",
    )
    parser.add_argument("--quiet", action="store_true", help="Hide the commands' own output.")
    args = parser.parse_args(argv)
    run_steps(quiet=args.quiet)
    print(where_to_click())
    return 0


if __name__ == "__main__":
    sys.exit(main())
