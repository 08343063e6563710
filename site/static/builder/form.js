// The builder's form: controls made from the schema's fields (fields.js), and the scenario
// read back from them.
//
// The controls are the truth while the user types: `read()` builds the document from them
// each time, leaving out empty optional fields, blank list items and blank entries, and
// returns beside it which control each JSON pointer of that document came from, so a
// problem the check finds at `/phases/1/key_vocabulary/2/term` is shown on that very input
// even after items were added, moved or removed.

import { choiceLabel, objectFields, PROPOSED_FROM } from "./fields.js";
import { characters, el, richText, toggleToken, uid } from "./dom.js";
import { describeTag, languageOptions, tagOf } from "./language.js";

/**
 * The form for `doc` inside the <form> `host`. `context`: `{schema, languages, locked,
 * proposeId(key, text) → id, announce(text), changed()}`; `locked`: the keys shown but not
 * to be changed (an edit's owner). Returns `{read, focusFirst}`:
 * `read()` → `{doc, fields}` where `fields` maps each pointer to its node.
 */
export function buildForm(host, doc, context) {
  const root = new ObjectNode(objectFields(context.schema, context.schema), doc ?? {}, context);
  host.replaceChildren(root.element);
  return {
    read() {
      const fields = new Map();
      return { doc: root.read("", fields) ?? {}, fields };
    },
    focusFirst: () => root.focus(),
  };
}

// --- one value ---------------------------------------------------------------------------

class ScalarNode {
  constructor(field, value, context, options = {}) {
    this.field = field;
    this.context = context;
    this.present = value !== undefined;
    this.options = options;
    const id = uid("f");
    this.control = this.makeControl(id, value);
    this.problem = el("div", { class: "problem", id: `${id}-problem`, hidden: true });
    const optional = field.required || options.inList ? null : el("span", { class: "optional", text: " (optional)" });
    this.label = el("label", { for: id, class: "label" }, options.label ?? field.label, optional);
    const parts = [];
    if (field.help && !options.compact) {
      parts.push(el("p", { class: "help", id: `${id}-help` }, richText(field.help)));
      toggleToken(this.control, "aria-describedby", `${id}-help`, true);
    }
    if (field.kind === "language") {
      this.hint = el("span", { class: "hint", id: `${id}-hint` });
      toggleToken(this.control, "aria-describedby", `${id}-hint`, true);
    }
    if (field.maxLength && field.kind !== "language" && !field.slug) {
      this.counter = el("span", { class: "counter", id: `${id}-count`, "aria-hidden": "true" });
    }
    if (context.locked?.has(field.key)) {
      // Shown as it is, not changed: disabled for a box, read-only for text (still read).
      if (field.kind === "boolean") this.control.disabled = true;
      else this.control.readOnly = true;
      const note = el("p", { class: "help", id: `${id}-locked`, text: "Kept as it is here: only a maintainer changes it." });
      parts.push(note);
      toggleToken(this.control, "aria-describedby", `${id}-locked`, true);
    }
    const row = el("div", { class: "control-row" }, this.control, options.extra);
    this.element =
      field.kind === "boolean"
        ? el("div", { class: "field checkbox" }, this.control, this.label, ...parts, this.problem)
        : el("div", { class: `field kind-${field.kind}` }, this.label, ...parts, row, this.counter, this.hint, this.datalist, this.problem);
    this.control.addEventListener("input", () => this.update());
    this.update();
  }

  makeControl(id, value) {
    const field = this.field;
    const common = { id, name: field.key, "aria-required": field.required ? "true" : undefined };
    if (field.kind === "boolean") {
      const checked = value === undefined ? field.default === true : value === true;
      return el("input", { ...common, type: "checkbox", checked });
    }
    if (field.kind === "choice") {
      const select = el("select", common, el("option", { value: "", text: "Choose…" }));
      for (const choice of field.choices) {
        select.append(el("option", { value: String(choice), text: choiceLabel(choice) }));
      }
      select.value = value === undefined ? "" : String(value);
      return select;
    }
    const text = value === undefined || value === null ? "" : String(value);
    if (field.kind === "longtext") return el("textarea", { ...common, rows: this.options.compact ? 2 : 3, value: text });
    if (field.kind === "integer") {
      return el("input", {
        ...common,
        type: "number",
        inputMode: "numeric",
        step: 1,
        min: field.minimum,
        max: field.maximum,
        value: text,
      });
    }
    const input = el("input", { ...common, type: "text", value: text, autocomplete: "off", spellcheck: !field.slug });
    if (field.slug) input.setAttribute("autocapitalize", "none");
    if (field.kind === "language") {
      const list = uid("languages");
      input.setAttribute("list", list);
      this.datalist = el("datalist", { id: list }, languageOptions(this.context.languages));
      input.addEventListener("change", () => {
        const tag = tagOf(input.value, this.context.languages);
        if (tag !== input.value) {
          input.value = tag;
          this.update();
          input.dispatchEvent(new Event("input", { bubbles: true }));
        }
      });
    }
    return input;
  }

  /** The counter and the language's name follow what is typed. */
  update() {
    const text = this.control.value ?? "";
    if (this.counter) {
      const used = characters(text);
      this.counter.textContent = `${used}/${this.field.maxLength}`;
      this.counter.classList.toggle("over", used > this.field.maxLength);
    }
    if (this.hint) this.hint.textContent = describeTag(tagOf(text, this.context.languages), this.context.languages);
  }

  /** The text typed, as is. */
  get raw() {
    return this.field.kind === "boolean" ? this.control.checked : this.control.value;
  }

  set(value) {
    this.control.value = value;
    this.update();
  }

  read(pointer, fields) {
    fields.set(pointer, this);
    this.control.dataset.pointer = pointer;
    const field = this.field;
    if (field.kind === "boolean") {
      const checked = this.control.checked;
      // A default left as it was is not written, unless the file said it already.
      return !this.present && checked === (field.default ?? false) ? undefined : checked;
    }
    const value = this.control.value;
    // An empty optional field is no key of the file; an empty required one is an empty
    // value, so that the check names this very field ("… is empty", "… must be one of").
    if (value === "") return field.required ? "" : undefined;
    if (field.kind === "integer") return Number(value);
    return field.kind === "language" ? tagOf(value, this.context.languages) : value;
  }

  focus() {
    this.control.focus();
  }

  /** Where the check's problems are shown, and the control they describe. */
  get target() {
    return { box: this.problem, control: this.control };
  }
}

// --- a mapping ---------------------------------------------------------------------------

class ObjectNode {
  constructor(fields, value, context) {
    this.context = context;
    this.children = fields.map((field) => [field.key, makeNode(field, value?.[field.key], context)]);
    this.problem = el("div", { class: "problem", id: uid("object-problem"), hidden: true });
    this.element = el("div", { class: "fields" }, this.problem, ...this.children.map(([, node]) => node.element));
    this.propose();
  }

  child(key) {
    return this.children.find(([name]) => name === key)?.[1];
  }

  // An id proposed from the title (or a phase's from its name) until the user types one;
  // emptying the id field hands it back to the proposal.
  propose() {
    for (const [target, source] of Object.entries(PROPOSED_FROM)) {
      const idNode = this.child(target);
      const textNode = this.child(source);
      if (!idNode || !textNode) continue;
      let proposing = idNode.raw === "";
      const suggest = () => {
        if (!proposing) return;
        idNode.set(this.context.proposeId(target, textNode.raw));
      };
      textNode.control.addEventListener("input", suggest);
      idNode.control.addEventListener("input", () => {
        proposing = idNode.raw === "";
        if (proposing) suggest();
      });
      suggest();
    }
  }

  read(pointer, fields) {
    fields.set(pointer, this);
    const result = {};
    for (const [key, node] of this.children) {
      const value = node.read(`${pointer}/${key}`, fields);
      if (value !== undefined) result[key] = value;
    }
    return result;
  }

  focus() {
    this.children[0]?.[1].focus();
  }

  get target() {
    return { box: this.problem, control: null };
  }
}

function makeNode(field, value, context) {
  if (field.kind === "list" || field.kind === "entries" || field.kind === "objects") {
    return new ListNode(field, Array.isArray(value) ? value : undefined, context);
  }
  return new ScalarNode(field, value, context);
}

// --- a list ------------------------------------------------------------------------------

class ListNode {
  constructor(field, values, context) {
    this.field = field;
    this.context = context;
    this.present = values !== undefined;
    this.items = [];
    const id = uid("list");
    this.list = el("ol", { class: `items kind-${field.kind}` });
    this.addButton = el("button", { type: "button", class: "add", text: `Add ${field.noun}` });
    this.addButton.addEventListener("click", () => this.add(undefined, true));
    this.problem = el("div", { class: "problem", id: `${id}-problem`, hidden: true });
    const optional = field.required ? null : el("span", { class: "optional", text: " (optional)" });
    this.legend = el("legend", { id: `${id}-legend` }, field.label, optional);
    const help = field.help ? el("p", { class: "help", id: `${id}-help` }, richText(field.help)) : null;
    this.element = el(
      "fieldset",
      { class: `list kind-${field.kind}`, "aria-describedby": help ? `${id}-help` : undefined },
      this.legend,
      help,
      this.list,
      this.addButton,
      this.problem,
    );
    const start = values ?? [];
    for (const value of start) this.add(value, false);
    while (this.items.length < field.minItems) this.add(undefined, false);
    this.refresh();
  }

  makeItem(value) {
    if (this.field.kind === "objects") return new ObjectItem(this, value);
    if (this.field.kind === "entries") return new EntryItem(this, value);
    return new TextItem(this, value);
  }

  add(value, byUser) {
    if (this.items.length >= this.field.maxItems) return;
    const item = this.makeItem(value);
    this.items.push(item);
    this.list.append(item.element);
    if (byUser) {
      this.refresh();
      item.focus();
      this.context.announce(`${capitalised(this.field.noun)} ${this.items.length} added`);
      this.context.changed();
    }
  }

  remove(item) {
    const index = this.items.indexOf(item);
    if (index < 0 || this.items.length <= this.field.minItems) return;
    this.items.splice(index, 1);
    item.element.remove();
    this.refresh();
    // Focus where the removed item was: the next item, else the previous, else "Add".
    const next = this.items[index] ?? this.items[index - 1];
    if (next) next.focus();
    else this.addButton.focus();
    this.context.announce(`${capitalised(this.field.noun)} ${index + 1} removed`);
    this.context.changed();
  }

  move(item, delta, button) {
    const index = this.items.indexOf(item);
    const to = index + delta;
    if (index < 0 || to < 0 || to >= this.items.length) return;
    this.items.splice(index, 1);
    this.items.splice(to, 0, item);
    const after = this.items[to + 1];
    this.list.insertBefore(item.element, after ? after.element : null);
    this.refresh();
    // The pressed button keeps the focus, unless it is now disabled at the end of the list.
    const keep = button.disabled ? item.moveButtons.find((b) => !b.disabled) : button;
    (keep ?? item.removeButton).focus();
    this.context.announce(`${capitalised(this.field.noun)} moved to position ${to + 1} of ${this.items.length}`);
    this.context.changed();
  }

  /** Numbers, and which buttons can be used: add up to maxItems, remove down to minItems. */
  refresh() {
    const count = this.items.length;
    this.addButton.disabled = count >= this.field.maxItems;
    this.items.forEach((item, index) => {
      item.number(index + 1);
      item.removeButton.disabled = count <= this.field.minItems;
      if (item.moveButtons) {
        item.moveButtons[0].disabled = index === 0;
        item.moveButtons[1].disabled = index === count - 1;
      }
    });
  }

  read(pointer, fields) {
    fields.set(pointer, this);
    const values = [];
    for (const item of this.items) {
      const value = item.read(`${pointer}/${values.length}`, fields);
      if (value !== undefined) values.push(value);
    }
    return values.length || this.field.required || this.present ? values : undefined;
  }

  focus() {
    (this.items[0] ?? { focus: () => this.addButton.focus() }).focus();
  }

  get target() {
    return { box: this.problem, control: this.element };
  }
}

function capitalised(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function removeButton(list, item) {
  const button = el("button", { type: "button", class: "remove", text: "Remove" });
  button.addEventListener("click", () => list.remove(item));
  return button;
}

// A text in a list of texts (a prerequisite, an objective): left out when blank.
class TextItem {
  constructor(list, value) {
    this.list = list;
    this.removeButton = removeButton(list, this);
    this.node = new ScalarNode({ ...list.field.item, key: list.field.key }, value, list.context, {
      inList: true,
      compact: true,
      label: capitalised(list.field.noun),
      extra: this.removeButton,
    });
    this.element = el("li", { class: "item" }, this.node.element);
  }

  number(n) {
    this.node.label.textContent = `${capitalised(this.list.field.noun)} ${n}`;
    this.removeButton.setAttribute("aria-label", `Remove ${this.list.field.noun} ${n}`);
  }

  read(pointer, fields) {
    if (this.node.raw === "") return undefined;
    return this.node.read(pointer, fields);
  }

  focus() {
    this.node.focus();
  }
}

// A vocabulary or phrase entry: its text, translation and note. Left out when all three
// are blank; written as a plain text when it was one and still has nothing beside its text.
class EntryItem {
  constructor(list, value) {
    this.list = list;
    const main = list.field.main;
    this.wasText = typeof value === "string";
    const mapping = this.wasText ? { [main]: value } : value ?? {};
    this.removeButton = removeButton(list, this);
    this.legend = el("legend", { class: "entry-legend" });
    this.nodes = list.field.fields.map((field) => [
      field.key,
      new ScalarNode(field, mapping[field.key], list.context, { compact: true }),
    ]);
    // The words themselves, in the scenario's language (language.js `markWords`).
    this.nodes.find(([key]) => key === main)?.[1].control.setAttribute("data-words", "");
    this.element = el(
      "li",
      { class: "item" },
      el(
        "fieldset",
        { class: "entry" },
        this.legend,
        el("div", { class: "entry-fields" }, ...this.nodes.map(([, node]) => node.element)),
        this.removeButton,
      ),
    );
  }

  number(n) {
    this.legend.textContent = `${capitalised(this.list.field.noun)} ${n}`;
    this.removeButton.setAttribute("aria-label", `Remove ${this.list.field.noun} ${n}`);
  }

  read(pointer, fields) {
    const main = this.list.field.main;
    const result = {};
    for (const [key, node] of this.nodes) {
      fields.set(`${pointer}/${key}`, node);
      node.control.dataset.pointer = `${pointer}/${key}`;
      if (node.raw !== "") result[key] = node.raw;
    }
    // A problem with the entry as a whole (too long, missing its text) is shown on its text.
    fields.set(pointer, this.nodes[0][1]);
    const keys = Object.keys(result);
    if (!keys.length) return undefined;
    if (this.wasText && keys.length === 1 && keys[0] === main) return result[main];
    return result;
  }

  focus() {
    this.nodes[0][1].focus();
  }
}

// A mapping in a list (a phase): its fields, and buttons to move it up or down.
class ObjectItem {
  constructor(list, value) {
    this.list = list;
    this.removeButton = removeButton(list, this);
    const up = el("button", { type: "button", class: "move", text: "Move up" });
    const down = el("button", { type: "button", class: "move", text: "Move down" });
    up.addEventListener("click", () => list.move(this, -1, up));
    down.addEventListener("click", () => list.move(this, 1, down));
    this.moveButtons = [up, down];
    this.node = new ObjectNode(list.field.fields, value ?? {}, list.context);
    this.heading = el("legend", { class: "item-legend" });
    this.element = el(
      "li",
      { class: "item" },
      el(
        "fieldset",
        { class: "object" },
        this.heading,
        this.node.element,
        el("div", { class: "item-actions" }, up, down, this.removeButton),
      ),
    );
  }

  number(n) {
    const noun = this.list.field.noun;
    this.heading.textContent = `${capitalised(noun)} ${n}`;
    this.removeButton.setAttribute("aria-label", `Remove ${noun} ${n}`);
    this.moveButtons[0].setAttribute("aria-label", `Move ${noun} ${n} up`);
    this.moveButtons[1].setAttribute("aria-label", `Move ${noun} ${n} down`);
  }

  read(pointer, fields) {
    return this.node.read(pointer, fields);
  }

  focus() {
    this.node.focus();
  }
}
