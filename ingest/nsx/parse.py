"""Policy API objects (as the list APIs and the hierarchical ``GET /infra`` return them) into
records. Shared by the live collector and the ``--from-file`` reader, so both produce the same
records from the same objects.

Rule and policy fields that hold paths become record ids; ``ANY`` becomes a flag; anything in
``source_groups`` / ``destination_groups`` that is not a path is a raw address (IP, range,
CIDR). Objects ``marked_for_delete`` are being removed by NSX and are skipped by the callers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from app.records import nsx as r
from app.records.nsx import ANY

_PROJECT = re.compile(r"^(/orgs/[^/]+/projects/[^/]+)/")
_DOMAIN = re.compile(r"/domains/([^/]+)/")
_EXPRESSION_KEYS = (
    "resource_type",
    "member_type",
    "key",
    "operator",
    "scope_operator",
    "value",
    "conjunction_operator",
    "expressions",
    "ip_addresses",
    "mac_addresses",
    "external_ids",
    "paths",
)


@dataclass(frozen=True)
class Ids:
    """Builds record ids for one NSX manager (``source`` is the snapshot's source id)."""

    source: str

    def path(self, path: str) -> str:
        """The id of the object at a policy path."""
        return f"{self.source}:{path}"

    def vm(self, external_id: str) -> str:
        """The id of a VM by its external id (the vCenter instance UUID)."""
        return f"{self.source}:vm:{external_id}"


def source_id(host: str) -> str:
    """The snapshot source id of the manager at ``host`` (``nsx:<host>``, lower case)."""
    return f"nsx:{host.strip().lower()}"


def is_deleted(obj: dict[str, Any]) -> bool:
    """Whether NSX has marked the object for deletion."""
    return bool(obj.get("marked_for_delete"))


def project_path(path: str) -> str | None:
    """``/orgs/<o>/projects/<p>`` for a project-scoped path, else ``None``."""
    match = _PROJECT.match(path)
    return match.group(1) if match else None


def tags(obj: dict[str, Any]) -> list[str]:
    """``scope|tag`` for every tag (``|tag`` when the scope is empty), sorted."""
    return sorted(
        f"{t.get('scope') or ''}|{t.get('tag') or ''}"
        for t in obj.get("tags") or []
        if isinstance(t, dict)
    )


def _common(obj: dict[str, Any], ids: Ids) -> dict[str, Any]:
    path = str(obj["path"])
    project = project_path(path)
    return {
        "id": ids.path(path),
        "nsx_id": str(obj.get("id") or path.rsplit("/", 1)[-1]),
        "path": path,
        "display_name": str(obj.get("display_name") or obj.get("id") or path),
        "description": obj.get("description") or None,
        "project": ids.path(project) if project else None,
        "system_owned": bool(obj.get("_system_owned", False)),
        "tags": tags(obj),
    }


def _path_ref(value: Any, ids: Ids) -> str | None:
    return ids.path(value) if isinstance(value, str) and value.startswith("/") else None


def _refs(values: Iterable[Any], ids: Ids) -> list[str]:
    return sorted({ref for v in values if (ref := _path_ref(v, ids))})


def _domain(path: str) -> str:
    match = _DOMAIN.search(path)
    return match.group(1) if match else "default"


def project(obj: dict[str, Any], ids: Ids) -> r.NsxProject:
    """A ``Project`` (``/orgs/<org>/projects/<id>``)."""
    fields = _common(obj, ids)
    fields["project"] = None
    org = str(obj["path"]).split("/")[2] if str(obj["path"]).startswith("/orgs/") else "default"
    return r.NsxProject(**fields, org=org, short_id=obj.get("short_id"))


def tier0(obj: dict[str, Any], ids: Ids) -> r.NsxTier0:
    """A ``Tier0`` gateway."""
    return r.NsxTier0(
        **_common(obj, ids), ha_mode=obj.get("ha_mode"), failover_mode=obj.get("failover_mode")
    )


def tier1(obj: dict[str, Any], ids: Ids) -> r.NsxTier1:
    """A ``Tier1`` gateway."""
    return r.NsxTier1(
        **_common(obj, ids),
        failover_mode=obj.get("failover_mode"),
        route_advertisement_types=sorted(obj.get("route_advertisement_types") or []),
        tier0=_path_ref(obj.get("tier0_path"), ids),
    )


def segment(obj: dict[str, Any], ids: Ids) -> r.NsxSegment:
    """A ``Segment``."""
    subnets = [s for s in obj.get("subnets") or [] if isinstance(s, dict)]
    return r.NsxSegment(
        **_common(obj, ids),
        segment_type=obj.get("type"),
        transport_zone_path=obj.get("transport_zone_path"),
        admin_state=obj.get("admin_state"),
        subnets=[str(s.get("network") or s.get("gateway_address")) for s in subnets],
        gateway_addresses=[str(s["gateway_address"]) for s in subnets if s.get("gateway_address")],
        vlan_ids=[str(v) for v in obj.get("vlan_ids") or []],
        connectivity=_path_ref(obj.get("connectivity_path"), ids),
    )


def _ports(values: Any) -> str:
    return ",".join(str(v) for v in values or []) or "any"


def service_entry(entry: dict[str, Any]) -> str:
    """One service entry in words, e.g. ``TCP dst 443`` or ``ICMPv4 type 8``."""
    kind = str(entry.get("resource_type", ""))
    if kind == "L4PortSetServiceEntry":
        text = f"{entry.get('l4_protocol', '?')} dst {_ports(entry.get('destination_ports'))}"
        if entry.get("source_ports"):
            text += f" src {_ports(entry.get('source_ports'))}"
        return text
    if kind == "ICMPTypeServiceEntry":
        icmp = entry.get("icmp_type")
        return f"{entry.get('protocol', 'ICMP')} type {'any' if icmp is None else icmp}"
    if kind == "IPProtocolServiceEntry":
        return f"IP protocol {entry.get('protocol_number')}"
    if kind == "ALGTypeServiceEntry":
        return f"ALG {entry.get('alg')} dst {_ports(entry.get('destination_ports'))}"
    if kind == "EtherTypeServiceEntry":
        return f"EtherType {entry.get('ether_type')}"
    if kind == "IGMPTypeServiceEntry":
        return "IGMP"
    if kind == "NestedServiceServiceEntry":
        return f"service {entry.get('nested_service_path')}"
    return kind or "unknown entry"


def service(obj: dict[str, Any], ids: Ids) -> r.NsxService:
    """A ``Service`` with its entries in words."""
    entries = [e for e in obj.get("service_entries") or [] if isinstance(e, dict)]
    return r.NsxService(
        **_common(obj, ids),
        service_entries=[service_entry(e) for e in entries if not is_deleted(e)],
    )


def _clean_expression(value: Any) -> Any:
    if isinstance(value, list):
        return [_clean_expression(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean_expression(value[k]) for k in _EXPRESSION_KEYS if k in value}
    return value


def _walk(expressions: Iterable[Any]) -> Iterator[dict[str, Any]]:
    for expr in expressions:
        if isinstance(expr, dict):
            yield expr
            yield from _walk(expr.get("expressions") or [])


def criteria(expressions: Iterable[Any]) -> str:
    """A group's membership expression in words (nested expressions in parentheses)."""
    words: list[str] = []
    for expr in expressions:
        if not isinstance(expr, dict):
            continue
        kind = expr.get("resource_type")
        if kind == "Condition":
            text = f"{expr.get('member_type')} {expr.get('key')} {expr.get('operator')} "
            text += repr(str(expr.get("value", "")))
            if expr.get("scope_operator"):
                text += f" (scope {expr['scope_operator']})"
            words.append(text)
        elif kind == "ConjunctionOperator":
            words.append(str(expr.get("conjunction_operator")))
        elif kind == "NestedExpression":
            words.append(f"({criteria(expr.get('expressions') or [])})")
        elif kind == "IPAddressExpression":
            words.append(f"IP in [{', '.join(expr.get('ip_addresses') or [])}]")
        elif kind == "MACAddressExpression":
            words.append(f"MAC in [{', '.join(expr.get('mac_addresses') or [])}]")
        elif kind == "PathExpression":
            words.append(f"path in [{', '.join(expr.get('paths') or [])}]")
        elif kind == "ExternalIDExpression":
            ext = ", ".join(expr.get("external_ids") or [])
            words.append(f"{expr.get('member_type')} external id in [{ext}]")
        else:
            words.append(str(kind))
    return " ".join(words)


def group(obj: dict[str, Any], ids: Ids, members: Iterable[str] | None = None) -> r.NsxGroup:
    """A ``Group`` with its expression and the ids of its effective VM members (``None``:
    NSX's effective membership was not read, as in exports)."""
    expression = [e for e in obj.get("expression") or [] if isinstance(e, dict)]
    terms = list(_walk(expression))
    return r.NsxGroup(
        **_common(obj, ids),
        domain=_domain(str(obj["path"])),
        criteria=criteria(expression),
        expression=json.dumps(_clean_expression(expression), sort_keys=True),
        ip_addresses=sorted(
            {
                str(a)
                for e in terms
                if e.get("resource_type") == "IPAddressExpression"
                for a in e.get("ip_addresses") or []
            }
        ),
        includes=_refs(
            (p for e in terms if e.get("resource_type") == "PathExpression" for p in e["paths"]),
            ids,
        ),
        members=sorted(set(members or ())),
        members_from_nsx=members is not None,
    )


def _scope(values: Any, ids: Ids) -> list[str]:
    return _refs([v for v in values or [] if v != ANY], ids)


def policy(obj: dict[str, Any], ids: Ids, policy_type: str) -> r.NsxSecurityPolicy:
    """A ``SecurityPolicy`` (``distributed``) or ``GatewayPolicy`` (``gateway``)."""
    return r.NsxSecurityPolicy(
        **_common(obj, ids),
        policy_type="gateway" if policy_type == "gateway" else "distributed",
        domain=_domain(str(obj["path"])),
        category=obj.get("category"),
        sequence_number=obj.get("sequence_number"),
        stateful=obj.get("stateful"),
        tcp_strict=obj.get("tcp_strict"),
        locked=obj.get("locked"),
        scope=_scope(obj.get("scope"), ids),
    )


def _endpoints(values: Any, ids: Ids) -> tuple[bool, list[str], list[str]]:
    values = [str(v) for v in values or []]
    groups = _refs(values, ids)
    addresses = sorted({v for v in values if v != ANY and not v.startswith("/")})
    return (not values or ANY in values, groups, addresses)


def rule(obj: dict[str, Any], ids: Ids, policy_path: str) -> r.NsxRule:
    """A ``Rule`` of the policy at ``policy_path``."""
    source_any, source_groups, source_addresses = _endpoints(obj.get("source_groups"), ids)
    dest_any, dest_groups, dest_addresses = _endpoints(obj.get("destination_groups"), ids)
    services = [str(s) for s in obj.get("services") or []]
    entries = [e for e in obj.get("service_entries") or [] if isinstance(e, dict)]
    return r.NsxRule(
        **_common(obj, ids),
        policy=ids.path(policy_path),
        rule_id=obj.get("rule_id"),
        sequence_number=obj.get("sequence_number"),
        action=obj.get("action"),
        direction=obj.get("direction"),
        ip_protocol=obj.get("ip_protocol"),
        disabled=bool(obj.get("disabled", False)),
        logged=bool(obj.get("logged", False)),
        notes=obj.get("notes") or None,
        log_label=obj.get("tag") or None,
        source_any=source_any,
        source_groups=source_groups,
        source_addresses=source_addresses,
        sources_excluded=bool(obj.get("sources_excluded", False)),
        destination_any=dest_any,
        destination_groups=dest_groups,
        destination_addresses=dest_addresses,
        destinations_excluded=bool(obj.get("destinations_excluded", False)),
        services_any=(not services and not entries) or ANY in services,
        services=_refs(services, ids),
        service_entries=[service_entry(e) for e in entries],
        profiles=sorted(str(p) for p in obj.get("profiles") or [] if p != ANY),
        scope=_scope(obj.get("scope"), ids),
    )


def vm_external_id(obj: dict[str, Any]) -> str | None:
    """The vCenter instance UUID of a VM as the inventory (``external_id``) or a group's
    member list (``RealizedVirtualMachine``, whose ``id`` is the external id) returns it."""
    value = obj.get("external_id") or obj.get("id")
    return str(value) if value else None


def virtual_machine(obj: dict[str, Any], ids: Ids) -> r.NsxVirtualMachine | None:
    """A VM of the NSX inventory or of a group's member list (``None`` without an id)."""
    external_id = vm_external_id(obj)
    if external_id is None:
        return None
    return r.NsxVirtualMachine(
        id=ids.vm(external_id),
        external_id=external_id,
        display_name=str(obj.get("display_name") or external_id),
        power_state=obj.get("power_state"),
        tags=tags(obj),
    )
