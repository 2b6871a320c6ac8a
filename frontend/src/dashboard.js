// The landing page: Day-90 readiness per category and per workstream (inline SVG bar charts),
// the audits with their counts, the largest authority vacuums and what the estate holds. Every
// bar, audit and vacuum is one click from the graph.
import { get } from "./api.js";
import { el } from "./dom.js";
import { STATUS_COLOURS } from "./graphview.js";
import { PARITY_COLOURS } from "./panel.js";

const SVG = "http://www.w3.org/2000/svg";
/** The four stacked parts of a category's bar, in order, with the colour of each status. */
const PARTS = [
  ["verified", "verified", STATUS_COLOURS.verified],
  ["enforced", "enforced, not verified", STATUS_COLOURS.enforced],
  ["owned", "owned, not enforced", STATUS_COLOURS.accepted],
  ["unowned", "no accepted owner", STATUS_COLOURS.unowned],
];
const INVENTORY = [
  ["VirtualMachine", "VMs"],
  ["Host", "hosts"],
  ["Cluster", "clusters"],
  ["Datastore", "datastores"],
  ["Folder", "folders"],
  ["ADUser", "AD users"],
  ["ADGroup", "AD groups"],
  ["Permission", "permissions"],
  ["Decision", "decisions"],
];

function svg(tag, attrs = {}, children = []) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of [].concat(children)) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

const pct = (done, of) => (of ? `${Math.round((100 * done) / of)}%` : "n/a");
const label = (text) => String(text).replace(/_/g, " ");

/** The stacked segments of one category: verified, enforced only, owned only, unowned. */
export function segments(c) {
  return {
    verified: c.verified,
    enforced: c.enforced - c.verified,
    owned: c.owned - c.enforced,
    unowned: c.inventoried - c.owned,
  };
}

/** Readiness per category: one stacked horizontal bar each (a click draws its vacuums). */
function categoryChart(categories, onPick) {
  const rowH = 26;
  const left = 150;
  const width = 420;
  const most = Math.max(1, ...categories.map((c) => c.inventoried));
  const rows = categories.map((c, i) => {
    const y = i * rowH;
    const parts = segments(c);
    let x = left;
    const rects = PARTS.map(([key, text, colour]) => {
      const w = (parts[key] / most) * width;
      const rect = svg("rect", { x, y: y + 4, width: Math.max(0, w), height: rowH - 10, fill: colour }, svg("title", {}, `${label(c.category)}: ${parts[key]} ${text}`));
      x += w;
      return rect;
    });
    return svg("g", { class: "bar", "data-category": c.category, onclick: () => onPick(c.category), tabindex: 0, role: "button" }, [
      svg("title", {}, `${label(c.category)}: ${c.verified} of ${c.inventoried} verified. Click: its decisions without an accepted owner, in the graph`),
      svg("text", { x: left - 8, y: y + rowH / 2 + 4, "text-anchor": "end" }, label(c.category)),
      ...rects,
      svg("text", { x: x + 6, y: y + rowH / 2 + 4, class: "num" }, `${c.verified}/${c.inventoried} · ${pct(c.verified, c.inventoried)}`),
    ]);
  });
  return svg("svg", { class: "chart", viewBox: `0 0 ${left + width + 110} ${categories.length * rowH}`, role: "img", "aria-label": "Readiness per category" }, rows);
}

/** The four workstreams as progress bars. */
function workstreamChart(workstreams) {
  const rowH = 40;
  const width = 560;
  const rows = workstreams.map((w, i) => {
    const y = i * rowH;
    const share = w.of ? w.done / w.of : 1;
    return svg("g", { class: "workstream" }, [
      svg("text", { x: 0, y: y + 13 }, `${w.workstream}: ${w.done} of ${w.of} (${pct(w.done, w.of)})`),
      svg("rect", { x: 0, y: y + 19, width, height: 12, rx: 3, fill: "#e6e9ef" }),
      svg("rect", { x: 0, y: y + 19, width: width * share, height: 12, rx: 3, fill: share >= 1 ? STATUS_COLOURS.verified : "#2f6fde" }),
    ]);
  });
  return svg("svg", { class: "chart", viewBox: `0 0 ${width + 10} ${workstreams.length * rowH}`, role: "img", "aria-label": "Progress per workstream" }, rows);
}

function legend() {
  return el(
    "ul",
    { class: "legend inline" },
    PARTS.map(([, text, colour]) => el("li", {}, [el("span", { class: "swatch", style: `background:${colour}` }), text])),
  );
}

function auditsList(audits, { showAudit }) {
  const most = Math.max(1, ...audits.map((a) => a.total));
  return el(
    "ul",
    { class: "dash-audits" },
    audits.map((a) =>
      el("li", { "data-audit": a.id }, [
        el("span", { class: `sev sev-${a.severity}` }, a.severity),
        el("span", { class: "title" }, a.title),
        el("span", { class: "minibar", title: `${a.count} of ${a.total}` }, el("span", { style: `width:${(100 * a.count) / most}%` })),
        el("span", { class: "ratio" }, [el("span", { class: "count" }, String(a.count)), ` / ${a.total}`]),
        el("button", { onclick: () => showAudit(a.id), disabled: !a.count, title: "Draw every finding in the graph" }, "Graph"),
      ]),
    ),
  );
}

function vacuumsTable(vacuums, { openNode }) {
  if (!vacuums.length) return el("p", {}, "No authority vacuums: every active decision has an accepted owner.");
  return el("table", { class: "vacuums" }, [
    el("thead", {}, el("tr", {}, ["Decision", "Category", "Status", "Blast radius"].map((h) => el("th", {}, h)))),
    el(
      "tbody",
      {},
      vacuums.map((v) =>
        el("tr", { "data-id": v.decision_id, onclick: () => openNode(v.decision_id), title: "Open in the graph" }, [
          el("td", { title: v.summary }, el("span", { class: "summary" }, v.summary)),
          el("td", {}, label(v.category)),
          el("td", {}, el("span", { class: "pill", style: `background:${STATUS_COLOURS[v.status] || "#999"}` }, v.status)),
          el("td", { class: "num" }, `${v.blast_radius} VM${v.blast_radius === 1 ? "" : "s"}`),
        ]),
      ),
    ),
  ]);
}

/** Per decision: who verified it and what the latest target read found; contradicted ones
 * (a person verified, the target read disagrees) first. A click draws its target objects. */
function parityTable(rows, summary, { showTarget }) {
  const read = rows.filter((r) => r.parity);
  if (!read.length) return el("p", { class: "muted" }, "No target read yet: run authmap parity.");
  const counts = {};
  for (const r of read) counts[r.parity] = (counts[r.parity] || 0) + 1;
  const shown = read.slice(0, 20);
  return el("div", {}, [
    el("p", { class: "parity-counts" }, Object.entries(counts).map(([status, n]) => el("span", { class: "pill", "data-parity": status, style: `background:${PARITY_COLOURS[status] || "#999"};margin-right:4px` }, `${n} ${status}`))),
    el("p", { class: "muted" }, `Verified: ${summary.target_read || 0} by target read, ${summary.person || 0} by a person only, ${summary.contradicted || 0} contradicted by the latest target read.`),
    el("table", { class: "parity" }, [
      el("thead", {}, el("tr", {}, ["Decision", "Parity", "Verified by", "Target, time"].map((h) => el("th", {}, h)))),
      el(
        "tbody",
        {},
        shown.map((r) =>
          el("tr", { "data-id": r.id, "data-parity": r.parity, onclick: () => showTarget(r.id), title: "Draw the decision and its target objects in the graph" }, [
            el("td", { title: r.summary }, el("span", { class: "summary" }, r.summary)),
            el("td", {}, el("span", { class: "pill", style: `background:${PARITY_COLOURS[r.parity] || "#999"}` }, r.parity)),
            el("td", {}, r.verified_by ? `${r.verified_by}${r.status === "verified" && ["drifted", "missing"].includes(r.parity) ? " (contradicted)" : ""}` : "not verified"),
            el("td", {}, `${r.target}, ${String(r.parity_at).slice(0, 16).replace("T", " ")}`),
          ]),
        ),
      ),
    ]),
    read.length > shown.length ? el("p", { class: "muted" }, `${shown.length} of ${read.length} shown; all in authmap report (parity.csv) and GET /api/parity.`) : null,
  ]);
}

function inventory(labels) {
  const tiles = INVENTORY.filter(([kind]) => labels[kind]).map(([kind, text]) => el("div", { class: "tile", "data-kind": kind }, [el("strong", {}, String(labels[kind])), el("span", {}, text)]));
  return el("div", { class: "tiles" }, tiles);
}

/** Fill `root` with the dashboard. */
export async function renderDashboard(root, actions) {
  root.replaceChildren(el("p", { class: "muted" }, "Reading the readiness…"));
  const [data, summary] = await Promise.all([get("/api/readiness", { top: 10 }), get("/api/summary").catch(() => null)]);
  const t = data.total;
  root.replaceChildren(
    el("section", { class: "headline" }, [
      el("h2", {}, "Day-90 readiness"),
      el("p", { class: "big" }, [el("strong", { id: "dash-readiness" }, pct(t.verified, t.inventoried)), ` of the ${t.inventoried} active decisions are owned, enforced and verified on the target (${t.owned} owned, ${t.enforced} enforced).`]),
      summary ? inventory(summary.labels) : null,
    ]),
    el("div", { class: "dash-grid" }, [
      el("section", { class: "card", id: "dash-categories" }, [el("h3", {}, "Readiness per category"), legend(), categoryChart(data.categories, actions.showCategory), el("p", { class: "muted" }, "Click a bar: that category's decisions without an accepted owner, in the graph.")]),
      el("section", { class: "card", id: "dash-workstreams" }, [el("h3", {}, "Workstreams"), workstreamChart(data.workstreams)]),
      el("section", { class: "card", id: "dash-audits" }, [el("h3", {}, "Audits"), auditsList(data.audits, actions)]),
      el("section", { class: "card", id: "dash-vacuums" }, [el("h3", {}, "Largest authority vacuums"), vacuumsTable(data.vacuums, actions)]),
      el("section", { class: "card", id: "dash-parity" }, [el("h3", {}, "Parity on the target"), parityTable(data.parity || [], data.parity_summary || {}, actions)]),
    ]),
  );
}
