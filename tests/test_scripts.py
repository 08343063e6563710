"""Every script on the site (issue 13, point 7): Arabic right-to-left, Cyrillic, Hangul, Han.

One scenario per script, built and opened in real Chromium: the words carry their language
and, for Arabic, `dir="rtl"` (on the page, the flashcards, the Review page and the
builder's inputs) while the page stays left-to-right; search finds each script's words,
with and without vowel marks, and by their readings; and every character of the words is
drawn with a real glyph, never the missing-glyph box (CI installs Debian's Noto fonts).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scenariokit.build.run import build
from scenariokit.check.languages import RTL_SCRIPTS, direction
from scenariokit.website.tokens import site_terms
from tests.helpers import PHONE, axe_violations, dump, make_repo, serving, valid_doc

# --- the rule: a language's direction, from its script ------------------------------------


def test_a_language_is_right_to_left_by_its_script() -> None:
    rtl = ["ar", "ar-EG", "fa", "ur", "he", "yi", "ps", "ckb", "dv", "syr", "pa-Arab", "az-Arab"]
    ltr = ["en", "ru", "ko", "zh-Hans", "ja", "es", "tr", "ar-Latn", "pa", "az"]
    assert [direction(tag) for tag in rtl] == ["rtl"] * len(rtl)
    assert [direction(tag) for tag in ltr] == ["ltr"] * len(ltr)
    assert direction("not a tag!") == direction(None) == "ltr"  # the page's own


def test_the_rule_agrees_with_every_language_named_in_its_own_script() -> None:
    """CLDR's name of each language in that language (its autonym, an independent source):
    the direction of its first strong letter is the one `direction` gives the language."""
    from language_data.name_data import CODE_TO_NAMES

    checked = 0
    for code, names in CODE_TO_NAMES.items():
        autonym = names.get(code)
        if not autonym or not code.isalpha() or not code.islower():
            continue  # a territory, or a language CLDR does not name in itself
        strong = [unicodedata.bidirectional(c) for c in autonym]
        first = next((b for b in strong if b in ("L", "R", "AL")), None)
        if first is None:
            continue
        assert direction(code) == ("ltr" if first == "L" else "rtl"), (code, autonym)
        checked += 1
    assert checked > 250


# --- one scenario per script ----------------------------------------------------------------

# (language, [(term, reading, translation)], [(text, reading, translation, by the partner)])
SCRIPTS: dict[str, tuple[str, list[tuple[str, str, str]], list[tuple[str, str, str, bool]]]] = {
    "arabic": (
        "ar",
        [
            ("قائِمَة الطَّعام", "qāʾimat aṭ-ṭaʿām", "the menu"),
            ("الحِساب", "al-ḥisāb", "the bill"),
            ("مَطْعَم", "maṭʿam", "restaurant"),
        ],
        [
            ("مَرْحَبًا، طاوِلَة لِشَخْصَيْن مِن فَضْلِك.", "", "Hello, a table for two, please.", False),
            ("ماذا تَنْصَحُني؟", "", "What do you recommend?", False),
            ("الحساب من فضلك.", "", "The bill, please.", False),
            ("تَفَضَّل، هذه قائمة الطعام.", "", "Here you are, this is the menu.", True),
        ],
    ),
    "cyrillic": (
        "ru",
        [("меню", "", "the menu"), ("счёт", "", "the bill"), ("официант", "", "waiter")],
        [
            ("Здравствуйте, столик на двоих, пожалуйста.", "", "Hello, a table for two.", False),
            ("Что вы посоветуете?", "", "What do you recommend?", False),
            ("Счёт, пожалуйста.", "", "The bill, please.", False),
            ("Вот ваше меню.", "", "Here is your menu.", True),
        ],
    ),
    "hangul": (
        "ko",
        [
            ("메뉴", "menyu", "the menu"),
            ("계산서", "gyesanseo", "the bill"),
            ("식당", "sikdang", "restaurant"),
        ],
        [
            (
                "안녕하세요, 두 명이에요.",
                "annyeonghaseyo, du myeong-ieyo.",
                "Hello, two people.",
                False,
            ),
            ("뭐가 맛있어요?", "mwoga masisseoyo?", "What is good?", False),
            ("계산해 주세요.", "gyesanhae juseyo.", "The bill, please.", False),
            ("어서 오세요.", "eoseo oseyo.", "Welcome.", True),
        ],
    ),
    "han": (
        "zh-Hans",
        [
            ("菜单", "càidān", "the menu"),
            ("买单", "mǎidān", "the bill"),
            ("饭馆", "fànguǎn", "restaurant"),
        ],
        [
            ("你好，两位。", "nǐ hǎo, liǎng wèi.", "Hello, two people.", False),
            ("有什么推荐的？", "yǒu shénme tuījiàn de?", "What do you recommend?", False),
            ("服务员，买单！", "fúwùyuán, mǎidān!", "Waiter, the bill!", False),
            ("欢迎光临！", "huānyíng guānglín!", "Welcome!", True),
        ],
    ),
}


def scenario(script: str) -> dict[str, Any]:
    """The example scenario in `script`'s language, each phase with these words."""
    language, words, phrases = SCRIPTS[script]
    doc = valid_doc()
    doc |= {"scenario_id": f"dinner-{script}", "title": f"Dinner ({script})", "language": language}
    doc.pop("cefr", None)
    for phase in doc["phases"]:
        phase["key_vocabulary"] = [
            {"term": t, "translation": m} | ({"reading": r} if r else {}) for t, r, m in words
        ]
        phase["essential_phrases"] = [
            {"text": t, "translation": m}
            | ({"reading": r} if r else {})
            | ({"speaker": "partner"} if heard else {})
            for t, r, m, heard in phrases
        ]
    return doc


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("scripts")
    files = {f"scenarios/restaurant/dinner-{s}.yaml": dump(scenario(s)) for s in SCRIPTS}
    make_repo(root / "repo", files)
    build(root / "repo", root / "out", base_url="/")
    with serving(root / "out" / "site") as address:
        yield address


# --- search: every script's words, with and without marks, and by their readings ----------

# (query, the scenario it finds): written as on the page, without Arabic's vowel marks or
# with the hamza left off, Russian's ё as е, a piece of a Korean or Chinese word, a reading.
SEARCHES = [
    ("مطعم", "arabic"),
    ("مَطْعَم", "arabic"),
    ("الحساب", "arabic"),
    ("قائمة", "arabic"),
    ("قايمة", "arabic"),  # the hamza left off its seat, as often typed
    ("مطار", None),  # another word: an airport
    ("ماذا تنصحني", "arabic"),
    ("hisab", "arabic"),
    ("qāʾimat", "arabic"),
    ("счёт", "cyrillic"),
    ("счет", "cyrillic"),
    ("посоветуете", "cyrillic"),
    ("계산", "hangul"),
    ("맛있어요", "hangul"),
    ("gyesanseo", "hangul"),
    ("菜单", "han"),
    ("推荐", "han"),
    ("maidan", "han"),
    ("tuījiàn", "han"),
]


def test_python_and_the_site_split_every_script_alike(site: str, page: Any) -> None:
    page.goto(f"{site}/")
    page.wait_for_function("typeof window.scenariokitSearchTerms === 'function'")
    texts = [query for query, _ in SEARCHES]
    for _, words, phrases in SCRIPTS.values():
        texts += [w for entry in words for w in entry] + [p for e in phrases for p in e[:3]]
    texts += ["أَهْلًا وَسَهْلًا", "إِسْلام آمِن مُؤْمِن", "مـرحبا", "Ёлка ещё", "ʿarabī"]
    for text in texts:
        assert page.evaluate("t => window.scenariokitSearchTerms(t)", text) == list(
            site_terms(text)
        ), text
    assert site_terms("مَرْحَبًا بِكُم") == site_terms("مرحبا بكم") == ("مرحبا", "بكم")
    assert site_terms("أهلا") == site_terms("اهلا")
    assert site_terms("ёлка") == ("елка",)


@pytest.mark.parametrize(("query", "found"), SEARCHES)
def test_search_finds_every_scripts_words(
    site: str, page: Any, query: str, found: str | None
) -> None:
    page.goto(f"{site}/?q={query}")
    status = page.locator("#status")
    want = "1 scenario" if found else "0 scenarios"
    page.wait_for_function(
        "want => document.getElementById('status').textContent === want", arg=want
    )
    assert status.inner_text() == want
    # The search box takes the direction of what is typed in it: Arabic right to left.
    arabic = unicodedata.bidirectional(query[0]) == "AL"
    assert page.locator("#q").evaluate("e => e.matches(':dir(rtl)')") == arabic
    if found:
        assert page.locator("#results .card a").inner_text() == f"Dinner ({found})"


# --- the pages: language, direction, real glyphs --------------------------------------------

# Draws each character alone, in the font of the element it is in, and compares the
# picture with that of U+0378 (a code point Unicode never assigned: no font has a glyph
# for it, so it is drawn as the missing-glyph box). Returns [character, what is wrong].
MISSING_GLYPHS = r"""
(elements) => {
  const canvas = document.createElement("canvas");
  canvas.width = 96;
  canvas.height = 72;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const picture = (character) => {
    ctx.clearRect(0, 0, 96, 72);
    ctx.fillText(character, 28, 52);
    const alpha = ctx.getImageData(0, 0, 96, 72).data.filter((_, i) => i % 4 === 3);
    return alpha.some((a) => a > 0) ? alpha.join(",") : "";
  };
  const wrong = [];
  const seen = new Set();
  for (const element of elements) {
    const style = getComputedStyle(element);
    ctx.font = `${style.fontStyle} ${style.fontWeight} 40px ${style.fontFamily}`;
    const box = picture("\u0378");
    for (const character of Array.from(element.textContent)) {
      const key = ctx.font + character;
      if (seen.has(key) || /[\p{Z}\p{Cc}\p{Cf}]/u.test(character)) continue;
      seen.add(key);
      const drawn = picture(character);
      if (drawn === box) wrong.push([character, "missing glyph"]);
      else if (drawn === "") wrong.push([character, "nothing drawn"]);
    }
  }
  return wrong;
}
"""


def missing_glyphs(page: Any, selector: str) -> list[list[str]]:
    result: list[list[str]] = page.locator(selector).evaluate_all(MISSING_GLYPHS)
    return result


def test_the_glyph_check_fails_on_a_character_no_font_has(page: Any) -> None:
    """The check is no formality: a private-use character (no installed font draws one) is
    found, beside Latin letters that are drawn."""
    page.set_content("<p lang=en>abc</p><p lang=ar dir=rtl>\U000f0001\u0628</p><p>\U000f0002</p>")
    assert missing_glyphs(page, "p") == [
        ["\U000f0001", "missing glyph"],
        ["\U000f0002", "missing glyph"],
    ]


@pytest.mark.parametrize("script", SCRIPTS)
def test_each_script_is_drawn_with_real_glyphs_and_its_direction(
    site: str, page: Any, script: str, tmp_path: Path
) -> None:
    language, words, phrases = SCRIPTS[script]
    rtl = script == "arabic"
    page.goto(f"{site}/scenarios/dinner-{script}/")
    # The page is English, left to right, whatever the scenario's language.
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
        "en",
        "ltr",
    ]
    assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"
    entries = page.locator(".phase").first.locator("dt")
    texts = [w[0] for w in words] + [p[0] for p in phrases]
    assert entries.count() == len(texts)
    for index in range(entries.count()):
        entry = entries.nth(index)
        assert entry.get_attribute("lang") == language
        assert entry.get_attribute("dir") == ("rtl" if rtl else None)
        assert entry.evaluate("e => getComputedStyle(e).direction") == ("rtl" if rtl else "ltr")
    heard = page.locator(".phase").first.locator(".heard dt")
    assert heard.inner_text().strip().startswith(phrases[-1][0])
    # A reading in Latin letters stays left to right under Arabic words.
    for rt in page.locator(".phase").first.locator("rt").all():
        assert rt.evaluate("e => getComputedStyle(e).direction") == "ltr"
    # The flashcards know the direction the page's words have.
    assert page.locator("#flashcards").get_attribute("data-dir") == ("rtl" if rtl else "ltr")
    # The prompt: each of the scenario's words in its language and direction, the text
    # copied unchanged; an Arabic phrase's full stop ends it on its left, not its right.
    page.get_by_text("Show the prompt").click()
    spans = page.locator("#prompt span")
    assert spans.count() == len(texts) * len(scenario(script)["phases"])
    assert spans.first.get_attribute("lang") == language
    assert spans.first.get_attribute("dir") == ("rtl" if rtl else None)
    assert [spans.nth(i).inner_text() for i in range(len(texts))] == texts
    copied = page.locator("#prompt").text_content() or ""
    assert "<span" not in copied
    assert f"{phrases[2][0]} " in copied
    ending = spans.filter(has_text=phrases[2][0]).first.evaluate(
        """span => {
            const text = span.firstChild, range = document.createRange();
            const left = (from) => {
                range.setStart(text, from); range.setEnd(text, from + 1);
                return range.getBoundingClientRect().left;
            };
            return [left(0), left(text.length - 1)];
        }"""
    )
    first, full_stop = ending
    assert (full_stop < first) if rtl else (full_stop > first)
    # What a learner sees: a picture of the entries, each character a real glyph.
    shot = tmp_path / f"{script}.png"
    page.locator(".phase").first.screenshot(path=str(shot))
    assert shot.stat().st_size > 5_000
    assert missing_glyphs(page, ".phase dt, .phase rt, #prompt") == []
    assert page.problems == []


def test_arabic_flashcards_and_review_are_right_to_left(site: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.clock.install(time=dt.datetime(2030, 1, 7, 9, 0, tzinfo=dt.UTC))
    page.goto(f"{site}/scenarios/dinner-arabic/")
    start = page.locator(".flashcards-start:not([hidden])")
    start.click()
    words = page.locator(".study-prompt .study-words")
    assert words.get_attribute("lang") == "ar"
    assert words.get_attribute("dir") == "rtl"
    assert words.inner_text().startswith("قائِمَة")
    assert missing_glyphs(page, ".study-prompt .study-words") == []
    page.keyboard.press("Space")
    # The reading, in the answer, takes the direction of its own (Latin) text.
    reading = page.locator(".study-answer .study-reading")
    assert reading.evaluate("e => getComputedStyle(e).direction") == "ltr"
    page.keyboard.press("1")  # Again: due in a minute
    page.keyboard.press("Escape")
    page.clock.fast_forward(10 * 60_000)
    page.goto(f"{site}/review/")
    assert page.locator("#review").get_attribute("data-rtl-languages") == "ar"
    page.locator(".review-start:not([hidden])").click()
    words = page.locator(".study-prompt .study-words")
    assert (words.get_attribute("lang"), words.get_attribute("dir")) == ("ar", "rtl")
    assert page.evaluate("document.documentElement.dir") == "ltr"
    # A left-to-right scenario's cards carry no direction of their own.
    page.goto(f"{site}/scenarios/dinner-cyrillic/")
    page.locator(".flashcards-start:not([hidden])").click()
    words = page.locator(".study-prompt .study-words")
    assert (words.get_attribute("lang"), words.get_attribute("dir")) == ("ru", None)
    context.close()


def test_the_builder_writes_arabic_right_to_left(site: str, page: Any) -> None:
    page.goto(f"{site}/builder/?edit=dinner-arabic")
    page.wait_for_function("document.querySelector('#yaml-preview')?.textContent.length > 0")
    page.wait_for_selector("#output:not([aria-busy])", state="attached")
    term = page.get_by_role("group", name="Phase 1", exact=True).get_by_label("Term").first
    assert term.input_value() == "قائِمَة الطَّعام"
    assert (term.get_attribute("lang"), term.get_attribute("dir")) == ("ar", "rtl")
    text = page.get_by_role("group", name="Phase 1", exact=True).get_by_label("Text").first
    assert (text.get_attribute("lang"), text.get_attribute("dir")) == ("ar", "rtl")
    reading = page.get_by_role("group", name="Phase 1", exact=True).get_by_label(
        "Reading (optional)"
    )
    assert reading.first.get_attribute("dir") is None  # a transliteration: the page's own
    language = page.get_by_label("Language")
    language.fill("ru")
    language.dispatch_event("input")
    page.wait_for_function(
        "e => e.getAttribute('lang') === 'ru' && e.dir === 'ltr'", arg=term.element_handle()
    )
    language.fill("ar-EG")  # a regional form: Arabic still
    language.dispatch_event("input")
    page.wait_for_function(
        "e => e.getAttribute('lang') === 'ar-EG' && e.dir === 'rtl'", arg=term.element_handle()
    )
    # A tag the list does not offer is judged by the same rule, from its script.
    assert page.evaluate(
        """async () => {
          const { directionOf } = await import("/assets/builder/language.js");
          const data = await (await fetch("/builder/languages.json")).json();
          return ["ckb-IQ", "ar-Latn", "ur-PK", "ru-RU"].map((t) => directionOf(t, data));
        }"""
    ) == ["rtl", "ltr", "rtl", "ltr"]
    assert page.evaluate("document.documentElement.dir") == "ltr"
    assert page.problems == []


def test_the_builders_languages_carry_the_rule(site: str, page: Any) -> None:
    data = page.request.get(f"{site}/builder/languages.json").json()
    dirs = {entry["tag"]: entry.get("dir", "ltr") for entry in data["languages"]}
    assert {tag: dirs[tag] for tag in ("ar", "fa", "he", "ur", "ru", "ko", "zh-Hans")} == {
        "ar": "rtl",
        "fa": "rtl",
        "he": "rtl",
        "ur": "rtl",
        "ru": "ltr",
        "ko": "ltr",
        "zh-Hans": "ltr",
    }
    assert all(dirs[tag] == direction(tag) for tag in dirs)
    assert data["rtl_scripts"] == sorted(RTL_SCRIPTS)


def test_an_arabic_page_on_a_phone_passes_an_accessibility_audit(
    site: str, browser: Any, tmp_path: Path
) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{site}/scenarios/dinner-arabic/")
    page.locator(".flashcards-start:not([hidden])").wait_for()
    page.screenshot(path=str(tmp_path / "arabic-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    assert axe_violations(page) == []
    context.close()
