"""The site's search against Pagefind's, on the same pages and the same queries.

    python3 bench/search.py [--corpus DIR]

Builds the starter library (or `--corpus`, a repository such as `bench/work/corpus`) into
a temporary folder, indexes its scenario pages with Pagefind (`pagefind[extended]`, the
bench extra), serves the site, and runs each query of `QUERIES` in Debian's Chromium
through both: our search by its own page (`/?q=`), Pagefind by its JavaScript API. Prints
per query and tool how many scenarios were found, the first ones, and the bytes the
browser fetched for it (the search files, or Pagefind's scripts, WebAssembly, index and
fragments); then each tool's index build time and size. Chromium must be installed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, Response, sync_playwright  # noqa: E402
from tests.helpers import library_copy, serving  # noqa: E402

from scenariokit.build.run import build  # noqa: E402

# What learners type (issue 15): topic names, a place, a word in the target language, a
# single kanji and a word of two, a short word, a typo, an English meaning.
QUERIES = [
    "restaurant",
    "hotel",
    "ryokan",
    "farmacia",
    "pharmacy",
    "鳥",
    "切符",
    "焼き鳥",
    "ca",
    "restarant",
    "cuenta",
    "la cuenta",
    "bill",
    "doctor",
    "train",
]


def _ours(page: Page, address: str, query: str) -> tuple[int, list[str]]:
    page.goto(f"{address}/?q={query}")
    page.wait_for_function("document.getElementById('status').textContent !== ''")
    page.wait_for_load_state("networkidle")
    said = page.locator("#status").inner_text().split()[0]  # "12 scenarios", "Too short…"
    count = int(said) if said.isdigit() else 0
    links = page.locator("#results .card h2 a").all()
    return count, [str(a.get_attribute("href")).rstrip("/").rsplit("/", 1)[-1] for a in links]


def _pagefind(page: Page, address: str, query: str) -> tuple[int, list[str]]:
    found = page.evaluate(
        """async (query) => {
            const pagefind = await import('/pagefind/pagefind.js');
            await pagefind.init();
            const search = await pagefind.search(query);
            const shown = await Promise.all(search.results.slice(0, 20).map(r => r.data()));
            return [search.results.length, shown.map(d => d.url)];
        }""",
        query,
    )
    return found[0], [u.rstrip("/").rsplit("/", 1)[-1] for u in found[1]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, help="a repository (default: the starter library)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="search-bench-", dir="/dev/shm"))
    try:
        root = args.corpus or library_copy(work / "repo")
        started = time.perf_counter()
        build(root, work / "out")
        ours_build = time.perf_counter() - started
        site = work / "out" / "site"
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pagefind", "--site", str(site), "--glob",
             "scenarios/**/*.html", "--silent"],
            check=True,
        )  # fmt: skip
        pagefind_build = time.perf_counter() - started
        with serving(site) as address, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
            page = browser.new_page()
            fetched: dict[str, int] = {}

            def count(response: Response) -> None:
                try:
                    fetched[response.url] = len(response.body())
                except Exception:  # a redirect or an aborted fetch has no body
                    fetched[response.url] = 0

            page.on("response", count)
            tools: dict[str, tuple[str, Callable[[Page, str, str], tuple[int, list[str]]]]] = {
                "ours": ("/search/", _ours),
                "pagefind": ("/pagefind/", _pagefind),
            }
            for query in QUERIES:
                for name, (folder, run) in tools.items():
                    page.goto(f"{address}/404.html")  # a page without a search of its own
                    fetched.clear()
                    found, first = run(page, address, query)
                    size = sum(n for url, n in fetched.items() if folder in url)
                    print(
                        f"{query!r:13} {name:9} {found:4} found {size / 1024:7.1f} KB  {first[:5]}"
                    )
            browser.close()
        sizes = {
            "ours": sum(p.stat().st_size for p in (site / "search").rglob("*") if p.is_file()),
            "pagefind": sum(
                p.stat().st_size for p in (site / "pagefind").rglob("*") if p.is_file()
            ),
        }
        print(f"ours: whole build {ours_build:.2f} s, search files {sizes['ours'] / 1e6:.1f} MB")
        print(f"pagefind: index {pagefind_build:.2f} s, files {sizes['pagefind'] / 1e6:.1f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
