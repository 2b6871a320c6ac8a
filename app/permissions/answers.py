"""What the permission engine answers with: the principal, the answer with its explanation,
the lookup errors, and the shortest membership chains that explain a group-granted right."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.permissions.rules import EntityRef, Outcome, Step, sorted_privileges

Q = "permissions"
"""The folder of the engine's Cypher statements (``cypher/permissions/``)."""


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


def entity_ref(row: Mapping[str, Any]) -> EntityRef:
    """An entity from a statement's ``id``, ``name`` and ``kind`` columns."""
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


class Reach:
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
