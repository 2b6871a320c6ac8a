"""The target's authorizer: SubjectAccessReviews (``authorization.k8s.io/v1``), cached.

The kubeconfig's account needs ``create`` on ``subjectaccessreviews`` (cluster-admin and the
``system:auth-delegator`` role have it). Answers are cached per (subject, namespace, request,
name) for the run, so a role granted on a folder of many VMs costs one review per distinct
request, not per VM, when the target names no VMs in its rules.
"""

from __future__ import annotations

from typing import Any

from app.parity.principals import Subject
from app.parity.privileges import Check


class AuthorizerError(RuntimeError):
    """The target's authorizer could not be asked (message safe to show)."""


def kube_api_client(kubeconfig: str, context: str | None = None) -> Any:
    """A ``kubernetes`` API client from a kubeconfig file (TLS verified as the file says)."""
    from kubernetes import config
    from kubernetes.config.config_exception import ConfigException

    try:
        return config.new_client_from_config(  # type: ignore[no-untyped-call]
            config_file=kubeconfig, context=context
        )
    except (ConfigException, OSError, ValueError, TypeError) as exc:
        raise AuthorizerError(f"cannot read kubeconfig {kubeconfig}: {exc}") from None


class KubeAuthorizer:
    """Asks one cluster's API server for access reviews."""

    def __init__(self, api_client: Any, names_matter: bool = True) -> None:
        from kubernetes import client

        self._api = client.AuthorizationV1Api(api_client)
        self._cache: dict[tuple[Any, ...], tuple[bool, str]] = {}
        self.names_matter = names_matter
        """False when no target RBAC rule names resources: reviews drop the VM name."""
        self.reviews = 0

    def review(
        self, subject: Subject, namespace: str, check: Check, name: str | None
    ) -> tuple[bool, str]:
        """``(allowed, reason)`` of one request of one subject."""
        name = name if self.names_matter else None
        key = (subject, namespace, check, name)
        if key not in self._cache:
            self._cache[key] = self._ask(subject, namespace, check, name)
        return self._cache[key]

    def _ask(
        self, subject: Subject, namespace: str, check: Check, name: str | None
    ) -> tuple[bool, str]:
        from kubernetes.client.exceptions import ApiException
        from urllib3.exceptions import HTTPError

        attributes = {
            "namespace": namespace,
            "verb": check.verb,
            "group": check.group,
            "resource": check.resource,
        }
        if check.subresource:
            attributes["subresource"] = check.subresource
        if name:
            attributes["name"] = name
        spec: dict[str, Any] = {"resourceAttributes": attributes}
        if subject.kind == "Group":
            spec["groups"] = [subject.name]
        else:
            spec["user"] = subject.name
        body = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SubjectAccessReview",
            "spec": spec,
        }
        try:
            status = self._api.create_subject_access_review(body).status  # type: ignore[arg-type]
        except ApiException as exc:
            raise AuthorizerError(
                f"the target refused a SubjectAccessReview ({exc.status} {exc.reason}): "
                "the account needs create on subjectaccessreviews"
            ) from None
        except (HTTPError, OSError) as exc:
            raise AuthorizerError(f"the target's API server is not reachable: {exc}") from None
        self.reviews += 1
        if status is None:
            return False, ""
        return bool(status.allowed), str(status.reason or "")
