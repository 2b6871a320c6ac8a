"""The Proxmox VE replay server answers, authenticates and refuses as PVE does.

Over real HTTPS (the test CA), with httpx: token and ticket logins, 401 for bad credentials,
403 from the endpoint's own published permission check evaluated on the fixture cluster's
ACLs, lists filtered by the caller's privileges, injected faults.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.support.pve_replay import PASSWORD, TOKEN_ID, TOKEN_SECRET, PveReplay

TOKEN = f"PVEAPIToken={TOKEN_ID}={TOKEN_SECRET}"


@pytest.fixture(scope="module")
def pve9() -> Iterator[PveReplay]:
    users = {"svc-authmap@pve": PASSWORD, "alice@corp": "a-pass", "dave@pve": "d-pass"}
    with PveReplay(version=9, passwords=users) as replay:
        yield replay


def _client(replay: PveReplay, token: str | None = TOKEN) -> httpx.Client:
    headers = {"Authorization": token} if token else {}
    verify = ssl.create_default_context(cafile=str(replay.ca_file))
    return httpx.Client(base_url=f"{replay.url}/api2/json", verify=verify, headers=headers)


@contextmanager
def _login(replay: PveReplay, user: str, password: str) -> Iterator[httpx.Client]:
    with _client(replay, token=None) as client:
        answer = client.post("/access/ticket", data={"username": user, "password": password})
        assert answer.status_code == 200, answer.text
        yield client


def test_token_reads_the_cluster(pve9: PveReplay) -> None:
    with _client(pve9) as client:
        answer = client.get("/version")
        assert answer.status_code == 200
        assert answer.json()["data"]["version"].startswith("9.")
        rules = client.get("/cluster/ha/rules").json()["data"]
        assert {r["type"] for r in rules} == {"node-affinity", "resource-affinity"}
    assert pve9.requests[-1] == ("GET", "/cluster/ha/rules", TOKEN_ID)


@pytest.mark.parametrize(
    "token",
    [None, f"PVEAPIToken={TOKEN_ID}=wrong-secret", "PVEAPIToken=nobody@pve!x=1", "Basic abc"],
)
def test_bad_credentials_are_401(pve9: PveReplay, token: str | None) -> None:
    with _client(pve9, token=token) as client:
        answer = client.get("/cluster/resources")
    assert answer.status_code == 401
    assert answer.json()["data"] is None


def test_ticket_login(pve9: PveReplay) -> None:
    with _client(pve9, token=None) as client:
        refused = client.post("/access/ticket", data={"username": "dave@pve", "password": "no"})
        assert refused.status_code == 401
    with _login(pve9, "svc-authmap@pve", PASSWORD) as client:
        assert client.get("/cluster/status").status_code == 200


def test_published_permission_check_refuses(pve9: PveReplay) -> None:
    # GET /nodes/{node}/qemu/{vmid}/config needs VM.Audit on /vms/{vmid}; alice has NoAccess
    # on /vms/103, and PVEVMAdmin on 101 through the prod pool
    with _login(pve9, "alice@corp", "a-pass") as client:
        refused = client.get("/nodes/pve3/qemu/103/config")
        assert refused.status_code == 403
        assert refused.json()["message"] == "Permission check failed (/vms/103, VM.Audit)"
        assert client.get("/nodes/pve1/qemu/101/config").status_code == 200
        # /cluster/status needs Sys.Audit on /: alice has nothing on /
        assert client.get("/cluster/status").status_code == 403


def test_lists_are_filtered_silently(pve9: PveReplay) -> None:
    # dave (contractors: PVEVMUser on /vms) sees guests only, no node, storage or pool
    with _login(pve9, "dave@pve", "d-pass") as client:
        answer = client.get("/cluster/resources")
    assert answer.status_code == 200
    kinds = {row["type"] for row in answer.json()["data"]}
    assert kinds == {"qemu", "lxc"}
    with _client(pve9) as client:
        everything = client.get("/cluster/resources").json()["data"]
    assert {row["type"] for row in everything} == {"node", "qemu", "lxc", "storage", "pool"}
    with _login(pve9, "alice@corp", "a-pass") as client:
        seen = {row["id"] for row in client.get("/cluster/resources").json()["data"]}
        assert "qemu/101" in seen and "qemu/103" not in seen
        # no Sys.Audit on /access and no Permissions.Modify anywhere: no ACL entry is shown
        assert client.get("/access/acl").json()["data"] == []


def test_faults_and_unknown_paths(pve9: PveReplay) -> None:
    pve9.fail("/cluster/ha/resources", [500])
    with _client(pve9) as client:
        assert client.get("/cluster/ha/resources").status_code == 500
        assert client.get("/cluster/ha/resources").status_code == 200
        assert client.get("/nodes/pve9/qemu/999/config").status_code == 404


def test_pve8_has_ha_groups_and_no_rules() -> None:
    with PveReplay(version=8) as replay, _client(replay) as client:
        assert client.get("/cluster/ha/rules").status_code == 404
        groups = client.get("/cluster/ha/groups").json()["data"]
        assert {g["group"] for g in groups} == {"web-nodes", "db-pref"}
        assert client.get("/version").json()["data"]["version"].startswith("8.")
