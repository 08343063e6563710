// Small helpers shared by the practice modules.

// "1 card", "3 cards".
export function plural(count, one, many) {
  return count + " " + (count === 1 ? one : many);
}

// A plain JSON object (not null, not an array).
export function isRecord(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

// Whether `key` is `record`'s own property (never one inherited, such as "constructor").
export function has(record, key) {
  return Boolean(record) && Object.prototype.hasOwnProperty.call(record, key);
}

// Shows `message` in the `node` set aside for storage problems, or hides it when empty.
export function showProblem(node, message) {
  node.textContent = message;
  node.hidden = !message;
}

// A timer that calls `callback` when the next card comes due: the counts must change while
// the page stays open, as FSRS's learning steps are minutes. The function it returns sets
// it anew to a time (ms since 1970), or cancels it (null). A hidden tab's timers are slowed,
// so the callback also runs when the tab is shown again.
export function dueTimer(callback) {
  var timer = null;
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { callback(); }
  });
  return function (time) {
    window.clearTimeout(timer);
    timer = time === null ? null : window.setTimeout(callback, Math.min(Math.max(time - Date.now(), 0) + 250, 2147483647));
  };
}
