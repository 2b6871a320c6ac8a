"""``authmap parity``: does the target re-establish each decision? Fail a pipeline on drift."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from app.cli.common import EXIT_FINDINGS, fail, graph, out
from app.decisions import CATEGORIES

if TYPE_CHECKING:
    from app.parity.engine import ParityOptions, ParityReport


class Format(StrEnum):
    """Output formats."""

    table = "table"
    json = "json"
    junit = "junit"
    markdown = "markdown"


class FailOn(StrEnum):
    """Statuses that fail the run."""

    drifted = "drifted"
    missing = "missing"
    gap = "gap"
    unmapped = "unmapped"
    target_only = "target-only"


DEFAULT_FAIL_ON = [FailOn.drifted, FailOn.missing, FailOn.target_only]


def parity(
    target: str | None = typer.Option(
        None, "--target", help="The target (name or id) when several are ingested."
    ),
    category: list[str] = typer.Option(
        [], "--category", help="Only this decision category (repeatable)."
    ),
    map_file: Path | None = typer.Option(
        None, "--map", help="YAML: vms, hosts, storage_policies, cpu_mhz_per_core."
    ),
    principal_map: Path | None = typer.Option(
        None, "--principal-map", help="YAML: prefixes and principals."
    ),
    kubeconfig: Path | None = typer.Option(
        None,
        "--kubeconfig",
        help="A Kubernetes target's kubeconfig: change authority is asked of its authorizer "
        "(a Proxmox target's ACLs are evaluated from the graph).",
    ),
    context: str | None = typer.Option(None, "--context", help="The kubeconfig context."),
    output: Format = typer.Option(Format.table, "--format", help="table, json, junit or markdown."),
    fail_on: list[FailOn] = typer.Option(
        DEFAULT_FAIL_ON,
        "--fail-on",
        help="Exit 1 when a decision has this status (repeatable; target-only: any "
        "target-only authority).",
    ),
    no_store: bool = typer.Option(
        False, "--no-store", help="Do not store the results with the decisions."
    ),
) -> None:
    """Compare every active decision with the target. Exit 0: nothing at a --fail-on status;
    1: something is; 2: an error."""
    from app.parity import formats
    from app.parity.engine import prepare, run_parity, store
    from app.parity.sar import AuthorizerError, KubeAuthorizer, kube_api_client
    from app.parity.target import TargetError

    options = _options(target, category, map_file, principal_map)
    with graph() as connected:
        try:
            chosen = prepare(connected, options)
            _check_authorizer(chosen.platform, category, kubeconfig)
            authorizer = None
            if kubeconfig is not None:
                authorizer = KubeAuthorizer(
                    kube_api_client(str(kubeconfig), context), chosen.names_matter
                )
            report = run_parity(connected, chosen, options, authorizer)
        except (TargetError, AuthorizerError) as exc:
            fail(str(exc))
        if not no_store:
            store(connected, report)
    failing = frozenset(f.value for f in fail_on)
    _render(report, output, failing)
    if formats.findings(report, failing):
        raise typer.Exit(EXIT_FINDINGS)


def _render(report: ParityReport, output: Format, failing: frozenset[str]) -> None:
    from app.parity import formats

    if output is Format.table:
        table = Table("decision", "category", "status", "summary")
        for d in report.decisions:
            table.add_row(d.decision_id, d.category, d.status, d.summary)
        out.print(table)
        for f in report.target_only:
            out.print(
                f"target-only: {f['subject']} via {f['binding']} ({f['role']}, {f['scope']})",
                highlight=False,
            )
        counts = ", ".join(f"{n} {s}" for s, n in sorted(report.counts().items()))
        out.print(f"{report.target.name}: {counts or 'no decisions'}", highlight=False)
    elif output is Format.junit:
        typer.echo(formats.to_junit(report, failing), nl=False)
    else:
        render = formats.to_json if output is Format.json else formats.to_markdown
        typer.echo(render(report), nl=False)


def _options(
    target: str | None,
    category: list[str],
    map_file: Path | None,
    principal_map: Path | None,
) -> ParityOptions:
    from app.parity.engine import ParityOptions
    from app.parity.mapfile import MapFileError, load_principal_map, load_target_map

    unknown = sorted(set(category) - set(CATEGORIES))
    if unknown:
        fail(f"unknown category {unknown[0]!r} (one of {', '.join(CATEGORIES)})")
    try:
        options = ParityOptions(
            target, tuple(category), load_target_map(map_file), load_principal_map(principal_map)
        )
    except MapFileError as exc:
        fail(str(exc))
    return options


def _check_authorizer(platform: str, category: list[str], kubeconfig: Path | None) -> None:
    """A Kubernetes target's change authority needs its kubeconfig; a Proxmox target takes
    none."""
    if platform != "kubernetes":
        if kubeconfig is not None:
            fail(
                f"--kubeconfig is for Kubernetes targets; this target is {platform} (its "
                "permissions are evaluated from the ingested ACLs)"
            )
        return
    wants_authority = not category or "change_authority" in category
    if wants_authority and kubeconfig is None:
        fail(
            "change-authority parity asks the target's own authorizer: give --kubeconfig FILE "
            "(or choose other --category)"
        )
