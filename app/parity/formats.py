"""Render a parity report: JSON, JUnit XML and Markdown (pure functions; the table is the
CLI's)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from app.parity.engine import ParityReport


def to_json(report: ParityReport) -> str:
    """``{"target", "decisions", "target_only", "vm_mapping"}``."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False, default=str) + "\n"


def _md(text: object) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def to_markdown(report: ParityReport) -> str:
    """A status summary, then one table row per decision, target-only authority and the VMs
    that could not be mapped."""
    t = report.target
    counts = report.counts()
    lines = [
        f"# authmap parity: {t.name}",
        "",
        f"Run {report.run} at {report.at}.",
        "",
        "| status | decisions |",
        "|---|---:|",
    ]
    lines += [f"| {s} | {n} |" for s, n in sorted(counts.items())]
    lines += [
        "",
        "| decision | category | status | summary | explanation |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| `{_md(d.decision_id)}` | {d.category} | **{d.status}** | {_md(d.summary)} | "
        f"{_md('; '.join(d.verdict.explanation))} |"
        for d in report.decisions
    ]
    lines += ["", "## Target-only authority", ""]
    if report.target_only:
        lines += ["| subject | binding | role | scope | why |", "|---|---|---|---|---|"]
        lines += [
            f"| {_md(f['subject'])} | {_md(f['binding'])} | {_md(f['role'])} | "
            f"{_md(f['scope'])} | {_md(f['why'])} |"
            for f in report.target_only
        ]
    else:
        lines.append("None.")
    m = report.vm_mapping
    lines += [
        "",
        "## VM mapping",
        "",
        f"{len(m.matched)} mapped, {len(m.ambiguous)} ambiguous, "
        f"{len(m.unmatched)} not on the target, {len(m.unused)} target VMs unmatched.",
    ]
    lines += [f"- ambiguous: {_md(m.names[s])} -> {', '.join(c)}" for s, c in m.ambiguous.items()]
    return "\n".join(lines) + "\n"


def to_junit(report: ParityReport, failing: frozenset[str]) -> str:
    """One test case per decision (failed when its status is in ``failing``) and per
    target-only binding (failed when ``target-only`` is)."""
    suite = ET.Element("testsuite", name=f"authmap parity {report.target.name}")
    failures = 0
    for d in report.decisions:
        case = ET.SubElement(
            suite, "testcase", classname=f"parity.{d.category}", name=d.decision_id
        )
        if d.status in failing:
            failures += 1
            node = ET.SubElement(case, "failure", message=f"{d.status}: {d.summary}")
            node.text = "\n".join(d.verdict.explanation)
        elif d.status in ("gap", "unmapped"):
            ET.SubElement(case, "system-out").text = f"{d.status}: " + "; ".join(
                d.verdict.explanation
            )
    for f in report.target_only:
        case = ET.SubElement(
            suite,
            "testcase",
            classname="parity.target_only",
            name=f"{f['subject']} via {f['binding']}",
        )
        if "target-only" in failing:
            failures += 1
            ET.SubElement(case, "failure", message=f["why"]).text = f"{f['role']} in {f['scope']}"
    suite.set("tests", str(len(report.decisions) + len(report.target_only)))
    suite.set("failures", str(failures))
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def findings(report: ParityReport, failing: frozenset[str]) -> int:
    """How many decisions (and target-only bindings) are at a failing status."""
    count = sum(1 for d in report.decisions if d.status in failing)
    return count + (len(report.target_only) if "target-only" in failing else 0)
