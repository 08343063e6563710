// Local mode: "Save to this repository", offered only when `scenarios serve` served the page
// (it adds <meta name="scenariokit-local" content="TOKEN">; the hosted site never has it).
//
// The server writes the file with the same code as `scenarios new` after the full check,
// and answers with the diagnostics, which are shown on their fields like the page's own.
// An edit names the file and the SHA-256 of its content when it was loaded, so a file
// changed on disk since is never overwritten. Every request carries the page's token.

const SAVE = "/__scenariokit/save";
const FILE = "/__scenariokit/file";

/** The page's token, or null on the hosted site. */
export function localToken() {
  return document.querySelector('meta[name="scenariokit-local"]')?.getAttribute("content") || null;
}

function headers(token, json) {
  return { "X-Scenariokit-Token": token, ...(json ? { "Content-Type": "application/json" } : {}) };
}

async function answerOf(response) {
  try {
    return await response.json();
  } catch {
    return { error: `the server answered ${response.status} without saying why` };
  }
}

/** `{path, sha256}` of the scenario `id`'s file as it is on disk now, or throws. */
export async function fileOf(token, id) {
  const response = await fetch(`${FILE}?id=${encodeURIComponent(id)}`, { headers: headers(token, false) });
  const answer = await answerOf(response);
  if (!response.ok) throw new Error(answer.error ?? `no file for '${id}'`);
  return { path: answer.path, sha256: answer.sha256 };
}

/**
 * Save `doc`; `replaces` is null for a new file, else `{path, sha256}`.
 * Resolves to `{ok, status, path, page, diagnostics, error}`.
 */
export async function saveScenario(token, doc, replaces) {
  let response;
  try {
    response = await fetch(SAVE, {
      method: "POST",
      headers: headers(token, true),
      body: JSON.stringify({ scenario: doc, replaces }),
    });
  } catch {
    return { ok: false, status: 0, diagnostics: [], error: "the local server did not answer: is `scenarios serve` still running?" };
  }
  const answer = await answerOf(response);
  return {
    ok: response.status === 200,
    status: response.status,
    path: answer.path ?? null,
    page: answer.page ?? null,
    diagnostics: Array.isArray(answer.diagnostics) ? answer.diagnostics : [],
    error: answer.error ?? null,
  };
}

/**
 * Wait until the site's API shows `doc` as saved (the server rebuilds after a save), a few
 * times a second for a few seconds; resolves to whether it did. The list of scenarios is
 * asked first, so a page not built yet is not asked for (each miss would be an error in
 * the browser's console).
 */
export async function waitForPage(base, doc, tries = 30, pause = 300) {
  const id = doc.scenario_id;
  const wanted = JSON.stringify(sorted(doc));
  for (let attempt = 0; attempt < tries; attempt++) {
    try {
      const listed = await fetch(`${base}/api/scenarios.json`, { cache: "no-store" });
      const summary = listed.ok ? await listed.json() : null;
      if (summary?.scenarios?.some((s) => s.scenario_id === id)) {
        const response = await fetch(`${base}/api/scenarios/${encodeURIComponent(id)}.json`, { cache: "no-store" });
        if (response.ok && JSON.stringify(sorted(fileKeys(await response.json()))) === wanted) return true;
      }
    } catch {
      /* the server may be between two builds: try again */
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
  return false;
}

// The API's document with what the site adds taken away, to compare with the form's.
function fileKeys(json) {
  const doc = {};
  for (const [key, value] of Object.entries(json ?? {})) {
    if (key !== "created_at" && key !== "updated_at" && value !== null) doc[key] = value;
  }
  return doc;
}

function sorted(value) {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sorted(value[key])]));
  }
  return value;
}

/**
 * Wire the "Save to this repository" button. `current()` → `{doc, original}`;
 * `showDiagnostics(list)` shows the server's findings on their fields; `state` keeps what
 * the edit replaces (`{replaces}`, saved in the draft); `say(text)` reports.
 */
export function localActions({ token, base, current, showDiagnostics, state, say, done }) {
  const button = document.getElementById("save-local");
  if (!token || !button) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    const { doc, original } = current();
    button.disabled = true;
    try {
      let replaces = state.replaces ?? null;
      if (!replaces && original && original.scenario_id === doc.scenario_id) {
        try {
          replaces = await fileOf(token, original.scenario_id);
        } catch (error) {
          say(`Not saved: ${error.message}`);
          return;
        }
      }
      // A new file's place changed (another id or topic) is a new file again.
      if (replaces && replaces.path !== `scenarios/${doc.category}/${doc.scenario_id}.yaml`) replaces = null;
      say("Saving…");
      const answer = await saveScenario(token, doc, replaces);
      showDiagnostics(answer.diagnostics);
      if (!answer.ok) {
        const count = answer.diagnostics.length;
        const more = count ? ` (${count} ${count === 1 ? "problem" : "problems"} shown on the form)` : "";
        say(`Not saved: ${answer.error ?? "the server refused the file"}${more}.`);
        return;
      }
      // Saved: the next save replaces this very file, as it is now.
      try {
        state.replaces = await fileOf(token, doc.scenario_id);
      } catch {
        state.replaces = null;
      }
      done("save");
      const warnings = answer.diagnostics.length;
      const note = warnings ? ` with ${warnings} ${warnings === 1 ? "warning" : "warnings"}` : "";
      if (!answer.page) {
        say(`Saved to ${answer.path}${note}. It is a draft (not public), so the site has no page for it.`);
        return;
      }
      say(`Saved to ${answer.path}${note}. Opening its page when the site has been rebuilt…`);
      if (await waitForPage(base, doc)) window.location.assign(answer.page);
      else say(`Saved to ${answer.path}${note}. The site has not shown it yet: open ${answer.page} in a moment.`);
    } finally {
      button.disabled = false;
    }
  });
}
