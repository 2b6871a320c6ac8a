"""Proxmox VE API answers into records (pure functions; the collector does the requests).

Guest configurations hold property strings (``net0: virtio=MAC,bridge=vnet20,tag=20``,
``scsi0: ceph-gold:vm-103-disk-0,iops_rd=500``); :func:`property_string` reads them as PVE
does: ``key=value`` parts, and a bare first part for the format's default key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.records import proxmox as r
from app.records import proxmox_policy as p

NIC_KEYS = frozenset(
    {"bridge", "firewall", "link_down", "macaddr", "model", "mtu", "queues", "rate", "tag",
     "trunks", "name", "hwaddr", "ip", "ip6", "gw", "gw6", "type", "host-managed"}
)  # fmt: skip
"""Keys of a ``net[n]`` property string (qemu and lxc); any other key is a NIC model whose
value is the MAC (``virtio=BC:24:11:…``)."""
QEMU_DISK = re.compile(r"(scsi|sata|ide|virtio|efidisk|tpmstate)\d+")
LXC_DISK = re.compile(r"rootfs|mp\d+")
LIMITS = ("iops", "iops_rd", "iops_wr", "mbps", "mbps_rd", "mbps_wr")


@dataclass(frozen=True)
class Ids:
    """Record ids within one cluster."""

    source: str

    def of(self, kind: str, key: str | int) -> str:
        """The id of the ``kind`` object keyed ``key``."""
        return r.object_id(self.source, kind, key)


def property_string(text: str, default_key: str) -> dict[str, str]:
    """``a,b=1,c=2`` → ``{default_key: "a", "b": "1", "c": "2"}``."""
    found: dict[str, str] = {}
    for part in filter(None, str(text).split(",")):
        key, sep, value = part.partition("=")
        if sep:
            found[key.strip()] = value.strip()
        else:
            found[default_key] = part.strip()
    return found


def flag(value: Any) -> bool:
    """PVE's booleans: 0/1, and in property strings ``1``/``yes``/``on``/``true``."""
    return str(value).strip().lower() in {"1", "yes", "on", "true"}


def nic(slot: str, text: str) -> r.PveNic:
    """One ``net[n]`` value of a VM or container."""
    props = property_string(text, "model")
    model = props.get("model")
    mac = props.get("macaddr") or props.get("hwaddr")
    for key, value in props.items():
        if key not in NIC_KEYS:
            model, mac = key, value
    tag = props.get("tag")
    return r.PveNic(
        slot=slot,
        model=model,
        mac=mac.upper() if mac else None,
        bridge=props.get("bridge"),
        tag=int(tag) if tag and tag.isdigit() else None,
        firewall=flag(props.get("firewall", "0")),
    )


def disk(slot: str, text: str) -> r.PveDisk | None:
    """One disk value; ``None`` for a CD-ROM drive or an empty slot."""
    props = property_string(text, "file" if QEMU_DISK.fullmatch(slot) else "volume")
    if props.get("media") == "cdrom":
        return None
    volume = props.get("file") or props.get("volume") or ""
    if not volume or volume == "none":
        return None
    storage = volume.split(":", 1)[0] if ":" in volume and not volume.startswith("/") else None
    limits = {k: float(props[k]) for k in LIMITS if k in props}
    return r.PveDisk(
        slot=slot, storage=storage, volume=volume, size=props.get("size"), limits=limits
    )


def _number(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _int(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None else None


def guest(resource: dict[str, Any], config: dict[str, Any], ids: Ids, cluster: str) -> r.PveGuest:
    """A guest from its ``/cluster/resources`` row and its configuration."""
    guest_type = resource["type"]
    nics = [nic(k, v) for k, v in sorted(config.items()) if re.fullmatch(r"net\d+", k)]
    pattern = QEMU_DISK if guest_type == "qemu" else LXC_DISK
    disks = [d for k, v in sorted(config.items()) if pattern.fullmatch(k) if (d := disk(k, v))]
    smbios = property_string(config.get("smbios1", ""), "uuid").get("uuid")
    tags = [
        t for t in re.split(r"[;, ]", str(config.get("tags") or resource.get("tags") or "")) if t
    ]
    storages = sorted({ids.of("PveStorage", d.storage) for d in disks if d.storage})
    pool = resource.get("pool")
    return r.PveGuest(
        id=ids.of("PveGuest", resource["vmid"]),
        cluster=cluster,
        vmid=int(resource["vmid"]),
        guest_type=guest_type,
        name=str(config.get("name") or config.get("hostname") or resource.get("name") or ""),
        on_node=ids.of("PveNode", resource["node"]),
        status=resource.get("status"),
        template=flag(resource.get("template", config.get("template", 0))),
        smbios_uuid=smbios.lower() if smbios else None,
        macs=[n.mac for n in nics if n.mac],
        nics=nics,
        disks=disks,
        storages=storages,
        cores=_int(config.get("cores")),
        sockets=_int(config.get("sockets")),
        memory_mib=_int(config.get("memory")),
        balloon_mib=_int(config.get("balloon")),
        cpulimit=_number(config.get("cpulimit")),
        cpuunits=_int(config.get("cpuunits")),
        tags=tags,
        in_pool=ids.of("PvePool", pool) if pool else None,
        onboot=flag(config["onboot"]) if "onboot" in config else None,
    )


def node_priorities(text: str) -> dict[str, int]:
    """``pve1:2,pve2:1,pve3`` → ``{"pve1": 2, "pve2": 1, "pve3": 0}``."""
    found: dict[str, int] = {}
    for part in filter(None, str(text).split(",")):
        name, _, priority = part.strip().partition(":")
        found[name] = int(priority) if priority.isdigit() else 0
    return found


def acl(entry: dict[str, Any], ids: Ids, cluster: str) -> p.PveAcl:
    """One ``/access/acl`` entry."""
    key = f"{entry['path']}|{entry['type']}|{entry['ugid']}|{entry['roleid']}"
    return p.PveAcl(
        id=ids.of("PveAcl", key),
        cluster=cluster,
        path=entry["path"],
        subject_type=entry["type"],
        subject=entry["ugid"],
        role=ids.of("PveRole", entry["roleid"]),
        role_name=entry["roleid"],
        propagate=flag(entry.get("propagate", 1)),
    )


def firewall_rule(scope: str, rule: dict[str, Any], ids: Ids, cluster: str) -> p.PveFirewallRule:
    """One firewall rule at ``scope`` (``cluster``, ``node/pve1``, ``guest/101``,
    ``group/web``)."""
    return p.PveFirewallRule(
        id=ids.of("PveFirewallRule", f"{scope}|{rule['pos']}"),
        cluster=cluster,
        scope=scope,
        pos=int(rule["pos"]),
        direction=rule["type"],
        action=rule["action"],
        enabled=flag(rule.get("enable", 0)),
        **{
            k: rule.get(k)
            for k in ("source", "dest", "proto", "dport", "sport", "macro", "iface", "comment")
        },
    )
