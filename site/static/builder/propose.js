// Getting the file out of the browser: copy it, download it, or propose it on GitHub.
//
// "Propose on GitHub" is a plain link to GitHub's own pages, so it needs no server and no
// sign-in here: for a new file, the new-file page of scenarios/<category>/<id>.yaml with
// the content filled in (GitHub forks the repository for someone without write access and
// offers the pull request); for an edit, the file's edit page, with the content put on the
// clipboard to paste. The link is always a real address, updated as the form changes.

import { copyText } from "../clipboard.js";

// GitHub refuses a request whose address is too long (its front end answers 414 above
// about 8 KB, and browsers and proxies on the way have their own limits near that), so an
// address with the content filled in is used only well below it; past this, the new-file
// page opens with the file name alone and the content goes to the clipboard.
export const ADDRESS_LIMIT = 7000;

/** The file's place in the repository: scenarios/<category>/<id>.yaml, or null. */
export function filePath(doc) {
  const { category, scenario_id: id } = doc;
  if (typeof category !== "string" || typeof id !== "string" || !category || !id) return null;
  return `scenarios/${category}/${id}.yaml`;
}

// A query value as short as it can be written: spaces as "+" and the characters a query
// may hold as they are (RFC 3986), the rest percent-encoded as encodeURIComponent does. A
// typical scenario's address shrinks by a third, so most fit under ADDRESS_LIMIT.
const KEPT = { "%20": "+", "%3A": ":", "%2F": "/", "%2C": ",", "%40": "@", "%3B": ";", "%3F": "?" };

export function queryValue(text) {
  return encodeURIComponent(text).replace(/%(20|3A|2F|2C|40|3B|3F)/g, (code) => KEPT[code]);
}

function segments(path) {
  return path.split("/").map(encodeURIComponent).join("/");
}

/**
 * How to propose `yaml`: `{href, paste}`; `paste` is true when the user must paste the
 * content on GitHub's page (an edit, or a new file too long to fill in). `original` is the
 * edited scenario's `{scenario_id, category}`, or null for a new one. Null when the file
 * has no place yet (no id or category).
 */
export function proposal(repository, branch, doc, yaml, original) {
  const path = filePath(doc);
  if (!repository || !path) return null;
  const editing =
    original && original.scenario_id === doc.scenario_id && original.category === doc.category;
  if (editing) return { href: `${repository}/edit/${segments(branch)}/${segments(path)}`, paste: true, path };
  const page = `${repository}/new/${segments(branch)}?filename=${queryValue(path)}`;
  const filled = `${page}&value=${queryValue(yaml)}`;
  if (filled.length <= ADDRESS_LIMIT) return { href: filled, paste: false, path };
  return { href: page, paste: true, path };
}

/** Offer `text` as the download `name`. */
export function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: "application/yaml" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * Wire the output buttons. `current()` → `{doc, yaml, problems, original}` as last checked;
 * `done(what)` is told when the file left the page (copied, downloaded, proposed).
 * Returns `update()`, to call after each check.
 */
export function outputActions({ repository, branch, current, done, say }) {
  const copyButton = document.getElementById("copy-yaml");
  const downloadButton = document.getElementById("download-yaml");
  const propose = document.getElementById("propose");
  const note = document.getElementById("propose-note");
  const fileName = (doc) => `${typeof doc.scenario_id === "string" && doc.scenario_id ? doc.scenario_id : "scenario"}.yaml`;

  copyButton.addEventListener("click", async () => {
    const { yaml } = current();
    if (await copyText(yaml)) {
      say("Copied the file to the clipboard.");
      done("copy");
    } else {
      say("Could not copy: select the text of the file above and copy it yourself.");
    }
  });
  downloadButton.addEventListener("click", () => {
    const { doc, yaml } = current();
    download(fileName(doc), yaml);
    say(`Downloaded ${fileName(doc)}.`);
    done("download");
  });
  if (propose) {
    propose.addEventListener("click", async (event) => {
      const { doc, yaml, original } = current();
      const found = proposal(repository, branch, doc, yaml, original);
      if (!found) {
        event.preventDefault();
        say("Fill in the id and the topic first: they make the file's name.");
        return;
      }
      if (found.paste) {
        // The page opens in a new tab; the content is on the clipboard by then.
        const copied = await copyText(yaml);
        say(copied ? "The file is on the clipboard: paste it on GitHub's page." : "Copy the file above and paste it on GitHub's page.");
      }
      done("propose");
    });
  }

  return function update() {
    const { doc, yaml, problems, original } = current();
    const path = filePath(doc);
    document.getElementById("file-path").textContent = path ?? "scenarios/<topic>/<id>.yaml";
    if (!propose) return;
    const found = proposal(repository, branch, doc, yaml, original);
    const errors = problems.filter((p) => p.severity === "error").length;
    const lines = [];
    if (!found) {
      propose.setAttribute("aria-disabled", "true");
      propose.href = repository;
      lines.push("Fill in the id and the topic to propose the file.");
    } else {
      propose.removeAttribute("aria-disabled");
      propose.href = found.href;
      if (found.paste && original && original.scenario_id === doc.scenario_id && original.category === doc.category) {
        lines.push(`GitHub opens ${found.path} to edit: the file goes on your clipboard when you click; select everything there and paste it over.`);
      } else if (found.paste) {
        lines.push("This file is too long to hand to GitHub in the address: it goes on your clipboard when you click; paste it into GitHub's empty file.");
      }
      if (errors) lines.push(`The file still has ${errors} ${errors === 1 ? "error" : "errors"}: the pull request's checks will report ${errors === 1 ? "it" : "them"}.`);
    }
    note.textContent = lines.join(" ");
    note.hidden = lines.length === 0;
  };
}
