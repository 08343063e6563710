"""Defects of the site found by hand (issue 15, point 5), in a real Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import yaml

from scenariokit.build.run import build
from tests.helpers import REPO, axe_violations, library_copy, require_chromium, serving, shipped_ids

require_chromium()

from playwright.sync_api import Browser, Page, expect  # noqa: E402

PROMPT_PAGE = "/scenarios/trattoria-dinner-rome/"
COPY = "button.copy"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The shipped library, built and served."""
    root = library_copy(tmp_path_factory.mktemp("repo"))
    out = tmp_path_factory.mktemp("served") / "out"
    build(root, out)
    with serving(out / "site") as address:
        yield address


def _copy_page(browser: Browser, site: str, *, works: bool) -> Page:
    """The prompt's page with a clock the test drives, and a clipboard that takes the text
    at once (`works`) or that refuses both ways of copying, as a locked-down browser does:
    the page's own code is what is tested, in a known order."""
    page = browser.new_context().new_page()
    page.clock.install()
    refused = "Promise.reject(new DOMException('denied', 'NotAllowedError'))"
    page.add_init_script(f"""
        Object.defineProperty(navigator, "clipboard", {{value: {{
            writeText: (text) => {{ window.copied = text; return {
        "Promise.resolve()" if works else refused
    }; }},
        }}}});
        document.execCommand = () => false;
    """)
    page.goto(site + PROMPT_PAGE)
    return page


def test_copy_twice_quickly_comes_back_to_its_label(site: str, browser: Browser) -> None:
    page = _copy_page(browser, site, works=True)
    button = page.locator(COPY)
    label = button.inner_text()
    button.click()
    page.wait_for_function("document.querySelector('button.copy').textContent === 'Copied'")
    page.clock.run_for(500)
    button.click()  # while it says "Copied"
    page.clock.run_for(500)
    assert button.inner_text() == "Copied"
    page.clock.run_for(2000)
    assert button.inner_text() == label
    assert page.evaluate("window.copied") == page.locator("#prompt").inner_text()
    # Said to screen readers too, in a status region (a button's new text is not).
    expect(page.locator("body > p[role=status]")).to_have_text("Copied to the clipboard.")
    page.context.close()


def test_a_copy_that_failed_says_so_and_selects_the_prompt(site: str, browser: Browser) -> None:
    page = _copy_page(browser, site, works=False)
    button = page.locator(COPY)
    label = button.inner_text()
    button.click()
    page.wait_for_function(
        "document.querySelector('button.copy').textContent.startsWith('Could not copy')"
    )
    assert "Copied" not in button.inner_text()
    selected = page.evaluate("String(window.getSelection())")
    assert selected == page.locator("#prompt").inner_text()
    assert selected.startswith("This is a role-play for practising Italian.")
    page.clock.run_for(100)
    expect(page.locator("body > p[role=status]")).to_have_text(
        "Could not copy: the text is selected, to copy it yourself."
    )
    page.clock.run_for(5000)
    assert button.inner_text() == label
    page.context.close()


def _luminance(colour: str) -> float:
    """The relative brightness (0 to 1) of a computed `rgb(…)` colour."""
    red, green, blue = (int(n) for n in re.findall(r"\d+", colour)[:3])
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255


def test_printing_in_dark_mode_prints_dark_on_white(site: str, browser: Browser) -> None:
    """A learner whose system is dark prints a scenario: black on white, the cards and
    the prompt's box too, not the dark theme's colours."""
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(site + PROMPT_PAGE)
    probe = """() => ['body', '.phase', '#prompt', '.entries dd']
        .map(s => getComputedStyle(document.querySelector(s)))
        .map(style => [style.color, style.backgroundColor])"""
    screen = page.evaluate(probe)
    assert _luminance(screen[0][1]) < 0.2  # the dark theme on screen
    page.emulate_media(media="print")
    for colour, background in page.evaluate(probe):
        assert _luminance(colour) < 0.3
        assert background in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")
    context.close()


def _shown(page: Page) -> list[str]:
    """The addresses of the result cards the home page shows, once the count is up."""
    page.wait_for_function("document.getElementById('status').textContent.includes('scenario')")
    return [
        str(link.get_attribute("href")).rstrip("/").rsplit("/", 1)[-1]
        for link in page.locator("#results .card h2 a").all()
    ]


def test_a_language_takes_in_its_regional_variants(site: str, page: Page) -> None:
    """German is de and de-AT, Spanish es, es-AR and es-MX: each variant also on its own,
    under its language, and shown on the cards."""
    page.goto(site + "/")
    german_ids = shipped_ids(lambda d: d["language"].split("-")[0] == "de")
    austrian = shipped_ids(lambda d: d["language"] == "de-AT")
    assert austrian < german_ids
    options = page.locator("#language option").all_inner_texts()
    german = next(n for n, o in enumerate(options) if o.startswith("German ("))
    assert options[german] == f"German ({len(german_ids)})"
    assert options[german + 1].strip() == f"German (Austria) ({len(austrian)})"
    page.select_option("#language", "de")
    assert "language=de" in page.url
    # The count of the filter's search, not the home page's before it.
    page.wait_for_function(
        f"document.getElementById('status').textContent === '{len(german_ids)} scenarios'"
    )
    shown = _shown(page)
    while page.locator("#more").is_visible():
        page.click("#more")
    page.wait_for_function(
        f"document.querySelectorAll('#results .card').length >= {len(german_ids)}"
    )
    shown = _shown(page)
    assert set(shown) == german_ids
    page.goto(site + "/?language=es")
    spanish = set(_shown(page))
    assert {"es", "es-AR", "es-MX"} <= {
        yaml.safe_load(next((REPO / "scenarios").rglob(f"{i}.yaml")).read_text())["language"]
        for i in spanish
    }
    page.goto(site + "/?language=es-AR")
    assert "Spanish (Argentina)" in page.locator("#results .card .meta").first.inner_text()
    # The home page counts languages, not tags; each language's page leads to its variants'.
    primaries = {
        yaml.safe_load(path.read_text("utf-8"))["language"].split("-")[0]
        for path in (REPO / "scenarios").rglob("*.yaml")
    }
    page.goto(site + "/")
    assert f"scenarios in {len(primaries)} languages." in page.locator(".lead").inner_text()
    page.goto(site + "/languages/es/")
    related = page.locator(".related")
    expect(related).to_have_text(re.compile(r"^More Spanish: Spanish \(Argentina\) \(\d+\), "))
    related.get_by_role("link", name="Spanish (Argentina)").click()
    expect(page.locator("h1")).to_have_text("Scenarios in Spanish (Argentina)")
    page.locator(".related").get_by_role("link", name=re.compile(r"^Spanish \(\d+\)$")).click()
    expect(page.locator("h1")).to_have_text("Scenarios in Spanish")
    page.goto(site + "/languages/ja/")
    expect(page.locator(".related")).to_have_count(0)
    assert page.problems == []  # type: ignore[attr-defined]


def test_levels_read_the_same_and_go_from_easiest(site: str, page: Page) -> None:
    page.goto(site + "/")
    levels = [o.split(" (")[0] for o in page.locator("#difficulty option").all_inner_texts()]
    assert levels == ["All levels", "Beginner", "Intermediate", "Advanced"]
    page.goto(site + "/?difficulty=intermediate")
    _shown(page)
    meta = page.locator("#results .card .meta").first.inner_text()
    assert "Intermediate" in meta
    assert "intermediate" not in meta
    page.goto(site + "/categories/restaurant/")
    listed = page.locator(".card .meta").all_inner_texts()
    assert listed
    assert all(re.search(r"· (Beginner|Intermediate|Advanced)\b", m) for m in listed)


def test_show_more_keeps_the_keyboard_on_the_results(site: str, page: Page) -> None:
    """Enter on "Show more" puts the focus on the first scenario it added, including
    when those were the last ones and the button hides itself."""
    page.goto(site + "/")
    first = _shown(page)
    page.focus("#more")
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelectorAll('#results .card').length > {len(first)}")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == page.locator("#results .card h2 a").nth(len(first)).get_attribute("href")
    while page.locator("#more").is_visible():
        count = page.locator("#results .card").count()
        page.focus("#more")
        page.keyboard.press("Enter")
        page.wait_for_function(f"document.querySelectorAll('#results .card').length > {count}")
    assert page.evaluate("document.activeElement.closest('#results') !== null")


def test_back_from_a_result_finds_the_list_as_it_was(site: str, page: Page) -> None:
    """Back from the 23rd result of "Show more": the 25 results again, with that one where
    it was on the screen, not the first 20 from the top of the page."""
    page.goto(site + "/?q=bill")
    page.wait_for_selector("#results .card")
    page.click("#more")
    page.wait_for_function("document.querySelectorAll('#results .card').length > 20")
    count = page.locator("#results .card").count()
    chosen = page.locator("#results .card h2 a").nth(22)
    href = chosen.get_attribute("href")
    chosen.scroll_into_view_if_needed()
    page.mouse.wheel(0, 100)
    page.wait_for_timeout(400)  # at rest: where the page is, kept
    assert page.evaluate("window.scrollY") > 500
    where = chosen.evaluate("a => a.getBoundingClientRect().top")
    chosen.click()
    page.wait_for_url(f"**{href}")
    page.go_back()
    page.wait_for_function(f"document.querySelectorAll('#results .card').length === {count}")
    page.wait_for_function(
        "([n, y]) => Math.abs(document.querySelectorAll('#results .card h2 a')[n]"
        ".getBoundingClientRect().top - y) < 5",
        arg=[22, where],
    )
    assert page.input_value("#q") == "bill"
    assert page.problems == []  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("path", "current", "how"),
    [
        ("/", "Scenarios", "page"),
        ("/categories/", "Topics", "page"),
        ("/categories/restaurant/", "Topics", "true"),
        ("/languages/", "Languages", "page"),
        ("/languages/ja/", "Languages", "true"),
        ("/templates/", "Templates", "page"),
        ("/builder/", "Write", "page"),
        ("/review/", "Review", "page"),
        (PROMPT_PAGE, "Scenarios", "true"),
    ],
)
def test_the_nav_marks_where_the_learner_is(
    site: str, page: Page, path: str, current: str, how: str
) -> None:
    """The section's own page is the current page; a page inside it is in the current
    section (`aria-current="true"`), which screen readers announce, and it looks marked."""
    page.goto(site + path)
    marked = page.locator("header.site nav a[aria-current]")
    assert marked.all_inner_texts() == [current]
    assert marked.get_attribute("aria-current") == how
    weights = page.eval_on_selector_all(
        "header.site nav a", "links => links.map(a => getComputedStyle(a).fontWeight)"
    )
    assert sorted(set(weights)) == ["400", "700"]


def test_the_404_page_leads_back_into_the_site(site: str, page: Page) -> None:
    """`404.html`, which static hosts show for a missing address: its links start at the
    site's root, so they work from any depth; axe finds nothing."""
    page.goto(site + "/404.html")
    assert page.locator("h1").inner_text() == "Page not found"
    assert axe_violations(page) == []
    page.get_by_role("link", name="Browse by topic").click()
    page.wait_for_url(site + "/categories/")
    assert page.problems == []  # type: ignore[attr-defined]


def _contrast(one: str, other: str) -> float:
    """WCAG's contrast ratio of two computed `rgb(…)` colours."""

    def luminance(colour: str) -> float:
        channels = [int(n) / 255 for n in re.findall(r"\d+", colour)[:3]]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_focus_rings_fields_and_placeholders_stand_out(
    site: str, browser: Browser, scheme: str
) -> None:
    """3:1 for the focus ring and a field's border, 4.5:1 for the placeholder (WCAG 1.4.11,
    1.4.3): the light theme's ring was 1.64:1, the fields' borders 1.38:1, and the dark
    theme's placeholder 3.94:1 (found by a hostile review)."""
    page = browser.new_context(color_scheme=scheme).new_page()  # type: ignore[arg-type]
    page.goto(site + "/")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    search = page.locator("input[type=search]")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    ring = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    assert _contrast(ring, background) >= 3
    assert _contrast(search.evaluate("e => getComputedStyle(e).borderColor"), background) >= 3
    placeholder = search.evaluate("e => getComputedStyle(e, '::placeholder').color")
    field = search.evaluate("e => getComputedStyle(e).backgroundColor")
    assert _contrast(placeholder, field) >= 4.5
    page.context.close()


def test_the_templates_pages_controls_are_told_apart(site: str, page: Page) -> None:
    """Ten links "Start from this template" and ten buttons "Copy command" could not be
    told apart in a screen reader's list of controls (found by a hostile review)."""
    page.goto(site + "/templates/")
    links = page.get_by_role("link", name=re.compile("^Start from this template"))
    buttons = page.get_by_role("button", name=re.compile("^Copy the command"))
    names = [e.get_attribute("aria-label") for e in (*links.all(), *buttons.all())]
    assert len(names) == 20
    assert len(set(names)) == 20
    assert "Start from this template: " in (names[0] or "")
