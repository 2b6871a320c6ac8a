"""Storage policies (SPBM) and tags (vAPI) collection.

What runs against a REAL vcsim (one small model per module, tools/vcsim launcher):
- storage policies: the 4 built-in profiles plus one created here with ``PbmCreate``;
- the SPBM association calls themselves (entities built from the VMs' real disk keys, sent
  in batches); vcsim answers every ``PbmQueryAssociatedProfiles`` with nothing;
- tags: 2 categories and 3 tags created through vcsim's legacy ``/rest`` API, attached to a
  VM, a host and a cluster (vcsim serves only ``/rest``: ``/api/session`` is 404 there);
- failures: wrong password, stopped server, logged-out session, TLS verification left on.

What uses RECORDED RESPONSES (pyVmomi / JSON data of the documented shape, since vcsim cannot
produce them):
- VM-home and disk associations: ``pbm.profile.QueryProfileResult`` objects as vCenter returns
  them, fed through ``map_associations`` (the function the live collection uses), and through
  the whole ``collect_storage_policies`` with only ``PbmQueryAssociatedProfiles`` replayed;
- rule summaries for operators and value types vcsim's built-ins lack (NOT, ranges, spans);
- the modern ``/api`` tagging paths and a 5xx, through ``httpx.MockTransport``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import pbm, vim

from app.records import Record
from app.records import vcenter as r
from ingest.vcenter import spbm
from ingest.vcenter.connection import VCenterTarget
from ingest.vcenter.ids import Ids
from ingest.vcenter.spbm import (
    association_entities,
    collect_storage_policies,
    map_associations,
    policy_record,
)
from ingest.vcenter.tags import collect_tags
from tests.support.vcsim import VcsimServer, ensure_vcsim_binary

P = pbm.profile
CAP = pbm.capability
TAG_NS = "http://www.vmware.com/storage/tag"
REST = "/rest/com/vmware/cis"
VSAN_DEFAULT = "aa6d5a82-1c88-45da-85d3-3d74b91a5bad"
VVOL_DEFAULT = "f4e5bade-15a2-4805-bf8e-52318c4ce443"
ENCRYPTION = "4d5f673c-536f-11e6-beb8-9e71128cae77"
PMEM_DEFAULT = "c268da1b-b343-49f7-a468-b1deeb7078e0"
WRONG_PASSWORD = "wrong-Pa55word-xyz"


class Recorder:
    """A sink and gap sink that keep what a collector emits."""

    def __init__(self) -> None:
        self.records: list[Record] = []
        self.gaps: list[tuple[str, str, str | None]] = []

    def sink(self, record: Record) -> None:
        self.records.append(record)

    def gap(self, what: str, reason: str, entity: str | None) -> None:
        self.gaps.append((what, reason, entity))

    def of(self, kind: type[Record]) -> list[Any]:
        return [rec for rec in self.records if isinstance(rec, kind)]


@dataclass
class Scenario:
    """What the module fixture built on vcsim."""

    sim: VcsimServer
    vc: str
    profile_id: str
    vm: str
    host: str
    cluster: str
    vm_morefs: list[str]
    categories: dict[str, str]
    tags: dict[str, str]

    def target(self, password: str | None = None, *, insecure: bool = True) -> VCenterTarget:
        return VCenterTarget(
            self.sim.host,
            self.sim.username,
            self.sim.password if password is None else password,
            self.sim.port,
            insecure=insecure,
        )


# -- scenario ----------------------------------------------------------------------------------
def _connect(sim: VcsimServer) -> Any:
    return SmartConnect(
        host=sim.host,
        port=sim.port,
        user=sim.username,
        pwd=sim.password,
        disableSslCertValidation=True,
    )


def _objects(content: Any, kind: type) -> dict[str, str]:
    view = content.viewManager.CreateContainerView(content.rootFolder, [kind], True)
    try:
        return {o.name: o._moId for o in view.view}
    finally:
        view.Destroy()


def _capability(
    namespace: str, cap_id: str, prop_id: str, value: Any, op: str | None = None
) -> Any:
    return CAP.CapabilityInstance(
        id=CAP.CapabilityMetadata.UniqueId(namespace=namespace, id=cap_id),
        constraint=[
            CAP.ConstraintInstance(
                propertyInstance=[CAP.PropertyInstance(id=prop_id, operator=op, value=value)]
            )
        ],
    )


def _sub(name: str, *capabilities: Any) -> Any:
    return P.SubProfileCapabilityConstraints.SubProfile(name=name, capability=list(capabilities))


def _create_profile(sim: VcsimServer, si: Any) -> str:
    """Create "Gold tier" (a tag rule set and a vSAN rule set) through SPBM."""
    target = VCenterTarget(sim.host, sim.username, sim.password, sim.port, insecure=True)
    manager = spbm._profile_manager(si, target, [])
    spec = P.CapabilityBasedProfileCreateSpec(
        name="Gold tier",
        description="Tier-1 databases",
        category="REQUIREMENT",
        resourceType=P.ResourceType(resourceType="STORAGE"),
        constraints=P.SubProfileCapabilityConstraints(
            subProfiles=[
                _sub(
                    "tagged",
                    _capability(
                        TAG_NS,
                        "StorageTier",
                        "com.vmware.storage.tag.StorageTier.property",
                        CAP.types.DiscreteSet(values=["gold", "silver"]),
                    ),
                ),
                _sub(
                    "vsan",
                    _capability("VSAN", "hostFailuresToTolerate", "hostFailuresToTolerate", 2),
                    _capability("VSAN", "forceProvisioning", "forceProvisioning", True),
                ),
            ]
        ),
    )
    return str(manager.PbmCreate(createSpec=spec).uniqueId)


def _create_tags(sim: VcsimServer, vm: str, host: str, cluster: str) -> tuple[dict[str, str], ...]:
    """2 categories and 3 tags through the legacy /rest API; attach them to the objects."""
    base = f"https://{sim.host}:{sim.port}{REST}"
    with httpx.Client(verify=False, timeout=30) as client:  # noqa: S501 - vcsim's certificate
        login = client.post(f"{base}/session", auth=(sim.username, sim.password))
        headers = {"vmware-api-session-id": login.json()["value"]}

        def post(path: str, body: dict[str, Any]) -> Any:
            response = client.post(base + path, headers=headers, json=body)
            assert response.status_code == 200, response.text
            return response.json().get("value") if response.content else None

        categories = {
            "Environment": post(
                "/tagging/category",
                {
                    "create_spec": {
                        "name": "Environment",
                        "description": "Where a workload runs",
                        "cardinality": "SINGLE",
                        "associable_types": ["VirtualMachine", "HostSystem"],
                    }
                },
            ),
            "Owner": post(
                "/tagging/category",
                {
                    "create_spec": {
                        "name": "Owner",
                        "description": "",
                        "cardinality": "MULTIPLE",
                        "associable_types": [],
                    }
                },
            ),
        }
        tags = {
            name: post(
                "/tagging/tag",
                {
                    "create_spec": {
                        "name": name,
                        "description": description,
                        "category_id": categories[category],
                    }
                },
            )
            for name, description, category in (
                ("prod", "Production", "Environment"),
                ("dev", "", "Environment"),
                ("team-db", "Database team", "Owner"),
            )
        }
        for tag, moref, kind in (
            ("prod", vm, "VirtualMachine"),
            ("prod", host, "HostSystem"),
            ("team-db", vm, "VirtualMachine"),
            ("team-db", cluster, "ClusterComputeResource"),
        ):
            post(
                f"/tagging/tag-association/id:{tags[tag]}?~action=attach",
                {"object_id": {"id": moref, "type": kind}},
            )
        client.delete(f"{base}/session", headers=headers)
    return categories, tags


@pytest.fixture(scope="module")
def scenario() -> Iterator[Scenario]:
    with VcsimServer(ensure_vcsim_binary(), cluster=1, host=2, vm=1) as sim:
        si = _connect(sim)
        try:
            content = si.RetrieveContent()
            vms = _objects(content, vim.VirtualMachine)
            hosts = _objects(content, vim.HostSystem)
            clusters = _objects(content, vim.ClusterComputeResource)
            profile_id = _create_profile(sim, si)
            vm, host, cluster = vms["DC0_C0_RP0_VM0"], hosts["DC0_C0_H0"], clusters["DC0_C0"]
            categories, tags = _create_tags(sim, vm, host, cluster)
            yield Scenario(
                sim=sim,
                vc=content.about.instanceUuid,
                profile_id=profile_id,
                vm=vm,
                host=host,
                cluster=cluster,
                vm_morefs=sorted(vms.values()),
                categories=categories,
                tags=tags,
            )
        finally:
            Disconnect(si)


@pytest.fixture
def si(scenario: Scenario) -> Iterator[Any]:
    service_instance = _connect(scenario.sim)
    yield service_instance
    Disconnect(service_instance)


# -- (a) storage policies on vcsim -------------------------------------------------------------
def _builtin_policies(vc: str) -> list[r.StoragePolicy]:
    def policy(uid: str, name: str, description: str, rules: list[str]) -> r.StoragePolicy:
        return r.StoragePolicy(
            id=f"{vc}:spbm:{uid}",
            profile_id=uid,
            name=name,
            description=description,
            resource_type="STORAGE",
            rules=rules,
        )

    return [
        policy(
            VSAN_DEFAULT,
            "vSAN Default Storage Policy",
            "Storage policy used as default for vSAN datastores",
            [
                "VSAN.hostFailuresToTolerate=1",
                "VSAN.stripeWidth=1",
                "VSAN.forceProvisioning=false",
                "VSAN.proportionalCapacity=0",
                "VSAN.cacheReservation=0",
            ],
        ),
        policy(
            VVOL_DEFAULT,
            "VVol No Requirements Policy",
            "Allow the datastore to determine the best placement strategy for storage objects",
            [],
        ),
        policy(
            ENCRYPTION,
            "VM Encryption Policy",
            "Sample storage policy for VMware's VM and virtual disk encryption",
            ["data-service: ad5a249d-cbc2-43af-9366-694d7664fa52"],
        ),
        policy(
            PMEM_DEFAULT,
            "Host-local PMem Default Storage Policy",
            "Storage policy used as default for Host-local PMem datastores",
            ["PMem.PMemType=LocalPMem"],
        ),
    ]


def test_storage_policies_from_vcsim(scenario: Scenario, si: Any) -> None:
    out = Recorder()
    ids = Ids(scenario.vc)
    vm_ids = [f"{scenario.vc}:{m}" for m in scenario.vm_morefs]
    collect_storage_policies(si, scenario.target(), ids, vm_ids, out.sink, out.gap)

    assert out.gaps == []
    gold = r.StoragePolicy(
        id=f"{scenario.vc}:spbm:{scenario.profile_id}",
        profile_id=scenario.profile_id,
        name="Gold tier",
        description="Tier-1 databases",
        resource_type="STORAGE",
        rules=[
            "[tagged] tag-based: category StorageTier in [gold, silver]",
            "[vsan] VSAN.hostFailuresToTolerate=2",
            "[vsan] VSAN.forceProvisioning=true",
        ],
    )
    # vcsim never reports associations: only the policies come back.
    assert out.records == [*_builtin_policies(scenario.vc), gold]


def test_association_entities_use_real_disk_keys(scenario: Scenario, si: Any) -> None:
    """The entities sent to PbmQueryAssociatedProfiles, built from vcsim's VMs (each has
    one disk, key 204): a VM-home ref and a virtualDiskId ref per VM; foreign ids skipped."""
    out = Recorder()
    vm_ids = [f"{scenario.vc}:{m}" for m in scenario.vm_morefs] + ["other-vc:vm-1"]
    entities = association_entities(si, Ids(scenario.vc), vm_ids, out.gap)
    got = [(e.objectType, e.key) for e in entities]
    expected: list[tuple[str, str]] = []
    for moref in scenario.vm_morefs:
        expected += [("virtualMachine", moref), ("virtualDiskId", f"{moref}:204")]
    assert got == expected
    assert out.gaps == []


# -- (b) associations from recorded responses --------------------------------------------------
VC = "aaaaaaaa-0000-0000-0000-000000000001"
GOLD = "5b3a1d2e-0000-4000-8000-00000000c01d"
POLICIES = {GOLD: f"{VC}:spbm:{GOLD}", VSAN_DEFAULT: f"{VC}:spbm:{VSAN_DEFAULT}"}


def _result(object_type: str, key: str, *profiles: str, fault: Any = None) -> Any:
    """One ``pbm.profile.QueryProfileResult`` as vCenter returns it."""
    return P.QueryProfileResult(
        object=pbm.ServerObjectRef(objectType=object_type, key=key, serverUuid=VC),
        profileId=[P.ProfileId(uniqueId=p) for p in profiles],
        fault=fault,
    )


RECORDED_RESULTS = [
    _result("virtualMachine", "vm-42", GOLD),
    _result("virtualDiskId", "vm-42:2000", GOLD),
    _result("virtualDiskId", "vm-42:2001", VSAN_DEFAULT),
    _result("virtualMachine", "vm-43"),  # no policy: datastore default
    _result("virtualDiskId", "vm-43:2000", "not-a-storage-profile"),
    _result("virtualMachine", "vm-44", GOLD, VSAN_DEFAULT),
    _result(
        "virtualMachine",
        "vm-45",
        fault=vim.fault.NoPermission(msg="Permission to perform this operation was denied."),
    ),
    _result("virtualDiskUUID", "6000C29a-1111-2222-3333-444455556666", GOLD),
]


def test_associations_from_recorded_results() -> None:
    out = Recorder()
    records = list(map_associations(RECORDED_RESULTS, Ids(VC), POLICIES, out.gap))

    def assoc(vm: str, disk: int | None, policy: str) -> r.StoragePolicyAssociation:
        vm_id = f"{VC}:{vm}"
        return r.StoragePolicyAssociation(
            id=f"{vm_id}:spbm:home" if disk is None else f"{vm_id}:spbm:disk:{disk}",
            object_type="vm_home" if disk is None else "disk",
            disk_key=disk,
            vm=vm_id,
            policy=POLICIES[policy],
        )

    assert records == [
        assoc("vm-42", None, GOLD),
        assoc("vm-42", 2000, GOLD),
        assoc("vm-42", 2001, VSAN_DEFAULT),
        assoc("vm-44", None, GOLD),
    ]
    assert out.gaps == [
        (
            "StoragePolicyAssociation",
            f"2 storage policies on one object; only {POLICIES[GOLD]} kept",
            "vm-44",
        ),
        (
            "StoragePolicyAssociation",
            "vim.fault.NoPermission: Permission to perform this operation was denied.",
            "vm-45",
        ),
    ]


class ReplayingManager:
    """The real vcsim ProfileManager, except that PbmQueryAssociatedProfiles answers from
    recorded results (and records the batches it was sent)."""

    def __init__(self, real: Any, answers: dict[tuple[str, str], list[str]]) -> None:
        self.real = real
        self.answers = answers
        self.batches: list[list[tuple[str, str]]] = []

    def PbmQueryProfile(self, **kwargs: Any) -> Any:
        return self.real.PbmQueryProfile(**kwargs)

    def PbmRetrieveContent(self, **kwargs: Any) -> Any:
        return self.real.PbmRetrieveContent(**kwargs)

    def PbmQueryAssociatedProfiles(self, entities: list[Any]) -> list[Any]:
        sent = [(e.objectType, e.key) for e in entities]
        self.batches.append(sent)
        return [_result(kind, key, *self.answers[(kind, key)]) for kind, key in sent]


def test_collection_with_replayed_association_answers(
    scenario: Scenario, si: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Policies from vcsim, associations replayed in the documented shape, in batches."""
    vm, other = scenario.vm_morefs
    answers = {
        ("virtualMachine", vm): [scenario.profile_id],
        ("virtualDiskId", f"{vm}:204"): [VSAN_DEFAULT],
        ("virtualMachine", other): [],
        ("virtualDiskId", f"{other}:204"): [scenario.profile_id],
    }
    real = spbm._profile_manager
    replaying: list[ReplayingManager] = []

    def fake(*args: Any) -> ReplayingManager:
        replaying.append(ReplayingManager(real(*args), answers))
        return replaying[0]

    monkeypatch.setattr(spbm, "_profile_manager", fake)
    monkeypatch.setattr(spbm, "IDS_PER_CALL", 3)
    out = Recorder()
    ids = Ids(scenario.vc)
    vm_ids = [f"{scenario.vc}:{m}" for m in scenario.vm_morefs]
    collect_storage_policies(si, scenario.target(), ids, vm_ids, out.sink, out.gap)

    assert out.gaps == []
    assert [len(b) for b in replaying[0].batches] == [3, 1]
    gold_id = f"{scenario.vc}:spbm:{scenario.profile_id}"
    assert out.of(r.StoragePolicyAssociation) == [
        r.StoragePolicyAssociation(
            id=f"{scenario.vc}:{vm}:spbm:home",
            object_type="vm_home",
            vm=f"{scenario.vc}:{vm}",
            policy=gold_id,
        ),
        r.StoragePolicyAssociation(
            id=f"{scenario.vc}:{vm}:spbm:disk:204",
            object_type="disk",
            disk_key=204,
            vm=f"{scenario.vc}:{vm}",
            policy=f"{scenario.vc}:spbm:{VSAN_DEFAULT}",
        ),
        r.StoragePolicyAssociation(
            id=f"{scenario.vc}:{other}:spbm:disk:204",
            object_type="disk",
            disk_key=204,
            vm=f"{scenario.vc}:{other}",
            policy=gold_id,
        ),
    ]


def test_rule_summaries_of_recorded_profile() -> None:
    """Operators and value types the vcsim built-ins lack, in one recorded profile."""
    profile = P.CapabilityBasedProfile(
        profileId=P.ProfileId(uniqueId="rec-1"),
        name="Replicated, not on slow tiers",
        description="",
        profileCategory="REQUIREMENT",
        resourceType=P.ResourceType(resourceType="STORAGE"),
        constraints=P.SubProfileCapabilityConstraints(
            subProfiles=[
                _sub(
                    "only rule set",
                    _capability(
                        TAG_NS,
                        "Tier",
                        "com.vmware.storage.tag.Tier.property",
                        CAP.types.DiscreteSet(values=["bronze", "archive"]),
                        op="NOT",
                    ),
                    _capability(
                        "com.acme.array",
                        "iops",
                        "iops",
                        CAP.types.Range(min=1000, max=5000),
                    ),
                    _capability(
                        "com.acme.array",
                        "rpo",
                        "rpo",
                        CAP.types.TimeSpan(value=15, unit="MINUTES"),
                    ),
                    _capability("com.acme.array", "dedup", "enabled", False, op="NOT"),
                )
            ]
        ),
    )
    assert policy_record(profile, Ids(VC)) == r.StoragePolicy(
        id=f"{VC}:spbm:rec-1",
        profile_id="rec-1",
        name="Replicated, not on slow tiers",
        description=None,
        resource_type="STORAGE",
        rules=[
            "tag-based: category Tier not in [bronze, archive]",
            "com.acme.array.iops in 1000..5000",
            "com.acme.array.rpo=15 MINUTES",
            "com.acme.array.dedup.enabled!=false",
        ],
    )


# -- (c) tags on vcsim -------------------------------------------------------------------------
def test_tags_from_vcsim(scenario: Scenario, caplog: pytest.LogCaptureFixture) -> None:
    out = Recorder()
    vc = scenario.vc
    with caplog.at_level(logging.DEBUG, logger="ingest.vcenter.tags"):
        collect_tags(scenario.target(), Ids(vc), out.sink, out.gap)

    assert out.gaps == []
    assert "using /rest paths" in caplog.text  # vcsim answers 404 to POST /api/session
    env, owner = scenario.categories["Environment"], scenario.categories["Owner"]
    categories = [
        r.TagCategory(
            id=f"{vc}:tagcat:{env}",
            category_id=env,
            name="Environment",
            description="Where a workload runs",
            cardinality="SINGLE",
            associable_types=["HostSystem", "VirtualMachine"],
        ),
        r.TagCategory(
            id=f"{vc}:tagcat:{owner}",
            category_id=owner,
            name="Owner",
            cardinality="MULTIPLE",
        ),
    ]
    tags = [
        r.Tag(
            id=f"{vc}:tag:{scenario.tags['prod']}",
            tag_id=scenario.tags["prod"],
            name="prod",
            description="Production",
            category=f"{vc}:tagcat:{env}",
            attached_to=sorted([f"{vc}:{scenario.vm}", f"{vc}:{scenario.host}"]),
        ),
        r.Tag(
            id=f"{vc}:tag:{scenario.tags['dev']}",
            tag_id=scenario.tags["dev"],
            name="dev",
            category=f"{vc}:tagcat:{env}",
        ),
        r.Tag(
            id=f"{vc}:tag:{scenario.tags['team-db']}",
            tag_id=scenario.tags["team-db"],
            name="team-db",
            description="Database team",
            category=f"{vc}:tagcat:{owner}",
            attached_to=sorted([f"{vc}:{scenario.vm}", f"{vc}:{scenario.cluster}"]),
        ),
    ]
    # Categories first, then tags; each group in id order.
    assert out.records == sorted(categories, key=lambda c: c.category_id) + sorted(
        tags, key=lambda t: t.tag_id
    )


def _modern_vapi(calls: list[tuple[str, str, Any]], *, fail_tags: bool = False) -> Any:
    """A recorded vCenter 8 ``/api`` tagging service (payloads not wrapped)."""
    cat = "urn:vmomi:InventoryServiceCategory:c1:GLOBAL"
    tag = "urn:vmomi:InventoryServiceTag:t1:GLOBAL"

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        calls.append((request.method, request.url.raw_path.decode(), body))
        path = request.url.path
        if path == "/api/session" and request.method == "POST":
            assert request.headers["authorization"].startswith("Basic ")
            return httpx.Response(201, json="sess-1")
        assert request.headers.get("vmware-api-session-id") == "sess-1"
        if path == "/api/session" and request.method == "DELETE":
            return httpx.Response(204)
        if fail_tags and path.startswith("/api/cis/tagging/tag"):
            return httpx.Response(503, text="vAPI endpoint unavailable")
        routes: dict[str, Any] = {
            "/api/cis/tagging/category": [cat],
            f"/api/cis/tagging/category/{cat}": {
                "id": cat,
                "name": "Backup",
                "description": "Backup class",
                "cardinality": "SINGLE",
                "associable_types": [],
                "used_by": [],
            },
            "/api/cis/tagging/tag": [tag],
            f"/api/cis/tagging/tag/{tag}": {
                "id": tag,
                "category_id": cat,
                "name": "daily",
                "description": "",
                "used_by": [],
            },
            "/api/cis/tagging/tag-association": [
                {
                    "tag_id": tag,
                    "object_ids": [
                        {"type": "VirtualMachine", "id": "vm-9"},
                        {"type": "Datastore", "id": "datastore-3"},
                    ],
                }
            ],
        }
        return httpx.Response(200, json=routes[path])

    return handler


def test_tags_modern_api_from_recorded_responses() -> None:
    calls: list[tuple[str, str, Any]] = []
    out = Recorder()
    target = VCenterTarget("vc.example.test", "reader@vsphere.local", "s3cret")
    with httpx.Client(transport=httpx.MockTransport(_modern_vapi(calls))) as client:
        collect_tags(target, Ids(VC), out.sink, out.gap, client=client)

    cat = "urn:vmomi:InventoryServiceCategory:c1:GLOBAL"
    tag = "urn:vmomi:InventoryServiceTag:t1:GLOBAL"
    assert out.gaps == []
    assert out.records == [
        r.TagCategory(
            id=f"{VC}:tagcat:{cat}",
            category_id=cat,
            name="Backup",
            description="Backup class",
            cardinality="SINGLE",
        ),
        r.Tag(
            id=f"{VC}:tag:{tag}",
            tag_id=tag,
            name="daily",
            category=f"{VC}:tagcat:{cat}",
            attached_to=[f"{VC}:datastore-3", f"{VC}:vm-9"],
        ),
    ]
    assert calls[0][:2] == ("POST", "/api/session")
    assert (
        "POST",
        "/api/cis/tagging/tag-association?action=list-attached-objects-on-tags",
        {"tag_ids": [tag]},
    ) in calls
    assert calls[-1][:2] == ("DELETE", "/api/session")


def test_tags_server_error_is_a_gap_and_logs_out() -> None:
    calls: list[tuple[str, str, Any]] = []
    out = Recorder()
    target = VCenterTarget("vc.example.test", "reader@vsphere.local", "s3cret")
    transport = httpx.MockTransport(_modern_vapi(calls, fail_tags=True))
    with httpx.Client(transport=transport) as client:
        collect_tags(target, Ids(VC), out.sink, out.gap, client=client)

    assert [type(rec) for rec in out.records] == [r.TagCategory]
    assert out.gaps == [
        (
            "Tag",
            "vAPI at vc.example.test:443 answered HTTP 503 to /api/cis/tagging/tag",
            None,
        )
    ]
    assert calls[-1][:2] == ("DELETE", "/api/session")


# -- (d) failures ------------------------------------------------------------------------------
def test_tags_wrong_password_is_a_gap(scenario: Scenario) -> None:
    out = Recorder()
    collect_tags(scenario.target(WRONG_PASSWORD), Ids(scenario.vc), out.sink, out.gap)
    assert out.records == []
    assert out.gaps == [
        (
            "Tag",
            f"vAPI at {scenario.sim.host}:{scenario.sim.port} refused the credentials of user "
            f"'{scenario.sim.username}' (HTTP 401)",
            None,
        )
    ]
    assert WRONG_PASSWORD not in repr(out.gaps)


def test_tls_verification_stays_on_by_default(scenario: Scenario, si: Any) -> None:
    """Without ``insecure`` vcsim's self-signed certificate is refused by both collectors."""
    out = Recorder()
    target = scenario.target(insecure=False)
    collect_tags(target, Ids(scenario.vc), out.sink, out.gap)
    collect_storage_policies(si, target, Ids(scenario.vc), [], out.sink, out.gap)
    assert out.records == []
    assert [(what, "TLS verification" in reason) for what, reason, _ in out.gaps] == [
        ("Tag", True),
        ("StoragePolicy", True),
    ]


def test_unreadable_ca_file_is_a_gap(scenario: Scenario, si: Any, tmp_path: Path) -> None:
    out = Recorder()
    target = VCenterTarget(
        scenario.sim.host,
        scenario.sim.username,
        scenario.sim.password,
        scenario.sim.port,
        ca_file=tmp_path / "missing-ca.pem",
    )
    collect_tags(target, Ids(scenario.vc), out.sink, out.gap)
    collect_storage_policies(si, target, Ids(scenario.vc), [], out.sink, out.gap)
    assert out.records == []
    assert [(what, "cannot set up TLS" in reason) for what, reason, _ in out.gaps] == [
        ("Tag", True),
        ("StoragePolicy", True),
    ]


def test_spbm_with_logged_out_session_is_a_gap(scenario: Scenario) -> None:
    service_instance = _connect(scenario.sim)
    Disconnect(service_instance)  # the cookie is still on the stub, the session is gone
    out = Recorder()
    collect_storage_policies(
        service_instance, scenario.target(), Ids(scenario.vc), ["x"], out.sink, out.gap
    )
    assert out.records == []
    assert len(out.gaps) == 1
    what, reason, entity = out.gaps[0]
    assert (what, entity) == ("StoragePolicy", None)
    assert "NotAuthenticated" in reason


def test_stopped_server_gives_gaps() -> None:
    sim = VcsimServer(ensure_vcsim_binary(), cluster=0, vm=0).start()
    try:
        service_instance = _connect(sim)
        vc = service_instance.RetrieveContent().about.instanceUuid
        target = VCenterTarget(sim.host, sim.username, sim.password, sim.port, insecure=True)
    finally:
        sim.stop()
    out = Recorder()
    started = time.monotonic()
    collect_storage_policies(service_instance, target, Ids(vc), [f"{vc}:vm-1"], out.sink, out.gap)
    collect_tags(target, Ids(vc), out.sink, out.gap)
    assert time.monotonic() - started < 10
    assert out.records == []
    assert [(what, entity) for what, _, entity in out.gaps] == [
        ("StoragePolicy", None),
        ("Tag", None),
    ]
    where = f"{sim.host}:{sim.port}"
    assert out.gaps[0][1].startswith(f"cannot reach SPBM at {where}/pbm: ")
    assert out.gaps[1][1].startswith(f"cannot reach vAPI at {where}: ")
    assert sim.password not in repr(out.gaps)
