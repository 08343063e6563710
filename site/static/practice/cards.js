// Flashcards from a scenario's API file (api/scenarios/<id>.json): every key_vocabulary
// term and essential phrase of every phase gives up to three cards.
//
//   recognise  the words (target language) → their meaning      needs a translation
//   recall     the meaning → the words                          needs a translation, and
//              words the learner says: a partner's line (`speaker: partner`) is to
//              understand, never to produce (as in the Anki decks)
//   listen     the words spoken by speech synthesis → meaning   always (without a
//              translation the answer is the written words: the learner checks what they heard)
//
// A card's id is derived from the scenario, the phase, the kind and the entry's content
// (text, reading, translation): an entry changed in a new build gives a new card, and the
// progress kept for the old one no longer matches any card (and is pruned).
import { canSpeak } from "../speech.js";

export const KINDS = ["recognise", "recall", "listen"];

export const KIND_NAMES = {
  recognise: "Words → meaning",
  recall: "Meaning → words",
  listen: "Listening",
};

// cyrb53: a fast 53-bit string hash (public domain), as 14 hexadecimal digits. Not for
// secrets: it only has to tell a scenario's few hundred entries apart.
function hash(text) {
  var h1 = 0xdeadbeef;
  var h2 = 0x41c6ce57;
  for (var i = 0; i < text.length; i++) {
    var ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, "0");
}

export function cardId(scenarioId, phaseId, kind, text, reading, translation) {
  var content = JSON.stringify([scenarioId, phaseId, kind, text, reading || "", translation || ""]);
  return kind + "-" + hash(content);
}

function text(value) {
  return typeof value === "string" ? value.trim() : "";
}

// Every card of a scenario (listening cards included, whatever the browser can say), in
// study order: all recognition cards first, phase by phase, then recall, then listening,
// so a new card never follows its own entry's card of another direction. `direction` is
// the scenario's language's, "rtl" or "ltr", as the build wrote it in the page (never a
// rule of its own here: languages.py's `direction` is the one).
export function scenarioCards(scenario, direction) {
  var scenarioId = text(scenario && scenario.scenario_id);
  var language = text(scenario && scenario.language);
  var byKind = { recognise: [], recall: [], listen: [] };
  var seen = new Set();
  var phases = scenario && Array.isArray(scenario.phases) ? scenario.phases : [];
  phases.forEach(function (phase) {
    var phaseId = text(phase && phase.phase_id);
    var entries = [];
    (Array.isArray(phase.key_vocabulary) ? phase.key_vocabulary : []).forEach(function (e) {
      entries.push({ text: text(e && e.term), reading: text(e && e.reading), translation: text(e && e.translation), note: text(e && e.note), type: "word" });
    });
    (Array.isArray(phase.essential_phrases) ? phase.essential_phrases : []).forEach(function (e) {
      entries.push({ text: text(e && e.text), reading: text(e && e.reading), translation: text(e && e.translation), note: text(e && e.note), type: "phrase", heard: Boolean(e && e.speaker === "partner") });
    });
    entries.forEach(function (entry) {
      if (!entry.text) { return; }
      KINDS.forEach(function (kind) {
        if (kind !== "listen" && !entry.translation) { return; }
        if (kind === "recall" && entry.heard) { return; }
        var id = cardId(scenarioId, phaseId, kind, entry.text, entry.reading, entry.translation);
        if (seen.has(id)) { return; } // the same entry twice in a phase: one card
        seen.add(id);
        byKind[kind].push({
          id: id,
          kind: kind,
          scenarioId: scenarioId,
          scenarioTitle: text(scenario.title),
          phaseId: phaseId,
          phaseName: text(phase.name),
          language: language,
          dir: direction === "rtl" ? "rtl" : "ltr",
          text: entry.text,
          reading: entry.reading,
          translation: entry.translation,
          note: entry.note,
          type: entry.type,
        });
      });
    });
  });
  return byKind.recognise.concat(byKind.recall, byKind.listen);
}

// Listening cards are left out of sessions and counts where the browser cannot speak
// their language (speech.js): asked once a language, not once a card (the Review page
// counts every scenario's cards at each change).
export function studiable(cards) {
  var speaks = new Map();
  return cards.filter(function (card) {
    if (card.kind !== "listen") { return true; }
    if (!speaks.has(card.language)) { speaks.set(card.language, canSpeak(card.language)); }
    return speaks.get(card.language);
  });
}
