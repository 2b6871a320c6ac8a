"""The collector's mapping of property sets vcsim cannot produce.

vcsim silently drops HA admission-control policy, default VM settings and monitoring
(see shared/notes/vcsim.md) and enforces no permissions, so these cases use RECORDED
PROPERTY SETS: pyVmomi data objects of the documented shape, fed through the same
``InventoryMapper.record_object`` the live collection uses.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from pyVmomi import vim

from app.records import Record
from app.records import vcenter as r
from ingest.vcenter.inventory import InventoryMapper
from ingest.vcenter.properties import ObjectProps

VC = "aaaaaaaa-0000-0000-0000-000000000001"


class Recorder:
    """A sink and gap sink that keep what the collector emits."""

    def __init__(self) -> None:
        self.records: list[Record] = []
        self.gaps: list[tuple[str, str, str | None]] = []

    def sink(self, record: Record) -> None:
        self.records.append(record)

    def gap(self, what: str, reason: str, entity: str | None) -> None:
        self.gaps.append((what, reason, entity))


def _collector() -> tuple[InventoryMapper, Recorder]:
    content = SimpleNamespace(about=SimpleNamespace(instanceUuid=VC), customFieldsManager=None)
    out = Recorder()
    return InventoryMapper(content, out.sink, out.gap), out


def _cluster(das: Any, drs: Any | None = None) -> ObjectProps:
    config = vim.cluster.ConfigInfoEx(
        dasConfig=das,
        drsConfig=drs
        or vim.cluster.DrsConfigInfo(
            enabled=True, defaultVmBehavior="fullyAutomated", vmotionRate=3
        ),
    )
    return ObjectProps(
        vim.ClusterComputeResource("domain-c7"),
        {"name": "Prod-A", "parent": vim.Folder("group-h4"), "configurationEx": config},
    )


@pytest.mark.parametrize(
    ("policy", "name", "detail"),
    [
        (
            vim.cluster.FailoverResourcesAdmissionControlPolicy(
                cpuFailoverResourcesPercent=25,
                memoryFailoverResourcesPercent=30,
                failoverLevel=1,
                autoComputePercentages=False,
            ),
            "resources_percent",
            {"cpu_percent": 25, "memory_percent": 30, "failover_level": 1, "auto_compute": False},
        ),
        (
            vim.cluster.FailoverLevelAdmissionControlPolicy(
                failoverLevel=2, slotPolicy=vim.cluster.FixedSizeSlotPolicy(cpu=500, memory=1024)
            ),
            "slot_failover_level",
            {"failover_level": 2, "slot_cpu_mhz": 500, "slot_memory_mb": 1024},
        ),
        (
            vim.cluster.FailoverHostAdmissionControlPolicy(
                failoverHosts=[vim.HostSystem("host-9"), vim.HostSystem("host-10")], failoverLevel=1
            ),
            "dedicated_failover_hosts",
            {"hosts": "host-9,host-10", "failover_level": 1},
        ),
        (None, None, {}),
    ],
)
def test_ha_policy_of_every_type(policy: Any, name: str | None, detail: dict[str, Any]) -> None:
    das = vim.cluster.DasConfigInfo(
        enabled=True,
        hostMonitoring="enabled",
        vmMonitoring="vmMonitoringOnly",
        admissionControlEnabled=policy is not None,
        admissionControlPolicy=policy,
        defaultVmSettings=vim.cluster.DasVmSettings(
            restartPriority="medium", isolationResponse="powerOff"
        ),
    )
    collector, out = _collector()
    collector.record_object(_cluster(das))
    (cluster,) = out.records
    assert cluster == r.Cluster(
        id=f"{VC}:domain-c7",
        moref="domain-c7",
        name="Prod-A",
        standalone=False,
        parent=f"{VC}:group-h4",
        drs_enabled=True,
        drs_automation_level="fullyAutomated",
        drs_migration_threshold=3,
        ha_enabled=True,
        ha_host_monitoring="enabled",
        ha_vm_monitoring="vmMonitoringOnly",
        ha_admission_control_enabled=policy is not None,
        ha_admission_control_policy=name,
        ha_admission_control_detail=detail,
        ha_restart_priority="medium",
        ha_isolation_response="powerOff",
    )
    assert out.gaps == []


def test_per_vm_ha_override_with_isolation_and_monitoring() -> None:
    vm = vim.VirtualMachine("vm-31")
    config = vim.cluster.ConfigInfoEx(
        dasConfig=vim.cluster.DasConfigInfo(enabled=True),
        drsConfig=vim.cluster.DrsConfigInfo(enabled=False),
        dasVmConfig=[
            vim.cluster.DasVmConfigInfo(
                key=vm,
                dasSettings=vim.cluster.DasVmSettings(
                    restartPriority="disabled",
                    isolationResponse="shutdown",
                    vmToolsMonitoringSettings=vim.cluster.VmToolsMonitoringSettings(
                        vmMonitoring="vmAndAppMonitoring"
                    ),
                ),
            )
        ],
    )
    item = ObjectProps(
        vim.ClusterComputeResource("domain-c7"), {"name": "Prod-A", "configurationEx": config}
    )
    collector, out = _collector()
    collector.record_object(item)
    override = next(rec for rec in out.records if isinstance(rec, r.VmOverride))
    assert override == r.VmOverride(
        id=f"{VC}:domain-c7:ha:vm-31",
        override_type="ha",
        cluster=f"{VC}:domain-c7",
        vm=f"{VC}:vm-31",
        ha_restart_priority="disabled",
        ha_isolation_response="shutdown",
        ha_vm_monitoring="vmAndAppMonitoring",
    )


def test_no_permission_on_part_of_the_inventory_is_a_gap() -> None:
    item = ObjectProps(
        vim.VirtualMachine("vm-44"),
        {"name": "payroll-01", "parent": vim.Folder("group-v3")},
        missing=[("config.cpuAllocation", "NoPermission"), ("config.instanceUuid", "NoPermission")],
    )
    collector, out = _collector()
    collector.record_object(item)
    assert out.gaps == [
        ("VirtualMachine.config.cpuAllocation", "NoPermission", "vm-44"),
        ("VirtualMachine.config.instanceUuid", "NoPermission", "vm-44"),
    ]
    (vm,) = out.records  # collection continues with what could be read
    assert isinstance(vm, r.VirtualMachine) and vm.name == "payroll-01"
    assert vm.instance_uuid is None and vm.cpu_reservation is None


@pytest.mark.parametrize(
    ("vlan", "expected"),
    [
        (
            vim.dvs.VmwareDistributedVirtualSwitch.TrunkVlanSpec(
                vlanId=[vim.NumericRange(start=100, end=199), vim.NumericRange(start=300, end=300)]
            ),
            {"vlan_id": None, "vlan_trunk": ["100-199", "300-300"], "pvlan_id": None},
        ),
        (
            vim.dvs.VmwareDistributedVirtualSwitch.PvlanSpec(pvlanId=1001),
            {"vlan_id": None, "vlan_trunk": [], "pvlan_id": 1001},
        ),
        (
            vim.dvs.VmwareDistributedVirtualSwitch.VlanIdSpec(vlanId=0),
            {"vlan_id": 0, "vlan_trunk": [], "pvlan_id": None},
        ),
    ],
)
def test_distributed_port_group_vlan_kinds(vlan: Any, expected: dict[str, Any]) -> None:
    port = vim.dvs.VmwareDistributedVirtualSwitch.VmwarePortConfigPolicy(vlan=vlan)
    item = ObjectProps(
        vim.dvs.DistributedVirtualPortgroup("dvportgroup-5"),
        {
            "name": "pg",
            "parent": vim.Folder("group-n3"),
            "config.distributedVirtualSwitch": vim.DistributedVirtualSwitch("dvs-2"),
            "config.defaultPortConfig": port,
            "config.uplink": False,
        },
    )
    collector, out = _collector()
    collector.record_object(item)
    (network,) = out.records
    assert isinstance(network, r.Network) and network.network_type == "distributed"
    assert {k: getattr(network, k) for k in expected} == expected
    assert network.switch == f"{VC}:dvs-2"
