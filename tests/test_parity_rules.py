"""Pure parity rules: placement, capacity and network VLAN, every status (table-driven).
The same rules run against the real kube-apiserver in tests/test_parity_kube.py."""

from __future__ import annotations

from typing import Any

import pytest

from app.parity.capacity import MB, Quota, SourceAllocation, pool_allocation, vm_allocation
from app.parity.model import TargetNode, TargetVM, Verdict, combine
from app.parity.network import Nad, PortGroup, port_group
from app.parity.placement import vm_host_rule, vm_vm_rule
from app.records.kubernetes import (
    LabelSelector,
    NodeAffinityTerm,
    NodeSelectorTerm,
    PodAffinityTerm,
    SelectorRequirement,
)

HOST = "kubernetes.io/hostname"


def _term(anti: bool, required: bool, app: str, key: str = HOST) -> PodAffinityTerm:
    return PodAffinityTerm(
        anti=anti,
        required=required,
        weight=None if required else 50,
        topology_key=key,
        label_selector=LabelSelector(match_labels={"app": app}),
    )


def _vm(name: str, app: str = "db", ns: str = "prod", **kw: Any) -> TargetVM:
    return TargetVM(id=name, namespace=ns, name=name, labels={"app": app}, **kw)


@pytest.mark.parametrize(
    ("terms", "others", "status", "says"),
    [
        (
            {"a": [_term(True, True, "db")], "b": [_term(True, True, "db")]},
            [],
            "enforced",
            "keeps them apart",
        ),
        (
            {"a": [_term(True, False, "db")], "b": [_term(True, False, "db")]},
            [],
            "drifted",
            "only preferred",
        ),
        (
            {"a": [_term(True, True, "db")], "b": []},
            [],
            "drifted",
            "prod/b has no pod anti-affinity",
        ),
        (
            {"a": [_term(True, True, "db")], "b": [_term(True, True, "db")]},
            ["c"],
            "drifted",
            "also selects prod/c",
        ),
        (
            {
                "a": [_term(True, True, "db", "topology.kubernetes.io/zone")],
                "b": [_term(True, True, "db")],
            },
            [],
            "drifted",
            "on topology.kubernetes.io/zone",
        ),
        (
            {"a": [_term(True, True, "web")], "b": [_term(True, True, "web")]},
            [],
            "drifted",
            "does not select",
        ),
        ({"a": [], "b": []}, [], "missing", "no pod anti-affinity"),
        (
            {"a": [_term(False, True, "db")], "b": [_term(False, True, "db")]},
            [],
            "missing",
            "no pod anti-affinity",
        ),
    ],
)
def test_vm_anti_affinity(
    terms: dict[str, list[PodAffinityTerm]], others: list[str], status: str, says: str
) -> None:
    members = [_vm(n, pod_affinity=tuple(t)) for n, t in terms.items()]
    extra = [_vm(n) for n in others] + [_vm("elsewhere", ns="other")]
    verdict = vm_vm_rule(True, members, members + extra)
    assert verdict.status == status, verdict.explanation
    assert any(says in line for line in verdict.explanation), verdict.explanation


def test_vm_affinity_enforced() -> None:
    members = [_vm(n, pod_affinity=(_term(False, True, "db"),)) for n in ("a", "b")]
    verdict = vm_vm_rule(False, members, members)
    assert verdict.status == "enforced"
    assert {e.name for e in verdict.evidence} == {"prod/a", "prod/b"}


NODES = [TargetNode(f"n{i}", f"node-{i}", {"rack": "b" if i > 1 else "a"}) for i in range(1, 5)]


def _node_aff(required: bool, names: list[str], op: str = "In") -> NodeAffinityTerm:
    term = NodeSelectorTerm(
        match_expressions=[SelectorRequirement(key=HOST, operator=op, values=names)]
    )
    return NodeAffinityTerm(required=required, weight=None if required else 10, term=term)


@pytest.mark.parametrize(
    ("kw", "must", "anti", "status"),
    [
        ({"node_affinity": (_node_aff(True, ["node-1", "node-2"]),)}, True, False, "enforced"),
        ({"node_affinity": (_node_aff(False, ["node-1", "node-2"]),)}, True, False, "drifted"),
        ({"node_affinity": (_node_aff(True, ["node-1"]),)}, True, False, "drifted"),
        ({"node_affinity": (_node_aff(False, ["node-1", "node-2"]),)}, False, False, "enforced"),
        ({"node_affinity": (_node_aff(True, ["node-1", "node-2"]),)}, False, False, "drifted"),
        (
            {"node_affinity": (_node_aff(True, ["node-1", "node-2"], "NotIn"),)},
            True,
            True,
            "enforced",
        ),
        ({"node_affinity": (_node_aff(True, ["node-1"], "NotIn"),)}, True, True, "drifted"),
        ({"node_selector": {"rack": "a"}}, True, False, "drifted"),
        ({}, True, False, "missing"),
    ],
)
def test_vm_host_rule(kw: dict[str, Any], must: bool, anti: bool, status: str) -> None:
    members = [_vm("a", **kw), _vm("b", **kw)]
    verdict = vm_host_rule(members, NODES, frozenset({"node-1", "node-2"}), must=must, anti=anti)
    assert verdict.status == status, verdict.explanation


def test_vm_host_rule_nodes_by_selector_and_no_nodes() -> None:
    members = [_vm("a", node_selector={"rack": "a"})]
    assert (
        vm_host_rule(members, NODES, frozenset({"node-1"}), must=True, anti=False).status
        == "enforced"
    )
    verdict = vm_host_rule(members, NODES, frozenset(), must=True, anti=False)
    assert verdict.status == "missing" and "host map" in verdict.explanation[0]


GiB = 1024 * MB


@pytest.mark.parametrize(
    ("alloc", "kw", "mhz", "status"),
    [
        (SourceAllocation(mem_reservation=2048), {"memory_request_b": 2 * GiB}, None, "enforced"),
        (SourceAllocation(mem_reservation=2048), {"memory_request_b": GiB}, None, "drifted"),
        (SourceAllocation(mem_reservation=2048), {}, None, "missing"),
        (SourceAllocation(mem_limit=4096), {"memory_limit_b": 4 * GiB}, None, "enforced"),
        (SourceAllocation(mem_limit=4096), {"memory_limit_b": 8 * GiB}, None, "drifted"),
        (SourceAllocation(cpu_reservation=2000), {"cpu_request_m": 1000}, 2000.0, "enforced"),
        (SourceAllocation(cpu_reservation=4000), {"cpu_request_m": 1000}, 2000.0, "drifted"),
        (SourceAllocation(cpu_reservation=4000), {"cpu_request_m": 1000}, None, "enforced"),
        (SourceAllocation(cpu_limit=3000), {"cpu_limit_m": 1500}, 2000.0, "enforced"),
        (SourceAllocation(cpu_shares_level="high"), {}, None, "gap"),
        (
            SourceAllocation(mem_reservation=1024, cpu_shares_level="low"),
            {"memory_request_b": GiB},
            None,
            "gap",
        ),
        (SourceAllocation(mem_reservation=1024, cpu_shares_level="low"), {}, None, "missing"),
    ],
)
def test_vm_allocation(
    alloc: SourceAllocation, kw: dict[str, Any], mhz: float | None, status: str
) -> None:
    verdict = vm_allocation(alloc, _vm("a", **kw), mhz)
    assert verdict.status == status, verdict.explanation


def test_pool_allocation() -> None:
    q = [
        Quota("q1", "prod", "cap", memory_limit_b=8 * GiB, cpu_limit_m=4000),
        Quota("q2", "dev", "cap", memory_limit_b=GiB),
    ]
    assert pool_allocation(SourceAllocation(mem_limit=8192), ["prod"], q).status == "enforced"
    assert (
        pool_allocation(
            SourceAllocation(mem_limit=8192, cpu_limit=8000), ["prod"], q, 2000.0
        ).status
        == "enforced"
    )
    assert pool_allocation(SourceAllocation(mem_limit=8192), ["prod", "dev"], q).status == "drifted"
    assert pool_allocation(SourceAllocation(mem_limit=8192), ["other"], q).status == "missing"
    reserved = pool_allocation(SourceAllocation(mem_limit=8192, mem_reservation=1024), ["prod"], q)
    assert reserved.status == "gap"
    assert [e.name for e in reserved.evidence] == ["prod/cap"]


NADS = [
    Nad("nad1", "prod", "vlan120", vlan=120, cni_type="bridge"),
    Nad("nad2", "prod", "vlan130", vlan=130),
]


@pytest.mark.parametrize(
    ("pg", "networks", "had_vms", "status"),
    [
        (PortGroup("pg", vlan_id=120), [["prod/vlan120"], ["prod/vlan120"]], True, "enforced"),
        (PortGroup("pg", vlan_id=120), [["prod/vlan120"], ["prod/vlan130"]], True, "drifted"),
        (PortGroup("pg", vlan_id=120), [[], []], True, "drifted"),
        (PortGroup("pg", vlan_id=120), [], False, "enforced"),
        (PortGroup("pg", vlan_id=999), [], False, "missing"),
        (PortGroup("pg", vlan_id=999), [["prod/vlan120"]], True, "missing"),
        (PortGroup("pg", pvlan_id=5), [], False, "gap"),
    ],
)
def test_port_group(pg: PortGroup, networks: list[list[str]], had_vms: bool, status: str) -> None:
    vms = [_vm(f"v{i}", networks=tuple(n)) for i, n in enumerate(networks)]
    verdict = port_group(pg, vms, NADS, had_vms)
    assert verdict.status == status, verdict.explanation


def test_combine_order() -> None:
    parts = [Verdict("enforced"), Verdict("gap", ["g"]), Verdict("drifted", ["d"])]
    assert combine(parts).status == "drifted"
    assert combine(parts[:2]).status == "gap"
    assert combine([*parts, Verdict("missing")]).status == "missing"
    assert combine([]).status == "enforced"


@pytest.mark.parametrize(
    ("strategies", "admission", "status"),
    [
        (["Always", "RerunOnFailure"], False, "enforced"),
        (["Always", "Manual"], False, "drifted"),
        (["Halted", "Manual"], False, "missing"),
        (["Always"], True, "gap"),
    ],
)
def test_cluster_ha(strategies: list[str], admission: bool, status: str) -> None:
    from app.parity.recovery import cluster_ha

    vms = [_vm(f"v{i}", run_strategy=s) for i, s in enumerate(strategies)]
    verdict = cluster_ha(vms, admission)
    assert verdict.status == status, verdict.explanation
