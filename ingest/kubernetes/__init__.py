"""The Kubernetes target collector (KubeVirt, Multus, network policy API) with the official
``kubernetes`` client: a kubeconfig and context in, records and gaps out. Knows nothing of
Neo4j."""

from ingest.kubernetes.client import KubeApiError, KubeClient, KubeConnectionError, KubeTarget
from ingest.kubernetes.collect import KINDS, KubernetesCollector

__all__ = [
    "KINDS",
    "KubeApiError",
    "KubeClient",
    "KubeConnectionError",
    "KubeTarget",
    "KubernetesCollector",
]
