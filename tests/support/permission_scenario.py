"""The hand-worked effective-permission scenario: real permissions in vcsim, real groups in Samba.

:func:`build_vcenter` adds folders, resource pools, VMs, custom roles and permissions to a
stock vcsim inventory (DC0, cluster DC0_C0 with hosts and VMs, standalone host DC0_H0);
:func:`build_directory` adds users and nested groups to a running Samba DC over LDAPS.
``CASES`` are the questions and their hand-worked answers (as role names), each citing the
rule of ``docs/permissions.md`` it exercises.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyVmomi import vim

from tests.support.samba_ad import SambaDC, add_accounts
from tests.support.vsphere import add_roles, find, set_permissions, wait_for_task

ROLES = {
    "VM-Operator": ["VirtualMachine.Interact.PowerOn", "VirtualMachine.Interact.PowerOff"],
    "VM-Config": ["VirtualMachine.Config.CPUCount", "VirtualMachine.Config.Memory"],
    "Host-Config": ["Host.Config.Power"],
}

FOLDERS = [  # (name, parent folder; None = the datacenter's VM folder)
    ("Z1", None), ("Z1-sub", "Z1"), ("Z2", None), ("Z3", None), ("Z4", None),
    ("Z5", None), ("Z5-masked", "Z5"), ("Z5-regrant", "Z5-masked"), ("Z5b", None),
    ("Z5c", "Z5"), ("Z6", None), ("Z8", None), ("Z8p", None), ("Z9", None),
]  # fmt: skip
POOLS = [("Gold", None), ("Gold-Child", "Gold")]  # (name, parent pool; None = cluster root)
VMS = [  # (name, folder, pool; None = the cluster's root pool)
    ("z1-vm", "Z1-sub", None), ("z2-vm", "Z2", None), ("z2-vm2", "Z2", None),
    ("z3-vm", "Z3", None), ("z4-vm", "Z4", None), ("z5-vm", "Z5-masked", None),
    ("z5-vm2", "Z5-regrant", None), ("z6-vm", "Z6", "Gold-Child"), ("z8-vm", "Z8", None),
    ("z8p-vm", "Z8p", None), ("z9-vm", "Z9", None),
]  # fmt: skip

# Special entity names resolved by build_vcenter to managed object ids.
ROOT, DC0, VM_ROOT, CLUSTER, CLUSTER_POOL = "@root", "DC0", "@vm-folder", "DC0_C0", "@cluster-pool"
STANDALONE_HOST, STANDALONE_CR, CLUSTER_HOST = "@standalone-host", "@standalone-cr", "DC0_C0_H0"

PERMISSIONS = [  # (principal, is_group, role, entity, propagate)
    ("CORP\\u-prop", False, "VM-Operator", "Z1", True),
    ("CORP\\u-noprop", False, "VM-Operator", "Z1", False),
    ("CORP\\G-spec-A", True, "VM-Operator", "Z2", True),
    ("CORP\\G-spec-B", True, "ReadOnly", "z2-vm", True),
    ("CORP\\G-near", True, "Admin", "Z2", True),
    ("CORP\\u-near", False, "ReadOnly", ROOT, True),
    ("CORP\\G-own", True, "Admin", "Z3", True),
    ("CORP\\u-own", False, "VM-Config", "Z3", True),
    ("CORP\\G-u1", True, "VM-Operator", "Z4", True),
    ("CORP\\G-u2", True, "VM-Config", "Z4", True),
    ("CORP\\G-na", True, "Admin", "Z5", True),
    ("CORP\\u-na", False, "NoAccess", "Z5-masked", True),
    ("CORP\\G-na", True, "ReadOnly", "Z5-regrant", True),
    ("CORP\\G-na2", True, "VM-Operator", "Z5b", True),
    ("CORP\\u-na3", False, "NoAccess", "Z5b", True),
    ("CORP\\G-mixdeny", True, "NoAccess", "Z5c", True),
    ("CORP\\G-mixgrant", True, "VM-Config", "Z5c", True),
    ("CORP\\u-two", False, "VM-Operator", "Z6", True),
    ("CORP\\u-two", False, "VM-Config", "Gold", True),
    ("CORP\\u-pool", False, "VM-Config", "Gold", True),
    ("CORP\\u-chainmask", False, "Admin", "Gold", True),
    ("CORP\\u-chainmask", False, "NoAccess", "Z6", True),
    ("CORP\\u-cluster", False, "Host-Config", CLUSTER, True),
    ("CORP\\u-hidden", False, "VM-Config", CLUSTER_POOL, True),
    ("CORP\\u-hidden2", False, "VM-Operator", VM_ROOT, True),
    ("CORP\\u-hidden3", False, "Host-Config", STANDALONE_HOST, True),
    ("CORP\\u-cr", False, "Host-Config", STANDALONE_CR, True),
    ("CORP\\u-dc", False, "VM-Operator", DC0, True),
    ("CORP\\vSphere-Admins", True, "Admin", DC0, True),
    ("CORP\\G-cyc-b", True, "VM-Operator", "Z8", True),
    ("CORP\\Domain Users", True, "ReadOnly", "Z8p", True),
    ("CORP\\deleted-group", True, "Admin", "Z9", True),
    ("VSPHERE.LOCAL\\Administrators", True, "Admin", "Z9", True),
    ("CORP\\bob", True, "Admin", "Z9", True),  # a user granted as a group: applies to nobody
]

USERS = [
    "u-prop", "u-noprop", "u-spec", "u-near", "u-own", "u-own2", "u-union", "u-union1",
    "u-union3", "u-na", "u-na2", "u-na3", "u-mix", "u-mix2", "u-two", "u-pool", "u-chainmask",
    "u-cluster", "u-hidden", "u-hidden2", "u-hidden3", "u-cr", "u-dc", "alice", "u-cyc", "bob",
    "u-disabled",
]  # fmt: skip
DISABLED = {"u-disabled"}
GROUPS = {  # group -> members (users or groups)
    "G-spec-A": ["u-spec"], "G-spec-B": ["u-spec"], "G-near": ["u-near"],
    "G-own": ["u-own", "u-own2", "u-disabled"],
    "G-u1": ["u-union", "u-union1"], "G-u2": ["u-union", "G-u3"], "G-u3": ["u-union3"],
    "G-na": ["u-na", "u-na2", "u-mix2"], "G-na2": ["u-na3"],
    "G-mixdeny": ["u-mix", "u-mix2"], "G-mixgrant": ["u-mix"],
    "vSphere-Admins": ["Nest-L1"], "Nest-L1": ["Nest-L2"], "Nest-L2": ["Nest-L3"],
    "Nest-L3": ["Nest-L4"], "Nest-L4": ["alice"],
    "G-cyc-a": ["u-cyc", "G-cyc-b"], "G-cyc-b": ["G-cyc-a"],
}  # fmt: skip


@dataclass(frozen=True)
class Case:
    """One question with its hand-worked answer."""

    number: int
    principal: str
    entity: str  # a name, or one of the @-names above
    roles: tuple[str, ...]  # the roles whose privileges make up the answer
    rule: str


CASES = [
    Case(1, "CORP\\u-prop", "Z1", ("VM-Operator",), "R1: a permission applies to its own entity"),
    Case(2, "CORP\\u-prop", "Z1-sub", ("VM-Operator",), "R1: a propagating grant is inherited"),
    Case(3, "CORP\\u-prop", "z1-vm", ("VM-Operator",), "R1: inherited two levels down, by a VM"),
    Case(4, "CORP\\u-noprop", "Z1", ("VM-Operator",), "R1: non-propagating applies to its entity"),
    Case(5, "CORP\\u-noprop", "Z1-sub", (), "R1: non-propagating is not inherited"),
    Case(6, "CORP\\u-noprop", "z1-vm", (), "R1: non-propagating is not inherited by VMs"),
    Case(7, "CORP\\u-spec", "z2-vm", ("ReadOnly",), "R2: docs example 2, group B on the VM wins"),
    Case(8, "CORP\\u-spec", "Z2", ("VM-Operator",), "R2: group A on the folder itself"),
    Case(9, "CORP\\u-spec", "z2-vm2", ("VM-Operator",), "R2: a sibling VM inherits group A"),
    Case(10, "CORP\\u-near", "z2-vm", ("Admin", "ReadOnly"),
         "R2+R6: a nearer group grant beats the user's own from the root (folder chain); the "
         "resource chain still brings the root grant"),
    Case(11, "CORP\\u-near", "Z1", ("ReadOnly",), "R1: the user's own grant from the root"),
    Case(12, "CORP\\u-own", "Z3", ("VM-Config",), "R3: the user's own beats its group's"),
    Case(13, "CORP\\u-own", "z3-vm", ("VM-Config",), "R3: and so does what it propagates"),
    Case(14, "CORP\\u-own2", "z3-vm", ("Admin",), "R3: a member without its own gets the group's"),
    Case(15, "CORP\\G-own", "z3-vm", ("Admin",), "R1: a group asked about directly"),
    Case(16, "CORP\\u-union", "Z4", ("VM-Operator", "VM-Config"), "R4: union of groups' roles"),
    Case(17, "CORP\\u-union", "z4-vm", ("VM-Operator", "VM-Config"), "R4: union, inherited"),
    Case(18, "CORP\\u-union1", "z4-vm", ("VM-Operator",), "R4: one group only"),
    Case(19, "CORP\\u-union3", "Z4", ("VM-Config",), "R9: through a nested group"),
    Case(20, "CORP\\u-na", "Z5", ("Admin",), "R5: the grant above the mask"),
    Case(21, "CORP\\u-na", "Z5-masked", (), "R5: the user's NoAccess masks its group's Admin"),
    Case(22, "CORP\\u-na", "z5-vm", (), "R5+R6: masked in the folder chain, nothing in the other"),
    Case(23, "CORP\\u-na", "Z5-regrant", ("ReadOnly",), "R5: a grant below the mask wins"),
    Case(24, "CORP\\u-na", "z5-vm2", ("ReadOnly",), "R5: and is inherited below it"),
    Case(25, "CORP\\u-na2", "z5-vm", ("Admin",), "R5: a mask is for its principal only"),
    Case(26, "CORP\\u-na3", "Z5b", (), "R3+R5: docs example 3, own NoAccess wins"),
    Case(27, "CORP\\u-mix", "Z5c", ("VM-Config",),
         "interpretation: one group's NoAccess leaves another group's grant"),
    Case(28, "CORP\\u-mix2", "Z5c", (), "R5: a group's NoAccess masks a propagated Admin"),
    Case(29, "CORP\\u-two", "z6-vm", ("VM-Operator", "VM-Config"), "R6: folder chain + pool chain"),
    Case(30, "CORP\\u-pool", "z6-vm", ("VM-Config",), "R6: the resource-pool chain alone"),
    Case(31, "CORP\\u-pool", "Z6", (), "R6: a folder does not inherit from pools"),
    Case(32, "CORP\\u-pool", "Gold-Child", ("VM-Config",), "R1: nested pools inherit"),
    Case(33, "CORP\\u-chainmask", "z6-vm", ("Admin",), "R6: a mask in one chain leaves the other"),
    Case(34, "CORP\\u-chainmask", "Z6", (), "R5: the mask on the folder itself"),
    Case(35, "CORP\\u-cluster", "z1-vm", ("Host-Config",), "R6: a VM inherits from its cluster"),
    Case(36, "CORP\\u-cluster", CLUSTER_HOST, ("Host-Config",), "R1: a clustered host inherits"),
    Case(37, "CORP\\u-hidden", "DC0_C0_RP0_VM0", (), "R7: a root resource pool carries nothing"),
    Case(38, "CORP\\u-hidden2", "Z1", (), "R7: a datacenter's VM folder carries nothing"),
    Case(39, "CORP\\u-hidden3", STANDALONE_HOST, (), "R7: a standalone host carries nothing"),
    Case(40, "CORP\\u-cr", STANDALONE_HOST, ("Host-Config",), "R7: it inherits its parent's"),
    Case(41, "CORP\\u-cr", "DC0_H0_VM0", ("Host-Config",), "R6+R7: and so do its VMs"),
    Case(42, "CORP\\u-dc", VM_ROOT, ("VM-Operator",), "R7: a hidden folder answers its parent's"),
    Case(43, "CORP\\u-dc", CLUSTER_POOL, ("VM-Operator",), "R7: a root pool answers its parent's"),
    Case(44, "CORP\\alice", "z8-vm", ("Admin",), "R9: five groups deep"),
    Case(45, "CORP\\u-cyc", "Z8", ("VM-Operator",), "R9: through a membership cycle"),
    Case(46, "CORP\\bob", "z8p-vm", ("ReadOnly",), "R9: the primary group (Domain Users) counts"),
    Case(47, "CORP\\bob", "Z9", (), "a user granted as a group: the grant applies to nobody"),
    Case(48, "VSPHERE.LOCAL\\Administrators", "z9-vm", ("Admin",), "a principal of another domain"),
    Case(49, "CORP\\deleted-group", "Z9", ("Admin",), "a grant to a deleted group, by name"),
    Case(50, "CORP\\u-disabled", "z3-vm", ("Admin",), "a disabled account is answered (flagged)"),
]  # fmt: skip


def _pool_spec() -> Any:
    def alloc() -> Any:
        return vim.ResourceAllocationInfo(
            reservation=0,
            limit=-1,
            expandableReservation=True,
            shares=vim.SharesInfo(level="normal", shares=0),
        )

    return vim.ResourceConfigSpec(cpuAllocation=alloc(), memoryAllocation=alloc())


def build_vcenter(si: Any) -> tuple[dict[str, str], dict[str, frozenset[str]]]:
    """Build the inventory and permissions; return entity name -> moref and role -> privileges."""
    content = si.RetrieveContent()
    auth = content.authorizationManager
    dc = find(content, vim.Datacenter, "DC0")
    cluster = find(content, vim.ClusterComputeResource, CLUSTER)
    standalone = find(content, vim.ComputeResource, "DC0_H0")
    objects: dict[str, Any] = {
        ROOT: content.rootFolder,
        DC0: dc,
        VM_ROOT: dc.vmFolder,
        CLUSTER: cluster,
        CLUSTER_POOL: cluster.resourcePool,
        STANDALONE_CR: standalone,
        STANDALONE_HOST: standalone.host[0],
        CLUSTER_HOST: find(content, vim.HostSystem, CLUSTER_HOST),
        "DC0_C0_RP0_VM0": find(content, vim.VirtualMachine, "DC0_C0_RP0_VM0"),
        "DC0_H0_VM0": find(content, vim.VirtualMachine, "DC0_H0_VM0"),
    }
    for name, parent in FOLDERS:
        objects[name] = objects[parent or VM_ROOT].CreateFolder(name)
    for name, parent in POOLS:
        objects[name] = objects[parent or CLUSTER_POOL].CreateResourcePool(name, _pool_spec())
    for name, folder, pool in VMS:
        config = vim.vm.ConfigSpec(
            name=name,
            guestId="otherGuest",
            numCPUs=1,
            memoryMB=64,
            files=vim.vm.FileInfo(vmPathName="[LocalDS_0]"),
        )
        task = objects[folder].CreateVM_Task(config, objects[pool or CLUSTER_POOL], cluster.host[0])
        wait_for_task(task)
        objects[name] = task.info.result
    role_ids = add_roles(auth, ROLES)
    set_permissions(auth, objects, PERMISSIONS, role_ids)
    role_privileges: dict[str, frozenset[str]] = {
        name: frozenset(next(r.privilege for r in auth.roleList if r.roleId == rid) or [])
        for name, rid in role_ids.items()
    }
    return {name: obj._moId for name, obj in objects.items()}, role_privileges


def build_directory(dc: SambaDC) -> None:
    """Add the scenario's users and groups to the running DC (CN=Users)."""
    users: dict[str, dict[str, str]] = {user: {} for user in USERS}  # no extra attributes
    add_accounts(dc, users, GROUPS, password="Scenario-Passw0rd!", disabled=DISABLED)
