// Scenario pages: copy the role-play prompt (opening the block that shows it, so the learner
// sees exactly what was copied) or a command, and listen to words and phrases
// with the browser's speech synthesis in the scenario's language. Buttons stay hidden
// when the browser cannot do what they offer.
import { copyText } from "./clipboard.js";
import { canSpeak, onVoices, speak } from "./speech.js";

(function () {
  "use strict";
  var article = document.querySelector("article[data-language]");
  var language = article ? article.getAttribute("data-language") : "";

  // Each button's own label, kept from before the first click: a second click while it
  // says "Copied" must not take "Copied" for the label to put back.
  var labels = new Map();
  var timers = new Map();
  // What a copy did, said to screen readers too: a focused button's new text is not
  // announced, and on the templates page its name is its aria-label (WCAG 4.1.3).
  var said = document.createElement("p");
  said.className = "visually-hidden";
  said.setAttribute("role", "status");
  document.body.append(said);

  function copy(text, button, shown) {
    if (!labels.has(button)) { labels.set(button, button.textContent); }
    copyText(text).then(function (copied) {
      button.textContent = copied ? "Copied" : "Could not copy: select the text";
      said.textContent = "";  // emptied first: the same words said twice are announced twice
      setTimeout(function () {
        said.textContent = copied ? "Copied to the clipboard." : shown ? "Could not copy: the text is selected, to copy it yourself." : "Could not copy.";
      }, 50);
      if (!copied && shown) { window.getSelection().selectAllChildren(shown); }
      clearTimeout(timers.get(button));
      timers.set(button, setTimeout(function () {
        button.textContent = labels.get(button);
      }, copied ? 1500 : 4000));
    });
  }

  document.querySelectorAll("button.copy").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var target = button.getAttribute("data-copy-target");
      var shown = target ? document.getElementById(target) : null;
      var text = shown ? shown.textContent : button.getAttribute("data-copy");
      // The learner sees what was copied: the very text of the block it came from.
      var box = shown ? shown.closest("details") : null;
      if (box) { box.open = true; }
      copy(text, button, shown);
    });
  });

  // Readings (ruby over the words): shown unless the learner hides them, remembered.
  var readings = document.getElementById("show-readings");
  if (readings && article) {
    var stored = null;
    try { stored = localStorage.getItem("scenariokit-readings"); } catch (e) { /* storage off */ }
    readings.checked = stored !== "hidden";
    article.classList.toggle("no-readings", !readings.checked);
    readings.closest(".readings-switch").hidden = false;
    readings.addEventListener("change", function () {
      article.classList.toggle("no-readings", !readings.checked);
      try {
        localStorage.setItem("scenariokit-readings", readings.checked ? "shown" : "hidden");
      } catch (e) { /* storage off: for this page only */ }
    });
  }

  // Shown once the browser has a voice for the scenario's language (it may list them late).
  var listen = document.querySelectorAll("button.listen");
  listen.forEach(function (button) {
    button.addEventListener("click", function () { speak(button.getAttribute("data-say"), language); });
  });
  function showListen() {
    var can = Boolean(language) && canSpeak(language);
    listen.forEach(function (button) { button.hidden = !can; });
  }
  showListen();
  onVoices(showListen);
})();
