// Export and import of the learner's progress as a JSON file:
// {"format": "scenariokit-progress", "version": 1, "exported": <ISO date>,
//  "scenarios": {<scenario id>: {<card id>: <FSRS card state>}}}.
// Importing merges: for each card, the state reviewed more recently is kept.
import * as store from "./store.js";
import { normalise } from "./schedule.js";
import { isRecord, plural } from "./shared.js";

export var FORMAT = "scenariokit-progress";
export var FORMAT_VERSION = 1;

export function progress() {
  var scenarios = Object.create(null);
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

var ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
// A scenario has at most 1,800 cards (600 entries, the schema's most, three cards each);
// twice that leaves room for the cards of entries changed since, kept until the scenario's
// page is opened. More is no export of ours: that scenario is left out whole, before it can
// fill the storage and keep every later grade of it from being saved.
var MAX_CARDS = 3600;

// Merges the text of an exported file into the stored progress. Returns {ok, message}; never
// throws. A card is taken only when it is readable (see schedule.js's `normalise`: no
// review in the future, no due date before the last review) and reviewed later than this
// browser's own state of it.
export function importText(text, now) {
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
    return { ok: false, message: "This export is of format version " + JSON.stringify(data.version === undefined ? null : data.version) + ", which this site does not read (it reads version " + FORMAT_VERSION + "): nothing was imported." };
  }
  now = now || new Date();
  var wanted = new Map(); // scenario id → {card id: state}, maps with no prototype
  var skipped = 0;
  var total = 0;
  Object.keys(data.scenarios).forEach(function (scenarioId) {
    var cards = data.scenarios[scenarioId];
    if (!ID.test(scenarioId) || !isRecord(cards)) { skipped += 1; return; }
    var ids = Object.keys(cards);
    if (ids.length > MAX_CARDS) { skipped += ids.length; return; }
    var readable = Object.create(null);
    ids.forEach(function (cardId) {
      var state = ID.test(cardId) ? normalise(cards[cardId], now) : null;
      if (!state) { skipped += 1; return; }
      readable[cardId] = state;
      total += 1;
    });
    if (Object.keys(readable).length) { wanted.set(scenarioId, readable); }
  });
  if (!total) {
    var none = "This export holds no card that could be read: nothing was imported.";
    if (skipped) { none += " " + plural(skipped, "unreadable entry was", "unreadable entries were") + " left out."; }
    return { ok: false, message: none };
  }
  var saved = true;
  var taken = 0;
  wanted.forEach(function (cards, scenarioId) {
    var result = store.merge(scenarioId, cards);
    saved = result.saved && saved;
    taken += result.taken;
  });
  var message = "Imported " + plural(total, "card", "cards") + " of " + plural(wanted.size, "scenario", "scenarios") +
    ": " + taken + " taken, " + (total - taken) + " kept as this browser had them (reviewed as recently or later).";
  if (skipped) { message += " " + plural(skipped, "unreadable entry was", "unreadable entries were") + " left out."; }
  if (!saved) { message += " " + store.problem(); }
  return { ok: saved, message: message };
}

export function importFile(file) {
  return file.text().then(importText, function () {
    return { ok: false, message: "The file could not be read: nothing was imported." };
  });
}
