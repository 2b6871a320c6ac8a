"""Group membership evaluation on hand-worked expressions (NSX Policy API ``Group.expression``:
``Condition``, ``ConjunctionOperator``, ``NestedExpression``, ``PathExpression``,
``ExternalIDExpression``, ``IPAddressExpression``, ``MACAddressExpression``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from app.network.membership import resolve
from app.network.model import Estate, NetGroup, NetVm
from tests.support.network_cases import APP, DB, WEB, cond, conj, g, group, tag

VMS = (WEB, APP, DB)


def members(
    *expression: dict[str, Any], extra: tuple[NetGroup, ...] = (), vms: tuple[NetVm, ...] = VMS
) -> tuple[set[str], set[str], tuple[str, ...]]:
    """(members, possible members, reasons) of a group with this expression."""
    target = group("target", *expression)
    groups = {x.path: x for x in (target, *extra)}
    estate = Estate(vms={vm.id: vm for vm in vms}, groups=groups,
                    segments=frozenset({"/infra/segments/web-seg"}))  # fmt: skip
    found = resolve(estate)[target.path]
    return set(found.members), set(found.possible), found.unknown


EXT = {"resource_type": "ExternalIDExpression", "member_type": "VirtualMachine"}
CASES = [
    ("Condition Tag EQUALS scope|tag", (tag("app|web"),), {"vm-web"}),
    ("Condition Tag with no scope matches any scope", (tag("|prod"),), {"vm-app", "vm-db"}),
    ("Condition Tag CONTAINS", (tag("app|ap", "CONTAINS"),), {"vm-app"}),
    ("Condition Tag NOTEQUALS", (tag("app|web", "NOTEQUALS"),), {"vm-app", "vm-db"}),
    (
        "Condition Tag scope_operator EQUALS narrows",
        (tag("env|prod", scope_operator="EQUALS"),),
        {"vm-app", "vm-db"},
    ),
    ("Condition Name STARTSWITH", (cond("Name", "STARTSWITH", "we"),), {"vm-web"}),
    ("Condition Name is case-insensitive", (cond("Name", "EQUALS", "DB-01"),), {"vm-db"}),
    ("Condition OSName CONTAINS", (cond("OSName", "CONTAINS", "linux"),), {"vm-web", "vm-db"}),
    ("Condition Name IN a list", (cond("Name", "IN", "web-01, db-01"),), {"vm-web", "vm-db"}),
    (
        "Condition Name MATCHES a regex",
        (cond("Name", "MATCHES", r"(app|db)-\d+"),),
        {"vm-app", "vm-db"},
    ),
    (
        "ConjunctionOperator AND",
        (tag("|prod"), conj("AND"), cond("Name", "ENDSWITH", "01")),
        {"vm-app", "vm-db"},
    ),
    ("ConjunctionOperator AND narrows", (tag("|prod"), conj("AND"), tag("app|db")), {"vm-db"}),
    ("ConjunctionOperator OR", (tag("app|web"), conj("OR"), tag("app|db")), {"vm-web", "vm-db"}),
    (
        "AND binds tighter than OR",
        (tag("app|web"), conj("OR"), tag("|prod"), conj("AND"), tag("app|db")),
        {"vm-web", "vm-db"},
    ),
    (
        "NestedExpression groups terms",
        (
            {
                "resource_type": "NestedExpression",
                "expressions": [tag("app|web"), conj("OR"), tag("app|app")],
            },
            conj("AND"),
            cond("OSName", "CONTAINS", "windows"),
        ),
        {"vm-app"},
    ),
    (
        "ExternalIDExpression: vCenter instance UUIDs",
        ({**EXT, "external_ids": ["UUID-APP"]},),
        {"vm-app"},
    ),
    (
        "IPAddressExpression: CIDR against guest IPs",
        ({"resource_type": "IPAddressExpression", "ip_addresses": ["10.0.2.0/24"]},),
        {"vm-app"},
    ),
    (
        "IPAddressExpression: range against guest IPs",
        ({"resource_type": "IPAddressExpression", "ip_addresses": ["10.0.3.1-10.0.3.40"]},),
        {"vm-db"},
    ),
    (
        "PathExpression: a nested group",
        ({"resource_type": "PathExpression", "paths": [g("web-tag")]},),
        {"vm-web"},
    ),
    ("empty expression: an empty group", (), set()),
]


@pytest.mark.parametrize(("expression", "expected"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_hand_worked_membership(expression: tuple[dict[str, Any], ...], expected: set[str]) -> None:
    nested = group("web-tag", tag("app|web"))
    assert members(*expression, extra=(nested,)) == (expected, set(), ())


def test_tags_without_nsx_inventory_are_unknown_never_empty() -> None:
    blind = tuple(replace(vm, tags=None) for vm in VMS)
    found, possible, why = members(tag("app|web"), vms=blind)
    assert (found, possible, why) == (set(), {"vm-web", "vm-app", "vm-db"},
                                      ("Condition on Tag without NSX inventory",))  # fmt: skip


def test_a_known_term_decides_an_or_with_an_unknown_one() -> None:
    blind = tuple(replace(vm, tags=None) for vm in VMS)
    found, possible, _ = members({**EXT, "external_ids": ["uuid-web"]}, conj("OR"), tag("a|b"),
                                 vms=blind)  # fmt: skip
    assert (found, possible) == ({"vm-web"}, {"vm-app", "vm-db"})


def test_a_false_term_decides_an_and_with_an_unknown_one() -> None:
    blind = tuple(replace(vm, tags=None) for vm in VMS)
    found, possible, _ = members({**EXT, "external_ids": ["uuid-web"]}, conj("AND"), tag("a|b"),
                                 vms=blind)  # fmt: skip
    assert (found, possible) == (set(), {"vm-web"})


def test_segments_without_attachments_are_unknown() -> None:
    path = {"resource_type": "PathExpression", "paths": ["/infra/segments/web-seg"]}
    _, possible, why = members(path)
    assert possible == {"vm-web", "vm-app", "vm-db"}
    assert why == ("PathExpression on a segment: VM segment attachments are not collected",)


def test_segments_and_ports_with_attachments() -> None:
    attached = replace(WEB, segments=frozenset({"/infra/segments/web-seg/ports/p1"}))
    path = {"resource_type": "PathExpression", "paths": ["/infra/segments/web-seg"]}
    assert members(path, vms=(attached, replace(APP, segments=frozenset()))) == (
        {"vm-web"},
        set(),
        (),
    )


def test_mac_addresses() -> None:
    known = replace(DB, macs=frozenset({"00:50:56:aa:bb:cc"}))
    expr = {"resource_type": "MACAddressExpression", "mac_addresses": ["00:50:56:AA:BB:CC"]}
    assert members(expr, vms=(known, replace(WEB, macs=frozenset()))) == ({"vm-db"}, set(), ())


def test_a_group_that_includes_itself_is_unknown() -> None:
    loop = {"resource_type": "PathExpression", "paths": [g("target")]}
    _, possible, why = members(loop)
    assert possible and why == (f"group {g('target')} includes itself",)


def test_nsx_effective_membership_is_taken_as_it_is() -> None:
    live = NetGroup(g("live"), "live", (tag("app|web"),), frozenset({"vm-db"}))
    expr = {"resource_type": "PathExpression", "paths": [g("live")]}
    assert members(expr, extra=(live,)) == ({"vm-db"}, set(), ())


def test_other_member_types_are_reported() -> None:
    _, _, why = members(cond("Tag", "EQUALS", "x|y", member_type="Segment"))
    assert why == ("Condition on Segment members is not evaluated",)
