"""An observability scenario built in vcsim through the vSphere API (pyVmomi), shared by the
alarm ingest test and the visibility-fragmentation audit test.

Inventory (:func:`observability_vcsim`): DC0 with cluster DC0_C0 (hosts DC0_C0_H0, DC0_C0_H1;
VMs DC0_C0_RP0_VM0, DC0_C0_RP0_VM1) and standalone host DC0_H0 (VMs DC0_H0_VM0, DC0_H0_VM1),
one datastore LocalDS_0. vcsim's three predefined alarms sit on the root folder.

Created here:

* "Host CPU high" on cluster DC0_C0: metric ``cpu.usage.average`` on hosts above 75%
  (yellow) / 90% (red); e-mails compute-oncall and the NOC on yellow>red, every 10 minutes;
* "Datastore trouble" on datacenter DC0: a datastore becoming inaccessible (state, red) or
  an ``esx.problem.storage.connectivity.lost`` event on a host (red); e-mails storage-oncall
  and sends an SNMP trap on green>red, once;
* "DB VM reset" on VM DC0_H0_VM0: an HA reset event; runs a paging script (legacy
  ``yellow2red`` flag, no transition specs);
* "Standalone VM memory" on standalone host DC0_H0's compute resource: memory above 95%,
  disabled, no action;
* vCenter options: SMTP server, sender and port, SNMP receiver 1 (with a community string
  that must never be collected) and an unnamed receiver 2, events kept 45 days, task
  maximum age disabled (tasks kept forever);
* host options: ``Syslog.global.logHost`` on DC0_C0_H0 (two targets) and DC0_H0 (one);
  DC0_C0_H1 keeps its logs local.
"""

from __future__ import annotations

from typing import Any

from pyVim.connect import Disconnect
from pyVmomi import vim

from tests.support.vcsim import VcsimServer, ensure_vcsim_binary
from tests.support.vsphere import connect, find

SNMP_COMMUNITY = "s3cret-community"
"""The SNMP community string set in vCenter: it must appear nowhere in the graph."""

Transition = vim.alarm.AlarmTriggeringAction.TransitionSpec


def _counter(content: Any, group: str, name: str, rollup: str) -> int:
    return next(
        int(c.key)
        for c in content.perfManager.perfCounter
        if (c.groupInfo.key, c.nameInfo.key, c.rollupType) == (group, name, rollup)
    )


def _on(action: Any, start: str, final: str, repeats: bool) -> Any:
    """``action`` on the one transition ``start`` > ``final``."""
    return vim.alarm.AlarmTriggeringAction(
        action=action,
        transitionSpecs=[Transition(startState=start, finalState=final, repeats=repeats)],
        green2yellow=False,
        yellow2red=False,
        red2yellow=False,
        yellow2green=False,
    )


def _email(to: str, cc: str, start: str, final: str, repeats: bool) -> Any:
    email = vim.action.SendEmailAction(toList=to, ccList=cc, subject="vCenter alarm", body="")
    return _on(email, start, final, repeats)


def _metric(content: Any, kind: type, group: str, **thresholds: int) -> Any:
    """Above ``thresholds`` (``yellow``, ``red``; hundredths of a percent) of the average
    ``group.usage`` counter on objects of ``kind``."""
    return vim.alarm.MetricAlarmExpression(
        operator="isAbove",
        type=kind,
        metric=vim.PerformanceManager.MetricId(
            counterId=_counter(content, group, "usage", "average"), instance=""
        ),
        **thresholds,
    )


def _create(alarms: Any, entity: Any, name: str, expressions: list[Any], **fields: Any) -> None:
    """Create alarm ``name`` on ``entity``: any of ``expressions``; ``fields`` are the rest of
    the ``AlarmSpec``."""
    expression = vim.alarm.OrAlarmExpression(expression=expressions)
    alarms.CreateAlarm(entity, vim.alarm.AlarmSpec(name=name, expression=expression, **fields))


def observability_vcsim() -> VcsimServer:
    """The (not yet started) vcsim of the scenario's inventory."""
    return VcsimServer(ensure_vcsim_binary(), cluster=1, host=2, vm=2, standalone_host=1)


def build_observability_scenario(sim: VcsimServer) -> None:
    """Create the alarms and set the options described in the module docstring."""
    si = connect(sim)
    try:
        content = si.RetrieveContent()
        alarms = content.alarmManager
        cluster = find(content, vim.ClusterComputeResource, "DC0_C0")
        datacenter = find(content, vim.Datacenter, "DC0")
        db_vm = find(content, vim.VirtualMachine, "DC0_H0_VM0")
        standalone = find(content, vim.HostSystem, "DC0_H0").parent
        setting = vim.alarm.AlarmSetting(toleranceRange=0, reportingFrequency=300)
        cpu = _metric(content, vim.HostSystem, "cpu", yellow=7500, red=9000)
        noc = _email("compute-oncall@corp.example", "noc@corp.example", "yellow", "red", True)
        _create(
            alarms,
            cluster,
            "Host CPU high",
            [cpu],
            description="Hosts running hot",
            enabled=True,
            action=vim.alarm.GroupAlarmAction(action=[noc]),
            actionFrequency=600,
            setting=setting,
        )
        inaccessible = vim.alarm.StateAlarmExpression(
            operator="isEqual", type=vim.Datastore, statePath="summary.accessible", red="false"
        )
        lost = vim.alarm.EventAlarmExpression(
            eventType=vim.event.EventEx,
            eventTypeId="esx.problem.storage.connectivity.lost",
            objectType=vim.HostSystem,
            status="red",
        )
        storage = _email("storage-oncall@corp.example", "", "green", "red", repeats=False)
        snmp = _on(vim.action.SendSNMPAction(), "green", "red", repeats=False)
        _create(
            alarms,
            datacenter,
            "Datastore trouble",
            [inaccessible, lost],
            description="Storage paths and datastores",
            enabled=True,
            action=vim.alarm.GroupAlarmAction(action=[storage, snmp]),
            setting=setting,
        )
        reset = vim.alarm.EventAlarmExpression(
            eventType=vim.event.VmDasBeingResetEvent, objectType=vim.VirtualMachine, status="red"
        )
        _create(
            alarms,
            db_vm,
            "DB VM reset",
            [reset],
            description="",
            enabled=True,
            action=vim.alarm.AlarmTriggeringAction(
                action=vim.action.RunScriptAction(script="/opt/ops/page-dba.sh"),
                green2yellow=False,
                yellow2red=True,
                red2yellow=False,
                yellow2green=False,
            ),
            setting=setting,
        )
        memory = _metric(content, vim.VirtualMachine, "mem", red=9500)
        _create(
            alarms,
            standalone,
            "Standalone VM memory",
            [memory],
            description="",
            enabled=False,
            setting=setting,
        )
        option = vim.option.OptionValue
        content.setting.UpdateOptions(
            changedValue=[
                option(key="mail.smtp.server", value="smtp.corp.example"),
                option(key="mail.smtp.port", value=25),
                option(key="mail.sender", value="vcenter@corp.example"),
                option(key="snmp.receiver.1.name", value="nms.corp.example"),
                option(key="snmp.receiver.1.port", value=162),
                option(key="snmp.receiver.1.community", value=SNMP_COMMUNITY),
                option(key="snmp.receiver.1.enabled", value=True),
                option(key="snmp.receiver.2.name", value=""),
                option(key="snmp.receiver.2.enabled", value=False),
                option(key="event.maxAge", value=45),
                option(key="task.maxAge", value=180),
                option(key="task.maxAgeEnabled", value=False),
            ]
        )
        for host, log_host in (
            ("DC0_C0_H0", "udp://syslog.corp.example:514,ssl://siem.corp.example:1514"),
            ("DC0_H0", "tcp://syslog.corp.example:514"),
        ):
            manager = find(content, vim.HostSystem, host).configManager.advancedOption
            manager.UpdateOptions(
                changedValue=[option(key="Syslog.global.logHost", value=log_host)]
            )
    finally:
        Disconnect(si)
