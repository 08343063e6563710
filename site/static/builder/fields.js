// The builder's form, read from the schema: what kind of control each field gets, with its
// label, help text and limits.
//
// The schema the site publishes (schemas/scenario.schema.json) is the one description of a
// scenario; the form follows it at run time, so a field added there appears here with its
// `description` as help text and its limits as counters, without a change to the page.
// The only words kept here are for presentation: a singular noun for a list's items.

// What one item of a list is called ("Add word", "Remove phase 3").
const ITEM_NOUNS = {
  phases: "phase",
  key_vocabulary: "word",
  essential_phrases: "phrase",
  learning_objectives: "objective",
  success_criteria: "criterion",
  prerequisites: "prerequisite",
  learning_outcomes: "outcome",
  vocabulary_focus: "theme",
};

// Slug fields proposed from a text beside them until the user types their own.
export const PROPOSED_FROM = { scenario_id: "title", phase_id: "name" };

// Words a label writes in capitals.
const ACRONYMS = { ai: "AI", cefr: "CEFR" };

/** `ai_role` → `AI role`, `scenario_id` → `Scenario id`: a label from a key. */
export function labelFor(key) {
  const words = key.split("_").map((word) => ACRONYMS[word] ?? word);
  const text = words.join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `daily_life` → `Daily life`: an enum value shown as a choice. */
export function choiceLabel(value) {
  return labelFor(String(value));
}

/** What a list's items are called. */
export function itemNoun(key) {
  return ITEM_NOUNS[key] ?? "item";
}

// A node with its `$ref` and `allOf` merged in: the keys of the node itself win (a property
// says `allOf: [{$ref: text}], maxLength: 100`, and its own description is the help text).
function merged(root, node) {
  let result = {};
  if (node.$ref) result = { ...result, ...merged(root, lookup(root, node.$ref)) };
  for (const part of node.allOf ?? []) result = { ...result, ...merged(root, part) };
  const own = { ...node };
  delete own.$ref;
  delete own.allOf;
  return { ...result, ...own, refs: [...(result.refs ?? []), ...(node.$ref ? [node.$ref] : []), ...refsOf(node)] };
}

function refsOf(node) {
  return (node.allOf ?? []).flatMap((part) => (part.$ref ? [part.$ref] : []));
}

function lookup(root, reference) {
  return reference
    .replace(/^#\//, "")
    .split("/")
    .reduce((node, part) => node[part.replace(/~1/g, "/").replace(/~0/g, "~")], root);
}

function types(node) {
  return Array.isArray(node.type) ? node.type : node.type ? [node.type] : [];
}

/**
 * A field's description as the form's help: without its sentences about how the file is
 * written (YAML's quoting, the file's name), which the form does for the teacher.
 */
export function formHelp(description) {
  return description
    .split(/(?<=\.)\s+/)
    .filter((sentence) => !/YAML|\.yaml\b/.test(sentence))
    .join(" ");
}

/**
 * The field of `key` described by `node` (a property of `parent`) in the schema `root`:
 * `{key, kind, label, help, required, ...limits}`. Kinds: text, longtext, integer,
 * boolean, choice, language, list (of texts), entries (texts or mappings, as vocabulary),
 * objects (mappings, as phases).
 */
export function fieldOf(root, key, node, parent) {
  const spec = merged(root, node);
  const field = {
    key,
    label: labelFor(key),
    help: formHelp(spec.description ?? ""),
    required: (parent.required ?? []).includes(key),
    default: spec.default,
    maxLength: spec.maxLength,
    minimum: spec.minimum,
    maximum: spec.maximum,
  };
  const kinds = types(spec);
  if (spec.enum) return { ...field, kind: "choice", choices: spec.enum };
  if (kinds.includes("boolean")) return { ...field, kind: "boolean" };
  if (kinds.includes("integer")) return { ...field, kind: "integer" };
  if (kinds.includes("array")) return { ...field, ...listOf(root, key, spec) };
  if (spec.refs.some((ref) => ref.endsWith("/language_tag"))) return { ...field, kind: "language" };
  if (kinds.includes("string")) {
    return { ...field, kind: (spec.maxLength ?? 0) >= 500 ? "longtext" : "text", slug: isSlug(spec) };
  }
  return { ...field, kind: "text" };
}

function isSlug(spec) {
  return spec.refs.some((ref) => ref.endsWith("/slug"));
}

function listOf(root, key, spec) {
  const items = merged(root, spec.items ?? {});
  const list = { minItems: spec.minItems ?? 0, maxItems: spec.maxItems ?? Infinity, noun: itemNoun(key) };
  const kinds = types(items);
  if (kinds.includes("object") && items.properties) {
    const fields = objectFields(root, items);
    if (kinds.includes("string")) {
      // A plain text, or a mapping whose first required key holds that text.
      return { ...list, kind: "entries", fields, main: (items.required ?? [])[0], itemMaxLength: items.maxLength };
    }
    return { ...list, kind: "objects", fields };
  }
  const item = fieldOf(root, "item", items, {});
  return { ...list, kind: "list", item: { ...item, label: list.noun } };
}

/** The fields of a mapping's properties, in the schema's order (the file's order too). */
export function objectFields(root, node) {
  const spec = merged(root, node);
  return Object.entries(spec.properties ?? {}).map(([key, child]) => fieldOf(root, key, child, spec));
}
