// The Review page: the cards due now across every scenario with progress in this browser.
// Each such scenario's API file gives its current cards, and only those are counted (the
// page deletes nothing on its own: a scenario page drops the progress of its cards that
// changed or went). A scenario whose file is gone (404) is listed as no longer on this
// site, and one that could not be fetched for another reason as such: their progress is
// kept, not counted, and deleted only by the learner's "Forget". Another tab's grades
// (the `storage` event) update the counts. One session reviews every due card, earliest
// first.
import { scenarioCards, studiable } from "./cards.js";
import * as store from "./store.js";
import { isDue, dueTime, span } from "./schedule.js";
import { startSession } from "./study.js";
import { onVoices } from "../speech.js";
import { download, importFile } from "./transfer.js";
import { dueTimer, has, plural, showProblem } from "./shared.js";

var root = document.getElementById("review");
var base = root.getAttribute("data-base");
// The site's right-to-left languages, as the build found them (languages.py's `direction`).
var rtl = new Set((root.getAttribute("data-rtl-languages") || "").split(" ").filter(Boolean));
var status = root.querySelector(".review-status");
var list = root.querySelector(".review-list");
var start = root.querySelector(".review-start");
var panel = root.querySelector(".study");
var problem = root.querySelector(".review-problem");
var loaded = []; // [{id, title, cards, stored}] in order of title
var failed = []; // [{id, gone}]: scenarios whose file could not be fetched (gone: a 404)
var studying = false;
var told = ""; // a line added to the status once (what Forget did)
var nextDue = dueTimer(function () { if (!gathering) { render(); } });

function scenarioLink(id, title) {
  var link = document.createElement("a");
  link.href = base + "/scenarios/" + encodeURIComponent(id) + "/#flashcards";
  link.textContent = title;
  return link;
}

// The stored progress of the scenario's current cards only.
function current(id, cards) {
  var all = store.load(id);
  var kept = Object.create(null);
  cards.forEach(function (card) { if (has(all, card.id)) { kept[card.id] = all[card.id]; } });
  return kept;
}

function dueCards(now) {
  var due = [];
  loaded.forEach(function (s) {
    studiable(s.cards).forEach(function (card) {
      if (has(s.stored, card.id) && isDue(s.stored[card.id], now)) { due.push({ card: card, scenario: s }); }
    });
  });
  due.sort(function (a, b) { return dueTime(a.scenario.stored[a.card.id]) - dueTime(b.scenario.stored[b.card.id]); });
  return due;
}

function forgetButton(id) {
  var button = document.createElement("button");
  button.type = "button";
  button.className = "review-forget";
  button.textContent = "Forget";
  button.setAttribute("aria-label", "Forget the progress kept for " + id);
  button.addEventListener("click", function () {
    var cards = Object.keys(store.load(id)).length;
    store.forget(id);
    failed = failed.filter(function (f) { return f.id !== id; });
    told = " Forgot the progress of " + plural(cards, "card", "cards") + " kept for " + id + ".";
    render();
    status.focus();
  });
  return button;
}

function render() {
  var now = new Date();
  var due = dueCards(now);
  var counts = new Map();
  due.forEach(function (d) { counts.set(d.scenario.id, (counts.get(d.scenario.id) || 0) + 1); });
  var soonest = null;
  var items = loaded.map(function (s) {
    var item = document.createElement("li");
    var studied = Object.keys(s.stored).length;
    var upcoming = studiable(s.cards).filter(function (c) { return has(s.stored, c.id); }).map(function (c) { return dueTime(s.stored[c.id]); });
    upcoming.filter(function (t) { return t > now.getTime(); }).forEach(function (t) { soonest = soonest === null ? t : Math.min(soonest, t); });
    var next = counts.get(s.id) ? "" : upcoming.length ? ", the next in " + span(now.getTime(), Math.min.apply(null, upcoming)) : "";
    item.append(scenarioLink(s.id, s.title), ": " + plural(counts.get(s.id) || 0, "card", "cards") + " due (" + studied + " studied" + next + ")");
    return item;
  });
  failed.forEach(function (f) {
    var item = document.createElement("li");
    var kept = plural(Object.keys(store.load(f.id)).length, "card", "cards");
    if (f.gone) {
      item.append(f.id + ": no longer on this site; the progress of " + kept + " is kept, not counted. ");
    } else {
      item.append(scenarioLink(f.id, f.id), ": could not be loaded just now; the progress of " + kept + " is kept. ");
    }
    item.append(forgetButton(f.id));
    items.push(item);
  });
  list.replaceChildren.apply(list, items);
  list.hidden = !items.length;
  if (!loaded.length && !failed.length) {
    status.textContent = "No flashcard progress in this browser yet: start with a scenario's Flashcards section, or import an export below." + told;
  } else {
    status.textContent = plural(due.length, "card", "cards") + " due now across " + plural(counts.size, "scenario", "scenarios") + "." + told;
  }
  told = "";
  start.textContent = "Review " + plural(due.length, "due card", "due cards");
  if (!studying) { start.hidden = due.length === 0; }
  showProblem(problem, store.problem());
  nextDue(soonest);
}

function fetchScenario(id) {
  return fetch(base + "/api/scenarios/" + encodeURIComponent(id) + ".json").then(function (response) {
    if (!response.ok) {
      failed.push({ id: id, gone: response.status === 404 });
      return null;
    }
    return response.json().then(function (scenario) {
      var cards = scenarioCards(scenario, rtl.has(scenario && scenario.language) ? "rtl" : "ltr");
      var stored = current(id, cards);
      if (!Object.keys(stored).length) { return null; } // none of its cards studied yet
      return { id: id, title: cards.length ? cards[0].scenarioTitle : id, cards: cards, stored: stored };
    });
  }).catch(function () {
    failed.push({ id: id, gone: false });
    return null;
  });
}

var gathering = null;

function gather() {
  loaded = [];
  failed = [];
  status.textContent = "Gathering your cards…";
  gathering = Promise.all(store.scenarioIds().map(fetchScenario)).then(function (found) {
    loaded = found.filter(Boolean).sort(function (a, b) { return a.title.localeCompare(b.title); });
    failed.sort(function (a, b) { return a.id < b.id ? -1 : a.id > b.id ? 1 : 0; });
    gathering = null;
    render();
  });
  return gathering;
}

start.addEventListener("click", function () {
  var due = dueCards(new Date());
  start.hidden = true;
  studying = true;
  startSession(panel, due.map(function (d) { return { card: d.card, stored: d.scenario.stored[d.card.id] }; }), {
    heading: "h2",
    opener: start,
    showContext: true,
    keep: function (card, state) {
      var s = loaded.find(function (x) { return x.id === card.scenarioId; });
      store.save(s.id, card.id, state);
      s.stored = current(s.id, s.cards);
      showProblem(problem, store.problem());
    },
    onClose: function () {
      studying = false;
      render();
      if (start.hidden) { status.focus(); }
    },
  });
});

// Another tab's change: a scenario already listed is read again; anything else (a new
// scenario, storage cleared) gathers the list anew. A running session keeps its queue.
window.addEventListener("storage", function (event) {
  var id = store.changed(event);
  if (id === "") { return; }
  var s = id === null ? null : loaded.find(function (x) { return x.id === id; });
  if (s) {
    s.stored = current(s.id, s.cards);
    render();
  } else if (!studying && !gathering && !(id && failed.some(function (f) { return f.id === id; }))) {
    gather();
  } else {
    render();
  }
});

// Voices listed late: listening cards count once the browser can speak their language.
onVoices(function () { if (!gathering) { render(); } });

// Readings: as the learner left the scenario pages' switch.
try {
  if (localStorage.getItem("scenariokit-readings") === "hidden") { root.classList.add("no-readings"); }
} catch (e) { /* storage off: readings shown */ }

var exportButton = document.getElementById("export-progress");
var importInput = document.getElementById("import-progress");
var transferMessage = document.getElementById("transfer-message");

function tell(message, ok) {
  transferMessage.textContent = message;
  transferMessage.classList.toggle("bad", !ok);
  transferMessage.hidden = false;
}

exportButton.addEventListener("click", function () {
  var cards = download();
  tell("Exported the progress of " + plural(cards, "card", "cards") + " as a JSON file.", true);
});
importInput.addEventListener("change", function () {
  var file = importInput.files && importInput.files[0];
  if (!file) { return; }
  importFile(file).then(function (result) {
    importInput.value = "";
    tell(result.message, result.ok);
    if (!studying) { return gather(); }
    loaded.forEach(function (s) { s.stored = current(s.id, s.cards); }); // the rest after the session
    render();
    return null;
  });
});

gather();
