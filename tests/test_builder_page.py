"""The builder page in a real headless Chromium: from each starting point to a file CI accepts.

One site is built for the module (the real scenarios and templates, a GitHub repository
configured so the page offers "Propose on GitHub") and served on 127.0.0.1 under /sub/.
Each test fills the form as a person would (clicks, typing, Tab), takes the file the page
writes (its preview, the download, or the proposal link), puts it into a copy of the
repository and runs the installed `scenarios validate --strict` and `scenarios fmt --check`.
Local mode (saving through `scenarios serve`) is tested in test_builder_local.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from scenariokit.author.emitter import without_header_comments
from scenariokit.build.run import build
from tests.helpers import (
    REPO,
    axe_violations,
    diagnostics,
    library_copy,
    require_chromium,
    run_installed,
    serving,
)

require_chromium()

from playwright.sync_api import Browser, BrowserContext, Locator, Page, Request, expect  # noqa: E402

GITHUB = "https://github.com/example/scenarios"
LIMIT = 7000  # propose.js's ADDRESS_LIMIT


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository's scenarios and templates, where the page's files go."""
    return library_copy(tmp_path_factory.mktemp("repo"))


@pytest.fixture(scope="module")
def site(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site of `repo`, built once with a GitHub address, served under /sub/."""
    served = tmp_path_factory.mktemp("served")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SCENARIOKIT_REPOSITORY", GITHUB)
        env.setenv("SCENARIOKIT_BRANCH", "main")
        build(repo, served / "out", base_url="/sub/")
    (served / "out" / "site").rename(served / "sub")
    with serving(served) as address:
        yield f"{address}/sub"


@pytest.fixture
def clipboard_page(browser: Browser) -> Iterator[Page]:
    """A tab that may read the clipboard, where nothing reaches github.com."""
    context = browser.new_context(
        permissions=["clipboard-read", "clipboard-write"], viewport={"width": 1200, "height": 900}
    )
    context.set_default_timeout(10_000)
    context.route("https://github.com/**", lambda route: route.abort())
    yield context.new_page()
    context.close()


# --- how a person uses the page ---------------------------------------------------------


def opened(page: Page) -> None:
    """Wait until the form is on the page and its first check is shown."""
    page.wait_for_function("document.querySelector('#yaml-preview')?.textContent.length > 0")
    settled(page)


def settled(page: Page) -> None:
    """Wait for the check that follows the last change (the page marks it busy till then)."""
    page.wait_for_selector("#output:not([aria-busy])", state="attached")


def type_into(field: Locator, text: str) -> None:
    """Click into a field, select what it holds, and type `text` over it, key by key."""
    field.click()
    field.press("Control+a")
    field.press_sequentially(text)


def status(page: Page) -> str:
    return page.locator("#check-status").inner_text()


def problems(page: Page) -> list[str]:
    return page.locator("#problem-list li").all_inner_texts()


def the_file(page: Page) -> str:
    """What the page shows as the file, and what "Download" gives: the same bytes."""
    shown = page.locator("#yaml-preview").text_content() or ""
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    assert saved == shown
    doc = yaml.safe_load(shown)
    assert download.value.suggested_filename == f"{doc['scenario_id']}.yaml"
    return shown


def accepted_by_ci(repo: Path, text: str) -> Path:
    """Put `text` where its id and topic say, and hold it to CI's two checks."""
    doc = yaml.safe_load(text)
    path: Path = repo / "scenarios" / doc["category"] / f"{doc['scenario_id']}.yaml"
    path.write_text(text, encoding="utf-8")
    assert diagnostics("--root", repo, "validate", "--strict", path) == (0, [])
    formatted = run_installed("--root", repo, "fmt", "--check", path, cwd=repo)
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    return path


def focused(page: Page) -> list[str]:
    """Where the focus is: the phase it is in (or ""), and its control's label or text."""
    return page.evaluate(  # type: ignore[no-any-return]
        """() => {
        const at = document.activeElement;
        const phase = at.closest("fieldset.object")?.querySelector("legend")?.textContent ?? "";
        return [phase, at.labels?.[0]?.textContent ?? at.textContent];
    }"""
    )


def phase(page: Page, number: int) -> Locator:
    return page.get_by_role("group", name=f"Phase {number}", exact=True)


def fill_phase(page: Page, number: int, words: list[str], phrases: list[str]) -> None:
    """Name a phase and give it three words, three phrases and an objective."""
    group = phase(page, number)
    type_into(group.get_by_label("Name", exact=True), f"Step {number} at the market")
    for index, (word, phrase) in enumerate(zip(words, phrases, strict=True), start=1):
        entry = group.get_by_role("group", name=f"Word {index}", exact=True)
        entry.get_by_label("Term").fill(word)
        entry.get_by_label("Translation (optional)").fill(f"meaning of {word}")
        said = group.get_by_role("group", name=f"Phrase {index}", exact=True)
        said.get_by_label("Text").fill(phrase)
    group.get_by_label("Objective 1", exact=True).fill(f"Get through step {number} politely")


# --- from each starting point to a file CI accepts ----------------------------------------


def test_from_a_template_to_a_file_ci_accepts_and_its_proposal(
    site: str, repo: Path, page: Page
) -> None:
    page.goto(f"{site}/builder/")
    page.get_by_role("link", name="Start from this template: Restaurant Dining Experience").click()
    opened(page)
    # The template's content is there; the owner is asked for, the id comes from the title,
    # and the template's title is for the scenario to replace (a near-copy's, as it is).
    assert status(page) == "2 problems: 1 error, 1 warning."
    assert problems(page) == [
        "Warning: The title 'Restaurant Dining Experience' is already the title of the "
        "template 'restaurant-dining': a near-copy of an existing scenario adds nothing for a "
        "learner; give this scenario a title of its own that says what is new (its place, its "
        "situation)",
        # validate's words said of the form: its labels, and no key to remove
        "Error: Created by is empty: write some text",
    ]
    created_by = page.get_by_label("Created by")
    assert created_by.get_attribute("aria-invalid") == "true"
    type_into(page.get_by_label("Title", exact=True), "Lunch in Seville")
    page.keyboard.press("Tab")  # on to the description, as a person moves on
    type_into(created_by, "octocat")
    settled(page)
    assert page.get_by_label("Scenario id").input_value() == "lunch-in-seville"
    assert status(page) == "No problems found: the file is ready."
    assert created_by.get_attribute("aria-invalid") is None
    text = the_file(page)
    assert text.startswith("# yaml-language-server: $schema=../../schemas/scenario.schema.json\n")
    doc = yaml.safe_load(text)
    assert (doc["created_by"], doc["derived_from"]) == ("octocat", "restaurant-dining")
    assert doc["is_system_scenario"] is False
    expect(page.get_by_label("Is system scenario")).to_be_disabled()  # a maintainer's to set
    # The schema's words for the form, without those about writing the file (YAML's quotes).
    language = page.get_by_label("Language", exact=True)
    expect(language).to_have_accessible_description(re.compile(r"^BCP 47 tag of the language"))
    described = language.evaluate(
        "e => e.getAttribute('aria-describedby').split(' ')"
        ".map((id) => document.getElementById(id).textContent).join(' ')"
    )
    assert "YAML" not in described
    assert "file name" not in page.get_by_label("Scenario id").evaluate(
        "e => document.getElementById(e.getAttribute('aria-describedby').split(' ')[0]).textContent"
    )
    accepted_by_ci(repo, text)
    # Proposed as a new file; a template's words and phrases are more than an address
    # carries, so the file goes by the clipboard (see the test below).
    address = page.get_attribute("#propose", "href") or ""
    assert len(text) > LIMIT
    assert address == f"{GITHUB}/new/main?filename=scenarios/restaurant/lunch-in-seville.yaml"
    assert "clipboard" in page.locator("#propose-note").inner_text()
    assert page.problems == []  # type: ignore[attr-defined]


def fill_a_blank_scenario(site: str, page: Page) -> None:
    """Start from a blank scenario and fill it in as a newcomer would, to a valid file."""
    page.goto(f"{site}/builder/")
    page.click("text=Start from a blank scenario")
    opened(page)
    assert phase(page, 1).is_visible()
    assert phase(page, 2).is_visible()
    assert phase(page, 3).count() == 0  # the schema's least: two phases
    type_into(page.get_by_label("Title", exact=True), "Buying Fruit at the Market")
    page.get_by_label("Category").select_option(label="Shopping")
    page.get_by_label("Difficulty").select_option("beginner")
    page.get_by_label("Estimated duration").fill("10")
    language = page.get_by_label("Language")
    type_into(language, "Spanish")
    page.keyboard.press("Tab")  # leaving the field turns a name into its tag
    assert language.input_value() == "es"
    page.get_by_label("User role").fill("Customer")
    page.get_by_label("AI role").fill("Fruit seller")
    page.get_by_label("Setting").fill("A street market on a sunny Saturday morning.")
    page.get_by_label("Created by").fill("octocat")
    fill_phase(page, 1, ["la fruta", "el kilo", "la bolsa"], ["Hola.", "¿Cuánto?", "Gracias."])
    fill_phase(page, 2, ["la naranja", "el euro", "el cambio"], ["Un kilo.", "Tome.", "Adiós."])
    settled(page)


def test_from_a_blank_scenario_to_a_file_ci_accepts(site: str, repo: Path, page: Page) -> None:
    fill_a_blank_scenario(site, page)
    assert status(page) == "No problems found: the file is ready.", problems(page)
    text = the_file(page)
    doc = yaml.safe_load(text)
    assert doc["scenario_id"] == "buying-fruit-at-the-market"
    assert doc["estimated_duration"] == 10
    assert [p["phase_id"] for p in doc["phases"]] == [
        "step-1-at-the-market",
        "step-2-at-the-market",
    ]
    assert "description" not in doc  # empty optional fields are left out
    accepted_by_ci(repo, text)
    # Proposed as a new file, the content filled in.
    address = page.get_attribute("#propose", "href") or ""
    parts = urlsplit(address)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{GITHUB}/new/main"
    query = parse_qs(parts.query, keep_blank_values=True)
    assert query == {
        "filename": ["scenarios/shopping/buying-fruit-at-the-market.yaml"],
        "value": [text],
    }
    assert len(address) <= LIMIT
    assert page.locator("#propose-note").is_hidden()


# What a bar in Seville serves that one in Madrid does not put first: ten words of a copy
# made its own (tapas-bar-madrid's 39 entries, three in four kept at most).
SEVILLE = [
    ("el salmorejo", "cold tomato and bread soup"),
    ("el pescaíto frito", "fried fish"),
    ("la manzanilla", "dry sherry from Sanlúcar"),
    ("el rebujito", "sherry with lemonade"),
    ("las espinacas con garbanzos", "spinach with chickpeas"),
    ("el montadito", "small filled roll"),
    ("la pringá", "slow-cooked meats in a roll"),
    ("el flamenquín", "fried ham and pork roll"),
    ("la carne mechada", "stuffed pork loin"),
    ("las tortillitas de camarones", "shrimp fritters"),
]


def test_a_copy_of_a_public_scenario_becomes_the_users_own(
    site: str, repo: Path, page: Page
) -> None:
    page.goto(f"{site}/scenarios/tapas-bar-madrid/")
    page.click("text=Start a copy")
    opened(page)
    assert page.get_by_label("Created by").input_value() == ""  # for the new owner
    assert not page.get_by_label("Is public").is_checked()
    # As it starts, a copy is a near-copy (CI's `validate --strict` refuses one), and the
    # page says what to change: the title, and enough of the words and phrases.
    page.get_by_label("Created by").fill("octocat")
    settled(page)
    assert problems(page) == [
        "Warning: The title 'Ordering Tapas in Madrid' is already the title of the scenario "
        "'tapas-bar-madrid': a near-copy of an existing scenario adds nothing for a learner; "
        "give this scenario a title of its own that says what is new (its place, its "
        "situation)",
        "Warning: 39 of its 39 vocabulary and phrase entries keep the words of the scenario "
        "'tapas-bar-madrid', which derived from names (by phase: 'greeting' (12), 'ordering' "
        "(15), 'paying' (12)): a near-copy (a scenario that keeps 75% or more of its source's "
        "entries adds nothing for a learner); make it its own: rewrite at least 10 of them "
        "for its situation (its place, its people, what happens), and drop what does not "
        "belong",
    ]
    type_into(page.get_by_label("Title", exact=True), "Tapas in Seville")
    for (where, number), (term, meaning) in zip(
        [(1, n) for n in range(1, 6)] + [(2, n) for n in range(1, 6)], SEVILLE, strict=True
    ):
        word = phase(page, where).get_by_role("group", name=f"Word {number}", exact=True)
        word.get_by_label("Term").fill(term)
        word.get_by_label("Translation (optional)").fill(meaning)
    settled(page)
    assert status(page) == "No problems found: the file is ready.", problems(page)
    doc = yaml.safe_load(accepted_by_ci(repo, the_file(page)).read_text("utf-8"))
    assert doc["scenario_id"] == "tapas-in-seville"
    assert doc["derived_from"] == "tapas-bar-madrid"
    assert (doc["is_system_scenario"], doc["is_public"]) == (False, False)


def test_an_edit_keeps_owner_and_file_and_is_proposed_on_the_files_edit_page(
    site: str, repo: Path, clipboard_page: Page
) -> None:
    page = clipboard_page
    # The builder writes the file's data: its `# spelling:` comment line is not carried over.
    original = without_header_comments(
        (REPO / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml").read_text("utf-8")
    )
    page.goto(f"{site}/scenarios/tapas-bar-madrid/")
    page.click("text=Edit")
    opened(page)
    # Nothing changed yet: the page writes the very file the repository holds.
    assert page.locator("#yaml-preview").text_content() == original
    description = page.get_by_label("Description (optional)").first
    type_into(description, "Order tapas and drinks at a busy bar in Madrid, and pay.")
    settled(page)
    text = the_file(page)
    path = accepted_by_ci(repo, text)
    assert path == repo / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml"
    doc = yaml.safe_load(text)
    assert (doc["scenario_id"], doc["created_by"]) == ("tapas-bar-madrid", "maintainers")
    # Whose it is stays: shown, told why, and not to be changed (review would refuse it).
    owner = page.get_by_label("Created by")
    expect(owner).not_to_be_editable()
    expect(owner).to_have_accessible_description(re.compile("only a maintainer changes it"))
    expect(page.get_by_label("Is system scenario")).to_be_disabled()
    owner.press("End")
    page.keyboard.type("mdupont")
    settled(page)
    assert the_file(page) == text
    propose = page.locator("#propose")
    assert propose.get_attribute("href") == (
        f"{GITHUB}/edit/main/scenarios/restaurant/tapas-bar-madrid.yaml"
    )
    assert "paste" in page.locator("#propose-note").inner_text()
    propose.click()
    page.wait_for_selector("text=The file is on the clipboard: paste it on GitHub's page.")
    assert page.evaluate("navigator.clipboard.readText()") == text


def test_a_file_too_long_for_an_address_goes_by_the_clipboard(
    site: str, clipboard_page: Page
) -> None:
    page = clipboard_page
    fill_a_blank_scenario(site, page)
    assert "&value=" in (page.get_attribute("#propose", "href") or "")
    # Accented letters take six characters each in an address: 1,000 of them are enough.
    page.get_by_label("Cultural context (optional)").fill("ñ" * 1000)
    settled(page)
    text = page.locator("#yaml-preview").text_content() or ""
    doc = yaml.safe_load(text)
    href = page.get_attribute("#propose", "href")
    assert href == (f"{GITHUB}/new/main?filename=scenarios/shopping/{doc['scenario_id']}.yaml")
    note = page.locator("#propose-note")
    assert note.is_visible()
    assert "clipboard" in note.inner_text()
    page.click("#propose")
    page.wait_for_selector("text=The file is on the clipboard: paste it on GitHub's page.")
    assert page.evaluate("navigator.clipboard.readText()") == text
    # Shorter again, the content is filled in again.
    page.get_by_label("Cultural context (optional)").fill("Short.")
    settled(page)
    assert "&value=" in (page.get_attribute("#propose", "href") or "")


# --- drafts, phases, the keyboard -----------------------------------------------------------


def test_a_draft_survives_a_reload_and_is_listed(site: str, page: Page) -> None:
    page.goto(f"{site}/builder/?template=hotel-check-in")
    opened(page)
    type_into(page.get_by_label("Title", exact=True), "Checking in at a Ryokan")
    page.reload()  # at once: the draft is kept as the page is left, not only after a pause
    opened(page)
    assert page.get_by_label("Title", exact=True).input_value() == "Checking in at a Ryokan"
    assert "draft=" in page.url
    page.goto(f"{site}/builder/")
    page.wait_for_selector("#continue:not([hidden])")
    assert page.locator("#continue-link").inner_text() == "Continue “Checking in at a Ryokan”"
    drafts = page.locator("#draft-list li")
    assert drafts.count() == 1
    page.click("#continue-link")
    opened(page)
    assert page.get_by_label("Title", exact=True).input_value() == "Checking in at a Ryokan"
    page.goto(f"{site}/builder/")
    page.get_by_role("button", name="Delete the draft “Checking in at a Ryokan”").click()
    assert page.locator("#drafts").is_hidden()
    assert page.evaluate("document.activeElement.id") == "start-heading"
    assert page.problems == []  # type: ignore[attr-defined]


def test_phases_are_added_to_six_removed_to_two_and_moved(site: str, page: Page) -> None:
    page.goto(f"{site}/builder/?blank")
    opened(page)
    add = page.get_by_role("button", name="Add phase")
    remove_first = phase(page, 1).get_by_role("button", name="Remove phase 1")
    assert remove_first.is_disabled()  # two is the least
    for _ in range(4):
        add.click()
    assert page.locator("fieldset.object").count() == 6
    assert add.is_disabled()
    # Focus went to the new phase's first field each time.
    assert focused(page) == ["Phase 6", "Phase id"]
    phase(page, 2).get_by_label("Name", exact=True).fill("Second")
    phase(page, 2).get_by_role("button", name="Move phase 2 up").click()
    assert phase(page, 1).get_by_label("Name", exact=True).input_value() == "Second"
    assert focused(page) == ["Phase 1", "Move down"]  # "Move up" is off now
    phase(page, 6).get_by_role("button", name="Remove phase 6").click()
    assert not add.is_disabled()
    assert focused(page) == ["Phase 5", "Phase id"]  # the phase before the one removed
    settled(page)
    assert page.problems == []  # type: ignore[attr-defined]


def test_add_phase_is_reached_and_used_with_the_keyboard_alone(site: str, page: Page) -> None:
    page.goto(f"{site}/builder/")
    page.wait_for_selector("#start")
    page.keyboard.press("Tab")  # the skip link
    text = ""
    for _ in range(20):  # on to "Start from a blank scenario"
        page.keyboard.press("Tab")
        text = page.evaluate("document.activeElement.textContent")
        if text == "Start from a blank scenario":
            break
    assert text == "Start from a blank scenario"
    page.keyboard.press("Enter")
    opened(page)
    # As many Tabs as there are stops on the way: each control once, in the page's order.
    stops = page.evaluate("""() => {
        const stops = "a[href], button, input, select, textarea, [tabindex='0']";
        const all = [...document.querySelectorAll(stops)]
            .filter((e) => !e.disabled && e.tabIndex >= 0 && e.getClientRects().length);
        const add = all.find((e) => e.textContent === "Add phase");
        return all.indexOf(add) - all.indexOf(document.activeElement);
    }""")
    assert stops > 50  # every field of the scenario and its two phases comes first
    for _ in range(stops):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Add phase"
    page.keyboard.press("Enter")
    assert page.locator("fieldset.object").count() == 3
    assert focused(page) == ["Phase 3", "Phase id"]
    page.keyboard.type("third-step")
    settled(page)
    assert "phase_id: third-step" in (page.locator("#yaml-preview").text_content() or "")


def test_a_problem_is_shown_on_its_field_and_the_summary_links_to_it(site: str, page: Page) -> None:
    page.goto(f"{site}/builder/?template=restaurant-dining")
    opened(page)
    page.get_by_label("Created by").fill("octocat")
    page.get_by_label("Title", exact=True).fill("Lunch in Seville")
    term = phase(page, 2).get_by_role("group", name="Word 1", exact=True).get_by_label("Term")
    term.fill("x" * 201)
    settled(page)
    assert term.get_attribute("aria-invalid") == "true"
    described = (term.get_attribute("aria-describedby") or "").split()
    shown = " ".join(page.locator(f"#{i}").inner_text() for i in described)
    assert "Phase 2 › key vocabulary 1 › term is too long: 201 characters" in shown
    assert status(page) == "1 problem: 1 error."
    page.locator("#problem-list a").click()
    assert page.evaluate("document.activeElement.dataset.pointer") == (
        "/phases/1/key_vocabulary/0/term"
    )
    assert "201/200" in phase(page, 2).locator(".counter").nth(2).inner_text()


# --- the phone, accessibility, privacy -------------------------------------------------------


def test_on_a_phone_a_template_becomes_a_file(site: str, repo: Path, browser: Browser) -> None:
    context: BrowserContext = browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{site}/builder/")
    page.get_by_role("link", name="Start from this template: Joining a Sports Class").tap()
    opened(page)
    title = page.get_by_label("Title", exact=True)
    title.tap()
    title.press("Control+a")
    title.press_sequentially("Yoga Class in Lisbon")
    page.get_by_label("Created by").tap()
    page.keyboard.type("octocat")
    settled(page)
    assert status(page) == "No problems found: the file is ready.", problems(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scroll
    box = page.locator("#propose").bounding_box()
    assert box is not None
    assert box["height"] >= 40  # a thumb can hit it
    accepted_by_ci(repo, page.locator("#yaml-preview").text_content() or "")
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_builder_passes_an_accessibility_audit(
    site: str, browser: Browser, scheme: str
) -> None:
    context = browser.new_context(color_scheme=scheme)  # type: ignore[arg-type]
    page = context.new_page()
    found = {}
    for query in ["?blank", ""]:
        page.goto(f"{site}/builder/{query}")
        if query:
            opened(page)
            page.get_by_label("Title", exact=True).fill("A draft to list")
            with page.expect_download():  # every problem beside its field: the blank has many
                page.get_by_role("button", name="Download").click()
            settled(page)
            assert page.locator("[aria-invalid='true']").count() > 10
        else:
            page.wait_for_selector("#drafts:not([hidden])")  # the start, with "My drafts"
        found[query] = axe_violations(page)
    context.close()
    assert found == {"?blank": [], "": []}


def test_no_request_leaves_the_site(site: str, page: Page) -> None:
    outside: list[str] = []

    def requested(request: Request) -> None:
        if not request.url.startswith((site, "data:", "blob:")):
            outside.append(request.url)

    page.on("request", requested)
    page.goto(f"{site}/builder/")
    page.wait_for_load_state("networkidle")
    for query in ["?template=restaurant-dining", "?copy=tapas-bar-madrid", "?edit=pharmacy-rome"]:
        page.goto(f"{site}/builder/{query}")
        opened(page)  # after everything the form needs was fetched
    page.get_by_label("Title", exact=True).fill("Another title")
    settled(page)
    page.get_by_role("button", name="Download").click()
    page.wait_for_load_state("networkidle")
    assert outside == []
    assert page.problems == []  # type: ignore[attr-defined]


# --- each kind of rule, on the field it is about ---------------------------------------------

# (the field's label, what is typed into it, the start of the message shown beside it, and
# whether it is an error): one per kind of rule the form lets a person break.
RULES = [
    ("Title", "ab", "Title is too short: 2 characters, it needs at least 3", True),
    ("Title", "t" * 101, "Title is too long: 101 characters, the limit is 100; shorten it", True),
    ("Scenario id", "Bad Id", 'Scenario id "Bad Id" is not valid here. A slug', True),
    ("Scenario id", "tapas-bar-madrid", "Scenario id 'tapas-bar-madrid' is also used by", True),
    ("Estimated duration", "3", "Estimated duration must be at least 5, not 3", True),
    ("Estimated duration", "90", "Estimated duration must be at most 60, not 90", True),
    ("Setting", "", "Setting is empty: write some text", True),
    ("Language", "qq", "Language 'qq' is not a known language", True),
    ("Language", "pt-br", "Write the language tag as 'pt-BR', not 'pt-br'", True),
    (
        "Description (optional)",
        "TODO: say what the learner does",
        "Description is still a placeholder",
        False,
    ),
]


@pytest.mark.parametrize(
    ("label", "typed", "message", "error"), RULES, ids=[f"{r[0]}: {r[2][:30]}" for r in RULES]
)
def test_each_kind_of_rule_is_told_on_its_field(
    site: str, page: Page, label: str, typed: str, message: str, error: bool
) -> None:
    page.goto(f"{site}/builder/?template=restaurant-dining")
    opened(page)
    page.get_by_label("Created by").fill("octocat")
    field = page.get_by_label(label, exact=True).first  # the scenario's, before its phases
    if typed:
        type_into(field, typed)
    else:
        field.fill("")
    settled(page)
    described = (field.get_attribute("aria-describedby") or "").split()
    shown = " ".join(page.locator(f"#{i}").inner_text() for i in described)
    assert message in shown, shown
    assert (field.get_attribute("aria-invalid") == "true") is error
    assert any(message in problem for problem in problems(page))


def test_a_phase_id_used_twice_is_told_on_the_second(site: str, page: Page) -> None:
    page.goto(f"{site}/builder/?template=restaurant-dining")
    opened(page)
    page.get_by_label("Created by").fill("octocat")
    first = phase(page, 1).get_by_label("Phase id", exact=True).input_value()
    second = phase(page, 2).get_by_label("Phase id", exact=True)
    type_into(second, first)
    settled(page)
    assert second.get_attribute("aria-invalid") == "true"
    described = (second.get_attribute("aria-describedby") or "").split()
    shown = " ".join(page.locator(f"#{i}").inner_text() for i in described)
    assert f"Phase id '{first}' is already used by phase 1: give each phase its own id" in shown


def test_a_blank_form_flags_only_the_fields_reached_until_the_file_leaves(
    site: str, page: Page
) -> None:
    """Twenty empty fields each marked wrong tell a newcomer nothing: the count and the list
    say what is missing, a field is marked once changed, and all are once the file leaves."""
    page.goto(f"{site}/builder/?blank")
    opened(page)
    assert status(page).endswith("errors.")
    assert len(problems(page)) > 10  # the list tells every one
    assert page.locator("[aria-invalid='true']").count() == 0
    title = page.get_by_label("Title", exact=True)
    type_into(title, "ab")
    settled(page)
    assert page.locator("[aria-invalid='true']").count() == 1
    assert title.get_attribute("aria-invalid") == "true"
    with page.expect_download():
        page.get_by_role("button", name="Download").click()
    settled(page)
    assert page.locator("[aria-invalid='true']").count() > 10
    assert page.get_by_label("Setting").get_attribute("aria-invalid") == "true"


# --- the level and the partner's lines --------------------------------------------------------


def test_the_form_sets_a_cefr_level_and_a_partners_line(site: str, page: Page) -> None:
    """The CEFR select comes from the schema, and a level the difficulty does not allow is
    explained as `validate` explains it; a phrase can be made the partner's, and the file
    says so."""
    page.goto(f"{site}/builder/?template=restaurant-dining")
    opened(page)
    level = page.get_by_label("CEFR (optional)")
    options = level.locator("option").all_inner_texts()
    assert options == ["Choose…", "A1", "A2", "B1", "B2", "C1", "C2"]
    page.get_by_label("Difficulty").select_option("beginner")
    level.select_option("B2")
    settled(page)
    assert any(
        "a beginner scenario is at CEFR A1 or A2: change `cefr` or `difficulty`" in p
        for p in problems(page)
    )
    level.select_option("A2")
    first = phase(page, 1).get_by_role("group", name="Phrase 1", exact=True)
    first.get_by_label("Speaker (optional)").select_option("partner")
    settled(page)
    doc = yaml.safe_load(page.locator("#yaml-preview").text_content() or "")
    assert doc["cefr"] == "A2"
    assert doc["phases"][0]["essential_phrases"][0]["speaker"] == "partner"
    assert not any("cefr" in p for p in problems(page))
    assert page.problems == []  # type: ignore[attr-defined]
