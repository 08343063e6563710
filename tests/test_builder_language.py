"""The builder judges a typed language tag as `validate` does (site/static/builder/language-tag.js).

`judge_language` (check/languages.py) rests on langcodes; the browser's `judgeLanguage` ports
langcodes' parsing and normalization over the build's builder/languages.json. A corpus of
tags (every language the builder offers in several spellings, deprecated and grandfathered
tags, regions, scripts, variants, extensions, private use, junk, and a few hundred generated
ones) goes through both sides: the same verdict for each (None for null, else the same code
and message), and the same canonical form as langcodes' `to_tag`. Skipped without Debian's
chromium, as tests/test_browser.py is.
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import langcodes
import pytest

from scenariokit.build.run import build
from scenariokit.check.languages import COUNTRY_CODES, MESSAGES, judge_language
from tests.helpers import library_copy, require_chromium, serving

require_chromium()

from playwright.sync_api import Page  # noqa: E402

MODULE = "assets/builder/language-tag.js"
DATA = "builder/languages.json"

# One or two of each kind of tag the rule treats apart, by hand.
HAND_PICKED = [
    # countries' codes written for their language (`kr`, `se`: real languages)
    "jp", "cn", "gr", "dk", "ua", "cz", "vn", "il", "ir", "us", "gb", "kr", "se",
    # deprecated, aliased and grandfathered: CLDR's replacements
    "iw", "in", "tl", "sh", "sh-Cyrl", "sh-QU", "mo", "no-bok", "no-BOK", "no-nyn", "i-klingon",
    "i-default", "i-enochian", "i-mingo", "sgn-BE-FR", "sgn-US", "zh-min-nan", "zh-min",
    "zh-min-xyz", "zh-guoyu", "zh-yue", "zh-yue-gan", "zh-cmn-Hans", "en-gb-oed", "art-lojban",
    "cmn", "arb", "swc", "cnr", "und-aaland", "und-hepburn-heploc", "zh-yue-419",
    # more than one extlang: parsed (three at most), never valid
    "sgn-ase-bfi", "zh-abc-def-ghi", "zh-abc-def-ghi-jkl",
    # regions
    "es-419", "en-001", "en-000", "pt-br", "pt-BR", "zh-TW", "004", "en-004", "de-DD", "en-QU",
    "es-ES-ES", "en-US-GB",
    # scripts
    "zh-hans", "zh-Hans", "zh-HANS-tw", "sr-Latn", "ur-Aran", "cu-Cyrs", "en-Latnx",
    "en-Latn-Cyrl", "zh-TW-Hant", "en-Qaai",
    # variants
    "de-1901", "de-1901-1901", "de-1996-1901", "en-GB-oxendict", "en-GB-oxenfree",
    "sl-rozaj-biske", "sl-biske-rozaj", "ja-Latn-hepburn", "ja-hepburn-Latn",
    # extensions
    "en-a-bbb-c-ddd", "en-a-bbb-a-ddd", "en-u-co-phonebk", "en-a-b-foo", "en-u", "und-0-foo",
    "en-c-ddd-a-bbb", "en-u-co-x-pig-latin",
    # private use, and what is no language to learn
    "x-foo", "x", "x-", "qaa", "qtz", "qaz", "qua", "en-x-whatever", "en-x-pig-latin-u-co",
    "und", "und-Latn", "und-US", "und-ibe", "root", "mul", "zxx", "mis",
    # junk
    "", " ", "es_ES", "es_es", "e", "español", "123", "en--US", "en-", "-en", "C", "jp", "eng",
    "toolongsubtag", "en-toolongsubtag", "abcd", "abcde", "a" * 35, "en-" + "-".join(["abc"] * 8),
    "en US", "en\n", "\u212awm", "i-\u212alingon", "İ", "en-\u0660\u0661",
]  # fmt: skip

# Variants a generated tag may carry: a few the registry lists, a few it does not.
VARIANTS = ["1901", "1996", "oxendict", "valencia", "rozaj", "biske", "pinyin", "fonipa", "0abc"]


def spellings(tag: str) -> list[str]:
    """A tag as given, in lower case, in upper case and with underscores."""
    return [tag, tag.lower(), tag.upper(), tag.replace("-", "_")]


def registry_subtags() -> dict[str, list[str]]:
    """Every language, script and region subtag of the IANA registry, as langcodes has it."""
    from langcodes.registry_parser import parse_registry

    found: dict[str, list[str]] = {"language": [], "script": [], "region": []}
    for item in parse_registry():  # type: ignore[no-untyped-call]
        kind, subtag = item.get("Type"), item.get("Subtag")
        if kind in found and subtag and ".." not in subtag:
            found[kind].append(subtag)
    return {kind: sorted(subtags) for kind, subtags in found.items()}


def generated(data: dict[str, Any], count: int) -> list[str]:
    """`count` tags made of known subtags and random letters, the same on every run."""
    rng = random.Random(11)
    registry = registry_subtags()
    languages = [one["tag"].split("-")[0] for one in data["languages"]] + registry["language"]

    def letters(low: int, high: int) -> str:
        return "".join(rng.choices(string.ascii_letters + string.digits, k=rng.randint(low, high)))

    def subtag() -> str:
        chosen: str = rng.choice(
            [
                rng.choice(languages),
                rng.choice(registry["script"]),
                rng.choice(registry["region"]),
                rng.choice(VARIANTS),
                letters(1, 9),
                rng.choice("aux0") + "-" + letters(2, 8),
            ]
        )
        return chosen

    tags = []
    for _ in range(count):
        parts = [rng.choice(languages) if rng.random() < 0.8 else letters(1, 5)]
        parts += [subtag() for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4]))]
        tag = rng.choice("-----_").join(parts)
        case = rng.random()
        tags.append(tag.lower() if case < 0.15 else tag.upper() if case < 0.25 else tag)
    return tags


def canonical(tag: str) -> str | None:
    """langcodes' canonical form of `tag`, or None where it cannot parse it."""
    try:
        return str(langcodes.Language.get(tag, normalize=True).to_tag())
    except ValueError:  # LanguageTagError is one
        return None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The repository's scenarios and templates built into a site, served on 127.0.0.1."""
    root = library_copy(tmp_path_factory.mktemp("repository"))
    out = tmp_path_factory.mktemp("served") / "out"
    build(root, out)
    with serving(out / "site") as address:
        yield address, out / "site"


@pytest.fixture(scope="module")
def data(site: tuple[str, Path]) -> dict[str, Any]:
    """The built languages.json, as the browser gets it."""
    loaded: dict[str, Any] = json.loads((site[1] / DATA).read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def corpus(data: dict[str, Any]) -> list[str]:
    """Every tag to judge, once each, in a fixed order."""
    tags = [spelling for one in data["languages"] for spelling in spellings(one["tag"])]
    tags += [spelling for tag in HAND_PICKED for spelling in spellings(tag)]
    tags += generated(data, 600)
    return list(dict.fromkeys(tags))


def judged_in_browser(page: Page, address: str, tags: list[str]) -> list[dict[str, Any]]:
    """`judgeLanguage` and `canonicalTag` of each tag in Chromium, in one evaluate."""
    page.goto(f"{address}/")
    results: list[dict[str, Any]] = page.evaluate(
        """async ({tags, module, data}) => {
            const { judgeLanguage, canonicalTag } = await import(
                new URL(module, location.href));
            const languages = await (await fetch(new URL(data, location.href))).json();
            return tags.map((tag) => ({
                verdict: judgeLanguage(tag, languages),
                canonical: canonicalTag(tag, languages),
            }));
        }""",
        {"tags": tags, "module": MODULE, "data": DATA},
    )
    assert page.problems == []  # type: ignore[attr-defined]
    return results


def test_browser_judges_every_tag_as_validate_does(
    page: Page, site: tuple[str, Path], corpus: list[str]
) -> None:
    """Same verdict, code, words and canonical form for each tag of the corpus."""
    found = judged_in_browser(page, site[0], corpus)
    differ = []
    for tag, browser in zip(corpus, found, strict=True):
        verdict = judge_language(tag)
        python = {
            "verdict": None if verdict is None else {"code": verdict[0], "message": verdict[1]},
            "canonical": canonical(tag),
        }
        if browser != python:
            differ.append(f"{tag!r}: python {python}, browser {browser}")
    assert differ == [], f"{len(differ)} of {len(corpus)} tags differ:\n" + "\n".join(differ[:20])


def test_corpus_reaches_every_verdict(corpus: list[str]) -> None:
    """The comparison means something: each verdict is given to many tags of the corpus."""
    counts = dict.fromkeys(["fine", *MESSAGES], 0)
    for tag in corpus:
        verdict = judge_language(tag)
        if verdict is None:
            counts["fine"] += 1
        elif verdict[0] == "language-form":
            counts["language-form"] += 1
        elif "is a country's code" in verdict[1]:
            counts["country-code"] += 1
        else:
            kind = "not-a-tag" if verdict[1] == MESSAGES["not-a-tag"].format(tag=tag) else ""
            counts[kind or "unknown-language"] += 1
    # each country's code in two spellings at least (jp, JP); every other verdict often
    assert counts.pop("country-code") >= 2 * len(COUNTRY_CODES), counts
    assert all(count >= 50 for count in counts.values()), counts
