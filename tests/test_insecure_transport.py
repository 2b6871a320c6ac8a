"""TLS verification is on by default for vCenter and LDAP, ``--ca-file`` trusts a given
certificate, and every ``--insecure`` run says so in a WARNING.

Each source is served with a self-signed certificate that is in no trust store: vcsim with
its own (govmomi's test certificate for 127.0.0.1), Samba on 127.0.0.41 with one made here.
The default run fails with one TLS-verification line, exit 2, and loads nothing; a wrong CA
file fails the same way; the server's own certificate as ``--ca-file`` works without a
warning; ``--insecure`` works and logs ``WARNING ... TLS verification of HOST is OFF``.

NSX is covered by ``tests/test_nsx_cli.py`` (default refused with nothing loaded,
``--ca-file`` works, ``--insecure`` warned), so it is not repeated here.
"""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Neo4jInstance, query, run_cli
from tests.support.dc41 import ADDRESS, dc41, self_signed_cert
from tests.support.samba_ad import SambaDC
from tests.support.vcsim import VcsimServer, ensure_vcsim_binary


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The DC's certificate and key, and a stranger's certificate (a wrong CA file)."""
    tls = tmp_path_factory.mktemp("tls")
    cert, key = self_signed_cert(tls, ADDRESS, "dc")
    stranger, _ = self_signed_cert(tls, "127.0.0.1", "stranger")
    return {"dc-cert": cert, "dc-key": key, "stranger": stranger, "dir": tls}


@pytest.fixture(scope="module")
def dc(certs: dict[str, Path]) -> Iterator[SambaDC]:
    """Samba on 127.0.0.41 serving LDAPS with a self-signed certificate."""
    with dc41(certs["dc-cert"], certs["dc-key"]) as running:
        yield running


@pytest.fixture(scope="module")
def sim() -> Iterator[VcsimServer]:
    """A small vcsim (one cluster, two hosts)."""
    with VcsimServer(ensure_vcsim_binary(), cluster=1, host=2, vm=1, standalone_host=0) as s:
        yield s


def _sources(db: Neo4jInstance) -> int:
    return int(query(db, "MATCH (n:Source) RETURN count(n) AS n")[0]["n"])


def _refused(proc: subprocess.CompletedProcess[str], what: str) -> None:
    """One line on stderr: TLS verification failed, with the way out; exit 2."""
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    message = " ".join(proc.stderr.split())
    assert f"TLS verification of {what}" in message and "failed" in message, message
    assert "--ca-file" in message and "--insecure" in message, message
    assert "Traceback" not in proc.stderr


def _insecure_warning(stderr: str, host: str) -> list[str]:
    return [
        line
        for line in stderr.splitlines()
        if line.startswith("WARNING ") and f"TLS verification of {host} is OFF" in line
    ]


def test_vcenter_verifies_by_default(
    neo4j_instance: Neo4jInstance, graph: Any, sim: VcsimServer, certs: dict[str, Path]
) -> None:
    db = neo4j_instance
    env = {**db.env, "VC_PW": sim.password}

    def ingest(*extra: str) -> subprocess.CompletedProcess[str]:
        server = f"{sim.host}:{sim.port}"
        return run_cli("ingest", "vcenter", "--server", server, "--user", sim.username,
                       "--password-env", "VC_PW", *extra, env=env)  # fmt: skip

    _refused(ingest(), f"vCenter {sim.host}:{sim.port}")
    _refused(ingest("--ca-file", str(certs["stranger"])), f"vCenter {sim.host}:{sim.port}")
    assert _sources(db) == 0

    own = certs["dir"] / "vcsim.pem"
    own.write_text(ssl.get_server_certificate((sim.host, sim.port)))
    trusted = ingest("--ca-file", str(own))
    assert trusted.returncode == 0, trusted.stderr
    assert "complete" in trusted.stdout
    assert "WARNING" not in trusted.stderr and "OFF" not in trusted.stderr
    # The tag and storage-policy endpoints were verified with the same CA: no gaps.
    assert "gap:" not in trusted.stderr, trusted.stderr
    clusters = query(db, "MATCH (c:Cluster) RETURN c.name AS name")
    assert clusters == [{"name": "DC0_C0"}]

    insecure = ingest("--insecure")
    assert insecure.returncode == 0, insecure.stderr
    assert len(_insecure_warning(insecure.stderr, sim.host)) >= 1, insecure.stderr


def test_ldap_verifies_by_default(
    neo4j_instance: Neo4jInstance, graph: Any, dc: SambaDC, certs: dict[str, Path]
) -> None:
    db = neo4j_instance
    env = {**db.env, "AD_PW": dc.admin_password}

    def ingest(*extra: str, server: str = dc.ldaps_url) -> subprocess.CompletedProcess[str]:
        return run_cli("ingest", "ad", "--server", server, "--user", dc.admin_dn,
                       "--password-env", "AD_PW", *extra, env=env)  # fmt: skip

    where = f"AD server {ADDRESS}"
    _refused(ingest(), f"{where}:636")
    _refused(ingest("--ca-file", str(certs["stranger"])), f"{where}:636")
    _refused(ingest("--starttls", server=dc.ldap_url), f"{where}:389")
    # The shared test CA signed no certificate for this server either.
    _refused(ingest("--ca-file", str(dc.ca_file)), f"{where}:636")
    assert _sources(db) == 0

    trusted = ingest("--ca-file", str(certs["dc-cert"]))
    assert trusted.returncode == 0, trusted.stderr
    assert "complete" in trusted.stdout and "WARNING" not in trusted.stderr
    starttls = ingest("--starttls", "--ca-file", str(certs["dc-cert"]), server=dc.ldap_url)
    assert starttls.returncode == 0, starttls.stderr
    users = query(db, "MATCH (u:ADUser {sam_account_name: 'user00001'}) RETURN u.dn AS dn")
    assert users == [{"dn": f"CN=user00001,OU=People,{dc.base_dn}"}]

    for extra, server, port in ((("--insecure",), dc.ldaps_url, 636),
                                (("--insecure", "--starttls"), dc.ldap_url, 389)):  # fmt: skip
        insecure = ingest(*extra, server=server)
        assert insecure.returncode == 0, insecure.stderr
        assert len(_insecure_warning(insecure.stderr, f"{ADDRESS}:{port}")) == 1, insecure.stderr
