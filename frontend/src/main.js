// authmap's viewer: tabs (Dashboard, Graph, Audits, Who can), hash routing (a view is a URL),
// search, legends and filters, toolbar and keyboard.
import "./style.css";
import { get } from "./api.js";
import { renderAudits } from "./audits.js";
import { renderDashboard } from "./dashboard.js";
import { download, el, toast } from "./dom.js";
import { GraphView, STATUSES, STATUS_COLOURS, kindColour } from "./graphview.js";
import { Panel } from "./panel.js";
import { Steps } from "./steps.js";
import { askWhoCan } from "./whocan.js";

const $ = (id) => document.getElementById(id);
const PAGES = ["dashboard", "graph", "audits", "who-can"];
/** The keys the graph answers, shown on the dashboard and beside the graph. */
const KEYS = [
  ["/", "search"],
  ["E", "expand the selected node (or double-click it)"],
  ["H", "hide the selected node"],
  ["U", "undo (Ctrl+Z)"],
  ["F", "fit the view"],
  ["L", "force layout"],
  ["T", "tree layout"],
  ["Esc", "deselect"],
];

const view = new GraphView($("sigma"), {
  onSelect: (id) => {
    panel.show(id);
    writeHash();
  },
  onExpand: (id) => expand(id),
  onChange: () => scheduleLegend(),
});
const steps = new Steps(view, { onChange: () => writeHash() });
const panel = new Panel($("panel"), {
  view,
  steps,
  open: (id) => openNode(id),
  expand: (id) => expand(id),
  showTarget: (id) => showTarget(id),
  onOwnershipChange: () => (auditsStale = dashboardStale = true),
});
let layoutMode = "force";
let auditsStale = true;
let dashboardStale = true;
let page = "graph";
let busy = 0;

// --- routing -------------------------------------------------------------------------

function parseHash() {
  const text = location.hash.replace(/^#\/?/, "");
  const [path, query = ""] = text.split("?");
  const params = {};
  for (const pair of query.split("&").filter(Boolean)) {
    const at = pair.indexOf("=");
    params[at < 0 ? pair : pair.slice(0, at)] = at < 0 ? "" : pair.slice(at + 1);
  }
  return { page: path || "dashboard", params };
}

const list = (text) => (text ? text.split(",").filter(Boolean).map(decodeURIComponent) : []);
const enc = (values) => [...values].map(encodeURIComponent).join(",");

/** The graph view as a URL hash: the steps, the selected node, colours, filters, layout. */
export function graphHash() {
  const parts = [];
  const encoded = steps.encode();
  if (encoded) parts.push(`steps=${encoded}`);
  if (view.selected) parts.push(`focus=${encodeURIComponent(view.selected)}`);
  if (view.colourMode !== "status") parts.push(`colour=${view.colourMode}`);
  if (layoutMode !== "force") parts.push(`layout=${layoutMode}`);
  for (const [key, set] of [["hk", view.filters.kinds], ["hs", view.filters.statuses], ["hc", view.filters.categories]]) {
    if (set.size) parts.push(`${key}=${enc(set)}`);
  }
  return `#/graph${parts.length ? "?" + parts.join("&") : ""}`;
}

function writeHash() {
  if (page !== "graph") return;
  const hash = graphHash();
  if (location.hash !== hash) history.replaceState(null, "", hash);
}

async function route() {
  const { page: wanted, params } = parseHash();
  page = PAGES.includes(wanted) ? wanted : "dashboard";
  for (const name of PAGES) $(`page-${name}`).hidden = name !== page;
  for (const a of document.querySelectorAll(".tabs a")) a.classList.toggle("active", a.dataset.tab === page);
  if (page === "graph") await routeGraph(params);
  else if (page === "dashboard") {
    if (dashboardStale) {
      dashboardStale = false;
      await renderDashboard($("dashboard"), { openNode: openFromElsewhere, showAudit, showCategory, showTarget }).catch((error) => {
        dashboardStale = true;
        throw error;
      });
    }
  }
  else if (page === "audits") {
    if (auditsStale) {
      auditsStale = false;
      await renderAudits($("audits"), $("readiness"), { openNode: openFromElsewhere, showAudit });
    }
  } else if (page === "who-can") routeWhoCan(params);
}

async function routeGraph(params) {
  view.sigma.resize();
  if (params.stress) {
    stress(Number(params.stress) || 5000);
    return;
  }
  view.colourMode = params.colour || "status";
  $("colour-mode").value = view.colourMode;
  layoutMode = params.layout || "force";
  view.filters.kinds = new Set(list(params.hk));
  view.filters.statuses = new Set(list(params.hs));
  view.filters.categories = new Set(list(params.hc));
  if (params.steps !== undefined && params.steps !== steps.encode()) {
    await withBusy(() => steps.replay(params.steps));
    await relayout();
    view.fit();
  }
  const focus = params.focus ? decodeURIComponent(params.focus) : null;
  if (focus && view.graph.hasNode(focus)) view.select(focus);
  view.changed();
  writeHash();
}

function routeWhoCan(params) {
  const mode = params.mode || (params.principal ? "principal" : "entity");
  $("whocan-mode").value = mode;
  syncWhoCanMode();
  for (const key of ["entity", "principal", "privilege"]) {
    if (params[key] !== undefined) $(`whocan-${key}`).value = decodeURIComponent(params[key]);
  }
  if (params.entity || params.principal) submitWhoCan();
}

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

window.addEventListener("hashchange", () => route().catch((error) => toast(error.message)));

// --- actions -------------------------------------------------------------------------

async function withBusy(fn) {
  busy += 1;
  $("status").textContent = "Loading…";
  try {
    return await fn();
  } catch (error) {
    toast(error.message);
    return null;
  } finally {
    busy -= 1;
    if (!busy) $("status").textContent = "";
  }
}

async function relayout() {
  if (layoutMode === "tree") view.runTree();
  else await view.runForce();
}

async function openNode(id) {
  const before = view.graph.order;
  const opened = await withBusy(() => steps.open(id));
  if (opened) {
    if (view.graph.order !== before) await relayout();
    view.fit();
  }
  return opened;
}

async function expand(id) {
  const step = await withBusy(() => steps.expand(id));
  if (step) {
    if (step.truncated) toast(`Only the first ${step.nodes.length} neighbours were added (the limit).`);
    await relayout();
    view.fit();
  }
}

async function openFromElsewhere(id) {
  go("#/graph");
  await openNode(id);
}

async function showAudit(auditId) {
  go("#/graph");
  const step = await withBusy(() => steps.audit(auditId));
  if (step && !step.count) toast(`The audit ${auditId} has nothing to draw.`);
  await relayout();
  view.fit();
}

/** A decision and the target objects its latest parity results name (source decision <->
 * target object links through each ParityResult). */
async function showTarget(decisionId) {
  go("#/graph");
  const step = await withBusy(() => steps.target(decisionId));
  if (step && step.nodes.length + step.edges.length === 0) toast("Nothing new to draw: the decision and its target objects are on screen.");
  await relayout();
  view.fit();
  if (view.graph.hasNode(decisionId)) view.select(decisionId);
}

/** A category's decisions without an accepted owner (the authority-vacuum audit's graph with
 * every other category filtered out). */
async function showCategory(category) {
  go("#/graph");
  await withBusy(() => steps.audit("authority-vacuum"));
  const others = view.census().categories;
  view.filters.categories = new Set([...others.keys()].filter((c) => c !== category));
  await relayout();
  view.changed();
  view.fit();
  writeHash();
}

async function drawPaths(paths) {
  go("#/graph");
  await withBusy(() => steps.paths(paths));
  await relayout();
  view.fit();
}

function undo() {
  const step = steps.undo();
  if (!step) toast("Nothing to undo.");
}

/** Replace the view with `n` generated nodes (stress test: 5,000 stay responsive). */
function stress(n) {
  steps.history = [];
  view.clear();
  const kinds = ["VirtualMachine", "Host", "Cluster", "Folder", "Datastore", "Network", "Decision", "ADGroup"];
  const categories = ["placement", "failure_recovery", "change_authority", "capacity"];
  const nodes = [];
  for (let i = 0; i < n; i++) {
    const kind = kinds[i % kinds.length];
    const props = kind === "Decision" ? { category: categories[i % categories.length], status: "active", ownership_status: STATUSES[i % 5] } : { index: i };
    nodes.push({ id: `stress-${i}`, kind, name: `${kind.toLowerCase()}-${i}`, props, local: true });
  }
  view.addNodes(nodes);
  view.graph.forEachNode((node) => view.graph.mergeNodeAttributes(node, { x: Math.random() * 100, y: Math.random() * 100 }));
  const edges = [];
  for (let i = 1; i < n; i++) edges.push({ id: `se-${i}`, source: `stress-${i}`, target: `stress-${Math.floor(Math.random() * i)}`, type: "LINK" });
  for (let i = 0; i < n / 4; i++) edges.push({ id: `sx-${i}`, source: `stress-${Math.floor(Math.random() * n)}`, target: `stress-${Math.floor(Math.random() * n)}`, type: "LINK" });
  view.addEdges(edges);
  view.changed();
  return view.runForce({ budgetMs: 6000 });
}

// --- legends and filters ---------------------------------------------------------------

let legendFrame = null;
function scheduleLegend() {
  if (legendFrame) return;
  legendFrame = requestAnimationFrame(() => {
    legendFrame = null;
    renderLegends();
  });
}

function legendItem(label, colour, count, hiddenSet, value) {
  const off = hiddenSet.has(value);
  return el("li", { class: off ? "off" : "", "data-value": value }, [
    el("input", { type: "checkbox", checked: !off, onchange: (e) => toggleFilter(hiddenSet, value, !e.target.checked), "aria-label": `Show ${label}` }),
    colour ? el("span", { class: "swatch", style: `background:${colour}` }) : null,
    el("span", {}, label),
    el("span", { class: "count" }, count ?? ""),
  ]);
}

function toggleFilter(set, value, hide) {
  if (hide) set.add(value);
  else set.delete(value);
  view.changed();
  writeHash();
}

/** A kind's legend colour (decisions: none while they are coloured by status). */
function kindSwatch(kind) {
  return kind === "Decision" && view.colourMode === "status" ? null : kindColour(kind);
}

function renderLegends() {
  const { kinds, statuses, categories } = view.census();
  $("legend-status").replaceChildren(...STATUSES.map((s) => legendItem(s, STATUS_COLOURS[s], statuses.get(s) || 0, view.filters.statuses, s)));
  $("legend-kind").replaceChildren(...[...kinds.keys()].sort().map((k) => legendItem(k, kindSwatch(k), kinds.get(k), view.filters.kinds, k)));
  $("legend-category").replaceChildren(...[...categories.keys()].sort().map((c) => legendItem(c, null, categories.get(c), view.filters.categories, c)));
  const visible = view.visibleCount();
  $("graph-empty").hidden = view.graph.order > 0;
  const hidden = view.graph.order - visible;
  $("graph-count").textContent = `${visible} node${visible === 1 ? "" : "s"} on screen${hidden ? `, ${hidden} hidden` : ""}, ${view.graph.size} edges, ${steps.history.length} step${steps.history.length === 1 ? "" : "s"}.`;
  for (const input of document.querySelectorAll(".legend input")) input.checked = !input.closest("li").classList.contains("off");
}

// --- search --------------------------------------------------------------------------

let searchTimer = null;
let searchHits = [];
let searchIndex = -1;

function renderHits() {
  const box = $("search-results");
  box.hidden = !searchHits.length;
  box.replaceChildren(
    ...searchHits.map((hit, i) =>
      el("li", { class: i === searchIndex ? "sel" : "", "data-id": hit.id, onmousedown: (e) => (e.preventDefault(), pickHit(hit)) }, [el("span", {}, hit.name || hit.id), el("span", { class: "muted" }, hit.kind)]),
    ),
  );
}

async function pickHit(hit) {
  searchHits = [];
  renderHits();
  $("search-input").blur();
  await openFromElsewhere(hit.id);
}

$("search-input").addEventListener("input", (event) => {
  clearTimeout(searchTimer);
  const q = event.target.value.trim();
  if (!q) {
    searchHits = [];
    return renderHits();
  }
  searchTimer = setTimeout(async () => {
    try {
      searchHits = await get("/api/search", { q, limit: 15 });
    } catch (error) {
      searchHits = [];
      if (error.status !== 400) toast(error.message);
    }
    searchIndex = searchHits.length ? 0 : -1;
    renderHits();
  }, 200);
});
$("search-input").addEventListener("keydown", (event) => {
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    const step = event.key === "ArrowDown" ? 1 : -1;
    searchIndex = Math.max(0, Math.min(searchHits.length - 1, searchIndex + step));
    renderHits();
  } else if (event.key === "Escape") {
    searchHits = [];
    renderHits();
  }
});
$("search").addEventListener("submit", (event) => {
  event.preventDefault();
  if (searchHits[searchIndex]) pickHit(searchHits[searchIndex]);
});
$("search-input").addEventListener("blur", () => setTimeout(() => ((searchHits = []), renderHits()), 150));

// --- toolbar, who-can form, keyboard -----------------------------------------------------

$("btn-undo").onclick = undo;
$("btn-fa2").onclick = () => {
  layoutMode = "force";
  writeHash();
  view.runForce();
};
$("btn-tree").onclick = () => {
  layoutMode = "tree";
  writeHash();
  view.runTree();
  view.fit();
};
$("btn-fit").onclick = () => view.fit();
$("btn-clear").onclick = () => steps.clear();
$("btn-png").onclick = async () => download(await view.toPNG(), "authmap-view.png");
$("btn-json").onclick = () => {
  const data = view.toJSON(location.href);
  download(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }), "authmap-view.json");
};
$("btn-share").onclick = async () => {
  writeHash();
  try {
    await navigator.clipboard.writeText(location.href);
    toast("Link to this view copied.");
  } catch {
    toast(`Link to this view: ${location.href}`);
  }
};
$("colour-mode").onchange = (event) => {
  view.colourMode = event.target.value;
  view.changed();
  writeHash();
};

function syncWhoCanMode() {
  const principal = $("whocan-mode").value === "principal";
  $("whocan-principal").hidden = !principal;
  $("whocan-entity").placeholder = principal ? "Entity (optional): name, moref or id" : "Entity: name, moref or id (sql-01)";
}
$("whocan-mode").onchange = syncWhoCanMode;

function submitWhoCan() {
  const question = {
    mode: $("whocan-mode").value,
    entity: $("whocan-entity").value.trim(),
    principal: $("whocan-principal").value.trim(),
    privilege: $("whocan-privilege").value.trim(),
  };
  const parts = [`mode=${question.mode}`];
  for (const key of ["entity", "principal", "privilege"]) if (question[key]) parts.push(`${key}=${encodeURIComponent(question[key])}`);
  history.replaceState(null, "", `#/who-can?${parts.join("&")}`);
  return askWhoCan($("whocan-results"), question, { drawPaths });
}
$("whocan-form").addEventListener("submit", (event) => {
  event.preventDefault();
  submitWhoCan();
});

document.addEventListener("keydown", (event) => {
  const typing = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement?.tagName);
  if (event.key === "/" && !typing) {
    event.preventDefault();
    $("search-input").focus();
    return;
  }
  if (typing || page !== "graph") return;
  const key = event.key.toLowerCase();
  if ((event.ctrlKey || event.metaKey) && key === "z") {
    event.preventDefault();
    undo();
  } else if (event.ctrlKey || event.metaKey || event.altKey) {
    return;
  } else if (key === "u") undo();
  else if (key === "e" && view.selected) expand(view.selected);
  else if (key === "h" && view.selected) steps.hide([view.selected]);
  else if (key === "f") view.fit();
  else if (key === "l") $("btn-fa2").click();
  else if (key === "t") $("btn-tree").click();
  else if (key === "escape") view.select(null);
});

// --- start ---------------------------------------------------------------------------

if (new URLSearchParams(location.search).get("demo") === "stress" && !location.hash.includes("stress")) {
  history.replaceState(null, "", "#/graph?stress=5000");
}
for (const id of ["keys-dashboard", "keys-graph"]) {
  $(id).replaceChildren(...KEYS.map(([key, text]) => el("li", {}, [el("kbd", {}, key), " ", text])));
}
// Ask for the API token up front (a cheap authenticated call), not on the first search. The
// first route (a shared link's steps replayed) counts as busy, so nothing looks settled early.
busy += 1;
const ready = get("/api/stats")
  .catch(() => null)
  .then(route)
  .catch((error) => toast(error.message))
  .finally(() => {
    busy -= 1;
  });
renderLegends();

/** For tests and the console: the view, the steps, and helpers. */
window.authmap = {
  view,
  steps,
  ready,
  stress,
  graphHash,
  pagePosition: (id) => view.pagePosition(id),
  nodeIds: () => view.graph.nodes(),
  busy: () => busy > 0 || view.layout !== null,
};
