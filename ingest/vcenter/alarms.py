"""Alarm definitions as records: what vCenter treats as trouble, where, and whom it tells.

Three round trips whatever the size of the estate: ``AlarmManager.GetAlarm`` with no entity
(the vSphere API returns the alarms of every entity the user can see, so no per-entity call
is needed), one batched PropertyCollector retrieval of every alarm's ``info``, and one
``PerformanceManager.QueryPerfCounter`` for the names and units of the counters that metric
triggers use.

Entry point: :func:`collect_alarms`. :func:`alarm_record` (server ``AlarmInfo`` to record),
:func:`trigger_text` and :func:`action_text` are public so recorded property sets can be
mapped exactly as live ones. Nothing here raises on a server fault: it becomes a gap.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pyVmomi import vim, vmodl

from app.records import vcenter as r
from app.records.contract import GapSink, Sink
from ingest.vcenter.ids import Ids
from ingest.vcenter.properties import retrieve_objects

log = logging.getLogger(__name__)

PAGE_SIZE = 500
"""Alarms per PropertyCollector round trip."""

GRAPH_LABELS: dict[str, str] = {
    "VirtualMachine": "VirtualMachine",
    "HostSystem": "Host",
    "Datastore": "Datastore",
    "StoragePod": "DatastoreCluster",
    "ClusterComputeResource": "Cluster",
    "ComputeResource": "Cluster",
    "Datacenter": "Datacenter",
    "Folder": "Folder",
    "ResourcePool": "ResourcePool",
    "VirtualApp": "ResourcePool",
    "Network": "Network",
    "DistributedVirtualPortgroup": "Network",
    "OpaqueNetwork": "Network",
    "DistributedVirtualSwitch": "VirtualSwitch",
    "VmwareDistributedVirtualSwitch": "VirtualSwitch",
}
"""vSphere type names (what triggers watch) to the graph labels of those objects."""

_OPERATORS = {"isAbove": "above", "isBelow": "below", "isEqual": "is", "isUnequal": "is not"}


@dataclass(frozen=True)
class Counter:
    """A performance counter's name (``cpu.usage.average``) and unit (``percent``)."""

    name: str
    unit: str | None = None


def _fault(exc: BaseException) -> str:
    """``NoPermission`` for ``vim.fault.NoPermission``."""
    return type(exc).__name__.rsplit(".", 1)[-1]


def collect_alarms(content: Any, ids: Ids, sink: Sink, gap: GapSink) -> None:
    """Write one :class:`~app.records.vcenter.Alarm` per alarm definition the user can see;
    faults go to ``gap`` (``Alarm``)."""
    manager = getattr(content, "alarmManager", None)
    if manager is None:  # a host connected directly has no alarm manager
        return
    try:
        refs = list(manager.GetAlarm(entity=None) or [])
    except vmodl.MethodFault as exc:
        gap("Alarm", f"GetAlarm: {_fault(exc)}", None)
        return
    unique = list({ref._moId: ref for ref in refs}.values())
    infos: list[tuple[str, Any]] = []
    try:
        for item in retrieve_objects(
            content, unique, vim.alarm.Alarm, ["info"], page_size=PAGE_SIZE
        ):
            for path, fault in item.missing:
                gap(f"Alarm.{path}", fault, item.moref)
            info = item.props.get("info")
            if info is not None:
                infos.append((item.moref, info))
    except vmodl.MethodFault as exc:
        gap("Alarm.info", _fault(exc), None)
        return
    counters = _counters(content, infos, gap)
    for moref, info in sorted(infos, key=lambda pair: pair[0]):
        sink(alarm_record(info, moref, ids, counters))


def _counters(content: Any, infos: Iterable[tuple[str, Any]], gap: GapSink) -> dict[int, Counter]:
    """Names and units of the counters the metric triggers use (one call)."""
    wanted = sorted(
        {
            int(expr.metric.counterId)
            for _, info in infos
            for expr in _leaves(info.expression)
            if isinstance(expr, vim.alarm.MetricAlarmExpression) and expr.metric is not None
        }
    )
    manager = getattr(content, "perfManager", None)
    if not wanted or manager is None:
        return {}
    try:
        found = manager.QueryPerfCounter(counterId=wanted) or []
    except vmodl.MethodFault as exc:
        gap("PerformanceManager.QueryPerfCounter", _fault(exc), None)
        return {}
    return {
        int(c.key): Counter(
            f"{c.groupInfo.key}.{c.nameInfo.key}.{c.rollupType}",
            getattr(c.unitInfo, "key", None),
        )
        for c in found
    }


def _leaves(expression: Any) -> list[Any]:
    """The conditions of an expression, with and/or groups flattened."""
    if expression is None:
        return []
    if isinstance(expression, vim.alarm.OrAlarmExpression | vim.alarm.AndAlarmExpression):
        return [leaf for child in expression.expression or [] for leaf in _leaves(child)]
    return [expression]


def _type_name(value: Any) -> str | None:
    """``HostSystem`` for ``vim.HostSystem`` (a class), ``'vim.HostSystem'`` or ``'HostSystem'``."""
    if value is None:
        return None
    if isinstance(value, type):
        name = getattr(value, "_wsdlName", None) or value.__name__
    else:
        name = str(value)
    return name.rsplit(".", 1)[-1]


def _str(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def trigger(expression: Any, counters: Mapping[int, Counter]) -> r.AlarmTrigger:
    """One alarm condition as a record field."""
    if isinstance(expression, vim.alarm.MetricAlarmExpression):
        counter_id = int(expression.metric.counterId) if expression.metric else None
        counter = counters.get(counter_id) if counter_id is not None else None
        return r.AlarmTrigger(
            trigger_type="metric",
            object_type=_type_name(expression.type),
            metric=counter.name if counter else f"counter {counter_id}",
            unit=counter.unit if counter else None,
            operator=_str(expression.operator),
            yellow=expression.yellow,
            red=expression.red,
        )
    if isinstance(expression, vim.alarm.StateAlarmExpression):
        return r.AlarmTrigger(
            trigger_type="state",
            object_type=_type_name(expression.type),
            operator=_str(expression.operator),
            state_path=expression.statePath,
            yellow=_str(expression.yellow),
            red=_str(expression.red),
        )
    if isinstance(expression, vim.alarm.EventAlarmExpression):
        event = _type_name(expression.eventType)
        if event == "EventEx" or not event:
            event = expression.eventTypeId or event
        return r.AlarmTrigger(
            trigger_type="event",
            object_type=_type_name(expression.objectType),
            event_type=event,
            status=_str(expression.status),
        )
    return r.AlarmTrigger(trigger_type="other", object_type=_type_name(type(expression)))


def _threshold(value: int | str | None, unit: str | None) -> str:
    if unit == "percent" and isinstance(value, int):
        return f"{value / 100:g}%"
    return f"{value} {unit}" if unit else str(value)


def trigger_text(t: r.AlarmTrigger) -> str:
    """One line for people: ``Host cpu.usage.average: red above 90%, yellow above 75%``."""
    what = GRAPH_LABELS.get(t.object_type or "", t.object_type or "any object")
    if t.trigger_type == "metric":
        op = _OPERATORS.get(t.operator or "", t.operator or "?")
        levels = [
            f"{colour} {op} {_threshold(value, t.unit)}"
            for colour, value in (("red", t.red), ("yellow", t.yellow))
            if value is not None
        ]
        return f"{what} {t.metric}: {', '.join(levels) or 'no threshold set'}"
    if t.trigger_type == "state":
        op = _OPERATORS.get(t.operator or "", t.operator or "?")
        levels = [
            f"{colour} when it {op} {value}"
            for colour, value in (("red", t.red), ("yellow", t.yellow))
            if value is not None
        ]
        return f"{what} {t.state_path}: {', '.join(levels) or 'no state set'}"
    if t.trigger_type == "event":
        status = t.status or "the event's severity"
        return f"{what} event {t.event_type}: {status}"
    return f"{what}: a condition authmap does not decode"


def _recipients(*lists: str | None) -> list[str]:
    found: list[str] = []
    for text in lists:
        for part in (text or "").replace(";", ",").split(","):
            address = part.strip()
            if address and address not in found:
                found.append(address)
    return found


def notification(triggering: Any) -> r.AlarmNotification:
    """One ``AlarmTriggeringAction`` as a record field."""
    action = getattr(triggering, "action", None)
    transitions: list[str] = []
    repeats = False
    for spec in getattr(triggering, "transitionSpecs", None) or []:
        transitions.append(f"{spec.startState}>{spec.finalState}")
        repeats = repeats or bool(spec.repeats)
    if not transitions:  # the flags of vSphere before 4.0, still served
        for flag, text in (
            ("green2yellow", "green>yellow"),
            ("yellow2red", "yellow>red"),
            ("red2yellow", "red>yellow"),
            ("yellow2green", "yellow>green"),
        ):
            if getattr(triggering, flag, False):
                transitions.append(text)
    common: dict[str, Any] = {"transitions": transitions, "repeats": repeats}
    if isinstance(action, vim.action.SendEmailAction):
        return r.AlarmNotification(
            action_type="email",
            recipients=_recipients(action.toList, action.ccList),
            subject=_str(action.subject),
            **common,
        )
    if isinstance(action, vim.action.SendSNMPAction):
        return r.AlarmNotification(action_type="snmp", **common)
    if isinstance(action, vim.action.RunScriptAction):
        return r.AlarmNotification(action_type="script", script=_str(action.script), **common)
    if isinstance(action, vim.action.MethodAction):
        info = getattr(action.name, "info", None)  # a ManagedMethod: its wire name
        name = getattr(info, "wsdlName", None) or _str(action.name)
        return r.AlarmNotification(action_type="method", method=name, **common)
    if isinstance(action, vim.action.CreateTaskAction):
        return r.AlarmNotification(action_type="task", method=_str(action.taskTypeId), **common)
    return r.AlarmNotification(action_type="other", method=_type_name(type(action)), **common)


def action_text(a: r.AlarmNotification, frequency: int | None) -> str:
    """One line for people: ``e-mails ops@corp on yellow>red, repeating every 600 s``."""
    what = {
        "email": f"e-mails {', '.join(a.recipients) or 'nobody'}",
        "snmp": "sends an SNMP trap",
        "script": f"runs {a.script}",
        "method": f"calls {a.method}",
        "task": f"creates task {a.method}",
    }.get(a.action_type, f"does {a.method}")
    when = f" on {', '.join(a.transitions)}" if a.transitions else " (on no transition)"
    again = ""
    if a.repeats:
        again = f", repeating every {frequency} s" if frequency else ", repeating"
    return what + when + again


def _triggering_actions(action: Any) -> list[Any]:
    if action is None:
        return []
    if isinstance(action, vim.alarm.GroupAlarmAction):
        return [x for child in action.action or [] for x in _triggering_actions(child)]
    return [action]


def alarm_record(info: Any, moref: str, ids: Ids, counters: Mapping[int, Counter]) -> r.Alarm:
    """An ``AlarmInfo`` (as the PropertyCollector returns it) as an :class:`Alarm` record."""
    triggers = [trigger(expr, counters) for expr in _leaves(info.expression)]
    actions = [notification(a) for a in _triggering_actions(info.action)]
    frequency = getattr(info, "actionFrequency", None) or None
    setting = getattr(info, "setting", None)
    watches: list[str] = []
    for t in triggers:
        label = GRAPH_LABELS.get(t.object_type or "")
        if label and label not in watches:
            watches.append(label)
    modified = getattr(info, "lastModifiedTime", None)
    return r.Alarm(
        id=f"{ids.vc}:{moref}",
        moref=moref,
        name=info.name,
        system_name=_str(getattr(info, "systemName", None)),
        description=_str(info.description),
        enabled=bool(info.enabled),
        entity=ids.of(info.entity) or "",
        watches=watches,
        all_triggers=isinstance(info.expression, vim.alarm.AndAlarmExpression),
        triggers=triggers,
        actions=actions,
        trigger_texts=[trigger_text(t) for t in triggers],
        action_texts=[action_text(a, frequency) for a in actions],
        email_recipients=_recipients(*(", ".join(a.recipients) for a in actions)),
        snmp_trap=any(a.action_type == "snmp" for a in actions),
        scripts=[a.script for a in actions if a.action_type == "script" and a.script],
        action_frequency=frequency,
        reporting_frequency=getattr(setting, "reportingFrequency", None),
        tolerance_range=getattr(setting, "toleranceRange", None),
        last_modified_by=_str(getattr(info, "lastModifiedUser", None)),
        last_modified_at=modified.isoformat() if modified is not None else None,
    )
