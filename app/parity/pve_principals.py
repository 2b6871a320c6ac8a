"""Which Proxmox user or group is which directory principal (pure functions).

- A user ``CORP\\alice`` (or ``alice@corp.example``) is the PVE user ``alice@<realm>`` of a
  directory realm (``ad`` or ``ldap``) that answers to the principal's domain: the realm's
  name equals the NetBIOS name (``corp``), or its ``domain`` equals the UPN suffix or starts
  with the NetBIOS name as its first label (``corp.example.com``). Case-insensitive, as AD is.
- A group ``CORP\\Ops`` is, first, the group PVE's realm sync creates, named
  ``<name>-<realm>`` (``ops-corp``), for such a realm; else a hand-made group of the plain name
  (``ops``).
- The principal map file (``--principal-map``) overrides, exactly as on the Kubernetes target
  (``"CORP\\Ops": "ops-team"`` names a group; ``{"kind": "User", "name": "alice@pve"}``).

Several candidates at the deciding step are **ambiguous** (reported, not guessed); none is
**unmatched** (the shared matching of :class:`app.parity.principals.MapperBase`); a match's
subject names the PVE user id or group id.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.parity.principals import MapperBase, PrincipalMap
from app.parity.pve_model import PveRealmRef, PveUserRef

DIRECTORY_REALMS = frozenset({"ad", "ldap"})


def split_principal(principal: str) -> tuple[str, str | None, str | None]:
    """``CORP\\alice`` -> ``("alice", "corp", None)``; ``alice@corp.example`` -> ``("alice",
    None, "corp.example")``; a bare name -> ``(name, None, None)``. Lower case."""
    text = principal.strip().lower()
    if "\\" in text:
        domain, name = text.rsplit("\\", 1)
        return name, domain, None
    if "@" in text:
        name, suffix = text.split("@", 1)
        return name, None, suffix
    return text, None, None


def realm_answers(realm: PveRealmRef, netbios: str | None, suffix: str | None) -> bool:
    """Whether a directory realm is the principal's domain (see the module docstring)."""
    if realm.realm_type not in DIRECTORY_REALMS:
        return False
    domain = (realm.domain or "").lower()
    if netbios is not None:
        return realm.name.lower() == netbios or domain.split(".", 1)[0] == netbios
    if suffix is not None:
        return domain == suffix or realm.name.lower() == suffix.split(".", 1)[0]
    return False


class PvePrincipalMapper(MapperBase):
    """Maps source principals to PVE users and groups."""

    def __init__(
        self,
        users: Iterable[PveUserRef],
        groups: Iterable[str],
        realms: Iterable[PveRealmRef],
        config: PrincipalMap | None = None,
    ) -> None:
        super().__init__(config)
        self._users = list(users)
        self._groups = list(groups)
        self._realms = list(realms)

    def _realms_of(self, principal: str) -> list[str]:
        _, netbios, suffix = split_principal(principal)
        return [r.name for r in self._realms if realm_answers(r, netbios, suffix)]

    def candidates(self, principal: str, is_group: bool) -> list[str]:
        """Users of an answering realm; synced groups, else hand-made ones."""
        name, _, _ = split_principal(principal)
        realms = {r.lower() for r in self._realms_of(principal)}
        if not is_group:
            return sorted(
                u.userid
                for u in self._users
                if u.name.lower() == name and u.realm.lower() in realms
            )
        synced = sorted(g for g in self._groups if g.lower() in {f"{name}-{r}" for r in realms})
        if synced:
            return synced
        return sorted(g for g in self._groups if g.lower() == name)
