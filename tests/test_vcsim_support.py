# pyVmomi's stubs leave constructors and pyVim.connect untyped.
# mypy: disable-error-code="no-untyped-call"
"""Tests for tests/support/vcsim.py against the real launcher (tools/vcsim).

They build the launcher on first use (about 30 s cold, cached afterwards) and start
real vcsim processes on 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import ssl
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path

import httpx
import pytest
from pyVim.connect import Disconnect, SmartConnect
from pyVmomi import pbm, vim, vmodl
from pyVmomi.SoapAdapter import SoapStubAdapter

from tests.support.vcsim import VcsimError, VcsimServer, ensure_vcsim_binary

PC = vmodl.query.PropertyCollector


@pytest.fixture(scope="module")
def vcsim_binary() -> Path:
    return ensure_vcsim_binary()


@pytest.fixture(scope="module")
def default_sim(vcsim_binary: Path) -> Iterator[VcsimServer]:
    with VcsimServer(vcsim_binary) as sim:
        yield sim


@pytest.fixture
def si(default_sim: VcsimServer) -> Iterator[vim.ServiceInstance]:
    service_instance = connect(default_sim)
    yield service_instance
    Disconnect(service_instance)


def connect(sim: VcsimServer) -> vim.ServiceInstance:
    """Log in to the simulator's vim endpoint with pyVmomi."""
    service_instance: vim.ServiceInstance = SmartConnect(
        host=sim.host,
        port=sim.port,
        user=sim.username,
        pwd=sim.password,
        disableSslCertValidation=True,
    )
    return service_instance


def vm_names(si: vim.ServiceInstance) -> list[str]:
    """Names of all VMs, from one RetrievePropertiesEx over a recursive ContainerView."""
    content = si.RetrieveContent()
    assert content.viewManager is not None
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    try:
        traverse = PC.TraversalSpec(
            name="view", type=vim.view.ContainerView, path="view", skip=False
        )
        spec = PC.FilterSpec(
            objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[traverse])],
            propSet=[PC.PropertySpec(type=vim.VirtualMachine, all=False, pathSet=["name"])],
        )
        collector = content.propertyCollector
        result = collector.RetrievePropertiesEx([spec], PC.RetrieveOptions())
        names: list[str] = []
        while result is not None:
            names += [str(obj.propSet[0].val) for obj in result.objects]
            if not result.token:
                break
            result = collector.ContinueRetrievePropertiesEx(result.token)
        return names
    finally:
        view.Destroy()


def vcsim_home(si: vim.ServiceInstance) -> Path:
    """The temp dir the simulator keeps its datastores in (removed by a clean stop)."""
    settings = si.RetrieveContent().setting
    assert settings is not None
    (option,) = settings.QueryView("vcsim.home")
    return Path(str(option.value))


def pbm_stub(sim: VcsimServer, si: vim.ServiceInstance, *, header: bool) -> SoapStubAdapter:
    """An SPBM stub at /pbm carrying the vim session's HTTP cookie (and, if ``header``,
    the same session id as the ``vcSessionCookie`` SOAP header)."""
    raw_cookie = str(si._stub.cookie)
    session_id = SimpleCookie(raw_cookie)["vmware_soap_session"].value
    stub = SoapStubAdapter(
        sim.host,
        sim.port,
        path="/pbm",
        version="pbm.version.version11",
        # vcsim's built-in certificate (1024-bit RSA) cannot be verified.
        sslContext=ssl._create_unverified_context(),  # noqa: S323
        requestContext={"vcSessionCookie": session_id} if header else None,
    )
    stub.cookie = raw_cookie
    return stub


def test_vm_count_matches_model(vcsim_binary: Path) -> None:
    sim = VcsimServer(vcsim_binary, dc=2, cluster=2, host=2, vm=3, standalone_host=1, pool=2)
    # Per DC: 1 standalone host x 3 VMs + 2 clusters x 2 child pools x 3 VMs = 15.
    assert sim.expected_vm_count() == 30
    with sim:
        assert sim.host == "127.0.0.1"
        assert sim.url == f"https://127.0.0.1:{sim.port}/sdk"
        si = connect(sim)
        try:
            names = vm_names(si)
        finally:
            Disconnect(si)
    assert len(names) == 30
    assert len(set(names)) == 30


def test_wrong_password_is_refused(default_sim: VcsimServer) -> None:
    with pytest.raises(vim.fault.InvalidLogin):
        SmartConnect(
            host=default_sim.host,
            port=default_sim.port,
            user=default_sim.username,
            pwd="wrong",
            disableSslCertValidation=True,
        )


def test_pbm_service_content_with_copied_cookie(
    default_sim: VcsimServer, si: vim.ServiceInstance
) -> None:
    stub = pbm_stub(default_sim, si, header=True)
    content = pbm.ServiceInstance("ServiceInstance", stub).PbmRetrieveServiceContent()
    assert content.profileManager is not None
    # An authenticated call: vcsim ships 4 built-in storage profiles.
    storage = pbm.profile.ResourceType(resourceType="STORAGE")
    assert len(content.profileManager.PbmQueryProfile(resourceType=storage)) == 4


def test_pbm_needs_vc_session_cookie_header(
    default_sim: VcsimServer, si: vim.ServiceInstance
) -> None:
    """govmomi v0.56.0's /pbm reads the session from the vcSessionCookie SOAP header only:
    the HTTP cookie alone gets PbmRetrieveServiceContent (which needs no session) but not
    PbmQueryProfile. Real vCenter takes either, so clients should send both."""
    stub = pbm_stub(default_sim, si, header=False)
    content = pbm.ServiceInstance("ServiceInstance", stub).PbmRetrieveServiceContent()
    storage = pbm.profile.ResourceType(resourceType="STORAGE")
    with pytest.raises(vim.fault.NotAuthenticated):
        content.profileManager.PbmQueryProfile(resourceType=storage)


def test_rest_session_with_basic_auth(default_sim: VcsimServer) -> None:
    url = f"https://{default_sim.host}:{default_sim.port}/rest/com/vmware/cis/session"
    with httpx.Client(verify=False, timeout=30) as client:  # noqa: S501 - vcsim's certificate
        ok = client.post(url, auth=(default_sim.username, default_sim.password))
        bad = client.post(url, auth=(default_sim.username, "wrong"))
    assert ok.status_code == 200, ok.text
    session_id = ok.json()["value"]
    assert isinstance(session_id, str) and session_id
    assert bad.status_code == 401


def test_stop_leaves_no_process_or_temp_dir(vcsim_binary: Path) -> None:
    sim = VcsimServer(vcsim_binary).start()
    si = connect(sim)
    home = vcsim_home(si)
    Disconnect(si)
    assert home.is_dir()
    pid = sim.pid

    assert sim.stop() == 0
    with pytest.raises(ProcessLookupError):
        os.killpg(pid, 0)  # nothing left in the launcher's process group
    assert home.parent.name.startswith("authmap-vcsim-")
    assert not home.parent.exists()  # the launcher's scratch dir, holding vcsim.home
    assert sim.stop() == 0  # idempotent


def test_kill_is_immediate_and_leaves_temp_dir(vcsim_binary: Path) -> None:
    sim = VcsimServer(vcsim_binary).start()
    si = connect(sim)
    home = vcsim_home(si)
    Disconnect(si)
    try:
        assert sim.kill() == -9
        with pytest.raises(ProcessLookupError):
            os.killpg(sim.pid, 0)
        assert home.is_dir()  # SIGKILL skips Model.Remove()
    finally:
        shutil.rmtree(home.parent, ignore_errors=True)


def test_timeout_during_build_cleans_up(
    vcsim_binary: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    sim = VcsimServer(vcsim_binary, cluster=4, host=8, vm=50, standalone_host=0)  # ~8 s
    with pytest.raises(VcsimError, match="not ready after 1 s"):
        sim.start(timeout=1)
    with pytest.raises(ProcessLookupError):
        os.killpg(sim.pid, 0)
    assert list(tmp_path.iterdir()) == []  # SIGTERM mid-build still removed the scratch dir


def test_start_failure_shows_stderr(vcsim_binary: Path) -> None:
    sim = VcsimServer(vcsim_binary, extra_args=("-no-such-flag",))
    with pytest.raises(VcsimError, match="flag provided but not defined: -no-such-flag"):
        sim.start()
