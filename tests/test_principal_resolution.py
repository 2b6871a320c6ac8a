"""vCenter permission principals resolved against the collected directory.

vcsim holds the permissions (built through the vSphere API), Samba AD the directory; both are
ingested through the CLI into the real Neo4j, then `derive` links and classifies each grant.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import vim

from tests.conftest import Neo4jInstance, run_cli
from tests.conftest import query as _query
from tests.support.samba_ad import DirectorySpec, Manifest, SambaDC, directory_template
from tests.support.vcsim import VcsimServer, ensure_vcsim_binary

ADDRESS = "127.0.0.4"


def _cn(dn: str) -> str:
    return dn.split(",", 1)[0].split("=", 1)[1]


@pytest.fixture(scope="module")
def estate() -> Iterator[tuple[VcsimServer, SambaDC, Manifest, dict[str, tuple[bool, str]]]]:
    template, manifest = directory_template(DirectorySpec())
    disabled_sam = manifest.user_sam(manifest.spec.disabled_every)  # every 10th is disabled
    grants = {  # principal -> (is_group, expected status)
        f"CORP\\{_cn(manifest.big_group_dn)}": (True, "resolved"),
        manifest.service_account_upn: (False, "resolved"),
        f"{manifest.user_sam(1)}@corp.example.test": (False, "resolved"),
        f"corp.example.test\\{manifest.user_sam(2)}": (False, "resolved"),
        f"CORPAD\\{_cn(manifest.top_group_dn)}": (True, "resolved"),  # an alias, configured
        f"CORP\\{disabled_sam}": (False, "disabled"),
        "CORP\\deleted-group": (True, "unresolved"),
        f"CORP\\{manifest.user_sam(3)}": (True, "unresolved"),  # a user granted as a group
        "VSPHERE.LOCAL\\Administrators": (True, "external"),
        "OTHERCORP\\ops": (True, "external"),
    }
    with (
        VcsimServer(ensure_vcsim_binary(), cluster=1, host=1, vm=1) as sim,
        SambaDC(template, ADDRESS) as dc,
    ):
        si = SmartConnect(
            host=sim.host,
            port=sim.port,
            user=sim.username,
            pwd=sim.password,
            disableSslCertValidation=True,
        )
        try:
            content = si.RetrieveContent()
            view = content.viewManager.CreateContainerView(
                content.rootFolder, [vim.Datacenter], True
            )
            dc0 = view.view[0]
            view.Destroy()
            perm = vim.AuthorizationManager.Permission
            content.authorizationManager.SetEntityPermissions(
                dc0,
                [
                    perm(entity=dc0, principal=p, group=g, roleId=-2, propagate=True)
                    for p, (g, _) in grants.items()
                ],
            )
        finally:
            Disconnect(si)
        yield sim, dc, manifest, grants


def test_principals_resolve_classify_and_link(
    neo4j_instance: Neo4jInstance,
    graph: Any,
    estate: tuple[VcsimServer, SambaDC, Manifest, dict[str, tuple[bool, str]]],
) -> None:
    sim, dc, manifest, grants = estate
    env = {
        **neo4j_instance.env,
        "VC_PW": sim.password,
        "AD_PW": dc.admin_password,
        "AUTHMAP_AD_DOMAIN_ALIASES": '{"corpad": "corp"}',
    }
    vc = run_cli(
        "ingest",
        "vcenter",
        "--server",
        f"{sim.host}:{sim.port}",
        "--user",
        sim.username,
        "--password-env",
        "VC_PW",
        "--insecure",
        env=env,
    )
    assert vc.returncode == 0, vc.stderr
    # Before the directory is collected every domain is unknown: nothing is an orphan yet.
    before = _query(
        neo4j_instance,
        "MATCH (p:Permission) WHERE p.principal STARTS WITH 'CORP\\\\'"
        " RETURN DISTINCT p.principal_status AS s",
    )
    assert before == [{"s": "external"}]
    ad = run_cli(
        "ingest",
        "ad",
        "--server",
        dc.ldaps_url,
        "--ca-file",
        str(dc.ca_file),
        "--user",
        dc.admin_dn,
        "--password-env",
        "AD_PW",
        env=env,
    )
    assert ad.returncode == 0, ad.stderr
    assert "unresolved" in ad.stdout  # the derive summary
    rows = _query(
        neo4j_instance,
        """
        MATCH (p:Permission)
        OPTIONAL MATCH (p)-[:GRANTED_TO]->(a:ADPrincipal)
        RETURN p.principal AS principal, p.principal_status AS status, a.dn AS target""",
    )
    got = {r["principal"]: (r["status"], r["target"]) for r in rows}
    for principal, (_, status) in grants.items():
        assert got[principal][0] == status, principal
        assert (got[principal][1] is not None) == (status in ("resolved", "disabled")), principal
    assert got[f"CORP\\{_cn(manifest.big_group_dn)}"][1].lower() == manifest.big_group_dn.lower()
    assert got[manifest.service_account_upn][1].lower() == manifest.service_account_dn.lower()
    # Re-deriving changes nothing (one GRANTED_TO per resolved permission).
    again = run_cli("derive", env=env, check=True)
    assert "resolved" in again.stdout
    links = _query(
        neo4j_instance,
        "MATCH (p:Permission)-[g:GRANTED_TO]->() RETURN count(g) AS n, count(DISTINCT p) AS p",
    )
    assert (
        links[0]["n"]
        == links[0]["p"]
        == sum(1 for _, s in grants.values() if s in ("resolved", "disabled"))
    )

    audit = json.loads(
        run_cli("audit", "--only", "orphaned-principals", "--format", "json", env=env).stdout
    )["audits"][0]
    orphaned = {p for p, (_, s) in grants.items() if s in ("unresolved", "disabled")}
    assert {f["principal"] for f in audit["findings"]} == orphaned
    in_directory = {p for p, (_, s) in grants.items() if s != "external"}
    assert (audit["count"], audit["total"]) == (len(orphaned), len(in_directory))
