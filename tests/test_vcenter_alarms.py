"""Alarm definitions and notification routes: collected from vcsim through `authmap ingest
vcenter` (the same PropertyCollector-based collection, snapshot and sync run), asserted in the
graph and as `observability` decisions exactly.

What vcsim (govmomi v0.56.0) serves and what it does not:

* ``AlarmManager.GetAlarm`` with no entity (or the root folder) returns every alarm,
  predefined and created; with any other entity it returns nothing (a TODO upstream). The
  collector uses the no-entity call (the vSphere API returns the alarms of all visible
  entities), so this does not matter.
* ``CreateAlarm`` stores the spec as given (metric, state and event triggers, e-mail, SNMP
  and script actions, transition specs), ``RemoveAlarm`` works, and the alarms' ``info`` is
  served through the PropertyCollector. Its predefined alarms are three: "vcsim VM Alarm",
  "Host error" and "Virtual machine error", all on the root folder.
* ``OptionManager``: vCenter's (``ServiceContent.setting``) starts with SSO keys,
  ``event.maxAge`` and ``event.maxAgeEnabled``; each host's ``configManager.advancedOption``
  with one key. ``UpdateOptions`` adds new keys and changes existing ones, and ``setting``
  is served through the PropertyCollector.
* NOT served: real vCenter's catalogue of predefined alarms (e.g. "Datastore usage on disk",
  a percent metric on datastores) and its performance counter for datastore usage. That case
  is tested from a RECORDED PROPERTY SET of the documented ``AlarmInfo`` shape (counter id and
  name illustrative), mapped by the collector's own ``alarm_record`` and loaded with
  `authmap load` (``test_recorded_datastore_usage_alarm``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pyVim.connect import Disconnect
from pyVmomi import vim

from app.records import vcenter as r
from app.records.contract import SourceIdentity
from app.snapshot import SnapshotWriter
from ingest.vcenter.alarms import Counter as PerfCounter
from ingest.vcenter.alarms import alarm_record
from ingest.vcenter.ids import Ids
from ingest.vcenter.routes import syslog_route, vcenter_routes
from tests.conftest import Neo4jInstance
from tests.conftest import query as _query
from tests.support.ingest import ingest_vcenter
from tests.support.observability import (
    SNMP_COMMUNITY,
    build_observability_scenario,
    observability_vcsim,
)
from tests.support.vcsim import VcsimServer
from tests.support.vsphere import connect, find

ALL_VMS = ["DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1", "DC0_H0_VM0", "DC0_H0_VM1"]
VCENTER = "VMware vCenter Server"

EXPECTED_ALARMS = {
    # name: (entity label, entity name, enabled, system name, watches, triggers, actions,
    #        e-mail recipients, snmp trap, scripts, action frequency)
    "vcsim VM Alarm": (
        "Folder",
        "Datacenters",
        True,
        None,
        ["VirtualMachine"],
        [
            "VirtualMachine event vcsim.vm.success: green",
            "VirtualMachine event vcsim.vm.failure: yellow",
            "VirtualMachine event vcsim.vm.fatal: red",
        ],
        [],
        [],
        False,
        [],
        None,
    ),
    "Host error": (
        "Folder",
        "Datacenters",
        True,
        "alarm.HostErrorAlarm",
        ["Host"],
        [
            "Host event GeneralHostErrorEvent: the event's severity",
            "Host event GeneralHostWarningEvent: the event's severity",
        ],
        ["sends an SNMP trap on yellow>red, repeating"],
        [],
        True,
        [],
        None,
    ),
    "Virtual machine error": (
        "Folder",
        "Datacenters",
        True,
        "alarm.VmErrorAlarm",
        ["VirtualMachine"],
        [
            "VirtualMachine event GeneralVmErrorEvent: the event's severity",
            "VirtualMachine event GeneralVmWarningEvent: the event's severity",
        ],
        ["sends an SNMP trap on yellow>red, repeating"],
        [],
        True,
        [],
        None,
    ),
    "Host CPU high": (
        "Cluster",
        "DC0_C0",
        True,
        None,
        ["Host"],
        ["Host cpu.usage.average: red above 90%, yellow above 75%"],
        [
            "e-mails compute-oncall@corp.example, noc@corp.example on yellow>red, "
            "repeating every 600 s"
        ],
        ["compute-oncall@corp.example", "noc@corp.example"],
        False,
        [],
        600,
    ),
    "Datastore trouble": (
        "Datacenter",
        "DC0",
        True,
        None,
        ["Datastore", "Host"],
        [
            "Datastore summary.accessible: red when it is false",
            "Host event esx.problem.storage.connectivity.lost: red",
        ],
        ["e-mails storage-oncall@corp.example on green>red", "sends an SNMP trap on green>red"],
        ["storage-oncall@corp.example"],
        True,
        [],
        None,
    ),
    "DB VM reset": (
        "VirtualMachine",
        "DC0_H0_VM0",
        True,
        None,
        ["VirtualMachine"],
        ["VirtualMachine event VmDasBeingResetEvent: red"],
        ["runs /opt/ops/page-dba.sh on yellow>red"],
        [],
        False,
        ["/opt/ops/page-dba.sh"],
        None,
    ),
    "Standalone VM memory": (
        "Cluster",
        "DC0_H0",
        False,
        None,
        ["VirtualMachine"],
        ["VirtualMachine mem.usage.average: red above 95%"],
        [],
        [],
        False,
        [],
        None,
    ),
}

EXPECTED_ROUTES = {
    # name: (type, targets, sender, enabled, event days, task days, scope label, scope name)
    "SMTP smtp.corp.example": (
        "smtp",
        ["smtp.corp.example:25"],
        "vcenter@corp.example",
        True,
        None,
        None,
        "VCenter",
        VCENTER,
    ),
    "SNMP receiver 1 nms.corp.example": (
        "snmp",
        ["nms.corp.example:162"],
        None,
        True,
        None,
        None,
        "VCenter",
        VCENTER,
    ),
    "event and task retention": ("retention", [], None, True, 45, -1, "VCenter", VCENTER),
    "syslog of DC0_C0_H0": (
        "syslog",
        ["udp://syslog.corp.example:514", "ssl://siem.corp.example:1514"],
        None,
        True,
        None,
        None,
        "Host",
        "DC0_C0_H0",
    ),
    "syslog of DC0_H0": (
        "syslog",
        ["tcp://syslog.corp.example:514"],
        None,
        True,
        None,
        None,
        "Host",
        "DC0_H0",
    ),
}


@pytest.fixture(scope="module")
def scenario() -> Iterator[VcsimServer]:
    with observability_vcsim() as sim:
        build_observability_scenario(sim)
        yield sim


def _ingest(instance: Neo4jInstance, sim: VcsimServer) -> str:
    return ingest_vcenter(instance, sim).stdout


def _observability(instance: Neo4jInstance, *args: str) -> list[dict[str, Any]]:
    proc = instance.cli(
        "decisions", "list", "--category", "observability", "--format", "json", *args, check=True
    )
    return list(json.loads(proc.stdout))


def _vms_on(instance: Neo4jInstance, host: str) -> list[str]:
    rows = _query(
        instance,
        "MATCH (vm:VirtualMachine)-[:RUNS_ON]->(:Host {name: $host}) "
        "RETURN vm.name AS name ORDER BY name",
        host=host,
    )
    return [row["name"] for row in rows]


def test_alarms_and_routes_land_in_the_graph_exactly(
    neo4j_instance: Neo4jInstance, graph: Any, scenario: VcsimServer
) -> None:
    assert "complete" in _ingest(neo4j_instance, scenario)
    alarms = _query(
        neo4j_instance,
        """
        MATCH (a:Alarm)-[:DEFINED_ON]->(e:VSphereEntity)
        RETURN a.name AS name,
               [l IN labels(e) WHERE NOT l IN ['Source', 'VSphereEntity']][0] AS label,
               e.name AS entity, a.enabled AS enabled, a.system_name AS system_name,
               a.watches AS watches, a.trigger_texts AS triggers, a.action_texts AS actions,
               a.email_recipients AS emails, a.snmp_trap AS snmp, a.scripts AS scripts,
               a.action_frequency AS frequency""",
    )
    got = {
        a["name"]: (
            a["label"],
            a["entity"],
            a["enabled"],
            a["system_name"],
            a["watches"],
            a["triggers"],
            a["actions"],
            a["emails"],
            a["snmp"],
            a["scripts"],
            a["frequency"],
        )
        for a in alarms
    }
    assert got == EXPECTED_ALARMS
    assert _query(neo4j_instance, "MATCH (a:Alarm) RETURN count(a) AS n") == [{"n": 7}]
    # Triggers and actions are kept whole (JSON text) beside their one-line texts.
    cpu = _query(
        neo4j_instance,
        "MATCH (a:Alarm {name: 'Host CPU high'}) RETURN a.triggers AS t, a.actions AS a",
    )[0]
    assert json.loads(cpu["t"]) == [
        {
            "trigger_type": "metric",
            "object_type": "HostSystem",
            "metric": "cpu.usage.average",
            "unit": "percent",
            "operator": "isAbove",
            "state_path": None,
            "event_type": None,
            "status": None,
            "yellow": 7500,
            "red": 9000,
        }
    ]
    assert json.loads(cpu["a"]) == [
        {
            "action_type": "email",
            "recipients": ["compute-oncall@corp.example", "noc@corp.example"],
            "subject": "vCenter alarm",
            "script": None,
            "method": None,
            "transitions": ["yellow>red"],
            "repeats": True,
        }
    ]
    routes = _query(
        neo4j_instance,
        """
        MATCH (n:NotificationRoute)-[:FOR_VCENTER|FOR_HOST]->(s)
        RETURN n.name AS name, n.route_type AS type, n.targets AS targets, n.sender AS sender,
               n.enabled AS enabled, n.event_retention_days AS events,
               n.task_retention_days AS tasks,
               [l IN labels(s) WHERE NOT l IN ['Source', 'VSphereEntity']][0] AS label,
               s.name AS scope""",
    )
    assert {
        x["name"]: (
            x["type"],
            x["targets"],
            x["sender"],
            x["enabled"],
            x["events"],
            x["tasks"],
            x["label"],
            x["scope"],
        )
        for x in routes
    } == EXPECTED_ROUTES
    assert _query(neo4j_instance, "MATCH (n:NotificationRoute) RETURN count(n) AS n") == [{"n": 5}]
    # The SNMP community string is a secret: it is nowhere in the graph.
    everything = _query(neo4j_instance, "MATCH (n) RETURN properties(n) AS p")
    assert len(everything) > 20
    assert SNMP_COMMUNITY not in json.dumps([row["p"] for row in everything], default=str)
    stored = _query(
        neo4j_instance,
        "MATCH (n:NotificationRoute {route_type: 'snmp'}) RETURN n.options AS options",
    )
    assert json.loads(stored[0]["options"]) == {
        "snmp.receiver.1.enabled": "true",
        "snmp.receiver.1.name": "nms.corp.example",
        "snmp.receiver.1.port": "162",
    }


def test_observability_decisions_exactly(
    neo4j_instance: Neo4jInstance, graph: Any, scenario: VcsimServer
) -> None:
    _ingest(neo4j_instance, scenario)
    found = _observability(neo4j_instance)
    assert Counter(d["kind"] for d in found) == {
        "alarm": 7,
        "mail_route": 1,
        "snmp_route": 1,
        "event_retention": 1,
        "syslog_route": 2,
    }
    on_h0 = _vms_on(neo4j_instance, "DC0_C0_H0")
    got = {d["summary"]: d["affects"] for d in found}
    assert got == {
        'Alarm "vcsim VM Alarm" on Folder Datacenters (4 VirtualMachine object(s)) fires on '
        "any of: VirtualMachine event vcsim.vm.success: green | VirtualMachine event "
        "vcsim.vm.failure: yellow | VirtualMachine event vcsim.vm.fatal: red; then it tells "
        "nobody (shown in vCenter only)": ALL_VMS,
        'Alarm "Host error" on Folder Datacenters (3 Host object(s)) fires on any of: Host '
        "event GeneralHostErrorEvent: the event's severity | Host event "
        "GeneralHostWarningEvent: the event's severity; then it sends an SNMP trap on "
        "yellow>red, repeating": ALL_VMS,
        'Alarm "Virtual machine error" on Folder Datacenters (4 VirtualMachine object(s)) '
        "fires on any of: VirtualMachine event GeneralVmErrorEvent: the event's severity | "
        "VirtualMachine event GeneralVmWarningEvent: the event's severity; then it sends an "
        "SNMP trap on yellow>red, repeating": ALL_VMS,
        'Alarm "Host CPU high" on Cluster DC0_C0 (2 Host object(s)) fires on Host '
        "cpu.usage.average: red above 90%, yellow above 75%; then it e-mails "
        "compute-oncall@corp.example, noc@corp.example on yellow>red, repeating every "
        "600 s": ["DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1"],
        'Alarm "Datastore trouble" on Datacenter DC0 (4 Datastore/Host object(s)) fires on '
        "any of: Datastore summary.accessible: red when it is false | Host event "
        "esx.problem.storage.connectivity.lost: red; then it e-mails "
        "storage-oncall@corp.example on green>red; sends an SNMP trap on green>red": ALL_VMS,
        'Alarm "DB VM reset" on VirtualMachine DC0_H0_VM0 (1 VirtualMachine object(s)) fires '
        "on VirtualMachine event VmDasBeingResetEvent: red; then it runs "
        "/opt/ops/page-dba.sh on yellow>red": ["DC0_H0_VM0"],
        'Alarm "Standalone VM memory" on Cluster DC0_H0 (2 VirtualMachine object(s)) fires '
        "on VirtualMachine mem.usage.average: red above 95%; then it tells nobody (shown in "
        "vCenter only) (alarm disabled)": ["DC0_H0_VM0", "DC0_H0_VM1"],
        f"vCenter {VCENTER} sends alarm e-mail through smtp.corp.example:25 from "
        "vcenter@corp.example": ALL_VMS,
        f"vCenter {VCENTER} sends alarm SNMP traps to nms.corp.example:162": ALL_VMS,
        f"vCenter {VCENTER} keeps events for 45 days and tasks forever": ALL_VMS,
        "Host DC0_C0_H0 forwards its logs to udp://syslog.corp.example:514, "
        f"ssl://siem.corp.example:1514 ({len(on_h0)} VMs run there)": on_h0,
        "Host DC0_H0 forwards its logs to tcp://syslog.corp.example:514 (2 VMs run there)": [
            "DC0_H0_VM0",
            "DC0_H0_VM1",
        ],
    }
    by_name = {d["summary"].split('"')[1]: d for d in found if d["kind"] == "alarm"}
    cpu = by_name["Host CPU high"]
    assert {e["name"] for e in cpu["evidence"]} == {"Host CPU high", "DC0_C0"}
    node = _query(neo4j_instance, "MATCH (a:Alarm {name: 'Host CPU high'}) RETURN a.id AS id")
    assert cpu["id"] == "alarm:" + node[0]["id"]
    assert all(d["status"] == "unowned" and d["state"] == "active" for d in found)
    syslog = next(d for d in found if d["kind"] == "syslog_route" and "DC0_H0 " in d["summary"])
    assert {e["name"] for e in syslog["evidence"]} == {"syslog of DC0_H0", "DC0_H0"}


def test_reingest_is_idempotent_and_vanished_alarms_and_routes_retire(
    neo4j_instance: Neo4jInstance, graph: Any, scenario: VcsimServer
) -> None:
    """Runs last in this module: it removes an alarm and a syslog target from the scenario."""
    _ingest(neo4j_instance, scenario)
    counts = """
        MATCH (n:Alarm|NotificationRoute)
        RETURN count(n) AS nodes, COUNT { (:Alarm|NotificationRoute)-[]->() } AS rels"""
    before = _query(neo4j_instance, counts)
    first = {d["id"]: d for d in _observability(neo4j_instance)}
    _ingest(neo4j_instance, scenario)
    assert _query(neo4j_instance, counts) == before
    again = {d["id"]: d for d in _observability(neo4j_instance)}
    assert again.keys() == first.keys()
    assert all(again[i]["first_seen"] == first[i]["first_seen"] for i in first)
    assert all(again[i]["summary"] == first[i]["summary"] for i in first)
    si = connect(scenario)
    try:
        content = si.RetrieveContent()
        alarm = next(a for a in content.alarmManager.GetAlarm() if a.info.name == "DB VM reset")
        alarm.RemoveAlarm()
        host = find(content, vim.HostSystem, "DC0_H0")
        host.configManager.advancedOption.UpdateOptions(
            changedValue=[vim.option.OptionValue(key="Syslog.global.logHost", value="")]
        )
    finally:
        Disconnect(si)
    _ingest(neo4j_instance, scenario)
    assert _query(neo4j_instance, counts) == [
        {"nodes": before[0]["nodes"] - 2, "rels": before[0]["rels"] - 2}
    ]
    retired = _observability(neo4j_instance, "--state", "retired")
    assert sorted(d["kind"] for d in retired) == ["alarm", "syslog_route"]
    assert {d["id"] for d in retired} == {
        i
        for i, d in first.items()
        if d["summary"].startswith('Alarm "DB VM reset"')
        or d["summary"].startswith("Host DC0_H0 forwards")
    }
    assert len(_observability(neo4j_instance, "--state", "active")) == len(first) - 2


# -- recorded property sets: what vcsim does not serve ------------------------------------------
VC = "dddddddd-0000-0000-0000-000000000004"
DISK_USAGE = 4242
"""Illustrative id of the percent counter behind real vCenter's datastore-usage alarm."""


def _datastore_usage_info() -> Any:
    """Real vCenter's predefined "Datastore usage on disk" alarm (documented AlarmInfo
    shape), here with an e-mail action the storage team added, moved to datacenter DC0."""
    return vim.alarm.AlarmInfo(
        name="Datastore usage on disk",
        systemName="alarm.DatastoreDiskUsageAlarm",
        description="Default alarm to monitor datastore disk usage",
        enabled=True,
        expression=vim.alarm.OrAlarmExpression(
            expression=[
                vim.alarm.MetricAlarmExpression(
                    operator="isAbove",
                    type=vim.Datastore,
                    metric=vim.PerformanceManager.MetricId(counterId=DISK_USAGE, instance=""),
                    yellow=7500,
                    red=8500,
                )
            ]
        ),
        action=vim.alarm.GroupAlarmAction(
            action=[
                vim.alarm.AlarmTriggeringAction(
                    action=vim.action.SendEmailAction(
                        toList="storage-oncall@corp.example", ccList="", subject="", body=""
                    ),
                    transitionSpecs=[
                        vim.alarm.AlarmTriggeringAction.TransitionSpec(
                            startState="yellow", finalState="red", repeats=False
                        )
                    ],
                    green2yellow=False,
                    yellow2red=False,
                    red2yellow=False,
                    yellow2green=False,
                )
            ]
        ),
        actionFrequency=0,
        setting=vim.alarm.AlarmSetting(toleranceRange=0, reportingFrequency=300),
        key="alarm-2.datacenter-2",
        alarm=vim.alarm.Alarm("alarm-2"),
        entity=vim.Datacenter("datacenter-2"),
        lastModifiedTime=datetime(2025, 3, 1, 9, 30, tzinfo=UTC),
        lastModifiedUser="VSPHERE.LOCAL\\storage-admin",
        creationEventId=0,
    )


def test_recorded_alarm_shapes_map_exactly() -> None:
    """All-of triggers, method/task actions, the legacy transition flags and an unknown
    counter, as real vCenter can return them."""
    ids = Ids(VC)
    usage = alarm_record(
        _datastore_usage_info(),
        "alarm-2",
        ids,
        {DISK_USAGE: PerfCounter("disk.usage.pct", "percent")},
    )
    assert usage.trigger_texts == ["Datastore disk.usage.pct: red above 85%, yellow above 75%"]
    assert usage.action_texts == ["e-mails storage-oncall@corp.example on yellow>red"]
    assert (usage.id, usage.entity, usage.system_name, usage.last_modified_at) == (
        f"{VC}:alarm-2",
        f"{VC}:datacenter-2",
        "alarm.DatastoreDiskUsageAlarm",
        "2025-03-01T09:30:00+00:00",
    )
    both = vim.alarm.AlarmInfo(
        name="Host down and VMs off",
        enabled=True,
        expression=vim.alarm.AndAlarmExpression(
            expression=[
                vim.alarm.StateAlarmExpression(
                    operator="isUnequal",
                    type=vim.HostSystem,
                    statePath="runtime.connectionState",
                    yellow="connected",
                ),
                vim.alarm.MetricAlarmExpression(
                    operator="isBelow",
                    type=vim.VirtualMachine,
                    metric=vim.PerformanceManager.MetricId(counterId=777, instance=""),
                    red=1,
                ),
            ]
        ),
        action=vim.alarm.GroupAlarmAction(
            action=[
                vim.alarm.AlarmTriggeringAction(
                    action=vim.action.MethodAction(name=vim.HostSystem.EnterMaintenanceMode),
                    green2yellow=True,
                    yellow2red=False,
                    red2yellow=False,
                    yellow2green=True,
                ),
                vim.alarm.AlarmTriggeringAction(
                    action=vim.action.CreateTaskAction(
                        taskTypeId="com.corp.ticket", cancelable=False
                    ),
                    transitionSpecs=[
                        vim.alarm.AlarmTriggeringAction.TransitionSpec(
                            startState="yellow", finalState="red", repeats=True
                        )
                    ],
                ),
            ]
        ),
        actionFrequency=300,
        entity=vim.Folder("group-d1"),
        alarm=vim.alarm.Alarm("alarm-90"),
    )
    record = alarm_record(both, "alarm-90", ids, {})
    assert record.all_triggers and record.watches == ["Host", "VirtualMachine"]
    assert record.trigger_texts == [
        "Host runtime.connectionState: yellow when it is not connected",
        "VirtualMachine counter 777: red below 1",
    ]
    assert record.action_texts == [
        "calls EnterMaintenanceMode_Task on green>yellow, yellow>green",
        "creates task com.corp.ticket on yellow>red, repeating every 300 s",
    ]
    assert (record.email_recipients, record.snmp_trap, record.scripts) == ([], False, [])


def test_recorded_option_values_map_exactly() -> None:
    """Option values as real vCenter returns them (strings, receivers 1-4 with empty names,
    community strings) and host syslog values with spaces and empty entries."""
    routes = vcenter_routes(
        VC,
        {
            "mail.smtp.server": " smtp.corp.example ",
            "mail.smtp.port": "25",
            "mail.sender": "",
            "snmp.receiver.1.name": "nms-a.corp.example",
            "snmp.receiver.1.port": "162",
            "snmp.receiver.1.enabled": "false",
            "snmp.receiver.2.name": "",
            "snmp.receiver.3.name": "nms-b.corp.example",
            "snmp.receiver.4.name": "",
            "event.maxAge": "30",
            "event.maxAgeEnabled": "true",
            "task.maxAge": "30",
            "task.maxAgeEnabled": "true",
        },
    )
    assert [(x.id, x.route_type, x.targets, x.sender, x.enabled) for x in routes] == [
        (f"{VC}:route:smtp", "smtp", ["smtp.corp.example:25"], None, True),
        (f"{VC}:route:snmp:1", "snmp", ["nms-a.corp.example:162"], None, False),
        (f"{VC}:route:snmp:3", "snmp", ["nms-b.corp.example"], None, True),
        (f"{VC}:route:retention", "retention", [], None, True),
    ]
    assert (routes[-1].event_retention_days, routes[-1].task_retention_days) == (30, 30)
    assert vcenter_routes(VC, {}) == []
    route = syslog_route(f"{VC}:host-9", "esx-09", {"Syslog.global.logHost": " udp://a:514, ,b "})
    assert route is not None and route.targets == ["udp://a:514", "b"]
    assert syslog_route(f"{VC}:host-9", "esx-09", {"Syslog.global.logHost": " "}) is None
    assert syslog_route(f"{VC}:host-9", "esx-09", {}) is None


def test_recorded_datastore_usage_alarm(
    neo4j_instance: Neo4jInstance, graph: Any, tmp_path: Path
) -> None:
    """The issue's example, end to end from a recorded property set: "vCenter raises red when
    datastore usage passes 85% on any datastore under DC0 and e-mails storage-oncall"."""
    ids = Ids(VC)
    path = tmp_path / "alarms.jsonl"
    with SnapshotWriter(path, SourceIdentity(kind="vcenter", id=VC)) as out:
        out.write(r.VCenter(id=VC, name="vc04", instance_uuid=VC))
        out.write(r.Folder(id=f"{VC}:group-d1", moref="group-d1", name="Datacenters"))
        out.write(
            r.Datacenter(
                id=f"{VC}:datacenter-2",
                moref="datacenter-2",
                name="DC0",
                vcenter=VC,
                parent=f"{VC}:group-d1",
            )
        )
        out.write(
            r.Folder(
                id=f"{VC}:group-s5", moref="group-s5", name="datastore", parent=f"{VC}:datacenter-2"
            )
        )
        for n in (1, 2):
            out.write(
                r.Datastore(
                    id=f"{VC}:datastore-{n}",
                    moref=f"datastore-{n}",
                    name=f"san-0{n}",
                    parent=f"{VC}:group-s5",
                )
            )
        for n, ds in ((1, 1), (2, 1), (3, 2)):
            out.write(
                r.VirtualMachine(
                    id=f"{VC}:vm-{n}",
                    moref=f"vm-{n}",
                    name=f"db-0{n}",
                    datastores=[f"{VC}:datastore-{ds}"],
                )
            )
        out.write(r.VirtualMachine(id=f"{VC}:vm-9", moref="vm-9", name="elsewhere"))
        counters = {DISK_USAGE: PerfCounter("disk.usage.pct", "percent")}
        out.write(alarm_record(_datastore_usage_info(), "alarm-2", ids, counters))
    neo4j_instance.cli("load", str(path), check=True)
    found = _observability(neo4j_instance)
    assert [(d["id"], d["summary"], d["affects"]) for d in found] == [
        (
            f"alarm:{VC}:alarm-2",
            'Alarm "Datastore usage on disk" on Datacenter DC0 (2 Datastore object(s)) fires on '
            "Datastore disk.usage.pct: red above 85%, yellow above 75%; then it e-mails "
            "storage-oncall@corp.example on yellow>red (no SMTP server is set: the e-mail goes "
            "nowhere)",
            ["db-01", "db-02", "db-03"],
        )
    ]


def test_refused_alarm_and_option_reads_become_gaps() -> None:
    """A user without the right to read alarms or settings gets gaps, not a failed collection
    (vcsim enforces no privileges, so the faults are raised by stand-ins)."""
    from types import SimpleNamespace

    from ingest.vcenter.alarms import collect_alarms
    from ingest.vcenter.routes import collect_routes

    def refuse(**_: Any) -> Any:
        raise vim.fault.NoPermission(privilegeId="System.View")

    class RefusingPropertyCollector:
        def RetrievePropertiesEx(self, *_: Any) -> Any:
            raise vim.fault.NoPermission(privilegeId="System.Read")

    records: list[Any] = []
    gaps: list[tuple[str, str, str | None]] = []
    content = SimpleNamespace(alarmManager=SimpleNamespace(GetAlarm=refuse))
    collect_alarms(content, Ids(VC), records.append, lambda *g: gaps.append(g))
    assert (records, gaps) == ([], [("Alarm", "GetAlarm: NoPermission", None)])
    view = SimpleNamespace(Destroy=lambda: None)
    content = SimpleNamespace(
        setting=vim.option.OptionManager("VpxSettings"),
        propertyCollector=RefusingPropertyCollector(),
        viewManager=SimpleNamespace(CreateContainerView=lambda *_: view),
    )
    hosts = {f"{VC}:host-9": ("esx-09", vim.option.OptionManager("optionmanager-9"))}
    collect_routes(content, Ids(VC), hosts, records.append, lambda *g: gaps.append(g))
    assert records == []
    assert gaps[1:] == [
        ("NotificationRoute", "vCenter settings: NoPermission", None),
        ("NotificationRoute", "host syslog settings: NoPermission", None),
    ]
