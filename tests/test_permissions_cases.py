"""Effective permissions: 50 hand-worked cases built in vcsim and Samba AD, asked end to end.

The permissions are real vCenter permissions in vcsim (custom roles, propagation flags,
NoAccess, grants on objects that cannot carry them) and the groups real nested groups in a
Samba AD DC (a five-deep chain, a cycle, the primary group). Both are ingested through the
command line into the real Neo4j; the questions go through :class:`PermissionEngine` (the
code path of the command line and the API) and a few through the command line itself. vcsim
does not compute effective privileges (it answers "granted" to everything), so the answers
are hand-worked from the rules in ``docs/permissions.md`` (``tests/support/permission_scenario``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from pyVim.connect import Disconnect

from app.graph import Graph
from app.permissions import Answer, PermissionEngine, PermissionQueryError
from tests.conftest import Neo4jInstance, run_cli
from tests.conftest import query as _query
from tests.support import permission_scenario as sc
from tests.support.ingest import ingest_ad, ingest_vcenter
from tests.support.samba_ad import DirectorySpec, SambaDC, directory_template
from tests.support.service import running_service
from tests.support.vcsim import VcsimServer, ensure_vcsim_binary
from tests.support.vsphere import connect

ADDRESS = "127.0.0.5"


@dataclass
class Scenario:
    """The ingested scenario: how to reach it and what vcsim said about it."""

    instance: Neo4jInstance
    graph: Graph
    morefs: dict[str, str]
    roles: dict[str, frozenset[str]]

    def entity(self, name: str) -> str:
        """What a person would type for a case's entity (a moref for ambiguous names)."""
        return self.morefs[name] if name.startswith("@") else name

    def privileges(self, roles: tuple[str, ...]) -> set[str]:
        """The privileges of the roles, as vcsim lists them."""
        return set().union(*(self.roles[r] for r in roles)) if roles else set()


@pytest.fixture(scope="module")
def scenario(neo4j_instance: Neo4jInstance) -> Iterator[Scenario]:
    template, _ = directory_template(DirectorySpec())
    with (
        VcsimServer(ensure_vcsim_binary()) as sim,
        SambaDC(template, ADDRESS) as dc,
        Graph(neo4j_instance.settings()) as graph,
    ):
        si = connect(sim)
        try:
            morefs, roles = sc.build_vcenter(si)
        finally:
            Disconnect(si)
        sc.build_directory(dc)
        graph.write_chunked("admin/wipe", {})
        graph.apply_schema()
        ingest_vcenter(neo4j_instance, sim)
        ingest_ad(neo4j_instance, dc)
        yield Scenario(neo4j_instance, graph, morefs, roles)


def _ask(scenario: Scenario, case: sc.Case) -> Answer:
    [answer] = PermissionEngine(scenario.graph).effective(
        case.principal, scenario.entity(case.entity)
    )
    return answer


def test_there_are_at_least_forty_cases_each_citing_a_rule() -> None:
    assert len(sc.CASES) >= 40
    assert len({c.number for c in sc.CASES}) == len(sc.CASES)
    assert all(c.rule for c in sc.CASES)


@pytest.mark.parametrize("case", sc.CASES, ids=lambda c: f"{c.number:02d}")
def test_case(scenario: Scenario, case: sc.Case) -> None:
    answer = _ask(scenario, case)
    assert set(answer.outcome.privileges) == scenario.privileges(case.roles), case.rule


def _permission_node(scenario: Scenario, permission_id: str) -> dict[str, object]:
    rows = _query(
        scenario.instance,
        """
        MATCH (p:Permission {id: $id})-[:ON_ENTITY]->(e)
        OPTIONAL MATCH (p)-[:WITH_ROLE]->(r:Role)
        RETURN p.principal AS principal, p.role_id AS role_id, p.propagate AS propagate,
               e.id AS entity, [(r)-[:INCLUDES]->(v) | v.privilege_id] AS privileges""",
        id=permission_id,
    )
    assert len(rows) == 1, f"explanation names permission {permission_id} missing from the graph"
    return rows[0]


def test_every_privilege_is_justified_and_every_mask_named(scenario: Scenario) -> None:
    masked_cases = 0
    for case in sc.CASES:
        answer = _ask(scenario, case)
        granted: set[str] = set()
        for step in answer.outcome.steps:
            node = _permission_node(scenario, step.grant.id)
            assert node["entity"] == step.grant.entity.id
            assert node["principal"] == step.grant.principal
            assert node["propagate"] == step.grant.propagate
            if step.effect == "grant":
                assert list(step.privileges) == sorted(node["privileges"])  # type: ignore[call-overload]
                granted |= set(step.privileges)
            if step.effect == "mask":
                assert node["role_id"] == -5
        assert granted == set(answer.outcome.privileges), case.number
        if answer.outcome.masked:
            masked_cases += 1
            masks = [s for s in answer.outcome.steps if s.effect == "mask"]
            assert masks, f"case {case.number}: masked privileges without a NoAccess step"
            named = set().union(*(s.privileges for s in masks))
            assert set(answer.outcome.masked) <= named
            hidden = [s for s in answer.outcome.steps if s.effect == "masked"]
            assert {s.by for s in hidden} <= {s.grant.id for s in masks}
    assert masked_cases >= 4  # 21, 22, 26, 28 (and 34 masks nothing: no grant above it)


def test_explanation_shows_the_group_chain(scenario: Scenario) -> None:
    answer = _ask(scenario, sc.CASES[43])  # alice on z8-vm
    assert answer.principal.name == "CORP\\alice"
    [grant] = [s for s in answer.outcome.steps if s.effect == "grant"]
    assert grant.via == (
        "CORP\\alice", "CORP\\Nest-L4", "CORP\\Nest-L3", "CORP\\Nest-L2", "CORP\\Nest-L1",
        "CORP\\vSphere-Admins",
    )  # fmt: skip
    assert grant.grant.role == "Admin" and grant.grant.entity.name == "DC0" and grant.inherited
    assert grant.text() == (
        "granted by CORP\\alice → CORP\\Nest-L4 → CORP\\Nest-L3 → CORP\\Nest-L2 → "
        "CORP\\Nest-L1 → CORP\\vSphere-Admins: Admin on Datacenter DC0, propagating, "
        "inherited through the folder and resource chains"
    )


def test_overridden_and_shadowed_steps(scenario: Scenario) -> None:
    own = _ask(scenario, sc.CASES[11])  # u-own on Z3: own VM-Config beats G-own's Admin
    effects = {(s.effect, s.grant.principal) for s in own.outcome.steps}
    assert effects == {("grant", "CORP\\u-own"), ("overridden", "CORP\\G-own")}
    near = _ask(scenario, sc.CASES[6])  # u-spec on z2-vm: B's ReadOnly shadows A's operator
    shadowed = [s for s in near.outcome.steps if s.effect == "shadowed"]
    assert [(s.grant.principal, s.by) for s in shadowed] == [
        ("CORP\\G-spec-A", next(s.grant.id for s in near.outcome.steps if s.effect == "grant"))
    ]


def test_who_can_lists_users_through_groups_and_leaves_out_the_masked(scenario: Scenario) -> None:
    engine = PermissionEngine(scenario.graph)
    admin = scenario.privileges(("Admin",))
    answers = {a.principal.name: a for a in engine.who_can("z5-vm")}
    assert set(answers["CORP\\u-na2"].outcome.privileges) == admin
    assert set(answers["CORP\\u-mix2"].outcome.privileges) == admin  # G-mixdeny is on Z5c only
    assert set(answers["CORP\\G-na"].outcome.privileges) == admin
    assert "CORP\\u-na" not in answers  # masked by its own NoAccess on Z5-masked
    assert answers["CORP\\alice"].principal.kind == "ADUser"  # Admin on DC0, resource chain
    denied = {a.principal.name: a for a in engine.who_can("z5-vm", include_denied=True)}
    assert denied["CORP\\u-na"].outcome.privileges == frozenset()
    assert set(denied["CORP\\u-na"].outcome.masked) == admin - scenario.privileges(())
    # Every principal the engine lists agrees with asking `effective` for it.
    for name in ("CORP\\u-na2", "CORP\\alice", "CORP\\u-near", "CORP\\u-dc", "CORP\\Nest-L3"):
        [single] = engine.effective(name, "z5-vm")
        assert single.outcome.privileges == answers[name].outcome.privileges


def test_who_can_filters_by_privilege_and_follows_the_primary_group(scenario: Scenario) -> None:
    engine = PermissionEngine(scenario.graph)
    power_on = "VirtualMachine.Interact.PowerOn"
    names = {a.principal.name for a in engine.who_can("z8-vm", power_on)}
    assert {"CORP\\alice", "CORP\\Nest-L4", "CORP\\vSphere-Admins", "CORP\\u-cyc"} <= names
    assert "CORP\\u-near" not in names  # ReadOnly only
    assert all(power_on in a.outcome.privileges for a in engine.who_can("z8-vm", power_on))
    everyone = {a.principal.name: a for a in engine.who_can("Z8p")}
    # Domain Users is the primary group Samba gives every account created over LDAP.
    assert {f"CORP\\{u}" for u in sc.USERS} <= set(everyone)
    assert everyone["CORP\\bob"].outcome.steps[0].via == ("CORP\\bob", "CORP\\Domain Users")
    assert not everyone["CORP\\u-disabled"].principal.enabled  # disabled, still listed
    with pytest.raises(PermissionQueryError, match="unknown privilege"):
        engine.who_can("z8-vm", "No.Such.Privilege")


def test_lookups_fail_clearly(scenario: Scenario) -> None:
    engine = PermissionEngine(scenario.graph)
    with pytest.raises(PermissionQueryError, match="no principal"):
        engine.effective("CORP\\nobody-at-all")
    with pytest.raises(PermissionQueryError, match="names 2 entities"):
        engine.who_can("Resources")  # the cluster's and the standalone host's root pools
    with pytest.raises(PermissionQueryError, match="no vSphere entity"):
        engine.who_can("no-such-vm")
    # A UPN and an id name the same account.
    by_upn = engine.find_principal("alice@corp.example.test")
    assert by_upn == engine.find_principal("CORP\\alice") == engine.find_principal(str(by_upn.id))


def test_whole_estate_report(scenario: Scenario) -> None:
    answers = PermissionEngine(scenario.graph).effective("CORP\\u-na")
    got = {a.entity.name: set(a.outcome.privileges) for a in answers}
    admin, read = scenario.privileges(("Admin",)), scenario.privileges(("ReadOnly",))
    assert got["Z5"] == admin and got["Z5c"] == admin
    assert got["Z5-masked"] == set() and got["z5-vm"] == set()  # listed: the mask explains
    assert got["Z5-regrant"] == read and got["z5-vm2"] == read
    assert got["Z8p"] == read  # every account is in Domain Users
    assert {name for name, privs in got.items() if privs} == {
        "Z5", "Z5c", "Z5-regrant", "z5-vm2", "Z8p", "z8p-vm",
    }  # fmt: skip


def test_command_line(scenario: Scenario) -> None:
    env = scenario.instance.env
    proc = run_cli(
        "effective", "--principal", "CORP\\alice", "--entity", "z8-vm", "--format", "json",
        env=env, check=True,
    )  # fmt: skip
    [answer] = json.loads(proc.stdout)
    assert set(answer) >= {"principal", "entity", "privileges", "explanation"}
    assert answer["principal"] == "CORP\\alice" and answer["entity"]["name"] == "z8-vm"
    assert answer["privileges"] == sorted(scenario.privileges(("Admin",)))
    assert answer["explanation"][0]["via"][-1] == "CORP\\vSphere-Admins"

    proc = run_cli(
        "who-can", "--entity", "z4-vm", "--privilege", "VirtualMachine.Config.CPUCount",
        "--format", "json", env=env, check=True,
    )  # fmt: skip
    names = {a["principal"] for a in json.loads(proc.stdout)}
    assert {"CORP\\u-union", "CORP\\u-union3", "CORP\\G-u2", "CORP\\G-u3"} <= names
    assert "CORP\\u-union1" not in names  # only VM-Operator

    table = run_cli("who-can", "--entity", "Z3", env=env, check=True).stdout
    assert "u-own" in table and "overridden" not in table

    bad = run_cli("effective", "--principal", "CORP\\nobody-at-all", env=env)
    assert bad.returncode == 2 and "no principal" in bad.stderr and not bad.stdout


def test_api(scenario: Scenario) -> None:
    """The same answers through `authmap serve` (a real uvicorn process)."""
    with running_service(scenario.instance.env) as base:
        r = httpx.get(
            f"{base}/api/permissions/effective",
            params={"principal": "CORP\\u-na", "entity": "z5-vm"},
        )
        assert r.status_code == 200
        [answer] = r.json()
        assert answer["privileges"] == [] and answer["masked_privileges"]
        assert [s["effect"] for s in answer["explanation"]] == ["mask", "masked"]
        cli = json.loads(
            run_cli(
                "who-can", "--entity", "z5-vm", "--format", "json", env=scenario.instance.env,
                check=True,
            ).stdout
        )  # fmt: skip
        r = httpx.get(f"{base}/api/permissions/who-can", params={"entity": "z5-vm", "limit": 5})
        assert r.status_code == 200 and int(r.headers["x-total-count"]) == len(cli)
        assert r.json() == cli[:5]
        page = httpx.get(
            f"{base}/api/permissions/who-can",
            params={"entity": "z5-vm", "limit": 5, "offset": 5},
        ).json()
        assert page == cli[5:10]
        missing = httpx.get(f"{base}/api/permissions/who-can", params={"entity": "nope"})
        assert missing.status_code == 404 and "no vSphere entity" in missing.json()["error"]
        ambiguous = httpx.get(f"{base}/api/permissions/who-can", params={"entity": "Resources"})
        assert ambiguous.status_code == 400
        invalid = httpx.get(f"{base}/api/permissions/effective", params={"principal": ""})
        assert invalid.status_code == 422
        assert "/api/permissions/who-can" in httpx.get(f"{base}/openapi.json").json()["paths"]
