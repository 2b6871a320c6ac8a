"""The Proxmox VE replay fixtures say only what the real API can say.

Every payload under tests/fixtures/proxmox/pve{8,9}/api/ is checked against the schema Proxmox
publishes for that version (api-viewer/apidata.js of proxmox/pve-docs, extracted by
tools/proxmox/extract_schema.py with its source commit); the checker itself is shown to
catch what it must.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.support.pve_schema import (
    SCHEMAS,
    check_payload,
    endpoint_for,
    load,
    parse_property_string,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "proxmox"
PAYLOADS = sorted(
    (version, "/" + str(path.relative_to(FIXTURES / f"pve{version}" / "api").with_suffix("")))
    for version in (8, 9)
    for path in (FIXTURES / f"pve{version}" / "api").rglob("*.json")
)


def _payload(version: int, path: str) -> object:
    return json.loads((FIXTURES / f"pve{version}" / "api" / f"{path.lstrip('/')}.json").read_text())


@pytest.mark.parametrize(("version", "path"), PAYLOADS, ids=[f"pve{v}{p}" for v, p in PAYLOADS])
def test_fixture_matches_the_published_schema(version: int, path: str) -> None:
    assert check_payload(version, path, _payload(version, path)) == []


def test_every_endpoint_read_has_a_fixture_in_each_version() -> None:
    for version in (8, 9):
        covered = {endpoint_for(p, load(version)["endpoints"]) for v, p in PAYLOADS if v == version}
        assert covered == set(load(version)["endpoints"]), version


def test_schemas_name_their_source_commit() -> None:
    for version, release in ((8, "8."), (9, "9.")):
        source = load(version)["source"]
        assert source["repository"] == "github.com/proxmox/pve-docs"
        assert source["path"] == "api-viewer/apidata.js"
        assert re.fullmatch(r"[0-9a-f]{40}", source["commit"])
        assert source["pve_version"].startswith(release)
    assert {p.name for p in SCHEMAS.iterdir()} == {"pve8.json", "pve9.json"}


def test_ha_rules_exist_on_pve9_only() -> None:
    # PVE 9 replaced HA groups by rules: the PVE 8 schema has no such endpoint
    assert check_payload(8, "/cluster/ha/rules", []) == [
        "/cluster/ha/rules: no such endpoint in the PVE 8 schema"
    ]
    assert check_payload(9, "/cluster/ha/rules", _payload(9, "/cluster/ha/rules")) == []


def test_version_differences_are_caught() -> None:
    # PVE 9 lists a storage's `shared` flag in /cluster/resources; PVE 8's schema does not
    row = {"id": "storage/pve1/ceph", "type": "storage", "shared": 1}
    assert check_payload(9, "/cluster/resources", [row]) == []
    assert check_payload(8, "/cluster/resources", [row]) == [
        "/cluster/resources[0].shared: not a property the schema defines"
    ]


def test_checker_catches_type_enum_required_and_unknown_keys() -> None:
    acl = [{"path": "/", "type": "role", "ugid": "x", "propagate": "yes", "extra": 1}]
    assert sorted(check_payload(9, "/access/acl", acl)) == [
        "/access/acl[0].extra: not a property the schema defines",
        "/access/acl[0].propagate: 'yes' is not of type boolean",
        "/access/acl[0].roleid: required and missing",
        "/access/acl[0].type: 'role' is not one of ['user', 'group', 'token']",
    ]


def test_checker_reads_property_strings() -> None:
    config = dict(_payload(9, "/nodes/pve1/qemu/101/config"))  # type: ignore[call-overload]
    config["net1"] = "virtio=00:50:56:A1:00:09,bridge=vmbr0,tag=many,colour=red"
    config["scsi1"] = "iops_rd=100"  # no volume: the default key `file` is required
    assert sorted(check_payload(9, "/nodes/pve1/qemu/101/config", config)) == [
        "/nodes/pve1/qemu/101/config.net1: 'colour' is not a key of this property string",
        "/nodes/pve1/qemu/101/config.net1:tag: 'many' is not of type integer",
        "/nodes/pve1/qemu/101/config.scsi1: 'file' is required in this property string",
    ]


def test_property_strings_resolve_model_aliases_and_the_default_key() -> None:
    endpoint = load(9)["endpoints"]["/nodes/{node}/qemu/{vmid}/config"]["returns"]["properties"]
    net = parse_property_string(
        "virtio=00:50:56:A1:00:01,bridge=vnet20,firewall=1", endpoint["net[n]"]["format"]
    )
    assert net == {
        "model": "virtio",
        "macaddr": "00:50:56:A1:00:01",
        "bridge": "vnet20",
        "firewall": "1",
    }
    disk = parse_property_string(
        "ceph-gold:vm-103-disk-0,iops_rd=500", endpoint["scsi[n]"]["format"]
    )
    assert disk == {"file": "ceph-gold:vm-103-disk-0", "iops_rd": "500"}
    with pytest.raises(ValueError, match="given twice"):
        parse_property_string(
            "virtio=00:50:56:A1:00:01,macaddr=00:50:56:A1:00:02", endpoint["net[n]"]["format"]
        )
