"""The site's Anki packages, as both builds make them (`website/decks.py` makes one).

A full build's workers write each public scenario's package and put its rows into a part
of their chunk (`write_part`); then each language's package is made from the parts
(`language_files`). A rebuild writes the changed scenarios' packages and makes their
languages' anew from the last package and the changed rows (`patched_language`): the
same rows in the same order as a full build, so the same bytes.
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
    other_scenarios,
    read_package,
    scenario_deck,
)

if TYPE_CHECKING:
    from scenariokit.website.pages import SiteContext, SiteScenario


def refuse_clashes(scenario_ids: set[str], languages: set[str]) -> None:
    """Refuse a public scenario whose id is a language's tag: one file for two packages."""
    for clash in sorted(scenario_ids & languages):
        raise UserError(
            f"the scenario {clash!r} has the id of a language of the site: "
            f"{language_deck_file(clash)} cannot be both packages; rename the scenario "
            "(scenarios duplicate, then remove the old file); nothing was written"
        )


def deck_of(entry: SiteScenario, context: SiteContext, rowid: int) -> ScenarioDeck:
    """A public scenario's deck; `rowid` is its place in id order (its index rowid)."""
    doc = entry.data
    page = f"{context.site_url or context.base}/scenarios/{entry.scenario_id}/"
    return scenario_deck(doc, language_name(doc["language"]), rowid, entry.updated_at, page)


def write_part(path: Path, decks: Sequence[tuple[str, ScenarioDeck]]) -> None:
    """A chunk's decks and their rows, by language, for `language_files` to gather."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("BEGIN")
        connection.execute(f"CREATE TABLE notes (language, {NOTE_COLUMNS})")
        connection.execute(f"CREATE TABLE cards (language, {CARD_COLUMNS})")
        connection.execute("CREATE TABLE decks (language, id, name, description)")
        for language, deck in decks:
            connection.execute("INSERT INTO decks VALUES (?, ?, ?, ?)", (language, *deck.deck))
            connection.executemany(
                f"INSERT INTO notes VALUES (?, {_marks(11)})",
                [(language, *row) for row in deck.notes],
            )
            connection.executemany(
                f"INSERT INTO cards VALUES (?, {_marks(18)})",
                [(language, *row) for row in deck.cards],
            )
        connection.execute("COMMIT")
    finally:
        connection.close()


def language_files(
    context: SiteContext, languages: Sequence[str], parts: Sequence[Path]
) -> list[tuple[str, bytes]]:
    """Each language's package, from the parts of a full build (in chunk order)."""
    files = []
    for language in languages:
        decks = [_language_deck(context, language)]
        for part in parts:
            connection = sqlite3.connect(f"{part.absolute().as_uri()}?mode=ro", uri=True)
            try:
                decks += [
                    Deck(*row)
                    for row in connection.execute(
                        "SELECT id, name, description FROM decks WHERE language = ?",
                        (language,),
                    )
                ]
            finally:
                connection.close()
        sources = [
            Source(
                {"part": part},
                f"SELECT {NOTE_COLUMNS} FROM part.notes WHERE language = ? ORDER BY id",
                f"SELECT {CARD_COLUMNS} FROM part.cards WHERE language = ? ORDER BY id",
                (language,),
            )
            for part in parts
        ]
        files.append((language_deck_file(language), language_package(decks, sources)))
    return files


def patched_language(
    context: SiteContext,
    language: str,
    last: bytes,
    changed: Sequence[tuple[int, ScenarioDeck]],
) -> bytes:
    """A language's package anew: the last one's rows with the changed scenarios' replaced.

    `changed` are the changed scenarios' rowids and decks. Raises what `read_package`
    raises when the last package is not one a build wrote.
    """
    old = read_package(last)
    try:
        replaced = {deck.deck.deck_id for _, deck in changed}
        kept = [d for d in deck_list(old) if d.deck_id not in replaced]
        old_rows = old.serialize()
    finally:
        old.close()
    new_rows = collection(
        [],
        [row for _, deck in changed for row in deck.notes],
        [row for _, deck in changed for row in deck.cards],
    )
    rowids = [rowid for rowid, _ in changed]
    source = Source(
        {"old": old_rows, "new": new_rows},
        f"SELECT {NOTE_COLUMNS} FROM old.notes WHERE {other_scenarios('id', rowids)} "
        f"UNION ALL SELECT {NOTE_COLUMNS} FROM new.notes ORDER BY id",
        f"SELECT {CARD_COLUMNS} FROM old.cards WHERE {other_scenarios('nid', rowids)} "
        f"UNION ALL SELECT {CARD_COLUMNS} FROM new.cards ORDER BY id",
    )
    decks = [_language_deck(context, language), *kept, *(deck.deck for _, deck in changed)]
    return language_package(decks, [source])


def _language_deck(context: SiteContext, language: str) -> Deck:
    """The language's own deck (its description links to the language's page)."""
    page = f"{context.site_url or context.base}/languages/{language}/"
    return language_deck(language, language_name(language), page)


def _marks(count: int) -> str:
    return ", ".join("?" * count)
