"""The site's search index: static, sharded files that `site/static/search.js` reads.

- `search/meta.json`: the filter values of every public scenario (a few bytes each) and
  the names to show for them;
- `search/docs/<n>.json`: id, title and description of scenarios n*100 … n*100+99;
- `search/terms/<key>.json`: for every word whose first three letters (or, for CJK, whose
  two characters) are `key` (hex of its UTF-8), the scenarios that contain it and a weight.
A search fetches the meta file once and then only the shards of its own words: the page
stays small for tens of thousands of scenarios, and needs no server.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson

from scenariokit.tokens import is_cjk, site_terms

CHUNK = 100
# How much a word counts, by where it occurs.
WEIGHTS = {"title": 10, "vocabulary": 4, "description": 3, "translation": 2, "phrases": 1}


def shard_key(term: str) -> str:
    """The file a word lives in: hex of its first three characters (two for CJK)."""
    size = 2 if is_cjk(term) else 3
    return term[:size].encode("utf-8").hex()


def scenario_weights(doc: dict[str, Any]) -> dict[str, int]:
    """Each searchable word of a scenario and its weight (once per field it occurs in)."""
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
                text = entry if isinstance(entry, str) else entry[key]
                fields["vocabulary" if key == "term" else "phrases"].append(text)
                if isinstance(entry, dict) and entry.get("translation"):
                    fields["translation"].append(entry["translation"])
    weights: dict[str, int] = defaultdict(int)
    for field, texts in fields.items():
        words = {t for text in texts for t in site_terms(text)}
        for word in sorted(words):  # a stable order: the build state is byte-identical too
            weights[word] += WEIGHTS[field]
    return dict(weights)


def write_search(
    out: Path,
    docs: list[dict[str, Any]],
    names: dict[str, dict[str, str]],
    weights: list[dict[str, int]],
) -> None:
    """Write the index for `docs` (in display order) with their precomputed `weights`."""
    folder = out / "search"
    values = {key: sorted({d[key] for d in docs}) for key in ("category", "difficulty", "language")}
    position = {key: {v: i for i, v in enumerate(vs)} for key, vs in values.items()}
    meta = {
        "chunk": CHUNK,
        "categories": values["category"],
        "category_names": [names["category"][v] for v in values["category"]],
        "difficulties": values["difficulty"],
        "languages": values["language"],
        "language_names": [names["language"][v] for v in values["language"]],
        "docs": [
            [
                position["category"][d["category"]],
                position["difficulty"][d["difficulty"]],
                position["language"][d["language"]],
                d["estimated_duration"],
            ]
            for d in docs
        ],
    }
    _write(folder / "meta.json", meta)
    for start in range(0, len(docs), CHUNK):
        _write(
            folder / "docs" / f"{start // CHUNK}.json",
            [
                [d["scenario_id"], d["title"], d.get("description", "")]
                for d in docs[start : start + CHUNK]
            ],
        )
    shards: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for number, doc_weights in enumerate(weights):
        for word, weight in doc_weights.items():
            shards[shard_key(word)].setdefault(word, []).extend((number, weight))
    for key, postings in shards.items():
        _write(folder / "terms" / f"{key}.json", postings)


def _write(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(value, option=orjson.OPT_SORT_KEYS))
