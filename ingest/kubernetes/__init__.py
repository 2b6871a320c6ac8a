"""The Kubernetes target collector (KubeVirt, Multus, network policy API) with the official
``kubernetes`` client: a kubeconfig and context in, records and gaps out. Knows nothing of
Neo4j."""

from ingest.kubernetes.client import (
    KubeApiError,
    KubeClient,
    KubeConnectionError,
    KubernetesOptions,
)
from ingest.kubernetes.collect import KINDS, KubernetesCollector
from ingest.kubernetes.source import open_kubernetes

__all__ = [
    "KINDS",
    "KubeApiError",
    "KubeClient",
    "KubeConnectionError",
    "KubernetesCollector",
    "KubernetesOptions",
    "open_kubernetes",
]
