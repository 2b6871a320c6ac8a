# ruff: noqa: E501  (tables of cases: one case per line reads better than wrapped)
"""The Proxmox VE parity rules as pure functions: names as the ESXi import writes them,
principals by realm and synced group name, the privilege table, placement on PVE 8 and 9,
shares order, VLANs, IOPS limits and change authority through Proxmox's permission rules.
The end-to-end run is tests/test_parity_proxmox.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.parity.authority import Grant
from app.parity.capacity import SourceAllocation
from app.parity.network import PortGroup
from app.parity.principals import PrincipalMap, Subject
from app.parity.pve_acl import AccessConfig, Acl
from app.parity.pve_authority import change_authority, subject_privileges, target_only
from app.parity.pve_model import (
    PveHaGroup,
    PveHaRule,
    PveRealmRef,
    PveStorageRef,
    PveTarget,
    PveUserRef,
    PveVM,
    PveVnet,
    pve_name,
)
from app.parity.pve_placement import vm_host_rule, vm_vm_rule
from app.parity.pve_principals import PvePrincipalMapper
from app.parity.pve_privileges import TABLE, PveCheck, translate
from app.parity.pve_recovery import cluster_ha
from app.parity.pve_rules import port_group, shares_order, storage_policy, vm_allocation
from app.parity.storage import StoragePolicy
from app.records.proxmox import PveDisk, PveNic


def vm(vmid: int, **kw: object) -> PveVM:
    return PveVM(id=f"g{vmid}", namespace="", name=f"vm{vmid}", vmid=vmid, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("source", "imported"),
    [
        ("DC0_C0_RP0_VM3", "dc0c0rp0vm3"),
        ("SQL 01 (prod)", "sql-01-prod"),
        ("-web.01-", "web.01"),
        ("Ärger", "rger"),
    ],
)
def test_names_as_the_esxi_import_cleans_them(source: str, imported: str) -> None:
    assert pve_name(source) == imported


REALMS = [
    PveRealmRef("corp", "ad", "corp.example.com"),
    PveRealmRef("ldap1", "ldap", "lab.example"),
    PveRealmRef("pve", "pve"),
]
USERS = [PveUserRef(u) for u in ("alice@corp", "bob@ldap1", "carol@pve", "dave@corp", "dave@pve")]
GROUPS = ["ops-corp", "ops", "dba", "web-ldap1", "Helpdesk"]


@pytest.mark.parametrize(
    ("principal", "group", "expected"),
    [
        ("CORP\\alice", False, "alice@corp"),  # realm named as the NetBIOS domain
        ("alice@corp.example.com", False, "alice@corp"),  # UPN suffix = the realm's domain
        ("LAB\\bob", False, "bob@ldap1"),  # domain's first label = the NetBIOS name
        ("CORP\\carol", False, None),  # carol is in the pve realm: not the directory's
        ("CORP\\dave", False, "dave@corp"),
        ("CORP\\Ops", True, "ops-corp"),  # the synced group wins over the hand-made one
        ("CORP\\DBA", True, "dba"),  # no synced group: the hand-made one of the plain name
        ("LAB\\web", True, "web-ldap1"),
        ("CORP\\helpdesk", True, "Helpdesk"),  # case-insensitive, as AD is
        ("CORP\\nobody", True, None),
    ],
)
def test_principals_by_realm_and_synced_group(
    principal: str, group: bool, expected: str | None
) -> None:
    match = PvePrincipalMapper(USERS, GROUPS, REALMS).match(principal, group)
    assert (match.subject.name if match.subject else None) == expected, match.text()


def test_principals_ambiguous_and_overridden() -> None:
    realms = [PveRealmRef("corp", "ad", "corp.example.com"), PveRealmRef("corp2", "ad", "corp.x")]
    users = [PveUserRef("alice@corp"), PveUserRef("alice@corp2")]
    mapper = PvePrincipalMapper(users, ["ops-corp", "ops-corp2"], realms)
    assert mapper.match("CORP\\alice", False).how == "ambiguous"  # corp2's domain starts corp.
    override = PrincipalMap((), {"CORP\\alice": "alice@corp2", "CORP\\Ops": "ops-corp"})
    mapped = PvePrincipalMapper(users, [], realms, override)
    assert mapped.match("corp\\ALICE", False).subject == Subject("User", "alice@corp2")
    assert mapped.match("CORP\\Ops", True).subject == Subject("Group", "ops-corp")


def test_privilege_table() -> None:
    role = translate(
        ["System.Anonymous", "System.Read", "VirtualMachine.Interact.PowerOn",
         "VirtualMachine.Interact.Reset", "VirtualMachine.Interact.ConsoleInteract",
         "Datastore.AllocateSpace", "Host.Config.Maintenance", "VirtualMachine.Config.Rename"]
    )  # fmt: skip
    assert [c.text() for c in role.checks] == [
        "Datastore.AllocateSpace on the VM's storage",
        "VM.Audit",
        "VM.Config.Options",
        "VM.Console",
        "VM.PowerMgmt",
    ]
    assert role.no_analogue == ("Host.Config.Maintenance",)
    assert translate(["VirtualMachine.Config.QueryFSChanges"]).checks == ()  # under .*: none


def test_docs_print_the_proxmox_privilege_table() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "targets.md").read_text()
    section = text.split("## Proxmox VE", 1)[1]
    for privilege, entry in TABLE.items():
        line = next(ln for ln in section.splitlines() if ln.startswith(f"| `{privilege}` |"))
        if entry == "none":
            assert "no analogue" in line
        elif entry == "implicit":
            assert "implicit" in line
        else:
            assert all(f"`{c.privilege}`" in line for c in entry), line


def _pve(major: int = 9, **kw: object) -> PveTarget:
    return PveTarget(major, nodes=["pve1", "pve2", "pve3"], **kw)  # type: ignore[arg-type]


HA = {"ha_id": "h", "ha_state": "started"}


def test_affinity_rules_on_pve9_and_pve8() -> None:
    a, b, c = vm(1, **HA), vm(2, **HA), vm(3, **HA)
    apart = PveHaRule(
        "r1", "apart", "resource-affinity", frozenset({"g1", "g2"}), affinity="negative"
    )
    wide = PveHaRule("r2", "wide", "resource-affinity", frozenset({"g1", "g2", "g3"}), affinity="negative")  # fmt: skip
    assert vm_vm_rule(True, [a, b], _pve(ha_rules=[apart])).status == "enforced"
    together = vm_vm_rule(False, [a, b], _pve(ha_rules=[apart]))
    assert together.status == "drifted" and "keeps them apart" in together.explanation[0]
    wider = vm_vm_rule(True, [a, c], _pve(ha_rules=[wide]))
    assert wider.status == "drifted" and "also names 1 other" in wider.explanation[0]
    assert vm_vm_rule(True, [a, c], _pve(ha_rules=[apart])).status == "missing"  # relates 1 only
    not_ha = vm_vm_rule(True, [a, vm(2)], _pve(ha_rules=[apart]))
    assert not_ha.status == "drifted" and "vm2 (2) is not an HA resource" in not_ha.explanation[0]
    assert vm_vm_rule(True, [a, b], _pve(8)).status == "gap"


@pytest.mark.parametrize(
    ("strict", "nodes", "must", "anti", "status"),
    [
        (True, {"pve1": 1, "pve2": 1}, True, False, "enforced"),
        (False, {"pve1": 2, "pve2": 1}, False, False, "enforced"),  # priorities do not matter
        (True, {"pve1": 1, "pve2": 1}, False, False, "drifted"),  # stricter than a should-rule
        (False, {"pve1": 1, "pve2": 1}, True, False, "drifted"),  # only prefers a must-rule
        (True, {"pve1": 1}, True, False, "drifted"),  # other nodes
        (True, {"pve3": 1}, True, True, "enforced"),  # must not run on pve1, pve2
        (True, {"pve2": 1, "pve3": 1}, True, True, "drifted"),
    ],
)
def test_vm_host_rules_on_pve9(
    strict: bool, nodes: dict[str, int], must: bool, anti: bool, status: str
) -> None:
    rule = PveHaRule("r", "placed", "node-affinity", frozenset({"g1"}), nodes, strict)
    found = vm_host_rule([vm(1, **HA)], _pve(ha_rules=[rule]), frozenset({"pve1", "pve2"}), must=must, anti=anti)  # fmt: skip
    assert found.status == status, found.explanation


def test_vm_host_rules_on_pve8_use_ha_groups() -> None:
    group = PveHaGroup("hg", "ab", {"pve1": 1, "pve2": 1}, restricted=True)
    pve = _pve(8, ha_groups={"ab": group})
    wanted = frozenset({"pve1", "pve2"})
    placed = vm(1, ha_group="ab", **HA)
    assert vm_host_rule([placed], pve, wanted, must=True, anti=False).status == "enforced"
    assert vm_host_rule([placed], pve, wanted, must=False, anti=False).status == "drifted"
    none = vm_host_rule([vm(2, **HA), vm(3)], pve, wanted, must=True, anti=False)
    assert none.status == "missing" and "vm3 (3) is not an HA resource" in none.explanation[1]


def test_cluster_ha_and_restart_order() -> None:
    up, down = vm(1, **HA), vm(2, ha_id="h2", ha_state="stopped")
    assert cluster_ha([up], False).status == "enforced"
    assert cluster_ha([up, down], False).status == "drifted"
    assert cluster_ha([vm(3)], False).status == "missing"
    assert cluster_ha([up], True).status == "gap"  # admission control
    order = cluster_ha([up, vm(4, **HA)], False, priorities={"g1": "high", "g4": "low"})
    assert order.status == "gap" and "no restart order" in order.explanation[-1]
    kept = cluster_ha([up, vm(5, ha_id="h5", ha_state="ignored")], False, frozenset({"g5"}))
    assert kept.status == "enforced"


def test_shares_order_by_cpuunits() -> None:
    high, low, default = vm(1, cpuunits=300), vm(2, cpuunits=50), vm(3)
    peers = [(high, 2000), (low, 500), (default, 1000)]
    assert shares_order(high, 2000, peers).status == "enforced"
    assert shares_order(low, 500, peers).status == "enforced"  # 50 < 100 (the default) < 300
    broken = shares_order(vm(4, cpuunits=80), 2000, [(default, 1000)])
    assert broken.status == "drifted" and "cpuunits 80" in broken.explanation[0]
    a = SourceAllocation(cpu_reservation=500, cpu_limit=4000, cpu_shares_level="high")
    parts = vm_allocation(a, vm(5, cpulimit=2.0, cpuunits=200), 2000, 2000, [(default, 1000)])
    assert parts.status == "gap"  # the reservation; the limit and the shares are enforced
    assert any("cpulimit 2, source limit 4000 MHz = 2 core(s)" in x for x in parts.explanation)
    assert vm_allocation(SourceAllocation(cpu_limit=4000), vm(6), 2000).status == "missing"


def test_vlans_by_nic_tag_or_vnet() -> None:
    pve = _pve(vnets={"vnet20": PveVnet("v", "vnet20", 20)})
    tagged = vm(1, nics=(PveNic(slot="net0", bridge="vmbr0", tag=20),))
    on_vnet = vm(2, nics=(PveNic(slot="net0", bridge="vnet20"),))
    elsewhere = vm(3, nics=(PveNic(slot="net0", bridge="vmbr0", tag=30),))
    pg = PortGroup("pg-20", 20)
    assert port_group(pg, [tagged, on_vnet], pve, True).status == "enforced"
    assert port_group(pg, [tagged, elsewhere], pve, True).status == "drifted"
    assert port_group(pg, [elsewhere], pve, True).status == "missing"
    assert port_group(PortGroup("pg-0", 0), [vm(4, nics=(PveNic(slot="net0", bridge="vmbr0"),))], pve, True).status == "enforced"  # fmt: skip
    assert port_group(PortGroup("pg-t", None, ("10-20",)), [tagged], pve, True).status == "gap"


def test_storage_policy_and_iops() -> None:
    storages = {"gold": PveStorageRef("s", "gold", "rbd")}
    disk = PveDisk(slot="scsi0", storage="gold", volume="gold:vm-1-disk-0", limits={"iops_rd": 400, "iops_wr": 600})  # fmt: skip
    guest = vm(1, disks=(disk,))
    limited = StoragePolicy("Gold", ("VSAN.iopsLimit=1000",))
    assert storage_policy(limited, [guest], {}, storages).status == "enforced"  # 400 + 600
    assert storage_policy(StoragePolicy("Gold", ("iopsLimit=500",)), [guest], {}, storages).status == "drifted"  # fmt: skip
    assert storage_policy(StoragePolicy("Tin"), [guest], {}, storages).status == "gap"
    assert storage_policy(StoragePolicy("Tin"), [guest], {"Tin": "tin"}, storages).status == "missing"  # fmt: skip
    assert storage_policy(StoragePolicy("Gold"), [guest, vm(2)], {}, storages).status == "drifted"


def _access() -> AccessConfig:
    return AccessConfig(
        acls=(
            Acl("/pool/prod", "group", "ops-corp", "VMOperator"),
            Acl("/vms/2", "user", "alice@corp", "NoAccess"),
            Acl("/vms", "token", "ci@pve!deploy", "VMOperator"),
            Acl("/vms", "user", "ci@pve", "VMOperator"),
        ),
        roles={"VMOperator": frozenset({"VM.Audit", "VM.PowerMgmt", "VM.Console"})},
        groups={"ops-corp": frozenset({"alice@corp"})},
        pools={"prod": frozenset({"/vms/1", "/vms/2"})},
        tokens={"ci@pve!deploy": True},
    )


OPERATOR = ("System.Read", "VirtualMachine.Interact.PowerOn", "VirtualMachine.Interact.ConsoleInteract")  # fmt: skip


def test_change_authority_by_proxmox_rules() -> None:
    pve = _pve(access=_access(), realms={"corp": PveRealmRef("corp", "ad", "corp.example")})
    mapper = PvePrincipalMapper([PveUserRef("alice@corp")], ["ops-corp"], pve.realms.values())
    guests = [vm(1, pool="prod"), vm(2, pool="prod"), vm(3)]
    group = change_authority(Grant("CORP\\Ops", True, "Op", 1, OPERATOR), guests[:2], mapper, pve)
    assert group.status == "enforced", group.explanation  # as a member of ops-corp alone
    partly = change_authority(Grant("CORP\\Ops", True, "Op", 1, OPERATOR), guests, mapper, pve)
    assert partly.status == "drifted" and "on /vms/3" in partly.explanation[-1]
    alice = change_authority(Grant("CORP\\alice", False, "Op", 1, OPERATOR), guests[1:2], mapper, pve)  # fmt: skip
    assert alice.status == "missing"  # her own NoAccess on /vms/2 beats the group's pool role
    denied = change_authority(Grant("CORP\\alice", False, "NoAccess", -5, ()), guests[1:2], mapper, pve)  # fmt: skip
    assert denied.status == "enforced"
    allowed = change_authority(Grant("CORP\\alice", False, "NoAccess", -5, ()), guests[:1], mapper, pve)  # fmt: skip
    assert allowed.status == "drifted" and "VM.Console" in allowed.explanation[-1]
    assert subject_privileges(pve.access, Subject("Group", "ops-corp"), "/vms/2") == frozenset(
        {"VM.Audit", "VM.PowerMgmt", "VM.Console"}
    )
    assert change_authority(Grant("CORP\\x", True, "Host", 2, ("Host.Config.Maintenance",)), guests, mapper, pve).status == "gap"  # fmt: skip


def test_target_only_acls() -> None:
    pve = _pve(access=_access(), realms={"corp": PveRealmRef("corp", "ad", "corp.example")})
    mapper = PvePrincipalMapper([PveUserRef("alice@corp")], ["ops-corp"], pve.realms.values())
    guests = [vm(1, pool="prod"), vm(2, pool="prod")]
    found = target_only(pve, guests, [("CORP\\Ops", True)], mapper)
    assert [(f["subject"], f["scope"]) for f in found] == [
        ("Token ci@pve!deploy", "every guest (/vms)"),
        ("User ci@pve", "every guest (/vms)"),
    ]
    assert "VM.Console, VM.PowerMgmt" in found[0]["why"]
    assert PveCheck("VM.Audit").text() == "VM.Audit"
