// The start screen's drafts: "Continue your draft" (the last one saved) and "My drafts",
// each to open or delete.

import { deleteDraft, listDrafts } from "./drafts.js";
import { el } from "./dom.js";

/** Fill the start screen's draft parts; `announce(text)` tells screen readers what changed. */
export function showDrafts(announce) {
  const drafts = listDrafts();
  const continueBox = document.getElementById("continue");
  const box = document.getElementById("drafts");
  const list = document.getElementById("draft-list");
  continueBox.hidden = drafts.length === 0;
  box.hidden = drafts.length === 0;
  if (!drafts.length) return;
  const last = drafts[0];
  const link = document.getElementById("continue-link");
  link.href = `?draft=${encodeURIComponent(last.id)}`;
  link.textContent = `Continue “${nameOf(last)}”`;
  document.getElementById("continue-meta").textContent = `saved ${when(last.saved)}`;
  list.replaceChildren(
    ...drafts.map((draft) => {
      const remove = el("button", {
        type: "button",
        class: "remove",
        text: "Delete",
        "aria-label": `Delete the draft “${nameOf(draft)}”`,
      });
      const item = el(
        "li",
        {},
        el("a", { href: `?draft=${encodeURIComponent(draft.id)}`, text: nameOf(draft) }),
        " ",
        el("span", { class: "meta", text: `${kindOf(draft)} · saved ${when(draft.saved)}` }),
        " ",
        remove,
      );
      remove.addEventListener("click", () => {
        const next = item.nextElementSibling ?? item.previousElementSibling;
        deleteDraft(draft.id);
        showDrafts(announce);
        announce(`Draft “${nameOf(draft)}” deleted`);
        // Focus stays in the list: on the draft that took its place, or on the list's heading.
        const again = next && [...list.children].find((li) => li.textContent === next.textContent);
        (again?.querySelector("a") ?? document.getElementById(box.hidden ? "start-heading" : "drafts-heading")).focus();
      });
      return item;
    }),
  );
}

function nameOf(draft) {
  return draft.doc?.title || draft.doc?.scenario_id || "Untitled scenario";
}

function kindOf(draft) {
  const start = draft.start ?? {};
  if (start.kind === "edit") return `editing ${start.source}`;
  if (start.kind === "copy") return `copy of ${start.source}`;
  if (start.kind === "template") return `from the template ${start.source}`;
  return "blank";
}

function when(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "earlier";
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}
