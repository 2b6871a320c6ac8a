"""A real kube-apiserver + etcd for tests: built once by ``tools/kube/build.sh`` (cached outside
the clone, in ``~/.cache/authmap/kube/<version>/``), started on free loopback ports.

``KubeCluster`` makes a PKI with openssl (a self-signed serving certificate that the
kubeconfig trusts, a service-account key pair), a static token file with random tokens for
:data:`USERS`, starts etcd and kube-apiserver (RBAC authorizer), waits for ``/readyz``, writes
a kubeconfig with one context per user and installs the CRDs (KubeVirt's real VirtualMachine
schema, Multus NAD and MultiNetworkPolicy, AdminNetworkPolicy/BaselineAdminNetworkPolicy)::

    with KubeCluster(ensure_kube()) as kube:
        api = kube.api_client("admin")

There is no controller-manager, scheduler or kubelet: objects are stored and validated, never
reconciled (quota status stays empty, namespaces are never finalized, no pods run).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import yaml
from kubernetes import client as k8s
from kubernetes import config as k8s_config

from tests.conftest import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = REPO_ROOT / "tools" / "kube" / "build.sh"
START_TIMEOUT_S = 90.0
CRD_TIMEOUT_S = 60.0

USERS: dict[str, tuple[str, ...]] = {
    "admin": ("system:masters",),
    "reader": ("authmap-readers",),
    "limited": ("authmap-limited",),
    "nobody": (),
    "alice": ("vm-viewers", "ops"),
    "bob": ("other",),
}
"""Token users and their groups. Only ``admin`` can do anything until a test binds roles to
the others (``nobody`` is authenticated and bound to nothing)."""

CRD_FILES = ("kubevirt-vm.yaml", "nad.yaml", "multi-networkpolicy.yaml", "anp.yaml", "banp.yaml")
CRD_NAMES = (
    "virtualmachines.kubevirt.io",
    "network-attachment-definitions.k8s.cni.cncf.io",
    "multi-networkpolicies.k8s.cni.cncf.io",
    "adminnetworkpolicies.policy.networking.k8s.io",
    "baselineadminnetworkpolicies.policy.networking.k8s.io",
)


class KubeError(RuntimeError):
    """The binaries could not be built, or the cluster could not be started."""


def ensure_kube() -> Path:
    """Build kube-apiserver, etcd and the CRD files if needed; return the cache directory."""
    env = {**os.environ, "PYTHON": sys.executable}
    proc = subprocess.run(
        ["bash", str(BUILD_SCRIPT)], capture_output=True, text=True, env=env, check=False
    )
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if proc.returncode != 0 or not lines:
        tail = "\n".join(proc.stderr.splitlines()[-40:])
        raise KubeError(f"{BUILD_SCRIPT} failed (exit {proc.returncode}):\n{tail}")
    return Path(lines[-1])


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_pki(pki: Path) -> None:
    """A service-account key pair and a self-signed serving cert for 127.0.0.1/localhost."""
    pki.mkdir(parents=True, exist_ok=True)
    _openssl("genrsa", "-out", "sa.key", "2048", cwd=pki)
    _openssl("rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub", cwd=pki)
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-keyout", "serving.key", "-out", "serving.crt", "-subj", "/CN=kube-apiserver",
        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost,IP:10.0.0.1",
        cwd=pki,
    )  # fmt: skip


class KubeCluster:
    """etcd + kube-apiserver on free 127.0.0.1 ports, with a token per user of :data:`USERS`."""

    def __init__(self, bin_dir: Path, *, install_crds: bool = True) -> None:
        self.bin_dir = bin_dir
        self.install_crds = install_crds
        self.dir = Path(tempfile.mkdtemp(prefix="authmap-kube-"))
        self.tokens = {user: f"{user}-{secrets.token_hex(16)}" for user in USERS}
        self.port = 0
        self._procs: list[subprocess.Popen[bytes]] = []

    @property
    def server(self) -> str:
        """The API server URL."""
        return f"https://127.0.0.1:{self.port}"

    @property
    def ca_file(self) -> Path:
        """The serving certificate (self-signed: the kubeconfig's certificate authority)."""
        return self.dir / "pki" / "serving.crt"

    @property
    def kubeconfig(self) -> Path:
        """A kubeconfig with one context per user (named like the user; ``admin`` current)."""
        return self.dir / "kubeconfig"

    def token(self, user: str) -> str:
        """The bearer token of ``user``."""
        return self.tokens[user]

    def write_kubeconfig(self, path: Path, *, server: str | None = None, ca: bool = True) -> Path:
        """Write a kubeconfig (optionally with another server URL or no CA) to ``path``."""
        cluster: dict[str, Any] = {"server": server or self.server}
        if ca:
            cluster["certificate-authority"] = str(self.ca_file)
        doc = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "authmap-test", "cluster": cluster}],
            "users": [{"name": u, "user": {"token": t}} for u, t in self.tokens.items()],
            "contexts": [
                {"name": u, "context": {"cluster": "authmap-test", "user": u}} for u in USERS
            ],
            "current-context": "admin",
        }
        path.write_text(yaml.safe_dump(doc))
        path.chmod(0o600)
        return path

    def api_client(self, user: str = "admin") -> k8s.ApiClient:
        """A client of the official library, authenticated as ``user``."""
        api: k8s.ApiClient = k8s_config.new_client_from_config(str(self.kubeconfig), context=user)
        return api

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        """Start etcd and the apiserver, wait until ready, install the CRDs."""
        try:
            make_pki(self.dir / "pki")
            rows = [f'{t},{u},{u}-uid,"{",".join(USERS[u])}"' for u, t in self.tokens.items()]
            (self.dir / "pki" / "tokens.csv").write_text("\n".join(rows) + "\n")
            self.port = free_port()
            self._spawn("etcd", self._etcd_argv(free_port(), free_port()))
            self._spawn("apiserver", self._apiserver_argv())
            self._wait_ready()
            self.write_kubeconfig(self.kubeconfig)
            if self.install_crds:
                self.apply_crds()
        except BaseException:
            self.stop()
            raise
        return self

    def _etcd_argv(self, client: int, peer: int) -> list[str]:
        data, peer_url = self.dir / "etcd-data", f"http://127.0.0.1:{peer}"
        return [
            str(self.bin_dir / "etcd"), "--name", "authmap", "--data-dir", str(data),
            "--listen-client-urls", f"http://127.0.0.1:{client}",
            "--advertise-client-urls", f"http://127.0.0.1:{client}",
            "--listen-peer-urls", peer_url, "--initial-advertise-peer-urls", peer_url,
            "--initial-cluster", f"authmap={peer_url}", "--unsafe-no-fsync", "--log-level", "warn",
        ]  # fmt: skip

    def _apiserver_argv(self) -> list[str]:
        etcd = self._etcd_client_url()
        pki = self.dir / "pki"
        return [
            str(self.bin_dir / "kube-apiserver"), f"--etcd-servers={etcd}",
            "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
            f"--secure-port={self.port}",
            f"--tls-cert-file={pki / 'serving.crt'}",
            f"--tls-private-key-file={pki / 'serving.key'}",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            f"--service-account-key-file={pki / 'sa.pub'}",
            f"--service-account-signing-key-file={pki / 'sa.key'}",
            f"--token-auth-file={pki / 'tokens.csv'}", "--authorization-mode=RBAC",
            "--service-cluster-ip-range=10.0.0.0/24", f"--cert-dir={self.dir / 'certs'}",
            "--endpoint-reconciler-type=none",
        ]  # fmt: skip

    def _etcd_client_url(self) -> str:
        argv = self._procs[0].args
        assert isinstance(argv, list)
        return str(argv[argv.index("--listen-client-urls") + 1])

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = (self.dir / f"{name}.log").open("wb")
        try:
            proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        except OSError as exc:
            raise KubeError(f"cannot run {argv[0]}: {exc}") from exc
        finally:
            log.close()
        self._procs.append(proc)

    def _wait_ready(self) -> None:
        context = ssl.create_default_context(cafile=str(self.ca_file))
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            for proc, name in zip(self._procs, ("etcd", "apiserver"), strict=True):
                if proc.poll() is not None:
                    raise KubeError(f"{name} exited ({proc.returncode}):\n{self.log_tail(name)}")
            try:
                with urllib.request.urlopen(  # noqa: S310 - https to our own loopback server
                    f"{self.server}/readyz", context=context, timeout=2
                ) as answer:
                    if answer.read().strip() == b"ok":
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise KubeError(f"apiserver not ready after {START_TIMEOUT_S:.0f} s:\n"
                        f"{self.log_tail('apiserver')}")  # fmt: skip

    def log_tail(self, name: str, lines: int = 30) -> str:
        """The last lines of ``etcd.log`` or ``apiserver.log``."""
        path = self.dir / f"{name}.log"
        if not path.exists():
            return "(no log)"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def apply_crds(self) -> None:
        """Create every CRD of :data:`CRD_FILES` and wait until each is Established."""
        with self.api_client() as api:
            ext = k8s.ApiextensionsV1Api(api)
            for name in CRD_FILES:
                for doc in yaml.safe_load_all((self.bin_dir / "crds" / name).read_text()):
                    ext.create_custom_resource_definition(doc)
            deadline = time.monotonic() + CRD_TIMEOUT_S
            for crd in CRD_NAMES:
                while not self._established(ext, crd):
                    if time.monotonic() > deadline:
                        raise KubeError(f"CRD {crd} not Established after {CRD_TIMEOUT_S:.0f} s")
                    time.sleep(0.2)

    @staticmethod
    def _established(ext: k8s.ApiextensionsV1Api, name: str) -> bool:
        status = ext.read_custom_resource_definition(name).status
        conditions = (status.conditions if status else None) or []
        return any(c.type == "Established" and c.status == "True" for c in conditions)

    def stop(self) -> None:
        """Stop the apiserver, then etcd (SIGTERM, SIGKILL after 10 s); remove the files."""
        for proc in reversed(self._procs):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
        self._procs.clear()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
