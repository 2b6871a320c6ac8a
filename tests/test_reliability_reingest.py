"""Ownership survives repeated re-ingests of a changing vCenter (issue 9, reliability).

One small vcsim; a scenario built through the vSphere API (an anti-affinity rule, a per-VM DRS
override on a VM that will be destroyed, a folder with a permission on it); the first ingest
through the CLI; decisions assigned, accepted, enforced and verified with ``app.lifecycle``.
Then 20 re-ingests, each after one change made through the vSphere API: DRS rules added and
removed, VMs created (with a DRS override) and destroyed, VMs and a folder renamed,
permissions changed, added and removed; every fifth round also records one more ownership
step. After every ingest: the counts of assignments, enforcements, verifications and events
never decrease; every decision seen before still has its id, is active or retired (with
``retired_at``), and keeps its ownership and its events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pyVim.connect import Disconnect
from pyVmomi import vim

from app import lifecycle as ownership
from app.graph import Graph
from tests.conftest import Neo4jInstance, query
from tests.support.ingest import ingest_vcenter
from tests.support.vcsim import VcsimServer, ensure_vcsim_binary
from tests.support.vsphere import connect, find, wait_for_task

ROUNDS = 20
VM0, VM1 = "DC0_C0_RP0_VM0", "DC0_C0_RP0_VM1"


class Scenario:
    """The simulator seen through pyVmomi, with the changes the rounds make."""

    def __init__(self, si: Any) -> None:
        self.content = si.RetrieveContent()
        self.auth = self.content.authorizationManager
        self.dc = find(self.content, vim.Datacenter, "DC0")
        self.cluster = find(self.content, vim.ClusterComputeResource, "DC0_C0")
        self.vms = {name: find(self.content, vim.VirtualMachine, name) for name in (VM0, VM1)}
        self.folder = self.dc.vmFolder.CreateFolder("apps")
        self.rules: list[str] = []
        self.temp_vms: list[Any] = []
        self.temp_principals: list[str] = []
        self.alice_role = -2

    # -- building blocks -------------------------------------------------------------------

    def _reconfigure(self, **spec: Any) -> None:
        task = self.cluster.ReconfigureComputeResource_Task(vim.cluster.ConfigSpecEx(**spec), True)
        wait_for_task(task)

    def add_rule(self, name: str) -> None:
        vms = list(self.vms.values())
        info = vim.cluster.AntiAffinityRuleSpec(name=name, enabled=True, mandatory=False, vm=vms)
        self._reconfigure(rulesSpec=[vim.cluster.RuleSpec(operation="add", info=info)])
        self.rules.append(name)

    def remove_rule(self, name: str) -> None:
        key = next(r.key for r in self.cluster.configurationEx.rule if r.name == name)
        self._reconfigure(rulesSpec=[vim.cluster.RuleSpec(operation="remove", removeKey=key)])
        self.rules.remove(name)

    def create_vm(self, name: str) -> Any:
        """A powered-off VM in the cluster with a manual DRS override (a decision of its own)."""
        config = vim.vm.ConfigSpec(
            name=name, numCPUs=1, memoryMB=128, files=vim.vm.FileInfo(vmPathName="[LocalDS_0]")
        )
        pool = self.cluster.resourcePool
        wait_for_task(self.folder.CreateVM_Task(config=config, pool=pool))
        vm = find(self.content, vim.VirtualMachine, name)
        override = vim.cluster.DrsVmConfigInfo(key=vm, enabled=True, behavior="manual")
        self._reconfigure(
            drsVmConfigSpec=[vim.cluster.DrsVmConfigSpec(operation="add", info=override)]
        )
        self.temp_vms.append(vm)
        return vm

    def destroy_vm(self, vm: Any) -> None:
        wait_for_task(vm.Destroy_Task())  # created powered off
        self.temp_vms.remove(vm)

    def set_permissions(self, entity: Any, grants: list[tuple[str, bool, int]]) -> None:
        """Replace ``entity``'s permissions with (principal, is_group, role id) grants."""
        perm = vim.AuthorizationManager.Permission
        self.auth.SetEntityPermissions(
            entity,
            [
                perm(entity=entity, principal=p, group=g, roleId=r, propagate=True)
                for p, g, r in grants
            ],
        )

    def dc_grants(self) -> None:
        self.set_permissions(
            self.dc, [("CORP\\alice", False, self.alice_role), ("CORP\\ops", True, -1)]
        )

    def cluster_grants(self) -> None:
        self.set_permissions(self.cluster, [(p, False, -2) for p in self.temp_principals])

    # -- the change each round makes --------------------------------------------------------

    def change(self, round_no: int) -> str:
        step = round_no % 6
        if step == 0:
            self.add_rule(f"apart-{round_no}")
            return "add DRS rule"
        if step == 1:
            self.remove_rule(self.rules[0])  # the oldest first: the owned rule in round 1
            return "remove DRS rule"
        if step == 2:
            vm = self.vms[VM0]
            wait_for_task(vm.Rename_Task(f"web-{round_no}"))
            wait_for_task(self.folder.Rename_Task(f"apps-{round_no}"))
            return "rename VM and folder"
        if step == 3:
            self.alice_role = -5 if self.alice_role == -2 else -2
            self.dc_grants()
            return "change permission role"
        if step == 4:
            if self.temp_principals:
                self.temp_principals.pop(0)
            self.temp_principals.append(f"CORP\\temp-{round_no}")
            self.cluster_grants()
            return "add and remove permissions"
        if self.temp_vms:
            self.destroy_vm(self.temp_vms[0])  # the oldest first: the owned one in round 5
        self.create_vm(f"tmp-{round_no}")
        return "destroy and create VM"


@pytest.fixture(scope="module")
def vcsim() -> Iterator[VcsimServer]:
    with VcsimServer(ensure_vcsim_binary(), cluster=1, host=2, vm=2, standalone_host=0) as sim:
        yield sim


def _counts(instance: Neo4jInstance) -> dict[str, int]:
    rows = query(
        instance,
        "RETURN COUNT { ()-[:ASSIGNED_TO]->() } AS assignments, "
        "COUNT { (:Enforcement) } AS enforcements, COUNT { (:Verification) } AS verifications, "
        "COUNT { (:Event) } AS events, COUNT { ()-[:HAS_EVENT]->(:Event) } AS linked_events",
    )
    return dict(rows[0])


def _decisions(instance: Neo4jInstance) -> dict[str, dict[str, Any]]:
    rows = query(
        instance,
        "MATCH (d:Decision) "
        "RETURN d.id AS id, d.status AS status, d.retired_at IS NOT NULL AS has_retired_at, "
        "d.ownership_status AS ownership, d.version AS version, "
        "COLLECT { MATCH (d)-[:ASSIGNED_TO]->(t:Team) RETURN t.name } AS teams, "
        "COLLECT { MATCH (d)-[:HAS_EVENT]->(e:Event) RETURN e.id ORDER BY e.id } AS events, "
        "COLLECT { MATCH (d)-[:ENFORCED_BY]->(e:Enforcement) RETURN e.id ORDER BY e.id } "
        "  AS enforcements",
    )
    return {r["id"]: r for r in rows}


def _own(graph: Graph, decision: str, *, verified: bool = True) -> None:
    ownership.assign(graph, decision, "team-a", "test")
    ownership.accept(graph, decision, "test")
    ownership.enforce(graph, decision, "test", platform="pve", reference=f"ctl {decision}")
    if verified:
        ownership.verify(graph, decision, "test", method="config_check", result="pass")


def test_twenty_reingests_keep_ownership_and_history(
    graph: Graph, neo4j_instance: Neo4jInstance, vcsim: VcsimServer
) -> None:
    si = connect(vcsim)
    try:
        world = Scenario(si)
        world.add_rule("apart-owned")
        world.dc_grants()
        world.set_permissions(world.folder, [("CORP\\web-ops", True, -2)])
        owned_vm = world.create_vm("tmp-owned")
        ingest_vcenter(neo4j_instance, vcsim)

        ownership.upsert_team(graph, ownership.Team(name="team-a"), "test")
        ownership.upsert_platform(graph, ownership.TargetPlatform(name="pve", kind="PVE"), "t")
        ids = {
            r["key"]: r["id"]
            for r in query(
                neo4j_instance,
                "MATCH (d:Decision {status: 'active'}) "
                "WITH d, coalesce(d.evidence_names, []) AS names "
                "WITH d, CASE "
                "  WHEN d.kind = 'vm_anti_affinity' AND 'apart-owned' IN names THEN 'rule' "
                "  WHEN d.kind = 'vm_drs_override' AND 'tmp-owned' IN names THEN 'vm' "
                "  WHEN d.kind = 'permission' AND 'apps' IN names THEN 'folder' "
                "  WHEN d.kind = 'permission' AND $alice IN names THEN 'alice' END AS key "
                "WHERE key IS NOT NULL RETURN key, d.id AS id",
                alice="CORP\\alice",
            )
        }
        assert set(ids) == {"rule", "vm", "folder", "alice"}, ids
        _own(graph, ids["rule"])  # retired in round 1
        _own(graph, ids["vm"])  # retired in round 5
        _own(graph, ids["folder"])  # its folder is renamed
        _own(graph, ids["alice"], verified=False)  # its role changes
        assert _counts(neo4j_instance)["events"] == 15

        counts, seen = _counts(neo4j_instance), _decisions(neo4j_instance)
        changes: list[str] = []
        for round_no in range(1, ROUNDS + 1):
            changes.append(world.change(round_no))
            if round_no % 5 == 0:  # the ownership keeps moving between ingests too
                state = ownership.state(graph, ids["alice"])
                ownership.verify(
                    graph, ids["alice"], "test", method="dr_drill",
                    result="pass" if round_no % 10 else "fail", expected_version=state.version,
                )  # fmt: skip
                counts, seen = _counts(neo4j_instance), _decisions(neo4j_instance)
            ingest_vcenter(neo4j_instance, vcsim)
            now, decisions = _counts(neo4j_instance), _decisions(neo4j_instance)
            where = f"round {round_no} ({changes[-1]})"
            for name, value in counts.items():
                assert now[name] >= value, (where, name, counts, now)
            assert now["events"] == now["linked_events"], where
            for decision_id, before in seen.items():
                assert decision_id in decisions, f"{where}: decision {decision_id} deleted"
                after = decisions[decision_id]
                assert after["status"] in ("active", "retired"), (where, after)
                assert after["has_retired_at"] == (after["status"] == "retired"), (where, after)
                for key in ("ownership", "version", "teams", "events", "enforcements"):
                    assert after[key] == before[key], (where, decision_id, key, before, after)
            counts, seen = now, decisions

        check(ids, seen, world, owned_vm, graph)
    finally:
        Disconnect(si)


def check(
    ids: dict[str, str],
    decisions: dict[str, dict[str, Any]],
    world: Scenario,
    owned_vm: Any,
    graph: Graph,
) -> None:
    """The rounds did what they claim: retired the owned rule and VM override, kept the
    renamed folder's and the changed permission's decisions active, under the same ids."""
    status: Callable[[str], str] = lambda key: decisions[ids[key]]["status"]  # noqa: E731
    assert (status("rule"), status("vm")) == ("retired", "retired")
    assert (status("folder"), status("alice")) == ("active", "active")
    assert owned_vm not in world.temp_vms
    for key in ("rule", "vm", "folder"):
        state = ownership.state(graph, ids[key])
        assert (state.status, state.team, state.version) == ("verified", "team-a", 4)
        assert len(decisions[ids[key]]["events"]) == 4
    assert len(decisions[ids["alice"]]["events"]) == 3 + ROUNDS // 5
    retired = [d for d in decisions.values() if d["status"] == "retired"]
    assert len(retired) >= 2 + ROUNDS // 6  # the removed rules, destroyed VMs, permissions
    with pytest.raises(ownership.OwnershipError, match="retired"):
        ownership.assign(graph, ids["rule"], "team-a", "test")
