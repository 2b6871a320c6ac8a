"""Tests for tests/support/kube.py: the real kube-apiserver + etcd launcher and its CRDs."""

from __future__ import annotations

import os
import ssl
import urllib.error
import urllib.request
from typing import Any

import pytest
from kubernetes import client as k8s
from kubernetes.client.exceptions import ApiException

from tests.support.kube import CRD_NAMES, KubeCluster, ensure_kube
from tests.support.kube_objects import create, vm_manifest


def _get(kube: KubeCluster, path: str, token: str | None) -> tuple[int, bytes]:
    context = ssl.create_default_context(cafile=str(kube.ca_file))
    request = urllib.request.Request(f"{kube.server}{path}")  # noqa: S310 - our loopback server
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as answer:  # noqa: S310
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_ready_on_loopback_with_verified_tls(kube_cluster: KubeCluster) -> None:
    assert kube_cluster.server.startswith("https://127.0.0.1:")
    assert _get(kube_cluster, "/readyz", None) == (200, b"ok")
    with kube_cluster.api_client() as api:
        version = k8s.VersionApi(api).get_code()
    assert version.git_version == "v1.35.4"


def test_token_users_authenticate_and_rbac_applies(kube_cluster: KubeCluster) -> None:
    assert _get(kube_cluster, "/api/v1/namespaces", kube_cluster.token("admin"))[0] == 200
    assert _get(kube_cluster, "/api/v1/namespaces", kube_cluster.token("nobody"))[0] == 403
    assert _get(kube_cluster, "/api/v1/namespaces", "not-a-token")[0] == 401


def test_crds_established(kube_cluster: KubeCluster) -> None:
    with kube_cluster.api_client() as api:
        ext = k8s.ApiextensionsV1Api(api)
        crds: dict[str, Any] = {
            name: api.sanitize_for_serialization(ext.read_custom_resource_definition(name))
            for name in CRD_NAMES
        }
    for name, crd in crds.items():
        established = [c for c in crd["status"]["conditions"] if c["type"] == "Established"]
        assert established and established[0]["status"] == "True", name
    schema = crds["virtualmachines.kubevirt.io"]["spec"]["versions"][0]["schema"]
    template = schema["openAPIV3Schema"]["properties"]["spec"]["properties"]["template"]
    assert "affinity" in template["properties"]["spec"]["properties"]  # the real KubeVirt schema


def test_kubevirt_schema_is_enforced(kube_cluster: KubeCluster) -> None:
    with kube_cluster.api_client() as api:
        create(api, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "schema"}})
        bad = vm_manifest("bad", "schema")
        bad["spec"]["template"]["spec"]["domain"]["cpu"] = {"cores": "two"}
        with pytest.raises(ApiException) as refused:
            create(api, bad)
        assert refused.value.status == 422
        assert "cores" in str(refused.value.body)
        odd = vm_manifest("pruned", "schema")
        odd["spec"]["template"]["spec"]["domain"]["notAField"] = True
        create(api, odd)
        stored: Any = k8s.CustomObjectsApi(api).get_namespaced_custom_object(
            "kubevirt.io", "v1", "schema", "virtualmachines", "pruned"
        )
    assert "notAField" not in stored["spec"]["template"]["spec"]["domain"]  # pruned silently


def test_stop_ends_both_processes_and_removes_files() -> None:
    kube = KubeCluster(ensure_kube(), install_crds=False).start()
    pids = [proc.pid for proc in kube._procs]
    assert len(pids) == 2
    assert _get(kube, "/readyz", None) == (200, b"ok")
    kube.stop()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert not kube.dir.exists()
    kube.stop()  # twice is fine
