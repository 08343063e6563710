// The check's problems on the page: each next to the field its JSON pointer names (or the
// nearest field that exists, for a pointer into something not in the form), a list of them
// all linking to their fields, and a status line that screen readers announce.

import { el, toggleToken, uid } from "./dom.js";
import { labelFor } from "./fields.js";

let marked = [];

/**
 * Show `problems` (`{pointer, severity, message}`) on the nodes of `fields` (pointer → node,
 * as `read()` gave them), in the list `listElement`, counted in `statusElement`.
 * `onField(problem)` says whether a problem is also shown beside its field: a blank form's
 * empty fields are not all flagged before the teacher has reached them (the list and the
 * count still tell every problem).
 */
export function showProblems(problems, fields, listElement, statusElement, onField = () => true) {
  for (const clear of marked) clear();
  marked = [];
  const byNode = new Map();
  const links = [];
  for (const problem of problems) {
    const node = nearest(problem.pointer, fields);
    if (!node) continue;
    if (!onField(problem)) {
      links.push([problem, node.target.control ?? null]);
      continue;
    }
    if (!byNode.has(node)) byNode.set(node, []);
    byNode.get(node).push(problem);
  }
  for (const [node, found] of byNode) {
    const { box, control } = node.target;
    box.replaceChildren(...found.map((p) => el("p", { class: p.severity }, el("strong", { text: prefix(p) }), forTheForm(p.message))));
    box.hidden = false;
    const errors = found.some((p) => p.severity === "error");
    const focusable = control ?? box;
    if (!focusable.id) focusable.id = uid("problem-target");
    if (control) {
      toggleToken(control, "aria-describedby", box.id, true);
      // On a form control only: a group (a list's fieldset) is described, not marked.
      if (errors && control.matches("input, select, textarea")) control.setAttribute("aria-invalid", "true");
    } else {
      box.tabIndex = -1;
    }
    marked.push(() => {
      box.hidden = true;
      box.replaceChildren();
      if (control) {
        toggleToken(control, "aria-describedby", box.id, false);
        control.removeAttribute("aria-invalid");
      }
    });
    for (const problem of found) links.push([problem, focusable]);
  }
  listElement.replaceChildren(
    ...links.map(([problem, target]) => {
      if (!target) return el("li", { class: problem.severity }, el("strong", { text: prefix(problem) }), forTheForm(problem.message));
      if (!target.id) target.id = uid("problem-target");
      const link = el("a", { href: `#${target.id}` }, el("strong", { text: prefix(problem) }), forTheForm(problem.message));
      link.addEventListener("click", (event) => {
        event.preventDefault();
        target.scrollIntoView({ block: "center" });
        target.focus();
      });
      return el("li", { class: problem.severity }, link);
    }),
  );
  statusElement.textContent = summary(problems);
}

/**
 * A message of the check (`scenarios validate`'s words, for a file) said of the form: its
 * keys by the fields' labels (`key_vocabulary` → `key vocabulary`), from a capital; no
 * "remove the key" (a form has none: an empty optional field is left out of the file);
 * a list's count is of the entries filled in (blank rows are not written).
 */
export function forTheForm(message) {
  const said = message
    .replace(/(^|[\s›(])([a-z]+(?:_[a-z]+)+)(?=[\s:,.)]|$)/g, (_, before, key) => before + inSentence(labelFor(key)))
    .replace(": write some text, or remove the key if it is optional", ": write some text")
    .replace(/\b(entr(?:y|ies)) but has (\d+):/, "$1 but has $2 filled in:");
  return said.charAt(0).toUpperCase() + said.slice(1);
}

// A label inside a sentence: `Key vocabulary` → `key vocabulary`, `AI role` kept.
function inSentence(label) {
  return /^[A-Z]{2}/.test(label) ? label : label.charAt(0).toLowerCase() + label.slice(1);
}

function prefix(problem) {
  return problem.severity === "error" ? "Error: " : "Warning: ";
}

/** "No problems found", or "2 problems: 1 error, 1 warning". */
export function summary(problems) {
  const errors = problems.filter((p) => p.severity === "error").length;
  const warnings = problems.length - errors;
  if (!problems.length) return "No problems found: the file is ready.";
  const parts = [];
  if (errors) parts.push(`${errors} ${errors === 1 ? "error" : "errors"}`);
  if (warnings) parts.push(`${warnings} ${warnings === 1 ? "warning" : "warnings"}`);
  const total = problems.length;
  return `${total} ${total === 1 ? "problem" : "problems"}: ${parts.join(", ")}.`;
}

// The node of `pointer`, or of the nearest pointer above it that the form has.
function nearest(pointer, fields) {
  let at = pointer ?? "";
  while (!fields.has(at) && at !== "") at = at.slice(0, at.lastIndexOf("/"));
  return fields.get(at);
}
