// Drafts: the scenario being written, kept in this browser's localStorage as the user types,
// so that closing the tab, a reload or a crash loses nothing.
//
// One key per draft (`scenariokit.builder.draft.<id>`), holding the document read from the
// form and where it started (a template, a copy, an edit: what the page needs to go on as
// before). Nothing leaves the browser. Every function survives a browser that refuses
// storage (private windows, a full quota): saving then answers false, and the page says so.

const PREFIX = "scenariokit.builder.draft.";
const LOGIN = "scenariokit.builder.login";

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled: reading the property itself throws
  }
}

/** A new draft id: time and chance, unique enough for one browser. */
export function newDraftId() {
  const random = Math.floor(Math.random() * 36 ** 6).toString(36).padStart(6, "0");
  return `${Date.now().toString(36)}-${random}`;
}

/** Keep `draft` (`{id, doc, start, ...}`), stamped with the time; false if it could not be. */
export function saveDraft(draft) {
  const store = storage();
  if (!store) return false;
  try {
    store.setItem(PREFIX + draft.id, JSON.stringify({ ...draft, saved: new Date().toISOString() }));
    return true;
  } catch {
    return false;
  }
}

/** The draft of `id`, or null. */
export function loadDraft(id) {
  const text = storage()?.getItem(PREFIX + id);
  if (!text) return null;
  try {
    const draft = JSON.parse(text);
    return draft && typeof draft === "object" && draft.doc ? draft : null;
  } catch {
    return null;
  }
}

/** Every draft in this browser, the most recently saved first. */
export function listDrafts() {
  const store = storage();
  if (!store) return [];
  const drafts = [];
  for (let index = 0; index < store.length; index++) {
    const key = store.key(index);
    if (key?.startsWith(PREFIX)) {
      const draft = loadDraft(key.slice(PREFIX.length));
      if (draft) drafts.push(draft);
    }
  }
  return drafts.sort((a, b) => String(b.saved).localeCompare(String(a.saved)));
}

export function deleteDraft(id) {
  try {
    storage()?.removeItem(PREFIX + id);
  } catch {
    /* nothing to delete where nothing can be stored */
  }
}

/** The GitHub login typed last: the owner of the next scenario, asked once. */
export function rememberedLogin() {
  try {
    return storage()?.getItem(LOGIN) ?? "";
  } catch {
    return "";
  }
}

export function rememberLogin(login) {
  try {
    if (login) storage()?.setItem(LOGIN, login);
  } catch {
    /* a convenience only */
  }
}
