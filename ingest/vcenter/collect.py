"""Map one PropertyCollector pass (plus roles and permissions) to vCenter records.

Entry point: :func:`collect_vcenter` writes every record into a snapshot writer; the caller
decides whether the snapshot is then loaded (``authmap ingest``) or carried away
(``authmap collect``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from pyVmomi import vim

from app.records import Record
from app.records import vcenter as r
from ingest.vcenter.properties import ObjectProps, retrieve, retrieve_objects

log = logging.getLogger(__name__)

Sink = Callable[[Record], None]
GapSink = Callable[[str, str, str | None], None]

PATHS: dict[type, list[str]] = {
    vim.Datacenter: ["name", "parent"],
    vim.Folder: ["name", "parent", "childType"],
    vim.ComputeResource: ["name", "parent"],
    vim.ClusterComputeResource: ["configurationEx"],
    vim.HostSystem: [
        "name",
        "parent",
        "runtime.connectionState",
        "runtime.inMaintenanceMode",
        "summary.config.product.version",
        "configManager.networkSystem",
        "configManager.advancedOption",
    ],
    vim.ResourcePool: [
        "name",
        "parent",
        "owner",
        "config.cpuAllocation",
        "config.memoryAllocation",
    ],
    vim.VirtualMachine: [
        "name",
        "parent",
        "parentVApp",
        "config.instanceUuid",
        "config.uuid",
        "config.template",
        "config.guestId",
        "config.annotation",
        "runtime.powerState",
        "runtime.host",
        "resourcePool",
        "datastore",
        "network",
        "config.cpuAllocation",
        "config.memoryAllocation",
        "customValue",
    ],
    vim.Datastore: ["name", "parent", "summary.type", "summary.url", "summary.capacity"],
    vim.StoragePod: ["name", "parent", "podStorageDrsEntry.storageDrsConfig.podConfig"],
    vim.Network: ["name", "parent"],
    vim.dvs.DistributedVirtualPortgroup: [
        "config.distributedVirtualSwitch",
        "config.defaultPortConfig",
        "config.uplink",
    ],
    vim.DistributedVirtualSwitch: ["name", "parent", "uuid"],
}
"""The property set per type: nothing else is read from the inventory."""


class Ids:
    """Record ids of one vCenter: ``<instanceUuid>:<moref>``."""

    def __init__(self, instance_uuid: str) -> None:
        self.vc = instance_uuid

    def of(self, obj: Any) -> str | None:
        """The id of a managed object reference (``None`` for ``None``)."""
        return f"{self.vc}:{obj._moId}" if obj is not None else None

    def many(self, objs: Iterable[Any] | None) -> list[str]:
        """Ids of several references."""
        return [f"{self.vc}:{o._moId}" for o in objs or []]


def _allocation(props: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for prefix, path in (("cpu", "config.cpuAllocation"), ("mem", "config.memoryAllocation")):
        alloc = props.get(path)
        if alloc is None:
            continue
        shares = getattr(alloc, "shares", None)
        fields[f"{prefix}_reservation"] = getattr(alloc, "reservation", None)
        fields[f"{prefix}_limit"] = getattr(alloc, "limit", None)
        fields[f"{prefix}_shares_level"] = str(shares.level) if shares is not None else None
        fields[f"{prefix}_shares"] = getattr(shares, "shares", None) if shares else None
        fields[f"{prefix}_expandable"] = getattr(alloc, "expandableReservation", None)
    return fields


def _admission_policy(policy: Any) -> tuple[str | None, dict[str, Any]]:
    if policy is None:
        return None, {}
    if isinstance(policy, vim.cluster.FailoverResourcesAdmissionControlPolicy):
        return "resources_percent", {
            "cpu_percent": policy.cpuFailoverResourcesPercent,
            "memory_percent": policy.memoryFailoverResourcesPercent,
            "failover_level": policy.failoverLevel,
            "auto_compute": policy.autoComputePercentages,
        }
    if isinstance(policy, vim.cluster.FailoverLevelAdmissionControlPolicy):
        slot = policy.slotPolicy
        detail: dict[str, Any] = {"failover_level": policy.failoverLevel}
        if isinstance(slot, vim.cluster.FixedSizeSlotPolicy):
            detail.update(slot_cpu_mhz=slot.cpu, slot_memory_mb=slot.memory)
        return "slot_failover_level", detail
    if isinstance(policy, vim.cluster.FailoverHostAdmissionControlPolicy):
        hosts = ",".join(h._moId for h in policy.failoverHosts or [])
        return "dedicated_failover_hosts", {"hosts": hosts, "failover_level": policy.failoverLevel}
    return type(policy).__name__, {}


def _str(value: Any) -> str | None:
    return str(value) if value is not None else None


class Collector:
    """Turns retrieved objects into records, writing each to ``sink``."""

    def __init__(self, content: Any, sink: Sink, gap: GapSink) -> None:
        self.content = content
        self.sink = sink
        self.gap = gap
        about = content.about
        self.ids = Ids(about.instanceUuid)
        self.network_systems: list[Any] = []
        self.host_options: dict[str, tuple[str, Any]] = {}
        """Host id -> (host name, its advanced-option manager), for the syslog routes."""
        self.standard_networks: list[r.Network] = []
        self.custom_fields = (
            {f.key: f.name for f in content.customFieldsManager.field or []}
            if content.customFieldsManager
            else {}
        )

    def run(self) -> None:
        """Collect everything."""
        about = self.content.about
        self.sink(
            r.VCenter(
                id=self.ids.vc,
                name=about.name or about.fullName,
                instance_uuid=about.instanceUuid,
                version=about.version,
                build=about.build,
                api_version=about.apiVersion,
            )
        )
        self.sink(
            r.Folder(
                id=self.ids.of(self.content.rootFolder) or "",
                moref=self.content.rootFolder._moId,
                name="Datacenters",
                child_types=["Datacenter", "Folder"],
            )
        )
        for item in retrieve(self.content, PATHS):
            self.record_object(item)
        self._standard_networks()
        try:
            self._authorization()
        except vim.fault.NoPermission as exc:
            self.gap("Authorization", f"NoPermission: {getattr(exc, 'privilegeId', '')}", None)

    def record_object(self, item: ObjectProps) -> None:
        """Map one retrieved object; properties the server refused become gaps."""
        for path, fault in item.missing:
            kind = type(item.obj).__name__.rsplit(".", 1)[-1]
            self.gap(f"{kind}.{path}", fault, item.moref)
        self._object(item)

    def _standard_networks(self) -> None:
        """Standard port groups: VLAN ids from the hosts' network systems (one batched call).
        Hosts disagreeing on a port group's VLAN leave it unset, with a warning."""
        vlans: dict[str, set[int]] = {}
        for item in retrieve_objects(
            self.content, self.network_systems, vim.host.NetworkSystem, ["networkInfo.portgroup"]
        ):
            for path, fault in item.missing:
                self.gap(f"HostNetworkSystem.{path}", fault, item.moref)
            for group in item.props.get("networkInfo.portgroup") or []:
                spec = group.spec
                vlans.setdefault(spec.name, set()).add(int(spec.vlanId))
        for network in self.standard_networks:
            found = vlans.get(network.name, set())
            if len(found) > 1:
                log.warning(
                    "port group %s has different VLANs on different hosts: %s",
                    network.name,
                    sorted(found),
                )
            vlan = next(iter(found)) if len(found) == 1 else None
            self.sink(network.model_copy(update={"vlan_id": vlan}))

    # -- inventory -------------------------------------------------------------------------
    def _object(self, item: ObjectProps) -> None:
        obj, p, ids = item.obj, item.props, self.ids
        oid = ids.of(obj) or ""
        if isinstance(obj, vim.Datacenter):
            self.sink(
                r.Datacenter(
                    id=oid,
                    moref=item.moref,
                    name=p["name"],
                    vcenter=ids.vc,
                    parent=ids.of(p.get("parent")),
                )
            )
        elif isinstance(obj, vim.Folder):
            if obj == self.content.rootFolder:
                return
            self.sink(
                r.Folder(
                    id=oid,
                    moref=item.moref,
                    name=p["name"],
                    child_types=list(p.get("childType") or []),
                    parent=ids.of(p.get("parent")),
                )
            )
        elif isinstance(obj, vim.ComputeResource):
            self._cluster(item, oid)
        elif isinstance(obj, vim.HostSystem):
            network_system = p.get("configManager.networkSystem")
            if network_system is not None:
                self.network_systems.append(network_system)
            option_manager = p.get("configManager.advancedOption")
            if option_manager is not None:
                self.host_options[oid] = (p["name"], option_manager)
            self.sink(
                r.Host(
                    id=oid,
                    moref=item.moref,
                    name=p["name"],
                    cluster=ids.of(p.get("parent")),
                    connection_state=_str(p.get("runtime.connectionState")),
                    in_maintenance=p.get("runtime.inMaintenanceMode"),
                    version=p.get("summary.config.product.version"),
                )
            )
        elif isinstance(obj, vim.ResourcePool):
            owner = p.get("owner")
            parent = p.get("parent")
            self.sink(
                r.ResourcePool(
                    id=oid,
                    moref=item.moref,
                    name=p["name"],
                    is_vapp=isinstance(obj, vim.VirtualApp),
                    parent=ids.of(parent),
                    cluster=ids.of(owner),
                    **_allocation(p),
                )
            )
        elif isinstance(obj, vim.VirtualMachine):
            self._vm(item, oid)
        elif isinstance(obj, vim.StoragePod):
            config = p.get("podStorageDrsEntry.storageDrsConfig.podConfig")
            self.sink(
                r.DatastoreCluster(
                    id=oid,
                    moref=item.moref,
                    name=p["name"],
                    parent=ids.of(p.get("parent")),
                    sdrs_enabled=getattr(config, "enabled", None),
                    sdrs_automation_level=_str(getattr(config, "defaultVmBehavior", None)),
                )
            )
        elif isinstance(obj, vim.Datastore):
            self.sink(
                r.Datastore(
                    id=oid,
                    moref=item.moref,
                    name=p["name"],
                    parent=ids.of(p.get("parent")),
                    type=p.get("summary.type"),
                    url=p.get("summary.url"),
                    capacity=p.get("summary.capacity"),
                )
            )
        elif isinstance(obj, vim.DistributedVirtualSwitch):
            self.sink(
                r.VirtualSwitch(
                    id=oid,
                    moref=item.moref,
                    name=p["name"],
                    uuid=p.get("uuid"),
                    parent=ids.of(p.get("parent")),
                )
            )
        elif isinstance(obj, vim.Network):
            self._network(item, oid)

    def _vm(self, item: ObjectProps, oid: str) -> None:
        p, ids = item.props, self.ids
        custom = {
            self.custom_fields.get(v.key, str(v.key)): str(getattr(v, "value", ""))
            for v in p.get("customValue") or []
        }
        self.sink(
            r.VirtualMachine(
                id=oid,
                moref=item.moref,
                name=p["name"],
                instance_uuid=p.get("config.instanceUuid"),
                bios_uuid=p.get("config.uuid"),
                power_state=_str(p.get("runtime.powerState")),
                guest_os=p.get("config.guestId"),
                template=bool(p.get("config.template")),
                annotation=p.get("config.annotation") or None,
                custom_attributes=custom,
                folder=ids.of(p.get("parent")),
                host=ids.of(p.get("runtime.host")),
                resource_pool=ids.of(p.get("resourcePool") or p.get("parentVApp")),
                datastores=ids.many(p.get("datastore")),
                networks=ids.many(p.get("network")),
                **_allocation(p),
            )
        )

    def _network(self, item: ObjectProps, oid: str) -> None:
        p, obj = item.props, item.obj
        parent = self.ids.of(p.get("parent"))
        if isinstance(obj, vim.dvs.DistributedVirtualPortgroup):
            vlan_id, trunk, pvlan = None, [], None
            port = p.get("config.defaultPortConfig")
            vlan = getattr(port, "vlan", None)
            if isinstance(vlan, vim.dvs.VmwareDistributedVirtualSwitch.TrunkVlanSpec):
                trunk = [f"{rng.start}-{rng.end}" for rng in vlan.vlanId or []]
            elif isinstance(vlan, vim.dvs.VmwareDistributedVirtualSwitch.PvlanSpec):
                pvlan = vlan.pvlanId
            elif isinstance(vlan, vim.dvs.VmwareDistributedVirtualSwitch.VlanIdSpec):
                vlan_id = vlan.vlanId
            uplink = bool(p.get("config.uplink"))
            self.sink(
                r.Network(
                    id=oid,
                    moref=item.moref,
                    name=p["name"],
                    network_type="uplink" if uplink else "distributed",
                    vlan_id=vlan_id,
                    vlan_trunk=trunk,
                    pvlan_id=pvlan,
                    switch=self.ids.of(p.get("config.distributedVirtualSwitch")),
                    parent=parent,
                )
            )
        else:
            kind = "opaque" if isinstance(obj, vim.OpaqueNetwork) else "standard"
            network = r.Network(
                id=oid, moref=item.moref, name=p["name"], network_type=kind, parent=parent
            )
            if kind == "standard":  # its VLAN is known per host: emitted after the hosts
                self.standard_networks.append(network)
            else:
                self.sink(network)

    # -- clusters: DRS, HA, rules, groups, overrides ---------------------------------------
    def _cluster(self, item: ObjectProps, oid: str) -> None:
        p, ids = item.props, self.ids
        config = p.get("configurationEx")
        is_cluster = isinstance(item.obj, vim.ClusterComputeResource)
        fields: dict[str, Any] = {}
        if is_cluster and config is not None:
            drs, das = config.drsConfig, config.dasConfig
            policy, detail = _admission_policy(getattr(das, "admissionControlPolicy", None))
            defaults = getattr(das, "defaultVmSettings", None)
            fields = {
                "drs_enabled": getattr(drs, "enabled", None),
                "drs_automation_level": _str(getattr(drs, "defaultVmBehavior", None)),
                "drs_migration_threshold": getattr(drs, "vmotionRate", None),
                "ha_enabled": getattr(das, "enabled", None),
                "ha_host_monitoring": getattr(das, "hostMonitoring", None),
                "ha_vm_monitoring": getattr(das, "vmMonitoring", None),
                "ha_admission_control_enabled": getattr(das, "admissionControlEnabled", None),
                "ha_admission_control_policy": policy,
                "ha_admission_control_detail": detail,
                "ha_restart_priority": getattr(defaults, "restartPriority", None),
                "ha_isolation_response": getattr(defaults, "isolationResponse", None),
            }
        self.sink(
            r.Cluster(
                id=oid,
                moref=item.moref,
                name=p["name"],
                standalone=not is_cluster,
                parent=ids.of(p.get("parent")),
                **fields,
            )
        )
        if is_cluster and config is not None:
            self._cluster_rules(oid, config)

    def _cluster_rules(self, cid: str, config: Any) -> None:
        ids = self.ids
        for group in config.group or []:
            is_vm = isinstance(group, vim.cluster.VmGroup)
            self.sink(
                r.ClusterGroup(
                    id=f"{cid}:group:{group.name}",
                    name=group.name,
                    group_type="vm" if is_vm else "host",
                    cluster=cid,
                    vms=ids.many(getattr(group, "vm", None)) if is_vm else [],
                    hosts=[] if is_vm else ids.many(getattr(group, "host", None)),
                )
            )
        for rule in config.rule or []:
            fields: dict[str, Any] = {}
            if isinstance(rule, vim.cluster.AffinityRuleSpec):
                fields = {"rule_type": "vm_affinity", "vms": ids.many(rule.vm)}
            elif isinstance(rule, vim.cluster.AntiAffinityRuleSpec):
                fields = {"rule_type": "vm_anti_affinity", "vms": ids.many(rule.vm)}
            elif isinstance(rule, vim.cluster.VmHostRuleInfo):
                group_id = f"{cid}:group:"
                fields = {
                    "rule_type": "vm_host",
                    "vm_group": group_id + rule.vmGroupName if rule.vmGroupName else None,
                    "affine_host_group": group_id + rule.affineHostGroupName
                    if rule.affineHostGroupName
                    else None,
                    "anti_affine_host_group": group_id + rule.antiAffineHostGroupName
                    if rule.antiAffineHostGroupName
                    else None,
                }
            elif isinstance(rule, vim.cluster.DependencyRuleInfo):
                fields = {"rule_type": "dependency"}
            else:
                fields = {"rule_type": "other"}
            self.sink(
                r.DrsRule(
                    id=f"{cid}:rule:{rule.key}",
                    key=rule.key,
                    name=rule.name,
                    enabled=bool(rule.enabled),
                    mandatory=bool(rule.mandatory),
                    cluster=cid,
                    **fields,
                )
            )
        for drs_vm in config.drsVmConfig or []:
            vm = ids.of(drs_vm.key) or ""
            self.sink(
                r.VmOverride(
                    id=f"{cid}:drs:{drs_vm.key._moId}",
                    override_type="drs",
                    cluster=cid,
                    vm=vm,
                    drs_enabled=drs_vm.enabled,
                    drs_automation_level=_str(drs_vm.behavior),
                )
            )
        for das_vm in config.dasVmConfig or []:
            vm = ids.of(das_vm.key) or ""
            settings = das_vm.dasSettings
            tools = getattr(settings, "vmToolsMonitoringSettings", None)
            self.sink(
                r.VmOverride(
                    id=f"{cid}:ha:{das_vm.key._moId}",
                    override_type="ha",
                    cluster=cid,
                    vm=vm,
                    ha_restart_priority=getattr(settings, "restartPriority", None)
                    or _str(getattr(das_vm, "restartPriority", None)),
                    ha_isolation_response=getattr(settings, "isolationResponse", None)
                    or _str(getattr(das_vm, "powerOffOnIsolation", None)),
                    ha_vm_monitoring=getattr(tools, "vmMonitoring", None),
                )
            )

    # -- authorization ---------------------------------------------------------------------
    def _authorization(self) -> None:
        manager = self.content.authorizationManager
        vc = self.ids.vc
        roles = manager.roleList or []
        catalogue: dict[str, tuple[str, str | None, bool | None]] = {}
        for priv in manager.privilegeList or []:
            catalogue[priv.privId] = (priv.name, priv.privGroupName, priv.onParent)
        for role in roles:
            for priv_id in role.privilege or []:
                if priv_id not in catalogue:  # vcsim leaves privilegeList empty
                    group, _, name = priv_id.rpartition(".")
                    catalogue[priv_id] = (name, group or None, None)
        for priv_id, (name, group, on_parent) in sorted(catalogue.items()):
            self.sink(
                r.Privilege(
                    id=f"{vc}:priv:{priv_id}",
                    privilege_id=priv_id,
                    name=name,
                    group=group,
                    on_parent=on_parent,
                )
            )
        for role in roles:
            info = role.info
            self.sink(
                r.Role(
                    id=f"{vc}:role:{role.roleId}",
                    role_id=role.roleId,
                    name=role.name,
                    system=bool(role.system),
                    label=getattr(info, "label", None),
                    privileges=[f"{vc}:priv:{p}" for p in sorted(role.privilege or [])],
                )
            )
        skipped = 0
        seen: set[str] = set()
        for perm in manager.RetrieveAllPermissions() or []:
            if perm.entity is None:
                skipped += 1
                continue
            entity = self.ids.of(perm.entity) or ""
            kind = "group" if perm.group else "user"
            pid = f"{entity}:perm:{kind}:{perm.principal}"
            if pid in seen:  # one permission per principal and entity; keep the first
                log.warning(
                    "duplicate permission for %s %s on %s ignored",
                    kind,
                    perm.principal,
                    perm.entity._moId,
                )
                continue
            seen.add(pid)
            self.sink(
                r.Permission(
                    id=pid,
                    principal=perm.principal,
                    is_group=bool(perm.group),
                    role_id=perm.roleId,
                    propagate=bool(perm.propagate),
                    entity=entity,
                    role=f"{vc}:role:{perm.roleId}",
                )
            )
        if skipped:
            log.warning("%d permission(s) without an entity were skipped", skipped)


def collect_vcenter(
    service_instance: Any,
    sink: Sink,
    gap: GapSink,
    host_options: dict[str, tuple[str, Any]] | None = None,
) -> r.VCenter:
    """Collect one vCenter into ``sink``; report unreadable parts to ``gap``. Returns the
    vCenter record (its identity names the snapshot). ``host_options``, if given, receives
    each host's id -> (name, advanced-option manager) seen in the same pass."""
    content = service_instance.RetrieveContent()
    collector = Collector(content, sink, gap)
    collector.run()
    if host_options is not None:
        host_options.update(collector.host_options)
    about = content.about
    return r.VCenter(
        id=about.instanceUuid,
        name=about.name or about.fullName,
        instance_uuid=about.instanceUuid,
        version=about.version,
        build=about.build,
        api_version=about.apiVersion,
    )
