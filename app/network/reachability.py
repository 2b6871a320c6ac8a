"""Can VM A reach VM B: NSX's distributed firewall, evaluated as NSX does.

Rules followed (NSX Administration Guide, "Distributed Firewall"; Policy API ``SecurityPolicy``
/ ``Rule``):

* the DFW enforces at every vNIC: traffic leaves the source VM's vNIC (rules with direction
  ``OUT`` or ``IN_OUT`` applied to it) and enters the destination's (``IN`` or ``IN_OUT``);
  both must allow it;
* categories in order Ethernet, Emergency, Infrastructure, Environment, Application; within a
  category, policies by sequence number, then rules by sequence number; the first rule that
  matches decides. An Ethernet (layer 2) ALLOW passes the packet on to the layer-3 categories;
  ``JUMP_TO_APPLICATION`` (Environment) skips to the Application category;
* applied-to: the policy's scope when it has one (it overrides its rules'), else the rule's,
  else the whole DFW; a rule applies at a vNIC only if the VM is in that scope;
* sources / destinations: ``ANY``, groups, raw IPs, CIDRs and ranges; ``sources_excluded`` /
  ``destinations_excluded`` negate the side; services as in :mod:`app.network.services`;
* disabled rules are skipped; the default rule is the last rule of ``default-layer3-section``
  (``default-allow`` / ``default-drop``); without it in the input the answer says so;
* gateway policies are north-south (at the Tier-0/Tier-1) and never decide VM-to-VM traffic.

A rule that may match (its membership is unknown) does not stop the walk; the verdict stands
only if every such rule would have decided the same way, else it is ``unknown``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from app.network.addresses import address_in
from app.network.membership import Evaluator, Outcome
from app.network.model import DFW_CATEGORIES, DfwPolicy, DfwRule, Estate, NetVm
from app.network.services import Probe, probes, rule_matches
from app.records.nsx import ANY

BLOCKING = ("drop", "reject", "default-drop")
_ACTIONS = {"ALLOW": "allow", "DROP": "drop", "REJECT": "reject"}


@dataclass(frozen=True)
class RuleCheck:
    """One rule considered, at one vNIC, and why it did or did not match."""

    rule: str
    name: str
    policy: str
    category: str
    sequence: int
    at: str
    """``source`` (leaving the source VM) or ``destination`` (entering the destination)."""
    outcome: str
    """``match``, ``no match``, ``may match`` or ``skipped``."""
    why: str


@dataclass(frozen=True)
class Decision:
    """The verdict for one probe."""

    verdict: str
    """``allow``, ``drop``, ``reject``, ``default-allow``, ``default-drop`` or ``unknown``."""
    probe: Probe
    rule: RuleCheck | None = None
    explanation: tuple[RuleCheck, ...] = ()
    notes: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()
    """Without a port in the question: the probes (``tcp/443``...) that are allowed."""


def ordered(estate: Estate) -> list[tuple[DfwPolicy, DfwRule]]:
    """Every distributed-firewall rule in NSX's evaluation order."""

    def category(policy: DfwPolicy) -> int:
        return DFW_CATEGORIES.index(policy.category) if policy.category in DFW_CATEGORIES else 99

    policies = sorted(
        (p for p in estate.policies if p.policy_type == "distributed"),
        key=lambda p: (category(p), p.is_default, p.sequence, p.path),
    )
    return [
        (policy, rule)
        for policy in policies
        for rule in sorted(policy.rules, key=lambda r: (r.sequence, r.path))
    ]


@dataclass
class _Walk:
    estate: Estate
    evaluator: Evaluator
    src: NetVm
    dst: NetVm
    probe: Probe
    checks: list[RuleCheck] = field(default_factory=list)
    pending: list[tuple[RuleCheck, str]] = field(default_factory=list)

    def name(self, ref: str) -> str:
        group = self.estate.groups.get(ref)
        return group.name if group else ref

    def side(self, refs: tuple[str, ...], excluded: bool, vm: NetVm, label: str) -> Outcome:
        if not refs or ANY in refs:
            return True, frozenset()
        outcomes: list[Outcome] = []
        for ref in refs:
            if ref.startswith("/"):
                outcomes.append(self.evaluator.contains(ref, vm))
            elif vm.ips is None:
                outcomes.append((None, frozenset({f"{ref}: the VM's guest IPs are not known"})))
            else:
                outcomes.append((any(address_in(ip, ref) for ip in vm.ips), frozenset()))
        value, why = _any_of(outcomes)
        names = ", ".join(self.name(r) for r in refs)
        if value is not None and excluded:
            value = not value
        if value is False:
            where = "in" if excluded else "not in"
            return False, frozenset({f"{label} {vm.name} is {where} [{names}]"})
        return value, why

    def scope(self, policy: DfwPolicy, rule: DfwRule, vm: NetVm) -> Outcome:
        refs = tuple(x for x in (policy.scope or rule.scope) if x != ANY)
        if not refs:
            return True, frozenset()
        outcomes: list[Outcome] = []
        for ref in refs:
            if ref in self.estate.groups:
                outcomes.append(self.evaluator.contains(ref, vm))
            elif vm.segments is not None:
                outcomes.append(
                    (any(s == ref or s.startswith(ref + "/") for s in vm.segments), frozenset())
                )
            else:
                outcomes.append((None, frozenset({f"applied to {ref}: VM attachments unknown"})))
        value, why = _any_of(outcomes)
        if value is False:
            names = ", ".join(self.name(r) for r in refs)
            level = "policy" if policy.scope else "rule"
            return False, frozenset({f"not applied to {vm.name} ({level} applied-to [{names}])"})
        return value, why

    def match(self, policy: DfwPolicy, rule: DfwRule, at: str) -> Outcome:
        needed = "OUT" if at == "source" else "IN"
        if rule.direction not in ("IN_OUT", needed, "", None):
            return False, frozenset({f"direction {rule.direction} does not apply at the {at}"})
        vnic = self.src if at == "source" else self.dst
        tests = [
            self.scope(policy, rule, vnic),
            self.side(rule.sources, rule.sources_excluded, self.src, "source"),
            self.side(rule.destinations, rule.destinations_excluded, self.dst, "destination"),
        ]
        services = rule_matches(rule, self.probe, self.estate)
        why = frozenset({f"services do not include {self.probe.label}"})
        tests.append((services, frozenset() if services else why))
        return _all_of(tests)

    def vnic(self, at: str) -> tuple[str, RuleCheck | None]:
        skip_to_application = False
        for policy, rule in ordered(self.estate):
            if skip_to_application and policy.category != "Application":
                continue
            check = _check(policy, rule, at)
            if rule.disabled:
                self.checks.append(check("skipped", "disabled"))
                continue
            value, why = self.match(policy, rule, at)
            reason = "; ".join(sorted(why))
            if value is False:
                self.checks.append(check("no match", reason))
                continue
            action = (rule.action or "").upper()
            if value is None:
                self.checks.append(check("may match", f"{action} if it matched; {reason}"))
                self.pending.append((self.checks[-1], action))
                continue
            if policy.category == "Ethernet" and action == "ALLOW":
                self.checks.append(check("match", "layer-2 ALLOW: on to the layer-3 rules"))
                continue
            if action == "JUMP_TO_APPLICATION":
                self.checks.append(check("match", "JUMP_TO_APPLICATION: on to Application"))
                skip_to_application = True
                continue
            verdict = _ACTIONS.get(action, "unknown")
            if policy.is_default:
                verdict = "default-allow" if action == "ALLOW" else "default-drop"
            self.checks.append(check("match", f"{action} decides at the {at}"))
            return verdict, self.checks[-1]
        return "unknown", None


def _check(policy: DfwPolicy, rule: DfwRule, at: str) -> Callable[[str, str], RuleCheck]:
    def make(outcome: str, why: str) -> RuleCheck:
        return RuleCheck(
            rule.path, rule.name, policy.name, policy.category, rule.sequence, at, outcome, why
        )

    return make


def _any_of(outcomes: list[Outcome]) -> Outcome:
    reasons: set[str] = set()
    for value, why in outcomes:
        if value is True:
            return True, frozenset()
        if value is None:
            reasons |= why
    return (None, frozenset(reasons)) if reasons else (False, frozenset())


def _all_of(outcomes: list[Outcome]) -> Outcome:
    reasons: set[str] = set()
    unknown = False
    for value, why in outcomes:
        if value is False:
            return False, why
        if value is None:
            unknown = True
            reasons |= why
    return (None, frozenset(reasons)) if unknown else (True, frozenset())


def _same_way(verdict: str, action: str) -> bool:
    allows = verdict in ("allow", "default-allow")
    return (action == "ALLOW" and allows) or (action in ("DROP", "REJECT") and not allows)


def decide(
    estate: Estate, src: NetVm, dst: NetVm, probe: Probe, evaluator: Evaluator | None = None
) -> Decision:
    """The verdict for one kind of traffic from ``src`` to ``dst``."""
    walk = _Walk(estate, evaluator or Evaluator(estate), src, dst, probe)
    verdict, rule = walk.vnic("source")
    if verdict not in BLOCKING and verdict != "unknown":
        verdict, rule = walk.vnic("destination")
    notes = list(_notes(estate, rule))
    if walk.pending and verdict != "unknown":
        undecided = [c for c, action in walk.pending if not _same_way(verdict, action)]
        if undecided:
            notes.append(
                f"{verdict} unless an earlier rule whose membership is unknown matched "
                f"({', '.join(c.name for c in undecided)})"
            )
            verdict = "unknown"
    return Decision(verdict, probe, rule, tuple(walk.checks), tuple(notes))


def _notes(estate: Estate, rule: RuleCheck | None) -> Iterator[str]:
    gateway = sum(1 for p in estate.policies if p.policy_type == "gateway")
    if gateway:
        yield f"{gateway} gateway policies are north-south and were not evaluated"
    if rule is None and not any(p.is_default for p in estate.policies):
        yield (
            "no rule matched and the default rule (default-layer3-section) is not in the "
            "input: NSX ships it as ALLOW, but it may have been changed"
        )
    elif rule is None:
        yield "no rule matched"


def can_reach(estate: Estate, src: NetVm, dst: NetVm, probe: Probe | None = None) -> Decision:
    """The verdict for ``probe``; with none, for every kind of traffic the rules tell apart:
    ``allow`` if some is allowed (listed in ``allowed``), else the verdict for the rest."""
    if probe is not None:
        return decide(estate, src, dst, probe)
    evaluator = Evaluator(estate)
    rules = [rule for _, rule in ordered(estate)]
    decisions = [decide(estate, src, dst, p, evaluator) for p in probes(rules, estate)]
    allowed = [d for d in decisions if d.verdict in ("allow", "default-allow")]
    if allowed:
        best = next((d for d in allowed if d.verdict == "allow"), allowed[0])
        labels = tuple(d.probe.label for d in allowed)
        return Decision(best.verdict, best.probe, best.rule, best.explanation, best.notes, labels)
    unknown = [d for d in decisions if d.verdict == "unknown"]
    return unknown[0] if unknown else decisions[-1]
