"""Defects of the site found by hand (issue 15, point 5), in a real Chromium."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest

from scenariokit.build.run import build
from tests.helpers import REPO, require_chromium, serving

require_chromium()

from playwright.sync_api import Browser, Page  # noqa: E402

PROMPT_PAGE = "/scenarios/trattoria-dinner-rome/"
COPY = "button.copy"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The shipped library, built and served."""
    root = tmp_path_factory.mktemp("repo")
    for folder in ("schemas", "scenarios", "templates"):
        shutil.copytree(REPO / folder, root / folder)
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
