"""The Kubernetes collector: opens a cluster through a kubeconfig and streams its records.

Opening reads ``/version`` and the ``kube-system`` namespace, whose uid is the cluster's
identity; a server that cannot be reached, refuses the credentials (401) or forbids that read
(403) raises :class:`KubeConnectionError` (one line, no secret) before anything is collected.
Then every kind is listed cluster-wide, page by page. A kind the account may not list (403), or
that fails otherwise, becomes a gap (the run is partial, so its load removes nothing); a custom
resource whose CRD is not installed (404) is simply absent. If every list is forbidden the
collection raises :class:`KubeConnectionError` too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.records import Record
from app.records import kubernetes as r
from app.records.contract import CollectorBase, GapSink, Sink, SourceIdentity
from ingest.kubernetes import parse, parse_policy, parse_vm
from ingest.kubernetes.client import (
    KubeApiError,
    KubeClient,
    KubeConnectionError,
    KubernetesOptions,
)

log = logging.getLogger(__name__)

Parser = Callable[[dict[str, Any], parse.Ids], Record]


@dataclass(frozen=True)
class Kind:
    """One list the collector reads: the record kind (for gaps), the path, the parser, and
    whether it is a custom resource (absent when its CRD is not installed)."""

    what: str
    path: str
    parser: Parser | None
    custom: bool = False


def _vm_parser(claims: dict[str, r.K8sPersistentVolumeClaim]) -> Parser:
    return lambda obj, ids: parse_vm.virtual_machine(obj, ids, claims)


def _banp(obj: dict[str, Any], ids: parse.Ids) -> Record:
    return parse_policy.admin_network_policy(obj, ids, baseline=True)


def _anp(obj: dict[str, Any], ids: parse.Ids) -> Record:
    return parse_policy.admin_network_policy(obj, ids, baseline=False)


RBAC = "/apis/rbac.authorization.k8s.io/v1"
NPAPI = "/apis/policy.networking.k8s.io/v1alpha1"
KINDS: tuple[Kind, ...] = (
    Kind("K8sNamespace", "/api/v1/namespaces", parse.namespace),
    Kind("K8sNode", "/api/v1/nodes", parse.node),
    Kind("K8sStorageClass", "/apis/storage.k8s.io/v1/storageclasses", parse.storage_class),
    Kind("K8sPriorityClass", "/apis/scheduling.k8s.io/v1/priorityclasses", parse.priority_class),
    Kind("K8sPersistentVolumeClaim", "/api/v1/persistentvolumeclaims", parse.pvc),
    Kind(
        "K8sNetworkAttachmentDefinition",
        "/apis/k8s.cni.cncf.io/v1/network-attachment-definitions",
        parse.nad,
        custom=True,
    ),
    Kind("K8sVirtualMachine", "/apis/kubevirt.io/v1/virtualmachines", None, custom=True),
    Kind(
        "K8sNetworkPolicy",
        "/apis/networking.k8s.io/v1/networkpolicies",
        parse_policy.network_policy,
    ),
    Kind(
        "K8sMultiNetworkPolicy",
        "/apis/k8s.cni.cncf.io/v1beta1/multi-networkpolicies",
        parse_policy.multi_network_policy,
        custom=True,
    ),
    Kind("K8sAdminNetworkPolicy", f"{NPAPI}/adminnetworkpolicies", _anp, custom=True),
    Kind("K8sBaselineAdminNetworkPolicy", f"{NPAPI}/baselineadminnetworkpolicies", _banp, True),
    Kind("K8sClusterRole", f"{RBAC}/clusterroles", parse_policy.cluster_role),
    Kind("K8sRole", f"{RBAC}/roles", parse_policy.role),
    Kind(
        "K8sClusterRoleBinding",
        f"{RBAC}/clusterrolebindings",
        parse_policy.cluster_role_binding,
    ),
    Kind("K8sRoleBinding", f"{RBAC}/rolebindings", parse_policy.role_binding),
    Kind("K8sResourceQuota", "/api/v1/resourcequotas", parse.resource_quota),
    Kind("K8sLimitRange", "/api/v1/limitranges", parse.limit_range),
)
"""Every list, in collection order (PVCs before VMs: they give volumes their classes)."""


class KubernetesCollector(CollectorBase):
    """An open cluster (implements :class:`app.records.contract.Collector`)."""

    def __init__(self, client: KubeClient) -> None:
        self.client = client
        version = self._identity_read("/version")
        kube_system = self._identity_read("/api/v1/namespaces/kube-system")
        uid = str(parse.meta(kube_system).get("uid") or "")
        if not uid:
            raise KubeConnectionError(f"{client.where}: namespace kube-system has no uid")
        self.cluster = parse.cluster(client.server, client.cluster_name, uid, version)
        self.ids = parse.Ids(self.cluster.id)

    @classmethod
    def open(cls, target: KubernetesOptions) -> KubernetesCollector:
        """Load the kubeconfig and read the cluster's identity."""
        client = KubeClient(target)
        try:
            return cls(client)
        except BaseException:
            client.close()
            raise

    def _identity_read(self, path: str) -> dict[str, Any]:
        try:
            return self.client.get(path)
        except KubeApiError as exc:
            where = self.client.where
            if exc.status == 401:
                raise KubeConnectionError(
                    f"{where} refused the credentials (HTTP 401 unauthorized)"
                ) from exc
            if exc.status == 403:
                raise KubeConnectionError(
                    f"{where}: forbidden to read {path}, which identifies the cluster "
                    "(the reader needs the ClusterRole of docs/kubernetes.md)"
                ) from exc
            raise KubeConnectionError(f"{where}: {exc}") from exc

    @property
    def identity(self) -> SourceIdentity:
        """``kubernetes`` / ``k8s:<kube-system uid>``, named by the server URL."""
        return SourceIdentity(kind="kubernetes", id=self.cluster.id, name=self.client.server)

    @property
    def where(self) -> str:
        """The server URL (never the token)."""
        return self.client.where

    def collect(self, sink: Sink, gap: GapSink) -> None:
        """Stream the cluster, its objects and the binding subjects into ``sink``."""
        sink(self.cluster)
        claims: dict[str, r.K8sPersistentVolumeClaim] = {}
        subjects: dict[str, Record] = {}
        forbidden = listed = 0
        for kind in KINDS:
            parser = kind.parser or _vm_parser(claims)
            try:
                for obj in self.client.items(kind.path):
                    record = self._parse(kind, parser, obj, gap)
                    if record is None:
                        continue
                    if isinstance(record, r.K8sPersistentVolumeClaim):
                        claims[f"{record.namespace}/{record.name}"] = record
                    for s in getattr(record, "subjects", None) or []:
                        node = parse_policy.subject(s, self.ids)
                        subjects.setdefault(node.id, node)
                    sink(record)
                listed += 1
            except KubeApiError as exc:
                if kind.custom and exc.status == 404:
                    log.debug("%s: %s is not installed (404)", self.where, kind.path)
                    continue
                forbidden += exc.status == 403
                gap(kind.what, str(exc), None)
        if forbidden and not listed:
            raise KubeConnectionError(f"{self.where}: forbidden to list anything")
        for node_id in sorted(subjects):
            sink(subjects[node_id])

    def _parse(
        self, kind: Kind, parser: Parser, obj: dict[str, Any], gap: GapSink
    ) -> Record | None:
        try:
            return parser(obj, self.ids)
        except (ValueError, KeyError, TypeError) as exc:  # one odd object: a gap, not a crash
            m = parse.meta(obj)
            name = "/".join(str(x) for x in (m.get("namespace"), m.get("name")) if x)
            gap(kind.what, f"cannot read {name or 'an object'}: {type(exc).__name__}", name)
            return None

    def close(self) -> None:
        """Release the connection (safe to call twice)."""
        self.client.close()
