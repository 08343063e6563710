// A scenario page's Flashcards section: loads the scenario's cards from its API file,
// prunes the progress of cards that no longer exist, tells how many are due and new, and
// opens the study panel in the page. A session takes the cards due now (earliest first)
// and then up to NEW_PER_SESSION cards never studied.
import { scenarioCards, studiable } from "./cards.js";
import * as store from "./store.js";
import { isDue, dueTime, span } from "./schedule.js";
import { startSession } from "./study.js";
import { onVoices } from "../speech.js";
import { dueTimer, has, plural, showProblem } from "./shared.js";

export var NEW_PER_SESSION = 20;

// Due (earliest first) and new cards of `cards` given their stored progress.
export function sessionCards(cards, stored, now, newLimit) {
  var usable = studiable(cards);
  var due = usable.filter(function (c) { return has(stored, c.id) && isDue(stored[c.id], now); });
  due.sort(function (a, b) { return dueTime(stored[a.id]) - dueTime(stored[b.id]); });
  var fresh = usable.filter(function (c) { return !has(stored, c.id); });
  var later = usable.filter(function (c) { return has(stored, c.id) && !isDue(stored[c.id], now); })
    .map(function (c) { return dueTime(stored[c.id]); });
  return { due: due, fresh: fresh, take: due.concat(fresh.slice(0, newLimit)), next: later.length ? Math.min.apply(null, later) : null };
}

(function () {
  var section = document.getElementById("flashcards");
  if (!section) { return; }
  var scenarioId = section.getAttribute("data-scenario");
  var status = section.querySelector(".flashcards-status");
  var start = section.querySelector(".flashcards-start");
  var panel = section.querySelector(".study");
  var problem = section.querySelector(".flashcards-problem");
  var cards = [];
  var ids = new Set();
  var stored = Object.create(null);
  var studying = false;
  var nextDue = dueTimer(function () { if (!studying) { refresh(); } });

  // The stored progress of this scenario's cards (another tab may have added to it).
  function known(all) {
    var kept = Object.create(null);
    Object.keys(all).forEach(function (id) { if (ids.has(id)) { kept[id] = all[id]; } });
    return kept;
  }

  function refresh() {
    var now = new Date();
    var session = sessionCards(cards, stored, now, NEW_PER_SESSION);
    var text = plural(session.due.length, "card", "cards") + " due now, " + session.fresh.length + " new.";
    if (!session.take.length) {
      text += session.next ? " The next is due in " + span(now.getTime(), session.next) + "." : "";
    } else if (session.fresh.length > NEW_PER_SESSION) {
      text += " A session takes the due cards and " + NEW_PER_SESSION + " new ones.";
    }
    status.textContent = text;
    start.textContent = session.take.length ? "Start (" + plural(session.take.length, "card", "cards") + ")" : "Start";
    start.hidden = false;
    showProblem(problem, store.problem());
    nextDue(session.next);
  }

  start.addEventListener("click", function () {
    var session = sessionCards(cards, stored, new Date(), NEW_PER_SESSION);
    start.hidden = true;
    studying = true;
    startSession(panel, session.take.map(function (card) { return { card: card, stored: has(stored, card.id) ? stored[card.id] : null }; }), {
      heading: "h3",
      opener: start,
      keep: function (card, state) {
        stored = known(store.save(scenarioId, card.id, state).cards);
        showProblem(problem, store.problem());
      },
      onClose: function () {
        studying = false;
        refresh();
      },
    });
  });

  fetch(section.getAttribute("data-api"))
    .then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.json();
    })
    .then(function (scenario) {
      cards = scenarioCards(scenario, section.getAttribute("data-dir"));
      ids = new Set(cards.map(function (c) { return c.id; }));
      stored = store.prune(scenarioId, ids);
      refresh();
      onVoices(function () { if (!studying) { refresh(); } });  // listening cards, late
      // Another tab's grades: the counts follow (a session keeps its own queue).
      window.addEventListener("storage", function (event) {
        var changed = store.changed(event);
        if (changed !== null && changed !== scenarioId) { return; }
        stored = known(store.load(scenarioId));
        if (!studying) { refresh(); }
      });
    })
    .catch(function () {
      status.textContent = "The flashcards could not be loaded: reload the page to try again.";
    });
})();
