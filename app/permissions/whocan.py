"""``who-can`` in steps: the permissions that apply on the entity, every principal they reach
(nested group members one by one, with the shortest membership chain), and each principal's
outcome. :meth:`app.permissions.engine.PermissionEngine.who_can` runs them in order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from app.graph import Graph
from app.permissions.answers import Answer, Principal, Q, Reach
from app.permissions.rules import Chain, EntityRef, Grant, Match, Outcome, Step, evaluate

Candidate = tuple[Principal, dict[str, Match]]


def applicable(chains: Sequence[Chain]) -> list[Grant]:
    """The permissions that apply on the entity: set on it, or propagating from a level
    that can hold permissions."""
    return [
        g
        for c in chains
        for depth, lv in enumerate(c.levels)
        if lv.holder
        for g in lv.grants
        if depth == 0 or g.propagate
    ]


@dataclass
class Reached:
    """The principals the permissions reach: id -> (name, kind, enabled), each member's
    groups inside the closure, and the granted principals' ids."""

    info: dict[str, tuple[str, str, bool]] = field(default_factory=dict)
    parents: dict[str, list[str]] = field(default_factory=dict)
    grantees: list[str] = field(default_factory=list)


def reached(graph: Graph, grants: Sequence[Grant]) -> Reached:
    """Read the granted principals and every member below the granted groups."""
    grantees = sorted({g.grantee for g in grants if g.grantee})
    groups = sorted({g.grantee for g in grants if g.grantee and g.is_group})
    out = Reached(grantees=grantees)
    for row in graph.read(f"{Q}/principals", {"ids": grantees}):
        out.info[str(row["id"])] = (str(row["name"]), str(row["kind"]), bool(row["enabled"]))
    below = graph.read(f"{Q}/members_below", {"ids": groups}, raw=True) if groups else []
    netbios = {str(r["netbios"]).lower(): str(r["netbios"]) for r in graph.read(f"{Q}/domains")}
    for row in below:
        for member, account_key, sam, name, kind, enabled in row["members"]:
            if member not in out.info:
                domain = netbios.get(str(account_key).split("\\", 1)[0]) if account_key else None
                shown = f"{domain}\\{sam}" if domain and sam else str(name)
                out.info[member] = (shown, str(kind), bool(enabled))
            out.parents.setdefault(member, []).append(str(row["id"]))
    return out


def candidates(found: Reached, grants: Sequence[Grant]) -> list[Candidate]:
    """Every principal with how each permission applies to it: directory accounts through
    their shortest membership chains, then names no collected account answers to."""
    names = {pid: n for pid, (n, _, _) in found.info.items()}
    reach = Reach(names, found.parents, set(found.grantees))
    out: list[Candidate] = []
    for pid, (name, kind, enabled) in found.info.items():
        paths = reach.of(pid)
        matches = {
            g.id: Match(g.grantee == pid, paths[g.grantee]) for g in grants if g.grantee in paths
        }
        out.append((Principal(name, kind, pid, enabled), matches))
    externals: dict[str, list[Grant]] = {}
    for g in grants:
        if g.grantee is None:
            externals.setdefault(g.principal.lower(), []).append(g)
    for same in externals.values():
        principal = Principal(same[0].principal, same[0].principal_status or "external")
        out.append((principal, {g.id: Match(True, (g.principal,)) for g in same}))
    return out


def _with_via(shared: Outcome, matches: Mapping[str, Match]) -> Outcome:
    """A shared outcome with this principal's own membership chains in its steps."""
    steps = [
        Step(s.effect, s.chain, s.grant, s.inherited, matches[s.grant.id].via, s.privileges, s.by)
        for s in shared.steps
    ]
    return Outcome(shared.privileges, shared.masked, steps)


def answers(
    entity: EntityRef,
    chains: Sequence[Chain],
    found: Sequence[Candidate],
    privilege: str | None,
    include_denied: bool,
) -> list[Answer]:
    """Each candidate's outcome (evaluated once per distinct set of matching permissions),
    filtered by ``privilege`` and ``include_denied``, sorted by principal name."""
    memo: dict[tuple[tuple[str, bool], ...], Outcome] = {}
    out = []
    for principal, matches in found:
        if not matches:
            continue
        key = tuple(sorted((k, m.own) for k, m in matches.items()))
        if key not in memo:
            memo[key] = evaluate(chains, matches)
        shared = memo[key]
        if privilege is not None and privilege not in shared.privileges:
            continue
        if not shared.privileges and not include_denied:
            continue
        out.append(Answer(principal, entity, _with_via(shared, matches)))
    out.sort(key=lambda a: (a.principal.name.lower(), a.principal.id or ""))
    return out
