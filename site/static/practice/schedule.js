// Scheduling: FSRS, as the vendored ts-fsrs computes it (its default parameters, with
// fuzz so that cards learned together do not all come back on the same day). A card's
// state is stored as ts-fsrs gives it, its dates as ISO strings.
import { createEmptyCard, fsrs, generatorParameters, Rating, State, TypeConvert } from "../vendor/ts-fsrs/dist/index.mjs";
import { plural } from "./shared.js";

var scheduler = fsrs(generatorParameters({ enable_fuzz: true }));

export var GRADES = [
  { rating: Rating.Again, name: "Again", key: "1" },
  { rating: Rating.Hard, name: "Hard", key: "2" },
  { rating: Rating.Good, name: "Good", key: "3" },
  { rating: Rating.Easy, name: "Easy", key: "4" },
];

function asCard(stored, now) {
  if (!stored) { return createEmptyCard(now); }
  return TypeConvert.card(stored);
}

// Runs ts-fsrs on a stored state; a state it refuses (a date after `now`, a broken field)
// is taken as a new card, so that the session goes on.
function schedule(stored, now, run) {
  try {
    return run(asCard(stored, now));
  } catch (e) {
    return run(createEmptyCard(now));
  }
}

// A stored state ts-fsrs can read, as a fresh object of its known fields only; null when
// a field is missing, of the wrong type or out of bounds (a hand-edited or foreign file):
// dates are full ISO-8601 UTC strings, the last review no later than a day after `now` and
// no later than the due date; counts are integers; difficulty 1 to 10 (0 for a new card);
// stability and days at most 100 years, as ts-fsrs bounds them.
var DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,3})?Z$/;
var MARGIN = 86400000; // a day: another device's clock may run a little ahead
var LIMITS = {
  stability: [0, 36500, false],
  difficulty: [0, 10, false],
  elapsed_days: [0, 36500, false],
  scheduled_days: [0, 36500, false],
  learning_steps: [0, 1000, true],
  reps: [0, 1000000, true],
  lapses: [0, 1000000, true],
  state: [State.New, State.Relearning, true],
};

function isoDate(value) {
  if (typeof value !== "string" || !DATE.test(value)) { return null; }
  var time = Date.parse(value);
  if (isNaN(time)) { return null; }
  var iso = new Date(time).toISOString();
  return iso.slice(0, 19) === value.slice(0, 19) ? iso : null; // no 30 February
}

export function normalise(stored, now) {
  if (stored === null || typeof stored !== "object" || Array.isArray(stored)) { return null; }
  var clean = {};
  var names = Object.keys(LIMITS);
  for (var i = 0; i < names.length; i++) {
    var name = names[i];
    var value = Object.prototype.hasOwnProperty.call(stored, name) ? stored[name] : undefined;
    var limit = LIMITS[name];
    if (typeof value !== "number" || !isFinite(value) || value < limit[0] || value > limit[1]) { return null; }
    if (limit[2] && !Number.isInteger(value)) { return null; }
    clean[name] = value;
  }
  if (clean.state !== State.New && clean.difficulty < 1) { return null; }
  clean.due = isoDate(stored.due);
  clean.last_review = isoDate(stored.last_review);
  if (!clean.due || !clean.last_review) { return null; }
  var last = Date.parse(clean.last_review);
  if (last > (now || new Date()).getTime() + MARGIN || Date.parse(clean.due) < last) { return null; }
  return clean;
}

function serialise(card) {
  return JSON.parse(JSON.stringify(card));
}

// The four possible next states of a card (null: a new card), by rating.
export function preview(stored, now) {
  var log = schedule(stored, now, function (card) { return scheduler.repeat(card, now); });
  var next = {};
  GRADES.forEach(function (grade) {
    next[grade.rating] = serialise(log[grade.rating].card);
  });
  return next;
}

export function grade(stored, rating, now) {
  return serialise(schedule(stored, now, function (card) { return scheduler.next(card, now, rating).card; }));
}

export function dueTime(stored) {
  return Date.parse(stored.due);
}

export function isDue(stored, now) {
  return Boolean(stored) && dueTime(stored) <= now.getTime();
}

export function lastReview(stored) {
  var t = stored && Date.parse(stored.last_review);
  return typeof t === "number" && !isNaN(t) ? t : 0;
}

// "1 min", "10 min", "3 h", "1 day", "12 days", "2 months": how long until `later`.
export function span(now, later) {
  var minutes = Math.max(1, Math.round((later - now) / 60000));
  if (minutes < 60) { return minutes + " min"; }
  var hours = Math.round(minutes / 60);
  if (hours < 24) { return hours + " h"; }
  var days = Math.round(hours / 24);
  if (days < 31) { return plural(days, "day", "days"); }
  var months = Math.round(days / 30.4);
  if (months < 12) { return plural(months, "month", "months"); }
  var years = Math.round(days / 365 * 10) / 10;
  return plural(years, "year", "years");
}
