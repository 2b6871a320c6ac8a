"""Effective vSphere permissions from the graph: who can do what, where, and why.

The engine reads a small part of the graph with the statements in ``cypher/permissions/``
(the entity's inheritance chains, the permissions on them, the principal's groups or the
members of the granted groups) and applies vSphere's rules in :mod:`app.permissions.rules`;
what it answers with is in :mod:`app.permissions.answers`, and ``who-can``'s steps are in
:mod:`app.permissions.whocan`. It never changes the graph. The inheritance edges it walks
(``PERMISSION_PARENT``) and the permission-to-account links (``GRANTED_TO``) are built by
``authmap derive`` after every load.

Why query-time and not a materialised closure: the parts an answer needs are small (a chain
is a handful of levels, a principal has tens of groups), so reading them is a few
milliseconds, while a closure of every user x every entity on a 10,000-VM / 50,000-user
estate would hold hundreds of millions of rows and go stale with every ingest. The
measurements are in ``bench/permissions.py`` and ``BENCHMARKS.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from app.graph import Graph
from app.permissions import whocan
from app.permissions.answers import (
    AmbiguousNameError,
    Answer,
    NotFoundError,
    PermissionQueryError,
    Principal,
    Q,
    Reach,
    entity_ref,
    shortest_chains,
    step_dict,
)
from app.permissions.rules import Chain, EntityRef, Grant, Level, Match, evaluate
from app.records.ad import dn_key

__all__ = [
    "AmbiguousNameError",
    "Answer",
    "NotFoundError",
    "PermissionEngine",
    "PermissionQueryError",
    "Principal",
    "Reach",
    "shortest_chains",
    "step_dict",
]


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

    def findentity_ref(self, ref: str) -> EntityRef:
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
        return entity_ref(rows[0])

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
                refs[level["id"]] = entity_ref(level)
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
            return [self.effective_on(principal, self.findentity_ref(entity_ref))]
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
        entity = self.findentity_ref(entity_ref)
        chains = self.chains(entity)
        grants = whocan.applicable(chains)
        found = whocan.candidates(whocan.reached(self.graph, grants), grants)
        return whocan.answers(entity, chains, found, privilege, include_denied)
