# ruff: noqa: E501  (scenario tables: one object per line reads better than wrapped)
"""The parity scenario's Proxmox VE target: the vcsim estate of
tests/support/parity_scenario.py as migrated to a PVE 9 (or PVE 8) cluster, as replay
documents built from the schema-checked fixtures (tests/test_parity_proxmox.py).

Guests (pool ``prod``): ``sql-a`` (101, VM0 by smbios1 uuid), ``sql-b`` (102, VM1 by smbios1
uuid in upper case), ``web-a`` (103, VM2 by MAC alone), ``DC0C0RP0VM3`` (104, VM3 by the name
Proxmox's ESXi import gives it), two guests named ``DC0C0RP0VM5`` (105, 106: ambiguous); VM4,
VM6, VM7 not migrated. HA, VLANs, storages and ACLs are made to enforce, drift from or miss
each source decision; ``platform-admins`` and the token ``ci@pve!deploy`` control guests with
no source grant (target-only). Every document is checked against the PVE schema before use.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.support.pve_replay import load_documents
from tests.support.pve_schema import check_payload

NODES = ("pve1", "pve2", "pve3")
HOST_MAP = {"DC0_C0_H0": "pve1", "DC0_C0_H1": "pve2", "DC0_C0_H2": "pve3"}
POLICY_MAP = {
    "Gold": "ceph-gold",
    "Silver": "ceph-silver",
    "Bronze": "local-lvm",
    "Tin": "nvme-tin",
}
CLUSTER = {9: "pve9-parity", 8: "pve8-parity"}

ROLES = {
    "VMOperator": "VM.Audit,VM.Console,VM.PowerMgmt",
    "CpuOnly": "VM.Audit,VM.Config.CPU",
}
USERS = [
    ("mallory@corp", "vm-operators-corp", "ad"),
    ("erin@corp", "db-admins-corp", "ad"),
    ("ci@pve", "", "pve"),
]
GROUPS = {
    "vm-operators-corp": ["mallory@corp"],
    "db-admins-corp": ["erin@corp"],
    "vm-viewers": [],
    "platform-admins": [],
}
ACL = [
    ("/pool/prod", "group", "vm-operators-corp", "VMOperator", 1),
    ("/vms/104", "user", "mallory@corp", "NoAccess", 1),
    ("/vms/103", "group", "db-admins-corp", "CpuOnly", 1),
    ("/vms/102", "group", "vm-viewers", "PVEAuditor", 1),
    ("/", "group", "platform-admins", "Administrator", 1),
    ("/vms", "user", "ci@pve", "PVEVMAdmin", 1),
    ("/vms", "token", "ci@pve!deploy", "PVEVMAdmin", 1),
]


def _guest(vmid: int, name: str, net0: str, disks: dict[str, str], **extra: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "boot": "order=scsi0;net0", "cores": 2, "digest": "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c",
        "memory": "8192", "name": name, "net0": net0, "ostype": "l26",
        "scsihw": "virtio-scsi-single", "sockets": 1,
    }  # fmt: skip
    config.update({slot: f"{value},size=32G" for slot, value in disks.items()})
    config.update(extra)
    return config


def guests(
    uuids: dict[str, str], macs: dict[str, list[str]]
) -> dict[int, tuple[str, dict[str, Any]]]:
    """vmid -> (node, configuration) of every guest."""
    vm = "DC0_C0_RP0_VM{}".format
    return {
        101: ("pve1", _guest(101, "sql-a", "virtio=BC:24:11:00:01:01,bridge=vmbr0,tag=140",
                             {"scsi0": "ceph-gold:vm-101-disk-0", "scsi1": "platinum:vm-101-disk-1,iops=5000"},
                             smbios1=f"uuid={uuids[vm(0)]}", memory="4096")),
        102: ("pve2", _guest(102, "sql-b", "virtio=BC:24:11:00:01:02,bridge=vnet130",
                             {"scsi0": "ceph-gold:vm-102-disk-0"}, smbios1=f"uuid={uuids[vm(1)].upper()}")),
        103: ("pve3", _guest(103, "web-a", f"virtio={macs[vm(2)][0].upper()},bridge=vmbr0,tag=150",
                             {"scsi0": "ceph-silver:vm-103-disk-0"}, memory="4096",
                             smbios1="uuid=6f1c2a3b-0000-4000-8000-000000000103")),
        104: ("pve1", _guest(104, "DC0C0RP0VM3", "virtio=BC:24:11:00:01:04,bridge=vmbr0,tag=150",
                             {"scsi0": "local-lvm:vm-104-disk-0"}, cpuunits=200)),
        105: ("pve2", _guest(105, "DC0C0RP0VM5", "virtio=BC:24:11:00:01:05,bridge=vmbr0", {"scsi0": "local-lvm:vm-105-disk-0"})),
        106: ("pve3", _guest(106, "DC0C0RP0VM5", "virtio=BC:24:11:00:01:06,bridge=vmbr0", {"scsi0": "local-lvm:vm-106-disk-0"})),
    }  # fmt: skip


HA_STATES = {101: "started", 102: "started", 103: "ignored", 104: "stopped"}
"""HA resources: 103 (VM2, restart priority disabled) is one HA leaves alone (``ignored``)."""
HA_RULES = [
    {"rule": "db-apart", "type": "resource-affinity", "affinity": "negative", "resources": "vm:101,vm:102"},
    {"rule": "web-apart", "type": "resource-affinity", "affinity": "negative", "resources": "vm:103,vm:104", "disable": 1},
    {"rule": "db-on-ab", "type": "node-affinity", "nodes": "pve1:2,pve2:1", "resources": "vm:101,vm:102", "strict": 1},
    {"rule": "web-pref-c", "type": "node-affinity", "nodes": "pve3", "resources": "vm:103", "strict": 0},
]  # fmt: skip
HA_GROUPS = [
    {"group": "db-on-ab", "nodes": "pve1:2,pve2:1", "restricted": 1, "nofailback": 0, "type": "group"},
    {"group": "web-pref-c", "nodes": "pve3", "restricted": 0, "nofailback": 0, "type": "group"},
]  # fmt: skip
PVE8_GROUP = {101: "db-on-ab", 102: "db-on-ab", 103: "web-pref-c"}
"""PVE 8: the HA group of each HA resource (104 has none: the should-rule stays half done, as
on PVE 9)."""


def _resources(
    base: list[dict[str, Any]], placed: dict[int, tuple[str, dict[str, Any]]]
) -> list[dict[str, Any]]:
    rows = [r for r in base if r["type"] not in ("qemu", "lxc")]
    for vmid, (node, config) in sorted(placed.items()):
        row = {"id": f"qemu/{vmid}", "maxcpu": 2, "maxmem": 8589934592, "name": config["name"],
               "node": node, "pool": "prod", "status": "running", "template": 0, "type": "qemu",
               "vmid": vmid}  # fmt: skip
        if vmid in HA_STATES:
            row["hastate"] = HA_STATES[vmid]
        rows.append(row)
    rows.append({"content": "images", "id": "storage/pve1/platinum", "node": "pve1", "plugintype": "rbd",
                 "status": "available", "storage": "platinum", "type": "storage"})  # fmt: skip
    return rows


def _access(docs: dict[str, Any]) -> None:
    docs["/access/roles"] = docs["/access/roles"] + [
        {"roleid": name, "privs": privs, "special": 0} for name, privs in ROLES.items()
    ]
    users = [u for u in docs["/access/users"] if u["userid"] in ("root@pam", "svc-authmap@pve")]
    for userid, group, realm in USERS:
        user: dict[str, Any] = {"enable": 1, "expire": 0, "realm-type": realm, "userid": userid}
        if group:
            user["groups"] = group
        if userid == "ci@pve":
            user["tokens"] = [
                {"comment": "deployments", "expire": 0, "privsep": 1, "tokenid": "deploy"}
            ]
        users.append(user)
    docs["/access/users"] = users
    for path in [p for p in docs if p.startswith("/access/groups/")]:
        del docs[path]
    docs["/access/groups"] = [
        {"comment": "synced from corp" if g.endswith("-corp") else "hand-made", "groupid": g,
         "users": ",".join(members)} if members else
        {"comment": "hand-made", "groupid": g}
        for g, members in GROUPS.items()
    ]  # fmt: skip
    for g, members in GROUPS.items():
        docs[f"/access/groups/{g}"] = {"comment": "scenario", "members": members}
    kept = [
        a
        for a in docs["/access/acl"]
        if a["ugid"] in ("root@pam", "svc-authmap@pve", "svc-authmap@pve!audit")
    ]
    docs["/access/acl"] = kept + [
        {"path": p, "propagate": prop, "roleid": role, "type": kind, "ugid": ugid}
        for p, kind, ugid, role, prop in ACL
    ]


def documents(version: int, uuids: dict[str, str], macs: dict[str, list[str]]) -> dict[str, Any]:
    """Every replay document of the scenario's PVE ``version`` target, schema-checked."""
    docs = copy.deepcopy(load_documents(version))
    placed = guests(uuids, macs)
    for path in [p for p in docs if p.startswith("/nodes/") and ("/qemu/" in p or "/lxc/" in p)]:
        del docs[path]
    docs["/cluster/status"] = [
        {**e, "name": CLUSTER[version]} if e["type"] == "cluster" else e
        for e in docs["/cluster/status"]
    ]
    docs["/cluster/resources"] = _resources(docs["/cluster/resources"], placed)
    for vmid, (node, config) in placed.items():
        base = f"/nodes/{node}/qemu/{vmid}"
        docs[f"{base}/config"] = config
        docs[f"{base}/firewall/options"] = {"enable": 0}
        docs[f"{base}/firewall/rules"] = []
    docs["/storage"] = docs["/storage"] + [
        {"content": "images", "pool": "platinum", "storage": "platinum", "type": "rbd"}
    ]
    members = [
        {"id": f"qemu/{v}", "node": n, "type": "qemu", "vmid": v}
        for v, (n, _) in sorted(placed.items())
    ]
    docs["/pools"] = [{"comment": "production", "poolid": "prod"}]
    docs["/pools/prod"] = {"comment": "production", "members": members}
    docs.pop("/pools/lab", None)
    docs["/cluster/sdn/vnets"] = [
        {"tag": tag, "type": "vnet", "vnet": f"vnet{tag}", "zone": "vlanzone"} for tag in (120, 130)
    ]
    for path in [p for p in docs if p.startswith("/cluster/sdn/vnets/")]:
        del docs[path]
    for tag in (120, 130):
        docs[f"/cluster/sdn/vnets/vnet{tag}/subnets"] = []
    ha = []
    for vmid, state in sorted(HA_STATES.items()):
        row: dict[str, Any] = {
            "max_relocate": 1,
            "max_restart": 1,
            "sid": f"vm:{vmid}",
            "state": state,
            "type": "vm",
        }
        if version == 8 and vmid in PVE8_GROUP:
            row["group"] = PVE8_GROUP[vmid]
        ha.append(row)
    docs["/cluster/ha/resources"] = ha
    if version >= 9:
        docs["/cluster/ha/rules"] = HA_RULES
        docs["/cluster/ha/groups"] = []
    else:
        docs["/cluster/ha/groups"] = HA_GROUPS
    _access(docs)
    errors = [e for path, data in docs.items() for e in check_payload(version, path, data)]
    assert not errors, errors[:10]
    return docs
