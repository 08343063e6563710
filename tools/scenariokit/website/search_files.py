"""The site's search index: static, sharded files that `site/static/search.js` reads.

- `search/meta.json`: the filter values of every public scenario (a few bytes each), the
  names to show for them, and the scenarios' numbers in display (title) order;
- `search/docs/<n>.json`: id, title and description of scenarios n*100 … n*100+99, numbered
  in id order;
- `search/terms/<key>.json`: for every word whose first three letters (or, for CJK, whose
  two characters) are `key` (hex of its UTF-8), the scenarios that contain it and a weight;
- `search/keys/<byte>.json`: the keys of the `terms/` files that exist, by their first
  byte, so that a word no scenario has costs no failing request.
A search fetches the meta file once and then only the shards of its own words: the page
stays small for tens of thousands of scenarios, and needs no server.

What one scenario adds is bounded, whatever its file holds: at most `MAX_WORDS` words, the
heaviest (title, then vocabulary, description, translations and phrases), each cut to
`MAX_WORD_LENGTH` characters. So a scenario writes into at most `MAX_WORDS` shard files
and adds at most about 200 bytes a word; before the bound, one valid file of distinct CJK
characters made tens of thousands of shard files. Real content is indexed whole: a rich
scenario in a CJK language, where each pair of characters is a word, gives up to about 750
(a Korean one of four phases, 2026-12-04), far below the bound; the longest real word has
21 characters.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from scenariokit.check.languages import language_name, primary_language
from scenariokit.check.schema import choices
from scenariokit.entry_fields import phrase_fields, vocabulary_fields
from scenariokit.website.tokens import is_cjk, site_terms

if TYPE_CHECKING:
    from scenariokit.models import Scenario

CHUNK = 100
# What one scenario contributes at most (see above); search.js cuts a query's words to the
# same length, which it reads from meta.json.
MAX_WORDS = 2000
MAX_WORD_LENGTH = 40
# How much a word counts, by where it occurs: the title first, then what names the
# scenario (its topic and language, roles, setting, phases) and its words; its notes last.
WEIGHTS = {
    "title": 10,
    "vocabulary": 4,
    "description": 3,
    "translation": 2,
    "phrases": 1,
    "notes": 1,
}


def shard_key(term: str) -> str:
    """The file a word lives in: hex of its first three characters (two for CJK)."""
    size = 2 if is_cjk(term) else 3
    return term[:size].encode("utf-8").hex()


def scenario_weights(doc: Scenario) -> dict[str, int]:
    """Each searchable word of a scenario and its weight (once per field it occurs in).

    Everything a learner may search by: the title; the topic's and the language's names,
    the roles, the setting, the phases' names and descriptions, the vocabulary's themes;
    words and phrases with their readings and translations; and last the notes,
    objectives, success criteria and cultural notes ("farmacia" is in the Roman
    pharmacy's cultural context only). A CJK run is indexed by its two-character pieces
    and by each of its characters, so that a single kanji (鳥) finds the words holding it
    (焼き鳥). At most `MAX_WORDS` words, each at most `MAX_WORD_LENGTH` long: the full build
    and the rebuild both index what this returns, so both apply the same bound.
    """
    fields: dict[str, list[str]] = defaultdict(list)
    fields["title"].append(doc["title"])
    fields["description"] += [
        doc.get("description", ""),
        doc["setting"],
        doc["user_role"],
        doc["ai_role"],
        doc["category"].replace("_", " "),
        language_name(doc["language"]),
        *doc.get("vocabulary_focus", []),
    ]
    fields["notes"] += [
        doc.get("cultural_context", ""),
        *doc.get("learning_outcomes", []),
        *doc.get("prerequisites", []),
    ]
    for phase in doc["phases"]:
        fields["description"] += [phase["name"], phase.get("description", "")]
        fields["notes"] += [
            phase.get("cultural_notes", ""),
            *phase["learning_objectives"],
            *phase.get("success_criteria", []),
        ]
        for field, entries in (
            ("vocabulary", [vocabulary_fields(e) for e in phase["key_vocabulary"]]),
            ("phrases", [phrase_fields(e) for e in phase["essential_phrases"]]),
        ):
            for text, translation, note, reading in entries:
                fields[field].append(text)
                if reading:  # found by how it reads, as by how it is written
                    fields[field].append(reading)
                if translation:
                    fields["translation"].append(translation)
                if note:
                    fields["notes"].append(note)
    weights: dict[str, int] = defaultdict(int)
    for field, texts in fields.items():
        words = {t[:MAX_WORD_LENGTH] for text in texts for t in _indexed(text)}
        for word in sorted(words):  # a stable order: the build state is byte-identical too
            weights[word] += WEIGHTS[field]
    return _heaviest(weights)


def _indexed(text: str) -> Iterator[str]:
    """The words of `text` the index holds: a search's words, and each CJK character."""
    for term in site_terms(text):
        yield term
        if len(term) == 2 and is_cjk(term):
            yield from term


def entries_path(scenario_id: str) -> str:
    """Where a scenario's words and phrases are listed for the search's result cards."""
    return f"search/entries/{scenario_id}.json"


def search_entries(doc: Scenario) -> bytes:
    """`search/entries/<id>.json`: each word and phrase with its translation, in order.

    A result card shows the entries that hold the words searched for ("la cuenta — the
    bill"): search.js fetches this small file for the cards it shows, about 3 KB a
    scenario, where the whole API file is ten times that.
    """
    entries = [
        [text, translation or ""]
        for phase in doc["phases"]
        for text, translation, _, _ in [
            *(vocabulary_fields(e) for e in phase["key_vocabulary"]),
            *(phrase_fields(e) for e in phase["essential_phrases"]),
        ]
    ]
    return _dump(entries)


def _heaviest(weights: dict[str, int]) -> dict[str, int]:
    """The `MAX_WORDS` heaviest words, ties broken by the word.

    Deterministic, and a title's and the vocabulary's words outweigh those found only in
    phrases or translations, which a learner is less likely to search for.
    """
    if len(weights) <= MAX_WORDS:
        return dict(weights)
    kept = set(sorted(weights, key=lambda word: (-weights[word], word))[:MAX_WORDS])
    return {word: weight for word, weight in weights.items() if word in kept}


def word_files(
    changed: dict[int, tuple[dict[str, int], dict[str, int]]], site: Path | None = None
) -> dict[str, bytes | None]:
    """The word files to write (None: to delete) for scenarios whose words changed.

    The one way both builds make them. `changed` maps a scenario's number (its place in id
    order) to its old and new weights, both from `scenario_weights` (so bounded alike). A
    full build passes every scenario with no old words and no `site`: every file is made
    from nothing. A rebuild passes the scenarios it re-read, whose ids are the same as
    before (else the numbers move and it builds anew), and the site: only the files of
    the words that changed are read back and patched, so they equal a full build's.
    """
    fresh: dict[str, list[int]] = defaultdict(list)  # each word's new postings, flat
    words: set[str] = set()  # the words whose postings change
    for number in sorted(changed):
        old, new = changed[number]
        for word, weight in new.items():
            fresh[word] += (number, weight)
        if old:
            words.update(w for w, weight in new.items() if old.get(w) != weight)
            words.update(old.keys() - new.keys())
        else:
            words.update(new)
    by_shard: dict[str, list[str]] = defaultdict(list)
    for word in words:  # each word's shard worked out once, not per scenario
        by_shard[shard_key(word)].append(word)
    files: dict[str, bytes | None] = {}
    born, gone = set(), set()  # the shard files made and removed
    for key, shard_words in by_shard.items():
        path = _shard_path(key)
        shard: dict[str, list[int]] = {}
        existed = site is not None and (site / path).exists()
        if site is not None and existed:
            shard = orjson.loads((site / path).read_bytes())
        for word in shard_words:
            shard[word] = _merged(shard.get(word, []), fresh[word], changed)
            if not shard[word]:
                del shard[word]
        files[path] = _dump(shard) if shard else None
        if shard and not existed:
            born.add(key)
        elif existed and not shard:
            gone.add(key)
    return files | _key_files(born, gone, site)


# The first bytes of the UTF-8 of a searchable word: a digit, a lower-case ASCII letter or
# the lead byte of any other character (what `tokens.terms` keeps is letters and digits).
LEAD_BYTES = [f"{b:02x}" for b in [*range(0x30, 0x3A), *range(0x61, 0x7B), *range(0xC2, 0xF5)]]


def _key_files(born: set[str], gone: set[str], site: Path | None) -> dict[str, bytes]:
    """`search/keys/<lead byte>.json`: which word files exist, by their key's first byte.

    search.js reads the list before it asks for a word's file, so a word no scenario has
    is known to be missing without a request that fails (and a 404 in the console).
    Every lead byte has its list, empty or not; a rebuild rewrites those whose files were
    made or removed.
    """
    leads = LEAD_BYTES if site is None else sorted({k[:2] for k in born | gone})
    files = {}
    for lead in leads:
        path = f"search/keys/{lead}.json"
        keys: set[str] = set()
        if site is not None and (site / path).exists():
            keys = set(orjson.loads((site / path).read_bytes()))
        keys = (keys | {k for k in born if k.startswith(lead)}) - gone
        files[path] = _dump(sorted(keys))
    return files


def _merged(kept: list[int], fresh: list[int], changed: Container[int]) -> list[int]:
    """A word's postings: those kept of unchanged scenarios and the fresh ones, by number."""
    if not kept:
        return fresh
    pairs = [
        (number, weight)
        for number, weight in zip(kept[::2], kept[1::2], strict=True)
        if number not in changed
    ]
    pairs += zip(fresh[::2], fresh[1::2], strict=True)
    return [x for pair in sorted(pairs) for x in pair]


def summary_files(cards: list[dict[str, Any]]) -> dict[str, bytes]:
    """`meta.json` (filter values, and the display order) and the `docs/` chunks.

    They change only when a card does (`pages.card`, for scenarios in id order): both
    builds make them here, a rebuild only when a card changed.
    """
    values = {
        key: sorted({c[key] for c in cards if c[key] is not None})
        for key in ("category", "language", "created_by", "cefr")
    }
    present = {c["difficulty"] for c in cards}  # in the schema's order, easiest first
    values["difficulty"] = [d for d in choices("difficulty") if d in present]
    position = {key: {v: i for i, v in enumerate(vs)} for key, vs in values.items()}
    names = {key: {c[key]: c[f"{key}_name"] for c in cards} for key in ("category", "language")}
    meta = {
        "chunk": CHUNK,
        "word_length": MAX_WORD_LENGTH,
        "categories": values["category"],
        "category_names": [names["category"][v] for v in values["category"]],
        "difficulties": values["difficulty"],
        "difficulty_names": [d.capitalize() for d in values["difficulty"]],
        "languages": values["language"],
        "language_names": [names["language"][v] for v in values["language"]],
        # The filter "de" takes in de-AT: a tag matches its own value and its language's.
        "language_primaries": [primary_language(v) for v in values["language"]],
        "authors": values["created_by"],
        "cefrs": values["cefr"],
        "docs": [
            [
                position["category"][c["category"]],
                position["difficulty"][c["difficulty"]],
                position["language"][c["language"]],
                c["estimated_duration"],
                position["created_by"][c["created_by"]],
                position["cefr"].get(c["cefr"], -1),  # -1: no CEFR level given
            ]
            for c in cards
        ],
        "order": sorted(
            range(len(cards)),
            key=lambda n: (cards[n]["title"].casefold(), cards[n]["scenario_id"]),
        ),
    }
    files = {"search/meta.json": _dump(meta)}
    for start in range(0, len(cards), CHUNK):
        files[f"search/docs/{start // CHUNK}.json"] = _dump(
            [
                [c["scenario_id"], c["title"], c.get("description") or ""]
                for c in cards[start : start + CHUNK]
            ]
        )
    return files


def _shard_path(key: str) -> str:
    return f"search/terms/{key}.json"


def _dump(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
