// Reloads the page when `scenarios serve` has built the site again, good build or failed.
// Only `scenarios serve` puts this on a page (with the build the page shows, in
// <meta name="scenariokit-build">); it is never part of a built site.

const shown = document.querySelector('meta[name="scenariokit-build"]');
const every = Number(shown?.dataset.poll) || 1000;

async function built() {
  const answer = await fetch("/__scenariokit/build", { cache: "no-store" });
  return answer.ok ? String((await answer.json()).build) : null;
}

async function poll() {
  let current = null;
  try {
    current = await built();
  } catch {
    // The server is stopped or restarting: ask again later.
  }
  if (current !== null && current !== shown?.content) {
    location.reload();
    return;
  }
  setTimeout(poll, every);
}

if (shown) setTimeout(poll, every);
