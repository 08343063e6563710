// The language field: a free text input with a list of languages to pick from.
//
// The list is the build's builder/languages.json (the tool's own language data, with English
// names): each option shows "Spanish — es" and fills in the tag. What a teacher types is
// kept as written, except that a name or an option's text becomes its tag ("spanish" → es);
// whether the tag is right is the check's business (check.js, with the same data).

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

const cache = new WeakMap();

function indexes(languages) {
  if (!languages) return { known: new Map(), names: new Map() };
  let found = cache.get(languages);
  if (!found) {
    const list = languages.languages ?? [];
    found = {
      known: new Map(list.map(({ tag, name }) => [tag, name])),
      names: new Map(list.map(({ tag, name }) => [name.toLowerCase(), tag])),
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
