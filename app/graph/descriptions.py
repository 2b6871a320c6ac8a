"""A short description of every label and property of the graph model (``app/graph/model.py``),
for the generated reference in ``docs/graph-model.md``. A test fails when a declared label or
property has none: describe new ones here (or give the node type a ``description``)."""

from __future__ import annotations

from app.graph.descriptions_kubernetes import K8S_PROPERTY_DOCS
from app.graph.descriptions_proxmox import PVE_PROPERTY_DOCS
from app.graph.model import NODE_TYPES, NodeType

PROPERTY_DOCS: dict[str, str] = {
    # shared by many labels
    "moref": "vCenter managed object id (``vm-42``, ``group-d1``).",
    "name": "The name the source shows.",
    "description": "The source's free-text description.",
    "enabled": "Whether the object is enabled.",
    "version": "Product version.",
    "type": "Datastore type (VMFS, NFS, vsan, ...).",
    "key": "The source's own key of the object.",
    "label": "Display label.",
    # vCenter
    "instance_uuid": "vCenter or VM instance UUID.",
    "build": "Product build number.",
    "api_version": "vSphere API version.",
    "child_types": "Object types the folder may hold.",
    "standalone": "A standalone host's compute resource, not a cluster.",
    "drs_enabled": "DRS on (cluster) or overridden (VM).",
    "drs_automation_level": "manual, partiallyAutomated or fullyAutomated.",
    "drs_migration_threshold": "DRS migration threshold (1 conservative … 5 aggressive).",
    "ha_enabled": "vSphere HA on.",
    "ha_host_monitoring": "HA host monitoring (enabled, disabled).",
    "ha_vm_monitoring": "HA VM monitoring (disabled, VMs only, VMs and applications).",
    "ha_admission_control_enabled": "HA admission control on.",
    "ha_admission_control_policy": "Admission-control policy (failover level, resources, hosts).",
    "ha_admission_control_detail": "The policy's parameters (JSON).",
    "ha_restart_priority": "HA restart priority (disabled, lowest … highest).",
    "ha_isolation_response": "What HA does on host isolation (none, powerOff, shutdown).",
    "connection_state": "Host connection state (connected, disconnected, notResponding).",
    "in_maintenance": "Host in maintenance mode.",
    "cpu_reservation": "CPU reservation, MHz.",
    "cpu_limit": "CPU limit, MHz (-1 = unlimited).",
    "cpu_shares_level": "CPU shares level (low, normal, high, custom).",
    "cpu_shares": "CPU shares.",
    "cpu_expandable": "CPU reservation expandable from the parent pool.",
    "mem_reservation": "Memory reservation, MB.",
    "mem_limit": "Memory limit, MB (-1 = unlimited).",
    "mem_shares_level": "Memory shares level (low, normal, high, custom).",
    "mem_shares": "Memory shares.",
    "mem_expandable": "Memory reservation expandable from the parent pool.",
    "is_vapp": "The pool is a vApp.",
    "sdrs_enabled": "Storage DRS on.",
    "sdrs_automation_level": "Storage DRS automation level.",
    "url": "Datastore URL.",
    "capacity": "Datastore capacity, bytes.",
    "uuid": "Distributed switch UUID.",
    "network_type": "standard, distributed, uplink or opaque.",
    "vlan_id": "VLAN id (0 = none).",
    "vlan_trunk": "Trunked VLAN ranges.",
    "pvlan_id": "Private VLAN id.",
    "bios_uuid": "The VM's BIOS UUID.",
    "VirtualMachine.mac_addresses": "MAC addresses of the VM's virtual NICs (lower case).",
    "power_state": "poweredOn, poweredOff or suspended.",
    "guest_os": "Guest OS the VM is configured for.",
    "template": "The VM is a template.",
    "annotation": "The VM's notes.",
    "custom_attributes": "Custom attributes (JSON map).",
    "group_type": "vm or host group.",
    "rule_type": "vm_affinity, vm_anti_affinity, vm_host or dependency.",
    "mandatory": "A must rule (else should).",
    "override_type": "drs or ha.",
    "privilege_id": "Privilege id (``VirtualMachine.Interact.PowerOn``).",
    "group": "Privilege group.",
    "on_parent": "Checked on the parent object.",
    "role_id": "vCenter role id.",
    "system": "A predefined role.",
    "principal": "The user or group as vCenter names it (``CORP\\alice``).",
    "is_group": "The principal is a group.",
    "propagate": "The permission propagates to child objects.",
    "profile_id": "SPBM profile id.",
    "resource_type": "SPBM resource type (STORAGE).",
    "rules": "The policy's rule sets (JSON).",
    "object_type": "What the policy is associated with (vm home, virtual disk).",
    "disk_key": "The virtual disk's device key (none for the VM home).",
    "category_id": "vAPI tag category id.",
    "cardinality": "SINGLE or MULTIPLE tags per object.",
    "associable_types": "Object types the category's tags may be attached to.",
    "tag_id": "vAPI tag id.",
    "system_name": "Predefined alarm's system name.",
    "watches": "Labels of the objects its triggers watch.",
    "all_triggers": "Every trigger must hold (else any).",
    "triggers": "Triggers (JSON list; thresholds in hundredths of a percent).",
    "actions": "Actions (JSON list).",
    "trigger_texts": "The triggers, as text.",
    "action_texts": "The actions, as text.",
    "email_recipients": "Addresses the alarm e-mails.",
    "snmp_trap": "The alarm sends an SNMP trap.",
    "scripts": "Scripts the alarm runs.",
    "action_frequency": "Seconds between repeated actions.",
    "reporting_frequency": "Seconds between reports of the same state.",
    "tolerance_range": "Threshold tolerance (hundredths of a percent).",
    "last_modified_by": "Who last changed the alarm.",
    "last_modified_at": "When it was last changed.",
    "route_type": "smtp, snmp, syslog or retention.",
    "targets": "Receivers (servers, syslog targets).",
    "sender": "E-mail sender address.",
    "event_retention_days": "Days events are kept (-1 = forever).",
    "task_retention_days": "Days tasks are kept (-1 = forever).",
    "options": "Further options (JSON; never SNMP communities).",
    # Active Directory
    "sid": "Security identifier.",
    "netbios_name": "NetBIOS domain name (CORP).",
    "dns_name": "DNS domain name.",
    "dn": "Distinguished name.",
    "guid": "objectGUID.",
    "dn_key": "Canonical DN for matching (case and spacing folded).",
    "account_key": "``netbios\\samaccountname`` in lower case: how vCenter names it.",
    "sam_account_name": "sAMAccountName.",
    "upn": "userPrincipalName.",
    "upn_key": "The UPN in lower case, for matching.",
    "display_name": "Display name.",
    "mail": "E-mail address.",
    "when_changed": "whenChanged in the directory.",
    "scope": "Group scope (global, domain_local, universal); NSX: applied-to paths.",
    "security": "A security group (else distribution).",
    "member_count": "Direct members.",
    # runbooks
    "path": "Path in the source (file path; NSX policy path).",
    "sha256": "SHA-256 of the file.",
    "translated": "Front matter says it was translated to the target.",
    "target_platform": "The target platform the runbook is for.",
    "vsphere_terms": "vSphere terms the runbook mentions.",
    "text": "The runbook's text.",
    # NSX
    "nsx_id": "NSX object id.",
    "project": "NSX project.",
    "system_owned": "Created by NSX itself.",
    "tags": "NSX tags (scope|tag).",
    "org": "NSX org.",
    "short_id": "Project short id.",
    "ha_mode": "Tier-0 HA mode (ACTIVE_ACTIVE, ACTIVE_STANDBY).",
    "failover_mode": "PREEMPTIVE or NON_PREEMPTIVE.",
    "route_advertisement_types": "Routes the Tier-1 advertises.",
    "segment_type": "Segment type (overlay, VLAN).",
    "transport_zone_path": "The segment's transport zone.",
    "admin_state": "UP or DOWN.",
    "subnets": "Subnets (CIDR).",
    "gateway_addresses": "Gateway addresses.",
    "vlan_ids": "VLAN ids of a VLAN segment.",
    "service_entries": "Ports and protocols (e.g. `TCP dst 443`).",
    "external_id": "The VM's external id (its vCenter instance UUID).",
    "domain": "NSX domain.",
    "criteria": "The group's membership expression in words.",
    "expression": "The membership expression (JSON).",
    "ip_addresses": "IP addresses in the group.",
    "members_from_nsx": "Whether the members are NSX's effective membership (live collection).",
    "policy_type": "distributed or gateway.",
    "category": "Policy category (Emergency, Infrastructure, Environment, Application).",
    "sequence_number": "Order within its category or policy.",
    "stateful": "Stateful policy.",
    "tcp_strict": "TCP strict.",
    "locked": "Policy locked.",
    "rule_id": "NSX rule id.",
    "action": "ALLOW, DROP or REJECT.",
    "direction": "IN, OUT or IN_OUT.",
    "ip_protocol": "IPV4, IPV6 or IPV4_IPV6.",
    "disabled": "The rule is disabled.",
    "logged": "The rule logs.",
    "notes": "Notes.",
    "log_label": "Log label.",
    "source_any": "Any source.",
    "source_addresses": "Source IP addresses.",
    "sources_excluded": "Sources are negated.",
    "destination_any": "Any destination.",
    "destination_addresses": "Destination IP addresses.",
    "destinations_excluded": "Destinations are negated.",
    "services_any": "Any service.",
    "profiles": "Context profiles.",
}
"""A short description of each stored property, by name (``"Label.property"`` for a label's
own meaning of a shared name)."""


def label_description(node: NodeType) -> str:
    """What a node of this type is: its ``description``, else its record's docstring."""
    doc = node.description or (node.record.__doc__ or "")
    return " ".join(doc.split("\n\n", 1)[0].split())


def property_description(node: NodeType, prop: str) -> str:
    """What ``prop`` holds on ``node`` (empty when undescribed)."""
    own = PROPERTY_DOCS.get(f"{node.label}.{prop}") or PROPERTY_DOCS.get(prop)
    if node.label.startswith("K8s"):
        return K8S_PROPERTY_DOCS.get(prop) or own or ""
    if node.label.startswith("Pve"):
        return (
            PVE_PROPERTY_DOCS.get(f"{node.label}.{prop}")
            or PVE_PROPERTY_DOCS.get(prop)
            or own
            or ""
        )
    return own or ""


def undescribed() -> list[str]:
    """``Label`` and ``Label.property`` of every label and property without a description."""
    missing = [node.label for node in NODE_TYPES if not label_description(node)]
    missing += [
        f"{node.label}.{prop}"
        for node in NODE_TYPES
        for prop in node.properties
        if not property_description(node, prop)
    ]
    return missing
