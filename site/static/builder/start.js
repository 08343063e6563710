// Where a scenario starts: the builder's address says it (`?template=ID`, `?copy=ID`,
// `?edit=ID`, `?blank`, or `?draft=ID` to go on with a draft of this browser).
//
// Documents come from the site's API (api/templates/<id>.json, api/scenarios/<id>.json):
// the file's keys plus what the site adds (created_at, updated_at) and null for what the
// file leaves out; both are dropped here, so the form holds only what a file holds.

import { loadDraft } from "./drafts.js";

/** A problem starting: the page shows the message and the start screen. */
export class StartError extends Error {}

/**
 * The starting point the address `params` asks for, or null for the start screen:
 * `{kind, source, doc, ownId, original, draftId, from}` (`from`: the document a template or
 * copy start came from, for the near-copy check). `login` is the user's GitHub login when
 * the browser remembers one, the owner of a new scenario.
 */
export async function startingPoint(params, base, login) {
  // `?draft=ID` names the draft this page keeps; until its first change is saved the
  // address still holds the starting point too (`?draft=ID&template=…`), for a reload.
  const draftId = params.get("draft");
  if (draftId) {
    const draft = loadDraft(draftId);
    if (draft) return { ...draft.start, doc: draft.doc, draftId: draft.id, saved: true, local: draft.local ?? null };
    const start = await fromSource(params, base, login);
    if (start) return { ...start, draftId };
    throw new StartError("That draft is not in this browser any more. Start again below.");
  }
  return fromSource(params, base, login);
}

async function fromSource(params, base, login) {
  if (params.has("template")) {
    const source = params.get("template");
    const doc = await fetchDocument(`${base}/api/templates/${encodeURIComponent(source)}.json`, "template", source);
    return newScenario("template", source, { ...doc, is_system_scenario: false }, login);
  }
  if (params.has("copy")) {
    const source = params.get("copy");
    const doc = await fetchDocument(`${base}/api/scenarios/${encodeURIComponent(source)}.json`, "scenario", source);
    return newScenario("copy", source, { ...doc, is_system_scenario: false, is_public: false }, login);
  }
  if (params.has("edit")) {
    const source = params.get("edit");
    const doc = await fetchDocument(`${base}/api/scenarios/${encodeURIComponent(source)}.json`, "scenario", source);
    // The owner stays; the file stays where it is unless its id or category is changed.
    return {
      kind: "edit",
      source,
      title: doc.title ?? source,
      doc,
      ownId: doc.scenario_id ?? source,
      original: { scenario_id: doc.scenario_id, category: doc.category },
    };
  }
  if (params.has("blank")) {
    return { kind: "blank", source: null, title: null, doc: login ? { created_by: login } : {}, ownId: null, original: null };
  }
  return null;
}

// A new scenario from another: its id is proposed afresh, its owner is the user (asked in
// the form when the browser does not know them), and it names where it came from.
function newScenario(kind, source, doc, login) {
  const title = doc.title ?? source;
  const fresh = { ...doc, scenario_id: "", created_by: login ?? "", derived_from: source };
  // What it started from, as it was: a copy keeping most of its words is a near-copy.
  const from = { id: source, template: kind === "template", doc: structuredClone(doc) };
  return { kind, source, title, doc: fresh, ownId: null, original: null, from };
}

async function fetchDocument(url, what, id) {
  let response;
  try {
    response = await fetch(url);
  } catch {
    throw new StartError(`The ${what} '${id}' could not be loaded: check your connection and reload.`);
  }
  if (!response.ok) throw new StartError(`There is no ${what} '${id}' on this site. Choose another below.`);
  return apiDocument(await response.json());
}

/** An API document as its file would hold it: no dates the site added, no null keys. */
export function apiDocument(json) {
  const doc = {};
  for (const [key, value] of Object.entries(json ?? {})) {
    if (key === "created_at" || key === "updated_at" || value === null) continue;
    doc[key] = value;
  }
  return doc;
}

/** "Started from the template …": a line saying where the scenario came from. */
export function describeStart(start) {
  const title = start.title ? `“${start.title}”` : "";
  if (start.kind === "template") return `Started from the template ${title}. Your scenario gets its own id.`;
  if (start.kind === "copy") return `A copy of ${title}: yours, not public until you say so, with its own id.`;
  if (start.kind === "edit") return `Editing ${title}: its owner and its file stay as they are.`;
  return "A blank scenario.";
}
