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
**unmatched**. The answers are :class:`app.parity.principals.PrincipalMatch` values whose
subject names the PVE user id or group id.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.parity.principals import Kind, PrincipalMap, PrincipalMatch, Subject
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


class PvePrincipalMapper:
    """Maps source principals to PVE users and groups (the ``PrincipalMapper`` contract)."""

    def __init__(
        self,
        users: Iterable[PveUserRef],
        groups: Iterable[str],
        realms: Iterable[PveRealmRef],
        config: PrincipalMap | None = None,
    ) -> None:
        self.config = config or PrincipalMap()
        self._overrides = {k.lower(): v for k, v in (self.config.overrides or {}).items()}
        self._users = list(users)
        self._groups = list(groups)
        self._realms = list(realms)

    def _realms_of(self, principal: str) -> list[str]:
        _, netbios, suffix = split_principal(principal)
        return [r.name for r in self._realms if realm_answers(r, netbios, suffix)]

    def _candidates(self, principal: str, is_group: bool) -> list[str]:
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

    def match(self, principal: str, is_group: bool) -> PrincipalMatch:
        """The PVE user or group of a source principal."""
        override = self._overrides.get(principal.lower())
        kind: Kind = "Group" if is_group else "User"
        if isinstance(override, str):
            return PrincipalMatch(principal, Subject(kind, override), "map")
        if override is not None:
            return PrincipalMatch(principal, override, "map")
        found = self._candidates(principal, is_group)
        if len(found) == 1:
            return PrincipalMatch(principal, Subject(kind, found[0]), "name")
        if found:
            return PrincipalMatch(principal, None, "ambiguous", tuple(found))
        return PrincipalMatch(principal, None, "unmatched")

    def corresponds(self, subject: Subject, principals: Iterable[tuple[str, bool]]) -> bool:
        """Whether any of the source principals ``(name, is_group)`` maps to ``subject``."""
        return any(self.match(name, group).subject == subject for name, group in principals)
