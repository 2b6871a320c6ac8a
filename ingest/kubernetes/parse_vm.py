"""KubeVirt VirtualMachines (``kubevirt.io/v1``, raw JSON) to records.

What is read comes from ``spec`` and ``spec.template`` (the VM's intent, not the running VMI):
run strategy, firmware serial/uuid, CPU/memory and resources, interfaces with their networks
(pod or Multus NADs), volumes with their storage classes (from the PVC, or the DataVolume
template of the same name), scheduling (node selector, node and pod (anti-)affinity,
tolerations, topology spread) and the Forklift/MTV tag labels.
"""

from __future__ import annotations

from typing import Any

from app.records import kubernetes as r
from ingest.kubernetes.parse import Ids, Obj, meta, namespaced, quantity, requirements, selector

INTERFACE_BINDINGS = ("bridge", "masquerade", "sriov", "passt", "slirp", "macvtap")
VOLUME_TYPES = (
    "persistentVolumeClaim", "dataVolume", "containerDisk", "cloudInitNoCloud",
    "cloudInitConfigDrive", "emptyDisk", "ephemeral", "hostDisk", "configMap", "secret",
    "serviceAccount", "sysprep", "downwardAPI", "downwardMetrics", "memoryDump",
)  # fmt: skip


def run_strategy(spec: Obj) -> str | None:
    """``spec.runStrategy``, else ``Always``/``Halted`` from the deprecated ``spec.running``."""
    if spec.get("runStrategy"):
        return str(spec["runStrategy"])
    running = spec.get("running")
    if running is None:
        return None
    return "Always" if running else "Halted"


def forklift_tags(*label_maps: dict[str, str]) -> list[str]:
    """vSphere tag names from ``vsphere.forklift.konveyor.io/<tag>`` label keys."""
    prefix = r.FORKLIFT_TAG_PREFIX
    return sorted({k[len(prefix) :] for m in label_maps for k in m if k.startswith(prefix)})


def _binding(iface: Obj) -> str | None:
    for name in INTERFACE_BINDINGS:
        if name in iface:
            return name
    plugin = iface.get("binding")
    return str(plugin.get("name")) if isinstance(plugin, dict) and plugin.get("name") else None


def nad_ref(network_name: str, vm_namespace: str) -> str:
    """A Multus ``networkName`` as ``<namespace>/<name>`` (the VM's namespace if none given)."""
    return network_name if "/" in network_name else f"{vm_namespace}/{network_name}"


def interfaces(tspec: Obj, ns: str, ids: Ids) -> list[r.VmInterface]:
    """The template's interfaces, each with the network of the same name."""
    networks = {str(n.get("name")): n for n in tspec.get("networks") or []}
    out = []
    for iface in ((tspec.get("domain") or {}).get("devices") or {}).get("interfaces") or []:
        name = str(iface.get("name"))
        net = networks.get(name) or {}
        fields: dict[str, Any] = {}
        if "pod" in net:
            fields["network_type"] = "pod"
        elif "multus" in net:
            ref = nad_ref(str((net["multus"] or {}).get("networkName")), ns)
            nad_ns, nad_name = ref.split("/", 1)
            fields |= {
                "network_type": "multus",
                "network_name": ref,
                "nad": ids.obj("K8sNetworkAttachmentDefinition", nad_name, nad_ns),
            }
        mac = iface.get("macAddress")
        out.append(
            r.VmInterface(
                name=name,
                binding=_binding(iface),
                model=iface.get("model"),
                mac_address=str(mac).lower().replace("-", ":") if mac else None,
                **fields,
            )
        )
    return out


def _template_storage(spec: Obj) -> dict[str, tuple[str | None, str | None]]:
    """``{DataVolume name: (storage class, size)}`` from ``spec.dataVolumeTemplates``."""
    out: dict[str, tuple[str | None, str | None]] = {}
    for dvt in spec.get("dataVolumeTemplates") or []:
        dv = dvt.get("spec") or {}
        claim = dv.get("pvc") or dv.get("storage") or {}
        size = ((claim.get("resources") or {}).get("requests") or {}).get("storage")
        out[str(meta(dvt).get("name"))] = (
            claim.get("storageClassName"),
            None if size is None else str(size),
        )
    return out


def volumes(spec: Obj, ns: str, claims: dict[str, r.K8sPersistentVolumeClaim]) -> list[r.VmVolume]:
    """The template's volumes; ``claims`` are the cluster's PVCs by ``<namespace>/<name>``."""
    tspec = (spec.get("template") or {}).get("spec") or {}
    disks = {str(d.get("name")): d for d in (tspec.get("domain") or {}).get("devices", {}).get(
        "disks") or []}  # fmt: skip
    templates = _template_storage(spec)
    out = []
    for vol in tspec.get("volumes") or []:
        name = str(vol.get("name"))
        vtype = next((t for t in VOLUME_TYPES if t in vol), next(iter(set(vol) - {"name"}), "?"))
        claim_name: str | None = None
        if vtype == "persistentVolumeClaim":
            claim_name = (vol[vtype] or {}).get("claimName")
        elif vtype == "dataVolume":
            claim_name = (vol[vtype] or {}).get("name")  # CDI names the PVC after the DV
        cls, size = templates.get(claim_name or "", (None, None))
        claim = claims.get(f"{ns}/{claim_name}") if claim_name else None
        if claim is not None:
            cls = claim.storage_class_name or cls
            size = claim.requested_storage or size
        disk = disks.get(name) or {}
        bus = next((d.get("bus") for k, d in disk.items() if k in ("disk", "cdrom", "lun")
                    and isinstance(d, dict)), None)  # fmt: skip
        out.append(
            r.VmVolume(
                name=name,
                type=vtype,
                claim_name=claim_name,
                storage_class=cls,
                size=size,
                disk_bus=bus,
                boot_order=disk.get("bootOrder"),
            )
        )
    return out


def node_affinity(aff: Obj) -> list[r.NodeAffinityTerm]:
    """Required terms (ORed) then preferred terms with their weights."""

    def term(t: Obj) -> r.NodeSelectorTerm:
        return r.NodeSelectorTerm(
            match_expressions=requirements(t.get("matchExpressions")),
            match_fields=requirements(t.get("matchFields")),
        )

    node = aff.get("nodeAffinity") or {}
    required = (node.get("requiredDuringSchedulingIgnoredDuringExecution") or {}).get(
        "nodeSelectorTerms") or []  # fmt: skip
    out = [r.NodeAffinityTerm(required=True, term=term(t)) for t in required]
    for pref in node.get("preferredDuringSchedulingIgnoredDuringExecution") or []:
        out.append(
            r.NodeAffinityTerm(
                required=False, weight=pref.get("weight"), term=term(pref.get("preference") or {})
            )
        )
    return out


def pod_affinity(aff: Obj) -> list[r.PodAffinityTerm]:
    """Pod affinity and anti-affinity terms, required then preferred."""

    def term(t: Obj, *, anti: bool, required: bool, weight: int | None) -> r.PodAffinityTerm:
        return r.PodAffinityTerm(
            anti=anti,
            required=required,
            weight=weight,
            topology_key=str(t.get("topologyKey") or ""),
            label_selector=selector(t.get("labelSelector")),
            namespaces=[str(n) for n in t.get("namespaces") or []],
            namespace_selector=selector(t.get("namespaceSelector")),
            match_label_keys=[str(k) for k in t.get("matchLabelKeys") or []],
        )

    out = []
    for key, anti in (("podAffinity", False), ("podAntiAffinity", True)):
        block = aff.get(key) or {}
        for t in block.get("requiredDuringSchedulingIgnoredDuringExecution") or []:
            out.append(term(t, anti=anti, required=True, weight=None))
        for pref in block.get("preferredDuringSchedulingIgnoredDuringExecution") or []:
            out.append(
                term(pref.get("podAffinityTerm") or {}, anti=anti, required=False,
                     weight=pref.get("weight"))
            )  # fmt: skip
    return out


def _scheduling(tspec: Obj) -> dict[str, Any]:
    aff = tspec.get("affinity") or {}
    return {
        "node_selector": {str(k): str(v) for k, v in (tspec.get("nodeSelector") or {}).items()},
        "node_affinity": node_affinity(aff),
        "pod_affinity": pod_affinity(aff),
        "tolerations": [
            r.Toleration(
                key=t.get("key"),
                operator=t.get("operator"),
                value=t.get("value"),
                effect=t.get("effect"),
                toleration_seconds=t.get("tolerationSeconds"),
            )
            for t in tspec.get("tolerations") or []
        ],
        "topology_spread": [
            r.TopologySpread(
                max_skew=int(c.get("maxSkew") or 0),
                topology_key=str(c.get("topologyKey")),
                when_unsatisfiable=str(c.get("whenUnsatisfiable")),
                label_selector=selector(c.get("labelSelector")),
                min_domains=c.get("minDomains"),
            )
            for c in tspec.get("topologySpreadConstraints") or []
        ],
        "scheduler_name": tspec.get("schedulerName"),
    }


def _resources(domain: Obj) -> dict[str, Any]:
    res = domain.get("resources") or {}
    req, lim = res.get("requests") or {}, res.get("limits") or {}
    cpu, memory = domain.get("cpu") or {}, domain.get("memory") or {}

    def text(value: Any) -> str | None:
        return None if value is None else str(value)

    return {
        "cpu_cores": cpu.get("cores"),
        "cpu_sockets": cpu.get("sockets"),
        "cpu_threads": cpu.get("threads"),
        "memory_guest": text(memory.get("guest")),
        "cpu_request": text(req.get("cpu")),
        "cpu_request_millicores": quantity(req.get("cpu"), 1000),
        "memory_request": text(req.get("memory")),
        "memory_request_bytes": quantity(req.get("memory")),
        "cpu_limit": text(lim.get("cpu")),
        "cpu_limit_millicores": quantity(lim.get("cpu"), 1000),
        "memory_limit": text(lim.get("memory")),
        "memory_limit_bytes": quantity(lim.get("memory")),
    }


def virtual_machine(
    obj: Obj, ids: Ids, claims: dict[str, r.K8sPersistentVolumeClaim]
) -> r.K8sVirtualMachine:
    """A VirtualMachine; ``claims`` (PVCs by ``<namespace>/<name>``) resolve storage classes."""
    base = namespaced(obj, ids, "K8sVirtualMachine")
    ns = base["namespace"]
    spec = obj.get("spec") or {}
    template = spec.get("template") or {}
    tspec = template.get("spec") or {}
    domain = tspec.get("domain") or {}
    firmware = domain.get("firmware") or {}
    tlabels = {str(k): str(v) for k, v in (meta(template).get("labels") or {}).items()}
    ifaces = interfaces(tspec, ns, ids)
    vols = volumes(spec, ns, claims)
    priority = tspec.get("priorityClassName")
    claim_ids = [
        ids.obj("K8sPersistentVolumeClaim", v.claim_name, ns) for v in vols if v.claim_name
    ]
    return r.K8sVirtualMachine(
        **base,
        run_strategy=run_strategy(spec),
        printable_status=(obj.get("status") or {}).get("printableStatus"),
        eviction_strategy=tspec.get("evictionStrategy"),
        priority_class_name=priority,
        priority_class=ids.obj("K8sPriorityClass", priority) if priority else None,
        firmware_serial=firmware.get("serial"),
        firmware_uuid=firmware.get("uuid"),
        template_labels=tlabels,
        forklift_tags=forklift_tags(base["labels"], tlabels),
        **_resources(domain),
        interfaces=ifaces,
        mac_addresses=[i.mac_address for i in ifaces if i.mac_address],
        multus_networks=[i.network_name for i in ifaces if i.network_name],
        nads=sorted({i.nad for i in ifaces if i.nad}),
        volumes=vols,
        pvcs=sorted(set(claim_ids)),
        storage_classes=sorted(
            {ids.obj("K8sStorageClass", v.storage_class) for v in vols if v.storage_class}
        ),
        **_scheduling(tspec),
    )
