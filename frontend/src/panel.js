// The side panel: a node's properties and neighbours; for a decision its evidence, blast
// radius, ownership and the lifecycle actions (assign, accept, enforce, verify) with If-Match,
// and what the latest target read (authmap parity) found, with its target objects.
import { call, get } from "./api.js";
import { STATUS_COLOURS, decisionStatus } from "./graphview.js";
import { el, toast } from "./dom.js";

/** The colour of each parity status (the dashboard's too). */
export const PARITY_COLOURS = { enforced: "#2e8b57", drifted: "#d98c00", missing: "#c0392b", gap: "#7b52ab", unmapped: "#7f8c8d" };

/** Which lifecycle actions each status allows (mirrors app/ownership.py). */
const ALLOWED = {
  assign: ["unowned", "assigned", "accepted", "enforced", "verified"],
  accept: ["assigned"],
  enforce: ["accepted", "enforced", "verified"],
  verify: ["enforced", "verified"],
};

export class Panel {
  constructor(root, { view, steps, open, expand, showTarget, onOwnershipChange }) {
    this.root = root;
    this.view = view;
    this.steps = steps;
    this.open = open; // put a node on screen (with layout), as the rest of the page does
    this.expand = expand;
    this.showTarget = showTarget || (() => {});
    this.onOwnershipChange = onOwnershipChange || (() => {});
    this.current = null;
    this.teams = null;
    this.platforms = null;
  }

  close() {
    this.current = null;
    this.root.hidden = true;
    this.root.replaceChildren();
  }

  async show(id) {
    if (!id) return this.close();
    this.current = id;
    this.root.hidden = false;
    const attrs = this.view.graph.hasNode(id) ? this.view.graph.getNodeAttributes(id) : null;
    if (attrs?.local) return this.render(id, this.localBody(attrs));
    this.root.replaceChildren(el("p", { class: "muted" }, "Loading…"));
    try {
      const body = attrs?.kind === "Decision" ? await this.decisionBody(id) : await this.nodeBody(id);
      if (this.current === id) this.render(id, body);
    } catch (error) {
      if (this.current === id) this.render(id, [el("p", { class: "bad" }, error.message)]);
    }
  }

  render(id, body) {
    const attrs = this.view.graph.hasNode(id) ? this.view.graph.getNodeAttributes(id) : {};
    const head = [
      el("div", { class: "muted" }, attrs.kind || ""),
      el("h2", {}, attrs.name || id),
      el("div", { class: "actions" }, [
        el("button", { onclick: () => this.expand(id), title: "E, or double-click the node" }, "Expand"),
        el("button", { onclick: () => this.steps.hide([id]), title: "H" }, "Hide"),
        el("button", { onclick: () => this.view.focus(id) }, "Focus"),
        el("button", { onclick: () => this.view.select(null) }, "Close"),
      ]),
    ];
    this.root.replaceChildren(...head, ...body);
  }

  async act(fn) {
    try {
      await fn();
    } catch (error) {
      toast(error.message);
    }
  }

  localBody(attrs) {
    return [el("h3", {}, "Properties"), propsTable(attrs.props), el("p", { class: "muted" }, "A generated node (stress test): not in the graph database.")];
  }

  async nodeBody(id) {
    const [node, neighbourhood] = await Promise.all([
      get(`/api/nodes/${encodeURIComponent(id)}`),
      this.steps.neighbours.get(id) || this.steps.neighbourhood(id),
    ]);
    const decisions = neighbourhood.nodes.filter((n) => n.kind === "Decision");
    const others = neighbourhood.nodes.slice(1).filter((n) => n.kind !== "Decision");
    const body = [];
    if (decisions.length) {
      body.push(el("h3", {}, `Decisions (${decisions.length})`));
      body.push(
        el(
          "ul",
          { class: "plain decisions" },
          decisions.map((d) => {
            const status = decisionStatus(d) || "unowned";
            return el("li", { "data-decision": d.id }, [
              el("span", { class: "pill", style: `background:${STATUS_COLOURS[status]}` }, status),
              " ",
              el("span", { class: "link", onclick: () => this.openDecision(d.id) }, d.name || d.id),
            ]);
          }),
        ),
      );
    }
    body.push(el("h3", {}, "Properties"), propsTable(node.props));
    body.push(el("h3", {}, "Relationships"));
    body.push(el("ul", { class: "plain" }, node.degree.map((d) => el("li", {}, `${d.direction === "out" ? "→" : "←"} ${d.type}: ${d.count}`))));
    if (others.length) {
      body.push(el("h3", {}, `Neighbours (${others.length}${neighbourhood.truncated ? "+" : ""})`));
      body.push(el("ul", { class: "plain" }, others.slice(0, 50).map((n) => el("li", {}, [el("span", { class: "link", onclick: () => this.open(n.id) }, n.name || n.id), ` (${n.kind})`]))));
    }
    return body;
  }

  async openDecision(id) {
    await this.open(id);
  }

  async decisionBody(id) {
    const { data: d, etag } = await call("GET", `/api/decisions/${encodeURIComponent(id)}`);
    this.view.setNodeProps(id, { ownership_status: d.ownership_status, status: d.state, version: d.version });
    this.view.changed();
    const status = d.status;
    const body = [
      el("p", { class: "summary" }, d.summary),
      el("p", {}, [
        el("span", { class: "pill", "data-status": status, style: `background:${STATUS_COLOURS[status] || "#999"}` }, status),
        ` ${d.category} · ${d.kind} · version ${d.version}`,
        d.team ? ` · team ${d.team}` : "",
      ]),
    ];
    body.push(...(await this.paritySection(id)).filter(Boolean));
    if (d.state !== "retired") body.push(...(await this.actionForms(d, etag)));
    body.push(el("h3", {}, `Evidence (${d.evidence.length})`));
    body.push(el("ul", { class: "plain" }, d.evidence.map((e) => el("li", {}, [el("span", { class: "link", onclick: () => this.open(e.id) }, e.name || e.id), ` (${e.kind})`]))));
    body.push(el("h3", {}, `Blast radius: ${d.blast_radius} VM${d.blast_radius === 1 ? "" : "s"}`));
    body.push(el("ul", { class: "plain" }, d.affects.slice(0, 100).map((vm) => el("li", {}, el("span", { class: "link", onclick: () => this.open(vm.id) }, vm.name || vm.id)))));
    if (d.enforcements.length) {
      body.push(el("h3", {}, "Enforcements"));
      body.push(el("ul", { class: "plain" }, d.enforcements.map((e) => el("li", {}, `${e.platform}: ${e.reference ?? "process (no native control)"}${e.kind ? ` [${e.kind}]` : ""} — ${e.by}, ${e.at}${e.current ? "" : " (superseded)"}`))));
    }
    if (d.verifications.length) {
      body.push(el("h3", {}, "Verifications"));
      body.push(el("ul", { class: "plain" }, d.verifications.map((v) => el("li", {}, `${v.result} by ${v.method} — ${v.by}, ${v.at}${v.note ? `: ${v.note}` : ""}`))));
    }
    return body;
  }

  /** The latest stored parity result on each target, and a button drawing its target objects. */
  async paritySection(id) {
    const history = await get(`/api/decisions/${encodeURIComponent(id)}/parity`, { limit: 20 });
    const latest = history.items.filter((r) => r.latest);
    if (!latest.length) return [el("h3", {}, "Parity on the target"), el("p", { class: "muted", "data-parity": "none" }, "No target read yet (authmap parity).")];
    return [
      el("h3", {}, "Parity on the target"),
      el(
        "ul",
        { class: "plain parity" },
        latest.map((r) =>
          el("li", { "data-parity": r.status, "data-target": r.target_name || r.target }, [
            el("span", { class: "pill", style: `background:${PARITY_COLOURS[r.status] || "#999"}` }, r.status),
            ` on ${r.target_name || r.target}, ${r.at} (${r.evidence.length} target object${r.evidence.length === 1 ? "" : "s"})`,
            el("ul", { class: "plain muted" }, r.explanation.slice(0, 6).map((line) => el("li", {}, line))),
          ]),
        ),
      ),
      el("div", { class: "actions" }, [
        el("button", { "data-action": "parity-graph", onclick: () => this.showTarget(id), title: "Draw the target objects the latest parity results name, linked to this decision" }, "Target objects"),
      ]),
      history.total > latest.length ? el("p", { class: "muted" }, `${history.total} results stored in all (GET /api/decisions/{id}/parity).`) : null,
    ];
  }

  async actionForms(d, etag) {
    const forms = [];
    const submit = (action, collect) => async (event) => {
      event.preventDefault();
      const form = event.target;
      form.querySelector("button").disabled = true;
      try {
        await call("POST", `/api/decisions/${encodeURIComponent(d.id)}/${action}`, { body: collect(form), ifMatch: etag });
        toast(`${action}: done`);
        this.onOwnershipChange(d.id);
      } catch (error) {
        toast(error.status === 412 ? "The decision changed meanwhile; reloaded, please check and try again." : error.message);
      }
      await this.show(d.id);
    };
    const note = () => el("input", { name: "note", placeholder: "Note (optional)" });
    const value = (form, name) => form.elements[name].value.trim() || null;
    if (ALLOWED.assign.includes(d.status)) {
      this.teams = this.teams || (await get("/api/teams"));
      forms.push(
        el("form", { "data-action": "assign", onsubmit: submit("assign", (f) => ({ team: value(f, "team"), note: value(f, "note") })) }, [
          el("strong", {}, d.team ? "Reassign" : "Assign to a team"),
          el("select", { name: "team", required: true }, this.teams.map((t) => el("option", { value: t.name, selected: t.name === d.team }, t.name))),
          note(),
          el("button", { class: "primary", type: "submit" }, "Assign"),
        ]),
      );
    }
    if (ALLOWED.accept.includes(d.status)) {
      forms.push(
        el("form", { "data-action": "accept", onsubmit: submit("accept", (f) => ({ note: value(f, "note") })) }, [
          el("strong", {}, `Accept ownership for ${d.team}`),
          note(),
          el("button", { class: "primary", type: "submit" }, "Accept"),
        ]),
      );
    }
    if (ALLOWED.enforce.includes(d.status)) {
      this.platforms = this.platforms || (await get("/api/platforms"));
      forms.push(
        el("form", { "data-action": "enforce", onsubmit: submit("enforce", (f) => ({ platform: value(f, "platform"), reference: value(f, "reference"), control_kind: value(f, "control_kind"), note: value(f, "note") })) }, [
          el("strong", {}, "Record the enforcing control"),
          el("select", { name: "platform", required: true }, this.platforms.map((p) => el("option", { value: p.name }, `${p.name} (${p.kind})`))),
          el("input", { name: "reference", placeholder: "Reference, e.g. ha-group prod-a (empty: a process)" }),
          el("input", { name: "control_kind", placeholder: "Control kind (optional)" }),
          note(),
          el("button", { class: "primary", type: "submit" }, "Record enforcement"),
        ]),
      );
    }
    if (ALLOWED.verify.includes(d.status)) {
      forms.push(
        el("form", { "data-action": "verify", onsubmit: submit("verify", (f) => ({ method: value(f, "method"), result: value(f, "result"), note: value(f, "note") })) }, [
          el("strong", {}, "Verify the enforcement"),
          el("div", { class: "inline" }, [
            el("select", { name: "method" }, ["config_check", "dr_drill", "test_alert"].map((m) => el("option", { value: m }, m))),
            el("select", { name: "result" }, ["pass", "fail"].map((r) => el("option", { value: r }, r))),
          ]),
          note(),
          el("button", { class: "primary", type: "submit" }, "Verify"),
        ]),
      );
    }
    return forms.length ? [el("h3", {}, "Ownership"), ...forms] : [];
  }
}

function propsTable(props) {
  const rows = Object.entries(props || {}).map(([k, v]) => el("tr", {}, [el("td", {}, k), el("td", {}, typeof v === "object" ? JSON.stringify(v) : String(v))]));
  return el("table", { class: "props" }, el("tbody", {}, rows));
}
