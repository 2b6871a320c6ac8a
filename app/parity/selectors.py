"""Kubernetes label and node selector semantics (pure functions)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from app.parity.model import TargetNode
from app.records.kubernetes import LabelSelector, NodeSelectorTerm, SelectorRequirement

HOSTNAME = "kubernetes.io/hostname"


def requirement_holds(req: SelectorRequirement, labels: Mapping[str, str]) -> bool:
    """One ``matchExpressions`` entry against a label set (``In``, ``NotIn``, ``Exists``,
    ``DoesNotExist``, ``Gt``, ``Lt``; an unknown operator never holds)."""
    op = req.operator
    present = req.key in labels
    value = labels.get(req.key)
    if op == "In":
        return present and value in req.values
    if op == "NotIn":
        return not present or value not in req.values
    if op == "Exists":
        return present
    if op == "DoesNotExist":
        return not present
    if op in ("Gt", "Lt") and present and req.values:
        try:
            have, bound = int(str(value)), int(req.values[0])
        except ValueError:
            return False
        return have > bound if op == "Gt" else have < bound
    return False


def selector_matches(selector: LabelSelector | None, labels: Mapping[str, str]) -> bool:
    """Whether a label selector selects a label set (``None`` selects nothing, an empty
    selector everything, as for pod affinity terms)."""
    if selector is None:
        return False
    if any(labels.get(k) != v for k, v in selector.match_labels.items()):
        return False
    return all(requirement_holds(r, labels) for r in selector.match_expressions)


def node_term_matches(term: NodeSelectorTerm, node: TargetNode) -> bool:
    """One node selector term (its expressions and fields are ANDed; an empty term matches
    no node, as the scheduler treats it)."""
    if not term.match_expressions and not term.match_fields:
        return False
    labels = {HOSTNAME: node.name, **node.labels}
    fields = {"metadata.name": node.name}
    return all(requirement_holds(r, labels) for r in term.match_expressions) and all(
        requirement_holds(r, fields) for r in term.match_fields
    )


def nodes_matching(
    terms: Iterable[NodeSelectorTerm], nodes: Iterable[TargetNode]
) -> frozenset[str]:
    """Names of the nodes any of the terms matches (terms are ORed)."""
    terms = list(terms)
    return frozenset(n.name for n in nodes if any(node_term_matches(t, n) for t in terms))
