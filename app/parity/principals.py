"""Which Kubernetes subject is which directory principal (pure functions).

An AD group matches a Kubernetes ``Group`` subject of the same name, case-insensitive, with or
without its NetBIOS domain (``CORP\\Ops``) or UPN suffix (``ops@corp.example``), and with or
without one of the configured identity-provider prefixes on the target side (``oidc:``); users
match ``User`` subjects the same way. A principal map file overrides::

    prefixes: ["oidc:"]
    principals:
      "CORP\\Ops": "oidc:ops-team"          # same kind as the source principal
      "CORP\\alice": {"kind": "User", "name": "alice@corp.example"}

Several target subjects answering to one principal are **ambiguous** (reported, not
guessed); none is **unmatched**.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

Kind = Literal["User", "Group"]


def bare_name(name: str, prefixes: Sequence[str] = ()) -> str:
    """The comparable part of a principal name: no ``DOMAIN\\``, no ``@suffix``, no
    identity-provider prefix, lower case."""
    text = name.strip()
    for prefix in prefixes:
        if prefix and text.lower().startswith(prefix.lower()):
            text = text[len(prefix) :]
            break
    if "\\" in text:
        text = text.rsplit("\\", 1)[1]
    if "@" in text:
        text = text.split("@", 1)[0]
    return text.lower()


@dataclass(frozen=True)
class Subject:
    """A target identity: a Kubernetes User or Group name."""

    kind: Kind
    name: str


@dataclass(frozen=True)
class PrincipalMatch:
    """How one source principal maps to the target."""

    principal: str
    subject: Subject | None
    how: Literal["map", "name", "ambiguous", "unmatched"]
    candidates: tuple[str, ...] = ()

    def text(self) -> str:
        """One line for explanations."""
        if self.subject is not None:
            by = "the principal map" if self.how == "map" else "name"
            return (
                f"{self.principal} is {self.subject.kind} {self.subject.name!r} "
                f"on the target (by {by})"
            )
        if self.how == "ambiguous":
            return (
                f"{self.principal} could be any of {', '.join(self.candidates)} on the target: "
                "name it in the principal map"
            )
        return f"no subject on the target corresponds to {self.principal}"


@dataclass(frozen=True)
class PrincipalMap:
    """The principal map file's content."""

    prefixes: tuple[str, ...] = ()
    overrides: Mapping[str, Subject | str] | None = None
    """Source principal -> target subject (a bare name: of the source principal's kind)."""


class MapperBase:
    """The matching every platform shares: the principal map's override first, then the
    platform's candidates by name (one: matched; several: ambiguous; none: unmatched).
    Subclasses give :meth:`candidates`."""

    def __init__(self, config: PrincipalMap | None = None) -> None:
        self.config = config or PrincipalMap()
        self._overrides = {k.lower(): v for k, v in (self.config.overrides or {}).items()}

    def candidates(self, principal: str, is_group: bool) -> list[str]:
        """The target names that answer to a source principal, sorted."""
        raise NotImplementedError

    def match(self, principal: str, is_group: bool) -> PrincipalMatch:
        """The target subject of a source principal (a group or a user)."""
        override = self._overrides.get(principal.lower())
        kind: Kind = "Group" if is_group else "User"
        if isinstance(override, str):
            return PrincipalMatch(principal, Subject(kind, override), "map")
        if override is not None:
            return PrincipalMatch(principal, override, "map")
        found = self.candidates(principal, is_group)
        if len(found) == 1:
            return PrincipalMatch(principal, Subject(kind, found[0]), "name")
        if found:
            return PrincipalMatch(principal, None, "ambiguous", tuple(found))
        return PrincipalMatch(principal, None, "unmatched")

    def corresponds(self, subject: Subject, principals: Iterable[tuple[str, bool]]) -> bool:
        """Whether any of the source principals ``(name, is_group)`` maps to ``subject``."""
        return any(self.match(name, group).subject == subject for name, group in principals)


class PrincipalMapper(MapperBase):
    """Maps source principals to the subjects the target's bindings name."""

    def __init__(self, subjects: Iterable[Subject], config: PrincipalMap | None = None) -> None:
        super().__init__(config)
        self._index: dict[tuple[str, str], set[str]] = {}
        for subject in subjects:
            key = (subject.kind, bare_name(subject.name, self.config.prefixes))
            self._index.setdefault(key, set()).add(subject.name)

    def candidates(self, principal: str, is_group: bool) -> list[str]:
        """The subjects of the principal's kind and bare name."""
        kind = "Group" if is_group else "User"
        return sorted(self._index.get((kind, bare_name(principal, self.config.prefixes)), set()))
