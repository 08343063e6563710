"""The site's Anki packages, as both builds make them (`website/decks.py` makes one).

A full build's workers write each public scenario's package and put its rows into a part
of their chunk (`write_part`); then each language's package is made from the parts
(`language_files`). A rebuild writes the changed scenarios' packages and patches their
languages' (`website.decks.patched_package`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from scenariokit.check.languages import language_name
from scenariokit.errors import UserError
from scenariokit.website.decks import (
    CARD_COLUMNS,
    NOTE_COLUMNS,
    Deck,
    ScenarioDeck,
    Source,
    collection,
    deck_list,
    language_deck,
    language_deck_file,
    language_package,
    scenario_deck,
)

if TYPE_CHECKING:
    from scenariokit.website.pages import SiteContext, SiteScenario


def refuse_clashes(scenario_ids: set[str], languages: set[str]) -> None:
    """Refuse a public scenario whose id is a language's tag: one file for two packages.

    Compared without case: `zh-hant` and `zh-Hant` are one file on macOS and Windows.
    """
    tags = {language.casefold(): language for language in languages}
    for clash in sorted(i for i in scenario_ids if i.casefold() in tags):
        raise UserError(
            f"the scenario {clash!r} has the id of a language of the site: "
            f"{language_deck_file(tags[clash.casefold()])} cannot be both packages; rename "
            "the scenario (scenarios duplicate, then remove the old file); nothing was written"
        )


def deck_of(entry: SiteScenario, context: SiteContext, rowid: int) -> ScenarioDeck:
    """A public scenario's deck; `rowid` is its place in id order (its index rowid)."""
    doc = entry.data
    page = context.address(f"scenarios/{entry.scenario_id}/")
    return scenario_deck(doc, language_name(doc["language"]), rowid, entry.updated_at, page)


def write_part(folder: Path, number: int, decks: Sequence[tuple[str, ScenarioDeck]]) -> None:
    """A chunk's decks and rows, a collection per language, for `language_files` to gather.

    `folder/<language>/<number>.anki2`: numbered in chunk order, so the files of a language
    taken in name order bring its rows in id order.
    """
    by_language: dict[str, list[ScenarioDeck]] = {}
    for language, deck in decks:
        by_language.setdefault(language, []).append(deck)
    for language, some in by_language.items():
        content = collection(some)
        (folder / language).mkdir(parents=True, exist_ok=True)
        (folder / language / f"{number:06d}.anki2").write_bytes(content)


def language_files(
    context: SiteContext, languages: Sequence[str], folder: Path
) -> list[tuple[str, bytes]]:
    """Each language's package, from the parts the workers of a full build wrote."""
    files = []
    for language in languages:
        parts = sorted((folder / language).iterdir())
        decks = [_language_deck(context, language)]
        for part in parts:
            connection = sqlite3.connect(f"{part.absolute().as_uri()}?mode=ro", uri=True)
            try:
                decks += deck_list(connection)
            finally:
                connection.close()
        sources = [
            Source(
                {"part": part},
                f"SELECT {NOTE_COLUMNS} FROM part.notes ORDER BY id",
                f"SELECT {CARD_COLUMNS} FROM part.cards ORDER BY id",
            )
            for part in parts
        ]
        files.append((language_deck_file(language), language_package(decks, sources)))
    return files


def _language_deck(context: SiteContext, language: str) -> Deck:
    """The language's own deck (its description links to the language's page)."""
    return language_deck(
        language, language_name(language), context.address(f"languages/{language}/")
    )
