// The builder page: choose a starting point, fill in the form, and get the file out.
//
// The form is made from the schema the site publishes; each change (after a pause of
// 200 ms) reads the scenario from the form, checks it with that schema and the rules a
// browser can judge (check.js), shows the problems on their fields, writes the file as
// `scenarios fmt` would (yaml.js), updates the proposal link, and keeps the draft.

import { canonicalYaml } from "./yaml.js";
import { checkScenario, slugify, takenFrom, titlesFrom } from "./check.js";
import { buildForm } from "./form.js";
import { showProblems } from "./problems.js";
import { describeStart, startingPoint, StartError } from "./start.js";
import { newDraftId, rememberedLogin, rememberLogin, saveDraft } from "./drafts.js";
import { showDrafts } from "./draft-list.js";
import { outputActions } from "./propose.js";
import { fileOf, localActions, localToken } from "./local.js";
import { el } from "./dom.js";
import { markWords } from "./language.js";

// What the form shows and does not let change: whether it is a system scenario, and in an
// edit whose the scenario is.
const LOCKED = new Set(["is_system_scenario"]);
const LOCKED_WHEN_EDITING = new Set([...LOCKED, "created_by"]);

const PAUSE = 200; // ms after the last keystroke before the form is read and checked

const page = document.getElementById("builder");
const base = page.dataset.base ?? "";
const repository = page.dataset.repository || null;
const branch = page.dataset.branch || "main";
const editor = document.getElementById("editor");
const startScreen = document.getElementById("start");
const formElement = document.getElementById("scenario-form");
const outputStatus = document.getElementById("output-status");

// One polite live region for what the form's buttons did ("Phase 3 added").
const formStatus = el("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
editor.prepend(formStatus);

function announce(text) {
  formStatus.textContent = "";
  // A fresh text each time, so the same words twice are announced twice.
  requestAnimationFrame(() => (formStatus.textContent = text));
}

function say(text) {
  outputStatus.textContent = text;
}

async function json(path) {
  const response = await fetch(base + path);
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

function showStartNotice(text) {
  const notice = document.getElementById("start-notice");
  notice.textContent = text;
  notice.hidden = false;
}

async function main() {
  showDrafts(announce);
  const params = new URLSearchParams(window.location.search);
  let start;
  try {
    start = await startingPoint(params, base, rememberedLogin());
  } catch (error) {
    if (!(error instanceof StartError)) throw error;
    showStartNotice(error.message);
    return;
  }
  if (!start) return;
  const [schema, languages, published] = await Promise.all([
    json("/schemas/scenario.schema.json"),
    json("/builder/languages.json"),
    json("/api/scenarios.json").catch(() => ({ scenarios: [] })),
  ]);
  const templates = [...document.querySelectorAll("[data-template-id]")].map((card) => ({
    id: card.dataset.templateId,
    title: card.dataset.templateTitle,
  }));
  const context = {
    ...takenFrom(
      published,
      templates.map((t) => t.id),
    ),
    titles: titlesFrom(published, templates), // near-copies: the titles already taken
    source: start.from ?? null, // and the document a copy started from
    ownId: start.ownId ?? null,
    languages, // the language rule's data, and the languages' names
  };
  openEditor(start, schema, languages, context);
}

function proposeId(taken, ownId) {
  return (target, text) => {
    const slug = slugify(text);
    if (target !== "scenario_id" || !slug) return slug;
    // A taken id is not proposed: the first free one of slug, slug-2, slug-3…
    let candidate = slug;
    for (let n = 2; taken.has(candidate) && candidate !== ownId; n++) {
      const suffix = `-${n}`;
      candidate = slug.slice(0, 64 - suffix.length).replace(/-+$/, "") + suffix;
    }
    return candidate;
  };
}

function openEditor(start, schema, languages, context) {
  startScreen.hidden = true;
  editor.hidden = false;
  document.getElementById("origin").textContent = describeStart(start);
  let timer = null;
  const form = buildForm(formElement, start.doc, {
    schema,
    languages,
    // An edited scenario's owner and system flag stay, and only a maintainer makes a system
    // scenario: `scenarios review` refuses a contributor's change to either.
    locked: start.kind === "edit" ? LOCKED_WHEN_EDITING : LOCKED,
    proposeId: proposeId(context.takenIds, context.ownId),
    announce,
    changed: () => schedule(),
  });
  formElement.addEventListener("submit", (event) => event.preventDefault());

  const draftId = start.draftId ?? newDraftId();
  const local = { replaces: start.local?.replaces ?? null };
  let latest = { doc: {}, yaml: "", problems: [], original: start.original ?? null };
  let initial = null; // the document as it was opened: no draft until it changes
  let drafted = Boolean(start.saved);
  if (!drafted) {
    // A reload goes on with this draft once it is saved, or starts as now until then.
    const params = new URLSearchParams(window.location.search);
    params.delete("draft");
    const rest = params.toString();
    history.replaceState(null, "", `?draft=${encodeURIComponent(draftId)}${rest ? `&${rest}` : ""}`);
  }
  let draftFailed = false;
  let lastOut = null; // the file as it last left the page (copied, downloaded, proposed, saved)
  // Which problems are also shown beside their fields: all of them, except on a blank form,
  // where only those of the fields the teacher has changed are, until the file first
  // leaves the page (a form of twenty empty fields each marked wrong tells nothing).
  let showAll = start.kind !== "blank" || Boolean(start.saved);
  const touched = new Set();
  const onField = (problem) =>
    showAll || [...touched].some((pointer) => problem.pointer === pointer || problem.pointer.startsWith(`${pointer}/`));
  const leftThePage = () => {
    lastOut = latest.yaml;
    if (!showAll) {
      showAll = true;
      showProblems(latest.problems, latest.fields, problemList, checkStatus);
    }
  };

  const updateOutput = outputActions({
    repository,
    branch,
    current: () => latest,
    done: leftThePage,
    say,
  });
  const preview = document.getElementById("yaml-preview");
  const problemList = document.getElementById("problem-list");
  const checkStatus = document.getElementById("check-status");
  // Busy while a check is pending: screen readers wait for the result, and so do the tests.
  const busy = [document.getElementById("check"), document.getElementById("output")];
  const setBusy = (on) => busy.forEach((section) => (on ? section.setAttribute("aria-busy", "true") : section.removeAttribute("aria-busy")));

  function keepDraft() {
    const { doc } = latest;
    if (!drafted && JSON.stringify(doc) === initial) return;
    const { doc: _doc, draftId: _id, local: _local, saved: _saved, ...startInfo } = start;
    draftFailed = !saveDraft({ id: draftId, doc, start: startInfo, local });
    if (draftFailed) {
      say("Your draft could not be kept in this browser (storage is off or full): download the file to keep it.");
      return;
    }
    if (!drafted) {
      drafted = true;
      // A reload opens this draft, not the starting point again.
      history.replaceState(null, "", `?draft=${encodeURIComponent(draftId)}`);
    }
  }

  function update() {
    timer = null;
    setBusy(false);
    const { doc, fields } = form.read();
    const problems = checkScenario(doc, schema, context);
    let yaml;
    try {
      yaml = canonicalYaml(doc, schema);
    } catch (error) {
      yaml = `# The file cannot be written yet: ${error.message}\n`;
    }
    latest = { doc, yaml, problems, fields, original: start.original ?? null };
    markWords(formElement, doc.language, languages);
    showProblems(problems, fields, problemList, checkStatus, onField);
    preview.textContent = yaml;
    updateOutput();
    if (initial === null) initial = JSON.stringify(doc);
    else keepDraft();
    if (typeof doc.created_by === "string" && /^[A-Za-z0-9-]+$/.test(doc.created_by) && start.kind !== "edit") {
      rememberLogin(doc.created_by);
    }
  }

  function schedule() {
    clearTimeout(timer);
    setBusy(true);
    timer = setTimeout(update, PAUSE);
  }

  const touch = (event) => {
    if (event.target?.dataset?.pointer) touched.add(event.target.dataset.pointer);
    schedule();
  };
  formElement.addEventListener("input", touch);
  formElement.addEventListener("change", touch);

  // Leaving the page: the draft is written now, synchronously, so a change typed in the
  // last 200 ms is kept too. The browser asks before leaving only when the work would be
  // lost: the draft could not be kept (storage off or full) and the form differs from the
  // file as it last left the page (copied, downloaded, proposed or saved). Asking at every
  // departure would train people to click the question away.
  const flush = () => {
    if (timer !== null) {
      clearTimeout(timer);
      update();
    }
  };
  // A phone may end a tab in the background without `beforeunload`: keep it when hidden.
  document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && flush());
  window.addEventListener("beforeunload", (event) => {
    flush();
    if (draftFailed && latest.yaml !== lastOut) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  const token = localToken();
  if (token && start.kind === "edit" && !local.replaces) {
    // The file as it is now is what this edit replaces: a later change on disk is not overwritten.
    fileOf(token, start.ownId).then((found) => (local.replaces = found), () => {});
  }
  localActions({
    token,
    base,
    current: () => latest,
    showDiagnostics: (diagnostics) => showProblems(diagnostics, latest.fields ?? new Map(), problemList, checkStatus),
    state: local,
    say,
    done: leftThePage,
  });
  update();
}

main().catch((error) => {
  showStartNotice(`The builder could not start: ${error.message}. Reload the page to try again.`);
  throw error;
});
