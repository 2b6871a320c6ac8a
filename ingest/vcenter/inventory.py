"""Map one PropertyCollector pass over a vCenter's inventory (plus roles, permissions) to records.

Entry point: :func:`collect_vcenter` streams every record into a sink; what happens to them
(a snapshot file, a load) is ``app.sync``'s business. :class:`InventoryMapper` maps one
retrieved object with the handler its managed-object type has in :data:`HANDLERS`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from pyVmomi import vim

from app.records import vcenter as r
from app.records.contract import GapSink, Sink
from ingest.vcenter.authorization import collect_authorization
from ingest.vcenter.clusters import cluster
from ingest.vcenter.ids import Ids, text
from ingest.vcenter.properties import ObjectProps, nic_macs, retrieve, retrieve_objects

log = logging.getLogger(__name__)

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
        "config.hardware.device",
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


def allocation(props: dict[str, Any]) -> dict[str, Any]:
    """CPU and memory reservation, limit, shares and expandability of a pool or a VM."""
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


Handler = Callable[["InventoryMapper", ObjectProps, str], None]


class InventoryMapper:
    """Turns retrieved objects into records, writing each to ``sink``."""

    def __init__(self, content: Any, sink: Sink, gap: GapSink) -> None:
        self.content = content
        self.sink = sink
        self.gap = gap
        self.ids = Ids(content.about.instanceUuid)
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
            collect_authorization(self.content, self.ids, self.sink)
        except vim.fault.NoPermission as exc:
            self.gap("Authorization", f"NoPermission: {getattr(exc, 'privilegeId', '')}", None)

    def record_object(self, item: ObjectProps) -> None:
        """Map one retrieved object with its type's handler (the most specific type in
        :data:`HANDLERS`); properties the server refused become gaps."""
        for path, fault in item.missing:
            kind = type(item.obj).__name__.rsplit(".", 1)[-1]
            self.gap(f"{kind}.{path}", fault, item.moref)
        handler = next((HANDLERS[t] for t in type(item.obj).__mro__ if t in HANDLERS), None)
        if handler is not None:
            handler(self, item, self.ids.of(item.obj) or "")

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

    # -- one handler per managed-object type -------------------------------------------------
    def datacenter(self, item: ObjectProps, oid: str) -> None:
        """A datacenter."""
        p = item.props
        self.sink(
            r.Datacenter(
                id=oid,
                moref=item.moref,
                name=p["name"],
                vcenter=self.ids.vc,
                parent=self.ids.of(p.get("parent")),
            )
        )

    def folder(self, item: ObjectProps, oid: str) -> None:
        """A folder (the root folder is recorded by :meth:`run`)."""
        if item.obj == self.content.rootFolder:
            return
        p = item.props
        self.sink(
            r.Folder(
                id=oid,
                moref=item.moref,
                name=p["name"],
                child_types=list(p.get("childType") or []),
                parent=self.ids.of(p.get("parent")),
            )
        )

    def compute_resource(self, item: ObjectProps, oid: str) -> None:
        """A cluster or a standalone host's compute resource."""
        cluster(item, oid, self.ids, self.sink)

    def host(self, item: ObjectProps, oid: str) -> None:
        """A host; its network system and option manager are kept for later passes."""
        p = item.props
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
                cluster=self.ids.of(p.get("parent")),
                connection_state=text(p.get("runtime.connectionState")),
                in_maintenance=p.get("runtime.inMaintenanceMode"),
                version=p.get("summary.config.product.version"),
            )
        )

    def resource_pool(self, item: ObjectProps, oid: str) -> None:
        """A resource pool or a vApp."""
        p = item.props
        self.sink(
            r.ResourcePool(
                id=oid,
                moref=item.moref,
                name=p["name"],
                is_vapp=isinstance(item.obj, vim.VirtualApp),
                parent=self.ids.of(p.get("parent")),
                cluster=self.ids.of(p.get("owner")),
                **allocation(p),
            )
        )

    def virtual_machine(self, item: ObjectProps, oid: str) -> None:
        """A VM (or template) with its custom attributes and placement."""
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
                power_state=text(p.get("runtime.powerState")),
                guest_os=p.get("config.guestId"),
                template=bool(p.get("config.template")),
                annotation=p.get("config.annotation") or None,
                custom_attributes=custom,
                folder=ids.of(p.get("parent")),
                host=ids.of(p.get("runtime.host")),
                resource_pool=ids.of(p.get("resourcePool") or p.get("parentVApp")),
                datastores=ids.many(p.get("datastore")),
                networks=ids.many(p.get("network")),
                mac_addresses=nic_macs(p.get("config.hardware.device")),
                **allocation(p),
            )
        )

    def storage_pod(self, item: ObjectProps, oid: str) -> None:
        """A datastore cluster with its Storage DRS settings."""
        p = item.props
        config = p.get("podStorageDrsEntry.storageDrsConfig.podConfig")
        self.sink(
            r.DatastoreCluster(
                id=oid,
                moref=item.moref,
                name=p["name"],
                parent=self.ids.of(p.get("parent")),
                sdrs_enabled=getattr(config, "enabled", None),
                sdrs_automation_level=text(getattr(config, "defaultVmBehavior", None)),
            )
        )

    def datastore(self, item: ObjectProps, oid: str) -> None:
        """A datastore."""
        p = item.props
        self.sink(
            r.Datastore(
                id=oid,
                moref=item.moref,
                name=p["name"],
                parent=self.ids.of(p.get("parent")),
                type=p.get("summary.type"),
                url=p.get("summary.url"),
                capacity=p.get("summary.capacity"),
            )
        )

    def virtual_switch(self, item: ObjectProps, oid: str) -> None:
        """A distributed virtual switch."""
        p = item.props
        self.sink(
            r.VirtualSwitch(
                id=oid,
                moref=item.moref,
                name=p["name"],
                uuid=p.get("uuid"),
                parent=self.ids.of(p.get("parent")),
            )
        )

    def distributed_portgroup(self, item: ObjectProps, oid: str) -> None:
        """A distributed port group with its VLAN, trunk or private VLAN."""
        p = item.props
        vlan_id, trunk, pvlan = None, [], None
        vlan = getattr(p.get("config.defaultPortConfig"), "vlan", None)
        if isinstance(vlan, vim.dvs.VmwareDistributedVirtualSwitch.TrunkVlanSpec):
            trunk = [f"{rng.start}-{rng.end}" for rng in vlan.vlanId or []]
        elif isinstance(vlan, vim.dvs.VmwareDistributedVirtualSwitch.PvlanSpec):
            pvlan = vlan.pvlanId
        elif isinstance(vlan, vim.dvs.VmwareDistributedVirtualSwitch.VlanIdSpec):
            vlan_id = vlan.vlanId
        self.sink(
            r.Network(
                id=oid,
                moref=item.moref,
                name=p["name"],
                network_type="uplink" if p.get("config.uplink") else "distributed",
                vlan_id=vlan_id,
                vlan_trunk=trunk,
                pvlan_id=pvlan,
                switch=self.ids.of(p.get("config.distributedVirtualSwitch")),
                parent=self.ids.of(p.get("parent")),
            )
        )

    def network(self, item: ObjectProps, oid: str) -> None:
        """A standard (VLAN known per host: recorded after the hosts) or opaque network."""
        p = item.props
        kind = "opaque" if isinstance(item.obj, vim.OpaqueNetwork) else "standard"
        network = r.Network(
            id=oid,
            moref=item.moref,
            name=p["name"],
            network_type=kind,
            parent=self.ids.of(p.get("parent")),
        )
        if kind == "standard":
            self.standard_networks.append(network)
        else:
            self.sink(network)


HANDLERS: dict[type, Handler] = {
    vim.Datacenter: InventoryMapper.datacenter,
    vim.Folder: InventoryMapper.folder,
    vim.StoragePod: InventoryMapper.storage_pod,
    vim.ComputeResource: InventoryMapper.compute_resource,
    vim.HostSystem: InventoryMapper.host,
    vim.ResourcePool: InventoryMapper.resource_pool,
    vim.VirtualMachine: InventoryMapper.virtual_machine,
    vim.Datastore: InventoryMapper.datastore,
    vim.DistributedVirtualSwitch: InventoryMapper.virtual_switch,
    vim.dvs.DistributedVirtualPortgroup: InventoryMapper.distributed_portgroup,
    vim.Network: InventoryMapper.network,
}
"""The handler per managed-object type; an object goes to the handler of the most specific
type it is an instance of (a StoragePod is a Folder, a vApp a ResourcePool)."""


def collect_vcenter(
    service_instance: Any,
    sink: Sink,
    gap: GapSink,
    host_options: dict[str, tuple[str, Any]] | None = None,
) -> r.VCenter:
    """Collect one vCenter's inventory and authorization into ``sink``; report unreadable
    parts to ``gap``. Returns the vCenter record (its identity names the snapshot).
    ``host_options``, if given, receives each host's id -> (name, advanced-option manager)
    seen in the same pass."""
    content = service_instance.RetrieveContent()
    mapper = InventoryMapper(content, sink, gap)
    mapper.run()
    if host_options is not None:
        host_options.update(mapper.host_options)
    about = content.about
    return r.VCenter(
        id=about.instanceUuid,
        name=about.name or about.fullName,
        instance_uuid=about.instanceUuid,
        version=about.version,
        build=about.build,
        api_version=about.apiVersion,
    )
