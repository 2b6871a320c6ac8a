"""vSphere's permission rules, as pure functions over one entity's inheritance chains.

The rules (vSphere Security guide, "Permissions inheritance" and "Multiple permission
settings"; ``docs/permissions.md`` says the same for users):

1. Propagation is per permission: an entity inherits a permission set on an ancestor only
   when that permission propagates.
2. Most specific wins: walking from the entity up one inheritance chain, the first level
   holding a permission that applies to the principal (its own, or one of its groups')
   decides the chain; everything further up is shadowed, even when it is for another group.
3. On that level, the principal's own permission beats its groups' permissions.
4. Otherwise the principal gets the union of its groups' roles on that level.
5. NoAccess (role id -5) is a positional deny: on the deciding level it contributes no
   privilege and so masks what would have been inherited from above; a grant set further
   down still wins (it is nearer).
6. A virtual machine has two chains (its VM-folder chain and its resource-pool / cluster
   chain); the privileges of the chains are added together.
7. Objects that cannot carry permissions (``Level.holder`` false) are skipped: a permission
   recorded on one is never applied.

Interpretations chosen where the documentation is silent (tested, and written down in
``docs/permissions.md``):

* A group's NoAccess meeting another group's grant on the same level: the union rule holds,
  the grant survives; the NoAccess still masks everything from further up.
* A user's own NoAccess on the same level as its groups' grants: the user's own permission
  wins (rule 3), so the groups' grants on that level are masked too.
* A non-propagating permission on an ancestor does not apply to the entity at all, so it
  neither grants nor stops the walk.
* A group asked about as the principal is treated like a user: its own permission beats the
  permissions of the groups it is nested in.

The functions here know nothing about Neo4j: :mod:`app.permissions.engine` reads the chains
and permissions from the graph and calls :func:`evaluate`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

NO_ACCESS_ROLE_ID = -5
"""vSphere's system role NoAccess."""


@dataclass(frozen=True)
class EntityRef:
    """A vSphere entity as the answers show it."""

    id: str
    name: str
    kind: str


@dataclass(frozen=True)
class Grant:
    """One vCenter permission: a principal, a role, an entity and the propagate flag."""

    id: str
    principal: str
    is_group: bool
    role_id: int
    role: str
    propagate: bool
    entity: EntityRef
    privileges: frozenset[str]
    grantee: str | None = None
    """Id of the directory account the principal resolved to (None: not a collected account)."""
    principal_status: str | None = None
    """How ``authmap derive`` classified the principal: resolved, disabled, unresolved, external."""

    @property
    def no_access(self) -> bool:
        """Whether this is the NoAccess role (an explicit, positional deny)."""
        return self.role_id == NO_ACCESS_ROLE_ID


@dataclass(frozen=True)
class Level:
    """One entity on an inheritance chain, with the permissions set on it."""

    entity: EntityRef
    grants: tuple[Grant, ...] = ()
    holder: bool = True
    """False for objects that cannot carry permissions of their own (their grants are ignored)."""


@dataclass(frozen=True)
class Chain:
    """An inheritance chain: ``levels[0]`` is the entity itself, then its ancestors upward."""

    name: str
    """``parent`` for a single chain; ``folder`` or ``resource`` for a virtual machine's two."""
    levels: tuple[Level, ...]


@dataclass(frozen=True)
class Match:
    """How a permission applies to the principal asked about."""

    own: bool
    """True when the permission is for the principal itself, False for one of its groups."""
    via: tuple[str, ...]
    """The membership chain from the principal to the permission's principal (inclusive)."""


@dataclass(frozen=True)
class Step:
    """One line of an explanation."""

    effect: str
    """``grant``, ``mask`` (a NoAccess that decided a chain), ``masked`` (a grant the mask
    hid), ``overridden`` (a group permission beaten by the principal's own on the same
    entity) or ``shadowed`` (a propagated permission beaten by a nearer one)."""
    chain: str
    """The chain the permission came through: ``parent``, ``folder``, ``resource``, or
    ``folder+resource`` when a virtual machine inherits it through both."""
    grant: Grant
    inherited: bool
    via: tuple[str, ...]
    privileges: tuple[str, ...] = ()
    """What the step gave (grant), hid (mask, masked) or would have given (others)."""
    by: str | None = None
    """For masked, overridden and shadowed steps: the id of the permission that won."""

    def text(self) -> str:
        """The step in one sentence."""
        g = self.grant
        who = " → ".join(self.via) if len(self.via) > 1 else g.principal
        where = f"{g.role} on {g.entity.kind} {g.entity.name}"
        how = "propagating" if g.propagate else "not propagating"
        chains = " and ".join(self.chain.split("+"))
        plural = "s" if "+" in self.chain else ""
        origin = f", inherited through the {chains} chain{plural}" if self.inherited else ""
        base = f"{who}: {where}, {how}{origin}"
        if self.effect == "grant":
            return f"granted by {base}"
        if self.effect == "mask":
            return f"masked by NoAccess: {base}"
        if self.effect == "masked":
            return f"hidden by NoAccess permission {self.by}: {base}"
        if self.effect == "overridden":
            return f"overridden by the principal's own permission {self.by}: {base}"
        return f"shadowed by the nearer permission {self.by}: {base}"


@dataclass
class Outcome:
    """The effective privileges of one principal on one entity, and why."""

    privileges: frozenset[str] = frozenset()
    masked: frozenset[str] = frozenset()
    """Privileges a NoAccess hid that no other chain grants."""
    steps: list[Step] = field(default_factory=list)


@lru_cache(maxsize=4096)
def sorted_privileges(privileges: frozenset[str]) -> tuple[str, ...]:
    """Privilege ids in order (cached: a role's set is sorted once, not once per answer)."""
    return tuple(sorted(privileges))


def _decide(
    levels: Sequence[Level], matches: Mapping[str, Match], start: int
) -> tuple[int, list[Grant]] | None:
    """The first level at or above ``start`` with a permission that applies, and those."""
    for depth in range(start, len(levels)):
        level = levels[depth]
        if not level.holder:
            continue
        hits = [g for g in level.grants if g.id in matches and (depth == 0 or g.propagate)]
        if hits:
            return depth, hits
    return None


def _winners(hits: Sequence[Grant], matches: Mapping[str, Match]) -> list[Grant]:
    """Rule 3: the principal's own permission beats its groups' on the same level."""
    own = [g for g in hits if matches[g.id].own]
    return own or list(hits)


def _inherited_privileges(
    levels: Sequence[Level], matches: Mapping[str, Match], start: int
) -> tuple[frozenset[str], list[Grant]]:
    """What the chain above ``start`` would grant (rules 2-5), and the grants giving it."""
    found = _decide(levels, matches, start)
    if found is None:
        return frozenset(), []
    _, hits = found
    grants = [g for g in _winners(hits, matches) if not g.no_access]
    return frozenset().union(*(g.privileges for g in grants)), grants


def _masks(
    chain: Chain,
    matches: Mapping[str, Match],
    found: tuple[int, list[Grant]],
    winners: Sequence[Grant],
    granted: frozenset[str],
) -> tuple[frozenset[str], list[Step]]:
    """Rule 5 on a deciding level with a NoAccess among the winners: what the deny masks (the
    chain above and the losing grants on the same level), the mask steps and the masked ones."""
    depth, hits = found
    levels, inherited = chain.levels, depth > 0
    denies = [g for g in winners if g.no_access]
    above, hidden = _inherited_privileges(levels, matches, depth + 1)
    same_level = [g for g in hits if g not in winners and not g.no_access]
    masked = (above | frozenset().union(*(g.privileges for g in same_level))) - granted
    steps = [
        Step("mask", chain.name, g, inherited, matches[g.id].via, sorted_privileges(masked))
        for g in denies
    ]
    steps += [
        Step(
            "masked",
            chain.name,
            g,
            g.entity != levels[0].entity,
            matches[g.id].via,
            sorted_privileges(g.privileges - granted),
            by=denies[0].id,
        )
        for g in same_level + hidden
    ]
    return masked, steps


def _beaten(
    chain: Chain, matches: Mapping[str, Match], found: tuple[int, list[Grant]], by: str
) -> list[Step]:
    """Rule 3's losers on the deciding level: group permissions the principal's own (``by``)
    overrode."""
    depth, hits = found
    winners = _winners(hits, matches)
    return [
        Step(
            "overridden",
            chain.name,
            g,
            depth > 0,
            matches[g.id].via,
            sorted_privileges(g.privileges),
            by=by,
        )
        for g in hits
        if g not in winners
    ]


def _shadowed(chain: Chain, matches: Mapping[str, Match], depth: int, by: str) -> list[Step]:
    """Rule 2's losers: what the chain above the deciding level would have granted."""
    _, shadowed = _inherited_privileges(chain.levels, matches, depth + 1)
    return [
        Step(
            "shadowed",
            chain.name,
            g,
            True,
            matches[g.id].via,
            sorted_privileges(g.privileges),
            by=by,
        )
        for g in shadowed
    ]


def evaluate_chain(chain: Chain, matches: Mapping[str, Match]) -> Outcome:
    """Rules 1-5 and 7 on one chain: the deciding level and what it grants or masks."""
    found = _decide(chain.levels, matches, 0)
    if found is None:
        return Outcome()
    depth, hits = found
    winners = _winners(hits, matches)
    grants = [g for g in winners if not g.no_access]
    denied = any(g.no_access for g in winners)
    granted: frozenset[str] = frozenset().union(*(g.privileges for g in grants))
    steps = [
        Step("grant", chain.name, g, depth > 0, matches[g.id].via, sorted_privileges(g.privileges))
        for g in grants
    ]
    masked: frozenset[str] = frozenset()
    if denied:
        masked, masking = _masks(chain, matches, found, winners, granted)
        steps += masking
    elif len(winners) < len(hits):
        steps += _beaten(chain, matches, found, winners[0].id)
    if not denied and grants:
        steps += _shadowed(chain, matches, depth, grants[0].id)
    return Outcome(granted, masked, steps)


def evaluate(chains: Sequence[Chain], matches: Mapping[str, Match]) -> Outcome:
    """All rules: each chain decided on its own (rule 6), the privileges added together.

    ``matches`` holds, by permission id, how each permission applies to the principal; a
    permission absent from it is for someone else.
    """
    privileges: set[str] = set()
    masked: set[str] = set()
    steps: list[Step] = []
    where: dict[tuple[str, str, str | None], int] = {}
    for chain in chains:
        outcome = evaluate_chain(chain, matches)
        privileges |= outcome.privileges
        masked |= outcome.masked
        for step in outcome.steps:
            # One permission reached through both of a VM's chains is one step.
            key = (step.effect, step.grant.id, step.by)
            if key in where:
                known = steps[where[key]]
                if step.chain not in known.chain.split("+"):
                    steps[where[key]] = replace(known, chain=f"{known.chain}+{step.chain}")
                continue
            where[key] = len(steps)
            steps.append(step)
    return Outcome(frozenset(privileges), frozenset(masked - privileges), steps)
