"""Parity in the ownership lifecycle: ``decisions verify --method target-read`` records the
latest stored parity result of a decision as a verification (enforced: pass; anything else:
fail), and a later parity run that finds a decision verified this way no longer enforced
records a failing verification, which moves it back to ``enforced`` (``app.lifecycle``)."""

from __future__ import annotations

import json
from typing import Literal

from app.graph import Graph
from app.lifecycle import DecisionState, NotFoundError, default_actor, verify

METHOD: Literal["target-read"] = "target-read"


def verify_from_parity(
    graph: Graph,
    decision_id: str,
    actor: str,
    *,
    target: str | None = None,
    expected_version: int | None = None,
) -> DecisionState:
    """Record the decision's latest parity result (on ``target``, else the newest of any)."""
    rows = graph.read("parity/latest", {"decision_id": decision_id, "target": target})
    if not rows:
        raise NotFoundError(
            f"no parity result for decision {decision_id!r}: run `authmap parity` first"
        )
    row = rows[0]
    evidence = ", ".join(e["name"] for e in json.loads(row["evidence_json"] or "[]")[:5])
    note = f"parity run {row['run']} on {row['target']} at {row['at']}: {row['status']}" + (
        f" ({evidence})" if evidence else ""
    )
    return verify(
        graph,
        decision_id,
        actor,
        method=METHOD,
        result="pass" if row["status"] == "enforced" else "fail",
        expected_version=expected_version,
        note=note,
    )


def demote_drifted(graph: Graph, results: dict[str, str], target: str) -> list[str]:
    """Decisions verified by target read whose new parity status (``results``: decision id
    -> status) is no longer ``enforced``: record a failing verification for each; return them."""
    ids = [d for d, status in results.items() if status != "enforced"]
    demoted = []
    for row in graph.read("parity/verified_by_target_read", {"ids": ids, "method": METHOD}):
        verify_from_parity(graph, row["id"], default_actor(), target=target)
        demoted.append(str(row["id"]))
    return demoted
