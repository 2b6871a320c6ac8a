"""Records collected from a vCenter (pyVmomi, SPBM, vAPI tagging).

Ids are ``<vCenter instanceUuid>:<managed object id>`` for managed objects, and built from the
owning object's id plus the source's own key for everything else (rules, permissions, roles),
so re-ingests re-attach to the same nodes and several vCenters coexist. Fields that reference
another record hold that record's id.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.records.base import Record


class VCenterRecord(Record):
    """Base of every vCenter record."""

    source_kind: ClassVar[str] = "vcenter"


class Allocation(VCenterRecord):
    """Shared capacity fields (reservation, limit, shares) of pools and VMs; -1 = unlimited."""

    kind: str
    cpu_reservation: int | None = None
    cpu_limit: int | None = None
    cpu_shares_level: str | None = None
    cpu_shares: int | None = None
    cpu_expandable: bool | None = None
    mem_reservation: int | None = None
    mem_limit: int | None = None
    mem_shares_level: str | None = None
    mem_shares: int | None = None
    mem_expandable: bool | None = None


class VCenter(VCenterRecord):
    """The vCenter itself (``ServiceContent.about``)."""

    kind: Literal["VCenter"] = "VCenter"
    name: str
    instance_uuid: str
    version: str | None = None
    build: str | None = None
    api_version: str | None = None


class Datacenter(VCenterRecord):
    """A datacenter."""

    kind: Literal["Datacenter"] = "Datacenter"
    moref: str
    name: str
    vcenter: str
    parent: str | None = None


class Folder(VCenterRecord):
    """A folder of any type, with its parent (folder or datacenter)."""

    kind: Literal["Folder"] = "Folder"
    moref: str
    name: str
    child_types: list[str] = Field(default_factory=list)
    parent: str | None = None


class Cluster(VCenterRecord):
    """A cluster (``ClusterComputeResource``) or a standalone host's ``ComputeResource``,
    with its DRS and HA (das) configuration."""

    kind: Literal["Cluster"] = "Cluster"
    moref: str
    name: str
    standalone: bool = False
    parent: str | None = None
    drs_enabled: bool | None = None
    drs_automation_level: str | None = None
    drs_migration_threshold: int | None = None
    ha_enabled: bool | None = None
    ha_host_monitoring: str | None = None
    ha_vm_monitoring: str | None = None
    ha_admission_control_enabled: bool | None = None
    ha_admission_control_policy: str | None = None
    ha_admission_control_detail: dict[str, str | int | float | bool | None] = Field(
        default_factory=dict
    )
    ha_restart_priority: str | None = None
    ha_isolation_response: str | None = None


class Host(VCenterRecord):
    """An ESXi host."""

    kind: Literal["Host"] = "Host"
    moref: str
    name: str
    cluster: str | None = None
    connection_state: str | None = None
    in_maintenance: bool | None = None
    version: str | None = None


class ResourcePool(Allocation):
    """A resource pool or vApp, with its allocation."""

    kind: Literal["ResourcePool"] = "ResourcePool"
    moref: str
    name: str
    is_vapp: bool = False
    parent: str | None = None
    cluster: str | None = None


class VirtualMachine(Allocation):
    """A virtual machine (templates included, flagged), with where it runs and its allocation."""

    kind: Literal["VirtualMachine"] = "VirtualMachine"
    moref: str
    name: str
    instance_uuid: str | None = None
    bios_uuid: str | None = None
    power_state: str | None = None
    guest_os: str | None = None
    template: bool = False
    annotation: str | None = None
    custom_attributes: dict[str, str] = Field(default_factory=dict)
    folder: str | None = None
    host: str | None = None
    resource_pool: str | None = None
    datastores: list[str] = Field(default_factory=list)
    networks: list[str] = Field(default_factory=list)
    mac_addresses: list[str] = Field(default_factory=list)
    """MAC addresses of the VM's virtual NICs (lower case): parity maps VMs by them."""


class Datastore(VCenterRecord):
    """A datastore."""

    kind: Literal["Datastore"] = "Datastore"
    moref: str
    name: str
    type: str | None = None
    url: str | None = None
    capacity: int | None = None
    parent: str | None = None


class DatastoreCluster(VCenterRecord):
    """A datastore cluster (``StoragePod``)."""

    kind: Literal["DatastoreCluster"] = "DatastoreCluster"
    moref: str
    name: str
    sdrs_enabled: bool | None = None
    sdrs_automation_level: str | None = None
    parent: str | None = None


class ClusterGroup(VCenterRecord):
    """A DRS VM group or host group of a cluster."""

    kind: Literal["ClusterGroup"] = "ClusterGroup"
    name: str
    group_type: Literal["vm", "host"]
    cluster: str
    vms: list[str] = Field(default_factory=list)
    hosts: list[str] = Field(default_factory=list)


class DrsRule(VCenterRecord):
    """A DRS rule: VM-VM affinity / anti-affinity, or VM-host (must/should, affine/anti)."""

    kind: Literal["DrsRule"] = "DrsRule"
    key: int
    name: str
    rule_type: Literal["vm_affinity", "vm_anti_affinity", "vm_host", "dependency", "other"]
    enabled: bool = True
    mandatory: bool = False
    cluster: str
    vms: list[str] = Field(default_factory=list)
    vm_group: str | None = None
    affine_host_group: str | None = None
    anti_affine_host_group: str | None = None


class VmOverride(VCenterRecord):
    """A per-VM DRS automation or HA restart/isolation override in a cluster."""

    kind: Literal["VmOverride"] = "VmOverride"
    override_type: Literal["drs", "ha"]
    cluster: str
    vm: str
    drs_enabled: bool | None = None
    drs_automation_level: str | None = None
    ha_restart_priority: str | None = None
    ha_isolation_response: str | None = None
    ha_vm_monitoring: str | None = None


class Role(VCenterRecord):
    """A vCenter role (system roles have negative ids)."""

    kind: Literal["Role"] = "Role"
    role_id: int
    name: str
    system: bool = False
    label: str | None = None
    privileges: list[str] = Field(default_factory=list)


class Privilege(VCenterRecord):
    """One privilege of the catalogue (derived from roles where ``privilegeList`` is empty)."""

    kind: Literal["Privilege"] = "Privilege"
    privilege_id: str
    name: str
    group: str | None = None
    on_parent: bool | None = None


class Permission(VCenterRecord):
    """A permission: principal + role on an entity, propagating or not."""

    kind: Literal["Permission"] = "Permission"
    principal: str
    is_group: bool
    role_id: int
    propagate: bool
    entity: str
    role: str


class Network(VCenterRecord):
    """A network: standard port group (``Network``), distributed port group, or opaque."""

    kind: Literal["Network"] = "Network"
    moref: str
    name: str
    network_type: Literal["standard", "distributed", "opaque", "uplink"]
    vlan_id: int | None = None
    vlan_trunk: list[str] = Field(default_factory=list)
    pvlan_id: int | None = None
    switch: str | None = None
    parent: str | None = None


class VirtualSwitch(VCenterRecord):
    """A distributed switch (standard switches are per host and not collected as nodes)."""

    kind: Literal["VirtualSwitch"] = "VirtualSwitch"
    moref: str
    name: str
    uuid: str | None = None
    parent: str | None = None


class StoragePolicy(VCenterRecord):
    """An SPBM storage policy (profile) with a summary of its rule sets."""

    kind: Literal["StoragePolicy"] = "StoragePolicy"
    profile_id: str
    name: str
    description: str | None = None
    resource_type: str | None = None
    rules: list[str] = Field(default_factory=list)


class StoragePolicyAssociation(VCenterRecord):
    """A VM home or virtual disk governed by a storage policy."""

    kind: Literal["StoragePolicyAssociation"] = "StoragePolicyAssociation"
    object_type: Literal["vm_home", "disk"]
    disk_key: int | None = None
    vm: str
    policy: str


class TagCategory(VCenterRecord):
    """A tag category."""

    kind: Literal["TagCategory"] = "TagCategory"
    category_id: str
    name: str
    description: str | None = None
    cardinality: str | None = None
    associable_types: list[str] = Field(default_factory=list)


class Tag(VCenterRecord):
    """A tag, the objects it is attached to, and its category."""

    kind: Literal["Tag"] = "Tag"
    tag_id: str
    name: str
    description: str | None = None
    category: str
    attached_to: list[str] = Field(default_factory=list)


class AlarmTrigger(BaseModel):
    """One condition of an alarm (nested in :class:`Alarm`, not a node of its own).

    ``metric``: a performance counter (``cpu.usage.average``) compared with ``operator``
    (``isAbove``, ``isBelow``) against the ``yellow`` and ``red`` thresholds, in the counter's
    ``unit`` (``percent`` thresholds are hundredths of a percent: 8500 = 85%). ``state``: a
    property path (``runtime.powerState``) compared (``isEqual``, ``isUnequal``) with the
    ``yellow`` and ``red`` values. ``event``: an event type (or an ``EventEx`` id) that sets
    ``status`` (empty: the event's own severity decides).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    trigger_type: Literal["metric", "state", "event", "other"]
    object_type: str | None = None
    metric: str | None = None
    unit: str | None = None
    operator: str | None = None
    state_path: str | None = None
    event_type: str | None = None
    status: str | None = None
    yellow: int | str | None = None
    red: int | str | None = None


class AlarmNotification(BaseModel):
    """One action of an alarm (nested in :class:`Alarm`): whom or what it tells, and on which
    status transitions (``yellow>red``), each possibly repeating every ``action_frequency``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    action_type: Literal["email", "snmp", "script", "method", "task", "other"]
    recipients: list[str] = Field(default_factory=list)
    subject: str | None = None
    script: str | None = None
    method: str | None = None
    transitions: list[str] = Field(default_factory=list)
    repeats: bool = False


class Alarm(VCenterRecord):
    """An alarm definition: the entity it is defined on (it covers everything below it),
    what it treats as trouble (triggers, any of which fires it unless ``all_triggers``) and
    whom it tells (actions). ``trigger_texts`` and ``action_texts`` are one line per trigger
    and action, for people and for the derived decision; ``watches`` are the graph labels of
    the objects its triggers watch. Predefined alarms carry a ``system_name``."""

    kind: Literal["Alarm"] = "Alarm"
    moref: str
    name: str
    system_name: str | None = None
    description: str | None = None
    enabled: bool = True
    entity: str
    watches: list[str] = Field(default_factory=list)
    all_triggers: bool = False
    triggers: list[AlarmTrigger] = Field(default_factory=list)
    actions: list[AlarmNotification] = Field(default_factory=list)
    trigger_texts: list[str] = Field(default_factory=list)
    action_texts: list[str] = Field(default_factory=list)
    email_recipients: list[str] = Field(default_factory=list)
    snmp_trap: bool = False
    scripts: list[str] = Field(default_factory=list)
    action_frequency: int | None = None
    reporting_frequency: int | None = None
    tolerance_range: int | None = None
    last_modified_by: str | None = None
    last_modified_at: str | None = None


class NotificationRoute(VCenterRecord):
    """Where vCenter's and the hosts' events and logs go: the vCenter SMTP server alarm
    e-mail leaves through (``smtp``), each SNMP receiver traps go to (``snmp``), each host's
    remote syslog targets (``syslog``), and how long vCenter keeps events and tasks
    (``retention``; days, ``None`` = kept forever). ``options`` are the advanced options it
    was read from (SNMP community strings are never kept)."""

    kind: Literal["NotificationRoute"] = "NotificationRoute"
    route_type: Literal["smtp", "snmp", "syslog", "retention"]
    name: str
    vcenter: str | None = None
    host: str | None = None
    targets: list[str] = Field(default_factory=list)
    sender: str | None = None
    enabled: bool = True
    event_retention_days: int | None = None
    task_retention_days: int | None = None
    options: dict[str, str] = Field(default_factory=dict)
