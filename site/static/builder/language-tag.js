// Whether a typed language tag names a real language in canonical form: the browser's copy
// of `judge_language` (tools/scenariokit/check/languages.py), so a teacher reads here what
// `scenarios validate` would say of the same tag.
//
// That rule is built on langcodes (3.5): `Language.get(tag, normalize=True)` parses and
// normalizes, `to_tag()` writes the canonical form, `is_valid()` checks the subtags. This
// module ports those steps, in their order and with their quirks; the data they read (CLDR's
// replacements, the validity pattern, the scripts) and the verdicts' words come from the
// build's builder/languages.json, the `data` argument, never from this file.

// Tags that BCP 47 grandfathers from RFC 3066, matched whole and in lower case: langcodes'
// tag_parser.EXCEPTIONS. Part of the grammar, so kept here rather than in the data. Today
// CLDR replaces every one of them before parsing (see `getLanguage`); this is for the day
// the data leaves one out, when langcodes takes the whole tag as the language.
const GRANDFATHERED = new Set([
  "en-gb-oed", "i-ami", "i-bnn", "i-default", "i-enochian", "i-hak", "i-klingon", "i-lux",
  "i-mingo", "i-navajo", "i-pwn", "i-tao", "i-tay", "i-tsu", "sgn-be-fr", "sgn-be-nl",
  "sgn-ch-de", "art-lojban", "cel-gaulish", "no-bok", "no-nyn", "zh-guoyu", "zh-hakka",
  "zh-min", "zh-min-nan", "zh-xiang",
]);

// tag_parser's subtag kinds, in the order a tag must give them.
const EXTLANG = 0;
const SCRIPT = 1;
const TERRITORY = 2;
const VARIANT = 3;
const EXTENSION = 4;

/** Raised where langcodes raises LanguageTagError: the tag does not parse. */
class NotATag extends Error {}

const ASCII = /^[\x00-\x7f]*$/;
const ALNUM = /^[a-z0-9]+$/; // after lowercasing, which parse_tag does first
const ALPHA = /^[a-z]+$/;
const DIGITS = /^[0-9]+$/;

/** tag_parser.normalize_characters: BCP 47 ignores case, CLDR reads `_` as `-`. */
function normalizeCharacters(tag) {
  return tag.toLowerCase().replaceAll("_", "-");
}

/** tag_parser.parse_tag: [kind, value] pairs, or NotATag. */
function parseTag(tag) {
  if (!ASCII.test(tag)) throw new NotATag("not ASCII");
  const lower = normalizeCharacters(tag);
  if (GRANDFATHERED.has(lower)) return [["grandfathered", lower]];
  const subtags = lower.split("-");
  for (const subtag of subtags) {
    if (subtag.length < 1 || subtag.length > 8 || !ALNUM.test(subtag)) {
      throw new NotATag(`expected 1-8 alphanumeric characters, got '${subtag}'`);
    }
  }
  if (subtags[0] === "x") {
    if (subtags.length === 1) throw new NotATag("'x' alone");
    return [["language", lower]]; // all private use, in the language's place
  }
  // Two or three letters, or four "for legacy Unicode reasons"; digits pass here too.
  if (subtags[0].length < 2 || subtags[0].length > 4) throw new NotATag("language code");
  return [["language", subtags[0]], ...parseSubtags(subtags.slice(1), EXTLANG)];
}

/** tag_parser.parse_subtags: each subtag's kind from its shape, in BCP 47's order. */
function parseSubtags(subtags, expect) {
  const found = [];
  let index = 0;
  while (index < subtags.length) {
    const subtag = subtags[index];
    let kind = null;
    if (subtag.length === 1) {
      return [...found, ...parseExtension(subtags.slice(index))];
    } else if (subtag.length === 2) {
      if (ALPHA.test(subtag)) kind = TERRITORY;
    } else if (subtag.length === 3) {
      if (ALPHA.test(subtag)) {
        if (expect > EXTLANG) throw new NotATag(`extlang '${subtag}' out of place`);
        // Up to three extlangs in a row; then a script or later.
        let count = 0;
        while (index < subtags.length && subtags[index].length === 3 && count < 3) {
          found.push(["extlang", subtags[index]]);
          index += 1;
          count += 1;
        }
        expect = SCRIPT;
        continue;
      }
      if (DIGITS.test(subtag)) kind = TERRITORY; // a region such as 419
    } else if (subtag.length === 4) {
      if (ALPHA.test(subtag)) kind = SCRIPT;
      else if (DIGITS.test(subtag[0])) kind = VARIANT;
    } else {
      kind = VARIANT; // five to eight characters
    }
    if (kind === null) throw new NotATag(`unexpected subtag '${subtag}'`);
    if (kind < expect) throw new NotATag(`subtag '${subtag}' out of place`);
    // One script and one territory at most; variants may repeat.
    expect = kind === SCRIPT || kind === TERRITORY ? kind + 1 : kind;
    if (kind === SCRIPT) found.push(["script", subtag[0].toUpperCase() + subtag.slice(1)]);
    else if (kind === TERRITORY) found.push(["territory", subtag.toUpperCase()]);
    else found.push(["variant", subtag]);
    index += 1;
  }
  return found;
}

/** tag_parser.parse_extension: a singleton and what follows, up to the next singleton. */
function parseExtension(subtags) {
  if (subtags.length === 1) throw new NotATag(`'${subtags[0]}' must be followed by something`);
  if (subtags[0] === "x") return [["private", subtags.join("-")]];
  let boundary = 1;
  while (boundary < subtags.length && subtags[boundary].length !== 1) boundary += 1;
  if (boundary === 1) throw new NotATag("two singletons in a row");
  return [
    ["extension", subtags.slice(0, boundary).join("-")],
    ...parseSubtags(subtags.slice(boundary), EXTENSION),
  ];
}

/** A lookup in one of CLDR's replacement maps (their keys are lower case). */
function replacement(map, key) {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/**
 * Language.get(tag, normalize=True) as the fields of the Language it makes (only those set,
 * as `to_dict` gives them): language, extlangs, script, territory, variants, extensions,
 * private. Throws NotATag.
 */
function getLanguage(tag, data) {
  const languages = data.replacements.language;
  const whole = replacement(languages, normalizeCharacters(tag));
  if (whole !== undefined) tag = whole; // a whole tag CLDR replaces, such as i-klingon
  const fields = {};
  for (const [kind, value] of parseTag(tag)) {
    if (kind === "extlang" && "language" in fields) {
      // Smash an extlang into its language where CLDR says how: zh-yue → yue.
      const norm = replacement(languages, normalizeCharacters(`${fields.language}-${value}`));
      if (norm !== undefined) Object.assign(fields, getLanguage(norm, data));
      else (fields.extlangs ??= []).push(value);
    } else if (kind === "extlang" || kind === "variant" || kind === "extension") {
      (fields[`${kind}s`] ??= []).push(value);
    } else if (kind === "language") {
      if (value === "und") continue; // no language: to_tag writes und again
      const norm = replacement(languages, value.toLowerCase());
      // Parsed again, as langcodes does: sh → sr-Latn sets a script too.
      if (norm !== undefined) Object.assign(fields, getLanguage(norm, data));
      else fields.language = value;
    } else if (kind === "territory") {
      fields.territory = replacement(data.replacements.territory, value.toLowerCase()) ?? value;
    } else if (kind === "grandfathered") {
      fields.language = value; // one CLDR cannot replace: the whole tag as the language
    } else {
      fields[kind] = value; // script, private
    }
  }
  // Language.make drops what is empty.
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value && value.length));
}

/** Language.to_tag: extlangs and variants sorted, extensions in their order. */
function toTag(fields) {
  return [
    fields.language || "und",
    ...[...(fields.extlangs ?? [])].sort(),
    ...(fields.script ? [fields.script] : []),
    ...(fields.territory ? [fields.territory] : []),
    ...[...(fields.variants ?? [])].sort(),
    ...(fields.extensions ?? []),
    ...(fields.private ? [fields.private] : []),
  ].join("-");
}

const validity = new WeakMap();

/** Language.is_valid: every subtag in CLDR's validity pattern (or a registered script), one
 * extlang at most, no subtag twice and no extension's singleton twice. */
function isValid(fields, data) {
  if ((fields.extlangs ?? []).length > 1) return false;
  let pattern = validity.get(data);
  if (!pattern) {
    pattern = { regex: new RegExp(data.validity), scripts: new Set(data.all_scripts) };
    validity.set(data, pattern);
  }
  const checked = [fields.language, fields.script, fields.territory, ...(fields.variants ?? [])]
    .filter((subtag) => subtag !== undefined);
  for (const subtag of checked) {
    if (!subtag.startsWith("x-") && !pattern.regex.test(subtag) && !pattern.scripts.has(subtag)) {
      return false;
    }
  }
  checked.push(...(fields.extensions ?? []).map((extension) => extension.slice(0, 2)));
  return new Set(checked).size === checked.length;
}

/** languages.py's `_is_learnable`: a language, not und and the like, not private use. */
function isLearnable(code, data) {
  if (!code || data.not_languages.includes(code) || code.startsWith("x-")) return false;
  return !(code.length === 3 && "qaa" <= code && code <= "qtz");
}

/** A message of `data.messages` with its {tag} and {canonical} filled in (str.format). */
function say(data, code, values) {
  return data.messages[code].replace(/\{(tag|canonical)\}/g, (_, name) => values[name]);
}

/** The canonical form langcodes gives `tag` (es-419, sr-Latn, he for iw), or null when
 * langcodes cannot parse it. Canonical is not valid: `judgeLanguage` says whether it is. */
export function canonicalTag(tag, data) {
  try {
    return toTag(getLanguage(tag, data));
  } catch (error) {
    if (error instanceof NotATag) return null;
    throw error;
  }
}

/** `judge_language`: null for a real language in canonical form, else {code, message} with
 * the same code and words as `scenarios validate`. `data`: the parsed languages.json. */
export function judgeLanguage(tag, data) {
  let fields;
  try {
    fields = getLanguage(tag, data);
  } catch (error) {
    if (!(error instanceof NotATag)) throw error;
    return { code: "unknown-language", message: say(data, "not-a-tag", { tag }) };
  }
  const canonical = toTag(fields);
  if (!isValid(fields, data) || !isLearnable(fields.language, data)) {
    const meant = Object.hasOwn(data.country_codes, tag.toLowerCase()) ? data.country_codes[tag.toLowerCase()] : null;
    if (meant) return { code: "unknown-language", message: say(data, "country-code", { tag, canonical: meant }) };
    return { code: "unknown-language", message: say(data, "unknown-language", { tag }) };
  }
  if (canonical !== tag) {
    return { code: "language-form", message: say(data, "language-form", { canonical, tag }) };
  }
  return null;
}
