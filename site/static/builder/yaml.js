// A scenario as the YAML file `scenarios fmt` writes: the builder's download and save.
//
// The canonical layout is Python's (tools/scenariokit/author/writer.py, which dumps with
// ruamel.yaml; emitter.py writes the same text directly): the editor modeline first, keys
// in the schema's order (read from the schema given, not copied here), block style, two
// spaces a level, list items indented under their key, one value per line. The vendored
// `yaml` library writes the text; each scalar's style (plain, 'single', "double") is
// decided here as ruamel.yaml decides it, with the YAML 1.1 rules PyYAML reads by, so
// `no`, `on`, `15` and `2024-05-01` stay text. What ruamel.yaml would write differently
// from what this module can make the library write (a control character, a line or
// paragraph separator, text long enough to fold, a number that is not an integer) is
// refused with an error, never written another way: none of it passes `validate`.

import { Document, Pair, Scalar, YAMLMap, YAMLSeq } from "../vendor/yaml/index.js";

/** The modeline of a file at scenarios/<category>/<id>.yaml. */
export const MODELINE = "# yaml-language-server: $schema=../../schemas/scenario.schema.json";

/** Which kind of mapping a list's items are, by the list's key: writer.ITEM_KINDS. */
export const ITEM_KINDS = Object.freeze({
  phases: "phase",
  key_vocabulary: "vocabulary",
  essential_phrases: "phrase",
});

// Longer text could reach ruamel.yaml's width (65,536 columns) and be folded; keys of 128
// characters or more it writes as `? key`. The schema allows at most 1,000 characters.
const MAX_TEXT = 30_000;
const MAX_KEY = 100;

// One line of characters ruamel.yaml writes as they are (with allow_unicode): printable
// ASCII and Unicode, less the byte-order mark and the line and paragraph separators.
const WRITTEN_AS_IS =
  /^[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]+$/u;
// Characters a double-quoted scalar escapes one way in ruamel.yaml and another in JSON
// (which the library's double quotes are): other controls, DEL and C1, the separators,
// the byte-order mark, noncharacters and lone surrogates. The tab, the newline, \b, \f,
// \r, `"` and `\` are escaped alike by both.
const ESCAPED_OTHERWISE = /[\x00-\x07\x0b\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]/u;
// What makes ruamel.yaml quote one line of such text in block context (`analyze_scalar`):
// a document marker, a leading indicator, `: ` or ` #` inside, a space at either end.
const NOT_PLAIN = /^(?:---|\.\.\.|[-?:](?: |$)|[#,[\]{}&*!|>'"%@`])|: |:$| #|^ | $/;
// The implicit resolvers ruamel.yaml dumps by (YAML 1.1, `VersionedResolver(version=(1, 1))`):
// plain text matching one reads back as something else, so it is quoted.
const RESOLVERS = [
  // bool
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  // null
  /^(?:~|null|Null|NULL|)$/,
  // float
  new RegExp(
    "^(?:[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+]?[0-9]+)?" +
      "|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)" +
      "|\\.[0-9_]+(?:[eE][-+][0-9]+)?" +
      "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*" +
      "|[-+]?\\.(?:inf|Inf|INF)" +
      "|\\.(?:nan|NaN|NAN))$",
  ),
  // int
  new RegExp(
    "^(?:[-+]?0b[0-1_]+" +
      "|[-+]?0?[0-7_]+" +
      "|[-+]?(?:0|[1-9][0-9_]*)" +
      "|[-+]?0x[0-9a-fA-F_]+" +
      "|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$",
  ),
  // timestamp
  new RegExp(
    "^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]" +
      "|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?" +
      "(?:[Tt]|[ \\t]+)[0-9][0-9]?" +
      ":[0-9][0-9]:[0-9][0-9](?:\\.[0-9]*)?" +
      "(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$",
  ),
  /^(?:<<)$/, // merge
  /^(?:=)$/, // value
  /^(?:!|&|\*)$/, // yaml
];

// Booleans and integers written as YAML 1.1 reads them. The library's own number and
// boolean tags are left out on purpose: it would also quote plain text that its tags'
// patterns match, and those differ from ruamel.yaml's (`0:30`, `+.5`); here the
// resolvers above alone decide.
const BOOLEAN = {
  identify: (value) => typeof value === "boolean",
  default: true,
  tag: "tag:yaml.org,2002:bool",
  stringify: ({ value }, context) => (value ? context.options.trueStr : context.options.falseStr),
};
const INTEGER = {
  identify: (value) => Number.isSafeInteger(value),
  default: true,
  tag: "tag:yaml.org,2002:int",
  stringify: ({ value }) => String(value),
};

const WRITING = {
  indent: 2,
  indentSeq: true,
  lineWidth: 0, // never fold (ruamel.yaml's width is 65,536)
  minContentWidth: 0,
  doubleQuotedAsJSON: true, // `\n`, `\t`, `\"`, `\\` as ruamel.yaml escapes them
  trueStr: "true",
  falseStr: "false",
};

/**
 * The text `scenarios fmt` writes for `doc` (a scenario as plain data, as the API gives
 * it), its keys in the order of `schema` (the parsed scenario.schema.json). Throws an
 * Error naming the value for anything it cannot write as ruamel.yaml would.
 */
export function canonicalYaml(doc, schema, modeline = MODELINE) {
  if (!isMapping(doc) || Object.keys(doc).length === 0) {
    throw new TypeError("canonicalYaml: a scenario is a mapping with at least one key");
  }
  const document = new Document(null, { schema: "failsafe", customTags: [BOOLEAN, INTEGER] });
  document.contents = mapping(doc, "scenario", keyOrders(schema), "");
  return `${modeline}\n${document.toString(WRITING)}`;
}

/** Canonical key order per kind of mapping, from the schema (writer._key_orders). */
function keyOrders(schema) {
  const definitions = schema.$defs;
  return {
    scenario: Object.keys(schema.properties),
    phase: Object.keys(definitions.phase.properties),
    vocabulary: Object.keys(definitions.vocabulary_entry.properties),
    phrase: Object.keys(definitions.phrase_entry.properties),
  };
}

function isMapping(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A value as a node of the library, mappings and lists in canonical order and style. */
function node(value, kind, orders, where) {
  if (Array.isArray(value)) {
    const list = new YAMLSeq();
    value.forEach((item, index) => {
      if (Array.isArray(item)) {
        // ruamel.yaml writes `-   - x`; no scenario holds a list in a list.
        throw new TypeError(`canonicalYaml: ${where}/${index} is a list inside a list`);
      }
      list.items.push(node(item, kind, orders, `${where}/${index}`));
    });
    return list;
  }
  if (isMapping(value)) return mapping(value, kind, orders, where);
  if (typeof value === "string") return text(value, where, false);
  if (typeof value === "boolean" || Number.isSafeInteger(value)) return new Scalar(value);
  const what = `${String(value)}, not text, an integer, a boolean, a list or a mapping`;
  throw new TypeError(`canonicalYaml: ${where || "/"} holds ${what}`);
}

/** A block mapping: the schema's keys for `kind` first, in its order, then the others. */
function mapping(value, kind, orders, where) {
  const order = orders[kind] ?? [];
  const keys = Object.keys(value);
  const others = keys.filter((key) => !order.includes(key));
  if (others.length > 1 && others.some((key) => /^(?:0|[1-9][0-9]*)$/.test(key))) {
    // An object lists such keys first, whatever order they had: refuse to guess.
    throw new TypeError(`canonicalYaml: ${where || "/"} has keys in an order it cannot tell`);
  }
  const result = new YAMLMap();
  for (const key of [...order.filter((k) => keys.includes(k)), ...others]) {
    const path = `${where}/${key}`;
    const itemKind = Object.hasOwn(ITEM_KINDS, key) ? ITEM_KINDS[key] : null;
    result.items.push(new Pair(text(key, path, true), node(value[key], itemKind, orders, path)));
  }
  return result;
}

/** A string as a scalar in the style ruamel.yaml gives it in block context. */
function text(value, where, isKey) {
  const found = ESCAPED_OTHERWISE.exec(value);
  if (found) {
    const code = found[0].codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
    throw new TypeError(`canonicalYaml: ${where} holds U+${code}, which ruamel.yaml escapes otherwise`);
  }
  if (value.length > (isKey ? MAX_KEY : MAX_TEXT) || (isKey && value.includes("\n"))) {
    throw new TypeError(`canonicalYaml: ${where} is too long or has a line break`);
  }
  const scalar = new Scalar(value);
  scalar.type = style(value);
  return scalar;
}

/** ruamel.yaml's choice (`choose_scalar_style`) for text without the refused characters. */
function style(value) {
  if (WRITTEN_AS_IS.test(value) && !NOT_PLAIN.test(value) && readsAsText(value)) {
    return Scalar.PLAIN;
  }
  // A tab or a carriage return (special characters), a quote or a line break: double.
  if (/['\n\t\r\x08\x0c]/.test(value)) return Scalar.QUOTE_DOUBLE;
  return Scalar.QUOTE_SINGLE;
}

/** Whether ruamel.yaml's YAML 1.1 resolver reads `value`, unquoted, as text. */
function readsAsText(value) {
  return !RESOLVERS.some((pattern) => pattern.test(value));
}
