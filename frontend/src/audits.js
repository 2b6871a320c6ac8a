// The audits page: every audit with its count and denominator, its findings, each finding
// opening in the graph (and the audit's own graph query drawing all of them).
import { get, post } from "./api.js";
import { el } from "./dom.js";

/** The node id a finding is about: decision_id, id, or the first *_id column. */
export function findingId(finding) {
  if (typeof finding.decision_id === "string") return finding.decision_id;
  if (typeof finding.id === "string") return finding.id;
  const key = Object.keys(finding).find((k) => k.endsWith("_id") && typeof finding[k] === "string");
  return key ? finding[key] : null;
}

export async function renderAudits(root, readinessRoot, { openNode, showAudit }) {
  root.replaceChildren(el("p", { class: "muted" }, "Running the audits…"));
  const [audits, summary] = await Promise.all([get("/api/audits"), get("/api/summary").catch(() => null)]);
  if (summary) renderReadiness(readinessRoot, summary);
  const cards = audits.map((audit) => {
    const ratio = el("span", { class: "ratio" }, "…");
    const body = el("div", { class: "body", hidden: true });
    const card = el("section", { class: "audit", "data-audit": audit.id }, [
      el("header", { onclick: () => (body.hidden = !body.hidden) }, [
        el("span", { class: `sev-${audit.severity}` }, audit.severity),
        el("strong", {}, audit.title),
        el("code", { class: "muted" }, audit.id),
        ratio,
      ]),
      body,
    ]);
    post(`/api/audits/${encodeURIComponent(audit.id)}/run`)
      .then((run) => {
        ratio.replaceChildren(el("span", { class: "count" }, String(run.count)), " / ", el("span", { class: "total" }, String(run.total)));
        card.dataset.count = run.count;
        card.dataset.total = run.total;
        body.replaceChildren(...findingsBody(audit, run, { openNode, showAudit }));
      })
      .catch((error) => ratio.replaceChildren(el("span", { class: "bad" }, error.message)));
    return card;
  });
  root.replaceChildren(...cards);
}

function findingsBody(audit, run, { openNode, showAudit }) {
  const parts = [
    el("p", {}, audit.description),
    el("p", { class: "muted" }, ["Remediation: ", audit.remediation]),
    el("div", { class: "actions" }, [el("button", { onclick: () => showAudit(audit.id) }, "Show all in the graph")]),
  ];
  if (!run.findings.length) return [...parts, el("p", {}, "No findings.")];
  const columns = Object.keys(run.findings[0]);
  const rows = run.findings.map((f) => {
    const id = findingId(f);
    return el("tr", { "data-id": id || "", onclick: () => id && openNode(id), title: id ? "Open in the graph" : "" }, columns.map((c) => el("td", {}, cell(f[c]))));
  });
  parts.push(el("table", {}, [el("thead", {}, el("tr", {}, columns.map((c) => el("th", {}, c)))), el("tbody", {}, rows)]));
  return parts;
}

function cell(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function renderReadiness(root, summary) {
  const t = summary.total;
  root.replaceChildren(
    el("p", {}, [
      el("strong", {}, "Day-90 readiness: "),
      `${t.verified} of ${t.total} active decisions verified (${Math.round(t.readiness * 100)}%), ${t.owned} owned, ${t.enforced} enforced.`,
    ]),
  );
}
