"""Network policies (NetworkPolicy, MultiNetworkPolicy, AdminNetworkPolicy and its baseline)
and RBAC objects (raw JSON) to records."""

from __future__ import annotations

from typing import Any, Literal

from app.records import kubernetes_policy as p
from app.records.kubernetes import LabelSelector
from ingest.kubernetes.parse import Ids, Obj, cluster_scoped, meta, namespaced, selector
from ingest.kubernetes.parse_vm import nad_ref

POLICY_FOR_ANNOTATION = "k8s.v1.cni.cncf.io/policy-for"


def _peer(peer: Obj) -> p.PolicyPeer:
    block = peer.get("ipBlock")
    return p.PolicyPeer(
        pod_selector=selector(peer.get("podSelector")),
        namespace_selector=selector(peer.get("namespaceSelector")),
        ip_block=None
        if block is None
        else p.IpBlock(cidr=str(block.get("cidr")), excepted=[str(c) for c in block.get("except")
                       or []]),
    )  # fmt: skip


def _port(port: Obj) -> p.PolicyPort:
    number = port.get("port")
    return p.PolicyPort(
        protocol=port.get("protocol"),
        port=None if number is None else str(number),
        end_port=port.get("endPort"),
    )


def _rules(items: Any, peers_key: str) -> list[p.PolicyRule]:
    return [
        p.PolicyRule(
            peers=[_peer(x) for x in rule.get(peers_key) or []],
            ports=[_port(x) for x in rule.get("ports") or []],
        )
        for rule in items or []
    ]


def _policy_fields(obj: Obj) -> dict[str, Any]:
    spec = obj.get("spec") or {}
    types = [str(t) for t in spec.get("policyTypes") or []]
    if not types:  # the API's default: Ingress, plus Egress when egress rules are given
        types = ["Ingress", "Egress"] if spec.get("egress") else ["Ingress"]
    return {
        "pod_selector": selector(spec.get("podSelector")) or LabelSelector(),
        "policy_types": types,
        "ingress": _rules(spec.get("ingress"), "from"),
        "egress": _rules(spec.get("egress"), "to"),
    }


def network_policy(obj: Obj, ids: Ids) -> p.K8sNetworkPolicy:
    """A NetworkPolicy."""
    return p.K8sNetworkPolicy(**namespaced(obj, ids, "K8sNetworkPolicy"), **_policy_fields(obj))


def multi_network_policy(obj: Obj, ids: Ids) -> p.K8sMultiNetworkPolicy:
    """A MultiNetworkPolicy and the NADs of its ``policy-for`` annotation."""
    base = namespaced(obj, ids, "K8sMultiNetworkPolicy")
    raw = str((meta(obj).get("annotations") or {}).get(POLICY_FOR_ANNOTATION) or "")
    refs = [nad_ref(x.strip(), base["namespace"]) for x in raw.split(",") if x.strip()]
    nads = []
    for ref in refs:
        ns, name = ref.split("/", 1)
        nads.append(ids.obj("K8sNetworkAttachmentDefinition", name, ns))
    return p.K8sMultiNetworkPolicy(**base, **_policy_fields(obj), policy_for=refs, nads=nads)


def _admin_peer(peer: Obj) -> p.AdminPeer:
    pods = peer.get("pods") or {}
    return p.AdminPeer(
        namespaces=selector(peer.get("namespaces")),
        pod_namespaces=selector(pods.get("namespaceSelector")),
        pods=selector(pods.get("podSelector")),
        nodes=selector(peer.get("nodes")),
        networks=[str(n) for n in peer.get("networks") or []],
    )


def _admin_port(port: Obj) -> p.AdminPort:
    if "namedPort" in port:
        return p.AdminPort(named_port=str(port["namedPort"]))
    if "portRange" in port:
        rng = port["portRange"] or {}
        return p.AdminPort(
            protocol=rng.get("protocol"), port=rng.get("start"), end_port=rng.get("end")
        )
    number = port.get("portNumber") or {}
    return p.AdminPort(protocol=number.get("protocol"), port=number.get("port"))


def _admin_rules(spec: Obj) -> list[p.AdminRule]:
    out = []
    directions: tuple[tuple[Literal["ingress", "egress"], str], ...] = (
        ("ingress", "from"),
        ("egress", "to"),
    )
    for direction, peers_key in directions:
        for rule in spec.get(direction) or []:
            out.append(
                p.AdminRule(
                    name=rule.get("name"),
                    direction=direction,
                    action=str(rule.get("action")),
                    peers=[_admin_peer(x) for x in rule.get(peers_key) or []],
                    ports=[_admin_port(x) for x in rule.get("ports") or []],
                )
            )
    return out


def admin_network_policy(obj: Obj, ids: Ids, *, baseline: bool) -> p.K8sAdminNetworkPolicy:
    """An AdminNetworkPolicy, or (``baseline``) a BaselineAdminNetworkPolicy. The baseline's
    id carries ``baseline/`` so it never collides with an ANP named ``default``."""
    spec = obj.get("spec") or {}
    subject = spec.get("subject") or {}
    pods = subject.get("pods") or {}
    base = cluster_scoped(obj, ids, "K8sAdminNetworkPolicy")
    if baseline:
        base["id"] = ids.obj("K8sAdminNetworkPolicy", f"baseline/{base['name']}")
    return p.K8sAdminNetworkPolicy(
        **base,
        baseline=baseline,
        priority=spec.get("priority"),
        subject_namespaces=selector(subject.get("namespaces")),
        subject_pod_namespaces=selector(pods.get("namespaceSelector")),
        subject_pods=selector(pods.get("podSelector")),
        rules=_admin_rules(spec),
    )


def _rbac_rules(obj: Obj) -> list[p.RbacRule]:
    def texts(rule: Obj, key: str) -> list[str]:
        return [str(x) for x in rule.get(key) or []]

    return [
        p.RbacRule(
            api_groups=texts(rule, "apiGroups"),
            resources=texts(rule, "resources"),
            verbs=texts(rule, "verbs"),
            resource_names=texts(rule, "resourceNames"),
            non_resource_urls=texts(rule, "nonResourceURLs"),
        )
        for rule in obj.get("rules") or []
    ]


def cluster_role(obj: Obj, ids: Ids) -> p.K8sClusterRole:
    """A ClusterRole."""
    aggregation = (obj.get("aggregationRule") or {}).get("clusterRoleSelectors") or []
    return p.K8sClusterRole(
        **cluster_scoped(obj, ids, "K8sClusterRole"),
        rules=_rbac_rules(obj),
        aggregation_selectors=[s for s in (selector(x) for x in aggregation) if s is not None],
    )


def role(obj: Obj, ids: Ids) -> p.K8sRole:
    """A Role."""
    return p.K8sRole(**namespaced(obj, ids, "K8sRole"), rules=_rbac_rules(obj))


def subjects(obj: Obj) -> list[p.BindingSubject]:
    """A binding's subjects (a ServiceAccount without a namespace gets the binding's)."""
    out = []
    for s in obj.get("subjects") or []:
        kind = str(s.get("kind"))
        ns = s.get("namespace")
        if kind == "ServiceAccount" and not ns:
            ns = meta(obj).get("namespace")
        out.append(
            p.BindingSubject(
                kind=kind,
                name=str(s.get("name")),
                namespace=ns if kind == "ServiceAccount" else None,
            )
        )
    return out


def subject(s: p.BindingSubject, ids: Ids) -> p.K8sSubject:
    """The node of one subject."""
    return p.K8sSubject(
        id=p.subject_id(ids.source, s.kind, s.name, s.namespace),
        subject_kind=s.kind,
        name=s.name,
        namespace=s.namespace,
        name_key=s.name.lower(),
        cluster=ids.source,
    )


def _binding_fields(obj: Obj, ids: Ids, namespace: str | None) -> dict[str, Any]:
    ref = obj.get("roleRef") or {}
    kind, name = str(ref.get("kind")), str(ref.get("name"))
    if kind == "Role" and namespace:
        role_id = ids.obj("K8sRole", name, namespace)
    else:
        role_id = ids.obj("K8sClusterRole", name)
    subs = subjects(obj)
    return {
        "role_kind": kind,
        "role_name": name,
        "role": role_id,
        "subjects": subs,
        "subject_ids": [p.subject_id(ids.source, s.kind, s.name, s.namespace) for s in subs],
    }


def cluster_role_binding(obj: Obj, ids: Ids) -> p.K8sClusterRoleBinding:
    """A ClusterRoleBinding."""
    return p.K8sClusterRoleBinding(
        **cluster_scoped(obj, ids, "K8sClusterRoleBinding"), **_binding_fields(obj, ids, None)
    )


def role_binding(obj: Obj, ids: Ids) -> p.K8sRoleBinding:
    """A RoleBinding."""
    base = namespaced(obj, ids, "K8sRoleBinding")
    return p.K8sRoleBinding(**base, **_binding_fields(obj, ids, base["namespace"]))
