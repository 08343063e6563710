// The study panel: shows one card at a time, reveals its answer, takes the learner's grade
// (Again / Hard / Good / Easy) and hands the card's new FSRS state to `keep`. Used by the
// scenario pages and the Review page.
//
// Keyboard: Space or Enter reveals, 1–4 grade, Escape ends the session; only while focus
// is in the study panel or on nothing (the page's body), never in a form field, and a
// focused button keeps its own Space and Enter: a link, a summary or a field elsewhere in
// the page keeps every key.
// Focus: the Show answer button (described by the card's number and its prompt: what a
// screen reader says of each card), then the answer, then the next card's button; at the
// end the summary's Close button, and back to what opened the panel. The live region tells
// only what focus does not: the grade's next review, and the session's end.
import { KIND_NAMES } from "./cards.js";
import { GRADES, grade, preview, span, dueTime } from "./schedule.js";
import { plural } from "./shared.js";
import { speak } from "../speech.js";

function el(tag, attributes, children) {
  var node = document.createElement(tag);
  Object.keys(attributes || {}).forEach(function (name) {
    if (name === "text") { node.textContent = attributes.text; } else { node.setAttribute(name, attributes[name]); }
  });
  (children || []).forEach(function (child) { if (child) { node.append(child); } });
  return node;
}

// The words in the scenario's language (and direction, when right-to-left: the page stays
// left-to-right), with their reading as ruby where there is one, unless `bare`; a reading
// (Latin letters under Arabic) takes the direction of its own text, as on the scenario page.
function words(card, tag, bare) {
  var node = el(tag || "span", card.dir === "rtl" ? { lang: card.language, dir: "rtl", class: "study-words" } : { lang: card.language, class: "study-words" });
  if (card.reading && !bare) {
    var reading = el("rt", card.dir === "rtl" ? { dir: "auto", text: card.reading } : { text: card.reading });
    node.append(el("ruby", {}, [card.text, el("rp", { text: " (" }), reading, el("rp", { text: ")" })]));
  } else {
    node.textContent = card.text;
  }
  return node;
}

function playButton(card, label) {
  var button = el("button", { type: "button", class: "play", text: label });
  button.addEventListener("click", function () { speak(card.text, card.language); });
  return button;
}

function isFormField(target) {
  return Boolean(target) && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

var counter = 0;

// Starts a session in `panel` (an empty element, hidden until now) over `items`
// ([{card, stored}], stored null for a new card). options: heading (its level, "h3"),
// keep(card, stored) to save a graded card, onClose(reviewed) when the learner closes,
// opener (the element focus returns to), showContext (the scenario and phase on each card).
export function startSession(panel, items, options) {
  var id = "study-" + (++counter);
  var queue = items.slice();
  var position = 0;
  var reviewed = 0;
  var revealed = false;
  var current = null;
  var live = el("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  var title = el(options.heading || "h3", { id: id + "-title", text: "Studying" });
  var progress = el("p", { class: "study-progress", id: id + "-progress" });
  var body = el("div", { class: "study-card" });
  var controls = el("div", { class: "study-controls" });
  var keys = el("p", { class: "study-keys", text: "Keys: Space or Enter shows the answer; 1 Again, 2 Hard, 3 Good, 4 Easy; Esc ends the session." });
  var end = el("button", { type: "button", class: "study-end", text: "End session" });

  panel.replaceChildren(title, progress, body, controls, keys, el("p", {}, [end]), live);
  panel.setAttribute("role", "region");
  panel.setAttribute("aria-labelledby", title.id);
  panel.hidden = false;

  function announce(message) {
    // Emptied first, so that the same words said twice are announced twice.
    live.textContent = "";
    window.setTimeout(function () { live.textContent = message; }, 50);
  }

  function show() {
    revealed = false;
    current = queue[position];
    var card = current.card;
    var promptId = id + "-prompt";
    progress.textContent = "Card " + (position + 1) + " of " + queue.length + (reviewed ? " · " + reviewed + " graded" : "");
    var prompt = el("div", { class: "study-prompt", id: promptId });
    prompt.append(el("p", { class: "study-kind", text: KIND_NAMES[card.kind] + (current.stored ? "" : " · new") }));
    if (options.showContext) {
      prompt.append(el("p", { class: "study-context", text: card.scenarioTitle + " · " + card.phaseName }));
    }
    if (card.kind === "recognise") {
      // The words alone, as in Anki's Recognise card: reading them is part of knowing them,
      // and ruby over them gave the reading away (the answer shows it).
      prompt.append(words(card, "p", true));
    } else if (card.kind === "recall") {
      prompt.append(el("p", { class: "study-meaning", text: card.translation }));
      prompt.append(el("p", { class: "study-ask", text: "Say it in the scenario's language." }));
    } else {
      prompt.append(el("p", { class: "study-ask", text: card.translation ? "Listen, then recall what it means." : "Listen, then recall the words." }));
      prompt.append(el("p", {}, [playButton(card, "Play again")]));
    }
    var reveal = el("button", { type: "button", class: "reveal", "aria-describedby": progress.id + " " + promptId, text: "Show answer" });
    reveal.addEventListener("click", showAnswer);
    body.replaceChildren(prompt);
    controls.replaceChildren(reveal);
    reveal.focus();
    if (card.kind === "listen") { speak(card.text, card.language); }
  }

  function showAnswer() {
    if (revealed || !current) { return; }
    revealed = true;
    var card = current.card;
    var answer = el("div", { class: "study-answer", tabindex: "-1", role: "group", "aria-label": "Answer" });
    if (card.kind === "recognise") {
      // The reading is part of the answer, whether the page shows readings or not.
      if (card.reading) { answer.append(el("p", { class: "study-reading", lang: card.language, dir: "auto", text: card.reading })); }
      answer.append(el("p", { class: "study-meaning", text: card.translation }));
    } else {
      answer.append(words(card, "p"));
      if (card.translation && card.kind === "listen") { answer.append(el("p", { class: "study-meaning", text: card.translation })); }
      if (card.kind === "recall") { answer.append(el("p", {}, [playButton(card, "Listen")])); }
    }
    if (card.note) { answer.append(el("p", { class: "study-note", text: card.note })); }
    body.append(answer);
    var now = new Date();
    var next = preview(current.stored, now);
    var group = el("div", { class: "grades", role: "group", "aria-label": "How well did you remember it?" });
    GRADES.forEach(function (g) {
      var button = el("button", { type: "button", class: "grade grade-" + g.name.toLowerCase(), "data-rating": String(g.rating) }, [
        el("span", { class: "grade-name", text: g.name }),
        " ",
        el("span", { class: "grade-when", text: span(now.getTime(), dueTime(next[g.rating])) }),
      ]);
      button.addEventListener("click", function () { gradeWith(g); });
      group.append(button);
    });
    controls.replaceChildren(group);
    answer.focus();
  }

  function gradeWith(g) {
    if (!revealed || !current) { return; }
    var now = new Date();
    var stored = grade(current.stored, g.rating, now);
    options.keep(current.card, stored);
    reviewed += 1;
    var when = span(now.getTime(), dueTime(stored));
    if (g.name === "Again") {
      queue.push({ card: current.card, stored: stored }); // once more in this session
    }
    position += 1;
    if (position < queue.length) {
      show();
      announce(g.name + ": next review in " + when + ".");
    } else {
      finish(g.name + ": next review in " + when + ". ");
    }
  }

  function finish(prefix) {
    current = null;
    progress.textContent = "";
    var summary = plural(reviewed, "card", "cards") + " graded.";
    body.replaceChildren(el("p", { class: "study-done", text: "Session done: " + summary + " Your progress is kept in this browser." }));
    var close = el("button", { type: "button", class: "study-close", text: "Close" });
    close.addEventListener("click", stop);
    controls.replaceChildren(close);
    end.parentNode.hidden = true;
    keys.hidden = true;
    close.focus();
    announce((prefix || "") + "Session done: " + summary);
  }

  function stop() {
    document.removeEventListener("keydown", onKey);
    panel.hidden = true;
    panel.replaceChildren();
    if (options.onClose) { options.onClose(reviewed); }
    if (options.opener && document.contains(options.opener) && !options.opener.hidden) { options.opener.focus(); }
  }

  function onKey(event) {
    var target = event.target;
    var ours = target === document.body || target === document.documentElement || panel.contains(target);
    if (!ours || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isFormField(target)) { return; }
    if (event.key === "Escape") {
      event.preventDefault();
      stop();
      return;
    }
    if (!current) { return; }
    if (!revealed && (event.key === " " || event.key === "Enter")) {
      if (target.tagName === "BUTTON") { return; } // its own click
      event.preventDefault();
      showAnswer();
      return;
    }
    // A grade only from within the panel: with focus on nothing, a stray key (or a speech
    // input's "one") would record it unseen (WCAG 2.1.4). Revealing the answer changes
    // nothing, and moves focus into the panel, where the grade keys then work.
    if (revealed && panel.contains(target)) {
      var chosen = GRADES.find(function (g) { return g.key === event.key; });
      if (chosen) {
        event.preventDefault();
        gradeWith(chosen);
      }
    }
  }

  end.addEventListener("click", stop);
  document.addEventListener("keydown", onKey);
  if (queue.length) { show(); } else { finish(""); }
  return { stop: stop };
}
