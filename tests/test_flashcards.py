"""Flashcards on the scenario pages and the Review page, in real headless Chromium.

The scheduling is ts-fsrs's (vendored unchanged); the clock is Playwright's, driven from
the test, never waited on. Progress lives in the browser's localStorage only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, FilePayload, Page, expect

from scenariokit.build.run import build
from tests.helpers import REPO, axe_violations, dump, make_repo, serving, valid_doc

VENDOR = REPO / "site" / "static" / "vendor" / "ts-fsrs"
PRACTICE = VENDOR.parents[1] / "practice"


def test_the_vendored_scheduler_is_the_published_one() -> None:
    """Every vendored file is listed in VENDOR.json with its hash: what the site serves is
    the npm tarball's ESM build, unchanged, beside its license."""
    vendor = json.loads((VENDOR / "VENDOR.json").read_text(encoding="utf-8"))
    assert vendor["name"] == "ts-fsrs"
    assert vendor["license"] == "MIT"
    assert vendor["version"].startswith("5.")
    assert vendor["source"] == (
        f"https://registry.npmjs.org/ts-fsrs/-/ts-fsrs-{vendor['version']}.tgz"
    )
    present = {
        path.relative_to(VENDOR).as_posix()
        for path in VENDOR.rglob("*")
        if path.is_file() and path.name != "VENDOR.json"
    }
    assert set(vendor["files"]) == present == {"LICENSE", "dist/index.mjs"}
    for name, digest in vendor["files"].items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    assert "MIT License" in (VENDOR / "LICENSE").read_text(encoding="utf-8")


IMPORT = re.compile(r"""^\s*(?:import|export)\b[^'"]*?\bfrom\s+["']([^"']+)["']""", re.M)


def test_the_flashcard_modules_import_only_files_that_are_there() -> None:
    """Each import of the practice modules and of the vendored build names a file beside
    them (relative, no package name and no other host): they load as static files."""
    checked = 0
    for path in [*PRACTICE.glob("*.js"), *VENDOR.rglob("*.mjs")]:
        for target in IMPORT.findall(path.read_text(encoding="utf-8")):
            assert target.startswith("."), (path, target)
            assert (path.parent / target).resolve().is_file(), (path, target)
            checked += 1
    assert checked >= 7  # the practice modules' own imports, at least


# --- in the browser ----------------------------------------------------------------------

T0 = dt.datetime(2030, 1, 7, 9, 0, tzinfo=dt.UTC)
DAY = 86_400_000  # ms
KYOTO = "ryokan-check-in-kyoto"  # Japanese, with readings: 24 entries, 72 cards


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The repository's own scenarios, built and served on 127.0.0.1 under /sub/."""
    served = tmp_path_factory.mktemp("served")
    build(REPO, served / "out", base_url="/sub/")
    (served / "out" / "site").rename(served / "sub")
    with serving(served) as address:
        yield f"{address}/sub"


def small_doc(*, changed: bool = False) -> dict[str, Any]:
    """The tapas scenario cut to two phases of 13 entries, one without a translation (so
    37 cards: 12 to recognise, 12 to recall, 13 to listen to). `changed`: "la mesa" means
    something else and "la cuenta" is gone (12 entries, 34 cards)."""
    doc = valid_doc()
    doc["phases"] = doc["phases"][:2]
    vocabulary = [
        {"term": "la barra", "translation": "the bar counter"},
        {"term": "la mesa", "translation": "the table"},
        {"term": "la cuenta", "translation": "the bill"},
        {"term": "el camarero"},
    ]
    if changed:
        vocabulary[1]["translation"] = "the dining table"
        del vocabulary[2]
    doc["phases"][0]["key_vocabulary"] = vocabulary
    doc["phases"][0]["essential_phrases"] = doc["phases"][0]["essential_phrases"][:3]
    doc["phases"][1]["key_vocabulary"] = doc["phases"][1]["key_vocabulary"][:3]
    doc["phases"][1]["essential_phrases"] = doc["phases"][1]["essential_phrases"][:3]
    return doc


def build_small(root: Path, out: Path, *, changed: bool = False) -> None:
    make_repo(
        root, {"scenarios/restaurant/tapas-bar-madrid.yaml": dump(small_doc(changed=changed))}
    )
    build(root, out, base_url="/")


@pytest.fixture(scope="module")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("small")
    build_small(root / "repo", root / "out")
    with serving(root / "out" / "site") as address:
        yield address


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    context.set_default_timeout(10_000)
    yield context
    context.close()


def open_page(context: BrowserContext, url: str, *, at: dt.datetime = T0) -> Page:
    """A tab whose clock the test drives, starting at `at`; errors collected in `problems`."""
    page = context.new_page()
    problems: list[str] = []
    page.problems = problems  # type: ignore[attr-defined]
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.clock.install(time=at)
    page.goto(url)
    return page


def status(page: Page) -> str:
    """The Flashcards section's count, once the cards are loaded."""
    page.wait_for_selector(".flashcards-start:not([hidden])")
    return page.locator(".flashcards-status").inner_text()


def stored(page: Page, scenario: str) -> dict[str, Any]:
    raw = page.evaluate(f"localStorage.getItem('scenariokit-cards:{scenario}')")
    if raw is None:
        return {}
    cards: dict[str, Any] = json.loads(raw)["cards"]
    return cards


def grade_with_keys(page: Page, keys: str) -> None:
    """Reveal each card with Space and grade it with one key of `keys` (1 to 4)."""
    for key in keys:
        expect(page.locator(".study .reveal")).to_be_focused()
        page.keyboard.press("Space")
        expect(page.locator(".study-answer")).to_be_focused()
        page.keyboard.press(key)


def test_a_learner_studies_and_the_schedule_is_kept(site: str, context: BrowserContext) -> None:
    page = open_page(context, f"{site}/scenarios/{KYOTO}/")
    assert status(page) == (
        "0 cards due now, 72 new. A session takes the due cards and 20 new ones."
    )
    start = page.get_by_role("button", name="Start (20 cards)")
    start.click()
    panel = page.get_by_role("region", name="Studying")
    expect(panel).to_be_visible()
    expect(panel.locator(".study-progress")).to_have_text("Card 1 of 20")
    expect(page.locator(".study .reveal")).to_be_focused()
    # The first card: 予約 with its reading as ruby; Space reveals, 3 is Good.
    expect(panel.locator(".study-prompt ruby rt")).to_have_text("よやく")
    assert panel.locator(".study-prompt .study-words").get_attribute("lang") == "ja"
    expect(panel.locator(".study-answer")).to_have_count(0)
    answer = panel.get_by_role("group", name="Answer")
    expect(answer).to_have_count(0)
    reveal = panel.get_by_role("button", name="Show answer")
    expect(reveal).to_have_accessible_description(
        re.compile(r"^Card 1 of 20 Words → meaning · new ")
    )
    page.keyboard.press("Space")
    expect(answer).to_be_focused()
    page.keyboard.press("3")
    expect(panel.locator(".study-progress")).to_have_text("Card 2 of 20 · 1 graded")
    # The card is said once, as the focused button's description; the live region tells
    # only the grade's outcome.
    expect(reveal).to_have_accessible_description(re.compile(r"^Card 2 of 20 · 1 graded "))
    expect(page.locator(".study [role=status]")).to_have_text("Good: next review in 10 min.")
    # Enter reveals with focus anywhere but a form field; then 4 is Easy.
    page.locator("h1").click()
    page.keyboard.press("Enter")
    expect(page.locator(".study-answer")).to_be_visible()
    page.keyboard.press("4")
    # By clicking: Show answer, then Again (which comes back at the session's end).
    panel.get_by_role("button", name="Show answer").click()
    panel.get_by_role("button", name=re.compile(r"^Again 1 min$")).click()
    expect(panel.locator(".study-progress")).to_have_text("Card 4 of 21 · 3 graded")
    # Keys typed into a form field are the field's: the readings switch takes its Space.
    page.locator("#show-readings").focus()
    page.keyboard.press("Space")
    page.keyboard.press("2")
    expect(page.locator(".study-answer")).to_have_count(0)
    assert not page.locator("#show-readings").is_checked()
    expect(panel.locator(".study-prompt rt").first).to_be_hidden()  # readings switched off
    page.keyboard.press("Escape")  # the switch's too
    expect(panel).to_be_visible()
    page.locator(".study .reveal").focus()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(start).to_be_focused()

    cards = stored(page, KYOTO)
    assert len(cards) == 3
    states = sorted((c["state"], c["scheduled_days"]) for c in cards.values())
    assert states[:2] == [(1, 0), (1, 0)]  # Good and Again: learning, minutes away
    assert states[2][0] == 2  # Easy: in review,
    assert states[2][1] >= 4  # days away
    page.reload()
    assert status(page).startswith("0 cards due now, 69 new.")
    page.clock.fast_forward("00:30:00")  # Good's 10 minutes and Again's 1 have passed
    page.reload()
    assert status(page).startswith("2 cards due now, 69 new.")
    page.clock.fast_forward(12 * DAY)
    page.reload()
    assert status(page).startswith("3 cards due now, 69 new.")
    assert page.get_by_role("button", name="Start (23 cards)").is_visible()
    assert page.problems == []  # type: ignore[attr-defined]


def test_the_review_page_gathers_due_cards_across_scenarios(
    site: str, context: BrowserContext
) -> None:
    page = open_page(context, f"{site}/scenarios/{KYOTO}/")
    status(page)
    page.get_by_role("button", name="Start (20 cards)").click()
    grade_with_keys(page, "33")
    page.keyboard.press("Escape")
    page.goto(f"{site}/scenarios/tapas-bar-madrid/")
    status(page)
    page.locator(".flashcards-start").click()
    grade_with_keys(page, "4")
    page.keyboard.press("Escape")

    page.get_by_role("navigation", name="Site").get_by_role("link", name="Review").click()
    page.wait_for_url(f"{site}/review/")
    expect(page.locator(".review-status")).to_have_text("0 cards due now across 0 scenarios.")
    expect(page.locator(".review-list li")).to_have_count(2)
    page.clock.fast_forward(DAY)
    page.reload()
    expect(page.locator(".review-status")).to_have_text("2 cards due now across 1 scenario.")
    page.clock.fast_forward(30 * DAY)
    page.reload()
    expect(page.locator(".review-status")).to_have_text("3 cards due now across 2 scenarios.")
    items = page.locator(".review-list li")
    expect(items).to_have_text(  # in order of title
        [
            "Checking in at a Ryokan in Kyoto: 2 cards due (2 studied)",
            "Ordering Tapas in Madrid: 1 card due (1 studied)",
        ]
    )
    link = items.filter(has_text="2 cards due").get_by_role("link")
    assert link.get_attribute("href") == f"/sub/scenarios/{KYOTO}/#flashcards"

    page.get_by_role("button", name="Review 3 due cards").click()
    panel = page.get_by_role("region", name="Studying")
    expect(panel.locator(".study-context")).to_be_visible()
    grade_with_keys(page, "333")
    expect(panel.locator(".study-done")).to_contain_text("Session done: 3 cards graded.")
    expect(panel.get_by_role("button", name="Close")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".review-status")).to_have_text("0 cards due now across 0 scenarios.")
    assert page.problems == []  # type: ignore[attr-defined]


def test_progress_exports_and_imports_into_a_fresh_browser(
    site: str, browser: Browser, context: BrowserContext, tmp_path: Path
) -> None:
    page = open_page(context, f"{site}/scenarios/{KYOTO}/")
    status(page)
    page.locator(".flashcards-start").click()
    grade_with_keys(page, "343")
    page.keyboard.press("Escape")
    before = stored(page, KYOTO)
    page.goto(f"{site}/review/")
    expect(page.locator(".review-list li")).to_have_count(1)
    with page.expect_download() as waiting:
        page.get_by_role("button", name="Export progress").click()
    saved = tmp_path / waiting.value.suggested_filename
    waiting.value.save_as(saved)
    assert saved.name == "scenariokit-progress-2030-01-07.json"
    exported = json.loads(saved.read_text(encoding="utf-8"))
    assert exported["format"] == "scenariokit-progress"
    assert exported["version"] == 1
    assert exported["scenarios"] == {KYOTO: before}
    expect(page.locator("#transfer-message")).to_have_text(
        "Exported the progress of 3 cards as a JSON file."
    )

    fresh = browser.new_context()
    try:
        other = open_page(fresh, f"{site}/review/", at=T0 + dt.timedelta(days=20))
        expect(other.locator(".review-status")).to_contain_text("No flashcard progress")
        bad: FilePayload = {"name": "a.json", "mimeType": "application/json", "buffer": b"{}"}
        other.locator("#import-progress").set_input_files(files=[bad])
        message = other.locator("#transfer-message")
        expect(message).to_have_text(
            "This file is not a scenariokit progress export: nothing was imported."
        )
        other.locator("#import-progress").set_input_files(saved)
        expect(message).to_have_text(
            "Imported 3 cards of 1 scenario: 3 taken, 0 kept as this browser had them"
            " (reviewed as recently or later)."
        )
        expect(other.locator(".review-status")).to_have_text("3 cards due now across 1 scenario.")
        assert stored(other, KYOTO) == before
        # Merging: a card reviewed here since is kept; the file's older state is not taken.
        other.get_by_role("button", name="Review 3 due cards").click()
        grade_with_keys(other, "4")
        newer = stored(other, KYOTO)
        other.locator("#import-progress").set_input_files(saved)
        expect(message).to_have_text(
            "Imported 3 cards of 1 scenario: 0 taken, 3 kept as this browser had them"
            " (reviewed as recently or later)."
        )
        assert stored(other, KYOTO) == newer != before
        assert other.problems == []  # type: ignore[attr-defined]
    finally:
        fresh.close()


def test_a_changed_entry_is_a_new_card_and_a_scenario_gone_is_kept_until_forgotten(
    tmp_path: Path, context: BrowserContext
) -> None:
    build_small(tmp_path / "repo", tmp_path / "out")
    with serving(tmp_path / "out" / "site") as address:
        page = open_page(context, f"{address}/scenarios/tapas-bar-madrid/")
        assert status(page).startswith("0 cards due now, 37 new.")
        page.locator(".flashcards-start").click()
        grade_with_keys(page, "3" * 20)  # 12 to recognise, then 8 to recall
        page.locator(".study-close").click()
        before = stored(page, "tapas-bar-madrid")
        assert len(before) == 20
        assert status(page).startswith("0 cards due now, 17 new.")

        build_small(tmp_path / "repo", tmp_path / "out", changed=True)
        page.reload()
        # la mesa's two cards and la cuenta's are gone; la mesa's are new ones now.
        assert status(page).startswith("0 cards due now, 18 new.")
        after = stored(page, "tapas-bar-madrid")
        assert len(after) == 16
        assert set(after) < set(before)
        assert all(after[card] == before[card] for card in after)

        # A scenario whose file is gone (404) or cannot be fetched keeps its progress: it is
        # listed, not counted, and deleted only by the learner's Forget.
        page.evaluate(
            "localStorage.setItem('scenariokit-cards:gone-away', localStorage.getItem("
            "'scenariokit-cards:tapas-bar-madrid'))"
        )
        page.route(
            "**/api/scenarios/tapas-bar-madrid.json", lambda route: route.fulfill(status=503)
        )
        page.clock.fast_forward(2 * DAY)
        page.goto(f"{address}/review/")
        items = page.locator(".review-list li")
        expect(items).to_have_text(
            [
                "gone-away: no longer on this site; the progress of 16 cards is kept,"
                " not counted. Forget",
                "tapas-bar-madrid: could not be loaded just now; the progress of 16 cards"
                " is kept. Forget",
            ]
        )
        expect(page.locator(".review-status")).to_have_text("0 cards due now across 0 scenarios.")
        assert stored(page, "gone-away") == after == stored(page, "tapas-bar-madrid")

        page.unroute("**/api/scenarios/tapas-bar-madrid.json")
        page.reload()
        expect(items).to_have_text(
            [
                "Ordering Tapas in Madrid: 16 cards due (16 studied)",
                "gone-away: no longer on this site; the progress of 16 cards is kept,"
                " not counted. Forget",
            ]
        )
        expect(page.locator(".review-status")).to_have_text("16 cards due now across 1 scenario.")
        assert stored(page, "gone-away") == after
        forget = page.get_by_role("button", name="Forget the progress kept for gone-away")
        forget.click()
        expect(page.locator(".review-status")).to_have_text(
            "16 cards due now across 1 scenario."
            " Forgot the progress of 16 cards kept for gone-away."
        )
        expect(page.locator(".review-status")).to_be_focused()
        expect(items).to_have_count(1)
        assert stored(page, "gone-away") == {}
        assert stored(page, "tapas-bar-madrid") == after
    # The browser's own lines for the gone scenario's 404 (twice) and the refused 503.
    assert sorted(page.problems) == [  # type: ignore[attr-defined]
        "Failed to load resource: the server responded with a status of 404 (File not found)",
        "Failed to load resource: the server responded with a status of 404 (File not found)",
        "Failed to load resource: the server responded with a status of 503 (Service Unavailable)",
    ]


SPEECH_SPY = """
window.__spoken = [];
const speak = window.speechSynthesis.speak.bind(window.speechSynthesis);
window.speechSynthesis.speak = (utterance) => {
  window.__spoken.push({ text: utterance.text, lang: utterance.lang });
  return speak(utterance);
};
"""


def test_a_listening_card_speaks_in_the_scenarios_language(
    small_site: str, context: BrowserContext
) -> None:
    context.add_init_script(SPEECH_SPY)
    page = open_page(context, f"{small_site}/scenarios/tapas-bar-madrid/")
    status(page)
    page.locator(".flashcards-start").click()
    grade_with_keys(page, "4" * 20)
    page.locator(".study-close").click()
    assert status(page).startswith("0 cards due now, 17 new.")
    page.locator(".flashcards-start").click()
    grade_with_keys(page, "4444")  # the last 4 to recall; then the 13 to listen to
    panel = page.get_by_role("region", name="Studying")
    expect(panel.locator(".study-kind")).to_have_text("Listening · new")
    assert page.evaluate("window.__spoken") == [{"text": "la barra", "lang": "es"}]
    panel.get_by_role("button", name="Play again").click()
    assert page.evaluate("window.__spoken.length") == 2
    page.keyboard.press("Enter")  # on Play again: its own click, not the answer
    assert page.evaluate("window.__spoken.length") == 3
    expect(panel.locator(".study-answer")).to_have_count(0)
    panel.get_by_role("button", name="Show answer").click()
    expect(panel.locator(".study-answer")).to_contain_text("la barra")
    expect(panel.locator(".study-answer")).to_contain_text("the bar counter")
    page.keyboard.press("3")
    grade_with_keys(page, "33")  # la mesa, la cuenta; then el camarero, without a translation
    expect(panel.locator(".study-ask")).to_have_text("Listen, then recall the words.")
    assert page.evaluate("window.__spoken.at(-1)") == {"text": "el camarero", "lang": "es"}
    page.keyboard.press("Space")
    expect(panel.locator(".study-answer")).to_have_text("el camarero")
    assert page.problems == []  # type: ignore[attr-defined]


def test_without_storage_the_learner_is_told_and_can_still_study(
    small_site: str, context: BrowserContext
) -> None:
    """A browser that refuses the site its storage (reading localStorage throws)."""
    context.add_init_script(
        "Object.defineProperty(window, 'localStorage', "
        "{get() { throw new DOMException('denied', 'SecurityError'); }});"
    )
    page = open_page(context, f"{small_site}/scenarios/tapas-bar-madrid/")
    assert status(page).startswith("0 cards due now, 37 new.")
    expect(page.locator(".flashcards-problem")).to_contain_text("storage is off")
    page.locator(".flashcards-start").click()
    grade_with_keys(page, "33")
    page.keyboard.press("Escape")
    assert status(page).startswith("0 cards due now, 35 new.")  # for this page's life
    page.goto(f"{small_site}/review/")
    expect(page.locator(".review-problem")).to_contain_text("storage is off")
    assert page.problems == []  # type: ignore[attr-defined]


def test_a_full_storage_is_told_and_the_progress_kept_for_the_page(
    small_site: str, context: BrowserContext
) -> None:
    context.add_init_script(
        "Storage.prototype.setItem = function () "
        "{ throw new DOMException('full', 'QuotaExceededError'); };"
    )
    page = open_page(context, f"{small_site}/scenarios/tapas-bar-madrid/")
    status(page)
    expect(page.locator(".flashcards-problem")).to_be_hidden()
    page.locator(".flashcards-start").click()
    grade_with_keys(page, "3")
    expect(page.locator(".flashcards-problem")).to_contain_text("storage for the site is full")
    grade_with_keys(page, "3")
    page.keyboard.press("Escape")
    assert status(page).startswith("0 cards due now, 35 new.")
    assert stored(page, "tapas-bar-madrid") == {}
    assert page.problems == []  # type: ignore[attr-defined]


def test_a_phone_has_no_sideways_scroll_while_studying(site: str, browser: Browser) -> None:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    try:
        page = open_page(context, f"{site}/scenarios/{KYOTO}/")
        status(page)
        page.locator(".flashcards-start").click()
        page.get_by_role("button", name="Show answer").click()
        expect(page.locator(".grades button")).to_have_count(4)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.goto(f"{site}/review/")
        expect(page.locator(".review-status")).to_contain_text("No flashcard progress")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_study_panel_and_the_review_page_pass_an_accessibility_audit(
    site: str, browser: Browser, scheme: str
) -> None:
    context = browser.new_context(color_scheme=scheme)  # type: ignore[arg-type]
    try:
        page = open_page(context, f"{site}/scenarios/{KYOTO}/")
        status(page)
        page.locator(".flashcards-start").click()
        grade_with_keys(page, "3")
        page.keyboard.press("Space")  # the answer and the grades shown
        found = {"scenario": axe_violations(page)}
        page.keyboard.press("3")
        page.goto(f"{site}/review/")
        page.clock.fast_forward(DAY)
        page.reload()
        expect(page.locator(".review-status")).to_have_text("2 cards due now across 1 scenario.")
        found["review"] = axe_violations(page)
        page.get_by_role("button", name="Review 2 due cards").click()
        found["review session"] = axe_violations(page)
    finally:
        context.close()
    assert found == {"scenario": [], "review": [], "review session": []}
