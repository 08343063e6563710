"""The site's Anki packages, as both builds make them (`website/decks.py` makes one).

A full build's workers write each public scenario's package and put its rows into a part
of their chunk (`write_part`); then each language's package is made from the parts
(`language_files`). A rebuild writes the changed scenarios' packages and patches their
languages' (`website.decks.patched_package`).

Each language's collection is also kept uncompressed beside the site (`kept_collection`,
not published): a rebuild patches it in place and compresses only the segments that
changed, where unpacking the package would inflate the whole collection (tens of megabytes
at 10,000 scenarios) for every one-file rebuild. It is trusted only while its size and
modification time are those the state records (`kept_token`, as the sources are judged;
each build gives it a time of its own, `seal`): a rebuild rolled back after patching it,
or a hand that changed it, leaves another time, and the next rebuild writes it anew from
the package (`website.decks.patched_package`).
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from scenariokit.build.folder import COLLECTIONS_DIR
from scenariokit.check.languages import language_name
from scenariokit.errors import UserError
from scenariokit.website.decks import (
    Deck,
    ScenarioDeck,
    collection_file,
    file_package,
    language_deck,
    language_deck_file,
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
    """A chunk's decks, a file per language, for `language_files` to gather.

    `folder/<language>/<number>`: numbered in chunk order, so the files of a language
    taken in name order bring its decks in id order. `marshal`, the fastest way to pass
    plain tuples between processes: an SQLite collection per part cost the workers about
    a third of a millisecond per scenario to fill, for `language_files` to read back.
    """
    by_language: dict[str, list[tuple[object, ...]]] = {}
    for language, deck in decks:
        by_language.setdefault(language, []).append((tuple(deck.deck), *deck[1:]))
    for language, some in by_language.items():
        (folder / language).mkdir(parents=True, exist_ok=True)
        (folder / language / f"{number:06d}").write_bytes(marshal.dumps(some))


def kept_collection(language: str) -> str:
    """Where an output keeps a language's collection uncompressed (see the module's doc)."""
    return f"{COLLECTIONS_DIR}/{language}.anki2"


def kept_token(path: Path) -> str:
    """What tells a kept collection's change: its size and modification time."""
    status = path.stat()
    return f"{status.st_size}:{status.st_mtime_ns}"


def seal(path: Path, generation: int) -> str:
    """Give a kept collection the time of the build's `generation`; its token, to record.

    A time of its own, not the clock's: two builds of the same files write the same state,
    and a build's patch, rolled back, leaves a time the state does not hold (the clock's,
    or its generation's, which the next build after it has too but the state not yet).
    """
    moment = generation * 1_000_000_000  # seconds after 1970: a time no file is written at
    os.utime(path, ns=(moment, moment))
    token = kept_token(path)
    # A file system that cannot keep that time (FAT's start at 1980, in 2 s steps) would
    # give neighbouring generations one time: no token there, the file is never trusted.
    return token if token.endswith(f":{moment}") else ""


def recorded_tokens(tokens: dict[str, str]) -> str:
    """The kept collections' tokens as the state records them (info `collections`)."""
    return orjson.dumps(tokens, option=orjson.OPT_SORT_KEYS).decode()


def tokens_recorded(value: str | None) -> dict[str, str]:
    """The kept collections' tokens a state records; none from a value no build wrote."""
    try:
        tokens = orjson.loads(value or "{}")
    except orjson.JSONDecodeError:
        return {}
    if not isinstance(tokens, dict):
        return {}
    return {k: v for k, v in tokens.items() if isinstance(v, str) and v}


def language_files(
    context: SiteContext, languages: Sequence[str], folder: Path, staging: Path
) -> Iterator[tuple[str, list[bytes]]]:
    """Each language's tag and package (in parts), from the parts a full build's workers wrote.

    Its collection is made where the build keeps it (`kept_collection` in `staging`), and
    the package made from that file.
    """
    for language in languages:
        parts = sorted((folder / language).iterdir())
        listed = [_language_deck(context, language)]  # then its scenarios': read once more
        listed += [Deck(*deck) for part in parts for deck, *_ in marshal.loads(part.read_bytes())]
        kept = staging / kept_collection(language)
        kept.parent.mkdir(parents=True, exist_ok=True)
        collection_file(kept, listed, partial(_batches, parts))
        yield language, file_package(kept)


def _batches(parts: list[Path]) -> Iterator[list[ScenarioDeck]]:
    """The decks of each part, a part at a time."""
    for part in parts:
        yield [ScenarioDeck(Deck(*deck), *rest) for deck, *rest in marshal.loads(part.read_bytes())]


def _language_deck(context: SiteContext, language: str) -> Deck:
    """The language's own deck (its description links to the language's page)."""
    return language_deck(
        language, language_name(language), context.address(f"languages/{language}/")
    )
