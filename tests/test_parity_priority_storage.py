"""Pure parity rules for HA restart priority (PriorityClass order, disabled <-> run strategy,
per-VM settings with no construct) and SPBM storage policies (StorageClass through the policy
map, IOPS limits), hand-worked cases. The same rules run against the real kube-apiserver in
tests/test_parity_kube.py."""

from __future__ import annotations

from typing import Any

import pytest

from app.parity.model import TargetPriorityClass, TargetStorageClass, TargetVM
from app.parity.priority import Ranked, class_value, cluster_order, effective, order, vm_override
from app.parity.recovery import cluster_ha
from app.parity.storage import StoragePolicy, iops_limit, resolve_class, storage_policy

CLASSES = {
    "high": TargetPriorityClass("pc-high", "high", 1000),
    "mid": TargetPriorityClass("pc-mid", "mid", 500),
    "low": TargetPriorityClass("pc-low", "low", 100),
}


def _vm(name: str, **kw: Any) -> TargetVM:
    return TargetVM(id=name, namespace="prod", name=name, **kw)


def _r(name: str, priority: str, cls: str | None = None, **kw: Any) -> Ranked:
    return Ranked(_vm(name, priority_class=cls, **kw), priority)


def test_effective_priority() -> None:
    assert effective("high", "low") == "high"
    assert effective("clusterRestartPriority", "low") == "low"
    assert effective(None, None) == "medium"


def test_class_value_falls_back_to_the_global_default_then_zero() -> None:
    assert class_value(_vm("a", priority_class="mid"), CLASSES) == (500, "PriorityClass mid=500")
    assert class_value(_vm("a"), CLASSES)[0] == 0
    with_default = {**CLASSES, "dflt": TargetPriorityClass("d", "dflt", 7, global_default=True)}
    assert class_value(_vm("a"), with_default)[0] == 7
    assert class_value(_vm("a", priority_class="gone"), CLASSES)[0] is None


@pytest.mark.parametrize(
    ("subjects", "peers", "status", "says"),
    [
        # high 1000 > medium 500 > low 100: kept (3 pairs)
        (
            [_r("a", "high", "high")],
            [_r("b", "medium", "mid"), _r("c", "low", "low")],
            "enforced",
            "2 pair(s)",
        ),
        # high and medium with equal values: broken, the pair named
        (
            [_r("a", "high", "mid")],
            [_r("b", "medium", "mid")],
            "drifted",
            "prod/a (restart priority high, PriorityClass mid=500) is not above prod/b",
        ),
        # low above medium: broken, the higher-priority VM named first
        (
            [_r("a", "low", "high")],
            [_r("b", "medium", "mid")],
            "drifted",
            "prod/b (restart priority medium, PriorityClass mid=500) is not above prod/a",
        ),
        # equal source priorities: any values
        ([_r("a", "high", "low")], [_r("b", "high", "high")], "enforced", "no mapped VM"),
        # disabled VMs take no part in the order
        ([_r("a", "high", "low")], [_r("b", "disabled", "high")], "enforced", "no mapped VM"),
    ],
)
def test_order(subjects: list[Ranked], peers: list[Ranked], status: str, says: str) -> None:
    verdict = order(subjects, peers, CLASSES)
    assert verdict.status == status, verdict.explanation
    assert any(says in line for line in verdict.explanation), verdict.explanation


def test_order_evidence_names_vms_and_classes() -> None:
    verdict = order([_r("a", "high", "high")], [_r("b", "low", "low")], CLASSES)
    assert {(e.kind, e.name) for e in verdict.evidence} == {
        ("VirtualMachine", "prod/a"),
        ("VirtualMachine", "prod/b"),
        ("PriorityClass", "high"),
        ("PriorityClass", "low"),
    }


@pytest.mark.parametrize(
    ("subject", "kw", "status", "says"),
    [
        (_r("a", "high", "high"), {}, "enforced", "1 pair(s)"),
        (_r("a", "high"), {}, "missing", "no class (priority 0) where the source sets restart"),
        (_r("a", "high", "gone"), {}, "missing", "PriorityClass gone (not on the target)"),
        (_r("a", "disabled", run_strategy="Manual"), {}, "enforced", "not restarted"),
        (_r("a", "disabled", run_strategy="Always"), {}, "drifted", "restarted, but HA"),
        (
            _r("a", "medium"),
            {"isolation_response": "powerOff", "sets_priority": False},
            "gap",
            "isolation response powerOff",
        ),
        (_r("a", "medium"), {"vm_monitoring": "vmMonitoringOnly"}, "gap", "VM monitoring"),
    ],
)
def test_vm_override(subject: Ranked, kw: dict[str, Any], status: str, says: str) -> None:
    verdict = vm_override(subject, [_r("b", "medium", "mid")], CLASSES, "medium", **kw)
    assert verdict.status == status, verdict.explanation
    assert any(says in line for line in verdict.explanation), verdict.explanation


def test_cluster_order_judges_the_default_priority_vms() -> None:
    members = [_r("a", "medium", "mid"), _r("b", "high", "high"), _r("c", "low", "mid")]
    verdict = cluster_order(members, "medium", CLASSES)
    assert verdict.status == "drifted"
    assert verdict.explanation == [
        "order broken: prod/a (restart priority medium, PriorityClass mid=500) is not above "
        "prod/c (restart priority low, PriorityClass mid=500)"
    ]
    # a non-default cluster default needs a class on the VMs that keep it
    assert cluster_order([_r("a", "high"), _r("b", "low", "low")], "high", CLASSES).status == (
        "missing"
    )


def test_cluster_ha_judges_disabled_vms_by_not_restarting() -> None:
    vms = [_vm("a", run_strategy="Always"), _vm("b", run_strategy="Manual")]
    assert cluster_ha(vms, False, frozenset({"b"})).status == "enforced"
    assert cluster_ha(vms, False).status == "drifted"
    assert cluster_ha(vms, False, frozenset({"a"})).status == "missing"  # b not restarted


SC = {
    "fast-ssd": TargetStorageClass("sc1", "fast-ssd", "ebs.csi.aws.com", {"iops": "3000"}),
    "gold": TargetStorageClass("sc2", "gold", "example.com/nas"),
}


def test_iops_limit_from_rule_lines() -> None:
    assert iops_limit(["VSAN.hostFailuresToTolerate=1", "VSAN.iopsLimit=3000"]) == 3000
    assert iops_limit(["tag-based: category Tier in [gold]"]) is None


def test_resolve_class() -> None:
    assert resolve_class("Platinum", {"Platinum": "fast-ssd"}, SC)[0] == SC["fast-ssd"]
    assert resolve_class("GOLD", {}, SC)[0] == SC["gold"]  # same normalised name
    none, why = resolve_class("Silver Tier", {}, SC)
    assert none is None
    assert "no entry in the storage_policies section of --map" in why
    assert "silver-tier" in why
    gone, why = resolve_class("Gold", {"Gold": "nope"}, SC)
    assert gone is None and "which the target does not have" in why


@pytest.mark.parametrize(
    ("policy", "classes", "status", "says"),
    [
        (StoragePolicy("Gold"), [["gold"], ["gold", "x"]], "enforced", "all 2 VM(s)"),
        (StoragePolicy("Gold"), [["gold"], ["x"]], "drifted", "prod/v1 has no volume of"),
        (StoragePolicy("Gold"), [[], ["x"]], "missing", "its volumes use: no StorageClass"),
        (StoragePolicy("Tin"), [["gold"]], "gap", "no StorageClass is named tin"),
        (StoragePolicy("Mapped"), [["gold"]], "missing", "which the target does not have"),
        (StoragePolicy("Gold", ("VSAN.iopsLimit=500",)), [["gold"]], "gap", "no parameter"),
        (StoragePolicy("Fast", ("VSAN.iopsLimit=3000",)), [["fast-ssd"]], "enforced", "iops="),
        (StoragePolicy("Fast", ("VSAN.iopsLimit=500",)), [["fast-ssd"]], "drifted", "to 500"),
    ],
)
def test_storage_policy(
    policy: StoragePolicy, classes: list[list[str]], status: str, says: str
) -> None:
    vms = [_vm(f"v{i}", storage_classes=tuple(c)) for i, c in enumerate(classes)]
    verdict = storage_policy(policy, vms, {"Fast": "fast-ssd", "Mapped": "nowhere"}, SC)
    assert verdict.status == status, verdict.explanation
    assert any(says in line for line in verdict.explanation), verdict.explanation
