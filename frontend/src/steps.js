// What the user did to the graph, step by step: open, expand, hide, path, audit, target. Each step
// remembers what it added (or hid), so undo takes it back; the list of steps is the shareable
// part of the URL, and replaying it rebuilds the same view.
import { get } from "./api.js";
import { toast } from "./dom.js";

const OPS = { o: "open", e: "expand", h: "hide", p: "path", a: "audit", t: "target" };
const CODES = Object.fromEntries(Object.entries(OPS).map(([code, op]) => [op, code]));
export const NEIGHBOURHOOD_LIMIT = 300;

export class Steps {
  constructor(view, { onChange } = {}) {
    this.view = view;
    this.history = []; // {op, arg, nodes, edges, hidden}
    this.neighbours = new Map(); // node id -> last neighbourhood answer (for the side panel)
    this.onChange = onChange || (() => {});
  }

  push(step) {
    this.history.push(step);
    this.view.changed();
    this.onChange();
    return step;
  }

  async neighbourhood(id) {
    const answer = await get(`/api/nodes/${encodeURIComponent(id)}/neighbourhood`, { depth: 1, limit: NEIGHBOURHOOD_LIMIT });
    this.neighbours.set(id, answer);
    const centre = answer.nodes.find((n) => n.id === id);
    if (centre && centre.id !== id) this.neighbours.set(centre.id, answer);
    return answer;
  }

  /** Put a node on screen (with its edges to nodes already there) and select it. */
  async open(id, { select = true } = {}) {
    const answer = await this.neighbourhood(id);
    const centre = answer.nodes[0];
    const nodes = this.view.addNodes([centre], this.anchorFor(answer));
    const edges = this.view.addEdges(answer.edges);
    if (nodes.length || edges.length) this.push({ op: "open", arg: centre.id, nodes, edges, hidden: [] });
    if (this.view.hidden.delete(centre.id)) this.view.changed();
    if (select) this.view.select(centre.id);
    return centre.id;
  }

  /** A node already on screen next to the one being opened, to place it near. */
  anchorFor(answer) {
    const hit = answer.nodes.slice(1).find((n) => this.view.graph.hasNode(n.id));
    return hit ? hit.id : null;
  }

  /** Add a node's whole neighbourhood (one hop). */
  async expand(id) {
    const answer = await this.neighbourhood(id);
    if (!this.view.graph.hasNode(id)) this.view.addNodes([answer.nodes[0]]);
    const nodes = this.view.addNodes(answer.nodes, id);
    const edges = this.view.addEdges(answer.edges);
    const step = this.push({ op: "expand", arg: id, nodes, edges, hidden: [], truncated: answer.truncated });
    return step;
  }

  hide(ids) {
    const hidden = ids.filter((id) => this.view.graph.hasNode(id) && !this.view.hidden.has(id));
    for (const id of hidden) this.view.hidden.add(id);
    if (hidden.includes(this.view.selected)) this.view.select(null);
    return this.push({ op: "hide", arg: hidden.join("\n"), nodes: [], edges: [], hidden });
  }

  /** The shortest path between two nodes, drawn and highlighted. */
  async path(from, to, types) {
    const answer = await get("/api/path", { from, to, types: types || undefined, max: 15 });
    return this.addHighlighted("path", JSON.stringify([from, to, types || ""]), answer.nodes, answer.edges);
  }

  /** Several paths at once (an explanation): one step, one highlight. */
  async paths(list) {
    const nodes = new Map();
    const edges = new Map();
    for (const [from, to, types] of list) {
      try {
        const answer = await get("/api/path", { from, to, types: types || undefined, max: 15 });
        for (const n of answer.nodes) nodes.set(n.id, n);
        for (const e of answer.edges) edges.set(e.id, e);
      } catch (error) {
        if (error.status !== 404) throw error;
      }
    }
    return this.addHighlighted("path", JSON.stringify(list), [...nodes.values()], [...edges.values()]);
  }

  addHighlighted(op, arg, nodeList, edgeList) {
    const anchor = nodeList.find((n) => this.view.graph.hasNode(n.id));
    const nodes = this.view.addNodes(nodeList, anchor ? anchor.id : null);
    const edges = this.view.addEdges(edgeList);
    this.view.setHighlight(nodeList.map((n) => n.id), edgeList.map((e) => e.id));
    return this.push({ op, arg, nodes, edges, hidden: [] });
  }

  /** An audit's findings as the audit's own graph query draws them (run by the API). */
  async audit(auditId) {
    const answer = await get(`/api/audits/${encodeURIComponent(auditId)}/graph`);
    const nodes = this.view.addNodes(answer.nodes);
    const edges = this.view.addEdges(answer.edges);
    return this.push({ op: "audit", arg: auditId, nodes, edges, hidden: [], count: answer.nodes.length });
  }

  /** A decision, its latest parity results and the target objects they name (highlighted). */
  async target(decisionId) {
    const answer = await get(`/api/decisions/${encodeURIComponent(decisionId)}/parity/graph`);
    return this.addHighlighted("target", decisionId, answer.nodes, answer.edges);
  }

  undo() {
    const step = this.history.pop();
    if (!step) return null;
    this.view.remove(step.nodes, step.edges);
    for (const id of step.hidden) this.view.hidden.delete(id);
    if (step.op === "path" || step.op === "target") this.view.setHighlight(null);
    this.view.changed();
    this.onChange();
    return step;
  }

  clear() {
    this.history = [];
    this.view.clear();
    this.view.changed();
    this.onChange();
  }

  /** The steps as URL text: each step is a one-letter code followed by its encoded argument. */
  encode() {
    return this.history.map((s) => CODES[s.op] + encodeURIComponent(s.arg)).join(",");
  }

  /** Replay encoded steps (from a shared URL) on an empty view. */
  async replay(text) {
    this.history = [];
    this.view.clear();
    for (const part of (text || "").split(",").filter(Boolean)) {
      const op = OPS[part[0]];
      const arg = decodeURIComponent(part.slice(1));
      try {
        if (op === "open") await this.open(arg, { select: false });
        else if (op === "expand") await this.expand(arg);
        else if (op === "hide") this.hide(arg.split("\n"));
        else if (op === "audit") await this.audit(arg);
        else if (op === "target") await this.target(arg);
        else if (op === "path") {
          const parsed = JSON.parse(arg);
          if (Array.isArray(parsed[0])) await this.paths(parsed);
          else await this.path(...parsed);
        }
      } catch (error) {
        console.warn(`replaying ${op} ${arg}:`, error);
        toast(`Could not replay this step of the link (${op} ${arg}): ${error.message}`);
      }
    }
  }
}
