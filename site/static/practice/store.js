// The learner's flashcard progress, kept in this browser's localStorage and nowhere else:
// one key per scenario, "scenariokit-cards:<scenario id>", holding
// {"version": 1, "cards": {<card id>: <FSRS card state, dates as ISO strings>}}.
//
// Storage may be off (a private window, a blocked site) or full: nothing here throws.
// What could not be kept stays in memory for the page, and `problem()` says why, in words
// a learner can read.

import { lastReview, normalise } from "./schedule.js";
import { has, isRecord } from "./shared.js";

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
  "or refused it. What you study now is kept only while this page is open, and is lost " +
  "when you leave or reload it.";

// A map with no prototype: ids such as "constructor" or "__proto__" are plain keys.
function map() {
  return Object.create(null);
}

function copy(cards) {
  var out = map();
  Object.keys(cards).forEach(function (id) { out[id] = cards[id]; });
  return out;
}

// The cards stored for a scenario: {card id: state}, a map with no prototype; empty when
// there are none.
export function load(scenarioId) {
  if (memory.has(scenarioId)) {
    return copy(memory.get(scenarioId));
  }
  var s = storage();
  if (!s) {
    remember(OFF);
    return map();
  }
  var raw = null;
  try {
    raw = s.getItem(PREFIX + scenarioId);
  } catch (e) {
    remember(OFF);
    return map();
  }
  var cards = map();
  if (!raw) { return cards; }
  try {
    var parsed = JSON.parse(raw);
    if (isRecord(parsed) && parsed.version === VERSION && isRecord(parsed.cards)) {
      Object.keys(parsed.cards).forEach(function (id) {
        if (isRecord(parsed.cards[id])) { cards[id] = parsed.cards[id]; }
      });
    }
  } catch (e) { /* unreadable: treated as no progress */ }
  return cards;
}

// Writes a scenario's whole map (an empty one removes the key). Returns true when storage
// took it; otherwise the map is kept in memory for the page.
function write(scenarioId, cards) {
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
    if (empty) { memory.delete(scenarioId); } else { memory.set(scenarioId, copy(cards)); }
    return false;
  }
}

// Merges `cards` ({card id: state}) into what is stored for the scenario now (read again
// just before writing, so another tab's grades are kept): for each card, the state
// reviewed later wins, the stored one on a tie; a stored state that is not sound (see
// schedule.js's `normalise`: reviewed in the future, due before its review) always loses.
// Returns {saved, taken: how many of `cards` were taken, cards: the scenario's cards now}.
export function merge(scenarioId, cards) {
  var mine = load(scenarioId);
  var taken = 0;
  Object.keys(cards).forEach(function (id) {
    if (!has(mine, id) || !normalise(mine[id]) || lastReview(cards[id]) > lastReview(mine[id])) {
      mine[id] = cards[id];
      taken += 1;
    }
  });
  var saved = taken ? write(scenarioId, mine) : true;
  return { saved: saved, taken: taken, cards: mine };
}

// Keeps one card's new state (just graded). Returns the merge's result.
export function save(scenarioId, cardId, state) {
  var one = map();
  one[cardId] = state;
  return merge(scenarioId, one);
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

// The scenario a `storage` event (another tab's change) is about: its id, "" for another
// key, null when the whole storage was cleared.
export function changed(event) {
  if (event.key === null) { return null; }
  return event.key.indexOf(PREFIX) === 0 ? event.key.slice(PREFIX.length) : "";
}

// Drops the progress of cards that no longer exist: `ids` are the scenario's cards now.
// Returns the cards kept.
export function prune(scenarioId, ids) {
  var stored = load(scenarioId);
  var kept = map();
  var dropped = false;
  Object.keys(stored).forEach(function (id) {
    if (ids.has(id)) { kept[id] = stored[id]; } else { dropped = true; }
  });
  if (dropped) { write(scenarioId, kept); }
  return kept;
}

// Deletes a scenario's progress: only at the learner's word.
export function forget(scenarioId) {
  return write(scenarioId, map());
}
