// The graph on screen: a graphology graph drawn by sigma (WebGL), its colours, filters,
// layouts (ForceAtlas2 in a web worker, a hierarchical tree layout) and exports.
import Graph from "graphology";
import Sigma from "sigma";
import FA2Layout from "graphology-layout-forceatlas2/worker";
import { inferSettings } from "graphology-layout-forceatlas2";
import { LabelSpace } from "./labels.js";

export const STATUSES = ["unowned", "assigned", "accepted", "enforced", "verified", "retired"];
export const STATUS_COLOURS = {
  unowned: "#d62828",
  assigned: "#f2a900",
  accepted: "#2f6fde",
  enforced: "#8e44ad",
  verified: "#1b9e4b",
  retired: "#9aa0a6",
};
const KIND_COLOURS = {
  VirtualMachine: "#3b82c4",
  Host: "#0f766e",
  Cluster: "#7c3aed",
  Datacenter: "#4b5563",
  Folder: "#a16207",
  ResourcePool: "#c2410c",
  Datastore: "#0891b2",
  Network: "#15803d",
  VirtualSwitch: "#65a30d",
  Permission: "#be185d",
  Role: "#db2777",
  Privilege: "#f472b6",
  ADUser: "#0369a1",
  ADGroup: "#1e40af",
  DrsRule: "#9333ea",
  Decision: "#111827",
  Team: "#059669",
  Alarm: "#b45309",
};
const PALETTE = ["#2563eb", "#d97706", "#0d9488", "#9333ea", "#dc2626", "#4d7c0f", "#0891b2", "#c026d3", "#57534e", "#e11d48"];
const FADED = "#d5d8de";
/** Up to this many nodes on screen, every node shows its label (the canvas is not crowded). */
const LABEL_ALL = 30;
/** Short kind names drawn under a node's label. */
const KIND_NAMES = {
  VirtualMachine: "VM",
  ResourcePool: "resource pool",
  VirtualSwitch: "virtual switch",
  ADUser: "AD user",
  ADGroup: "AD group",
  DrsRule: "DRS rule",
};
/** Relationship types that point from a child to its parent in an inventory tree. */
const TREE_TYPES = new Set(["CHILD_OF", "IN_FOLDER", "IN_CLUSTER", "IN_POOL", "IN_VCENTER", "IN_DATACENTER", "MEMBER_OF"]);

/** Labels on the canvas stay short (decision summaries are sentences); the panel has it all. */
export function shortLabel(text) {
  const s = String(text);
  return s.length > 32 ? `${s.slice(0, 30)}…` : s;
}

/** The line under a node's label: its kind (a decision's category and status). */
export function kindLine(attrs) {
  if (attrs.kind === "Decision") {
    const category = String(attrs.props?.category || "").replace(/_/g, " ");
    return `decision · ${category} · ${decisionStatus(attrs)}`;
  }
  return KIND_NAMES[attrs.kind] || String(attrs.kind || "").toLowerCase();
}

export function kindColour(kind) {
  if (KIND_COLOURS[kind]) return KIND_COLOURS[kind];
  let h = 0;
  for (const c of kind || "") h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

/** A Decision node's lifecycle status (retired first), else null. */
export function decisionStatus(attrs) {
  if (attrs.kind !== "Decision") return null;
  const props = attrs.props || {};
  if (props.status === "retired") return "retired";
  return props.ownership_status || "unowned";
}

export class GraphView {
  constructor(container, { onSelect, onExpand, onChange } = {}) {
    this.graph = new Graph({ multi: true, type: "directed", allowSelfLoops: true });
    this.hidden = new Set(); // node ids hidden by hand
    this.filters = { kinds: new Set(), statuses: new Set(), categories: new Set() }; // hidden values
    this.colourMode = "status";
    this.selected = null;
    this.highlight = null; // {nodes: Set, edges: Set} of an explanation path
    this.layout = null;
    this.onSelect = onSelect || (() => {});
    this.onChange = onChange || (() => {});
    const labels = new LabelSpace();
    this.labels = labels;
    this.sigma = new Sigma(this.graph, container, {
      allowInvalidContainer: true, // built while its page is hidden
      defaultEdgeType: "arrow",
      defaultDrawNodeLabel: (context, data, settings) => labels.drawNode(context, data, settings),
      defaultDrawEdgeLabel: (context, edge, source, target, settings) => labels.drawEdge(context, edge, source, target, settings),
      labelFont: "system-ui, sans-serif",
      labelSize: 12,
      labelRenderedSizeThreshold: 6, // small nodes lose their label while zoomed out
      labelDensity: 1,
      labelGridCellSize: 120, // candidates per cell; labels.js leaves out those that would overlap
      renderEdgeLabels: true, // drawn when both ends show their label
      edgeLabelSize: 10,
      edgeLabelColor: { color: "#5b6478" },
      edgeLabelFont: "system-ui, sans-serif",
      zIndex: true,
      minEdgeThickness: 1,
      nodeReducer: (node, data) => this.reduceNode(node, data),
      edgeReducer: (edge, data) => this.reduceEdge(edge, data),
    });
    this.sigma.on("beforeRender", () => labels.reset());
    const renderEdgeLabels = this.sigma.renderEdgeLabels.bind(this.sigma);
    this.sigma.renderEdgeLabels = () => {
      labels.resetEdges(); // also called alone, when the hovered node changes
      return renderEdgeLabels();
    };
    this.bindMouse(onExpand);
    // Sigma sizes itself on window resizes only: follow the container too (the side panel
    // opening, the page being shown), or its canvas would cover the panel.
    new ResizeObserver(() => this.sigma.scheduleRefresh()).observe(container);
  }

  bindMouse(onExpand) {
    const sigma = this.sigma;
    let dragged = null;
    let moved = false;
    sigma.on("clickNode", ({ node }) => {
      if (!moved) this.select(node);
    });
    sigma.on("doubleClickNode", (event) => {
      event.preventSigmaDefault();
      if (onExpand) onExpand(event.node);
    });
    sigma.on("clickStage", () => this.select(null));
    sigma.on("downNode", ({ node }) => {
      dragged = node;
      moved = false;
    });
    sigma.getMouseCaptor().on("mousemovebody", (event) => {
      if (!dragged) return;
      moved = true;
      const pos = sigma.viewportToGraph(event);
      this.graph.mergeNodeAttributes(dragged, { x: pos.x, y: pos.y });
      event.preventSigmaDefault();
      event.original.preventDefault();
      event.original.stopPropagation();
    });
    sigma.getMouseCaptor().on("mouseup", () => {
      dragged = null;
      setTimeout(() => (moved = false), 0);
    });
  }

  isFiltered(node, attrs) {
    if (this.hidden.has(node)) return true;
    if (this.filters.kinds.has(attrs.kind)) return true;
    const status = decisionStatus(attrs);
    if (status && this.filters.statuses.has(status)) return true;
    if (!this.filters.categories.size) return false;
    if (attrs.kind === "Decision") return this.filters.categories.has(attrs.props?.category);
    return this.onlyHiddenDecisions(node);
  }

  /** A non-decision node linked to decisions, all of them in hidden categories (their evidence
   * goes with them). */
  onlyHiddenDecisions(node) {
    let decisions = 0;
    let hidden = 0;
    this.graph.forEachNeighbor(node, (_, attrs) => {
      if (attrs.kind !== "Decision") return;
      decisions += 1;
      if (this.filters.categories.has(attrs.props?.category)) hidden += 1;
    });
    return decisions > 0 && hidden === decisions;
  }

  /** Decisions by status (or kind); every other node by its kind, so the picture reads. */
  colourOf(attrs) {
    const status = this.colourMode === "status" ? decisionStatus(attrs) : null;
    return status ? STATUS_COLOURS[status] : kindColour(attrs.kind);
  }

  reduceNode(node, data) {
    const out = { ...data, color: this.colourOf(data), kindLine: kindLine(data) };
    out.size = (data.kind === "Decision" ? 7 : 5) + Math.min(8, Math.sqrt(this.graph.degree(node)));
    if (this.isFiltered(node, data)) out.hidden = true;
    if (this.graph.order <= LABEL_ALL) out.forceLabel = true;
    if (this.highlight) {
      if (this.highlight.nodes.has(node)) {
        out.forceLabel = true;
        out.zIndex = 1;
      } else {
        out.color = FADED;
        out.label = "";
        out.forceLabel = false;
      }
    }
    if (node === this.selected) {
      out.highlighted = true;
      out.zIndex = 2;
      out.forceLabel = true;
    }
    return out;
  }

  reduceEdge(edge, data) {
    if (this.highlight) {
      if (this.highlight.edges.has(edge)) return { ...data, color: "#111827", size: 3, zIndex: 1, forceLabel: true };
      return { ...data, color: "#eceef2", label: "" };
    }
    if (this.selected && this.graph.hasExtremity(edge, this.selected)) {
      return { ...data, color: "#5b6478", size: 2 };
    }
    return data;
  }

  // --- content ----------------------------------------------------------------------

  /** Add API nodes ({id, kind, name, props}) near `anchor`; answers the ids added. */
  addNodes(nodes, anchor) {
    const added = [];
    const centre = anchor && this.graph.hasNode(anchor) ? this.graph.getNodeAttributes(anchor) : null;
    const spread = Math.max(1, Math.sqrt(this.graph.order + nodes.length)) * 2;
    nodes.forEach((n, i) => {
      if (this.graph.hasNode(n.id)) {
        this.graph.mergeNodeAttributes(n.id, { kind: n.kind, name: n.name, label: shortLabel(n.name || n.id), props: n.props || {} });
        return;
      }
      const angle = (2 * Math.PI * i) / Math.max(1, nodes.length) + Math.random() * 0.3;
      const radius = centre ? 1 + Math.random() : spread * Math.random();
      this.graph.addNode(n.id, {
        x: (centre ? centre.x : 0) + radius * Math.cos(angle),
        y: (centre ? centre.y : 0) + radius * Math.sin(angle),
        label: shortLabel(n.name || n.id),
        kind: n.kind,
        name: n.name,
        props: n.props || {},
        local: Boolean(n.local),
      });
      added.push(n.id);
    });
    return added;
  }

  /** Add API edges ({id, source, target, type}) whose ends are on screen; answers ids added. */
  addEdges(edges) {
    const added = [];
    for (const e of edges) {
      if (this.graph.hasEdge(e.id) || !this.graph.hasNode(e.source) || !this.graph.hasNode(e.target)) continue;
      this.graph.addDirectedEdgeWithKey(e.id, e.source, e.target, { type: "arrow", relType: e.type, label: e.type, size: 1, color: "#a9b1c0" });
      added.push(e.id);
    }
    return added;
  }

  remove(nodes, edges) {
    for (const e of edges) if (this.graph.hasEdge(e)) this.graph.dropEdge(e);
    for (const n of nodes) if (this.graph.hasNode(n)) this.graph.dropNode(n);
    if (this.selected && !this.graph.hasNode(this.selected)) this.select(null);
    if (this.highlight) {
      for (const n of nodes) this.highlight.nodes.delete(n);
      if (!this.highlight.nodes.size) this.highlight = null;
    }
  }

  clear() {
    this.stopLayout();
    this.graph.clear();
    this.hidden.clear();
    this.highlight = null;
    this.select(null);
  }

  setNodeProps(id, props) {
    if (this.graph.hasNode(id)) {
      const old = this.graph.getNodeAttribute(id, "props") || {};
      this.graph.setNodeAttribute(id, "props", { ...old, ...props });
    }
  }

  select(node, { notify = true } = {}) {
    this.selected = node && this.graph.hasNode(node) ? node : null;
    this.sigma.refresh({ skipIndexation: false });
    if (notify) this.onSelect(this.selected);
  }

  setHighlight(nodes, edges) {
    this.highlight = nodes ? { nodes: new Set(nodes), edges: new Set(edges || []) } : null;
    this.sigma.refresh();
  }

  changed() {
    this.sigma.refresh();
    this.onChange();
  }

  /** Values present on screen, with counts: {kinds, statuses, categories}. */
  census() {
    const kinds = new Map();
    const statuses = new Map();
    const categories = new Map();
    const bump = (map, key) => map.set(key, (map.get(key) || 0) + 1);
    this.graph.forEachNode((_, attrs) => {
      bump(kinds, attrs.kind);
      const status = decisionStatus(attrs);
      if (status) bump(statuses, status);
      if (attrs.kind === "Decision" && attrs.props?.category) bump(categories, attrs.props.category);
    });
    return { kinds, statuses, categories };
  }

  visibleCount() {
    let n = 0;
    this.graph.forEachNode((node, attrs) => {
      if (!this.isFiltered(node, attrs)) n += 1;
    });
    return n;
  }

  // --- camera -----------------------------------------------------------------------

  focus(node) {
    if (!this.graph.hasNode(node)) return;
    const display = this.sigma.getNodeDisplayData(node);
    if (display) this.sigma.getCamera().animate({ x: display.x, y: display.y, ratio: 0.5 }, { duration: 300 });
  }

  fit() {
    this.sigma.getCamera().animatedReset({ duration: 300 });
  }

  // --- layouts ----------------------------------------------------------------------

  /** ForceAtlas2 in a web worker, stopped once the nodes barely move (or after a budget). */
  runForce({ budgetMs } = {}) {
    this.stopLayout();
    if (this.graph.order < 2) return Promise.resolve();
    const order = this.graph.order;
    const settings = { ...inferSettings(this.graph), barnesHutOptimize: order > 500, adjustSizes: false };
    const layout = new FA2Layout(this.graph, { settings });
    this.layout = layout;
    layout.start();
    const budget = budgetMs || Math.min(8000, 1500 + order * 1.2);
    const started = performance.now();
    let last = this.positions();
    return new Promise((resolve) => {
      const tick = () => {
        if (this.layout !== layout) return resolve();
        const now = this.positions();
        const movement = meanMovement(last, now) / Math.max(1e-9, extent(now));
        last = now;
        if (movement < 0.0015 || performance.now() - started > budget) {
          this.stopLayout();
          return resolve();
        }
        setTimeout(tick, 250);
      };
      setTimeout(tick, 400);
    });
  }

  stopLayout() {
    if (this.layout) {
      this.layout.kill();
      this.layout = null;
    }
  }

  positions() {
    const out = new Map();
    this.graph.forEachNode((node, attrs) => out.set(node, [attrs.x, attrs.y]));
    return out;
  }

  /** Hierarchical layout: inventory parents above their children (CHILD_OF, IN_FOLDER,
   * IN_CLUSTER, ... and group membership); other nodes hang below a neighbour. */
  runTree() {
    this.stopLayout();
    const g = this.graph;
    const parent = new Map();
    g.forEachEdge((edge, attrs, source, target) => {
      if (TREE_TYPES.has(attrs.relType) && source !== target && !parent.has(source)) parent.set(source, target);
    });
    // Break cycles: walk up each chain, cut it where it loops.
    for (const node of parent.keys()) {
      const seen = new Set([node]);
      let up = parent.get(node);
      while (up !== undefined && parent.has(up)) {
        if (seen.has(up)) {
          parent.delete(up);
          break;
        }
        seen.add(up);
        up = parent.get(up);
      }
    }
    // Nodes outside any tree hang below their most connected neighbour that is in one.
    const inTree = new Set([...parent.keys(), ...parent.values()]);
    g.forEachNode((node) => {
      if (inTree.has(node)) return;
      const anchor = g.neighbors(node).find((n) => inTree.has(n) && parent.get(n) !== node);
      if (anchor !== undefined) parent.set(node, anchor);
    });
    const children = new Map();
    for (const [child, up] of parent) {
      if (!children.has(up)) children.set(up, []);
      children.get(up).push(child);
    }
    for (const list of children.values()) list.sort((a, b) => String(g.getNodeAttribute(a, "label")).localeCompare(String(g.getNodeAttribute(b, "label"))));
    const roots = g.nodes().filter((n) => !parent.has(n));
    let cursor = 0;
    const place = (node, depth, seen) => {
      seen.add(node);
      const kids = (children.get(node) || []).filter((k) => !seen.has(k));
      let x;
      if (!kids.length) {
        x = cursor;
        cursor += 1;
      } else {
        const xs = kids.map((k) => place(k, depth + 1, seen));
        x = (xs[0] + xs[xs.length - 1]) / 2;
      }
      g.mergeNodeAttributes(node, { x, y: -depth * 3 });
      return x;
    };
    const seen = new Set();
    for (const root of roots) {
      place(root, 0, seen);
      cursor += 1;
    }
    this.sigma.refresh();
  }

  // --- exports ----------------------------------------------------------------------

  toJSON(view) {
    const nodes = [];
    this.graph.forEachNode((id, a) => nodes.push({ id, kind: a.kind, name: a.name, x: a.x, y: a.y, hidden: this.isFiltered(id, a), props: a.props }));
    const edges = [];
    this.graph.forEachEdge((id, a, source, target) => edges.push({ id, source, target, type: a.relType }));
    return { exported_at: new Date().toISOString(), view, nodes, edges };
  }

  /** The view as a PNG blob: sigma's layers drawn on one canvas over a white background. */
  toPNG() {
    this.sigma.refresh(); // synchronous: the WebGL buffers hold this frame until we return
    const { width, height } = this.sigma.getDimensions();
    const ratio = window.devicePixelRatio || 1;
    const canvas = document.createElement("canvas");
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    for (const layer of Object.values(this.sigma.getCanvases())) {
      ctx.drawImage(layer, 0, 0, canvas.width, canvas.height);
    }
    return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  }

  /** Where a node is drawn, in page pixels (for tests and keyboard users). */
  pagePosition(node) {
    const a = this.graph.getNodeAttributes(node);
    const view = this.sigma.graphToViewport({ x: a.x, y: a.y });
    const box = this.sigma.getContainer().getBoundingClientRect();
    return { x: box.left + view.x, y: box.top + view.y };
  }
}

function meanMovement(before, after) {
  let sum = 0;
  let n = 0;
  for (const [node, [x, y]] of after) {
    const old = before.get(node);
    if (!old) continue;
    sum += Math.hypot(x - old[0], y - old[1]);
    n += 1;
  }
  return n ? sum / n : 0;
}

function extent(positions) {
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const [x, y] of positions.values()) {
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  return Math.max(maxX - minX, maxY - minY, 1e-9);
}
