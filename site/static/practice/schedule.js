// Scheduling: FSRS, as the vendored ts-fsrs computes it (its default parameters, with
// fuzz so that cards learned together do not all come back on the same day). A card's
// state is stored as ts-fsrs gives it, its dates as ISO strings.
import { createEmptyCard, fsrs, generatorParameters, Rating, State, TypeConvert } from "../vendor/ts-fsrs/dist/index.mjs";

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

// A stored state ts-fsrs can read, as a fresh object of its known fields only; null when
// a field is missing or of the wrong type (a hand-edited or foreign file).
var NUMBERS = ["stability", "difficulty", "elapsed_days", "scheduled_days", "learning_steps", "reps", "lapses", "state"];

export function normalise(stored) {
  if (stored === null || typeof stored !== "object" || Array.isArray(stored)) { return null; }
  var clean = {};
  for (var i = 0; i < NUMBERS.length; i++) {
    var value = stored[NUMBERS[i]];
    if (typeof value !== "number" || !isFinite(value) || value < 0) { return null; }
    clean[NUMBERS[i]] = value;
  }
  if (!(clean.state in State)) { return null; }
  var dates = ["due", "last_review"];
  for (var j = 0; j < dates.length; j++) {
    var date = stored[dates[j]];
    if (typeof date !== "string" || isNaN(Date.parse(date))) { return null; }
    clean[dates[j]] = new Date(Date.parse(date)).toISOString();
  }
  return clean;
}

function serialise(card) {
  return JSON.parse(JSON.stringify(card));
}

// The four possible next states of a card (null: a new card), by rating.
export function preview(stored, now) {
  var log = scheduler.repeat(asCard(stored, now), now);
  var next = {};
  GRADES.forEach(function (grade) {
    next[grade.rating] = serialise(log[grade.rating].card);
  });
  return next;
}

export function grade(stored, rating, now) {
  return serialise(scheduler.next(asCard(stored, now), now, rating).card);
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
  if (days < 31) { return days === 1 ? "1 day" : days + " days"; }
  var months = Math.round(days / 30.4);
  if (months < 12) { return months === 1 ? "1 month" : months + " months"; }
  var years = Math.round(days / 365 * 10) / 10;
  return years === 1 ? "1 year" : years + " years";
}
