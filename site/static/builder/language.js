// The language field: a free text input with a list of languages to pick from.
//
// The list is the build's builder/languages.json (the tool's own language data, with English
// names): each option shows "Spanish — es" and fills in the tag. What a teacher types is
// kept as written, except that a name or an option's text becomes its tag ("spanish" → es);
// whether the tag is right is the check's business (check.js, with the same data).
//
// The inputs of the scenario's words (a vocabulary term, a phrase) carry its language and,
// when it is written from right to left, that direction (`markWords`): the build's data
// gives each listed language's direction (`dir`, from languages.py's `direction`) and the
// right-to-left scripts, by which a tag not listed is judged the same way (its script,
// written or likely).

import { el } from "./dom.js";

const DASH = " — ";

/** The <option>s of the datalist: the tag as the value, "Name — tag" as what is shown. */
export function languageOptions(languages) {
  return (languages?.languages ?? []).map(({ tag, name }) =>
    el("option", { value: tag, label: `${name}${DASH}${tag}`, text: `${name}${DASH}${tag}` }),
  );
}

/** The tag meant by `text`: an option's text or a language's name give its tag. */
export function tagOf(text, languages) {
  const trimmed = text.trim();
  const dashed = trimmed.lastIndexOf(DASH.trim());
  if (dashed > 0) {
    const tag = trimmed.slice(dashed + 1).trim();
    if (known(languages).has(tag)) return tag;
  }
  const byName = names(languages).get(trimmed.toLowerCase());
  return byName ?? text;
}

/** "Spanish (es)": the name shown beside the field (what a tag not listed is, the check says). */
export function describeTag(tag, languages) {
  if (!tag) return "Type a language's name or its tag, such as es or pt-BR.";
  const name = known(languages).get(tag);
  return name ? `${name} (${tag})` : "";
}

/** "rtl" or "ltr": the direction of the language `tag` names. */
export function directionOf(tag, languages) {
  const listed = indexes(languages).dirs.get(tag);
  if (listed !== undefined) return listed;
  try {
    const script = new Intl.Locale(tag).maximize().script;
    return (languages?.rtl_scripts ?? []).includes(script) ? "rtl" : "ltr";
  } catch {
    return "ltr"; // not a tag: the page's own direction
  }
}

/**
 * The words' inputs under `root` (marked `data-words`) take the language `tag` and its
 * direction; a tag that is not a known language (nothing yet, a typo) takes neither, and
 * the input follows what is typed in it (`dir="auto"`).
 */
export function markWords(root, tag, languages) {
  const language = typeof tag === "string" && known(languages).has(tag) ? tag : null;
  const dir = language ? directionOf(language, languages) : "auto";
  for (const input of root.querySelectorAll("[data-words]")) {
    if (language) input.setAttribute("lang", language);
    else input.removeAttribute("lang");
    input.setAttribute("dir", dir);
  }
}

const cache = new WeakMap();

function indexes(languages) {
  if (!languages) return { known: new Map(), names: new Map(), dirs: new Map() };
  let found = cache.get(languages);
  if (!found) {
    const list = languages.languages ?? [];
    found = {
      known: new Map(list.map(({ tag, name }) => [tag, name])),
      names: new Map(list.map(({ tag, name }) => [name.toLowerCase(), tag])),
      dirs: new Map(list.map(({ tag, dir }) => [tag, dir ?? "ltr"])),
    };
    cache.set(languages, found);
  }
  return found;
}

function known(languages) {
  return indexes(languages).known;
}

function names(languages) {
  return indexes(languages).names;
}
