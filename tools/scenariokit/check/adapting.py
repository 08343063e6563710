"""Adapting a scenario to its language and country: what is English, what must be adapted.

Decisions (README, "Languages and translation"):
- A scenario's `title` and `description` are in English, the site's language: they are
  what a learner reads to choose a scenario, on pages that are all in English. The language
  learned is in the entries. `not-english` warns (an error with `--strict`) when one reads
  as the scenario's own language: mostly letters of another script than the Latin one
  (`居酒屋で注文`), or, for Spanish, Portuguese, French, Italian and German, more of that
  language's little words (articles, prepositions) than English ones (`Un bistrot à Lyon`).
  Quoted words and a name inside an English sentence pass (`Ordering at an 居酒屋`). A
  heuristic, so it names what it saw.
- Every vocabulary and phrase entry has an English `translation` where CONTRIBUTING says
  so: in a template, and in a scenario started from one (its `derived_from` names a file
  of `templates/`: every entry came with a translation, which `new` keeps).
  `missing-translation` warns (an error with `--strict`) on an entry without one, plain
  strings included. Other scenarios, such as the old app's imports, may keep plain-string
  entries: `scenarios stats` and the languages page count them as missing a translation.

`quotes_language` tells `new` and `duplicate` which of a source's objectives and criteria
quote its language, so they mark them for adapting (`rules.placeholders_are_filled`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from scenariokit.check.diagnostics import DocPath, Finding, describe_path
from scenariokit.check.languages import language_name, primary_language
from scenariokit.escape import visible
from scenariokit.files.loader import Source
from scenariokit.files.repository import TEMPLATES_DIR, Catalog, place_of

PLACEHOLDER = "TODO:"
# The marker `new` and `duplicate` put before a text written for the source's language and
# country, when the copy is in another language: a placeholder with its own message.
ADAPT_MARKER = f"{PLACEHOLDER} adapt:"

_ENGLISH_WORDS = (
    "the a an of in at on to with for and your you from by about after before into out up "
    "as is are it its this that their his her do no per"
)
_ENGLISH = frozenset(_ENGLISH_WORDS.split())
# Little words of a language that are not English words (`_ENGLISH` is taken out of each).
_LITTLE_WORDS = {
    language: frozenset(words.split()) - _ENGLISH
    for language, words in {
        "es": "el la los las del con para por una unos unas y que en al mi su está",
        "pt": "o os da das dos na nos nas em com para uma um e que ao à é",
        "fr": "le la les des du au aux une un et avec pour dans chez est sur à",
        "it": "il lo gli le della dello dei delle del con una uno un e che nel nella alla al è",
        "de": "der die das den dem des und mit im ein eine einen zum zur beim für auf ist",
    }.items()
}
_WORD = re.compile(r"[^\W\d_]+")
# A quotation: in straight or curly quotes, guillemets or Japanese brackets. A straight
# single quote counts only outside a word, so "friend's" and "don't" quote nothing.
_QUOTED = re.compile(
    r"(?<!\w)'[^'\n]+'(?!\w)|\"[^\"\n]+\"|«[^»]+»|“[^”]+”|‘[^’]+’|「[^」]+」|『[^』]+』"
)


def _is_latin(letter: str) -> bool:
    return "LATIN" in unicodedata.name(letter, "")


def reads_as(text: str, language: str) -> str | None:
    """Why `text` reads as `language` rather than English, or None when it may be English."""
    bare = _QUOTED.sub(" ", text)
    letters = [c for c in bare if c.isalpha()]
    other_script = sum(1 for c in letters if not _is_latin(c))
    if other_script and other_script * 2 > len(letters):
        return "it is mostly written in another script than English"
    little = _LITTLE_WORDS.get(primary_language(language), frozenset())
    words = [w.casefold() for w in _WORD.findall(bare)]
    theirs = sorted({w for w in words if w in little})
    ours = sum(1 for w in words if w in _ENGLISH)
    if theirs and sum(1 for w in words if w in little) > ours:
        shown = ", ".join(f"'{w}'" for w in theirs)
        return f"it has {language_name(language)} words ({shown}) and fewer English ones"
    return None


def titles_are_in_english(source: Source, catalog: Catalog) -> Iterator[Finding]:
    """Warn on a title or description that reads as the scenario's language, not English."""
    language = source.data.get("language")
    if not isinstance(language, str):
        return
    for key in ("title", "description"):
        text = source.data.get(key)
        if not isinstance(text, str) or text.startswith(PLACEHOLDER):
            continue
        why = reads_as(text, language)
        if why:
            yield Finding(
                (key,),
                "not-english",
                # The text itself is not quoted: it may hold characters no output shows raw
                # (`characters`), and the position points at it.
                f"the {key} does not read as English ({why}): write the "
                f"{key} in English, the site's language (the {language_name(language)} "
                "belongs in the entries); a name may stay, in quotes or inside an English "
                "sentence",
                "warning",
            )


def _from_a_template(source: Source, catalog: Catalog) -> bool:
    """Whether `source` is a template, or a scenario whose `derived_from` names one."""
    if place_of(source.path, catalog.root)[0] == TEMPLATES_DIR:
        return True
    origin = source.data.get("derived_from")
    # `knows` first: `others` of an id the catalog lacks would add it (it reads a defaultdict).
    return (
        isinstance(origin, str)
        and catalog.knows(origin)
        and any(
            place_of(path, catalog.root)[0] == TEMPLATES_DIR
            for path in catalog.others(origin, source.path)
        )
    )


def translations_are_given(source: Source, catalog: Catalog) -> Iterator[Finding]:
    """Warn on an entry with no translation, in a template or a scenario started from one."""
    if not _from_a_template(source, catalog):
        return
    phases = source.data.get("phases")
    for number, phase in enumerate(phases if isinstance(phases, list) else []):
        if not isinstance(phase, dict):
            continue
        for key, words_key in (("key_vocabulary", "term"), ("essential_phrases", "text")):
            entries = phase.get(key)
            for index, entry in enumerate(entries if isinstance(entries, list) else []):
                path: DocPath = ("phases", number, key, index)
                words: Any
                if isinstance(entry, str):
                    words = entry
                    how = f"write it as a mapping, `{words_key}: …` with `translation: …`"
                elif isinstance(entry, dict) and not entry.get("translation"):
                    words, how = entry.get(words_key), "add `translation: …`"
                else:
                    continue
                if not isinstance(words, str) or words.startswith(PLACEHOLDER):
                    continue
                yield Finding(
                    path,
                    "missing-translation",
                    f"{describe_path(path)} {visible(repr(words))} has no translation: {how} "
                    "with its English meaning (every entry of a template, and of a scenario "
                    "started from one, gives one)",
                    "warning",
                )


def quotes_language(text: str, language: str) -> bool:
    """Whether `text` quotes words of `language`, or names it.

    A quotation, the language's name, or letters of another script than the Latin one:
    `Uses "me queda"`, `in Spanish`, `says いただきます`.
    """
    if _QUOTED.search(text):
        return True
    if any(c.isalpha() and not _is_latin(c) for c in text):
        return True
    name = language_name(primary_language(language))  # "Spanish", also for es-AR
    return re.search(rf"\b{re.escape(name)}\b", text) is not None
