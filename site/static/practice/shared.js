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
