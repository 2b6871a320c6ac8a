"""Change-authority parity through the target's own authorizer, and target-only authority.

For each source grant (a vSphere permission) and each mapped VM in its reach, the target is
asked with a SubjectAccessReview (``authorization.k8s.io/v1``) whether the mapped principal may
make every request the role's privileges translate to (:mod:`app.parity.privileges`):
enforced only if all are allowed; some: drifted (what is denied, where); none: missing. A
NoAccess grant is the reverse: enforced when the target denies every VM-control request.

Target-only authority: bindings whose role lets a subject control VMs (confirmed by a review)
while no source principal with a grant maps to that subject, e.g. a group bound to
``cluster-admin``. Subjects named ``system:...`` are the platform's own and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from app.parity.model import Status, TargetRef, TargetVM, Verdict
from app.parity.principals import MapperBase, Subject
from app.parity.privileges import VM_CONTROL, Check, translate
from app.records.kubernetes import object_id
from app.records.kubernetes_policy import RbacRule

NO_ACCESS = -5
_REASON = re.compile(
    r'allowed by (ClusterRoleBinding|RoleBinding) "([^"/]+)(?:/([^"]+))?" '
    r'of (ClusterRole|Role) "([^"]+)"'
)


class Authorizer(Protocol):
    """Answers access reviews (the real one is :class:`app.parity.sar.KubeAuthorizer`)."""

    def review(
        self, subject: Subject, namespace: str, check: Check, name: str | None
    ) -> tuple[bool, str]:
        """``(allowed, reason)`` for one request of one subject."""
        ...


@dataclass(frozen=True)
class Grant:
    """A source grant: a vSphere permission and its role's privileges."""

    principal: str
    is_group: bool
    role: str
    role_id: int
    privileges: tuple[str, ...]


def _binding_ref(source: str, reason: str) -> TargetRef | None:
    match = _REASON.search(reason)
    if not match:
        return None
    kind, name, namespace, role_kind, role = match.groups()
    rid = object_id(source, f"K8s{kind}", name, namespace)
    shown = f"{namespace}/{name}" if namespace else name
    return TargetRef(kind, rid, shown, f"{role_kind} {role}")


def _review_all(
    subject: Subject,
    vms: Sequence[TargetVM],
    checks: Sequence[Check],
    authorizer: Authorizer,
    source: str,
) -> tuple[list[str], list[str], list[TargetRef]]:
    allowed: list[str] = []
    denied: list[str] = []
    evidence: dict[str, TargetRef] = {}
    for vm in vms:
        for check in checks:
            ok, reason = authorizer.review(
                subject, vm.namespace, check, vm.name if check.named else None
            )
            (allowed if ok else denied).append(f"{check.text()} on {vm.ref}")
            ref = _binding_ref(source, reason) if ok else None
            if ref:
                evidence[ref.id] = ref
    return allowed, denied, list(evidence.values())


def _summary(items: list[str], limit: int = 6) -> str:
    more = f" (and {len(items) - limit} more)" if len(items) > limit else ""
    return "; ".join(items[:limit]) + more


def change_authority(
    grant: Grant,
    vms: Sequence[TargetVM],
    mapper: MapperBase,
    authorizer: Authorizer,
    source: str,
) -> Verdict:
    """Parity of one source grant over its mapped VMs."""
    role = translate(grant.privileges)
    purpose = [p for p in grant.privileges if not p.startswith("System.")]
    if grant.role_id != NO_ACCESS and (
        not role.checks or (purpose and not translate(purpose).checks)
    ):  # every vSphere role holds System.*: a role is judged on what it adds
        return Verdict("gap", [f"role {grant.role} has no privilege the target can check"])
    match = mapper.match(grant.principal, grant.is_group)
    if match.subject is None:
        if grant.role_id == NO_ACCESS and match.how == "unmatched":
            return Verdict("enforced", [match.text(), "no binding names it: it is granted nothing"])
        return Verdict("missing", [match.text()])
    who = f"{match.subject.kind} {match.subject.name}"
    if grant.role_id == NO_ACCESS:
        allowed, _, evidence = _review_all(match.subject, vms, VM_CONTROL, authorizer, source)
        if allowed:
            return Verdict(
                "drifted",
                [
                    match.text(),
                    f"the source denies everything (NoAccess) but the target lets {who}: "
                    f"{_summary(allowed)}",
                ],
                evidence,
            )
        return Verdict(
            "enforced",
            [match.text(), f"the target denies {who} every VM-control request on {len(vms)} VM(s)"],
        )
    lines = [match.text()]
    if role.no_analogue:
        lines.append(
            f"role {grant.role}: {len(role.no_analogue)} privilege(s) with no target analogue: "
            f"{_summary(list(role.no_analogue), 8)}"
        )
    if not role.checks:
        return Verdict("gap", [*lines, f"role {grant.role} has no privilege the target can check"])
    allowed, denied, evidence = _review_all(match.subject, vms, role.checks, authorizer, source)
    checks = ", ".join(c.text() for c in role.checks)
    if not denied:
        return Verdict(
            "enforced",
            [*lines, f"the target allows {who} all of {checks} on {len(vms)} VM(s)"],
            evidence,
        )
    status: Status = "drifted" if allowed else "missing"
    return Verdict(status, [*lines, f"the target denies {who}: {_summary(denied)}"], evidence)


def rule_allows(rule: RbacRule, check: Check, name: str | None = None) -> bool:
    """Whether one RBAC rule allows a request (``*`` wildcards as RBAC reads them)."""
    resource = f"{check.resource}/{check.subresource}" if check.subresource else check.resource
    if not ({"*", check.group} & set(rule.api_groups)):
        return False
    if not ({"*", check.verb} & set(rule.verbs)):
        return False
    wildcard_sub = f"*/{check.subresource}" if check.subresource else None
    if not ({"*", resource, wildcard_sub} & set(rule.resources)):
        return False
    return not rule.resource_names or (name is not None and name in rule.resource_names)


@dataclass(frozen=True)
class Binding:
    """A RoleBinding or ClusterRoleBinding with its role's rules."""

    id: str
    kind: str
    name: str
    namespace: str | None
    role_kind: str
    role_name: str
    rules: tuple[RbacRule, ...]
    subjects: tuple[tuple[str, str, str | None], ...]
    """``(kind, name, namespace)``."""


def _controls(b: Binding) -> list[Check]:
    return [c for c in VM_CONTROL if any(rule_allows(r, c) for r in b.rules)]


def _sar_subject(kind: str, name: str, namespace: str | None) -> Subject | None:
    if kind == "ServiceAccount":
        return Subject("User", f"system:serviceaccount:{namespace}:{name}")
    if kind in ("User", "Group"):
        return Subject(kind, name)  # type: ignore[arg-type]
    return None


def _platform_own(b: Binding, name: str, namespace: str | None) -> bool:
    """The platform's own identities: ``system:`` subjects and bindings, ``kube-*`` service
    accounts."""
    return (
        name.startswith("system:")
        or b.name.startswith("system:")
        or (namespace or "").startswith("kube-")
    )


def target_only(
    bindings: Iterable[Binding],
    principals: Iterable[tuple[str, bool]],
    mapper: MapperBase,
    authorizer: Authorizer,
) -> list[dict[str, Any]]:
    """Target-only authority: ``{"subject", "binding", "role", "scope", "why"}`` per binding
    and subject (a review confirms each)."""
    known: set[Subject] = set()
    for name, is_group in principals:
        match = mapper.match(name, is_group)
        if match.subject is not None:
            known.add(match.subject)
        for candidate in match.candidates:
            known.add(Subject("Group" if is_group else "User", candidate))
    found = []
    for b in bindings:
        controls = _controls(b)
        if not controls:
            continue
        for kind, name, namespace in b.subjects:
            subject = _sar_subject(kind, name, namespace)
            if subject is None or subject in known or _platform_own(b, name, namespace):
                continue
            confirmed = [
                c for c in controls if authorizer.review(subject, b.namespace or "", c, None)[0]
            ]
            if not confirmed:
                continue
            scope = f"namespace {b.namespace}" if b.namespace else "every namespace"
            shown = f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}"
            found.append(
                {
                    "subject": shown,
                    "binding": f"{b.kind} {b.namespace + '/' if b.namespace else ''}{b.name}",
                    "role": f"{b.role_kind} {b.role_name}",
                    "scope": scope,
                    "why": f"can {', '.join(c.text() for c in confirmed)} in {scope}; "
                    "no source grant maps to this subject",
                }
            )
    return sorted(found, key=lambda f: (f["subject"], f["binding"]))
