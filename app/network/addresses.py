"""IP addresses, CIDRs and ranges as NSX rules and groups write them (``10.0.0.5``,
``10.0.0.0/24``, ``10.0.0.1-10.0.0.9``)."""

from __future__ import annotations

import ipaddress


def address_in(address: str, entry: str) -> bool:
    """Whether the single address ``address`` lies in ``entry`` (address, CIDR or range)."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    entry = entry.strip()
    try:
        if "-" in entry:
            low, high = (ipaddress.ip_address(x.strip()) for x in entry.split("-", 1))
            return low.version == ip.version and low <= ip <= high  # type: ignore[operator]
        return ip in ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return False
