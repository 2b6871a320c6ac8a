"""The NSX collector against the replay server (documented Policy API payloads over HTTPS):
cursor paging, what each object becomes, edge cases (ANY, raw IPs, nested and conjunction
expressions, system-owned defaults, marked-for-delete, project paths), retries only for
transient errors, gaps for the rest, TLS and auth, and the hierarchical export reader."""

from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from app.records import Record
from app.records import nsx as r
from ingest.nsx import (
    NsxClient,
    NsxConnectionError,
    NsxExportError,
    NsxTarget,
    check_url,
    collect_export,
    collect_nsx,
    source_id,
)
from tests.support.nsx_replay import FIXTURES, PASSWORD, POLICY, USER, NsxReplay

D = "/infra/domains/default"
P = "/orgs/default/projects/dev"
EXPORTS = [FIXTURES / "infra-export.json", FIXTURES / "project-dev-export.json"]


def _target(nsx: NsxReplay, **overrides: Any) -> NsxTarget:
    values: dict[str, Any] = {
        "url": nsx.url,
        "user": USER,
        "password": PASSWORD,
        "ca_file": nsx.ca_file,
        "retry_wait": 0.0,
        **overrides,
    }
    return NsxTarget(**values)


def collect(nsx: NsxReplay, **overrides: Any) -> tuple[list[Record], list[tuple[Any, ...]]]:
    """Collect from the replay server; return the records and the gaps."""
    target = _target(nsx, **overrides)
    records: list[Record] = []
    gaps: list[tuple[Any, ...]] = []
    with NsxClient(target) as client:
        client.login()
        collect_nsx(client, source_id(target.host), records.append, lambda *g: gaps.append(g))
    return records, gaps


def by_path(records: list[Record]) -> dict[str, Any]:
    """Records by policy path (VMs by ``vm:<name>``)."""
    out: dict[str, Any] = {}
    for record in records:
        key = getattr(record, "path", None) or f"vm:{getattr(record, 'display_name', '')}"
        out[key] = record
    return out


def test_every_list_is_read_page_by_page_with_the_cursor() -> None:
    with NsxReplay(max_page_size=2) as nsx:
        records, gaps = collect(nsx)
        requests = list(nsx.requests)
    assert gaps == []
    assert Counter(rec.kind for rec in records) == {
        "NsxProject": 1,
        "NsxTier0": 1,
        "NsxTier1": 2,
        "NsxSegment": 4,
        "NsxService": 6,
        "NsxGroup": 6,
        "NsxSecurityPolicy": 6,
        "NsxRule": 11,
        "NsxVirtualMachine": 6,
    }
    services = [q for q in requests if q.path == f"{POLICY}/infra/services"]
    # 6 services in pages of 2: the first request has no cursor, the next two follow it.
    assert len(services) == 3
    assert "cursor" not in services[0].params
    assert [q.params.get("cursor") is not None for q in services] == [False, True, True]
    assert {q.auth for q in requests} == {"basic"}
    assert all(q.params.get("page_size") == "1000" for q in requests if q.path != f"{POLICY}/infra")


def test_objects_become_records_with_their_edge_cases() -> None:
    with NsxReplay() as nsx:
        records, _ = collect(nsx)
        prefix = source_id(_target(nsx).host)
    got = by_path(records)
    ids = lambda path: f"{prefix}:{path}"  # noqa: E731
    # Marked for delete: the Tier-1, the group and the rule NSX is removing are skipped.
    assert "/infra/tier-1s/t1-old" not in got
    assert f"{D}/groups/retired" not in got
    assert f"{D}/security-policies/app-tier/rules/stale-rule" not in got
    # The default project is the /infra tree; only real projects are records.
    assert [rec.nsx_id for rec in records if isinstance(rec, r.NsxProject)] == ["dev"]

    seg = got["/infra/segments/app-seg"]
    assert (seg.connectivity, seg.subnets, seg.gateway_addresses, seg.vlan_ids) == (
        ids("/infra/tier-1s/t1-prod"),
        ["10.10.2.0/24"],
        ["10.10.2.1/24"],
        [],
    )
    assert got["/infra/segments/db-vlan120"].vlan_ids == ["120"]
    assert got["/infra/segments/db-vlan120"].tags == ["tier|db"]
    assert got["/infra/tier-1s/t1-prod"].tier0 == ids("/infra/tier-0s/t0-core")
    assert got["/infra/services/app-8443"].service_entries == ["TCP dst 8443,8444-8445"]
    assert got["/infra/services/ICMP-ALL"].service_entries == ["ICMPv4 type any"]

    db = got[f"{D}/groups/db"]
    assert db.criteria == (
        "(VirtualMachine Tag EQUALS 'app|db' OR VirtualMachine Name CONTAINS 'sql') "
        "AND VirtualMachine Tag EQUALS 'prod' (scope EQUALS)"
    )
    assert json.loads(db.expression)[0]["resource_type"] == "NestedExpression"
    allprod = got[f"{D}/groups/all-prod"]
    assert allprod.includes == sorted(
        ids(p) for p in (f"{D}/groups/web", f"{D}/groups/app", "/infra/segments/db-vlan120")
    )
    assert len(allprod.members) == 4
    assert got[f"{D}/groups/mgmt-ips"].ip_addresses == ["10.0.0.0/24", "192.168.10.5"]

    ssh = got[f"{D}/security-policies/mgmt-access/rules/allow-mgmt-ssh"]
    assert (ssh.source_any, ssh.source_groups, ssh.source_addresses) == (
        False,
        [ids(f"{D}/groups/mgmt-ips")],
        ["172.16.5.10", "172.16.6.0/24"],
    )
    assert (ssh.notes, ssh.log_label, ssh.scope) == ("jump hosts and the mgmt range", "mgmt", [])
    lb = got[f"{D}/security-policies/web-tier/rules/allow-lb-to-web"]
    assert (lb.source_any, lb.destination_any, lb.direction) == (True, False, "IN")
    assert lb.scope == [ids(f"{D}/groups/web")]  # rule-level applied-to
    assert got[f"{D}/security-policies/app-tier"].scope == [
        ids(f"{D}/groups/app"),
        ids(f"{D}/groups/db"),
    ]  # policy-level applied-to
    default = got[f"{D}/security-policies/default-layer3-section/rules/default-layer3-rule"]
    assert (default.system_owned, default.source_any, default.destination_any) == (
        True,
        True,
        True,
    )
    assert (
        default.services_any and got[f"{D}/security-policies/default-layer3-section"].system_owned
    )
    assert got[f"{D}/security-policies/app-tier/rules/old-mgmt-rule"].disabled is True
    gw = got[f"{D}/gateway-policies/t1-prod-edge"]
    assert (gw.policy_type, gw.category) == ("gateway", "LocalGatewayRules")

    dev_rule = got[f"{P}/infra/domains/default/security-policies/dev-policy/rules/dev-allow-https"]
    assert dev_rule.project == ids(P)
    assert dev_rule.id == ids(
        f"{P}/infra/domains/default/security-policies/dev-policy/rules/dev-allow-https"
    )
    assert dev_rule.services == [ids("/infra/services/HTTPS")]  # a shared default service
    assert got["vm:web-01"].tags == ["app|web", "env|prod"]
    assert got["vm:db-01"].tags == ["app|db", "|prod"]
    assert got["vm:jump-01"].external_id == "5008a2a9-7c43-4a3e-8a0e-1c2f3b4d5e05"


def test_server_error_mid_paging_is_a_gap_and_keeps_the_first_page() -> None:
    rules = f"{POLICY}{D}/security-policies/app-tier/rules"
    with NsxReplay(max_page_size=2) as nsx:
        nsx.fail(rules, page=1, statuses=[500] * 10)
        records, gaps = collect(nsx)
        tries = [q for q in nsx.requests if q.path == rules]
    assert len(tries) == 2  # a 500 is not transient: no retry
    assert len(gaps) == 1
    what, reason, entity = gaps[0]
    assert what == "NsxRule" and entity == f"{D}/security-policies/app-tier"
    assert "HTTP 500" in reason and "(page 2)" in reason and PASSWORD not in reason
    names = {rec.nsx_id for rec in records if isinstance(rec, r.NsxRule)}
    assert {"allow-app-to-db", "block-web-to-db"} <= names
    assert "old-mgmt-rule" not in names
    assert "allow-web-to-app" in names  # the walk went on


def test_transient_errors_are_retried_and_the_collection_completes() -> None:
    segments = f"{POLICY}/infra/segments"
    with NsxReplay(max_page_size=2) as nsx:
        nsx.fail(segments, page=1, statuses=[503, 429])
        records, gaps = collect(nsx)
        tries = [q for q in nsx.requests if q.path == segments]
    assert gaps == []
    assert len(tries) == 2 + 2  # two pages, the second asked three times
    assert len([rec for rec in records if isinstance(rec, r.NsxSegment)]) == 4


def test_retries_give_up_into_a_gap() -> None:
    with NsxReplay(max_page_size=2) as nsx:
        nsx.fail(f"{POLICY}/infra/tier-0s", statuses=[503] * 10)
        records, gaps = collect(nsx, retries=3)
        tries = [q for q in nsx.requests if q.path == f"{POLICY}/infra/tier-0s"]
    assert len(tries) == 3
    assert [(g[0], "HTTP 503" in g[1]) for g in gaps] == [("NsxTier0", True)]
    assert not [rec for rec in records if isinstance(rec, r.NsxTier0)]


def test_session_login_uses_the_cookie_and_xsrf_token() -> None:
    with NsxReplay() as nsx:
        records, gaps = collect(nsx, session=True)
        auths = [q.auth for q in nsx.requests]
        paths = [q.path for q in nsx.requests]
    assert gaps == [] and len(records) == 43
    assert paths[0] == "/api/session/create" and paths[-1] == "/api/session/destroy"
    assert set(auths[1:-1]) == {"session"}


def test_bad_credentials_tls_and_urls_fail_clearly(caplog: pytest.LogCaptureFixture) -> None:
    with NsxReplay() as nsx:
        with pytest.raises(
            NsxConnectionError, match=r"refused .* for user 'audit-ro' \(HTTP 403\)"
        ):
            collect(nsx, password="wrong")
        with pytest.raises(NsxConnectionError, match="refused"):
            collect(nsx, password="wrong", session=True)
        with pytest.raises(NsxConnectionError, match=r"TLS verification of NSX manager .* failed"):
            collect(nsx, ca_file=None)
        with caplog.at_level(logging.WARNING):
            records, _ = collect(nsx, ca_file=None, insecure=True)
        assert records and "TLS verification of 127.0.0.1" in caplog.text and "OFF" in caplog.text
    with pytest.raises(NsxConnectionError, match="plain HTTP"):
        check_url("http://nsx.example")
    with pytest.raises(NsxConnectionError, match="https://HOST"):
        check_url("https://nsx.example/policy/api")
    assert check_url("https://nsx.example:8443") == "https://nsx.example:8443"


def test_export_gives_the_same_configuration_as_the_live_walk(tmp_path: Path) -> None:
    with NsxReplay() as nsx:
        live, _ = collect(nsx)
        source = source_id(_target(nsx).host)
    from_file: list[Record] = []
    gaps: list[tuple[Any, ...]] = []
    collect_export(EXPORTS, source, from_file.append, lambda *g: gaps.append(g))
    expected = {
        rec.id: (
            rec.model_copy(update={"members": [], "members_from_nsx": False})
            if isinstance(rec, r.NsxGroup)
            else rec
        )
        for rec in live
        if not isinstance(rec, r.NsxVirtualMachine)
    }
    assert {rec.id: rec for rec in from_file} == expected
    assert [g[0] for g in gaps] == ["NsxVirtualMachine"]  # configuration only: partial
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"results": []}))
    with pytest.raises(NsxExportError, match="not a hierarchical Policy API export"):
        collect_export([bad], source, from_file.append, lambda *g: None)
