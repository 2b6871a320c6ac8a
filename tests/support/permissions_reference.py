"""A plainly written reference implementation of vSphere's permission rules.

It works on a :class:`tests.support.permission_estate.Estate` in memory, with no graph and no
shortcuts, so the graph-backed engine (``app.permissions``) can be checked against it. The
rules are the ones in ``docs/permissions.md``; each is marked where it is applied.
"""

from __future__ import annotations

from tests.support.permission_estate import NETBIOS, Estate, Permission

NO_ACCESS = -5


def groups_of(estate: Estate, sam: str) -> set[str]:
    """Every group ``sam`` is in, directly, through nested groups or as its primary group."""
    found: set[str] = set()
    todo = [sam]
    while todo:
        current = todo.pop()
        direct = {g for g, members in estate.groups.items() if current in members}
        if current in estate.primary_group:
            direct.add(estate.primary_group[current])
        for group in direct - found:
            found.add(group)
            todo.append(group)
    found.discard(sam)
    return found


def can_hold_permissions(estate: Estate, moref: str) -> bool:
    """Rule 7: hidden datacenter folders, root resource pools, standalone hosts cannot."""
    e = estate.entities[moref]
    parent = estate.entities[e.parent] if e.parent else None
    if e.kind == "Folder" and parent is not None and parent.kind == "Datacenter":
        return False
    if e.kind == "ResourcePool" and parent is not None and parent.kind == "Cluster":
        return False
    return not (e.kind == "Host" and parent is not None and parent.standalone)


def ancestors(estate: Estate, moref: str | None) -> list[str]:
    """``moref`` and its inventory parents up to the root."""
    out = []
    while moref is not None:
        out.append(moref)
        moref = estate.entities[moref].parent
    return out


def chains(estate: Estate, moref: str) -> list[list[str]]:
    """Rule 6: a VM inherits through its folder and its resource pool; others through parents."""
    e = estate.entities[moref]
    if e.kind == "VirtualMachine":
        result = [[moref, *ancestors(estate, e.parent)]]
        if e.pool is not None:
            result.append([moref, *ancestors(estate, e.pool)])
        return result
    return [ancestors(estate, moref)]


Who = tuple[str, str]
"""A principal: ``("ad", sAMAccountName)`` for a directory account, or ``("name", lower-case
name)`` for a name no collected account answers to (another domain, a deleted account)."""


def linked(estate: Estate, principal: str, is_group: bool) -> str | None:
    """The sAMAccountName a permission's principal resolves to (same type), or None."""
    if not principal.upper().startswith(NETBIOS + "\\"):
        return None
    sam = principal.split("\\", 1)[1]
    exists = sam in estate.groups if is_group else sam in estate.users
    return sam if exists else None


def applies(estate: Estate, p: Permission, who: Who) -> tuple[bool, bool]:
    """(applies, own): whether permission ``p`` is for ``who`` or one of its groups."""
    sam = linked(estate, p.principal, p.is_group)
    if who[0] == "name":
        return (sam is None and p.principal.lower() == who[1]), True
    if sam is None:
        return False, False
    if sam == who[1]:
        return True, True
    return sam in groups_of(estate, who[1]), False


def effective_privileges(estate: Estate, who: Who, moref: str) -> set[str]:
    """The privileges ``who`` has on ``moref``."""
    result: set[str] = set()
    for chain in chains(estate, moref):
        for depth, level in enumerate(chain):
            if not can_hold_permissions(estate, level):  # rule 7
                continue
            applying = []
            for p in estate.permissions:
                if p.entity != level or not (depth == 0 or p.propagate):  # rule 1
                    continue
                ok, own = applies(estate, p, who)
                if ok:
                    applying.append((p, own))
            if not applying:
                continue  # rule 2: keep walking up only while nothing applies
            mine = [p for p, is_own in applying if is_own]
            chosen = mine if mine else [p for p, _ in applying]  # rule 3, else rule 4
            for p in chosen:
                if p.role_id != NO_ACCESS:  # rule 5: NoAccess adds nothing (and masks)
                    result |= set(estate.roles[p.role_id][1])
            break
    return result


def everyone(estate: Estate) -> list[Who]:
    """Every principal an answer can be about: accounts and names only permissions use."""
    found: list[Who] = [("ad", sam) for sam in [*estate.users, *estate.groups]]
    names = {
        p.principal.lower()
        for p in estate.permissions
        if linked(estate, p.principal, p.is_group) is None
    }
    return found + [("name", n) for n in sorted(names)]
