"""A small, plainly written reference of Proxmox VE's permission evaluation, for the property
test of :mod:`app.parity.pve_acl` (tests/test_pve_acl_property.py).

It restates the ``pveum`` rules directly, without indexes, caches or shared helpers: walk the
path from ``/``; on each level take the entries on that path that apply (on the object itself,
or propagated); the principal's own entries there, else its groups' there, replace what was
collected; ``NoAccess`` cancels the rest; pool roles are added to a member's; ``root@pam`` is
an Administrator; a token is its user (no privilege separation) or the intersection.
"""

from __future__ import annotations

from app.parity.pve_acl import AccessConfig


def _parts(path: str) -> list[str]:
    return [p for p in path.split("/") if p]


def _roles_on(config: AccessConfig, who: str, path: str) -> set[str]:
    is_token = "!" in who
    user = who.split("!")[0]
    wanted = _parts(path)
    collected: set[str] = set()
    for depth in range(len(wanted) + 1):
        level = wanted[:depth]
        last = depth == len(wanted)
        own, grouped = set(), set()
        for acl in config.acls:
            if _parts(acl.path) != level or not (acl.propagate or last):
                continue
            if acl.kind == ("token" if is_token else "user") and acl.ugid == who:
                own.add(acl.role)
            elif (
                not is_token
                and acl.kind == "group"
                and user in config.groups.get(acl.ugid, frozenset())
            ):
                grouped.add(acl.role)
        if own:
            collected = own
        elif grouped:
            collected = grouped
    return {"NoAccess"} if "NoAccess" in collected else collected


def _with_pools(config: AccessConfig, who: str, path: str) -> set[str]:
    roles = _roles_on(config, who, path)
    if "NoAccess" in roles:
        return roles
    from_pools: set[str] = set()
    for pool, members in config.pools.items():
        if any(_parts(m) == _parts(path) for m in members):
            from_pools |= _roles_on(config, who, "/pool/" + pool)
    if "NoAccess" in from_pools:
        return {"NoAccess"}
    return roles | from_pools


def _privs(config: AccessConfig, roles: set[str]) -> set[str]:
    out: set[str] = set()
    for role in roles:
        if role != "NoAccess":
            out |= set(config.roles.get(role, frozenset()))
    return out


def reference_privileges(config: AccessConfig, who: str, path: str) -> frozenset[str]:
    """What ``who`` (a user or a token) holds on ``path``, by the rules above."""
    user = who.split("!")[0]
    if who == "root@pam":
        return frozenset(config.roles.get("Administrator", frozenset()))
    if "!" in who:
        if who not in config.tokens:
            return frozenset()
        mine = reference_privileges(config, user, path)
        if not config.tokens[who]:
            return mine
        return frozenset(mine & _privs(config, _with_pools(config, who, path)))
    return frozenset(_privs(config, _with_pools(config, who, path)))
