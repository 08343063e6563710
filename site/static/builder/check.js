// The builder's check as you type: the scenario judged by the schema itself, in the words of
// `scenarios validate`.
//
// The structural rules come only from the schema the caller loads (the site's
// schemas/scenario.schema.json), run by the vendored JSON Schema 2020-12 validator; this
// module holds no copy of any of them. What it adds is the wording: each error becomes the
// code and message tools/scenariokit/check/schema.py gives for it (`_explain`, `_message`),
// one message per value, chosen as python-jsonschema would choose it (the first failing
// keyword in the schema's own order). Then the repository rules a browser can judge, with
// the codes and words of check/rules.py and check/adapting.py: a taken id, a phase id used
// twice, durations that do not add up, vocabulary repeated, TODO: placeholders (texts to
// adapt too), a language tag that names no language or is not in its canonical form, a
// title or description not in English, an entry without a translation in a scenario
// started from a template, and near-copies (check/copies.py). What only the server knows
// (drafts' ids, how a YAML file was written) is left to `scenarios validate`.

import { Validator } from "../vendor/json-schema/index.js";
import { judgeLanguage } from "./language-tag.js";

// Rules whose finding takes the place of the schema's on the same value (see checkScenario).
const FIX_WHAT_THE_SCHEMA_REFUSED = new Set(["language-form"]);

/**
 * Every problem of `doc`, as `{pointer, code, severity, message}`.
 *
 * `context.takenIds`: ids of published scenarios and templates; `context.ownId`: the id the
 * scenario had when loaded for an edit (not taken by itself). Optional: `context.places`,
 * a Map from an id to the repository files that hold it (`takenFrom` makes it), so that a
 * taken id is named as `scenarios validate` names it; `context.languages`, the build's
 * builder/languages.json, for the language rule and the languages' names;
 * `context.titles`, the published scenarios' and the templates' titles (`titlesFrom`), and
 * `context.source`, the document a copy started from, for near-copies.
 */
export function checkScenario(doc, schema, context = {}) {
  // What would be saved: a form's empty fields (undefined) are no keys of the file.
  const data = doc === undefined ? null : JSON.parse(JSON.stringify(doc));
  const schemaProblems = schemaFindings(data, schema);
  // One message per value: a value the schema rejects is not judged again by the rules.
  const flagged = new Set(schemaProblems.map((f) => f.pointer));
  const rules = isMapping(data) ? ruleFindings(data, context) : [];
  // Unless the rule says how to write the value the schema refused (validate.py's
  // `_FIX_WHAT_THE_SCHEMA_REFUSED`): "write the language tag as 'pt-BR', not 'pt_br'".
  const better = new Set(rules.filter((f) => FIX_WHAT_THE_SCHEMA_REFUSED.has(f.code) && flagged.has(f.pointer)).map((f) => f.pointer));
  // Near-copies are judged on the repository after every file (check/copies.py): whatever
  // the schema said of the value they point at.
  const copies = isMapping(data) ? copyFindings(data, context) : [];
  const findings = [
    ...schemaProblems.filter((f) => !better.has(f.pointer)),
    ...rules.filter((f) => !flagged.has(f.pointer) || better.has(f.pointer)),
    ...copies,
  ];
  // In the order of the document, as `scenarios validate` sorts them by line.
  const place = documentOrder(data);
  const rank = (f) => place.get(jsonPointer(nearest(data, f.path))) ?? 0;
  findings.sort((a, b) => rank(a) - rank(b) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return findings.map(({ pointer, code, severity, message }) => ({
    pointer,
    code,
    severity,
    message,
  }));
}

/**
 * `{takenIds, places}` for `checkScenario` from the site's api/scenarios.json and the
 * templates' ids. Exact for what the site publishes: a scenario on the site passed
 * `scenarios validate`, so its file is scenarios/<category>/<id>.yaml, and a template's is
 * templates/<id>.yaml. Drafts are not on the site: the server still catches their ids.
 */
export function takenFrom(summary, templateIds = []) {
  const places = new Map();
  const add = (id, place) => places.set(id, [...(places.get(id) ?? []), place]);
  const scenarios = [...(summary?.scenarios ?? [])].map((s) => [
    `scenarios/${s.category}/${s.scenario_id}.yaml`,
    s.scenario_id,
  ]);
  // The order of `scenarios validate`: the scenarios' files by path, then the templates'.
  scenarios.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [place, id] of scenarios) add(id, place);
  for (const id of [...templateIds].sort()) add(id, `templates/${id}.yaml`);
  return { takenIds: new Set(places.keys()), places };
}

/**
 * `[{id, title, place, template}]` for `context.titles`: the site's published scenarios
 * (api/scenarios.json) and the templates (`[{id, title}]`), each with its file's place.
 */
export function titlesFrom(summary, templates = []) {
  const titles = [...(summary?.scenarios ?? [])].map((s) => ({
    id: s.scenario_id,
    title: s.title,
    place: `scenarios/${s.category}/${s.scenario_id}.yaml`,
    template: false,
  }));
  for (const { id, title } of templates) {
    titles.push({ id, title, place: `templates/${id}.yaml`, template: true });
  }
  return titles;
}

// --- the schema ------------------------------------------------------------------------

const validators = new WeakMap();

function validatorFor(schema) {
  let validator = validators.get(schema);
  if (!validator) {
    // A copy: the validator marks the schema it is given with resolved references.
    validator = new Validator(structuredClone(schema), "2020-12", false);
    validators.set(schema, validator);
  }
  return validator;
}

// Keywords that only say that something below them failed: their leaves are explained.
const WRAPPERS = new Set([
  "$ref",
  "if",
  "then",
  "else",
  "allOf",
  "anyOf",
  "oneOf",
  "properties",
  "items",
  "prefixItems",
  "false",
]);

function schemaFindings(doc, schema) {
  const result = validatorFor(schema).validate(doc);
  if (result.valid) return [];
  // For each problem (a value, or a key), the error python-jsonschema meets first.
  const firsts = new Map();
  for (const error of result.errors) {
    if (WRAPPERS.has(error.keyword)) continue;
    const path = instancePath(doc, error.instanceLocation);
    const { node, order } = schemaAt(schema, error.keywordLocation);
    for (const problem of problemsOf(error.keyword, node, valueAt(doc, path), path)) {
      const id = `${problem.atKey ? "k" : "v"}${jsonPointer(problem.path)}`;
      const first = firsts.get(id);
      if (!first || compareOrder(order, first.order) < 0) {
        firsts.set(id, { ...problem, error, node, order, objectPath: path });
      }
    }
  }
  return [...firsts.values()]
    .sort((a, b) => compareOrder(a.order, b.order))
    .map((problem) => explain(doc, problem, schema));
}

// What one error is about, as schema.py's `_problems`: each unknown key of a mapping, the
// first missing key, or the value itself.
function problemsOf(keyword, node, value, path) {
  if (keyword === "additionalProperties" && isMapping(value)) {
    const allowed = node.properties ?? {};
    return Object.keys(value)
      .filter((key) => !Object.hasOwn(allowed, key))
      .map((key) => ({ path: [...path, key], atKey: true }));
  }
  if (keyword === "required" && isMapping(value)) {
    const missing = node.required.filter((key) => !Object.hasOwn(value, key));
    return missing.length ? [{ path: [...path, missing[0]], atKey: false }] : [];
  }
  return [{ path, atKey: false }];
}

function explain(doc, { path, atKey, error, node, objectPath }, schema) {
  const keyword = error.keyword;
  const value = valueAt(doc, objectPath);
  const found = (code, message) => finding(path, code, message);
  if (atKey) {
    const allowed = Object.keys(node.properties ?? {}).sort();
    return found("unknown-key", unknownKey(String(path.at(-1)), allowed, objectPath, value, node.required ?? []));
  }
  if (keyword === "required") {
    const missing = node.required.filter((key) => !Object.hasOwn(value, key));
    const where = objectPath.length ? ` in ${describePath(objectPath)}` : "";
    if (missing.length === 1) {
      return found(
        "missing-key",
        `the required key '${missing[0]}' is missing${where}: add '${missing[0]}: …'`,
      );
    }
    return found(
      "missing-key",
      `the required keys ${missing.join(", ")} are missing${where}: add them`,
    );
  }
  const [code, text] = message(keyword, node[keyword], value, node, path, notBlankPattern(schema));
  // A rule that holds given another field (`cefr` given `difficulty`): its branch of the
  // schema says which, and how to make them agree (schema.py's `_explain`).
  const conditional = error.keywordLocation.split("/").includes("then") && node.description;
  return found(code, conditional ? `${text}; ${node.description}` : text);
}

const CODES = {
  type: "wrong-type",
  enum: "not-allowed",
  minLength: "too-short",
  maxLength: "too-long",
  pattern: "bad-format",
  minimum: "too-small",
  maximum: "too-large",
  minItems: "too-few",
  maxItems: "too-many",
};

// What a JSON type is called in a message.
const TYPE_WORDS = {
  string: "text",
  integer: "a whole number",
  number: "a number",
  boolean: "true or false",
  object: "a mapping of keys",
  array: "a list",
  null: "empty",
};

// A duration written as text (`15 min`, `1 hour`): check/suggestions.py's `minutes_in`.
const MINUTES = /^\s*([0-9]{1,3})\s*(?:m|mn|min|mins|minute|minutes|minutos|minuten|minuti)?\.?\s*$/i;
const HOURS = /^\s*([0-9])\s*(?:h|hr|hrs|hour|hours|horas?|stunden?)\.?\s*$/i;

function minutesIn(text) {
  const minutes = MINUTES.exec(text);
  if (minutes) return Number(minutes[1]);
  const hours = HOURS.exec(text);
  return hours ? 60 * Number(hours[1]) : null;
}

// (code, message) for one failed keyword: schema.py's `_message`.
function message(keyword, expected, value, node, path, blankPattern) {
  const field = describePath(path);
  const code = CODES[keyword] ?? "schema";
  if (keyword === "type") {
    const wanted = (Array.isArray(expected) ? expected : [expected]).map((t) => TYPE_WORDS[t]);
    // schema.py also tells how YAML read an unquoted value; a form's value was not YAML.
    let fix = value === null ? "; write a value, or remove the key if it is optional" : "";
    const minutes = expected === "integer" && typeof value === "string" ? minutesIn(value) : null;
    if (minutes !== null) fix = `; write ${minutes}, without a unit or quotes`;
    return [code, `${field} must be ${wanted.join(" or ")}, not ${shown(value)}${fix}`];
  }
  if (keyword === "enum") {
    const choices = expected.map(pyStr);
    const close = closeMatches(pyStr(value), choices, 1);
    const hint = close.length ? `; did you mean '${close[0]}'?` : "";
    return [code, `${field} must be one of ${choices.join(", ")}, not ${shown(value)}${hint}`];
  }
  if (keyword === "minLength") {
    if (expected <= 1) {
      return ["empty", `${field} is empty: write some text, or remove the key if it is optional`];
    }
    return [
      code,
      `${field} is too short: ${length(value)} characters, it needs at least ${expected}`,
    ];
  }
  if (keyword === "maxLength") {
    const have = length(value);
    return [
      code,
      `${field} is too long: ${have} characters, the limit is ${expected}; ` +
        `shorten it by ${have - expected}`,
    ];
  }
  if (keyword === "pattern") {
    if (expected === blankPattern) {
      return ["empty", `${field} is blank: write some text, or remove the key if optional`];
    }
    return [code, `${field} ${shown(value)} is not valid here. ${patternHint(node, value)}`];
  }
  if (keyword === "minimum" || keyword === "maximum") {
    const bound = keyword === "minimum" ? "at least" : "at most";
    return [code, `${field} must be ${bound} ${pyStr(expected)}, not ${pyStr(value)}`];
  }
  if (keyword === "minItems" || keyword === "maxItems") {
    const have = value.length;
    const entries = expected === 1 ? "entry" : "entries";
    if (keyword === "minItems") {
      return [
        code,
        `${field} needs at least ${expected} ${entries} but has ${have}: add ${expected - have} more`,
      ];
    }
    return [
      code,
      `${field} may have at most ${expected} ${entries} but has ${have}: remove ${have - expected}`,
    ];
  }
  return [code, `${field}: ${keyword} ${pyRepr(expected)} is not satisfied`];
}

// The rule in words (the schema's own description), and a corrected value for slugs.
function patternHint(node, value) {
  let hint = node.description ?? `It must match ${node.pattern}.`;
  if ((node.pattern ?? "").startsWith("^[a-z0-9]") && typeof value === "string") {
    const suggestion = slugify(value);
    if (suggestion.length >= 3) hint += ` Try '${suggestion}'.`;
  }
  return hint;
}

/** `Tapas Bar (Madrid)` → `tapas-bar-madrid`: the nearest valid slug, ASCII only. */
export function slugify(text) {
  const ascii = text.normalize("NFKD").replace(/[^\x00-\x7f]/gu, "");
  const slug = ascii
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug.slice(0, 64).replace(/^-+|-+$/g, "");
}

// schema.py's `_unknown_key`: never a key the mapping has; a missing required one first.
function unknownKey(key, allowed, objectPath, present, required) {
  const where = objectPath.length ? ` in ${describePath(objectPath)}` : "";
  const absent = allowed.filter((k) => !Object.hasOwn(present, k));
  const missing = absent.filter((k) => required.includes(k));
  let close = closeMatches(key, missing, 1);
  if (!close.length) close = missing.filter((k) => key.length >= 4 && (k.includes(key) || key.includes(k))).slice(0, 1);
  if (!close.length) close = closeMatches(key, absent, 1);
  if (close.length) return `unknown key '${key}'${where}: did you mean '${close[0]}'?`;
  return `unknown key '${key}'${where}: the keys allowed here are ${allowed.join(", ")}`;
}

// The schema's pattern for text that is not blank (`$defs/text`), as schema.py reads it.
function notBlankPattern(root) {
  return root?.$defs?.text?.pattern;
}

// The schema node a keyword location ends in (the node holding the failed keyword), and
// where that keyword comes in python-jsonschema's walk: schema.py checks against the schema
// with each `$ref` inlined as the first entry of an `allOf` (appended last when the node
// has none) and `minItems`/`maxItems` first; keywords run in the order they are written.
function schemaAt(root, keywordLocation) {
  const parts = keywordLocation
    .replace(/^#\/?/, "")
    .split("/")
    .filter((p) => p !== "");
  const segments = parts.map((p) => decodeURIComponent(p).replace(/~1/g, "/").replace(/~0/g, "~"));
  let node = root;
  const order = [];
  for (let i = 0; i < segments.length; i++) {
    const keyword = segments[i];
    const keys = inlinedKeys(node);
    if (keyword === "$ref") {
      order.push(keys.indexOf("allOf"), 0);
      node = resolve(root, node.$ref);
    } else if (
      keyword === "allOf" ||
      keyword === "anyOf" ||
      keyword === "oneOf" ||
      keyword === "prefixItems"
    ) {
      const index = Number(segments[++i]);
      const shift = keyword === "allOf" && node.$ref !== undefined ? 1 : 0;
      order.push(keys.indexOf(keyword), index + shift);
      node = node[keyword][index];
    } else if (keyword === "properties" || keyword === "patternProperties" || keyword === "$defs") {
      const name = segments[++i];
      order.push(keys.indexOf(keyword), Object.keys(node[keyword]).indexOf(name));
      node = node[keyword][name];
    } else if (i === segments.length - 1) {
      order.push(keys.indexOf(keyword));
    } else {
      order.push(keys.indexOf(keyword));
      node = node[keyword];
    }
  }
  return { node, order };
}

function inlinedKeys(node) {
  if (!node || typeof node !== "object") return [];
  const first = (key) => (key === "minItems" || key === "maxItems" ? 0 : 1);
  const keys = Object.keys(node)
    .sort((a, b) => first(a) - first(b))
    .filter((k) => k !== "$ref");
  if (node.$ref !== undefined && !keys.includes("allOf")) keys.push("allOf");
  return keys;
}

function resolve(root, reference) {
  if (!reference.startsWith("#")) throw new Error(`only local references are read: ${reference}`);
  return instancePathParts(reference.slice(1)).reduce((node, part) => node[part], root);
}

function compareOrder(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

// --- the repository's rules (check/rules.py) -----------------------------------------------

function ruleFindings(doc, context) {
  return [
    ...phaseIdsAreUnique(doc),
    ...languageIsReal(doc, context),
    ...durationsAddUp(doc),
    ...vocabularyIsNotRepeated(doc),
    ...placeholdersAreFilled(doc, context),
    ...titlesAreInEnglish(doc, context),
    ...translationsAreGiven(doc, context),
    ...idIsFree(doc, context),
  ];
}

function finding(path, code, message, severity = "error") {
  return { path, pointer: jsonPointer(path), code, severity, message };
}

function phasesOf(doc) {
  return Array.isArray(doc.phases)
    ? doc.phases.map((phase, number) => [number, phase]).filter(([, phase]) => isMapping(phase))
    : [];
}

function* phaseIdsAreUnique(doc) {
  const first = new Map();
  for (const [number, phase] of phasesOf(doc)) {
    const phaseId = phase.phase_id;
    if (typeof phaseId !== "string") continue;
    if (first.has(phaseId)) {
      yield finding(
        ["phases", number, "phase_id"],
        "duplicate-phase-id",
        `phase_id '${phaseId}' is already used by phase ${first.get(phaseId) + 1}: ` +
          "give each phase its own id",
      );
    } else {
      first.set(phaseId, number);
    }
  }
}

// `language_is_real`: a tag the registry knows, in its canonical form, judged as
// check/languages.py judges it (language-tag.js) over the build's builder/languages.json.
function* languageIsReal(doc, context) {
  const tag = doc.language;
  if (typeof tag !== "string" || !context.languages) return;
  const verdict = judgeLanguage(tag, context.languages);
  if (verdict) yield finding(["language"], verdict.code, verdict.message);
}

function* durationsAddUp(doc) {
  const total = doc.estimated_duration;
  const minutes = phasesOf(doc).map(([, phase]) => phase.expected_duration_minutes);
  if (!Number.isInteger(total) || !minutes.length) return;
  if (minutes.every((m) => Number.isInteger(m))) {
    const phaseTotal = minutes.reduce((sum, m) => sum + m, 0);
    if (phaseTotal !== total) {
      yield finding(
        ["estimated_duration"],
        "duration-mismatch",
        `the phases add up to ${phaseTotal} minutes but estimated_duration is ` +
          `${total}: make them agree`,
        "warning",
      );
    }
  }
}

// Python's str.split(): runs of what it counts as white space.
const PY_SPACE =
  /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;

function* vocabularyIsNotRepeated(doc) {
  const seen = new Map();
  for (const [number, phase] of phasesOf(doc)) {
    const entries = phase.key_vocabulary;
    if (!Array.isArray(entries)) continue;
    for (const [index, entry] of entries.entries()) {
      const term = isMapping(entry) ? entry.term : entry;
      if (typeof term !== "string") continue;
      // casefold(): upper then lower case gives the same equalities for words.
      const key = term.toUpperCase().toLowerCase().split(PY_SPACE).filter(Boolean).join(" ");
      if (seen.has(key)) {
        const [phaseNo, entryNo] = seen.get(key);
        yield finding(
          ["phases", number, "key_vocabulary", index],
          "repeated-vocabulary",
          `'${term}' is already key vocabulary ${entryNo + 1} of phase ${phaseNo + 1}: ` +
            "keep it once, or choose another word",
          "warning",
        );
      } else {
        seen.set(key, [number, index]);
      }
    }
  }
}

const PLACEHOLDER = "TODO:";
const ADAPT_MARKER = `${PLACEHOLDER} adapt:`; // check/adapting.py's

function* placeholdersAreFilled(doc, context) {
  for (const [path, text] of strings(doc, [])) {
    if (!text.startsWith(PLACEHOLDER)) continue;
    const last = path.at(-1);
    if (text.startsWith(ADAPT_MARKER)) {
      yield finding(
        path,
        "unadapted",
        `${describePath(path)} was written for the source's language and country: ` +
          `rewrite it for ${languageName(doc.language, context)} and the place your ` +
          `scenario is set, then remove the ${pyRepr(ADAPT_MARKER)} marker`,
        "warning",
      );
    } else if (last === "term" || last === "text" || isEntry(path)) {
      yield finding(
        path,
        "untranslated",
        `${describePath(path)} is not translated yet: replace ${pyRepr(text)} ` +
          `with its ${languageName(doc.language, context)} wording`,
        "warning",
      );
    } else {
      yield finding(
        path,
        "placeholder",
        `${describePath(path)} is still a placeholder: replace ${pyRepr(text)}`,
        "warning",
      );
    }
  }
}

// --- the site's language and the translations (check/adapting.py) ----------------------------

const ENGLISH = new Set(
  ("the a an of in at on to with for and your you from by about after before into out up " +
    "as is are it its this that their his her do no per").split(" "),
);
// Little words of a language that are not English words.
const LITTLE_WORDS = Object.fromEntries(
  Object.entries({
    es: "el la los las del con para por una unos unas y que en al mi su está",
    pt: "o os da das dos na nos nas em com para uma um e que ao à é",
    fr: "le la les des du au aux une un et avec pour dans chez est sur à",
    it: "il lo gli le della dello dei delle del con una uno un e che nel nella alla al è",
    de: "der die das den dem des und mit im ein eine einen zum zur beim für auf ist",
  }).map(([language, words]) => [language, new Set(words.split(" ").filter((w) => !ENGLISH.has(w)))]),
);
// Python's [^\W\d_]+: letters, and numbers that are not digits.
const WORD = /[\p{L}\p{Nl}\p{No}]+/gu;
// A quotation, as adapting.py's `_QUOTED` finds one.
const QUOTED =
  /(?<![\p{L}\p{N}_])'[^'\n]+'(?![\p{L}\p{N}_])|"[^"\n]+"|«[^»]+»|“[^”]+”|‘[^’]+’|「[^」]+」|『[^』]+』/gu;
const LETTER = /\p{L}/u;
const LATIN = /\p{Script=Latin}/u;

// adapting.py's `reads_as`: why `text` reads as `language` rather than English, or null.
function readsAs(text, language, context) {
  const bare = text.replace(QUOTED, " ");
  const letters = [...bare].filter((c) => LETTER.test(c));
  const otherScript = letters.filter((c) => !LATIN.test(c)).length;
  if (otherScript && otherScript * 2 > letters.length) {
    return "it is mostly written in another script than English";
  }
  const little = LITTLE_WORDS[primaryLanguage(language)] ?? new Set();
  const words = (bare.match(WORD) ?? []).map(casefold);
  const theirs = [...new Set(words.filter((w) => little.has(w)))].sort();
  const ours = words.filter((w) => ENGLISH.has(w)).length;
  if (theirs.length && words.filter((w) => little.has(w)).length > ours) {
    const shown = theirs.map((w) => `'${w}'`).join(", ");
    return `it has ${languageName(language, context)} words (${shown}) and fewer English ones`;
  }
  return null;
}

function* titlesAreInEnglish(doc, context) {
  const language = doc.language;
  if (typeof language !== "string") return;
  for (const key of ["title", "description"]) {
    const text = doc[key];
    if (typeof text !== "string" || text.startsWith(PLACEHOLDER)) continue;
    const why = readsAs(text, language, context);
    if (why) {
      yield finding(
        [key],
        "not-english",
        `the ${key} does not read as English (${why}): write the ${key} in English, the ` +
          `site's language (the ${languageName(language, context)} belongs in the entries); ` +
          "a name may stay, in quotes or inside an English sentence",
        "warning",
      );
    }
  }
}

// A scenario started from a template (its derived_from names a file of templates/).
function fromATemplate(doc, context) {
  const origin = doc.derived_from;
  return typeof origin === "string" && Boolean(context.places?.get(origin)?.some((p) => p.startsWith("templates/")));
}

function* translationsAreGiven(doc, context) {
  if (!fromATemplate(doc, context)) return;
  for (const [number, phase] of phasesOf(doc)) {
    for (const [key, wordsKey] of [["key_vocabulary", "term"], ["essential_phrases", "text"]]) {
      const entries = Array.isArray(phase[key]) ? phase[key] : [];
      for (const [index, entry] of entries.entries()) {
        const path = ["phases", number, key, index];
        let words;
        let how;
        if (typeof entry === "string") {
          words = entry;
          how = `write it as a mapping, \`${wordsKey}: …\` with \`translation: …\``;
        } else if (isMapping(entry) && !entry.translation) {
          words = entry[wordsKey];
          how = "add `translation: …`";
        } else {
          continue;
        }
        if (typeof words !== "string" || words.startsWith(PLACEHOLDER)) continue;
        yield finding(
          path,
          "missing-translation",
          `${describePath(path)} ${pyRepr(words)} has no translation: ${how} with its English ` +
            "meaning (every entry of a template, and of a scenario started from one, gives one)",
          "warning",
        );
      }
    }
  }
}

function isEntry(path) {
  return path.length === 4 && (path[2] === "key_vocabulary" || path[2] === "essential_phrases");
}

function* strings(node, path) {
  if (typeof node === "string") {
    yield [path, node];
  } else if (Array.isArray(node)) {
    for (const [index, value] of node.entries()) yield* strings(value, [...path, index]);
  } else if (isMapping(node)) {
    for (const [key, value] of Object.entries(node)) yield* strings(value, [...path, key]);
  }
}

// languages.py's `language_name`: the language's English name, from builder/languages.json.
function languageName(tag, context) {
  if (typeof tag !== "string") return pyStr(tag);
  const found = context.languages?.languages?.find((language) => language.tag === tag);
  return found ? found.name : tag;
}

function* idIsFree(doc, context) {
  const id = doc.scenario_id;
  if (typeof id !== "string" || id === context.ownId || !context.takenIds?.has(id)) return;
  const places = context.places?.get(id);
  const where = places?.length ? places.join(", ") : "another scenario or template";
  yield finding(
    ["scenario_id"],
    "duplicate-id",
    `scenario_id '${id}' is also used by ${where}: ` +
      "choose another id (and rename the file to match)",
  );
}

// --- near-copies (check/copies.py) ----------------------------------------------------------
//
// What a browser can judge of them: the title against the published scenarios' and the
// templates' (`context.titles`), and the entries against the scenario a copy started from
// (`context.source`). Drafts, and the source an edited file's derived_from names, are on
// no page: `scenarios validate` judges those.

const UNCHANGED_SHARE = 0.75;
const MIN_ENTRIES = 4;
const MAX_NAMED = 3;
// Python's \W: anything but a letter, a number or "_".
const NOT_WORD = /[^\p{L}\p{N}_]+/gu;

// casefold(): upper then lower case gives the same equalities for words.
function casefold(text) {
  return text.toUpperCase().toLowerCase();
}

/** A title as copies.py's `same_title` compares it: no case, punctuation or extra spaces. */
export function sameTitle(title) {
  const key = casefold(title).replace(NOT_WORD, " ").split(" ").filter(Boolean).join(" ");
  return key || null;
}

function copyFindings(doc, context) {
  return [...sameTitleAsAnother(doc, context), ...entriesUnchanged(doc, context)];
}

function* sameTitleAsAnother(doc, context) {
  if (typeof doc.title !== "string") return;
  const key = sameTitle(doc.title);
  if (!key || !context.titles) return;
  const id = doc.scenario_id;
  const others = context.titles
    .filter((t) => typeof t.title === "string" && sameTitle(t.title) === key)
    .filter((t) => t.id !== context.ownId && !(typeof id === "string" && id && t.id === id))
    .sort((a, b) => (a.place < b.place ? -1 : a.place > b.place ? 1 : 0));
  if (!others.length) return;
  let named = others.slice(0, MAX_NAMED).map(namedAs).join(", ");
  if (others.length > MAX_NAMED) named += ` and ${(others.length - MAX_NAMED).toLocaleString("en-US")} more`;
  yield finding(
    ["title"],
    "near-copy",
    `the title '${doc.title}' is already the title of ${named}: a near-copy of an existing ` +
      "scenario adds nothing for a learner; give this scenario a title of its own that says " +
      "what is new (its place, its situation)",
    "warning",
  );
}

function namedAs(known) {
  return `${known.template ? "the template" : "the scenario"} '${known.id}'`;
}

// copies.py's `_entry_hashes`: each phase's entries' words, casefolded, spaces normalised.
function entryWords(doc) {
  return phasesOf(doc).map(([number, phase]) => {
    const words = [];
    for (const [field, key] of [["key_vocabulary", "term"], ["essential_phrases", "text"]]) {
      if (!Array.isArray(phase[field])) continue;
      for (const entry of phase[field]) {
        const text = isMapping(entry) ? entry[key] : entry;
        const said = typeof text === "string" ? casefold(text).split(PY_SPACE).filter(Boolean).join(" ") : "";
        if (said) words.push(said);
      }
    }
    const phaseId = typeof phase.phase_id === "string" ? phase.phase_id : String(number + 1);
    return [number, phaseId, words];
  });
}

// A language without its region or script, as languages.py's `primary_language`.
function primaryLanguage(tag) {
  return typeof tag === "string" ? tag.split("-")[0].toLowerCase() : null;
}

function* entriesUnchanged(doc, context) {
  const source = context.source;
  if (!source || !isMapping(source.doc)) return;
  // A template's words are there to be kept, in its language only (copies.py).
  const theirLanguage = primaryLanguage(source.doc.language);
  const ourLanguage = primaryLanguage(doc.language);
  const translated = source.template && theirLanguage !== ourLanguage;
  if (source.template && !translated) return;
  if (typeof doc.derived_from !== "string" || doc.derived_from !== source.id) return;
  if (doc.derived_from === doc.scenario_id) return;
  const theirs = new Set(entryWords(source.doc).flatMap(([, , words]) => words));
  if (!theirs.size) return;
  const kept = entryWords(doc).map(([number, phaseId, words]) => [
    number,
    phaseId,
    words.filter((w) => theirs.has(w)).length,
  ]);
  const total = entryWords(doc).reduce((sum, [, , words]) => sum + words.length, 0);
  const same = kept.reduce((sum, [, , k]) => sum + k, 0);
  if (translated ? same < MIN_ENTRIES : total < MIN_ENTRIES || same < UNCHANGED_SHARE * total) return;
  let most = kept[0];
  for (const k of kept) if (k[2] > most[2]) most = k;
  const phases = kept
    .filter(([, , k]) => k)
    .map(([, phaseId, k]) => `'${phaseId}' (${k})`)
    .join(", ");
  const advice = translated
    ? `, written in '${theirLanguage ?? "?"}' while this scenario is in '${ourLanguage ?? "?"}': ` +
      "translate each into its language (or write it as 'TODO: <words>' to translate later, as " +
      "`scenarios new --language` does)"
    : ": a near-copy (a scenario that keeps 75% or more of its source's entries adds nothing " +
      "for a learner); make it its own: rewrite at least " +
      `${same - Math.ceil(UNCHANGED_SHARE * total) + 1} of them for its situation (its place, ` +
      "its people, what happens), and drop what does not belong";
  yield finding(
    ["phases", most[0]],
    "near-copy",
    `${same} of its ${total} vocabulary and phrase entries keep the words of ` +
      `${namedAs(source)}, which derived_from names (by phase: ${phases})${advice}`,
    "warning",
  );
}

// --- paths and words, as check/diagnostics.py says them ------------------------------------

/** RFC 6901 pointer of a document path (`/phases/0/name`). */
export function jsonPointer(path) {
  return path.map((part) => "/" + String(part).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

/** A document path in words, numbered from 1 as a contributor counts: `phase 2 › name`. */
export function describePath(path) {
  if (!path.length) return "the scenario";
  const words = [];
  let parent = null;
  for (const part of path) {
    if (typeof part === "number") {
      const label = parent === "phases" ? "phase" : String(parent);
      if (words.length && parent !== null) words.pop();
      words.push(`${label} ${part + 1}`);
    } else {
      words.push(String(part));
    }
    parent = part;
  }
  return words.join(" › ");
}

function instancePathParts(pointer) {
  return pointer
    .split("/")
    .slice(1)
    .map((part) => decodeURIComponent(part).replace(/~1/g, "/").replace(/~0/g, "~"));
}

// The validator's instance location (`#/phases/0/name`, URI-encoded) as a document path:
// indexes of lists as numbers, keys of mappings as text.
function instancePath(doc, location) {
  const path = [];
  let node = doc;
  for (const part of instancePathParts(location.replace(/^#/, ""))) {
    const step = Array.isArray(node) ? Number(part) : part;
    path.push(step);
    node = node?.[step];
  }
  return path;
}

// Each value's place in a walk of the document (keys before their values), by pointer.
function documentOrder(doc) {
  const place = new Map();
  const walk = (node, pointer) => {
    place.set(pointer, place.size);
    if (Array.isArray(node)) node.forEach((value, index) => walk(value, `${pointer}/${index}`));
    else if (isMapping(node)) {
      for (const [key, value] of Object.entries(node)) walk(value, pointer + jsonPointer([key]));
    }
  };
  walk(doc, "");
  return place;
}

// The longest start of `path` that is in the document: where a missing key is reported.
function nearest(doc, path) {
  let node = doc;
  const found = [];
  for (const part of path) {
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, part)) break;
    node = node[part];
    found.push(part);
  }
  return found;
}

function valueAt(doc, path) {
  return path.reduce((node, part) => node?.[part], doc);
}

function isMapping(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

// Python's len(): characters, not UTF-16 units.
function length(text) {
  return [...text].length;
}

// A value as a contributor wrote it, briefly (schema.py's `_shown`).
function shown(value) {
  if (value === null || value === undefined) return "empty";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "string") {
    const characters = [...value];
    const text = characters.length <= 40 ? value : characters.slice(0, 37).join("") + "...";
    return JSON.stringify(text);
  }
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return pyStr(value);
}

// Python's str() and repr() of a JSON value, for the words that quote one.
function pyStr(value) {
  if (typeof value === "string") return value;
  return pyRepr(value);
}

const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function pyRepr(value) {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(", ")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value)
      .map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`)
      .join(", ")}}`;
  }
  const text = String(value);
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const character of text) {
    const code = character.codePointAt(0);
    if (character === quote || character === "\\") out += "\\" + character;
    else if (character === "\t") out += "\\t";
    else if (character === "\n") out += "\\n";
    else if (character === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += "\\x" + hex(code, 2);
    else if (code < 0x7f || !NOT_PRINTABLE.test(character) || character === " ") out += character;
    else if (code <= 0xff) out += "\\x" + hex(code, 2);
    else if (code <= 0xffff) out += "\\u" + hex(code, 4);
    else out += "\\U" + hex(code, 8);
  }
  return out + quote;
}

function hex(code, width) {
  return code.toString(16).padStart(width, "0");
}

// --- difflib.get_close_matches, as Python computes it ---------------------------------------

/** The best `n` of `possibilities` close to `word` (ratio at least `cutoff`), best first. */
export function closeMatches(word, possibilities, n = 3, cutoff = 0.6) {
  const b = [...word];
  const matcher = sequenceMatcher(b);
  const scored = [];
  for (const possibility of possibilities) {
    const a = [...possibility];
    if (
      realQuickRatio(a, b) >= cutoff &&
      matcher.quickRatio(a) >= cutoff &&
      matcher.ratio(a) >= cutoff
    ) {
      scored.push([matcher.ratio(a), possibility]);
    }
  }
  // heapq.nlargest over (score, text): the higher score, then the larger text, first.
  scored.sort(([sa, xa], [sb, xb]) => sb - sa || (xa < xb ? 1 : xa > xb ? -1 : 0));
  return scored.slice(0, n).map(([, x]) => x);
}

function ratioOf(matches, total) {
  return total ? (2.0 * matches) / total : 1.0;
}

function realQuickRatio(a, b) {
  return ratioOf(Math.min(a.length, b.length), a.length + b.length);
}

// difflib.SequenceMatcher with `b` fixed (no junk function, autojunk on).
function sequenceMatcher(b) {
  const b2j = new Map();
  b.forEach((element, j) => b2j.set(element, [...(b2j.get(element) ?? []), j]));
  if (b.length >= 200) {
    const limit = Math.floor(b.length / 100) + 1;
    for (const [element, indexes] of [...b2j]) if (indexes.length > limit) b2j.delete(element);
  }
  const counts = new Map();
  for (const element of b) counts.set(element, (counts.get(element) ?? 0) + 1);

  function longestMatch(a, alo, ahi, blo, bhi) {
    let [besti, bestj, bestsize] = [alo, blo, 0];
    let j2len = new Map();
    for (let i = alo; i < ahi; i++) {
      const next = new Map();
      for (const j of b2j.get(a[i]) ?? []) {
        if (j < blo) continue;
        if (j >= bhi) break;
        const k = (j2len.get(j - 1) ?? 0) + 1;
        next.set(j, k);
        if (k > bestsize) [besti, bestj, bestsize] = [i - k + 1, j - k + 1, k];
      }
      j2len = next;
    }
    while (besti > alo && bestj > blo && a[besti - 1] === b[bestj - 1]) {
      besti--;
      bestj--;
      bestsize++;
    }
    while (
      besti + bestsize < ahi &&
      bestj + bestsize < bhi &&
      a[besti + bestsize] === b[bestj + bestsize]
    ) {
      bestsize++;
    }
    return [besti, bestj, bestsize];
  }

  return {
    ratio(a) {
      let matches = 0;
      const queue = [[0, a.length, 0, b.length]];
      while (queue.length) {
        const [alo, ahi, blo, bhi] = queue.pop();
        const [i, j, k] = longestMatch(a, alo, ahi, blo, bhi);
        if (!k) continue;
        matches += k;
        if (alo < i && blo < j) queue.push([alo, i, blo, j]);
        if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi]);
      }
      return ratioOf(matches, a.length + b.length);
    },
    quickRatio(a) {
      const available = new Map();
      let matches = 0;
      for (const element of a) {
        const left = available.has(element) ? available.get(element) : (counts.get(element) ?? 0);
        available.set(element, left - 1);
        if (left > 0) matches++;
      }
      return ratioOf(matches, a.length + b.length);
    },
  };
}
