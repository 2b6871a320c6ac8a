"""A Kubernetes API server reached through a kubeconfig with the official ``kubernetes`` client.

The kubeconfig and context are loaded by the client's own loader (tokens, client certificates,
exec plugins, the cluster's CA). TLS is verified unless ``insecure`` is set, which is said in a
warning. Lists are read page by page (``limit`` / ``continue``) as raw JSON, the same for
built-in kinds and custom resources. Errors are phrased for a person and never hold the token:
every message passes through :meth:`KubeClient.scrub`.
"""

from __future__ import annotations

import json
import logging
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import urllib3
from kubernetes import client as k8s
from kubernetes import config as k8s_config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

from app.records.contract import SourceError
from ingest.retry import ATTEMPTS, RETRY_WAIT_S, TRANSIENT_STATUS
from ingest.tls import warn_insecure

log = logging.getLogger(__name__)

TIMEOUT_S = 30.0
PAGE_SIZE = 500


class KubeConnectionError(SourceError):
    """The server cannot be used at all: unreachable, TLS failure, bad kubeconfig, 401, or
    forbidden to read the cluster's identity. The message is one line without secrets."""


class KubeApiError(RuntimeError):
    """One request failed (already phrased for a gap; no secrets in it)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class KubernetesOptions:
    """Which cluster to read: a kubeconfig and context (its credentials stay in the file)."""

    kubeconfig: Path | None = None
    """``None``: the client's default (``$KUBECONFIG`` or ``~/.kube/config``)."""
    context: str | None = None
    insecure: bool = False
    page_size: int = PAGE_SIZE
    timeout: float = TIMEOUT_S


class KubeClient:
    """An authenticated connection (nothing is requested until the first call)."""

    def __init__(self, target: KubernetesOptions) -> None:
        self.target = target
        self._secrets: list[str] = []
        configuration = k8s.Configuration()
        try:
            k8s_config.load_kube_config(
                config_file=str(target.kubeconfig) if target.kubeconfig else None,
                context=target.context,
                client_configuration=configuration,
                persist_config=False,
            )
        except (ConfigException, OSError, ValueError, TypeError) as exc:
            where = target.kubeconfig or "the default kubeconfig"
            raise KubeConnectionError(f"cannot use {where}: {self._one_line(exc)}") from exc
        self._secrets = [str(v).split()[-1] for v in configuration.api_key.values() if v]
        configuration.debug = False
        configuration.retries = urllib3.Retry(total=0)  # retried here, quietly: see _send
        if target.insecure:
            configuration.verify_ssl = False
            warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
            warn_insecure(str(configuration.host))
        self.server = str(configuration.host).rstrip("/")
        self.context, self.cluster_name = self._context_names(target.context)
        self._api = k8s.ApiClient(configuration)

    def __repr__(self) -> str:
        return f"KubeClient(server={self.server!r}, context={self.context!r})"

    def _context_names(self, wanted: str | None) -> tuple[str | None, str | None]:
        """The context used and the kubeconfig's name for its cluster."""
        try:
            contexts, current = k8s_config.list_kube_config_contexts(
                str(self.target.kubeconfig) if self.target.kubeconfig else None
            )
        except (ConfigException, OSError, ValueError, TypeError):
            return wanted, None
        chosen = next((c for c in contexts if c.get("name") == wanted), None) if wanted else current
        if not isinstance(chosen, dict):
            return wanted, None
        cluster = (chosen.get("context") or {}).get("cluster")
        return str(chosen.get("name")), None if cluster is None else str(cluster)

    @property
    def where(self) -> str:
        """The server URL (no credentials)."""
        return self.server

    def scrub(self, text: str) -> str:
        """``text`` with every credential of the kubeconfig replaced by ``***``."""
        for secret in self._secrets:
            if secret:
                text = text.replace(secret, "***")
        return text

    def _one_line(self, exc: BaseException) -> str:
        return self.scrub(" ".join(str(exc).split()))[:300] or type(exc).__name__

    def get(self, path: str, query: list[tuple[str, Any]] | None = None) -> dict[str, Any]:
        """GET ``path`` as JSON; :class:`KubeApiError` (with the status) on an HTTP error,
        :class:`KubeConnectionError` when the server cannot be reached or TLS fails."""
        method, url, headers, _body, _post = self._api.param_serialize(
            "GET",
            path,
            query_params=query or [],
            header_params={"Accept": "application/json"},
            auth_settings=["BearerToken"],
        )
        answer = self._send(method, url, headers)
        data = answer.read()
        if answer.status >= 400:
            raise KubeApiError(self._status_message(path, answer.status, data), answer.status)
        try:
            parsed = json.loads(data)
        except ValueError as exc:
            raise KubeApiError(f"GET {path}: the answer is not JSON", answer.status) from exc
        if not isinstance(parsed, dict):
            raise KubeApiError(f"GET {path}: the answer is not a JSON object", answer.status)
        return parsed

    def _send(self, method: str, url: str, headers: dict[str, str]) -> Any:
        """One request, tried up to :data:`ATTEMPTS` times while the server is unreachable or
        answers 429/502/503/504 (a TLS failure is final)."""
        for attempt in range(1, ATTEMPTS + 1):
            try:
                answer = self._api.call_api(
                    method, url, headers, None, None, _request_timeout=self.target.timeout
                )
            except (ApiException, urllib3.exceptions.HTTPError, OSError) as exc:
                message = self._unreachable(exc)
                if attempt == ATTEMPTS or message.startswith("TLS"):
                    raise KubeConnectionError(message) from exc
            else:
                if answer.status not in TRANSIENT_STATUS or attempt == ATTEMPTS:
                    return answer
            time.sleep(RETRY_WAIT_S * attempt)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def items(self, path: str) -> Iterator[dict[str, Any]]:
        """Every item of a list, page by page (``limit`` and ``continue``)."""
        token: str | None = None
        while True:
            query: list[tuple[str, Any]] = [("limit", self.target.page_size)]
            if token:
                query.append(("continue", token))
            page = self.get(path, query)
            yield from page.get("items") or []
            token = (page.get("metadata") or {}).get("continue")
            if not token:
                return

    def _status_message(self, path: str, status: int, data: bytes) -> str:
        reason = ""
        try:
            reason = str(json.loads(data).get("message") or "")
        except (ValueError, AttributeError):
            reason = data[:200].decode(errors="replace")
        words = {401: "unauthorized", 403: "forbidden", 404: "not found"}
        head = f"GET {path}: HTTP {status} {words.get(status, '')}".rstrip()
        return self.scrub(f"{head}: {' '.join(reason.split())}"[:400] if reason else head)

    def _unreachable(self, exc: BaseException) -> str:
        """One line for a request that got no HTTP answer (TLS failures named as such)."""
        inner = getattr(exc, "reason", None)
        text = self._one_line(inner if isinstance(inner, BaseException) else exc)
        if "CERTIFICATE_VERIFY_FAILED" in text or "SSLCertVerificationError" in text:
            return (
                f"TLS verification of {self.server} failed (give the cluster's CA in the "
                f"kubeconfig, or --insecure to skip verification): {text}"
            )
        return f"cannot reach {self.server}: {text}"

    def close(self) -> None:
        """Release the connection pool (safe to call twice)."""
        self._api.close()
