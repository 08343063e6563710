"""The site's search index: static, sharded files that `site/static/search.js` reads.

- `search/meta.json`: the filter values of every public scenario (a few bytes each), the
  names to show for them, and the scenarios' numbers in display (title) order;
- `search/docs/<n>.json`: id, title and description of scenarios n*100 … n*100+99, numbered
  in id order;
- `search/terms/<key>.json`: for every word whose first three letters (or, for CJK, whose
  two characters) are `key` (hex of its UTF-8), the scenarios that contain it and a weight.
A search fetches the meta file once and then only the shards of its own words: the page
stays small for tens of thousands of scenarios, and needs no server.

What one scenario adds is bounded, whatever its file holds: at most `MAX_WORDS` words, the
heaviest (title, then vocabulary, description, translations and phrases), each cut to
`MAX_WORD_LENGTH` characters. So a scenario writes into at most `MAX_WORDS` shard files
and adds at most about 200 bytes a word; before the bound, one valid file of distinct CJK
characters made tens of thousands of shard files. The largest real scenario has 265 words,
the longest real word 21 characters: real content is indexed whole.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson

from scenariokit.entries import entry_fields
from scenariokit.tokens import is_cjk, site_terms

CHUNK = 100
# What one scenario contributes at most (see above); search.js cuts a query's words to the
# same length, which it reads from meta.json.
MAX_WORDS = 400
MAX_WORD_LENGTH = 40
# How much a word counts, by where it occurs.
WEIGHTS = {"title": 10, "vocabulary": 4, "description": 3, "translation": 2, "phrases": 1}


def shard_key(term: str) -> str:
    """The file a word lives in: hex of its first three characters (two for CJK)."""
    size = 2 if is_cjk(term) else 3
    return term[:size].encode("utf-8").hex()


def scenario_weights(doc: dict[str, Any]) -> dict[str, int]:
    """Each searchable word of a scenario and its weight (once per field it occurs in).

    At most `MAX_WORDS` of them, each at most `MAX_WORD_LENGTH` long: the full build and
    the rebuild both index what this returns, so both apply the same bound.
    """
    fields: dict[str, list[str]] = defaultdict(list)
    fields["title"].append(doc["title"])
    fields["description"] += [doc.get("description", ""), doc.get("setting", "")]
    for phase in doc["phases"]:
        fields["description"].append(phase["name"])
        for entries, key in (
            (phase["key_vocabulary"], "term"),
            (phase["essential_phrases"], "text"),
        ):
            for entry in entries:
                text, translation, _ = entry_fields(entry, key)
                fields["vocabulary" if key == "term" else "phrases"].append(text)
                if translation:
                    fields["translation"].append(translation)
    weights: dict[str, int] = defaultdict(int)
    for field, texts in fields.items():
        words = {t[:MAX_WORD_LENGTH] for text in texts for t in site_terms(text)}
        for word in sorted(words):  # a stable order: the build state is byte-identical too
            weights[word] += WEIGHTS[field]
    return _heaviest(weights)


def _heaviest(weights: dict[str, int]) -> dict[str, int]:
    """The `MAX_WORDS` heaviest words, ties broken by the word.

    Deterministic, and a title's and the vocabulary's words outweigh those found only in
    phrases or translations, which a learner is less likely to search for.
    """
    if len(weights) <= MAX_WORDS:
        return dict(weights)
    kept = set(sorted(weights, key=lambda word: (-weights[word], word))[:MAX_WORDS])
    return {word: weight for word, weight in weights.items() if word in kept}


def search_files(cards: list[dict[str, Any]], weights: list[dict[str, int]]) -> dict[str, bytes]:
    """Every file of the index (paths relative to the site), for `cards` in id order.

    A scenario's number is its place in id order, so a change to one scenario that keeps
    its id touches only the files of its own words (see `updated_search_files`).
    """
    postings: dict[str, list[int]] = defaultdict(list)
    for number, doc_weights in enumerate(weights):
        for word, weight in doc_weights.items():
            postings[word] += (number, weight)
    shards: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for word, numbers in postings.items():  # each word's shard worked out once, not per use
        shards[shard_key(word)][word] = numbers
    return summary_files(cards) | {_shard_path(key): _dump(words) for key, words in shards.items()}


def updated_word_files(
    site: Path, changed: dict[int, tuple[dict[str, int], dict[str, int]]]
) -> dict[str, bytes | None]:
    """The files to rewrite (None: to delete) when some scenarios' words changed.

    `changed` maps a scenario's number to its old and new weights, both from
    `scenario_weights` (so bounded as a full build's are); the ids are the same as before
    (else the numbers move: write `search_files` anew). The word files are read
    back from `site` and patched, so the result equals what `search_files` gives for the
    new scenarios.
    """
    files: dict[str, bytes | None] = {}
    by_shard: dict[str, set[str]] = defaultdict(set)
    for old, new in changed.values():
        for word in old.keys() | new.keys():
            if old.get(word) != new.get(word):
                by_shard[shard_key(word)].add(word)
    for key, words in by_shard.items():
        path = site / _shard_path(key)
        shard: dict[str, list[int]] = orjson.loads(path.read_bytes()) if path.exists() else {}
        for word in words:
            postings = dict(zip(shard.get(word, [])[::2], shard.get(word, [])[1::2], strict=True))
            for number, (_, new) in changed.items():
                postings.pop(number, None)
                if word in new:
                    postings[number] = new[word]
            shard[word] = [x for number in sorted(postings) for x in (number, postings[number])]
            if not shard[word]:
                del shard[word]
        files[_shard_path(key)] = _dump(shard) if shard else None
    return files


def summary_files(cards: list[dict[str, Any]]) -> dict[str, bytes]:
    """`meta.json` (filter values, and the display order) and the `docs/` chunks.

    They change only when a card does (`website.card`, for scenarios in id order).
    """
    values = {
        key: sorted({c[key] for c in cards}) for key in ("category", "difficulty", "language")
    }
    position = {key: {v: i for i, v in enumerate(vs)} for key, vs in values.items()}
    names = {key: {c[key]: c[f"{key}_name"] for c in cards} for key in ("category", "language")}
    meta = {
        "chunk": CHUNK,
        "word_length": MAX_WORD_LENGTH,
        "categories": values["category"],
        "category_names": [names["category"][v] for v in values["category"]],
        "difficulties": values["difficulty"],
        "languages": values["language"],
        "language_names": [names["language"][v] for v in values["language"]],
        "docs": [
            [
                position["category"][c["category"]],
                position["difficulty"][c["difficulty"]],
                position["language"][c["language"]],
                c["estimated_duration"],
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
