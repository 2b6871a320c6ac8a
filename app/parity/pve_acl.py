"""Proxmox VE's own permission evaluation, as pure functions (the PVE target's authorizer).

Proxmox has no SubjectAccessReview: to prove change authority on a PVE target, authmap
evaluates the cluster's ACLs by the rules Proxmox documents (``pveum`` "Permission
Management": *Objects and Paths*, *Inheritance*, *Pools*) and implements
(``PVE::AccessControl::roles`` and the pool and token handling of
``PVE::RPCEnvironment::permissions``):

1. ``root@pam`` holds every privilege of ``Administrator``.
2. The path is walked from ``/`` down to the object, one component at a time. At each level,
   the entries that apply are those on the object itself, or with ``propagate`` set. If the
   principal has entries of its own there (a user's user entries; a token's token entries),
   they **replace** every role collected so far; otherwise, if any group the user belongs to
   has entries there, those (of all such groups together) replace them; otherwise the
   collected roles carry on. So a deeper level beats an upper one, and on one level the
   user beats his groups.
3. ``NoAccess`` among the final roles cancels all the others.
4. Pools: a VM (``/vms/{vmid}``) or storage (``/storage/{id}``) in a pool also gets the roles
   the principal has on ``/pool/{name}``, added without overriding; a ``NoAccess`` on the
   object is never lifted by a pool role, and a pool's ``NoAccess`` cancels the object's roles.
5. API tokens: an unknown token has nothing; a token without privilege separation has exactly
   its user's privileges; a privilege-separated token has the privileges its own entries
   give **and** its user has (the intersection).

``docs/targets.md`` states these rules; ``tests/test_pve_acl.py`` works them by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

ROOT = "root@pam"
NO_ACCESS = "NoAccess"
ADMINISTRATOR = "Administrator"
Kind = Literal["user", "group", "token"]


@dataclass(frozen=True)
class Acl:
    """One entry of ``/access/acl``: a role for a user, group or token on a path."""

    path: str
    kind: Kind
    ugid: str
    role: str
    propagate: bool = True


@dataclass(frozen=True)
class AccessConfig:
    """What permission evaluation needs from a PVE cluster's access configuration."""

    acls: tuple[Acl, ...]
    roles: Mapping[str, frozenset[str]]
    """Role id → its privileges."""
    groups: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Group id → its member user ids."""
    pools: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Pool id → its members as ACL paths (``/vms/101``, ``/storage/ceph-gold``)."""
    tokens: Mapping[str, bool] = field(default_factory=dict)
    """Token id (``user@realm!name``) → privilege separation on."""

    @cached_property
    def by_path(self) -> Mapping[str, tuple[Acl, ...]]:
        """The entries by normalised path (evaluation looks up each level, never scans)."""
        found: dict[str, list[Acl]] = {}
        for acl in self.acls:
            found.setdefault(normalise_path(acl.path), []).append(acl)
        return {path: tuple(entries) for path, entries in found.items()}

    @cached_property
    def member_of(self) -> Mapping[str, tuple[str, ...]]:
        """User id → the groups it belongs to."""
        found: dict[str, list[str]] = {}
        for group, users in sorted(self.groups.items()):
            for user in users:
                found.setdefault(user, []).append(group)
        return {user: tuple(groups) for user, groups in found.items()}

    @cached_property
    def pools_of(self) -> Mapping[str, tuple[str, ...]]:
        """ACL path of a member (``/vms/101``) → the pools holding it."""
        found: dict[str, list[str]] = {}
        for pool, members in sorted(self.pools.items()):
            for member in members:
                found.setdefault(normalise_path(member), []).append(pool)
        return {path: tuple(pools) for path, pools in found.items()}


def normalise_path(path: str) -> str:
    """``/vms/101/`` → ``/vms/101``; the root stays ``/``."""
    parts = [p for p in path.split("/") if p]
    return "/" + "/".join(parts)


def _levels(path: str) -> list[str]:
    """``/vms/101`` → ``["/", "/vms", "/vms/101"]``."""
    parts = [p for p in path.split("/") if p]
    return ["/"] + ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


def _entries_at(
    config: AccessConfig, level: str, final: bool, match: Iterable[tuple[Kind, str]]
) -> dict[str, bool]:
    """The roles (→ propagate) that entries on ``level`` for these (kind, id) give."""
    wanted = set(match)
    found: dict[str, bool] = {}
    for acl in config.by_path.get(level, ()):
        if (acl.kind, acl.ugid) not in wanted:
            continue
        if final or acl.propagate:
            found[acl.role] = found.get(acl.role, False) or acl.propagate
    return found


def path_roles(
    config: AccessConfig, principal: str, path: str, groups: Iterable[str] | None = None
) -> dict[str, bool]:
    """The roles ``principal`` (a user or token id) has on ``path`` from the ACL tree alone
    (rules 2 and 3: no pools, no token/user intersection), role → propagate flag.
    ``groups``: evaluate as a member of these groups instead of the user's own."""
    path = normalise_path(path)
    own_kind: Kind = "token" if "!" in principal else "user"
    user = principal.split("!", 1)[0]
    if groups is not None:
        member_of = list(groups)
    else:
        member_of = [] if own_kind == "token" else list(config.member_of.get(user, ()))
    roles: dict[str, bool] = {}
    levels = _levels(path)
    for index, level in enumerate(levels):
        final = index == len(levels) - 1
        own = _entries_at(config, level, final, [(own_kind, principal)])
        if own:
            roles = own
            continue
        grouped = _entries_at(config, level, final, [("group", g) for g in member_of])
        if grouped:
            roles = grouped
    if NO_ACCESS in roles:
        return {NO_ACCESS: roles[NO_ACCESS]}
    return roles


def _pool_roles(
    config: AccessConfig, principal: str, path: str, groups: Iterable[str] | None
) -> set[str]:
    found: set[str] = set()
    for pool in config.pools_of.get(path, ()):
        found |= set(path_roles(config, principal, f"/pool/{pool}", groups))
    return found


def effective_roles(
    config: AccessConfig, principal: str, path: str, groups: Iterable[str] | None = None
) -> set[str]:
    """The roles on ``path`` once pool membership is applied (rules 2 to 4); ``groups`` as
    in :func:`path_roles`."""
    path = normalise_path(path)
    groups = list(groups) if groups is not None else None
    roles = set(path_roles(config, principal, path, groups))
    if NO_ACCESS in roles:
        return roles
    pooled = _pool_roles(config, principal, path, groups)
    if NO_ACCESS in pooled:
        return {NO_ACCESS}
    return roles | pooled


def _privileges_of(config: AccessConfig, roles: Iterable[str]) -> frozenset[str]:
    found: set[str] = set()
    for role in roles:
        if role != NO_ACCESS:
            found |= config.roles.get(role, frozenset())
    return frozenset(found)


def privileges(config: AccessConfig, principal: str, path: str) -> frozenset[str]:
    """Every privilege ``principal`` (``alice@corp`` or ``alice@corp!ci``) holds on ``path``."""
    user = principal.split("!", 1)[0]
    if user == ROOT and "!" not in principal:
        return config.roles.get(ADMINISTRATOR, frozenset())
    if "!" in principal:
        if principal not in config.tokens:
            return frozenset()
        of_user = privileges(config, user, path)
        if not config.tokens[principal]:
            return of_user
        return of_user & _privileges_of(config, effective_roles(config, principal, path))
    return _privileges_of(config, effective_roles(config, principal, path))


def group_privileges(config: AccessConfig, group: str, path: str) -> frozenset[str]:
    """What a user who belongs to ``group`` alone, and has no entries of his own, holds on
    ``path`` (how parity judges a grant to a directory group)."""
    return _privileges_of(config, effective_roles(config, "\x00member", path, [group]))


def allowed(config: AccessConfig, principal: str, path: str, needed: Iterable[str]) -> bool:
    """Whether ``principal`` holds every privilege of ``needed`` on ``path``."""
    return set(needed) <= privileges(config, principal, path)


def from_api(
    acl: list[dict[str, Any]],
    roles: list[dict[str, Any]],
    users: list[dict[str, Any]],
    pools: Mapping[str, dict[str, Any]],
) -> AccessConfig:
    """An :class:`AccessConfig` from the answers of ``GET /access/acl``, ``/access/roles``,
    ``/access/users`` (with its ``groups`` and ``tokens``) and ``/pools/{poolid}`` per pool."""
    groups: dict[str, set[str]] = {}
    tokens: dict[str, bool] = {}
    for user in users:
        for group in filter(None, str(user.get("groups", "")).split(",")):
            groups.setdefault(group, set()).add(user["userid"])
        for token in user.get("tokens") or []:
            tokens[f"{user['userid']}!{token['tokenid']}"] = bool(token.get("privsep", 1))
    members: dict[str, frozenset[str]] = {}
    for pool, body in pools.items():
        paths = set()
        for member in body.get("members", []):
            if member.get("type") in {"qemu", "lxc"}:
                paths.add(f"/vms/{member['vmid']}")
            elif member.get("type") == "storage":
                paths.add(f"/storage/{member['storage']}")
        members[pool] = frozenset(paths)
    return AccessConfig(
        acls=tuple(
            Acl(e["path"], e["type"], e["ugid"], e["roleid"], bool(e.get("propagate", 1)))
            for e in acl
        ),
        roles={
            r["roleid"]: frozenset(filter(None, str(r.get("privs", "")).split(","))) for r in roles
        },
        groups={g: frozenset(u) for g, u in groups.items()},
        pools=members,
        tokens=tokens,
    )
