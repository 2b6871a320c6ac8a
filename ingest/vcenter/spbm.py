"""Storage policies (SPBM profiles) and the VM homes and disks they govern, as records.

SPBM is a separate SOAP endpoint (``/pbm``) on the vCenter host. It has no login of its own: it
accepts the vim session, sent both as the HTTP cookie and as the ``vcSessionCookie`` SOAP request
context (govmomi's simulator reads only the latter, real vCenter takes either).

Entry point: :func:`collect_storage_policies`. The pieces that turn server answers into records
(:func:`policy_record`, :func:`rule_summaries`, :func:`map_associations`) are public so they can
be checked against recorded responses. Nothing here raises: every fault becomes a gap.
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterable, Iterator, Mapping, Sequence
from http.cookies import CookieError, SimpleCookie
from typing import Any

from pyVmomi import pbm, vim, vmodl
from pyVmomi.SoapAdapter import SoapStubAdapter

from app.records import vcenter as r
from app.records.contract import GapSink, Sink
from ingest.tls import TlsError
from ingest.vcenter.connection import VCenterTarget
from ingest.vcenter.ids import Ids
from ingest.vcenter.properties import chunks, retrieve

log = logging.getLogger(__name__)

PBM_PATH = "/pbm"
PBM_VERSION = "pbm.version.version11"
"""SPBM 6.5 API: every call used here exists in it, and vCenter 6.5 to 9 accept it."""
SESSION_COOKIE = "vmware_soap_session"
TAG_NAMESPACE = "http://www.vmware.com/storage/tag"
DATA_SERVICE_NAMESPACE = "com.vmware.storageprofile.dataservice"
VM_HOME = "virtualMachine"
VIRTUAL_DISK = "virtualDiskId"
IDS_PER_CALL = 500
"""Profile ids per ``PbmRetrieveContent`` and entities per ``PbmQueryAssociatedProfiles``."""
TIMEOUT_S = 120.0


class _SpbmError(Exception):
    """A failure already phrased for a gap (no secrets in it)."""


def collect_storage_policies(
    service_instance: Any,
    target: VCenterTarget,
    ids: Ids,
    vm_ids: Sequence[str],
    sink: Sink,
    gap: GapSink,
) -> None:
    """Write one :class:`StoragePolicy` per SPBM storage profile, then one
    :class:`StoragePolicyAssociation` per VM home or virtual disk of ``vm_ids``
    (``<vc>:<moref>`` ids) that has a policy.

    ``service_instance`` is the logged-in vim connection to ``target``: its session
    authenticates the SPBM calls and its PropertyCollector supplies the VMs' disk keys.
    Faults are reported to ``gap`` (``StoragePolicy`` or ``StoragePolicyAssociation``)
    and never raised.
    """
    secrets = [target.password]
    try:
        manager = _profile_manager(service_instance, target, secrets)
        profiles = _retrieve_profiles(manager)
        policies: dict[str, str] = {}
        for profile in profiles:
            record = policy_record(profile, ids)
            sink(record)
            policies[record.profile_id] = record.id
    except Exception as exc:
        gap("StoragePolicy", _reason(exc, target, secrets), None)
        return
    if not vm_ids:
        return
    try:
        entities = association_entities(service_instance, ids, vm_ids, gap)
        for batch in chunks(entities, IDS_PER_CALL):
            results = manager.PbmQueryAssociatedProfiles(entities=batch) or []
            for association in map_associations(results, ids, policies, gap):
                sink(association)
    except Exception as exc:
        gap("StoragePolicyAssociation", _reason(exc, target, secrets), None)


# -- connection --------------------------------------------------------------------------------
def _profile_manager(service_instance: Any, target: VCenterTarget, secrets: list[str]) -> Any:
    """The SPBM ``ProfileManager``, reached with the vim session of ``service_instance``."""
    raw_cookie = str(getattr(service_instance._stub, "cookie", "") or "")
    try:
        morsel = SimpleCookie(raw_cookie).get(SESSION_COOKIE)
    except CookieError:
        morsel = None
    if morsel is None or not morsel.value:
        raise _SpbmError("the vim connection carries no session cookie to authenticate SPBM")
    secrets.append(morsel.value)
    try:
        context = target.ssl_context()
    except (OSError, ValueError, TlsError) as exc:  # e.g. an unreadable --ca-file
        raise _SpbmError(f"cannot set up TLS: {exc}") from None
    stub = SoapStubAdapter(
        host=target.server,
        port=target.port,
        path=PBM_PATH,
        version=PBM_VERSION,
        sslContext=context,
        requestContext={"vcSessionCookie": morsel.value},
        httpConnectionTimeout=TIMEOUT_S,
    )
    stub.cookie = raw_cookie
    content = pbm.ServiceInstance("ServiceInstance", stub).PbmRetrieveServiceContent()
    if content.profileManager is None:
        raise _SpbmError("SPBM returned no profile manager")
    return content.profileManager


def _retrieve_profiles(manager: Any) -> list[Any]:
    """Every storage profile with its content, ``IDS_PER_CALL`` ids per round trip."""
    storage = pbm.profile.ResourceType(resourceType="STORAGE")
    profile_ids = list(manager.PbmQueryProfile(resourceType=storage) or [])
    profiles: list[Any] = []
    for batch in chunks(profile_ids, IDS_PER_CALL):
        profiles += manager.PbmRetrieveContent(profileIds=batch) or []
    return profiles


def _reason(exc: BaseException, target: VCenterTarget, secrets: Sequence[str]) -> str:
    """One line for a gap: what failed and why, with no password or session id in it."""
    where = f"SPBM at {target.server}:{target.port}{PBM_PATH}"
    if isinstance(exc, _SpbmError):
        text = f"{where}: {exc}"
    elif isinstance(exc, vmodl.MethodFault):
        detail = getattr(exc, "msg", None) or ""
        text = f"{where} answered {type(exc).__name__}" + (f": {detail}" if detail else "")
    elif isinstance(exc, ssl.SSLError):
        why = getattr(exc, "verify_message", None) or exc.reason or str(exc)
        text = f"TLS verification of {where} failed ({why})"
    elif isinstance(exc, OSError):
        text = f"cannot reach {where}: {exc}"
    else:
        log.debug("SPBM collection failed", exc_info=exc)
        text = f"{where}: {type(exc).__name__}: {exc}"
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return " ".join(text.split())


# -- policies ----------------------------------------------------------------------------------
def policy_record(profile: Any, ids: Ids) -> r.StoragePolicy:
    """The record of one ``pbm.profile.Profile`` as ``PbmRetrieveContent`` returns it."""
    profile_id = str(profile.profileId.uniqueId)
    resource_type = getattr(profile, "resourceType", None)
    return r.StoragePolicy(
        id=f"{ids.vc}:spbm:{profile_id}",
        profile_id=profile_id,
        name=profile.name,
        description=profile.description or None,
        resource_type=getattr(resource_type, "resourceType", None),
        rules=rule_summaries(profile),
    )


def rule_summaries(profile: Any) -> list[str]:
    """One short line per rule of every rule set, e.g. ``VSAN.hostFailuresToTolerate=1`` or
    ``tag-based: category Tier in [gold, silver]``.

    Rule sets are alternatives (a datastore must satisfy all rules of one set); when a profile
    has more than one, each line starts with its set's name in brackets.
    """
    constraints = getattr(profile, "constraints", None)
    sub_profiles = list(getattr(constraints, "subProfiles", None) or [])
    lines: list[str] = []
    for sub in sub_profiles:
        prefix = f"[{sub.name}] " if len(sub_profiles) > 1 else ""
        for capability in sub.capability or []:
            lines += [prefix + rule for rule in _capability_rules(capability)]
    return lines


def _capability_rules(capability: Any) -> list[str]:
    namespace = capability.id.namespace
    name = capability.id.id
    rules: list[str] = []
    for constraint in capability.constraint or []:
        for prop in constraint.propertyInstance or []:
            negated = (prop.operator or "").upper() == "NOT"
            value = prop.value
            if namespace == TAG_NAMESPACE and isinstance(value, pbm.capability.types.DiscreteSet):
                op = "not in" if negated else "in"
                rules.append(f"tag-based: category {name} {op} {_render(value)}")
            elif namespace == DATA_SERVICE_NAMESPACE:
                rules.append(f"data-service: {_render(value)}")
            else:
                key = name if prop.id in (None, name) else f"{name}.{prop.id}"
                is_set = isinstance(
                    value, (pbm.capability.types.DiscreteSet, pbm.capability.types.Range)
                )
                op = (" not in " if negated else " in ") if is_set else ("!=" if negated else "=")
                rules.append(f"{namespace}.{key}{op}{_render(value)}")
    return rules


def _render(value: Any) -> str:
    """A capability value as text: sets ``[a, b]``, ranges ``1..3``, spans ``5 HOURS``."""
    if isinstance(value, pbm.capability.types.DiscreteSet):
        return "[" + ", ".join(_render(v) for v in value.values or []) + "]"
    if isinstance(value, pbm.capability.types.Range):
        return f"{_render(value.min)}..{_render(value.max)}"
    if isinstance(value, pbm.capability.types.TimeSpan):
        return f"{value.value} {value.unit}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    return str(value)


# -- associations ------------------------------------------------------------------------------
def association_entities(
    service_instance: Any, ids: Ids, vm_ids: Sequence[str], gap: GapSink
) -> list[Any]:
    """``pbm.ServerObjectRef`` entities for the homes and virtual disks of ``vm_ids``: one
    ``virtualMachine`` ref (key ``vm-42``) per VM and one ``virtualDiskId`` ref
    (key ``vm-42:2000``) per disk, disk keys read in one PropertyCollector pass."""
    prefix = f"{ids.vc}:"
    wanted = [vm_id[len(prefix) :] for vm_id in vm_ids if vm_id.startswith(prefix)]
    disks: dict[str, list[int]] = {}
    content = service_instance.RetrieveContent()
    for item in retrieve(content, {vim.VirtualMachine: ["config.hardware.device"]}):
        for path, fault in item.missing:
            gap(f"VirtualMachine.{path}", fault, item.moref)
        devices = item.props.get("config.hardware.device") or []
        disks[item.moref] = sorted(
            d.key for d in devices if isinstance(d, vim.vm.device.VirtualDisk)
        )
    entities: list[Any] = []
    for moref in wanted:
        entities.append(pbm.ServerObjectRef(objectType=VM_HOME, key=moref))
        entities += [
            pbm.ServerObjectRef(objectType=VIRTUAL_DISK, key=f"{moref}:{key}")
            for key in disks.get(moref, [])
        ]
    return entities


def map_associations(
    results: Iterable[Any], ids: Ids, policies: Mapping[str, str], gap: GapSink
) -> Iterator[r.StoragePolicyAssociation]:
    """Records from ``PbmQueryAssociatedProfiles`` results (``pbm.profile.QueryProfileResult``).

    ``policies`` maps SPBM profile ids to StoragePolicy record ids; profiles not in it
    (not storage profiles, or created since) are skipped. A result with a fault becomes a
    gap. Entity types other than VM home and virtual disk id are ignored. Should one entity
    carry several known policies, the first is kept and the rest reported as a gap.
    """
    seen: set[str] = set()
    for result in results:
        entity = getattr(result, "object", None)
        if entity is None:
            continue
        key = str(entity.key)
        if result.fault is not None:
            fault = result.fault
            detail = getattr(fault, "msg", None) or ""
            gap(
                "StoragePolicyAssociation",
                f"{type(fault).__name__}" + (f": {detail}" if detail else ""),
                key,
            )
            continue
        subject = _subject(entity.objectType, key)
        if subject is None:
            continue
        moref, disk_key = subject
        vm_id = f"{ids.vc}:{moref}"
        known = [policies[p.uniqueId] for p in result.profileId or [] if p.uniqueId in policies]
        if not known:
            continue
        if disk_key is None:
            record_id, object_type = f"{vm_id}:spbm:home", "vm_home"
        else:
            record_id, object_type = f"{vm_id}:spbm:disk:{disk_key}", "disk"
        if record_id in seen:
            continue
        seen.add(record_id)
        if len(known) > 1:
            gap(
                "StoragePolicyAssociation",
                f"{len(known)} storage policies on one object; only {known[0]} kept",
                key,
            )
        yield r.StoragePolicyAssociation(
            id=record_id,
            object_type=object_type,
            disk_key=disk_key,
            vm=vm_id,
            policy=known[0],
        )


def _subject(object_type: str, key: str) -> tuple[str, int | None] | None:
    """``(vm moref, disk key)`` of an SPBM entity ref (disk key ``None`` for the VM home)."""
    if object_type == VM_HOME:
        return key, None
    if object_type == VIRTUAL_DISK:
        moref, _, disk = key.rpartition(":")
        if moref and disk.isdigit():
            return moref, int(disk)
        log.warning("unexpected virtual disk id %r from SPBM ignored", key)
    return None
