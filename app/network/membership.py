"""Group membership evaluated from a group's expression, as NSX defines it, for when NSX's
effective membership is not available (hierarchical exports) or to check NSX's own answer.

Every answer is three-valued: ``True`` (a member), ``False`` (not), ``None`` (cannot be told
from the input, with the reason: "Condition on Tag without NSX inventory"). Rules followed
(NSX Policy API ``Group.expression``):

* the expression is a list of terms joined by ``ConjunctionOperator`` (``AND``/``OR``); AND
  binds tighter than OR (NSX's criteria sets: conditions in a set are ANDed, sets are ORed);
  ``NestedExpression`` groups terms; an empty expression is an empty group;
* ``Condition`` on ``VirtualMachine`` ``Tag`` (``scope|tag``, ``scope_operator`` on the scope;
  an empty scope matches any scope), ``Name``, ``OSName``, ``ComputerName``, with ``EQUALS``,
  ``NOTEQUALS``, ``CONTAINS``, ``STARTSWITH``, ``ENDSWITH``, ``IN``, ``NOTIN``, ``MATCHES``,
  compared case-insensitively;
* ``ExternalIDExpression`` on ``VirtualMachine``: the vCenter instance UUIDs;
* ``PathExpression``: nested groups (recursively; a cycle is unknown), segments and segment
  ports (by the VM's attachment, when known);
* ``IPAddressExpression`` / ``MACAddressExpression``: the VM's guest addresses, when known.

A group NSX computed itself (``effective_members``) is taken as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from app.network.addresses import address_in
from app.network.model import Estate, NetGroup, NetVm

Tri = bool | None
Outcome = tuple[Tri, frozenset[str]]
_KNOWN: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Membership:
    """A group's members as far as they can be told."""

    group: str
    members: frozenset[str]
    possible: frozenset[str] = frozenset()
    """VMs that may be members: the input cannot tell (see ``unknown``)."""
    unknown: tuple[str, ...] = ()
    source: str = "evaluated"
    """``nsx`` (NSX's effective membership) or ``evaluated`` (from the expression)."""

    @property
    def status(self) -> str:
        """``complete`` or ``membership unknown: <reasons>``."""
        return f"membership unknown: {'; '.join(self.unknown)}" if self.unknown else "complete"


def _text_match(operator: str, actual: str, value: str) -> bool:
    a, v = actual.casefold(), value.casefold()
    values = [x.strip().casefold() for x in value.split(",")]
    tests = {
        "EQUALS": a == v,
        "NOTEQUALS": a != v,
        "CONTAINS": v in a,
        "STARTSWITH": a.startswith(v),
        "ENDSWITH": a.endswith(v),
        "IN": a in values,
        "NOTIN": a not in values,
    }
    if operator == "MATCHES":
        return re.fullmatch(value, actual, flags=re.IGNORECASE) is not None
    return tests.get(operator, False)


def _positive(operator: str) -> tuple[str, bool]:
    """A negative operator as its positive form and ``True`` for "negate the result"."""
    return {"NOTEQUALS": ("EQUALS", True), "NOTIN": ("IN", True)}.get(operator, (operator, False))


def _tag_match(expr: dict[str, Any], tags: Iterable[str]) -> bool:
    value = str(expr.get("value", ""))
    scope, sep, tag = value.partition("|")
    if not sep:
        scope, tag = "", value
    op, negate = _positive(str(expr.get("operator") or "EQUALS"))
    scope_op, scope_negate = _positive(str(expr.get("scope_operator") or "EQUALS"))

    def one(item: str) -> bool:
        item_scope, _, item_tag = item.partition("|")
        if tag and not _text_match(op, item_tag, tag):
            return False
        return not scope or (_text_match(scope_op, item_scope, scope) != scope_negate)

    return any(one(t) for t in tags) != negate


_VM_KEYS = {"Name": "name", "OSName": "guest_os", "ComputerName": "computer_name"}


def condition(expr: dict[str, Any], vm: NetVm) -> Outcome:
    """One ``Condition`` for one VM."""
    member_type, key = str(expr.get("member_type")), str(expr.get("key"))
    if member_type != "VirtualMachine":
        return None, frozenset({f"Condition on {member_type} members is not evaluated"})
    if key == "Tag":
        if vm.tags is None:
            return None, frozenset({"Condition on Tag without NSX inventory"})
        return _tag_match(expr, vm.tags), _KNOWN
    attribute = _VM_KEYS.get(key)
    if attribute is None:
        return None, frozenset({f"Condition on VirtualMachine {key} is not evaluated"})
    actual = getattr(vm, attribute)
    if actual is None:
        return None, frozenset({f"Condition on {key}: the VM's {key} is not collected"})
    op, negate = _positive(str(expr.get("operator") or "EQUALS"))
    return _text_match(op, str(actual), str(expr.get("value", ""))) != negate, _KNOWN


def _in_networks(addresses: Iterable[str], entries: Iterable[str]) -> bool:
    return any(address_in(a, e) for a in addresses for e in entries)


def _any(outcomes: Iterable[Outcome]) -> Outcome:
    reasons: set[str] = set()
    unknown = False
    for value, why in outcomes:
        if value is True:
            return True, _KNOWN
        if value is None:
            unknown = True
            reasons |= why
    return (None, frozenset(reasons)) if unknown else (False, _KNOWN)


def _all(outcomes: Iterable[Outcome]) -> Outcome:
    reasons: set[str] = set()
    unknown = False
    for value, why in outcomes:
        if value is False:
            return False, _KNOWN
        if value is None:
            unknown = True
            reasons |= why
    return (None, frozenset(reasons)) if unknown else (True, _KNOWN)


@dataclass
class Evaluator:
    """Evaluates memberships over one estate (memoised per group and VM)."""

    estate: Estate
    _memo: dict[tuple[str, str], Outcome] = field(default_factory=dict)
    _stack: list[str] = field(default_factory=list)

    def contains(self, group_path: str, vm: NetVm) -> Outcome:
        """Whether ``vm`` is a member of the group at ``group_path``."""
        key = (group_path, vm.id)
        if key in self._memo:
            return self._memo[key]
        group = self.estate.groups.get(group_path)
        if group is None:
            return None, frozenset({f"group {group_path} is not in the input"})
        if group_path in self._stack:
            return None, frozenset({f"group {group_path} includes itself"})
        self._stack.append(group_path)
        try:
            outcome = self._group(group, vm)
        finally:
            self._stack.pop()
        self._memo[key] = outcome
        return outcome

    def _group(self, group: NetGroup, vm: NetVm) -> Outcome:
        if group.effective_members is not None:
            return vm.id in group.effective_members, _KNOWN
        return self.expression(group.expression, vm)

    def expression(self, terms: Iterable[Any], vm: NetVm) -> Outcome:
        """A list of terms and conjunctions: OR of AND-chains."""
        chains: list[list[Outcome]] = [[]]
        pending = False
        for term in terms:
            if not isinstance(term, dict):
                continue
            if term.get("resource_type") == "ConjunctionOperator":
                if str(term.get("conjunction_operator")).upper() == "OR":
                    chains.append([])
                pending = True
                continue
            if chains[-1] and not pending:
                chains.append([])  # two terms with no operator between them: either one
            chains[-1].append(self.term(term, vm))
            pending = False
        return _any(_all(chain) for chain in chains if chain)

    def term(self, expr: dict[str, Any], vm: NetVm) -> Outcome:
        """One expression term."""
        kind = str(expr.get("resource_type"))
        if kind == "Condition":
            return condition(expr, vm)
        if kind == "NestedExpression":
            return self.expression(expr.get("expressions") or [], vm)
        if kind == "ExternalIDExpression":
            return self._external(expr, vm)
        if kind == "PathExpression":
            return _any(self._path(str(p), vm) for p in expr.get("paths") or [])
        if kind in ("IPAddressExpression", "MACAddressExpression"):
            return self._addresses(kind, expr, vm)
        return None, frozenset({f"{kind} is not evaluated"})

    def _external(self, expr: dict[str, Any], vm: NetVm) -> Outcome:
        member_type = str(expr.get("member_type") or "VirtualMachine")
        if member_type != "VirtualMachine":
            return None, frozenset({f"ExternalIDExpression on {member_type} is not evaluated"})
        if vm.instance_uuid is None:
            return None, frozenset({"ExternalIDExpression: the VM's instance UUID is unknown"})
        ids = {str(x).casefold() for x in expr.get("external_ids") or []}
        return vm.instance_uuid.casefold() in ids, _KNOWN

    def _path(self, path: str, vm: NetVm) -> Outcome:
        if path in self.estate.groups:
            return self.contains(path, vm)
        if path in self.estate.segments or "/segments/" in path:
            if vm.segments is None:
                return None, frozenset(
                    {"PathExpression on a segment: VM segment attachments are not collected"}
                )
            return any(path == s or s.startswith(path + "/") for s in vm.segments), _KNOWN
        return None, frozenset({f"PathExpression: {path} is not a group or segment in the input"})

    def _addresses(self, kind: str, expr: dict[str, Any], vm: NetVm) -> Outcome:
        if kind == "MACAddressExpression":
            if vm.macs is None:
                return None, frozenset({"MACAddressExpression: VM MAC addresses are not collected"})
            macs = {str(m).casefold() for m in expr.get("mac_addresses") or []}
            return any(m.casefold() in macs for m in vm.macs), _KNOWN
        if vm.ips is None:
            return None, frozenset({"IPAddressExpression: VM guest IPs are not collected"})
        return _in_networks(vm.ips, [str(a) for a in expr.get("ip_addresses") or []]), _KNOWN


def resolve(estate: Estate) -> dict[str, Membership]:
    """Every group's membership over every VM of the estate."""
    evaluator = Evaluator(estate)
    found: dict[str, Membership] = {}
    for path, group in estate.groups.items():
        members: set[str] = set()
        possible: set[str] = set()
        reasons: set[str] = set()
        for vm in estate.vms.values():
            value, why = evaluator.contains(path, vm)
            if value is True:
                members.add(vm.id)
            elif value is None:
                possible.add(vm.id)
                reasons |= why
        source = "nsx" if group.effective_members is not None else "evaluated"
        found[path] = Membership(
            path, frozenset(members), frozenset(possible), tuple(sorted(reasons)), source
        )
    return found
