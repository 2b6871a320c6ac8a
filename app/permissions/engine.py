"""Effective vSphere permissions from the graph: who can do what, where, and why.

The engine reads a small part of the graph with the statements in ``cypher/permissions/``
(the entity's inheritance chains, the permissions on them, the principal's groups or the
members of the granted groups) and applies vSphere's rules in :mod:`app.permissions.rules`.
It never changes the graph. The inheritance edges it walks (``PERMISSION_PARENT``) and the
permission-to-account links (``GRANTED_TO``) are built by ``authmap derive`` after every load.

Why query-time and not a materialised closure: the parts an answer needs are small (a chain
is a handful of levels, a principal has tens of groups), so reading them is a few
milliseconds, while a closure of every user x every entity on a 10,000-VM / 50,000-user
estate would hold hundreds of millions of rows and go stale with every ingest. The
measurements are in ``bench/permissions.py`` and ``BENCHMARKS.md``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.graph import Graph
from app.permissions.rules import (
    Chain,
    EntityRef,
    Grant,
    Level,
    Match,
    Outcome,
    Step,
    evaluate,
    sorted_privileges,
)
from app.records.ad import dn_key

Q = "permissions"


class PermissionQueryError(LookupError):
    """A principal, entity or privilege could not be found, or a name is ambiguous."""


class NotFoundError(PermissionQueryError):
    """No principal, entity or privilege answers to the name given."""


class AmbiguousNameError(PermissionQueryError):
    """Several principals or entities answer to the name given."""


@dataclass(frozen=True)
class Principal:
    """Who an answer is about: a directory account, or a name only vCenter knows."""

    name: str
    kind: str
    """``ADUser``, ``ADGroup``, ``ADComputer``, ``ADForeignPrincipal``; for a name no collected
    account answers to, ``external`` (a domain not collected) or ``unresolved`` (no such
    account in a collected domain: a deleted account, or a user granted as a group)."""
    id: str | None = None
    enabled: bool = True


@dataclass(frozen=True)
class Answer:
    """One principal's effective privileges on one entity, with the explanation."""

    principal: Principal
    entity: EntityRef
    outcome: Outcome

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape the command line and the API return."""
        return {
            "principal": self.principal.name,
            "principal_id": self.principal.id,
            "principal_kind": self.principal.kind,
            "enabled": self.principal.enabled,
            "entity": {"id": self.entity.id, "name": self.entity.name, "kind": self.entity.kind},
            "privileges": list(sorted_privileges(self.outcome.privileges)),
            "masked_privileges": sorted(self.outcome.masked),
            "explanation": [step_dict(s) for s in self.outcome.steps],
        }


def step_dict(step: Step) -> dict[str, Any]:
    """One explanation step as JSON."""
    g = step.grant
    return {
        "effect": step.effect,
        "text": step.text(),
        "chain": step.chain,
        "inherited": step.inherited,
        "via": list(step.via),
        "permission": {
            "id": g.id,
            "principal": g.principal,
            "is_group": g.is_group,
            "role": g.role,
            "role_id": g.role_id,
            "propagate": g.propagate,
            "entity": {"id": g.entity.id, "name": g.entity.name, "kind": g.entity.kind},
        },
        "privileges": list(step.privileges),
        "by": step.by,
    }


def _entity(row: Mapping[str, Any]) -> EntityRef:
    return EntityRef(str(row["id"]), str(row["name"] or row["id"]), str(row["kind"]))


def shortest_chains(
    start: str, names: Mapping[str, str], parents: Mapping[str, Iterable[str]]
) -> dict[str, tuple[str, ...]]:
    """Breadth-first from ``start`` up the membership edges: node id -> shortest name chain."""
    via: dict[str, tuple[str, ...]] = {start: (names.get(start, start),)}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for up in parents.get(node, ()):
            if up not in via and up in names:
                via[up] = (*via[node], names[up])
                queue.append(up)
    return via


class PermissionEngine:
    """Answers ``effective`` and ``who-can`` questions from the graph (read-only)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._roles: dict[str, frozenset[str]] = {}

    # -- lookups ----------------------------------------------------------------------------
    def find_principal(self, name: str) -> Principal:
        """The principal a person means by ``name`` (DOMAIN\\account, UPN, DN or node id)."""
        name = name.strip()
        if not name:
            raise NotFoundError("the principal name is empty")
        key = dn_key(name) if "=" in name else None
        rows = self.graph.read(
            f"{Q}/find_principal",
            {"name": name, "dn_key": key, "aliases": self.graph.settings.ad_domain_aliases},
        )
        if len(rows) > 1:
            listed = ", ".join(f"{r['name']} ({r['kind']}, {r['id']})" for r in rows)
            raise AmbiguousNameError(f"{name!r} is ambiguous: {listed}; pass a node id")
        if rows:
            r = rows[0]
            return Principal(str(r["name"]), str(r["kind"]), str(r["id"]), bool(r["enabled"]))
        external = self.graph.read(f"{Q}/external_principal", {"name": name})
        if external:
            status = str(external[0]["status"] or "external")
            return Principal(str(external[0]["name"]), status)
        raise NotFoundError(
            f"no principal {name!r}: not in the collected directory and named by no permission"
        )

    def find_entity(self, ref: str) -> EntityRef:
        """The vSphere entity a person means by ``ref`` (node id, managed object id or name)."""
        ref = ref.strip()
        rows = self.graph.read(f"{Q}/find_entity", {"ref": ref})
        if not rows:
            rows = self.graph.read(f"{Q}/find_entity_folded", {"ref": ref})
        exact = [r for r in rows if r["exact"] == 0]
        rows = exact or rows
        if not rows:
            raise NotFoundError(f"no vSphere entity {ref!r} (give a name, moref or id)")
        if len(rows) > 1:
            listed = ", ".join(
                f"{r['kind']} {r['id']}" + (f" under {r['parents'][0]}" if r["parents"] else "")
                for r in rows[:10]
            )
            more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
            raise AmbiguousNameError(f"{ref!r} names {len(rows)} entities: {listed}{more}")
        return _entity(rows[0])

    def check_privilege(self, privilege: str) -> None:
        """Raise if no collected privilege has the id ``privilege``."""
        if not self.graph.read(f"{Q}/privilege_exists", {"id": privilege})[0]["known"]:
            raise NotFoundError(
                f"unknown privilege {privilege!r} (e.g. VirtualMachine.Interact.PowerOn)"
            )

    # -- reading the graph ------------------------------------------------------------------
    def _privileges(self, role_nodes: Iterable[str | None]) -> dict[str, frozenset[str]]:
        missing = sorted({r for r in role_nodes if r and r not in self._roles})
        if missing:
            for row in self.graph.read(f"{Q}/role_privileges", {"ids": missing}):
                self._roles[str(row["id"])] = frozenset(row["privileges"])
        return self._roles

    def _grants(
        self, rows: Sequence[Mapping[str, Any]], entities: Mapping[str, EntityRef]
    ) -> list[Grant]:
        roles = self._privileges(r["role_node"] for r in rows)
        return [
            Grant(
                id=str(r["id"]),
                principal=str(r["principal"]),
                is_group=bool(r["is_group"]),
                role_id=int(r["role_id"]),
                role=str(r["role"]),
                propagate=bool(r["propagate"]),
                entity=entities[str(r["entity"])],
                privileges=roles.get(str(r["role_node"]), frozenset()),
                grantee=r["grantee"],
                principal_status=r["status"],
            )
            for r in rows
        ]

    def chains(self, entity: EntityRef) -> list[Chain]:
        """The entity's inheritance chains with the permissions set on every level."""
        rows = self.graph.read(f"{Q}/chains", {"id": entity.id})
        refs: dict[str, EntityRef] = {}
        holders: dict[str, bool] = {}
        for row in rows:
            for level in row["levels"]:
                refs[level["id"]] = _entity(level)
                holders[level["id"]] = bool(level["holder"])
        if not rows:  # not in the graph any more
            return []
        grants = self._grants(self.graph.read(f"{Q}/permissions_on", {"ids": sorted(refs)}), refs)
        by_entity: dict[str, list[Grant]] = {}
        for g in grants:
            by_entity.setdefault(g.entity.id, []).append(g)
        chains = []
        for row in rows:
            levels = tuple(
                Level(refs[lv["id"]], tuple(by_entity.get(lv["id"], ())), holders[lv["id"]])
                for lv in row["levels"]
            )
            links = [c for c in row["links"] if c != "parent"]
            chains.append(Chain(links[0] if links else "parent", levels))
        return chains

    def _identity(self, principal: Principal) -> tuple[dict[str, tuple[str, ...]], set[str]]:
        """The principal's groups (id -> shortest membership chain) and unlinked names."""
        if principal.id is None:
            return {}, {principal.name.lower()}
        rows = self.graph.read(f"{Q}/groups_above", {"id": principal.id})
        names = {str(r["id"]): str(r["name"]) for r in rows}
        names[principal.id] = principal.name
        parents = {str(r["id"]): list(r["groups"]) for r in rows}
        return shortest_chains(principal.id, names, parents), set()

    @staticmethod
    def _matches(
        grants: Iterable[Grant],
        principal: Principal,
        via: Mapping[str, tuple[str, ...]],
        names: set[str],
    ) -> dict[str, Match]:
        found: dict[str, Match] = {}
        for g in grants:
            if g.grantee is not None and g.grantee in via:
                found[g.id] = Match(g.grantee == principal.id, via[g.grantee])
            elif g.grantee is None and g.principal.lower() in names:
                found[g.id] = Match(True, (g.principal,))
        return found

    # -- questions --------------------------------------------------------------------------
    def effective_on(self, principal: Principal, entity: EntityRef) -> Answer:
        """The principal's effective privileges on one entity."""
        chains = self.chains(entity)
        via, names = self._identity(principal)
        grants = [g for c in chains for lv in c.levels for g in lv.grants]
        return Answer(
            principal, entity, evaluate(chains, self._matches(grants, principal, via, names))
        )

    def effective_everywhere(self, principal: Principal) -> list[Answer]:
        """Every entity where a permission applies to the principal, with the outcome there."""
        via, names = self._identity(principal)
        rows = self.graph.read(f"{Q}/permissions_of", {"ids": sorted(via), "names": sorted(names)})
        roots = sorted({str(r["entity"]) for r in rows})
        if not roots:
            return []
        [tree] = self.graph.read(f"{Q}/subtree", {"ids": roots}, raw=True)
        refs = {
            eid: EntityRef(eid, str(name or eid), str(kind))
            for eid, name, kind in zip(tree["ids"], tree["names"], tree["kinds"], strict=True)
        }
        holders = dict(zip(tree["ids"], map(bool, tree["holders"]), strict=True))
        parents = {
            eid: [(str(p), str(c)) for p, c in links]
            for eid, links in zip(tree["ids"], tree["parents"], strict=True)
        }
        grants = self._grants(rows, refs)
        matches = self._matches(grants, principal, via, names)
        by_entity: dict[str, tuple[Grant, ...]] = {}
        for g in grants:
            by_entity[g.entity.id] = (*by_entity.get(g.entity.id, ()), g)
        levels = {
            eid: Level(ref, by_entity.get(eid, ()), holders[eid]) for eid, ref in refs.items()
        }
        paths: dict[str, list[tuple[str, ...]]] = {}

        def paths_up(eid: str) -> list[tuple[str, ...]]:
            if eid not in paths:
                above = [p for p, _ in parents.get(eid, ()) if p in levels]
                paths[eid] = [(eid, *rest) for p in above for rest in paths_up(p)] or [(eid,)]
            return paths[eid]

        answers = []
        for eid in sorted(refs, key=lambda e: (refs[e].kind, refs[e].name, e)):
            chain_names = {p: c for p, c in parents.get(eid, ())}
            chains = [
                Chain(
                    chain_names.get(path[1], "parent") if len(path) > 1 else "parent",
                    tuple(levels[x] for x in path),
                )
                for path in paths_up(eid)
            ]
            outcome = evaluate(chains, matches)
            if outcome.steps:
                answers.append(Answer(principal, refs[eid], outcome))
        return answers

    def effective(self, principal_name: str, entity_ref: str | None = None) -> list[Answer]:
        """``authmap effective``: one entity, or every entity the principal has rights on."""
        principal = self.find_principal(principal_name)
        if entity_ref is not None:
            return [self.effective_on(principal, self.find_entity(entity_ref))]
        return self.effective_everywhere(principal)

    def who_can(
        self, entity_ref: str, privilege: str | None = None, *, include_denied: bool = False
    ) -> list[Answer]:
        """``authmap who-can``: every principal with privileges on the entity, and why.

        Principals reached through nested groups are listed one by one. With ``privilege``
        only those holding it; with ``include_denied`` also those a permission reaches but
        who end up with nothing (masked by NoAccess).
        """
        if privilege is not None:
            self.check_privilege(privilege)
        entity = self.find_entity(entity_ref)
        chains = self.chains(entity)
        applicable = [
            g
            for c in chains
            for depth, lv in enumerate(c.levels)
            if lv.holder
            for g in lv.grants
            if depth == 0 or g.propagate
        ]
        grantees = sorted({g.grantee for g in applicable if g.grantee})
        groups = sorted({g.grantee for g in applicable if g.grantee and g.is_group})
        info: dict[str, tuple[str, str, bool]] = {}  # id -> name, kind, enabled
        parents: dict[str, list[str]] = {}  # principal -> its groups inside the closure
        for row in self.graph.read(f"{Q}/principals", {"ids": grantees}):
            info[str(row["id"])] = (str(row["name"]), str(row["kind"]), bool(row["enabled"]))
        below = self.graph.read(f"{Q}/members_below", {"ids": groups}, raw=True) if groups else []
        netbios = {
            str(r["netbios"]).lower(): str(r["netbios"]) for r in self.graph.read(f"{Q}/domains")
        }
        for row in below:
            for member, account_key, sam, name, kind, enabled in row["members"]:
                if member not in info:
                    domain = (
                        netbios.get(str(account_key).split("\\", 1)[0]) if account_key else None
                    )
                    shown = f"{domain}\\{sam}" if domain and sam else str(name)
                    info[member] = (shown, str(kind), bool(enabled))
                parents.setdefault(member, []).append(str(row["id"]))
        reach = _Reach({pid: n for pid, (n, _, _) in info.items()}, parents, set(grantees))
        candidates: list[tuple[Principal, dict[str, Match]]] = []
        for pid, (name, kind, enabled) in info.items():
            principal = Principal(name, kind, pid, enabled)
            paths = reach.of(pid)
            matches = {
                g.id: Match(g.grantee == pid, paths[g.grantee])
                for g in applicable
                if g.grantee in paths
            }
            candidates.append((principal, matches))
        externals: dict[str, list[Grant]] = {}
        for g in applicable:
            if g.grantee is None:
                externals.setdefault(g.principal.lower(), []).append(g)
        for grants in externals.values():
            principal = Principal(grants[0].principal, grants[0].principal_status or "external")
            candidates.append((principal, {g.id: Match(True, (g.principal,)) for g in grants}))

        memo: dict[tuple[tuple[str, bool], ...], Outcome] = {}
        answers = []
        for principal, matches in candidates:
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
            steps = [
                Step(
                    s.effect,
                    s.chain,
                    s.grant,
                    s.inherited,
                    matches[s.grant.id].via,
                    s.privileges,
                    s.by,
                )
                for s in shared.steps
            ]
            outcome = Outcome(shared.privileges, shared.masked, steps)
            answers.append(Answer(principal, entity, outcome))
        answers.sort(key=lambda a: (a.principal.name.lower(), a.principal.id or ""))
        return answers


class _Reach:
    """Shortest membership chains from any principal to the granted principals."""

    def __init__(
        self, names: Mapping[str, str], parents: Mapping[str, list[str]], targets: set[str]
    ) -> None:
        self.names = names
        self.parents = parents
        self.targets = targets
        self._groups: dict[str, dict[str, tuple[str, ...]]] = {}

    def _from_group(self, gid: str) -> dict[str, tuple[str, ...]]:
        if gid not in self._groups:
            chains = shortest_chains(gid, self.names, self.parents)
            self._groups[gid] = {t: c for t, c in chains.items() if t in self.targets}
        return self._groups[gid]

    def of(self, pid: str) -> dict[str, tuple[str, ...]]:
        """Granted principal id -> the shortest chain from ``pid`` to it (``pid`` first)."""
        best: dict[str, tuple[str, ...]] = {}
        if pid in self.targets:
            best[pid] = (self.names[pid],)
        for gid in self.parents.get(pid, ()):
            for target, chain in self._from_group(gid).items():
                candidate = (self.names[pid], *chain)
                if target not in best or len(candidate) < len(best[target]):
                    best[target] = candidate
        return best
