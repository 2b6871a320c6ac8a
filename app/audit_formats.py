"""Render audit results: JSON, CSV, Markdown, JUnit XML and HTML (pure functions)."""

from __future__ import annotations

import csv
import html
import io
import json
import xml.etree.ElementTree as ET
from typing import Any

from app.audits import AuditResult

FINDING_KEYS = ("decision_id", "category", "summary")


def _fields(result: AuditResult) -> dict[str, Any]:
    return {
        k: getattr(result, k)
        for k in (
            "id",
            "title",
            "severity",
            "workstream",
            "count",
            "total",
            "description",
            "remediation",
        )
    }


def to_json(results: list[AuditResult]) -> str:
    """``{"audits": [{id, title, severity, workstream, count, total, findings, ...}]}``."""
    audits = [{**_fields(r), "findings": r.findings, "graph_query": r.graph_query} for r in results]
    return json.dumps({"audits": audits}, indent=2, ensure_ascii=False, default=str)


def to_csv(results: list[AuditResult]) -> str:
    """One row per finding: audit, severity, then the finding's own columns."""
    extra = sorted({k for r in results for f in r.findings for k in f} - set(FINDING_KEYS))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["audit", "severity", *FINDING_KEYS, *extra])
    for r in results:
        for f in r.findings:
            writer.writerow(
                [r.id, r.severity, *(f.get(k) for k in FINDING_KEYS), *(f.get(k) for k in extra)]
            )
    return buffer.getvalue()


def _md(text: Any) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def to_markdown(results: list[AuditResult]) -> str:
    """A summary table, then each audit's findings."""
    lines = ["# authmap audit", "", "| audit | severity | findings | of |", "|---|---|---:|---:|"]
    lines += [f"| {r.id} | {r.severity} | {r.count} | {r.total} |" for r in results]
    for r in results:
        lines += [
            "",
            f"## {r.title} (`{r.id}`, {r.severity})",
            "",
            _md(r.description),
            "",
            f"**Remediation:** {_md(r.remediation)}",
            "",
        ]
        if not r.findings:
            lines.append("No findings.")
            continue
        lines += ["| decision | category | summary |", "|---|---|---|"]
        lines += [
            f"| `{_md(f.get('decision_id'))}` | {_md(f.get('category'))} | "
            f"{_md(f.get('summary'))} |"
            for f in r.findings
        ]
    return "\n".join(lines) + "\n"


def to_junit(results: list[AuditResult]) -> str:
    """JUnit XML: one test suite per audit, each finding a failed test case (a clean audit is
    one passing case), so CI systems show them."""
    root = ET.Element(
        "testsuites",
        name="authmap audit",
        tests=str(sum(max(r.count, 1) for r in results)),
        failures=str(sum(r.count for r in results)),
    )
    for r in results:
        suite = ET.SubElement(
            root,
            "testsuite",
            name=r.id,
            tests=str(max(r.count, 1)),
            failures=str(r.count),
            errors="0",
            skipped="0",
        )
        if not r.findings:
            ET.SubElement(suite, "testcase", classname=f"authmap.{r.id}", name="no findings")
        for f in r.findings:
            case = ET.SubElement(
                suite, "testcase", classname=f"authmap.{r.id}", name=str(f.get("decision_id"))
            )
            failure = ET.SubElement(
                case, "failure", type=r.severity, message=str(f.get("summary") or r.title)
            )
            failure.text = f"{r.title}\n{r.remediation}\n" + json.dumps(f, default=str)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def to_html(results: list[AuditResult]) -> str:
    """A self-contained HTML page (no scripts, everything escaped)."""
    e = html.escape
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>authmap audit</title><style>body{font-family:system-ui,sans-serif;"
        "margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
        "padding:.25rem .5rem;text-align:left}.critical,.high{color:#b00020}</style>",
        "</head><body><h1>authmap audit</h1><table><tr><th>audit</th><th>severity</th>"
        "<th>findings</th><th>of</th></tr>",
    ]
    parts += [
        f"<tr><td><a href='#{e(r.id)}'>{e(r.id)}</a></td><td class='{e(r.severity)}'>"
        f"{e(r.severity)}</td><td>{r.count}</td><td>{r.total}</td></tr>"
        for r in results
    ]
    parts.append("</table>")
    for r in results:
        parts += [
            f"<h2 id='{e(r.id)}'>{e(r.title)}</h2><p>{e(r.description)}</p>",
            f"<p><strong>Remediation:</strong> {e(r.remediation)}</p>",
        ]
        if r.findings:
            parts.append("<table><tr><th>decision</th><th>category</th><th>summary</th></tr>")
            parts += [
                f"<tr><td><code>{e(str(f.get('decision_id')))}</code></td>"
                f"<td>{e(str(f.get('category')))}</td><td>{e(str(f.get('summary')))}</td>"
                "</tr>"
                for f in r.findings
            ]
            parts.append("</table>")
        else:
            parts.append("<p>No findings.</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
