"""Languages: whether a tag names a real one in canonical form, and what it is called.

From the IANA language subtag registry, through langcodes (slow to load: only when a file
names a language, and what a build found out is remembered for the next rebuild). The
builder page gets the same data (`builder_languages`): the languages to choose from, with
their names, and what langcodes judges a typed tag by.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# Tags that are well formed but name no language a learner can learn.
_NOT_LANGUAGES = {"und", "mul", "mis", "zxx"}


def _is_learnable(code: str | None) -> bool:
    """Not missing, not "undetermined" and the like, not private use (x-…, qaa–qtz)."""
    if not code or code in _NOT_LANGUAGES or code.startswith("x-"):
        return False
    return not (len(code) == 3 and "qaa" <= code <= "qtz")


# What was found out about each language tag: langcodes takes a quarter of a second to
# load its data, so a rebuild that changes one file reuses what the last build found out
# (`language_facts`, `remember_language_facts`).
_VERDICTS: dict[str, tuple[str, str] | None] = {}


_NAMES: dict[str, str] = {}


def judge_language(tag: str) -> tuple[str, str] | None:
    """None for a real language in canonical form, else (code, message). Cached per tag."""
    if tag not in _VERDICTS:
        _VERDICTS[tag] = _judge_language(tag)
    return _VERDICTS[tag]


# The words of the verdicts, `{tag}` and `{canonical}` filled in: also the builder's (see
# `builder_languages`), so a teacher reads in the browser what `validate` would say.
MESSAGES = {
    "not-a-tag": "language '{tag}' is not a BCP 47 language tag: "
    "use a BCP 47 tag such as es, fr, de, ja or pt-BR",
    "unknown-language": "language '{tag}' is not a known language: "
    "use a BCP 47 tag such as es, fr, de, ja or pt-BR",
    "language-form": "write the language tag as '{canonical}', not '{tag}'",
    "country-code": "'{tag}' is a country's code, not a language's: "
    "write the language tag '{canonical}'",
}

# Countries' codes teachers write for their language, where no language has that code
# (`kr`, `se` and `tw` are Kanuri, Northern Sami and Twi: real languages, so not here).
COUNTRY_CODES = {
    "jp": "ja", "cn": "zh-Hans", "gr": "el", "dk": "da", "ua": "uk",
    "cz": "cs", "vn": "vi", "il": "he", "ir": "fa", "us": "en-US", "gb": "en-GB",
}  # fmt: skip


def _judge_language(tag: str) -> tuple[str, str] | None:
    import langcodes  # slow to import: only for files that name a language

    try:
        language = langcodes.Language.get(tag, normalize=True)
    except (langcodes.tag_parser.LanguageTagError, ValueError):
        return "unknown-language", MESSAGES["not-a-tag"].format(tag=tag)
    canonical = language.to_tag()
    if not language.is_valid() or not _is_learnable(language.language):
        if tag.lower() in COUNTRY_CODES:
            meant = COUNTRY_CODES[tag.lower()]
            return "unknown-language", MESSAGES["country-code"].format(tag=tag, canonical=meant)
        return "unknown-language", MESSAGES["unknown-language"].format(tag=tag)
    if canonical != tag:
        return "language-form", MESSAGES["language-form"].format(canonical=canonical, tag=tag)
    return None


# Regional forms teachers often mean, offered beside every two-letter language.
_VARIANTS = (
    "en-GB", "en-US", "es-ES", "es-MX", "es-419", "fr-CA", "fr-FR", "pt-BR", "pt-PT",
    "de-AT", "de-CH", "zh-Hans", "zh-Hant", "zh-TW", "ar-EG", "nl-BE",
)  # fmt: skip


def builder_languages(used: Iterable[str]) -> dict[str, Any]:
    """What the builder offers and checks: languages with their names, and langcodes' data.

    `languages`: every two-letter language of the registry a learner can learn, common
    regional forms and the tags `used` by the repository, each with its English name, by
    name. For checking what a teacher types as `judge_language` does: langcodes' own
    `validity` pattern, `all_scripts` and `replacements` (the CLDR aliases `Language.get`
    applies), `not_languages` (see `_is_learnable`), and the verdicts' words (`messages`).
    """
    from langcodes import data_dicts  # what langcodes judges and normalizes a tag by
    from langcodes.registry_parser import parse_registry

    offered = set(_VARIANTS) | set(used)
    for item in parse_registry():  # type: ignore[no-untyped-call]
        subtag, current = item.get("Subtag"), not {"Deprecated", "Preferred-Value"} & set(item)
        if item.get("Type") == "language" and subtag and len(subtag) == 2 and current:
            offered.add(subtag)
    languages = [
        {"tag": tag, "name": language_name(tag)}
        for tag in sorted(offered)
        if judge_language(tag) is None and _is_learnable(tag.split("-")[0])
    ]
    return {
        "languages": sorted(languages, key=lambda x: (x["name"].casefold(), x["tag"])),
        "validity": data_dicts.VALIDITY.pattern,
        "all_scripts": sorted(data_dicts.ALL_SCRIPTS),
        "replacements": {
            "language": dict(sorted(data_dicts.LANGUAGE_REPLACEMENTS.items())),
            "territory": dict(sorted(data_dicts.TERRITORY_REPLACEMENTS.items())),
        },
        "not_languages": sorted(_NOT_LANGUAGES),
        "messages": MESSAGES,
        "country_codes": COUNTRY_CODES,
    }


def language_name(tag: Any) -> str:
    """`French` for `fr`, `Portuguese (Brazil)` for `pt-BR`; the tag itself if unknown."""
    if not isinstance(tag, str) or judge_language(tag) is not None:
        return str(tag)
    if tag not in _NAMES:
        import langcodes

        _NAMES[tag] = str(langcodes.Language.get(tag).display_name())
    return _NAMES[tag]


# The scripts written from right to left: those of Unicode CLDR's scriptMetadata.txt marked
# RTL (living and historic), as ISO 15924 codes. A list of scripts, not of languages: which
# script a language is written in is langcodes' (CLDR's likely subtags) to say.
RTL_SCRIPTS = frozenset({
    "Adlm", "Arab", "Aran", "Armi", "Avst", "Chrs", "Cprt", "Elym", "Gara", "Hatr", "Hebr",
    "Hung", "Khar", "Lydi", "Mand", "Mani", "Mend", "Merc", "Mero", "Narb", "Nbat", "Nkoo",
    "Orkh", "Ougr", "Palm", "Phli", "Phlp", "Phnx", "Prti", "Rohg", "Samr", "Sarb", "Sogd",
    "Sogo", "Syrc", "Syre", "Syrj", "Syrn", "Thaa", "Yezi",
})  # fmt: skip


_DIRECTIONS: dict[str, str] = {}


def primary_language(tag: str) -> str:
    """The language a tag names, without its region or script: `pt-BR` → `pt`, `zh-Hans` → `zh`.

    What the library's coverage counts by (`scenarios stats`, the languages page): a
    language with all its regional variants.
    """
    return tag.split("-")[0].lower()


def takes_in(wanted: str, tag: str) -> bool:
    """Whether a filter for the language `wanted` takes in a scenario in `tag`.

    The same tag, or, when `wanted` is a language alone, any of its regional variants:
    `pt` takes in `pt`, `pt-BR` and `pt-PT`; `pt-BR` only itself. As the site's language
    filter groups them (search.js), for `scenarios list` and `scenarios search`. Tags are
    compared without regard to case, as BCP 47 says.
    """
    wanted = wanted.lower()
    return tag.lower() == wanted or primary_language(tag) == wanted


def direction(tag: Any) -> str:
    """The direction of `tag`'s language, "rtl" or "ltr": from its script.

    The script is the tag's own (`ar-Latn` is Latin) or the language's likely one (`ar`,
    `fa`, `ur` → Arabic, `he`, `yi` → Hebrew, `dv` → Thaana): langcodes' `maximize`, from
    CLDR. A tag that is not a language is "ltr", the page's own direction. The site's
    pages, flashcards and builder all take their direction from here (see `pages.py`).
    """
    if not isinstance(tag, str):
        return "ltr"
    if tag not in _DIRECTIONS:
        import langcodes

        try:
            script = langcodes.Language.get(tag).maximize().script
        except (langcodes.tag_parser.LanguageTagError, ValueError):
            script = None
        _DIRECTIONS[tag] = "rtl" if script in RTL_SCRIPTS else "ltr"
    return _DIRECTIONS[tag]


def load_language_data() -> None:
    """Load langcodes and its names of languages now (a noticeable part of a second).

    A build calls it before it forks its workers: they then share what was loaded instead
    of each loading it again for its first file.
    """
    import langcodes

    langcodes.Language.get("en").display_name()


def language_facts() -> dict[str, Any]:
    """What this process has found out about language tags, as JSON-ready data."""
    return {"verdicts": _VERDICTS, "names": _NAMES, "directions": _DIRECTIONS}


def remember_language_facts(facts: dict[str, Any]) -> None:
    """Take on what `language_facts` gave in an earlier run."""
    verdicts = facts.get("verdicts", {})
    _VERDICTS.update({tag: (v[0], v[1]) if v else None for tag, v in verdicts.items()})
    _NAMES.update(facts.get("names", {}))
    _DIRECTIONS.update(facts.get("directions", {}))
