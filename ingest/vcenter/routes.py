"""Where events and logs go, as records: vCenter's mail and SNMP settings and its event and
task retention (the root ``OptionManager``, ``ServiceContent.setting``), and each host's
remote syslog targets (``Syslog.global.logHost`` of ``configManager.advancedOption``).

Two PropertyCollector retrievals of the ``setting`` property: one of vCenter's option
manager, one batched over every host's (their references come from the inventory pass).
Only the keys below are kept: SNMP community strings and any other secret are dropped before
a record is built.

Entry point: :func:`collect_routes`. :func:`vcenter_routes` and :func:`syslog_route` map
option values to records and are public so recorded property sets can be checked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pyVmomi import vim, vmodl

from app.records import vcenter as r
from app.records.contract import GapSink, Sink
from ingest.vcenter.ids import Ids
from ingest.vcenter.properties import retrieve_objects

SMTP_KEYS = ("mail.smtp.server", "mail.smtp.port", "mail.sender")
RETENTION_KEYS = ("event.maxAge", "event.maxAgeEnabled", "task.maxAge", "task.maxAgeEnabled")
SNMP_RECEIVER = re.compile(r"^snmp\.receiver\.(\d+)\.(name|port|enabled)$")
"""SNMP receiver keys kept (``snmp.receiver.N.community`` is a secret and never read)."""
SYSLOG_KEY = "Syslog.global.logHost"
HOST_PAGE_SIZE = 50
"""Host option managers per round trip (each holds about a thousand options)."""


def _fault(exc: BaseException) -> str:
    """``NoPermission`` for ``vim.fault.NoPermission``."""
    return type(exc).__name__.rsplit(".", 1)[-1]


def _wanted(key: str) -> bool:
    return key in SMTP_KEYS or key in RETENTION_KEYS or SNMP_RECEIVER.match(key) is not None


def _bool(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() == "true"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value).strip()


def collect_routes(
    content: Any,
    ids: Ids,
    host_options: Mapping[str, tuple[str, Any]],
    sink: Sink,
    gap: GapSink,
) -> None:
    """Write the vCenter's SMTP, SNMP and retention routes and every host's syslog route.
    ``host_options`` maps host ids to (host name, advanced-option manager). Faults become
    gaps (``NotificationRoute``); nothing raises."""
    setting = getattr(content, "setting", None)
    if setting is not None:
        values: dict[str, Any] = {}
        try:
            for item in retrieve_objects(content, [setting], vim.option.OptionManager, ["setting"]):
                for path, fault in item.missing:
                    gap(f"OptionManager.{path}", fault, item.moref)
                for option in item.props.get("setting") or []:
                    if _wanted(option.key):
                        values[option.key] = option.value
        except vmodl.MethodFault as exc:
            gap("NotificationRoute", f"vCenter settings: {_fault(exc)}", None)
        else:
            for vcenter_route in vcenter_routes(ids.vc, values):
                sink(vcenter_route)
    by_manager = {ref._moId: (host, name) for host, (name, ref) in host_options.items()}
    refs = [ref for _, ref in host_options.values()]
    try:
        for item in retrieve_objects(
            content, refs, vim.option.OptionManager, ["setting"], page_size=HOST_PAGE_SIZE
        ):
            host, name = by_manager.get(item.moref, (None, None))
            for path, fault in item.missing:
                gap(f"HostAdvancedOption.{path}", fault, name or item.moref)
            if host is None or name is None:
                continue
            options = {
                o.key: o.value for o in item.props.get("setting") or [] if o.key == SYSLOG_KEY
            }
            syslog = syslog_route(host, name, options)
            if syslog is not None:
                sink(syslog)
    except vmodl.MethodFault as exc:
        gap("NotificationRoute", f"host syslog settings: {_fault(exc)}", None)


def _days(values: Mapping[str, Any], prefix: str) -> int | None:
    """Retention in days: ``-1`` when the maximum age is disabled (kept forever), ``None``
    when vCenter reports neither key."""
    age, enabled = values.get(f"{prefix}.maxAge"), values.get(f"{prefix}.maxAgeEnabled")
    if enabled is not None and not _bool(enabled):
        return -1
    if age is None or _text(age) == "":
        return None
    return int(str(age).strip())


def vcenter_routes(vcenter_id: str, values: Mapping[str, Any]) -> list[r.NotificationRoute]:
    """The SMTP route (if a server is set), one SNMP route per named receiver, and the event
    and task retention (if vCenter reports it), from vCenter's option values."""
    routes: list[r.NotificationRoute] = []
    server = _text(values.get("mail.smtp.server"))
    if server:
        port = _text(values.get("mail.smtp.port"))
        routes.append(
            r.NotificationRoute(
                id=f"{vcenter_id}:route:smtp",
                route_type="smtp",
                name=f"SMTP {server}",
                vcenter=vcenter_id,
                targets=[f"{server}:{port}" if port else server],
                sender=_text(values.get("mail.sender")) or None,
                options={k: _text(values[k]) for k in SMTP_KEYS if k in values},
            )
        )
    receivers: dict[int, dict[str, str]] = {}
    for key, value in values.items():
        match = SNMP_RECEIVER.match(key)
        if match:
            receivers.setdefault(int(match[1]), {})[key] = _text(value)
    for number, options in sorted(receivers.items()):
        name = options.get(f"snmp.receiver.{number}.name", "")
        if not name:
            continue
        port = options.get(f"snmp.receiver.{number}.port", "")
        enabled = options.get(f"snmp.receiver.{number}.enabled")
        routes.append(
            r.NotificationRoute(
                id=f"{vcenter_id}:route:snmp:{number}",
                route_type="snmp",
                name=f"SNMP receiver {number} {name}",
                vcenter=vcenter_id,
                targets=[f"{name}:{port}" if port else name],
                enabled=True if enabled is None else _bool(enabled),
                options=dict(sorted(options.items())),
            )
        )
    if any(k in values for k in RETENTION_KEYS):
        routes.append(
            r.NotificationRoute(
                id=f"{vcenter_id}:route:retention",
                route_type="retention",
                name="event and task retention",
                vcenter=vcenter_id,
                event_retention_days=_days(values, "event"),
                task_retention_days=_days(values, "task"),
                options={k: _text(values[k]) for k in RETENTION_KEYS if k in values},
            )
        )
    return routes


def syslog_route(
    host_id: str, host_name: str, values: Mapping[str, Any]
) -> r.NotificationRoute | None:
    """The host's remote syslog targets (``udp://siem:514,ssl://...``); ``None`` when its
    logs stay on the host."""
    log_host = _text(values.get(SYSLOG_KEY))
    targets = [t.strip() for t in log_host.split(",") if t.strip()]
    if not targets:
        return None
    return r.NotificationRoute(
        id=f"{host_id}:route:syslog",
        route_type="syslog",
        name=f"syslog of {host_name}",
        host=host_id,
        targets=targets,
        options={SYSLOG_KEY: log_host},
    )
