"""What learners type, and the scenarios each query must find, through the real home page
in Chromium over the shipped library (issue 15, points 1 and 6)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from scenariokit.build.run import build
from tests.helpers import library_copy, require_chromium, serving, shipped_ids

require_chromium()

from playwright.sync_api import Page, expect  # noqa: E402


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = library_copy(tmp_path_factory.mktemp("repo"))
    out = tmp_path_factory.mktemp("out") / "out"
    build(root, out)
    with serving(out / "site") as address:
        yield address


def _search(page: Page, site: str, query: str) -> list[str]:
    """Every scenario the home page finds for `query` (all its pages of results)."""
    page.goto(f"{site}/?q={query}")
    page.wait_for_function("document.getElementById('status').textContent !== ''")
    while page.locator("#more").is_visible():
        count = page.locator("#results .card").count()
        page.click("#more")
        page.wait_for_function(f"document.querySelectorAll('#results .card').length > {count}")
    links = page.locator("#results .card h2 a").all()
    return [str(a.get_attribute("href")).rstrip("/").rsplit("/", 1)[-1] for a in links]


# Each query and the scenarios it must find (all of them; others may come too).
QUERIES: dict[str, Callable[[], set[str]]] = {
    # a topic's name finds the whole topic, not only titles that say it
    "restaurant": lambda: shipped_ids(lambda d: d["category"] == "restaurant"),
    # a language's name
    "japanese": lambda: shipped_ids(lambda d: d["language"] == "ja"),
    # the ryokan says it is a hotel in its cultural context
    "hotel": lambda: {"ryokan-check-in-kyoto"},
    # a word of the cultural context (the Roman pharmacy's 'farmacia di turno')
    "farmacia": lambda: {"pharmacy-rome"},
    # a single kanji finds the word holding it (焼き鳥), as does the word
    "鳥": lambda: {"izakaya-evening-tokyo"},
    "焼き鳥": lambda: {"izakaya-evening-tokyo"},
    # a word and its translation
    "cuenta": lambda: {"tapas-bar-madrid"},
    "bill": lambda: {"tapas-bar-madrid", "trattoria-dinner-rome"},
    # a role
    "pharmacist": lambda: {"pharmacy-rome"},
}


@pytest.mark.parametrize("query", QUERIES)
def test_each_query_finds_its_scenarios(site: str, page: Page, query: str) -> None:
    expected = QUERIES[query]()
    assert expected
    found = _search(page, site, query)
    assert expected <= set(found), sorted(expected - set(found))
    assert page.problems == []  # type: ignore[attr-defined]


def test_words_too_short_are_said_not_searched(site: str, page: Page) -> None:
    assert _search(page, site, "ca") == []
    assert page.locator("#status").inner_text() == (
        "Too short to search: \u201cca\u201d. Type a word of three letters or more."
    )
    found = _search(page, site, "la cuenta")
    assert "tapas-bar-madrid" in found
    assert (
        page.locator("#status").inner_text().endswith("(not searched, too short: \u201cla\u201d)")
    )


def test_a_typo_gets_the_nearest_words_and_a_way_out_of_the_filters(site: str, page: Page) -> None:
    assert _search(page, site, "restarant") == []
    help_text = page.locator("#search-help")
    assert help_text.is_visible()
    assert "Did you mean" in help_text.inner_text()
    help_text.get_by_role("button", name="restaurant", exact=True).click()
    page.wait_for_function("document.getElementById('status').textContent !== '0 scenarios'")
    assert page.input_value("#q") == "restaurant"
    assert "q=restaurant" in page.url
    assert page.locator("#results .card").count() > 0

    page.goto(f"{site}/?q=ryokan&language=fr")
    page.wait_for_function("document.getElementById('status').textContent === '0 scenarios'")
    # "ryokan" is a word the index has: no "Did you mean", only the way out of the filters.
    assert "Did you mean" not in help_text.inner_text()
    page.get_by_role("button", name="Search all scenarios, without the filters").click()
    page.wait_for_function("document.getElementById('status').textContent === '1 scenario'")
    assert page.input_value("#language") == ""
    page.goto(f"{site}/?q=hotel&language=ja&difficulty=advanced")  # not "hot, hotter?"
    page.wait_for_function("document.getElementById('status').textContent === '0 scenarios'")
    expect(help_text.get_by_role("button")).to_have_text(
        ["Search all scenarios, without the filters"]
    )
    assert page.problems == []  # type: ignore[attr-defined]


def test_a_word_no_scenario_has_asks_for_no_missing_file(site: str, page: Page) -> None:
    """A query for words not in the index: no request fails (the console stays clean)."""
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    for query in ("zqxjv", "ñandúes", "Жжжжж", "鬱鬱", "ab zqxjv"):
        assert _search(page, site, query) == []
    assert failed == []
    assert page.problems == []  # type: ignore[attr-defined]


TAPAS = 'a[href="/scenarios/tapas-bar-madrid/"]'


def test_a_result_shows_the_entries_that_matched(site: str, page: Page) -> None:
    """Each card shows the scenario's first words or phrases holding a word searched for,
    with their translation, the words marked with their language."""
    _search(page, site, "cuenta")
    card = page.locator("#results .card", has=page.locator(TAPAS))
    card.locator(".matched li").first.wait_for()
    shown = card.locator(".matched li").all_inner_texts()
    assert 1 <= len(shown) <= 2
    assert all("cuenta" in line.casefold() for line in shown)
    assert "la cuenta \u2014 the bill" in shown
    assert card.locator(".matched span").first.get_attribute("lang") == "es"
    _search(page, site, "bill")  # by the translation too
    card = page.locator("#results .card", has=page.locator(TAPAS))
    card.locator(".matched li").first.wait_for()
    assert "la cuenta \u2014 the bill" in card.locator(".matched li").all_inner_texts()
    assert page.problems == []  # type: ignore[attr-defined]
