"""The dependency map with precedence (pure): an earlier DROP removes a pair a later ALLOW
lists; only explicit allows are drawn; VMs with the same memberships are decided once."""

from __future__ import annotations

from app.network.dependencies import dependency_map
from tests.support.network_cases import default, estate, policy, rule


def test_an_earlier_drop_removes_the_pair_a_later_allow_lists() -> None:
    policies = (
        policy("p", "Application", 1, rule("deny", "DROP", 1, src=["web"], dst=["db"]),
               rule("w2db", "ALLOW", 2, src=["web"], dst=["db"], svc=["MySQL"]),
               rule("a2db", "ALLOW", 3, src=["app"], dst=["db"], svc=["MySQL"])),
        default("DROP"),
    )  # fmt: skip
    found = dependency_map(estate(*policies))
    assert found.reaches == {("vm-app", "vm-db"): {"tcp/3306": "/rules/a2db"}}
    assert found.decides["/rules/deny"] == {"vm-web", "vm-db"}
    assert found.classes == 3
