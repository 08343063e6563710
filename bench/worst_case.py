"""The worst a single valid scenario file can do to the build's outputs, measured.

    python3 bench/worst_case.py [--copies K] [--style escapes|cjk]

writes a repository holding the largest valid file the schema allows, shaped to be worst
for the outputs, builds it and prints what the build wrote: the file's size, its page and
API file, the files under site/, the search shard files and their bytes, the index's rows
per table and its size, and the build time. `--copies K` adds K more files that differ
only in their ids (and so in their URLs).

Every list has its `maxItems` entries and every text its `maxLength` characters, both
read from the schema, so the file stays maximal when a limit changes. Two shapes:

- `escapes` (the default): each text starts with a word of its own (`MAX_WORD_LENGTH`
  letters and more, every one with a different three-letter prefix, so each word would
  get its own search shard file) and is filled up with `"`, the character that grows
  most when escaped for a page (`&#34;`, five bytes);
- `cjk`: texts of distinct Chinese, Japanese and Korean characters, each pair of which is
  a search word of its own with its own shard file: the file that made tens of thousands
  of shard files before the search index bounded what one scenario contributes. The texts
  the search reads are filled with them until each has been used once (38,768 characters,
  116 KB), the rest as `escapes` fills them: in 3-byte characters, the schema's limits
  would pass the 1 MiB file limit.

`schema_bounds()` computes from the schema what any valid file can hold at most (texts'
characters, entries, index rows); `tests/test_bounds.py` holds a build of these files to
it.
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "schemas" / "scenario.schema.json").read_text(encoding="utf-8"))
# The CJK letters tokens.py splits into two-character words (kana and half-width katakana
# left out: they are few), and 26 letters whose triples give every word its own prefix.
CJK = [
    chr(c)
    for lo, hi in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF))
    for c in range(lo, hi + 1)
]
LETTERS = "abcdefghijklmnopqrstuvwxyz"
STYLES = ("escapes", "cjk")
# The keys of the texts `search_files.scenario_weights` reads (a phase's description and
# every note, list and cultural text are not searched).
SEARCHED = {"title", "description", "setting", "name", "term", "text", "reading", "translation"}


def rules(node: dict[str, Any]) -> dict[str, Any]:
    """A schema node with its `$ref`s and `allOf`s merged in, its own keywords last."""
    merged: dict[str, Any] = {}
    for member in [*node.get("allOf", []), node]:
        if "$ref" in member:
            merged.update(rules(SCHEMA["$defs"][member["$ref"].rsplit("/", 1)[1]]))
        merged.update({k: v for k, v in member.items() if k not in ("$ref", "allOf")})
    return merged


def at(*path: str) -> dict[str, Any]:
    """The rules of the value at `path` ("items" steps into a list)."""
    node = rules(SCHEMA)
    for part in path:
        node = rules(node["items"] if part == "items" else node["properties"][part])
    return node


def largest(node: dict[str, Any]) -> tuple[int, int]:
    """(characters, list entries) a value of this schema node can hold at most.

    A list counts its `maxItems` entries; a value that may be a text or a mapping (a
    vocabulary entry) counts the larger of the two.
    """
    node = rules(node)
    kinds = node.get("type", [])
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if "enum" in node:
        return max(len(str(v)) for v in node["enum"]), 0
    best = (0, 0)
    if "string" in kinds:
        best = (node["maxLength"], 0)
    if "object" in kinds:
        parts = [largest(child) for child in node["properties"].values()]
        best = max(best, (sum(c for c, _ in parts), sum(e for _, e in parts)))
    if "array" in kinds:
        characters, entries = largest(node["items"])
        best = max(best, (node["maxItems"] * characters, node["maxItems"] * (entries + 1)))
    return best


def schema_bounds() -> dict[str, Any]:
    """What the schema lets one file hold at most, and so the rows it gives the index."""
    characters, entries = largest(SCHEMA)
    phases = at("phases")["maxItems"]
    vocabulary = phases * at("phases", "items", "key_vocabulary")["maxItems"]
    phrases = phases * at("phases", "items", "essential_phrases")["maxItems"]
    return {
        "characters": characters,
        "entries": entries,
        "rows": {
            "scenarios": 1,
            "scenario_phases": phases,
            "vocabulary": vocabulary,
            "phrases": phrases,
            "scenarios_fts": 1,
        },
    }


# How a page can grow from its file's texts: a character is shown at most 4 times (a
# vocabulary term: as text, in the listen button's data-say and aria-label, and in the
# role-play prompt) and takes at most 6 bytes once escaped (`"` is `&#34;`, five; a
# character outside the BMP four); an entry adds at most 400 bytes of markup (the
# template's markup around a phrase is under 200), and the layout around them is at most
# 20 KB (a whole starter scenario's page, its texts included, is 10 KB).
SHOWN, ESCAPED, MARKUP, LAYOUT = 4, 6, 400, 20_000


def page_bound() -> int:
    """The most bytes a scenario's page can have, from the schema's limits."""
    bounds = schema_bounds()
    return LAYOUT + SHOWN * ESCAPED * bounds["characters"] + MARKUP * bounds["entries"]


class Filler:
    """Text of a given length in one of the `STYLES`, never repeating a word."""

    def __init__(self, style: str, word_length: int) -> None:
        self.style = style
        self.word_length = word_length
        self.prefixes = ("".join(t) for t in itertools.product(LETTERS, repeat=3))
        self.cjk: Iterator[str] = iter(CJK)

    def text(self, length: int, searched: bool) -> str:
        """`length` characters (at least one that is not white space).

        CJK characters go only to the texts the search reads (`searched`), where each pair
        of them makes a word.
        """
        if self.style == "cjk" and searched:
            run = "".join(itertools.islice(self.cjk, length))
            if run:  # else every CJK character is used: go on as `escapes` does
                return run + '"' * (length - len(run))
        word = (next(self.prefixes) + LETTERS * 4)[: min(length, self.word_length + 1)]
        return word + '"' * (length - len(word))


def worst_scenario(
    scenario_id: str, style: str = "escapes", word_length: int = 40
) -> dict[str, Any]:
    """The largest valid scenario, every list full and every text at its limit.

    Filled in the order of the file. With `cjk`, the title and description stay in Latin
    letters, as `validate --strict` wants them (in English: `not-english`).
    """
    fill = Filler(style, word_length)

    def text(*path: str) -> str:
        """The value at its largest: a text at its limit, or the longest choice of a list."""
        rules = at(*path)
        if "enum" in rules:  # `speaker`
            return str(max(rules["enum"], key=lambda choice: len(str(choice))))
        return fill.text(rules["maxLength"], path[-1] in SEARCHED)

    def texts(*path: str) -> list[str]:
        return [text(*path, "items") for _ in range(at(*path)["maxItems"])]

    phase_count = at("phases")["maxItems"]
    doc: dict[str, Any] = {
        "scenario_id": scenario_id,
        "title": fill.text(at("title")["maxLength"], searched=False),
        "description": fill.text(at("description")["maxLength"], searched=False),
        "category": "restaurant",
        "difficulty": "intermediate",
        "cefr": "B1",
        "estimated_duration": phase_count * (at("estimated_duration")["maximum"] // phase_count),
        "language": "es",
        "user_role": text("user_role"),
        "ai_role": text("ai_role"),
        "setting": text("setting"),
        "created_by": "o" * at("created_by")["maxLength"],
        "is_system_scenario": False,
        "is_public": True,
        "derived_from": scenario_id,
        "prerequisites": texts("prerequisites"),
        "learning_outcomes": texts("learning_outcomes"),
        "vocabulary_focus": texts("vocabulary_focus"),
        "cultural_context": text("cultural_context"),
    }
    doc["phases"] = [_phase(number, phase_count, text, texts) for number in range(phase_count)]
    return doc


def _phase(
    number: int, phase_count: int, text: Callable[..., str], texts: Callable[..., list[str]]
) -> dict[str, Any]:
    """One phase of `worst_scenario`, its lists full and its texts at their limits."""
    phase = ("phases", "items")
    entry, phrase = (*phase, "key_vocabulary", "items"), (*phase, "essential_phrases", "items")
    return {
        "phase_id": f"{number:x}-" + "p" * (at(*phase, "phase_id")["maxLength"] - 2),
        "name": text(*phase, "name"),
        "description": text(*phase, "description"),
        "expected_duration_minutes": at("estimated_duration")["maximum"] // phase_count,
        "key_vocabulary": [
            {key: text(*entry, key) for key in at(*entry)["properties"]}  # every key, full
            for _ in range(at(*phase, "key_vocabulary")["maxItems"])
        ],
        "essential_phrases": [
            {key: text(*phrase, key) for key in at(*phrase)["properties"]}
            for _ in range(at(*phase, "essential_phrases")["maxItems"])
        ],
        "learning_objectives": texts(*phase, "learning_objectives"),
        "success_criteria": texts(*phase, "success_criteria"),
        "cultural_notes": text(*phase, "cultural_notes"),
    }


def scenario_id(number: int) -> str:
    """The longest id the schema allows, distinct for each copy."""
    return f"worst-{number:04d}-".ljust(at("scenario_id")["maxLength"], "w")


def write_repository(root: Path, copies: int = 0, style: str = "escapes") -> list[Path]:
    """A repository at `root` with the worst file and `copies` more under other ids."""
    from scenariokit.website.search_files import MAX_WORD_LENGTH

    shutil.copytree(ROOT / "schemas", root / "schemas", dirs_exist_ok=True)
    folder = root / "scenarios" / "restaurant"
    folder.mkdir(parents=True, exist_ok=True)
    doc = worst_scenario(scenario_id(0), style, MAX_WORD_LENGTH)
    written = []
    for number in range(copies + 1):
        doc = doc | {"scenario_id": scenario_id(number), "derived_from": scenario_id(0)}
        path = folder / f"{doc['scenario_id']}.yaml"
        path.write_text(
            yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1 << 20),
            encoding="utf-8",
        )
        written.append(path)
    return written


def measure(root: Path, out: Path) -> dict[str, Any]:
    """Build `root` into `out` and say what the build wrote."""
    from scenariokit.build.run import build

    started = time.perf_counter()
    build(root, out)
    seconds = time.perf_counter() - started
    site = out / "site"
    first = scenario_id(0)
    shards = list((site / "search" / "terms").glob("*.json"))
    search = [p for p in (site / "search").rglob("*") if p.is_file()]
    index = out / "scenarios.sqlite"
    with sqlite3.connect(index) as connection:
        rows = {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in schema_bounds()["rows"]
        }
    return {
        "file_bytes": (root / "scenarios" / "restaurant" / f"{first}.yaml").stat().st_size,
        "page_bytes": (site / "scenarios" / first / "index.html").stat().st_size,
        "api_bytes": (site / "api" / "scenarios" / f"{first}.json").stat().st_size,
        "site_files": sum(1 for p in site.rglob("*") if p.is_file()),
        "shard_files": len(shards),
        "search_bytes": sum(p.stat().st_size for p in search),
        "rows": rows,
        "index_bytes": index.stat().st_size,
        "build_seconds": round(seconds, 2),
    }


def main() -> int:
    """Generate, build and print the measurements as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=0, help="more files, differing in id only")
    parser.add_argument("--style", choices=STYLES, default="escapes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "repo"
        write_repository(root, args.copies, args.style)
        checked = subprocess.run(
            ["scenarios", "--root", str(root), "validate", "--strict"],
            capture_output=True,
            text=True,
            check=False,
        )
        if checked.returncode != 0:
            sys.exit(f"the generated file is not valid:\n{checked.stdout}{checked.stderr}")
        found = measure(root, Path(scratch) / "out")
    limits = {"schema": schema_bounds(), "page_bound": page_bound()}
    print(json.dumps({"style": args.style, "copies": args.copies, **found, **limits}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
