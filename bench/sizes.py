"""Page and download sizes on a generated corpus (issue 15, points 3 and 6).

    nice -n 19 python3 bench/sizes.py [--files 10000] [--corpus DIR] [--work DIR]

Generates `--files` scenarios with bench/generate.py (or takes the repository `--corpus`),
builds the site, and checks two limits:

- every HTML page of the site is under 150 KB;
- what loading the home page and running a first search downloads is under 200 KB: each
  case of `CASES` (the home page alone, a few queries, with and without a filter) is
  opened in a fresh browser context of Debian's Chromium, and the bodies of every response
  it gets until the network is idle are counted (the page, its CSS and scripts, the search
  files). A request to another host, or an error in the console, is a breach too. Under
  each case, its KB by kind of file (the page, its CSS and script; `search/`'s folders).

Prints a table and exits 1 on any breach. Not part of CI: at 10,000 scenarios the
generation and build take a few minutes on a shared 2-core machine. Chromium must be
installed.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from playwright.sync_api import Browser, Response, sync_playwright  # noqa: E402
from tests.helpers import serving  # noqa: E402

from generate import generate  # noqa: E402
from scenariokit.build.run import build  # noqa: E402

PAGE_LIMIT = 150 * 1024
DOWNLOAD_LIMIT = 200 * 1024
# (label, query, filter): filter is a select's name, its first value is chosen.
CASES: list[tuple[str, str, str]] = [
    ("home page", "", ""),
    ("home, language filter", "", "language"),
    ("restaurant", "restaurant", ""),
    ("cuenta", "cuenta", ""),
    ("la cuenta", "la cuenta", ""),
    ("鳥", "鳥", ""),
    ("restarant (typo)", "restarant", ""),
    ("the + language", "the", "language"),
    ("restaurant + category", "restaurant", "category"),
    ("cuenta + difficulty", "cuenta", "difficulty"),
]


def first_value(browser: Browser, address: str, select: str) -> str:
    page = browser.new_page()
    page.goto(f"{address}/")
    value = page.eval_on_selector(
        f"#{select}", "s => Array.from(s.options).map(o => o.value).find(Boolean) || ''"
    )
    page.close()
    return str(value)


def download(browser: Browser, address: str, search: str) -> tuple[dict[str, int], list[str], str]:
    """Each response's bytes, the foreign hosts and errors, and the status line, of opening
    `/?search` in a fresh context."""
    context = browser.new_context()
    page = context.new_page()
    bodies: dict[str, int] = {}
    foreign: list[str] = []
    errors: list[str] = []
    here = urlsplit(address).netloc

    def count(response: Response) -> None:
        if urlsplit(response.url).netloc != here:
            foreign.append(response.url)
        try:
            bodies[response.url] = len(response.body())
        except Exception:  # a redirect or an aborted fetch has no body
            bodies[response.url] = 0

    page.on("response", count)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{address}/{'?' + search if search else ''}")
    page.wait_for_function("document.getElementById('status').textContent !== ''")
    page.wait_for_load_state("networkidle")
    status = page.locator("#status").inner_text()
    context.close()
    return bodies, foreign + errors, status


def kinds(bodies: dict[str, int]) -> str:
    """Where the bytes went: KB by kind of file (`search/cards/…` is `cards`), largest first."""
    by_kind: dict[str, int] = {}
    for url, size in bodies.items():
        path = urlsplit(url).path
        kind = path.split("/search/")[1].split("/")[0] if "/search/" in path else "page"
        by_kind[kind] = by_kind.get(kind, 0) + size
    return ", ".join(
        f"{kind} {size / 1024:.0f}" for kind, size in sorted(by_kind.items(), key=lambda k: -k[1])
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10000)
    parser.add_argument("--corpus", type=Path, help="a repository to build instead")
    parser.add_argument("--work", type=Path, help="a folder to keep (default: a temporary one)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="sizes-bench-"))
    breaches = 0
    try:
        root = args.corpus
        if root is None:
            root = work / "corpus"
            if not (root / "scenarios").is_dir():
                started = time.perf_counter()
                generate(args.files, root)
                print(f"generated {args.files} scenarios in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        build(root, work / "out")
        print(f"built in {time.perf_counter() - started:.1f} s")
        site = work / "out" / "site"
        pages = sorted(
            ((p.stat().st_size, p.relative_to(site).as_posix()) for p in site.rglob("*.html")),
            reverse=True,
        )
        over = [(size, name) for size, name in pages if size >= PAGE_LIMIT]
        breaches += len(over)
        print(f"\nHTML pages: {len(pages)}, limit {PAGE_LIMIT // 1024} KB")
        print(f"{'largest pages':48} {'KB':>8}")
        for size, name in (over or pages[:5])[:20]:
            mark = "  OVER" if size >= PAGE_LIMIT else ""
            print(f"{name:48} {size / 1024:8.1f}{mark}")
        with serving(site) as address, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
            values = {
                name: first_value(browser, address, name) for name in {f for _, _, f in CASES if f}
            }
            print(f"\nHome page and first search, limit {DOWNLOAD_LIMIT // 1024} KB")
            print(f"{'case':26} {'address':34} {'requests':>8} {'KB':>8}  result")
            for label, query, select in CASES:
                params = [f"q={query}"] if query else []
                if select:
                    params.append(f"{select}={values[select]}")
                search = "&".join(params)
                bodies, problems, status = download(browser, address, search)
                size, requests = sum(bodies.values()), len(bodies)
                shown = "/?" + search if search else "/"
                bad = size >= DOWNLOAD_LIMIT or bool(problems)
                breaches += bad
                print(
                    f"{label:26} {shown:34} {requests:8} {size / 1024:8.1f}  "
                    f"{status[:30]}{'  OVER' if bad else ''}"
                )
                print(f"    {kinds(bodies)}")
                for problem in problems:
                    print(f"    {problem}")
            browser.close()
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\n{breaches} breach(es)" if breaches else "\nall within the limits")
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
