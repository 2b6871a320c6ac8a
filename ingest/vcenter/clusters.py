"""Clusters and standalone hosts' compute resources: DRS and HA settings, admission control,
cluster groups, DRS rules and per-VM overrides, as records."""

from __future__ import annotations

from typing import Any

from pyVmomi import vim

from app.records import vcenter as r
from app.records.contract import Sink
from ingest.vcenter.ids import Ids, text
from ingest.vcenter.properties import ObjectProps


def admission_policy(policy: Any) -> tuple[str | None, dict[str, Any]]:
    """The HA admission-control policy's name and its settings."""
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


def _settings(config: Any) -> dict[str, Any]:
    drs, das = config.drsConfig, config.dasConfig
    policy, detail = admission_policy(getattr(das, "admissionControlPolicy", None))
    defaults = getattr(das, "defaultVmSettings", None)
    return {
        "drs_enabled": getattr(drs, "enabled", None),
        "drs_automation_level": text(getattr(drs, "defaultVmBehavior", None)),
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


def cluster(item: ObjectProps, oid: str, ids: Ids, sink: Sink) -> None:
    """A cluster (or a standalone host's compute resource) and, for a cluster, its groups,
    rules and overrides."""
    p = item.props
    config = p.get("configurationEx")
    is_cluster = isinstance(item.obj, vim.ClusterComputeResource)
    fields = _settings(config) if is_cluster and config is not None else {}
    sink(
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
        _groups(oid, config, ids, sink)
        _rules(oid, config, ids, sink)
        _overrides(oid, config, ids, sink)


def _groups(cid: str, config: Any, ids: Ids, sink: Sink) -> None:
    for group in config.group or []:
        is_vm = isinstance(group, vim.cluster.VmGroup)
        sink(
            r.ClusterGroup(
                id=f"{cid}:group:{group.name}",
                name=group.name,
                group_type="vm" if is_vm else "host",
                cluster=cid,
                vms=ids.many(getattr(group, "vm", None)) if is_vm else [],
                hosts=[] if is_vm else ids.many(getattr(group, "host", None)),
            )
        )


def _rule_fields(cid: str, rule: Any, ids: Ids) -> dict[str, Any]:
    if isinstance(rule, vim.cluster.AffinityRuleSpec):
        return {"rule_type": "vm_affinity", "vms": ids.many(rule.vm)}
    if isinstance(rule, vim.cluster.AntiAffinityRuleSpec):
        return {"rule_type": "vm_anti_affinity", "vms": ids.many(rule.vm)}
    if isinstance(rule, vim.cluster.VmHostRuleInfo):
        group_id = f"{cid}:group:"

        def group(name: str | None) -> str | None:
            return group_id + name if name else None

        return {
            "rule_type": "vm_host",
            "vm_group": group(rule.vmGroupName),
            "affine_host_group": group(rule.affineHostGroupName),
            "anti_affine_host_group": group(rule.antiAffineHostGroupName),
        }
    if isinstance(rule, vim.cluster.DependencyRuleInfo):
        return {"rule_type": "dependency"}
    return {"rule_type": "other"}


def _rules(cid: str, config: Any, ids: Ids, sink: Sink) -> None:
    for rule in config.rule or []:
        sink(
            r.DrsRule(
                id=f"{cid}:rule:{rule.key}",
                key=rule.key,
                name=rule.name,
                enabled=bool(rule.enabled),
                mandatory=bool(rule.mandatory),
                cluster=cid,
                **_rule_fields(cid, rule, ids),
            )
        )


def _overrides(cid: str, config: Any, ids: Ids, sink: Sink) -> None:
    for drs_vm in config.drsVmConfig or []:
        sink(
            r.VmOverride(
                id=f"{cid}:drs:{drs_vm.key._moId}",
                override_type="drs",
                cluster=cid,
                vm=ids.of(drs_vm.key) or "",
                drs_enabled=drs_vm.enabled,
                drs_automation_level=text(drs_vm.behavior),
            )
        )
    for das_vm in config.dasVmConfig or []:
        settings = das_vm.dasSettings
        tools = getattr(settings, "vmToolsMonitoringSettings", None)
        sink(
            r.VmOverride(
                id=f"{cid}:ha:{das_vm.key._moId}",
                override_type="ha",
                cluster=cid,
                vm=ids.of(das_vm.key) or "",
                ha_restart_priority=getattr(settings, "restartPriority", None)
                or text(getattr(das_vm, "restartPriority", None)),
                ha_isolation_response=getattr(settings, "isolationResponse", None)
                or text(getattr(das_vm, "powerOffOnIsolation", None)),
                ha_vm_monitoring=getattr(tools, "vmMonitoring", None),
            )
        )
