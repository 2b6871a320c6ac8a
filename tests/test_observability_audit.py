"""The visibility-fragmentation audit and the report's visibility section, on the vcsim
observability scenario (tests/support/observability.py) ingested through the CLI: walking
alarms and routes through the ownership lifecycle moves the audit by exactly the expected
amounts, a test alert records when and by whom, and a vanished alarm uncovers its VMs again.

Scenario numbers: 12 observability decisions (7 alarms: vcsim's 3 predefined ones on the
root folder and 4 created; SMTP, SNMP and retention routes; 2 host syslog routes) and 4 VMs,
so the audit starts at 16 findings of 16.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pyVim.connect import Disconnect

from tests.conftest import Neo4jInstance
from tests.support.ingest import ingest_vcenter
from tests.support.observability import build_observability_scenario, observability_vcsim
from tests.support.vcsim import VcsimServer
from tests.support.vsphere import connect

AUDIT = "visibility-fragmentation"


@pytest.fixture(scope="module")
def scenario() -> Iterator[VcsimServer]:
    with observability_vcsim() as sim:
        build_observability_scenario(sim)
        yield sim


def _ingest(instance: Neo4jInstance, sim: VcsimServer) -> None:
    ingest_vcenter(instance, sim)


def _audits(instance: Neo4jInstance) -> dict[str, dict[str, Any]]:
    proc = instance.cli("audit", "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr
    return {a["id"]: a for a in json.loads(proc.stdout)["audits"]}


def _counts(instance: Neo4jInstance) -> dict[str, tuple[int, int]]:
    return {i: (a["count"], a["total"]) for i, a in _audits(instance).items()}


def _visibility(instance: Neo4jInstance) -> dict[str, dict[str, Any]]:
    """The audit's findings by decision (or VM) id."""
    return {f["decision_id"]: f for f in _audits(instance)[AUDIT]["findings"]}


def _decision(instance: Neo4jInstance, prefix: str) -> str:
    """The id of the observability decision whose summary starts with ``prefix``."""
    proc = instance.cli(
        "decisions", "list", "--category", "observability", "--format", "json", check=True
    )
    return str(next(d["id"] for d in json.loads(proc.stdout) if d["summary"].startswith(prefix)))


def _walk(instance: Neo4jInstance, decision: str, team: str, rule: str) -> None:
    """Assign, accept, enforce and verify by a passing test alert."""
    cli = instance.cli
    cli("decisions", "assign", decision, "--team", team, check=True)
    cli("decisions", "accept", decision, check=True)
    cli(
        "decisions",
        "enforce",
        decision,
        "--platform",
        "prom",
        "--kind",
        "alert-rule",
        "--reference",
        rule,
        check=True,
    )
    cli("decisions", "verify", decision, "--method", "test_alert", "--result", "pass", check=True)


def _uncovered(findings: dict[str, dict[str, Any]]) -> list[str]:
    return sorted(f["summary"].split()[1] for f in findings.values() if f["category"] == "vm")


def test_report_has_a_visibility_section(
    neo4j_instance: Neo4jInstance, graph: Any, scenario: VcsimServer, tmp_path: Path
) -> None:
    _ingest(neo4j_instance, scenario)
    cpu = _decision(neo4j_instance, 'Alarm "Host CPU high"')
    neo4j_instance.cli("teams", "add", "compute-oncall", check=True)
    neo4j_instance.cli("platforms", "add", "prom", "--kind", "Prometheus", check=True)
    _walk(neo4j_instance, cpu, "compute-oncall", "PrometheusRule HostCpuHigh")
    decisions = json.loads(
        neo4j_instance.cli(
            "decisions", "list", "--category", "observability", "--format", "json", check=True
        ).stdout
    )
    n = len(decisions)
    assert _counts(neo4j_instance)[AUDIT] == (n - 1 + 2, n + 4)
    neo4j_instance.cli("report", "--out", str(tmp_path / "r"), check=True)
    markdown = (tmp_path / "r" / "readiness.md").read_text()
    assert f"| observability | {n} | 1 | 1 | 1 |" in markdown
    section = markdown.split("## Visibility: alarms and notification routes\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    assert (
        f"**1 of {n}** vCenter alarms and notification routes have a verified replacement on "
        "the target; **2 of 4** VMs are covered by an alarm whose replacement is verified."
    ) in section
    lines = section.splitlines()
    assert "| kind | decision | status | gap | VMs affected | summary |" in lines
    rows = [line for line in lines if line.startswith("| ") and not line.startswith("| kind |")]
    assert len(rows) == n - 1 and not any(cpu in row for row in rows)
    assert all(row.split(" | ")[3] == "no accepted owner" for row in rows)
    assert sorted(line for line in section.splitlines() if line.startswith("- VM ")) == [
        "- VM DC0_H0_VM0 is covered by no verified alarm on the target (6 vCenter alarm(s) "
        "watched it)",
        "- VM DC0_H0_VM1 is covered by no verified alarm on the target (5 vCenter alarm(s) "
        "watched it)",
    ]
    assert "| visibility-fragmentation | high | 13 | 16 |" in markdown
    page = (tmp_path / "r" / "readiness.html").read_text()
    assert "<h2>Visibility: alarms and notification routes</h2>" in page
    assert "2 of 4 VMs are covered" in page


def test_visibility_audit_moves_with_the_lifecycle(
    neo4j_instance: Neo4jInstance, graph: Any, scenario: VcsimServer
) -> None:
    """Runs last in this module: it removes an alarm from the scenario."""
    _ingest(neo4j_instance, scenario)
    cli = neo4j_instance.cli
    start = _counts(neo4j_instance)
    assert start[AUDIT] == (16, 16)
    findings = _visibility(neo4j_instance)
    assert _uncovered(findings) == [
        "DC0_C0_RP0_VM0",
        "DC0_C0_RP0_VM1",
        "DC0_H0_VM0",
        "DC0_H0_VM1",
    ]
    assert all(f["gap"] == "no accepted owner" for f in findings.values() if f["category"] != "vm")
    vm_finding = next(f for f in findings.values() if f["summary"].startswith("VM DC0_H0_VM0 "))
    # Watched in vCenter by the 3 predefined alarms, Datastore trouble, DB VM reset and the
    # (disabled) standalone memory alarm.
    assert vm_finding["summary"] == (
        "VM DC0_H0_VM0 is covered by no verified alarm on the target (6 vCenter alarm(s) "
        "watched it)"
    )
    cpu = _decision(neo4j_instance, 'Alarm "Host CPU high"')
    cli("teams", "add", "compute-oncall", "--contact", "compute-oncall@corp.example", check=True)
    cli("platforms", "add", "prom", "--kind", "Prometheus + Alertmanager", check=True)

    def step(*args: str) -> dict[str, tuple[int, int]]:
        cli("decisions", *args, check=True)
        return _counts(neo4j_instance)

    # Owning and mapping an alarm does not cover anything until a test alert is verified.
    assert step("assign", cpu, "--team", "compute-oncall") == start
    after_accept = step("accept", cpu)
    assert after_accept[AUDIT] == (16, 16)
    assert after_accept["authority-vacuum"] == (
        start["authority-vacuum"][0] - 1,
        start["authority-vacuum"][1],
    )
    assert _visibility(neo4j_instance)[cpu]["gap"] == "no replacement recorded"
    rule = "PrometheusRule HostCpuHigh -> Alertmanager route compute-oncall"
    after_enforce = step(
        "enforce", cpu, "--platform", "prom", "--kind", "alert-rule", "--reference", rule
    )
    assert after_enforce[AUDIT] == (16, 16)
    assert _visibility(neo4j_instance)[cpu]["gap"] == "replacement not verified"
    failed = step(
        "verify",
        cpu,
        "--method",
        "test_alert",
        "--result",
        "fail",
        "--actor",
        "bob",
        "--at",
        "2026-03-02T09:40:00",
        "--note",
        "no page arrived",
    )
    assert failed[AUDIT] == (16, 16)
    passed = step(
        "verify",
        cpu,
        "--method",
        "test_alert",
        "--result",
        "pass",
        "--actor",
        "alice",
        "--at",
        "2026-03-02T10:15:00",
        "--note",
        "test alert reached compute-oncall",
    )
    # The decision and the two cluster VMs it covers leave the audit: 16 - 1 - 2.
    assert passed[AUDIT] == (13, 16)
    assert _uncovered(_visibility(neo4j_instance)) == ["DC0_H0_VM0", "DC0_H0_VM1"]
    assert passed["authority-vacuum"] == after_accept["authority-vacuum"]
    assert passed["unverified-before-drill"] == start["unverified-before-drill"]
    # When and by whom the test alert was verified is kept (owners file and event log).
    owners = yaml.safe_load(cli("owners", "export", check=True).stdout)
    entry = next(d for d in owners["decisions"] if d["id"] == cpu)
    assert entry["status"] == "verified"
    assert entry["enforcement"]["reference"] == rule
    assert entry["enforcement"]["kind"] == "alert-rule"
    assert (entry["verification"]["method"], entry["verification"]["by"]) == (
        "test_alert",
        "alice",
    )
    assert entry["verification"]["at"].startswith("2026-03-02T10:15:00")
    log = json.loads(cli("events", "--decision", cpu, "--json", check=True).stdout)
    assert [(e["action"], e["actor"], e["detail"]) for e in log[:2]] == [
        ("verify", "alice", "test_alert: pass"),
        ("verify", "bob", "test_alert: fail"),
    ]
    # A predefined root alarm covers every VM: the two left are covered, and it leaves too.
    vm_error = _decision(neo4j_instance, 'Alarm "Virtual machine error"')
    cli("teams", "add", "noc", check=True)
    _walk(neo4j_instance, vm_error, "noc", "PrometheusRule VmError -> route noc")
    assert _counts(neo4j_instance)[AUDIT] == (10, 16)
    assert _uncovered(_visibility(neo4j_instance)) == []
    # A verified route leaves the audit but covers no VM.
    syslog = _decision(neo4j_instance, "Host DC0_H0 forwards")
    _walk(neo4j_instance, syslog, "noc", "Loki pipeline esx-syslog -> route noc")
    assert _counts(neo4j_instance)[AUDIT] == (9, 16)
    remaining = _visibility(neo4j_instance)
    assert len(remaining) == 9 and {cpu, vm_error, syslog}.isdisjoint(remaining)
    # A re-ingest changes nothing.
    _ingest(neo4j_instance, scenario)
    assert _counts(neo4j_instance)[AUDIT] == (9, 16)
    # The verified root alarm vanishes from vCenter: its decision retires (leaves the total)
    # and the two standalone VMs it alone covered are uncovered again.
    si = connect(scenario)
    try:
        manager = si.RetrieveContent().alarmManager
        next(a for a in manager.GetAlarm() if a.info.name == "Virtual machine error").RemoveAlarm()
    finally:
        Disconnect(si)
    _ingest(neo4j_instance, scenario)
    assert _counts(neo4j_instance)[AUDIT] == (11, 15)
    assert _uncovered(_visibility(neo4j_instance)) == ["DC0_H0_VM0", "DC0_H0_VM1"]
