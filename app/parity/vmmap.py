"""Which target VM is which source VM (pure functions).

Stages, in order; the first stage that finds a candidate for a VM decides it:

1. the map file (``vms: {source name or id: namespace/name}``);
2. ``firmware.serial`` equal to the vSphere BIOS UUID (``config.uuid``), plain or in VMware's
   serial format (``VMware-42 2c 6a 2a 5e a9 10 83-39 f3 3b 14 0f ff b4 44``): what
   Forklift/MTV writes;
3. ``firmware.uuid`` equal to the BIOS UUID (where someone set it);
4. a shared MAC address (MTV keeps them);
5. the normalised name (lower case, runs of other characters than ``a-z0-9`` as one ``-``;
   on a Proxmox target, the name as Proxmox's ESXi import cleans it:
   :func:`app.parity.pve_model.pve_name`).

A source VM with several candidates at its deciding stage, or a target VM that several source
VMs claim at one stage, is **ambiguous**: reported, never guessed, and not matched later.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from app.parity.model import TargetVM

_HEX = re.compile(r"[^0-9a-f]")
_NAME = re.compile(r"[^a-z0-9]+")


def normalise_uuid(value: str | None) -> str | None:
    """A UUID in canonical form (``8-4-4-4-12`` lower-case hex), from a plain UUID, one
    without dashes or braces, or VMware's serial format; ``None`` if it is not 16 bytes."""
    if not value:
        return None
    text = value.strip().lower()
    if text.startswith("vmware-"):
        text = text[len("vmware-") :]
    digits = _HEX.sub("", text)
    if len(digits) != 32:
        return None
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def normalise_mac(value: str) -> str:
    """A MAC address as ``aa:bb:cc:dd:ee:ff``."""
    digits = _HEX.sub("", value.lower())
    return ":".join(digits[i : i + 2] for i in range(0, len(digits), 2))


def normalise_name(value: str) -> str:
    """A VM name as MTV makes it a Kubernetes name: lower case, other runs as ``-``."""
    return _NAME.sub("-", value.lower()).strip("-")


@dataclass(frozen=True)
class SourceVM:
    """A source VM as mapping sees it."""

    id: str
    name: str
    bios_uuid: str | None = None
    macs: tuple[str, ...] = ()


@dataclass
class VMMapping:
    """The outcome of mapping source VMs to target VMs."""

    matched: dict[str, TargetVM] = field(default_factory=dict)
    """Source VM id -> its target VM."""
    how: dict[str, str] = field(default_factory=dict)
    """Source VM id -> the stage that matched it (``map``, ``serial``, ...)."""
    ambiguous: dict[str, list[str]] = field(default_factory=dict)
    """Source VM id -> the target VMs (``namespace/name``) it could be."""
    unmatched: list[str] = field(default_factory=list)
    """Source VM ids with no target VM."""
    names: dict[str, str] = field(default_factory=dict)
    """Source VM id -> name (for reports)."""
    errors: list[str] = field(default_factory=list)
    """Map-file entries that name nothing."""
    unused: list[str] = field(default_factory=list)
    """Target VMs (``namespace/name``) no source VM maps to."""

    def to_dict(self) -> dict[str, object]:
        """The ``vm_mapping`` block of the JSON report."""
        return {
            "matched": [
                {"source": self.names[s], "source_id": s, "target": t.ref, "by": self.how[s]}
                for s, t in sorted(self.matched.items(), key=lambda kv: self.names[kv[0]])
            ],
            "ambiguous": [
                {"source": self.names[s], "source_id": s, "candidates": c}
                for s, c in sorted(self.ambiguous.items(), key=lambda kv: self.names[kv[0]])
            ],
            "unmatched": sorted(self.names[s] for s in self.unmatched),
            "unused_target": list(self.unused),
            "errors": list(self.errors),
        }


Key = Callable[[SourceVM], set[str]]
TargetKey = Callable[[TargetVM], set[str]]


def _stages(name_key: Callable[[str], str]) -> list[tuple[str, Key, TargetKey]]:
    def uuid_of(v: str | None) -> set[str]:
        n = normalise_uuid(v)
        return {n} if n else set()

    return [
        ("serial", lambda s: uuid_of(s.bios_uuid), lambda t: uuid_of(t.firmware_serial)),
        ("firmware_uuid", lambda s: uuid_of(s.bios_uuid), lambda t: uuid_of(t.firmware_uuid)),
        (
            "mac",
            lambda s: {normalise_mac(m) for m in s.macs},
            lambda t: {normalise_mac(m) for m in t.macs},
        ),
        ("name", lambda s: {name_key(s.name)}, lambda t: {name_key(t.name)}),
    ]


def _by_map(
    sources: list[SourceVM], targets: list[TargetVM], overrides: Mapping[str, str], out: VMMapping
) -> None:
    counted: dict[str, list[TargetVM]] = defaultdict(list)
    for t in targets:
        for alias in t.aliases():
            counted[alias].append(t)
    by_ref = {alias: found[0] for alias, found in counted.items() if len(found) == 1}
    by_key = {s.id: s for s in sources} | {s.name: s for s in sources}
    for key, ref in overrides.items():
        source = by_key.get(key)
        if source is None:
            out.errors.append(f"map file: no source VM {key!r}")
        elif ref not in by_ref:
            several = " (several have that name: give the vmid)" if counted.get(ref) else ""
            out.errors.append(f"map file: no target VM {ref!r} (for {key}){several}")
        else:
            out.matched[source.id] = by_ref[ref]
            out.how[source.id] = "map"


def map_vms(
    sources: Iterable[SourceVM],
    targets: Iterable[TargetVM],
    overrides: Mapping[str, str] | None = None,
    name_key: Callable[[str], str] = normalise_name,
) -> VMMapping:
    """Map source VMs to target VMs by the stages above (one-to-one); ``name_key`` is how
    the name stage normalises a name on both sides."""
    sources, targets = list(sources), list(targets)
    out = VMMapping(names={s.id: s.name for s in sources})
    _by_map(sources, targets, overrides or {}, out)
    taken = {t.id for t in out.matched.values()}
    for stage, source_key, target_key in _stages(name_key):
        index: dict[str, list[TargetVM]] = defaultdict(list)
        for t in targets:
            if t.id not in taken:
                for k in target_key(t):
                    index[k].append(t)
        wants: dict[str, list[TargetVM]] = {}
        for s in sources:
            if s.id in out.matched or s.id in out.ambiguous:
                continue
            unique = {t.id: t for k in source_key(s) for t in index.get(k, [])}
            if unique:
                wants[s.id] = list(unique.values())
        claims: dict[str, list[str]] = defaultdict(list)
        for sid, found in wants.items():
            for t in found:
                claims[t.id].append(sid)
        for sid, found in wants.items():
            if len(found) == 1 and len(claims[found[0].id]) == 1:
                out.matched[sid] = found[0]
                out.how[sid] = stage
                taken.add(found[0].id)
            else:
                rivals = {t.ref for t in found}
                out.ambiguous[sid] = sorted(rivals)
    out.unmatched = [s.id for s in sources if s.id not in out.matched and s.id not in out.ambiguous]
    out.unused = sorted(t.ref for t in targets if t.id not in taken)
    return out
