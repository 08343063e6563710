// The Review page: the cards due now across every scenario with progress in this browser.
// Each such scenario's API file gives its current cards: progress of a card whose entry
// changed or went is pruned, and a scenario whose file is gone (404) is forgotten. A
// scenario that could not be fetched for another reason keeps its progress and is listed
// as such. One session reviews every due card, earliest first.
import { scenarioCards, studiable } from "./cards.js";
import * as store from "./store.js";
import { isDue, dueTime, span } from "./schedule.js";
import { startSession } from "./study.js";
import { download, importFile } from "./transfer.js";

var root = document.getElementById("review");
var base = root.getAttribute("data-base");
var status = root.querySelector(".review-status");
var list = root.querySelector(".review-list");
var start = root.querySelector(".review-start");
var panel = root.querySelector(".study");
var problem = root.querySelector(".review-problem");
var loaded = []; // [{id, title, cards, stored}] in order of title
var failed = []; // scenario ids whose file could not be fetched

function plural(count, one, many) {
  return count + " " + (count === 1 ? one : many);
}

function showProblem() {
  var message = store.problem();
  problem.textContent = message;
  problem.hidden = !message;
}

function scenarioLink(id, title) {
  var link = document.createElement("a");
  link.href = base + "/scenarios/" + encodeURIComponent(id) + "/#flashcards";
  link.textContent = title;
  return link;
}

function dueCards(now) {
  var due = [];
  loaded.forEach(function (s) {
    studiable(s.cards).forEach(function (card) {
      if (s.stored[card.id] && isDue(s.stored[card.id], now)) { due.push({ card: card, scenario: s }); }
    });
  });
  due.sort(function (a, b) { return dueTime(a.scenario.stored[a.card.id]) - dueTime(b.scenario.stored[b.card.id]); });
  return due;
}

function render() {
  var now = new Date();
  var due = dueCards(now);
  var counts = new Map();
  due.forEach(function (d) { counts.set(d.scenario.id, (counts.get(d.scenario.id) || 0) + 1); });
  var items = loaded.map(function (s) {
    var item = document.createElement("li");
    var studied = Object.keys(s.stored).length;
    var upcoming = studiable(s.cards).filter(function (c) { return s.stored[c.id]; }).map(function (c) { return dueTime(s.stored[c.id]); });
    var next = counts.get(s.id) ? "" : upcoming.length ? ", the next in " + span(now.getTime(), Math.min.apply(null, upcoming)) : "";
    item.append(scenarioLink(s.id, s.title), ": " + plural(counts.get(s.id) || 0, "card", "cards") + " due (" + studied + " studied" + next + ")");
    return item;
  });
  failed.forEach(function (id) {
    var item = document.createElement("li");
    item.append(scenarioLink(id, id), ": could not be loaded just now; its progress is kept.");
    items.push(item);
  });
  list.replaceChildren.apply(list, items);
  list.hidden = !items.length;
  if (!loaded.length && !failed.length) {
    status.textContent = "No flashcard progress in this browser yet: start with a scenario's Flashcards section, or import an export below.";
  } else {
    status.textContent = plural(due.length, "card", "cards") + " due now across " + plural(counts.size, "scenario", "scenarios") + ".";
  }
  start.textContent = "Review " + plural(due.length, "due card", "due cards");
  start.hidden = due.length === 0;
  showProblem();
}

function fetchScenario(id) {
  return fetch(base + "/api/scenarios/" + encodeURIComponent(id) + ".json").then(function (response) {
    if (response.status === 404) {
      store.forget(id); // the scenario is no longer on the site
      return null;
    }
    if (!response.ok) { throw new Error(String(response.status)); }
    return response.json().then(function (scenario) {
      var cards = scenarioCards(scenario);
      var stored = store.prune(id, new Set(cards.map(function (c) { return c.id; })));
      if (!Object.keys(stored).length) { return null; }
      return { id: id, title: cards.length ? cards[0].scenarioTitle : id, cards: cards, stored: stored };
    });
  }).catch(function () {
    failed.push(id);
    return null;
  });
}

function gather() {
  loaded = [];
  failed = [];
  status.textContent = "Gathering your cards…";
  return Promise.all(store.scenarioIds().map(fetchScenario)).then(function (found) {
    loaded = found.filter(Boolean).sort(function (a, b) { return a.title.localeCompare(b.title); });
    failed.sort();
    render();
  });
}

start.addEventListener("click", function () {
  var due = dueCards(new Date());
  start.hidden = true;
  startSession(panel, due.map(function (d) { return { card: d.card, stored: d.scenario.stored[d.card.id] }; }), {
    heading: "h2",
    opener: start,
    showContext: true,
    keep: function (card, state) {
      var s = loaded.find(function (x) { return x.id === card.scenarioId; });
      s.stored[card.id] = state;
      store.save(s.id, s.stored);
      showProblem();
    },
    onClose: function () {
      render();
      if (start.hidden) { status.focus(); }
    },
  });
});

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
    return gather();
  });
});

gather();
