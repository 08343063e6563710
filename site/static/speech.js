// Speaking a scenario's words with the browser's speech synthesis, and whether it can.
// A browser can speak a language when it has the speech API and a voice for that language:
// another language's voice reads the words wrongly, and a browser without a speech engine
// (Debian's Chromium) has the API but no voice, and speaks nothing. Browsers list their
// voices late (Chrome after the page has loaded): `onVoices` tells when the list changes.

function primary(tag) {
  return String(tag || "").split(/[-_]/)[0].toLowerCase();
}

export function canSpeak(language) {
  if (typeof window === "undefined" || !("speechSynthesis" in window) ||
      typeof window.SpeechSynthesisUtterance !== "function") {
    return false;
  }
  var wanted = primary(language);
  return window.speechSynthesis.getVoices().some(function (voice) { return primary(voice.lang) === wanted; });
}

export function onVoices(callback) {
  if (typeof window !== "undefined" && "speechSynthesis" in window) {
    window.speechSynthesis.addEventListener("voiceschanged", callback);
  }
}

export function speak(text, language) {
  if (!canSpeak(language)) { return; }
  var utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = language;
  utterance.rate = 0.9;
  window.speechSynthesis.cancel();
  window.speechSynthesis.speak(utterance);
}
