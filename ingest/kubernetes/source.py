"""The Kubernetes source: :func:`open_kubernetes` reads :class:`KubernetesOptions` and returns
an open :class:`KubernetesCollector` (the cluster's identity already read)."""

from __future__ import annotations

from ingest.kubernetes.client import KubernetesOptions
from ingest.kubernetes.collect import KubernetesCollector


def open_kubernetes(options: KubernetesOptions) -> KubernetesCollector:
    """Load the kubeconfig and read the cluster's identity; raise
    :class:`~ingest.kubernetes.client.KubeConnectionError` (a ``SourceError``) with one clear
    line when the cluster cannot be used."""
    return KubernetesCollector.open(options)
