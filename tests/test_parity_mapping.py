"""Pure mapping functions of target parity: VM identity, principals, hosts, the privilege
table and the map files (table-driven)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.parity.mapfile import MapFileError, load_principal_map, load_target_map
from app.parity.model import TargetNode, TargetVM
from app.parity.placement import map_hosts
from app.parity.principals import PrincipalMap, PrincipalMapper, Subject, bare_name
from app.parity.privileges import SUBRESOURCES, Check, lookup, translate
from app.parity.vmmap import SourceVM, map_vms, normalise_mac, normalise_name, normalise_uuid

UUID = "422c6a2a-5ea9-1083-39f3-3b140fffb444"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (UUID, UUID),
        (UUID.upper(), UUID),
        ("VMware-42 2c 6a 2a 5e a9 10 83-39 f3 3b 14 0f ff b4 44", UUID),
        ("vmware-422c6a2a5ea9108339f33b140fffb444", UUID),
        ("{422C6A2A-5EA9-1083-39F3-3B140FFFB444}", UUID),
        ("422c6a2a5ea9108339f33b140fffb444", UUID),
        ("VMware-42 2c", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_uuid(text: str | None, expected: str | None) -> None:
    assert normalise_uuid(text) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("SQL_01", "sql-01"), ("web 02 (old)", "web-02-old"), ("db-1", "db-1"), ("__x__", "x")],
)
def test_normalise_name(name: str, expected: str) -> None:
    assert normalise_name(name) == expected


def test_normalise_mac() -> None:
    assert normalise_mac("00-50-56-AB-CD-EF") == "00:50:56:ab:cd:ef"


def _t(name: str, ns: str = "prod", **kw: object) -> TargetVM:
    return TargetVM(id=f"t:{ns}/{name}", namespace=ns, name=name, **kw)  # type: ignore[arg-type]


def test_vm_mapping_stages_in_order() -> None:
    sources = [
        SourceVM("vm-1", "sql-01", bios_uuid=UUID),
        SourceVM("vm-2", "sql-02", bios_uuid="11111111-2222-3333-4444-555555555555"),
        SourceVM("vm-3", "Web_03", macs=("00:50:56:00:00:03",)),
        SourceVM("vm-4", "App-04"),
        SourceVM("vm-5", "lost"),
        SourceVM("vm-6", "by-file"),
    ]
    targets = [
        _t("renamed-sql", firmware_serial="VMware-42 2c 6a 2a 5e a9 10 83-39 f3 3b 14 0f ff b4 44"),
        _t("sql-02", firmware_uuid="11111111-2222-3333-4444-555555555555"),
        _t("web-3", macs=("00-50-56-00-00-03",)),
        _t("app-04", ns="apps"),
        _t("x", ns="other"),
        _t("spare"),
    ]
    m = map_vms(sources, targets, {"by-file": "other/x"})
    got = {s: (t.ref, m.how[s]) for s, t in m.matched.items()}
    assert got == {
        "vm-1": ("prod/renamed-sql", "serial"),
        "vm-2": ("prod/sql-02", "firmware_uuid"),
        "vm-3": ("prod/web-3", "mac"),
        "vm-4": ("apps/app-04", "name"),
        "vm-6": ("other/x", "map"),
    }
    assert m.unmatched == ["vm-5"]
    assert m.unused == ["prod/spare"]
    assert m.to_dict()["unmatched"] == ["lost"]


def test_serial_wins_over_a_name_match_elsewhere() -> None:
    sources = [SourceVM("a", "db", bios_uuid=UUID), SourceVM("b", "other")]
    targets = [_t("db"), _t("other", firmware_serial=UUID)]
    m = map_vms(sources, targets)
    assert m.matched["a"].name == "other"
    assert "b" in m.unmatched  # its name's VM is taken by the serial match: no guess


def test_ambiguous_vms_are_reported_not_guessed() -> None:
    sources = [SourceVM("a", "web"), SourceVM("b", "Web"), SourceVM("c", "db")]
    targets = [_t("web"), _t("db", ns="n1"), _t("db", ns="n2")]
    m = map_vms(sources, targets)
    assert m.matched == {}
    assert m.ambiguous == {"a": ["prod/web"], "b": ["prod/web"], "c": ["n1/db", "n2/db"]}


def test_map_file_errors_are_listed() -> None:
    m = map_vms([SourceVM("a", "web")], [_t("web")], {"nope": "prod/web", "web": "prod/none"})
    assert m.errors == [
        "map file: no source VM 'nope'",
        "map file: no target VM 'prod/none' (for web)",
    ]


@pytest.mark.parametrize(
    ("name", "prefixes", "expected"),
    [
        ("CORP\\Ops", (), "ops"),
        ("ops@corp.example", (), "ops"),
        ("oidc:Ops", ("oidc:",), "ops"),
        ("oidc:CORP\\Ops", ("oidc:",), "ops"),
        ("VSPHERE.LOCAL\\Administrator", (), "administrator"),
        ("plain", (), "plain"),
    ],
)
def test_bare_name(name: str, prefixes: tuple[str, ...], expected: str) -> None:
    assert bare_name(name, prefixes) == expected


SUBJECTS = [
    Subject("Group", "ops"),
    Subject("Group", "oidc:dba"),
    Subject("Group", "DBA"),
    Subject("User", "alice@corp.example"),
    Subject("Group", "web"),
]


@pytest.mark.parametrize(
    ("principal", "is_group", "how", "subject"),
    [
        ("CORP\\Ops", True, "name", Subject("Group", "ops")),
        ("CORP\\OPS", True, "name", Subject("Group", "ops")),
        ("CORP\\Ops", False, "unmatched", None),
        ("CORP\\alice", False, "name", Subject("User", "alice@corp.example")),
        ("CORP\\nobody", True, "unmatched", None),
        ("CORP\\web", True, "map", Subject("Group", "oidc:web-team")),
        ("CORP\\dba", True, "ambiguous", None),
    ],
)
def test_principal_matching(
    principal: str, is_group: bool, how: str, subject: Subject | None
) -> None:
    mapper = PrincipalMapper(SUBJECTS, PrincipalMap(("oidc:",), {"corp\\web": "oidc:web-team"}))
    match = mapper.match(principal, is_group)
    assert (match.how, match.subject) == (how, subject)
    if how == "ambiguous":
        assert match.candidates == ("DBA", "oidc:dba")
        assert "principal map" in match.text()


@pytest.mark.parametrize(
    ("privilege", "kind", "checks"),
    [
        (
            "VirtualMachine.Interact.PowerOn",
            "mapped",
            {Check(SUBRESOURCES, "virtualmachines", "update", "start")},
        ),
        (
            "VirtualMachine.Interact.PowerOff",
            "mapped",
            {Check(SUBRESOURCES, "virtualmachines", "update", "stop")},
        ),
        (
            "VirtualMachine.Interact.Reset",
            "mapped",
            {Check(SUBRESOURCES, "virtualmachines", "update", "restart")},
        ),
        (
            "VirtualMachine.Interact.ConsoleInteract",
            "mapped",
            {
                Check(SUBRESOURCES, "virtualmachineinstances", "get", "console"),
                Check(SUBRESOURCES, "virtualmachineinstances", "get", "vnc"),
            },
        ),
        (
            "VirtualMachine.Config.CPUCount",
            "mapped",
            {
                Check("kubevirt.io", "virtualmachines", "update"),
                Check("kubevirt.io", "virtualmachines", "patch"),
            },
        ),
        (
            "VirtualMachine.Config.Memory",
            "mapped",
            {
                Check("kubevirt.io", "virtualmachines", "update"),
                Check("kubevirt.io", "virtualmachines", "patch"),
            },
        ),
        (
            "Network.Assign",
            "mapped",
            {Check("k8s.cni.cncf.io", "network-attachment-definitions", "get", named=False)},
        ),
        ("VirtualMachine.GuestOperations.Execute", "none", set()),
        ("VirtualMachine.Interact.SetFloppyMedia", "none", set()),
        ("VirtualMachine.Inventory.Move", "none", set()),
        ("Host.Config.Maintenance", "none", set()),
        ("System.View", "implicit", set()),
        ("System.Anonymous", "implicit", set()),
    ],
)
def test_privilege_table(privilege: str, kind: str, checks: set[Check]) -> None:
    found_kind, found = lookup(privilege)
    assert (found_kind, set(found)) == (kind, checks)


def test_translate_splits_a_role() -> None:
    role = translate(
        [
            "System.View",
            "VirtualMachine.Interact.PowerOn",
            "VirtualMachine.GuestOperations.Query",
            "Host.Config.Power",
        ]
    )
    assert role.mapped == ("VirtualMachine.Interact.PowerOn",)
    assert role.implicit == ("System.View",)
    assert role.no_analogue == ("Host.Config.Power", "VirtualMachine.GuestOperations.Query")
    assert [c.text() for c in role.checks] == [
        "update virtualmachines/start (subresources.kubevirt.io)"
    ]


def test_host_mapping() -> None:
    nodes = [
        TargetNode("n1", "esx-01"),
        TargetNode("n2", "worker-b"),
        TargetNode("n3", "esx-03.lab"),
        TargetNode("n4", "ESX-03"),
        TargetNode("n5", "esx-04.a"),
        TargetNode("n6", "esx-04.b"),
    ]
    hosts = ["esx-01.corp.example", "ESX-01", "esx-02", "esx-03", "esx-04", "old"]
    m = map_hosts(hosts, nodes, {"old": "worker-b"})
    assert m.nodes == {
        "esx-01.corp.example": "esx-01",
        "ESX-01": "esx-01",
        "esx-03": "ESX-03",  # the same name first, then the short name
        "old": "worker-b",
    }
    assert m.unmatched == ["esx-02"]
    assert m.ambiguous == {"esx-04": ["esx-04.a", "esx-04.b"]}


def test_map_files(tmp_path: Path) -> None:
    good = tmp_path / "map.yaml"
    good.write_text(
        "vms: {sql-01: prod/sql-01}\nhosts: {esx-01: worker-a}\ncpu_mhz_per_core: 2000\n"
    )
    m = load_target_map(good)
    assert (m.vms, m.hosts, m.cpu_mhz_per_core) == (
        {"sql-01": "prod/sql-01"},
        {"esx-01": "worker-a"},
        2000,
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("vms: [1, 2]\n")
    with pytest.raises(MapFileError, match="vms"):
        load_target_map(bad)
    bad.write_text("vms: {a: b}\nextra: 1\n")
    with pytest.raises(MapFileError, match="extra"):
        load_target_map(bad)
    bad.write_text("vms: {a: [\n")
    with pytest.raises(MapFileError, match="not valid YAML"):
        load_target_map(bad)
    with pytest.raises(MapFileError, match="cannot read"):
        load_target_map(tmp_path / "absent.yaml")


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("storage_policies: [Gold]\n", "storage_policies: Input should be a valid dictionary"),
        ("storage_policies: {Gold: null}\n", "storage_policies.Gold: Input should be a valid str"),
        ("storage_policies: {Gold: ''}\n", "storage_policies.Gold: String should have at least"),
        ("storage_policies: {Gold: [a]}\n", "storage_policies.Gold: Input should be a valid str"),
    ],
)
def test_storage_policy_map(tmp_path: Path, text: str, says: str) -> None:
    good = tmp_path / "map.yaml"
    good.write_text("storage_policies: {Gold: fast-ssd, vSAN Default: standard}\n")
    assert load_target_map(good).storage_policies == {
        "Gold": "fast-ssd",
        "vSAN Default": "standard",
    }
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    with pytest.raises(MapFileError) as found:
        load_target_map(bad)
    assert str(found.value).startswith(f"{bad}: {says}")


def test_principal_map_file(tmp_path: Path) -> None:
    principals = tmp_path / "p.yaml"
    principals.write_text(
        'prefixes: ["oidc:"]\nprincipals:\n  "CORP\\\\Ops": "oidc:ops-team"\n'
        '  "CORP\\\\alice": {kind: User, name: alice@corp.example}\n'
    )
    pm = load_principal_map(principals)
    mapper = PrincipalMapper([], pm)
    assert pm.prefixes == ("oidc:",)
    assert mapper.match("corp\\ops", True).subject == Subject("Group", "oidc:ops-team")
    assert mapper.match("CORP\\alice", False).subject == Subject("User", "alice@corp.example")


def test_docs_print_the_privilege_table() -> None:
    """docs/targets.md lists every entry of the table, as the table maps it."""
    from app.parity.privileges import TABLE

    text = (Path(__file__).resolve().parents[1] / "docs" / "targets.md").read_text()
    for privilege, entry in TABLE.items():
        line = next(ln for ln in text.splitlines() if ln.startswith(f"| `{privilege}` |"))
        if entry == "none":
            assert "no analogue" in line
        elif entry == "implicit":
            assert "implicit" in line
        else:
            assert all(c.text() in line for c in entry), line
