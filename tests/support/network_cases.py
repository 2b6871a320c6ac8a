"""Small hand-built NSX estates for the network engine's unit tests."""

from __future__ import annotations

from typing import Any

from app.network.model import DfwPolicy, DfwRule, Estate, NetGroup, NetService, NetVm

D = "/infra/domains/default"
WEB = NetVm("vm-web", "web-01", "uuid-web", "Ubuntu Linux (64-bit)", tags=frozenset({"app|web"}),
            ips=frozenset({"10.0.1.10"}))  # fmt: skip
APP = NetVm("vm-app", "app-01", "uuid-app", "Microsoft Windows Server 2022 (64-bit)",
            tags=frozenset({"app|app", "env|prod"}), ips=frozenset({"10.0.2.20"}))  # fmt: skip
DB = NetVm("vm-db", "db-01", "uuid-db", "Red Hat Enterprise Linux 9 (64-bit)",
           tags=frozenset({"app|db", "env|prod"}), ips=frozenset({"10.0.3.30"}))  # fmt: skip


def group(name: str, *expression: dict[str, Any], members: set[str] | None = None) -> NetGroup:
    """A group of the default domain."""
    return NetGroup(
        f"{D}/groups/{name}",
        name,
        tuple(expression),
        None if members is None else frozenset(members),
    )


def g(name: str) -> str:
    """A group's path."""
    return f"{D}/groups/{name}"


def tag(value: str, operator: str = "EQUALS", **extra: Any) -> dict[str, Any]:
    """A ``Condition`` on VM tags."""
    return {"resource_type": "Condition", "member_type": "VirtualMachine", "key": "Tag",
            "operator": operator, "value": value, **extra}  # fmt: skip


def cond(
    key: str, operator: str, value: str, member_type: str = "VirtualMachine"
) -> dict[str, Any]:
    """A ``Condition`` on another key."""
    return {"resource_type": "Condition", "member_type": member_type, "key": key,
            "operator": operator, "value": value}  # fmt: skip


def conj(op: str) -> dict[str, Any]:
    """A ``ConjunctionOperator``."""
    return {"resource_type": "ConjunctionOperator", "conjunction_operator": op}


GROUPS = (
    group("web", tag("app|web")),
    group("app", tag("app|app")),
    group("db", tag("app|db")),
    group("prod", tag("env|prod")),
)
SERVICES = (
    NetService("/infra/services/HTTPS", "HTTPS", ("TCP dst 443",)),
    NetService("/infra/services/SSH", "SSH", ("TCP dst 22",)),
    NetService("/infra/services/MySQL", "MySQL", ("TCP dst 3306",)),
    NetService("/infra/services/DNS", "DNS", ("UDP dst 53",)),
    NetService("/infra/services/ICMP", "ICMP-ALL", ("ICMPv4 type any",)),
    NetService("/infra/services/app-range", "app-range", ("TCP dst 8443,8444-8450",)),
    NetService("/infra/services/web-bundle", "web-bundle", ("service /infra/services/HTTPS",)),
)


def rule(name: str, action: str = "ALLOW", sequence: int = 10, **fields: Any) -> DfwRule:
    """A rule (``src``/``dst`` take group names or raw addresses; ``svc`` service names)."""
    sources = tuple(g(x) if not x[0].isdigit() and x != "ANY" else x for x in fields.pop("src", ()))
    dests = tuple(g(x) if not x[0].isdigit() and x != "ANY" else x for x in fields.pop("dst", ()))
    services = tuple(f"/infra/services/{s}" if s != "ANY" else s for s in fields.pop("svc", ()))
    scope = tuple(g(x) for x in fields.pop("scope", ()))
    return DfwRule(f"/rules/{name}", name, sequence, action, sources=sources, destinations=dests,
                   services=services, scope=scope, **fields)  # fmt: skip


def policy(name: str, category: str, sequence: int, *rules: DfwRule, **fields: Any) -> DfwPolicy:
    """A distributed policy (``scope`` takes group names)."""
    scope = tuple(g(x) for x in fields.pop("scope", ()))
    return DfwPolicy(f"{D}/security-policies/{name}", name, category, sequence, tuple(rules),
                     scope=scope, **fields)  # fmt: skip


def default(action: str = "ALLOW") -> DfwPolicy:
    """NSX's default policy with its default rule."""
    return policy("default-layer3-section", "Application", 2**31 - 1,
                  rule("default-layer3-rule", action, 2**31 - 1), system_owned=True)  # fmt: skip


def estate(
    *policies: DfwPolicy, groups: tuple[Any, ...] = GROUPS, vms: tuple[NetVm, ...] = (WEB, APP, DB)
) -> Estate:
    """An estate of the three VMs, the groups and services above and these policies."""
    return Estate(
        vms={vm.id: vm for vm in vms},
        groups={x.path: x for x in groups},
        services={s.path: s for s in SERVICES},
        policies=tuple(policies),
        segments=frozenset({"/infra/segments/web-seg"}),
    )
