// Small DOM helpers the builder's modules share: elements made from data (text is always set
// as text, never parsed as HTML: a scenario's words come from anyone), and unique ids.

let serial = 0;

/** A new id for an element of the page, unique for its life. */
export function uid(prefix = "b") {
  serial += 1;
  return `${prefix}-${serial}`;
}

/**
 * `tag` with `attributes` (`class`, `for`, `aria-*`, `data-*` as attributes; `text` as its
 * text; anything else as a property) and `children` (nodes, or strings as text).
 */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") element.textContent = value;
    else if (name === "class" || name === "for" || name === "role" || name.includes("-")) {
      element.setAttribute(name, value === true ? "" : String(value));
    } else element[name] = value;
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}

/** Text with `code` spans where the schema's descriptions use backticks. */
export function richText(text) {
  const fragment = document.createDocumentFragment();
  String(text)
    .split("`")
    .forEach((piece, index) => {
      if (!piece) return;
      fragment.append(index % 2 ? el("code", { text: piece }) : document.createTextNode(piece));
    });
  return fragment;
}

/** Add `id` to (or remove it from) the space-separated id list of `attribute`. */
export function toggleToken(element, attribute, id, present) {
  const tokens = (element.getAttribute(attribute) ?? "").split(/\s+/).filter(Boolean);
  const kept = tokens.filter((token) => token !== id);
  if (present) kept.push(id);
  if (kept.length) element.setAttribute(attribute, kept.join(" "));
  else element.removeAttribute(attribute);
}

/** Python's len() of a text: characters (code points), as the schema's limits count. */
export function characters(text) {
  return [...text].length;
}
