"""Each source's command-line options, declared once for ``collect`` and ``ingest``.

A declaration's function takes the options as Typer parameters and returns the source's typed
options; :func:`app.cli.collect.register` turns it into ``collect NAME --out FILE`` and
``ingest NAME``. The source packages are imported only when their command runs.

No ``from __future__ import annotations`` here: the parameters' annotations must be real types
when ``register`` copies them into the commands' signatures (the return types, imported only
for type checking, stay quoted).
"""

import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from app.cli.collect import SourceCommand, register
from app.cli.common import fail

if TYPE_CHECKING:
    from ingest.ad import ADOptions
    from ingest.kubernetes import KubernetesOptions
    from ingest.nsx import NsxOptions
    from ingest.proxmox import ProxmoxOptions
    from ingest.runbooks import RunbookOptions
    from ingest.sharphound import SharpHoundOptions
    from ingest.vcenter import VCenterOptions

PASSWORD_ENV = typer.Option(
    None,
    "--password-env",
    metavar="VAR",
    help="Read the password from this environment variable (else you are prompted).",
)
CA_FILE = typer.Option(None, "--ca-file", help="CA certificate(s) to verify the server with.")
INSECURE = typer.Option(False, "--insecure", help="Do NOT verify the server's TLS certificate.")


def password(var: str | None) -> str:
    """The password from environment variable ``var``, or prompted for (never echoed)."""
    if var:
        value = os.environ.get(var)
        if value is None:
            fail(f"environment variable {var} is not set")
        return value
    return str(typer.prompt("Password", hide_input=True))


# -- vCenter ---------------------------------------------------------------------------------
def vcenter_options(
    server: str = typer.Option(..., "--server", help="vCenter HOST[:PORT]."),
    user: str = typer.Option(..., "--user", help="User name, e.g. auditor@vsphere.local."),
    password_env: str | None = PASSWORD_ENV,
    ca_file: Path | None = CA_FILE,
    insecure: bool = INSECURE,
) -> "VCenterOptions":
    """The vCenter options."""
    from ingest.vcenter.source import VCenterOptions

    return VCenterOptions(server, user, password(password_env), ca_file, insecure)


# -- Active Directory ------------------------------------------------------------------------
def ad_options(
    server: list[str] = typer.Option(
        ...,
        "--server",
        help="ldaps://HOST[:PORT], or ldap://HOST[:PORT] with --starttls. Repeat it for the "
        "other domains of the forest (one domain controller each).",
    ),
    user: str = typer.Option(..., "--user", help="Bind as a DN, a UPN or DOMAIN\\name."),
    password_env: str | None = PASSWORD_ENV,
    base_dn: str | None = typer.Option(
        None, "--base-dn", help="Search base (default: the whole domain, from the rootDSE)."
    ),
    ca_file: Path | None = CA_FILE,
    insecure: bool = INSECURE,
    starttls: bool = typer.Option(False, "--starttls", help="Upgrade ldap:// with StartTLS."),
    range_step: int = typer.Option(
        1500,
        "--range-step",
        min=10,
        help="Values per member range request (AD's MaxValRange is 1500).",
    ),
) -> "ADOptions":
    """The Active Directory options."""
    from ingest.ad.source import ADOptions

    return ADOptions(
        servers=tuple(server),
        user=user,
        password=password(password_env),
        ca_file=ca_file,
        insecure=insecure,
        starttls=starttls,
        base_dn=base_dn,
        range_step=range_step,
    )


# -- runbooks --------------------------------------------------------------------------------
def runbook_options(
    directory: Path = typer.Argument(
        ..., help="Directory of Markdown/text runbooks (searched recursively)."
    ),
    name: str | None = typer.Option(
        None,
        "--name",
        help="A stable name for this runbook collection (default: the directory's name).",
    ),
) -> "RunbookOptions":
    """The runbook options."""
    from ingest.runbooks import RunbookOptions

    return RunbookOptions(directory, name)


# -- NSX -------------------------------------------------------------------------------------
def nsx_options(
    url: str = typer.Option(
        ...,
        "--url",
        help="The NSX manager, https://HOST[:PORT]; with --from-file it names the manager the "
        "export came from (the source identity).",
    ),
    user: str | None = typer.Option(
        None, "--user", help="NSX user (needed for a live collection)."
    ),
    password_env: str | None = PASSWORD_ENV,
    ca_file: Path | None = CA_FILE,
    insecure: bool = INSECURE,
    session: bool = typer.Option(
        False, "--session", help="Log in once (session cookie + XSRF token) instead of basic auth."
    ),
    page_size: int = typer.Option(
        1000, "--page-size", min=1, max=1000, help="Objects per list page."
    ),
    from_file: list[Path] = typer.Option(
        [],
        "--from-file",
        help="Read a hierarchical GET /policy/api/v1/infra export instead of calling the "
        "manager (repeat it for project exports).",
    ),
) -> "NsxOptions":
    """The NSX options (the password is asked for only for a live collection)."""
    from ingest.nsx.source import NsxOptions

    live = bool(user) and not from_file
    return NsxOptions(
        url=url,
        user=user,
        password=password(password_env) if live else "",
        ca_file=ca_file,
        insecure=insecure,
        session=session,
        page_size=page_size,
        from_files=tuple(from_file),
    )


# -- Kubernetes (a migration target) ---------------------------------------------------------
def kubernetes_options(
    kubeconfig: Path = typer.Option(
        ...,
        "--kubeconfig",
        help="The kubeconfig to use (its token or certificate is never printed).",
    ),
    context: str | None = typer.Option(
        None, "--context", help="The kubeconfig context (default: its current-context)."
    ),
    insecure: bool = INSECURE,
    page_size: int = typer.Option(500, "--page-size", min=1, help="Objects per list page."),
) -> "KubernetesOptions":
    """The Kubernetes options."""
    from ingest.kubernetes import KubernetesOptions

    return KubernetesOptions(kubeconfig, context, insecure, page_size)


# -- Proxmox VE (a migration target) ---------------------------------------------------------
def proxmox_options(
    server: str = typer.Option(..., "--server", help="https://HOST[:PORT] (port 8006 by default)."),
    token_id: str | None = typer.Option(
        None, "--token-id", metavar="USER@REALM!NAME", help="Log in with this API token."
    ),
    token_secret_env: str | None = typer.Option(
        None,
        "--token-secret-env",
        metavar="VAR",
        help="Read the API token's secret from this environment variable (else prompted).",
    ),
    user: str | None = typer.Option(
        None, "--user", help="Log in with a user and password instead, e.g. auditor@pve."
    ),
    password_env: str | None = PASSWORD_ENV,
    ca_file: Path | None = CA_FILE,
    insecure: bool = INSECURE,
) -> "ProxmoxOptions":
    """The Proxmox VE options."""
    from ingest.proxmox import ProxmoxOptions

    if bool(token_id) == bool(user):
        fail("give either --token-id (with --token-secret-env) or --user (with --password-env)")
    if token_id:
        secret = (
            password(token_secret_env)
            if token_secret_env
            else str(typer.prompt("Token secret", hide_input=True))
        )
        return ProxmoxOptions(server, token_id=token_id, token_secret=secret, ca_file=ca_file,
                              insecure=insecure)  # fmt: skip
    return ProxmoxOptions(
        server, user=user, password=password(password_env), ca_file=ca_file, insecure=insecure
    )


# -- SharpHound (Active Directory from a BloodHound collection) -------------------------------
def sharphound_options(
    path: Path = typer.Argument(
        ..., help="A SharpHound CE collection: its .zip, or a directory of its .json files."
    ),
) -> "SharpHoundOptions":
    """The SharpHound options."""
    from ingest.sharphound import SharpHoundOptions

    return SharpHoundOptions(path)


SOURCES = (
    SourceCommand(
        "vcenter",
        vcenter_options,
        "ingest.vcenter.source:open_vcenter",
        collect_help="Collect a vCenter's governance configuration into a snapshot file.",
        ingest_help="Collect a vCenter and load it into the graph (one sync run).",
    ),
    SourceCommand(
        "ad",
        ad_options,
        "ingest.ad.source:open_ad",
        collect_help="Collect Active Directory users, groups and memberships into a snapshot file.",
        ingest_help="Collect Active Directory and load it into the graph (one sync run), then "
        "resolve the vCenter permissions' principals against it.",
    ),
    SourceCommand(
        "sharphound",
        sharphound_options,
        "ingest.sharphound.source:open_sharphound",
        collect_help="Read a SharpHound CE collection (users, groups, computers, domains) into "
        "an AD snapshot file.",
        ingest_help="Read a SharpHound CE collection and load it as Active Directory (one sync "
        "run), then resolve the vCenter permissions' principals against it.",
    ),
    SourceCommand(
        "runbooks",
        runbook_options,
        "ingest.runbooks:open_runbooks",
        collect_help="Read runbooks into a snapshot file.",
        ingest_help="Read runbooks, load them, link them to the source objects they name and "
        "flag vSphere-only vocabulary (see the runbook-rot audit).",
    ),
    SourceCommand(
        "nsx",
        nsx_options,
        "ingest.nsx.source:open_nsx",
        collect_help="Collect NSX segments, groups, firewall policies, gateways and VM tags "
        "into a snapshot.",
        ingest_help="Collect NSX and load it into the graph (one sync run), then derive the "
        "network dependency map and the network-authority decisions.",
    ),
    SourceCommand(
        "kubernetes",
        kubernetes_options,
        "ingest.kubernetes.source:open_kubernetes",
        collect_help="Collect a Kubernetes/KubeVirt cluster (a migration target: VMs, NADs, "
        "network policies, RBAC, quotas, classes) into a snapshot file.",
        ingest_help="Collect a Kubernetes/KubeVirt cluster and load it into the graph (one sync "
        "run), for `authmap parity`.",
    ),
    SourceCommand(
        "proxmox",
        proxmox_options,
        "ingest.proxmox.source:open_proxmox",
        collect_help="Collect a Proxmox VE cluster (a migration target: guests, pools, storage, "
        "users, ACLs, HA, firewall, SDN) into a snapshot file.",
        ingest_help="Collect a Proxmox VE cluster and load it into the graph (one sync run).",
    ),
)
"""Every source, in the order ``--help`` lists them."""


def register_all() -> None:
    """Add every source's ``collect`` and ``ingest`` commands."""
    for source in SOURCES:
        register(source)
