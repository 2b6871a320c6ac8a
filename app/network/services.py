"""Services as the firewall matches them: a probe (``tcp/443``, ``udp/53``, ``icmp``) against
a rule's services and inline entries, in the words the ingest records them in
(:func:`ingest.nsx.parse.service_entry`: ``TCP dst 443,8444-8445``, ``ICMPv4 type 8``,
``IP protocol 6``, ``ALG FTP dst 21``, ``EtherType 2048``, ``service <path>``).

Rules followed: a rule with no services and no entries, or with ``ANY``, matches every
service; an L4 port set matches its protocol and destination ports (single ports and ranges);
an ICMP entry matches ICMP (any type: the question names none); ``IP protocol`` matches by
protocol number (1 ICMP, 6 TCP, 17 UDP); an ALG entry matches its protocol and ports; EtherType
and IGMP entries match no IP unicast probe; a nested service is followed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from app.network.model import DfwRule, Estate
from app.records.nsx import ANY

OTHER = -1
"""The port of a probe that stands for "a port no rule names"."""
_L4 = re.compile(r"^(TCP|UDP) dst (\S+)(?: src (\S+))?$", re.IGNORECASE)
_ALG = re.compile(r"^ALG (\S+) dst (\S+)$", re.IGNORECASE)
_PROTOCOLS = {"1": "ICMP", "6": "TCP", "17": "UDP", "58": "ICMP"}
_UDP_ALGS = {"TFTP", "NBNS_BROADCAST", "NBDG_BROADCAST", "SUN_RPC_UDP", "MS_RPC_UDP"}
Tri = bool | None


@dataclass(frozen=True, order=True)
class Probe:
    """One kind of traffic: a protocol and, for TCP/UDP, a destination port."""

    protocol: str
    port: int | None = None

    @property
    def label(self) -> str:
        """``tcp/443``, ``udp/(other)``, ``icmp``."""
        if self.port is None:
            return self.protocol.lower()
        port = "(a port no rule names)" if self.port == OTHER else str(self.port)
        return f"{self.protocol.lower()}/{port}"


class ServiceSyntaxError(ValueError):
    """A ``--port`` value that is not ``N/tcp`` or ``N/udp``."""


def parse_probe(text: str) -> Probe:
    """``443/tcp``, ``53/udp`` (``tcp/443`` accepted too) or ``icmp``."""
    value = text.strip().lower()
    if value in ("icmp", "icmpv4"):
        return Probe("ICMP")
    left, sep, right = value.partition("/")
    if sep and right.isdigit() and left in ("tcp", "udp"):
        left, right = right, left
    if not sep or not left.isdigit() or right not in ("tcp", "udp") or not 0 < int(left) < 65536:
        raise ServiceSyntaxError(f"--port {text!r}: expected N/tcp or N/udp (1-65535), or icmp")
    return Probe(right.upper(), int(left))


def _in_ports(port: int | None, ports: str) -> bool:
    if ports == "any":
        return True
    if port is None or port == OTHER:
        return False
    for part in ports.split(","):
        low, _, high = part.partition("-")
        if low.isdigit() and int(low) <= port <= int(high if high.isdigit() else low):
            return True
    return False


def entry_matches(
    entry: str, probe: Probe, estate: Estate, seen: frozenset[str] = frozenset()
) -> Tri:
    """Whether one service entry (in words) matches the probe; ``None``: cannot tell."""
    text = entry.strip()
    if match := _L4.match(text):
        protocol, dst, src = match.group(1).upper(), match.group(2), match.group(3)
        if protocol != probe.protocol or not _in_ports(probe.port, dst):
            return False
        return None if src and src != "any" else True
    if text.upper().startswith("ICMP"):
        return probe.protocol == "ICMP"
    if text.startswith("IP protocol "):
        return _PROTOCOLS.get(text.rsplit(" ", 1)[-1]) == probe.protocol
    if match := _ALG.match(text):
        alg = match.group(1).upper()
        protocol = "UDP" if alg in _UDP_ALGS else "TCP"
        return protocol == probe.protocol and _in_ports(probe.port, match.group(2))
    if text.startswith("service "):
        return service_matches(text.split(" ", 1)[1], probe, estate, seen)
    if text.startswith("EtherType") or text == "IGMP":
        return False
    return None


def service_matches(
    path: str, probe: Probe, estate: Estate, seen: frozenset[str] = frozenset()
) -> Tri:
    """Whether the service at ``path`` (any of its entries) matches the probe."""
    service = estate.services.get(path)
    if service is None or path in seen:
        return None
    found: Tri = False
    for entry in service.entries:
        value = entry_matches(entry, probe, estate, seen | {path})
        if value is True:
            return True
        if value is None:
            found = None
    return found


def rule_services_any(rule: DfwRule) -> bool:
    """Whether the rule matches every service."""
    return (not rule.services and not rule.service_entries) or ANY in rule.services


def rule_matches(rule: DfwRule, probe: Probe, estate: Estate) -> Tri:
    """Whether the rule's services match the probe."""
    if rule_services_any(rule):
        return True
    found: Tri = False
    values = [service_matches(p, probe, estate) for p in rule.services if p != ANY]
    values += [entry_matches(e, probe, estate) for e in rule.service_entries]
    for value in values:
        if value is True:
            return True
        if value is None:
            found = None
    return found


def _entry_probes(entry: str, estate: Estate, depth: int = 0) -> Iterable[Probe]:
    if match := _L4.match(entry.strip()):
        for part in match.group(2).split(","):
            low = part.partition("-")[0]
            if low.isdigit():
                yield Probe(match.group(1).upper(), int(low))
    elif match := _ALG.match(entry.strip()):
        protocol = "UDP" if match.group(1).upper() in _UDP_ALGS else "TCP"
        yield from (Probe(protocol, int(p)) for p in re.findall(r"\d+", match.group(2))[:1])
    elif entry.startswith("service ") and depth < 5:
        service = estate.services.get(entry.split(" ", 1)[1])
        for nested in service.entries if service else ():
            yield from _entry_probes(nested, estate, depth + 1)


def probes(rules: Iterable[DfwRule], estate: Estate) -> list[Probe]:
    """The kinds of traffic that tell the rules apart: every port a rule names, ICMP, and a
    TCP and a UDP port no rule names."""
    found = {Probe("ICMP"), Probe("TCP", OTHER), Probe("UDP", OTHER)}
    for rule in rules:
        entries = list(rule.service_entries)
        for path in rule.services:
            service = estate.services.get(path)
            entries += list(service.entries) if service else []
        for entry in entries:
            found.update(_entry_probes(entry, estate))
    return sorted(found, key=lambda p: (p.port == OTHER, p.protocol, p.port or 0))
