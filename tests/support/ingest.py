"""Ingest a simulator or a test DC through the command line, as a user would."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping

from tests.conftest import Neo4jInstance, run_cli
from tests.support.samba_ad import SambaDC
from tests.support.vcsim import VcsimServer


def ingest_vcenter(
    instance: Neo4jInstance,
    sim: VcsimServer,
    *,
    env: Mapping[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """``authmap ingest vcenter`` against ``sim`` (password through the environment)."""
    full = {**instance.env, **(env or {}), "VC_PW": sim.password}
    proc = run_cli(
        "ingest", "vcenter", "--server", f"{sim.host}:{sim.port}", "--user", sim.username,
        "--password-env", "VC_PW", "--insecure", env=full,
    )  # fmt: skip
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def ingest_ad(
    instance: Neo4jInstance,
    dc: SambaDC,
    *,
    env: Mapping[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """``authmap ingest ad`` against ``dc`` over LDAPS, verifying its certificate."""
    full = {**instance.env, **(env or {}), "AD_PW": dc.admin_password}
    proc = run_cli(
        "ingest", "ad", "--server", dc.ldaps_url, "--ca-file", str(dc.ca_file),
        "--user", dc.admin_dn, "--password-env", "AD_PW", env=full,
    )  # fmt: skip
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc
