"""``authmap collect/ingest sharphound``: SharpHound CE collections as an Active Directory source.

* The project's real Samba domain, collected by both paths: authmap's LDAP collector, and a
  SharpHound-format collection of the same directory (SharpHound is a .NET tool for Windows
  hosts and cannot run here, so ``tests.support.sharphound_samba`` reads the real Samba over
  LDAP and writes SharpHound CE's format). The records are equal: users, groups, memberships,
  primary groups, domain identity. Loaded into the real Neo4j one after the other, the
  SharpHound run reaches the LDAP run's nodes (no new principal, the same memberships).
* BloodHound CE's own SharpHound test data (``tests/fixtures/bloodhound/``, versions 5 and 6)
  loads with one record per object of each file, and each ``meta.count`` that disagrees with
  its file is reported.
* Bad files are one clear line, exit 2, and the graph is untouched.
* The export of a Samba + vcsim scenario (vCenter permissions granted to the domain's real
  users and groups) validates against BloodHound's schemas, its AD edges start at SIDs the
  directory holds, and its control edges agree with ``authmap who-can``.
"""

from __future__ import annotations

import json
import ssl
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ldap3 import DSA, SIMPLE, Connection, Server, Tls
from pyVim.connect import Disconnect
from pyVmomi import vim

from app.snapshot import iter_records, validate
from tests.conftest import REPO, Neo4jInstance, query, run_cli
from tests.support.bloodhound_checks import (
    check_edge_ends,
    check_schema,
    control_edges,
    expected_control_edges,
    export,
)
from tests.support.ingest import ingest_ad, ingest_vcenter
from tests.support.samba_ad import DirectorySpec, SambaDC, directory_template
from tests.support.sharphound_samba import SambaToSharpHound
from tests.support.vcsim import VcsimServer, ensure_vcsim_binary
from tests.support.vsphere import add_roles, connect, find, set_permissions

ADDRESS = "127.0.0.46"
FIXTURES = REPO / "tests" / "fixtures" / "bloodhound"


@pytest.fixture(scope="module")
def samba(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SambaDC, Path, Path]]:
    """Samba, its LDAP snapshot (authmap's collector) and its SharpHound-format zip."""
    template, _ = directory_template(DirectorySpec())
    out = tmp_path_factory.mktemp("sharphound")
    with SambaDC(template, ADDRESS) as dc:
        tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=str(dc.ca_file))
        server = Server(dc.address, port=636, use_ssl=True, tls=tls, get_info=DSA)
        conn = Connection(
            server,
            user=dc.admin_dn,
            password=dc.admin_password,
            authentication=SIMPLE,
            auto_bind=True,
            auto_range=True,
        )
        try:
            collection = SambaToSharpHound(conn, dc.base_dn).write_zip(out / "corp.zip")
        finally:
            conn.unbind()
        proc = run_cli(
            "collect", "ad", "--server", dc.ldaps_url, "--ca-file", str(dc.ca_file),
            "--user", dc.admin_dn, "--password-env", "AD_PW", "--out", str(out / "ldap.jsonl"),
            env={"AD_PW": dc.admin_password},
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        yield dc, out / "ldap.jsonl", collection


def _collect(source: Path, out: Path) -> list[Any]:
    proc = run_cli("collect", "sharphound", str(source), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return list(iter_records(out))


def _by_kind(records: list[Any], kind: str) -> dict[str, Any]:
    return {r.id: r for r in records if r.kind == kind}


def _view(record: Any, fields: tuple[str, ...]) -> tuple[Any, ...]:
    values = [getattr(record, f) for f in fields]
    return tuple(sorted(v) if isinstance(v, list) else v for v in values)


USER = (
    "sid",
    "dn_key",
    "account_key",
    "domain",
    "enabled",
    "primary_group_sid",
    "display_name",
    "mail",
)
GROUP = ("sid", "dn_key", "account_key", "domain", "members", "member_count")
COMPUTER = ("sid", "dn_key", "account_key", "domain", "enabled")


def test_sharphound_collection_equals_the_ldap_collection(
    samba: tuple[SambaDC, Path, Path], tmp_path: Path
) -> None:
    dc, ldap_path, collection = samba
    ldap = list(iter_records(ldap_path))
    shound = _collect(collection, tmp_path / "sharphound.jsonl")
    summary = validate(tmp_path / "sharphound.jsonl")
    assert summary.header.source.kind == "ad"
    assert summary.header.source.id == f"sharphound:{dc.dns_domain.lower()}"
    assert summary.trailer.complete, summary.trailer.gaps
    for kind, fields in (("ADUser", USER), ("ADGroup", GROUP), ("ADComputer", COMPUTER)):
        expected, got = _by_kind(ldap, kind), _by_kind(shound, kind)
        assert len(expected) > 0 and set(got) == set(expected), kind
        for rid, record in expected.items():
            assert _view(got[rid], fields) == _view(record, fields), (kind, rid)
            assert got[rid].name.lower() == record.name.lower()
    [domain] = _by_kind(shound, "ADDomain").values()
    [oracle] = _by_kind(ldap, "ADDomain").values()
    assert _view(domain, ("id", "sid", "netbios_name", "dns_name")) == _view(
        oracle, ("id", "sid", "netbios_name", "dns_name")
    )
    users = _by_kind(ldap, "ADUser").values()
    assert sum(1 for u in users if not u.enabled) > 0
    assert len({u.primary_group_sid for u in users}) > 1  # not only Domain Users
    members = [m for g in _by_kind(ldap, "ADGroup").values() for m in g.members]
    assert len(members) > 2000


def test_loaded_after_ldap_the_same_nodes_are_reached(
    neo4j_instance: Neo4jInstance, samba: tuple[SambaDC, Path, Path]
) -> None:
    dc, _, collection = samba
    query(neo4j_instance, "MATCH (n) DETACH DELETE n")
    ingest_ad(neo4j_instance, dc)
    counts = (
        "MATCH (p:ADPrincipal) WITH count(p) AS principals "
        "MATCH (:ADPrincipal)-[m:MEMBER_OF]->(:ADGroup) WITH principals, count(m) AS memberships "
        "MATCH (:ADUser)-[h:HAS_PRIMARY_GROUP]->() "
        "RETURN principals, memberships, count(h) AS primary"
    )
    before = query(neo4j_instance, counts)
    proc = run_cli("ingest", "sharphound", str(collection), env=neo4j_instance.env)
    assert proc.returncode == 0, proc.stderr
    assert "complete" in proc.stdout
    assert query(neo4j_instance, counts) == before
    runs = query(neo4j_instance, "MATCH (r:SyncRun) RETURN r.source_id AS id ORDER BY id")
    assert [r["id"] for r in runs] == ["forest:corp.example.test", "sharphound:corp.example.test"]


@pytest.mark.parametrize("version", ["v5", "v6"])
def test_public_sample_loads_one_record_per_object(version: str, tmp_path: Path) -> None:
    source = FIXTURES / f"sharphound-{version}"
    records = _collect(source, tmp_path / "sample.jsonl")
    files = {p.name: json.loads(p.read_text()) for p in source.glob("*.json")}
    kinds = {
        "users": "ADUser",
        "groups": "ADGroup",
        "computers": "ADComputer",
        "domains": "ADDomain",
    }
    for doc in files.values():
        kind = kinds[doc["meta"]["type"]]
        assert len(_by_kind(records, kind)) == len(doc["data"]), kind
        sids = {r.sid for r in records if r.kind == kind}
        assert sids == {d["ObjectIdentifier"].rpartition("LOCAL-")[2] for d in doc["data"]}
    gaps = {g.what: g.reason for g in validate(tmp_path / "sample.jsonl").trailer.gaps}
    for name, doc in files.items():
        meta = doc["meta"]
        if meta.get("count") is not None and meta["count"] != len(doc["data"]):
            assert (
                gaps[f"{name} meta.count"]
                == f"says {meta['count']}, the file holds {len(doc['data'])}"
            )
    admin = next(r for r in records if r.kind == "ADUser" and r.sid.endswith("-500"))
    assert admin.account_key == "testlab\\administrator"
    assert admin.primary_group_sid == "S-1-5-21-3130019616-2776909439-2417379446-513"


def _bad_files(tmp: Path) -> dict[str, tuple[Path, str]]:
    users = json.loads((FIXTURES / "sharphound-v6" / "users.json").read_text())
    cases: dict[str, tuple[Path, str]] = {}
    (tmp / "notzip.zip").write_text("hello")
    cases["not a zip"] = (tmp / "notzip.zip", "not a zip file nor a directory")
    with zipfile.ZipFile(tmp / "badjson.zip", "w") as z:
        z.writestr("x_users.json", '{"meta": {')
    cases["not JSON"] = (tmp / "badjson.zip", "x_users.json: not JSON")
    with zipfile.ZipFile(tmp / "v4.zip", "w") as z:
        z.writestr("x_users.json", json.dumps({**users, "meta": {**users["meta"], "version": 4}}))
    cases["version"] = (tmp / "v4.zip", "meta.version 4 is not supported")
    with zipfile.ZipFile(tmp / "noid.zip", "w") as z:
        z.writestr("x_users.json", json.dumps({**users, "data": [{"Properties": {}}]}))
    cases["no id"] = (tmp / "noid.zip", "data[0] has no ObjectIdentifier")
    cases["missing"] = (tmp / "nope.zip", "no such file or directory")
    return cases


def test_bad_files_are_one_line_exit_2_and_the_graph_untouched(
    neo4j_instance: Neo4jInstance, tmp_path: Path
) -> None:
    count = "MATCH (n) RETURN count(n) AS n"
    before = query(neo4j_instance, count)
    for case, (path, message) in _bad_files(tmp_path).items():
        proc = run_cli("ingest", "sharphound", str(path), env=neo4j_instance.env)
        assert proc.returncode == 2, (case, proc.stdout, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0], case
        assert "Traceback" not in proc.stderr
    assert query(neo4j_instance, count) == before


def _grant_to_the_domain(sim: VcsimServer) -> None:
    """Permissions for the Samba domain's users and groups, with a custom role and a mask."""
    manifest = directory_template(DirectorySpec())[1]
    # a nested group (its members come through another group), small enough for who-can per
    # entity to stay quick; the big group's scale is test_principal_resolution's
    group = "CORP\\" + manifest.chain_group_dns[1].split(",", 1)[0].split("=", 1)[1]
    operator, delegate = (f"CORP\\{manifest.user_sam(i)}" for i in (1, 2))
    si = connect(sim)
    try:
        content = si.RetrieveContent()
        auth = content.authorizationManager
        roles = add_roles(
            auth,
            {
                "bh-vm-operator": [
                    "VirtualMachine.Interact.PowerOff",
                    "VirtualMachine.Interact.ConsoleInteract",
                    "VirtualMachine.Config.Settings",
                ],
                "bh-delegate": ["Authorization.ModifyPermissions"],
            },
        )
        objects = {
            "DC0": find(content, vim.Datacenter, "DC0"),
            "DC0_C0": find(content, vim.ClusterComputeResource, "DC0_C0"),
            "VM0": find(content, vim.VirtualMachine, "DC0_C0_RP0_VM0"),
            "VM1": find(content, vim.VirtualMachine, "DC0_C0_RP0_VM1"),
        }
        set_permissions(
            auth,
            objects,
            [
                (group, True, "Admin", "DC0", True),
                (operator, False, "bh-vm-operator", "DC0_C0", True),
                (operator, False, "NoAccess", "VM1", False),  # masks the group's Admin too
                (delegate, False, "bh-delegate", "VM0", False),
                (manifest.service_account_upn, False, "ReadOnly", "DC0_C0", True),
            ],
            roles,
        )
    finally:
        Disconnect(si)


def test_export_of_a_samba_and_vcsim_scenario(
    neo4j_instance: Neo4jInstance, samba: tuple[SambaDC, Path, Path], tmp_path: Path
) -> None:
    dc, ldap_path, _ = samba
    query(neo4j_instance, "MATCH (n) DETACH DELETE n")
    ingest_ad(neo4j_instance, dc)
    with VcsimServer(ensure_vcsim_binary(), cluster=1, host=1, vm=2) as sim:
        _grant_to_the_domain(sim)
        ingest_vcenter(neo4j_instance, sim)
    document = export(neo4j_instance, tmp_path)
    check_schema(document)
    directory = {sid for r in iter_records(ldap_path) if (sid := getattr(r, "sid", None))}
    assert check_edge_ends(document, directory) >= 4  # the group and three users
    exported = control_edges(document)
    assert exported == expected_control_edges(neo4j_instance)
    kinds = {kind for (_, _, kind) in exported}
    assert {"VS_AdminTo", "VS_CanPowerOff", "VS_CanConsole", "VS_CanReconfigure"} <= kinds
    assert "VS_CanModifyPermissions" in kinds
    vm1 = query(
        neo4j_instance, "MATCH (v:VirtualMachine {name: 'DC0_C0_RP0_VM1'}) RETURN v.id AS id"
    )[0]["id"]
    operator = query(
        neo4j_instance,
        "MATCH (u:ADUser) WHERE u.account_key = $k RETURN u.sid AS sid",
        k=f"corp\\{directory_template(DirectorySpec())[1].user_sam(1)}",
    )[0]["sid"]
    assert not any(s == operator and e == vm1 for (s, e, _) in exported)  # NoAccess masks
