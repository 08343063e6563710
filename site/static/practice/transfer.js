// Export and import of the learner's progress as a JSON file:
// {"format": "scenariokit-progress", "version": 1, "exported": <ISO date>,
//  "scenarios": {<scenario id>: {<card id>: <FSRS card state>}}}.
// Importing merges: for each card, the state reviewed more recently is kept.
import * as store from "./store.js";
import { lastReview, normalise } from "./schedule.js";

export var FORMAT = "scenariokit-progress";
export var FORMAT_VERSION = 1;

export function progress() {
  var scenarios = {};
  store.scenarioIds().forEach(function (id) {
    var cards = store.load(id);
    if (Object.keys(cards).length) { scenarios[id] = cards; }
  });
  return { format: FORMAT, version: FORMAT_VERSION, exported: new Date().toISOString(), scenarios: scenarios };
}

export function download() {
  var data = progress();
  var blob = new Blob([JSON.stringify(data, null, 1) + "\n"], { type: "application/json" });
  var link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = "scenariokit-progress-" + data.exported.slice(0, 10) + ".json";
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
  var cards = 0;
  Object.keys(data.scenarios).forEach(function (id) { cards += Object.keys(data.scenarios[id]).length; });
  return cards;
}

function isRecord(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

var ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

// Merges the text of an exported file into the stored progress. Resolves to
// {ok, message}; never rejects.
export function importText(text) {
  var data;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: "This file is not JSON, so not a progress export: nothing was imported." };
  }
  if (!isRecord(data) || data.format !== FORMAT || !isRecord(data.scenarios)) {
    return { ok: false, message: "This file is not a scenariokit progress export: nothing was imported." };
  }
  if (data.version !== FORMAT_VERSION) {
    return { ok: false, message: "This export is of format version " + String(data.version) + ", which this site does not read (it reads version " + FORMAT_VERSION + "): nothing was imported." };
  }
  var merged = {};
  var taken = 0;
  var skipped = 0;
  var total = 0;
  Object.keys(data.scenarios).forEach(function (scenarioId) {
    var cards = data.scenarios[scenarioId];
    if (!ID.test(scenarioId) || !isRecord(cards)) { skipped += 1; return; }
    var mine = merged[scenarioId] || store.load(scenarioId);
    Object.keys(cards).forEach(function (cardId) {
      var state = normalise(cards[cardId]);
      if (!ID.test(cardId) || !state) { skipped += 1; return; }
      total += 1;
      if (!mine[cardId] || lastReview(state) > lastReview(mine[cardId])) {
        mine[cardId] = state;
        taken += 1;
      }
    });
    merged[scenarioId] = mine;
  });
  if (!total) {
    return { ok: false, message: "This export holds no card that could be read: nothing was imported." };
  }
  var saved = true;
  Object.keys(merged).forEach(function (scenarioId) {
    saved = store.save(scenarioId, merged[scenarioId]) && saved;
  });
  var message = "Imported " + total + (total === 1 ? " card" : " cards") + " of " + Object.keys(merged).length +
    (Object.keys(merged).length === 1 ? " scenario" : " scenarios") + ": " + taken + " taken, " + (total - taken) +
    " kept as this browser had them (reviewed as recently or later).";
  if (skipped) { message += " " + skipped + " unreadable " + (skipped === 1 ? "entry was" : "entries were") + " left out."; }
  if (!saved) { message += " " + store.problem(); }
  return { ok: saved, message: message };
}

export function importFile(file) {
  return file.text().then(importText, function () {
    return { ok: false, message: "The file could not be read: nothing was imported." };
  });
}
