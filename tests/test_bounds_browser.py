"""The site's search with the bounded index (issue 14), in Chromium.

The index keeps at most `MAX_WORD_LENGTH` characters of a word; search.js cuts a query's
words the same way, so a long word is found by its whole self as well as by its start.
Skipped without Debian's chromium, as tests/test_browser.py is.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scenariokit.build.run import build
from scenariokit.website.search_files import MAX_WORD_LENGTH
from tests.helpers import bench_module, dump, make_repo, require_chromium, serving, valid_doc

require_chromium()

from playwright.sync_api import Page  # noqa: E402

worst_case = bench_module("worst_case")
LONG_WORD = "Rechtsschutzversicherungsgesellschaftenkapitän"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A scenario with a word longer than the index keeps, and the worst file, served."""
    root = make_repo(tmp_path_factory.mktemp("repo"), {})
    doc = valid_doc() | {"title": f"Die {LONG_WORD} in Madrid"}
    (root / "scenarios" / "restaurant").mkdir(parents=True)
    (root / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml").write_text(dump(doc), "utf-8")
    worst_case.write_repository(root)
    served = tmp_path_factory.mktemp("served")
    build(root, served / "out")
    with serving(served / "out" / "site") as address:
        yield address


def found(tab: Page, site: str, query: str) -> list[str]:
    """The titles the home page's search shows for `query`, one scenario expected."""
    tab.goto(f"{site}/")
    tab.wait_for_selector("#results .card")
    tab.fill("#q", query)
    tab.wait_for_function("document.querySelector('#status').textContent === '1 scenario'")
    return tab.locator("#results .card h2").all_inner_texts()


@pytest.mark.parametrize("query", [LONG_WORD, LONG_WORD.lower()[:MAX_WORD_LENGTH], LONG_WORD[:12]])
def test_a_word_longer_than_the_index_keeps_is_found(site: str, page: Page, query: str) -> None:
    assert len(LONG_WORD) > MAX_WORD_LENGTH
    assert found(page, site, query) == [f"Die {LONG_WORD} in Madrid"]
    assert page.problems == []  # type: ignore[attr-defined]


def test_the_worst_file_is_found_by_its_title(site: str, page: Page) -> None:
    title = worst_case.worst_scenario(worst_case.scenario_id(0))["title"]
    word = title.split('"')[0]
    assert len(word) > MAX_WORD_LENGTH
    assert found(page, site, word) == [title]
    assert page.problems == []  # type: ignore[attr-defined]
