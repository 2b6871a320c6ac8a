// The who-can page: pick an entity (who can do what to it) or a principal (what it can do),
// read the privileges and the explanation, and draw the explanation path in the graph.
import { call } from "./api.js";
import { el } from "./dom.js";

const MEMBERSHIP = "MEMBER_OF,GRANTED_TO";
const INHERITANCE = "ON_ENTITY,PERMISSION_PARENT";

/** The paths that draw an answer: principal → permission (groups), permission → entity. */
export function explanationPaths(answer) {
  const paths = [];
  for (const step of answer.explanation.filter((s) => s.effect === "grant" || s.effect === "mask").slice(0, 4)) {
    if (answer.principal_id) paths.push([answer.principal_id, step.permission.id, MEMBERSHIP]);
    paths.push([step.permission.id, answer.entity.id, INHERITANCE]);
  }
  return paths;
}

export async function askWhoCan(root, { mode, entity, principal, privilege }, { drawPaths }) {
  root.replaceChildren(el("p", { class: "muted" }, "Asking…"));
  let answers;
  let total;
  try {
    const path = mode === "principal" ? "/api/permissions/effective" : "/api/permissions/who-can";
    const query = mode === "principal" ? { principal, entity: entity || undefined, limit: 200 } : { entity, privilege: privilege || undefined, limit: 200 };
    const result = await call("GET", path, { query });
    answers = result.data;
    total = Number(result.headers.get("X-Total-Count") || answers.length);
  } catch (error) {
    root.replaceChildren(el("p", { class: "bad" }, error.message));
    return;
  }
  if (mode === "principal" && privilege) answers = answers.filter((a) => a.privileges.includes(privilege));
  const cards = answers.map((a) => {
    const title = mode === "principal" ? `${a.entity.name} (${a.entity.kind})` : `${a.principal} (${a.principal_kind}${a.enabled ? "" : ", disabled"})`;
    return el("section", { class: "answer" }, [
      el("div", {}, [el("strong", {}, title), ` — ${a.privileges.length} privilege${a.privileges.length === 1 ? "" : "s"}`, a.masked_privileges.length ? `, ${a.masked_privileges.length} masked` : ""]),
      el("details", {}, [el("summary", {}, "Privileges"), el("p", {}, a.privileges.join(", ") || "none")]),
      el("ol", { class: "steps explanation" }, a.explanation.map((s) => el("li", {}, [el("span", { class: "effect" }, s.effect), ": ", s.text]))),
      el("button", { onclick: () => drawPaths(explanationPaths(a)) }, "Show the explanation in the graph"),
    ]);
  });
  root.replaceChildren(el("p", { class: "muted" }, `${total} answer${total === 1 ? "" : "s"}${total > answers.length ? ` (showing ${answers.length})` : ""}.`), ...cards);
}
