"""vSphere API helpers for building test scenarios in vcsim (pyVmomi)."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from pyVim.connect import SmartConnect
from pyVmomi import vim

from tests.support.vcsim import VcsimServer


def connect(sim: VcsimServer) -> Any:
    """A pyVmomi ServiceInstance on the simulator (its certificate is self-signed)."""
    return SmartConnect(
        host=sim.host,
        port=sim.port,
        user=sim.username,
        pwd=sim.password,
        disableSslCertValidation=True,
    )


def find(content: Any, kind: type, name: str) -> Any:
    """The managed object of a type with a name (StopIteration if none)."""
    view = content.viewManager.CreateContainerView(content.rootFolder, [kind], True)
    try:
        return next(o for o in view.view if o.name == name)
    finally:
        view.Destroy()


def wait_for_task(task: Any, timeout: float = 60) -> None:
    """Wait for a vSphere task (pyVim's helper trips over vcsim's task names)."""
    deadline = time.monotonic() + timeout
    while task.info.state not in ("success", "error"):
        if time.monotonic() > deadline:
            raise TimeoutError(f"task {task} did not finish")
        time.sleep(0.05)
    if task.info.state == "error":
        raise RuntimeError(task.info.error)


SYSTEM_ROLE_IDS = {"Admin": -1, "ReadOnly": -2, "NoAccess": -5}
"""vSphere's system roles used by the scenarios, by name."""


def add_roles(auth: Any, roles: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Create custom roles; return every role id by name (custom and system).

    vcsim (v0.56.0) answers 0 to every ``AddAuthorizationRole``, so the ids are read back by
    name from ``roleList``.
    """
    for name, privileges in roles.items():
        auth.AddAuthorizationRole(name, list(privileges))
    ids = dict(SYSTEM_ROLE_IDS)
    ids |= {r.name: r.roleId for r in auth.roleList if r.name in roles}
    assert len(set(ids.values())) == len(ids), ids
    return ids


def set_permissions(
    auth: Any,
    objects: Mapping[str, Any],
    permissions: Sequence[tuple[str, bool, str, str, bool]],
    role_ids: Mapping[str, int],
) -> None:
    """Set (principal, is_group, role name, entity name, propagate) permissions, one call per
    entity (vcsim replaces an entity's whole list on each call)."""
    by_entity: dict[str, list[Any]] = {}
    for principal, group, role, entity, propagate in permissions:
        by_entity.setdefault(entity, []).append(
            vim.AuthorizationManager.Permission(
                entity=objects[entity],
                principal=principal,
                group=group,
                roleId=role_ids[role],
                propagate=propagate,
            )
        )
    for entity, perms in by_entity.items():
        auth.SetEntityPermissions(objects[entity], perms)


def vm_pair_placement(
    vms: tuple[Any, Any],
    hosts: Sequence[Any],
    *,
    vm_group: str,
    host_group: str,
    apart: str,
    vm_host_rule: str,
    affine: bool,
    mandatory: bool,
    **settings: Any,
) -> Any:
    """A cluster ``ConfigSpecEx`` that places two VMs.

    It adds VM group ``vm_group`` (both VMs), host group ``host_group`` (``hosts``), the
    anti-affinity rule ``apart`` (not mandatory) between the two VMs, the VM-host rule
    ``vm_host_rule`` from the VM group to the host group (``affine`` or anti-affine,
    ``mandatory`` or not), a manual DRS override on the first VM and a high HA restart
    priority on the second. ``settings`` are further ``ConfigSpecEx`` fields (``drsConfig``...).
    """
    first, second = vms
    cluster = vim.cluster
    target = {"affineHostGroupName" if affine else "antiAffineHostGroupName": host_group}
    return cluster.ConfigSpecEx(
        **settings,
        groupSpec=[
            cluster.GroupSpec(operation="add", info=cluster.VmGroup(name=vm_group, vm=list(vms))),
            cluster.GroupSpec(
                operation="add", info=cluster.HostGroup(name=host_group, host=list(hosts))
            ),
        ],
        rulesSpec=[
            cluster.RuleSpec(
                operation="add",
                info=cluster.AntiAffinityRuleSpec(
                    name=apart, enabled=True, mandatory=False, vm=list(vms)
                ),
            ),
            cluster.RuleSpec(
                operation="add",
                info=cluster.VmHostRuleInfo(
                    name=vm_host_rule,
                    enabled=True,
                    mandatory=mandatory,
                    vmGroupName=vm_group,
                    **target,
                ),
            ),
        ],
        drsVmConfigSpec=[
            cluster.DrsVmConfigSpec(
                operation="add",
                info=cluster.DrsVmConfigInfo(key=first, enabled=True, behavior="manual"),
            )
        ],
        dasVmConfigSpec=[
            cluster.DasVmConfigSpec(
                operation="add",
                info=cluster.DasVmConfigInfo(
                    key=second, dasSettings=cluster.DasVmSettings(restartPriority="high")
                ),
            )
        ],
    )


def add_dv_portgroup(content: Any, name: str, vlan_id: int, switch: str = "DVS0") -> None:
    """Add an early-binding, 8-port distributed port group on VLAN ``vlan_id`` to ``switch``."""
    vds = vim.dvs.VmwareDistributedVirtualSwitch
    port = vds.VmwarePortConfigPolicy(vlan=vds.VlanIdSpec(vlanId=vlan_id, inherited=False))
    spec = vim.dvs.DistributedVirtualPortgroup.ConfigSpec(
        name=name, type="earlyBinding", numPorts=8, defaultPortConfig=port
    )
    wait_for_task(find(content, vim.DistributedVirtualSwitch, switch).AddDVPortgroup_Task([spec]))
