// The learner's flashcard progress, kept in this browser's localStorage and nowhere else:
// one key per scenario, "scenariokit-cards:<scenario id>", holding
// {"version": 1, "cards": {<card id>: <FSRS card state, dates as ISO strings>}}.
//
// Storage may be off (a private window, a blocked site) or full: nothing here throws.
// What could not be kept stays in memory for the page, and `problem()` says why, in words
// a learner can read.

export const PREFIX = "scenariokit-cards:";
export const VERSION = 1;

var memory = new Map(); // scenario id → cards, when storage would not take them
var lastProblem = "";

function storage() {
  try {
    var s = window.localStorage;
    return s || null;
  } catch (e) {
    return null; // reading localStorage itself throws where the browser blocks it
  }
}

function remember(message) {
  lastProblem = message;
}

export function problem() {
  return lastProblem;
}

var OFF = "This browser does not let the site keep your progress (storage is off): you can " +
  "study, but what you learn is not remembered after you leave the page.";
var FULL = "Your progress could not be saved: this browser's storage for the site is full " +
  "or refused it. It is kept until you leave the page; export it from the Review page to keep it.";

function isRecord(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

// The cards stored for a scenario: {card id: state}; {} when there are none.
export function load(scenarioId) {
  if (memory.has(scenarioId)) {
    return Object.assign({}, memory.get(scenarioId));
  }
  var s = storage();
  if (!s) {
    remember(OFF);
    return {};
  }
  var raw = null;
  try {
    raw = s.getItem(PREFIX + scenarioId);
  } catch (e) {
    remember(OFF);
    return {};
  }
  if (!raw) { return {}; }
  try {
    var parsed = JSON.parse(raw);
    if (isRecord(parsed) && parsed.version === VERSION && isRecord(parsed.cards)) {
      return parsed.cards;
    }
  } catch (e) { /* unreadable: treated as no progress */ }
  return {};
}

// Keeps a scenario's cards (all of them: the map replaces what was stored). An empty map
// removes the key. Returns true when storage took it.
export function save(scenarioId, cards) {
  var s = storage();
  var empty = Object.keys(cards).length === 0;
  try {
    if (!s) { throw new Error("off"); }
    if (empty) {
      s.removeItem(PREFIX + scenarioId);
    } else {
      s.setItem(PREFIX + scenarioId, JSON.stringify({ version: VERSION, cards: cards }));
    }
    memory.delete(scenarioId);
    return true;
  } catch (e) {
    remember(s ? FULL : OFF);
    if (empty) { memory.delete(scenarioId); } else { memory.set(scenarioId, Object.assign({}, cards)); }
    return false;
  }
}

// The ids of every scenario with stored progress.
export function scenarioIds() {
  var ids = new Set(memory.keys());
  var s = storage();
  if (!s) {
    remember(OFF);
    return Array.from(ids);
  }
  try {
    for (var i = 0; i < s.length; i++) {
      var key = s.key(i);
      if (key && key.indexOf(PREFIX) === 0 && key.length > PREFIX.length) {
        ids.add(key.slice(PREFIX.length));
      }
    }
  } catch (e) {
    remember(OFF);
  }
  return Array.from(ids).sort();
}

// Drops the progress of cards that no longer exist: `ids` are the scenario's cards now.
// Returns the cards kept.
export function prune(scenarioId, ids) {
  var stored = load(scenarioId);
  var kept = {};
  var changed = false;
  Object.keys(stored).forEach(function (id) {
    if (ids.has(id)) { kept[id] = stored[id]; } else { changed = true; }
  });
  if (changed) { save(scenarioId, kept); }
  return kept;
}

export function forget(scenarioId) {
  save(scenarioId, {});
}
