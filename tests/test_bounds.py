"""Bounded outputs (issue 14): no valid file can multiply the site, the search or the index.

The schema limits every list and every text; the search index takes at most
`MAX_WORDS` words of at most `MAX_WORD_LENGTH` characters from a scenario. The worst file
the schema allows (`bench/worst_case.py`, read from the schema's own limits) is built for
real and what it writes is held to bounds computed from the schema. Timings are the
bench's business, not asserted here.
"""

from __future__ import annotations

import copy
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from scenariokit.build.run import build
from scenariokit.check.diagnostics import MAX_COUNTED, MAX_PROBLEMS, TOO_MANY
from scenariokit.check.schema import is_valid
from scenariokit.files.loader import MAX_BYTES
from scenariokit.website.search_files import (
    LEAD_BYTES,
    MAX_WORD_LENGTH,
    MAX_WORDS,
    scenario_weights,
)
from scenariokit.website.theme import static_files
from tests.helpers import (
    REPO,
    SHIPPED,
    as_scenario,
    diagnostics,
    dump,
    invoke,
    make_repo,
    valid_doc,
)

sys.path.insert(0, str(REPO / "bench"))
try:
    import worst_case
finally:
    sys.path.remove(str(REPO / "bench"))

HOME = "scenarios/restaurant/tapas-bar-madrid.yaml"


def text_lengths(node: Any) -> int:
    """How many characters the texts of a document hold (keys and enums too)."""
    if isinstance(node, str):
        return len(node)
    if isinstance(node, dict):
        return sum(text_lengths(v) for v in node.values())
    if isinstance(node, list):
        return sum(text_lengths(v) for v in node)
    return 0


# --- the limits and their messages -----------------------------------------------------------

LISTS = [
    ("prerequisites",),
    ("learning_outcomes",),
    ("vocabulary_focus",),
    ("phases",),
    ("phases", 0, "key_vocabulary"),
    ("phases", 0, "essential_phrases"),
    ("phases", 0, "learning_objectives"),
    ("phases", 0, "success_criteria"),
]


def test_the_lists_here_are_every_list_of_the_schema() -> None:
    """A list added to the schema without a case below fails here."""
    schema_lists = {
        tuple(p for p in path.strip("/").split("/") if p != "items")
        for path, node in _schema_values()
        if "array" in _types(worst_case.rules(node))
    }
    assert schema_lists == {tuple(p for p in path if p != 0) for path in LISTS}


def _schema_values() -> list[tuple[str, dict[str, Any]]]:
    found = []

    def walk(node: dict[str, Any], where: str) -> None:
        found.append((where, node))
        merged = worst_case.rules(node)
        for name, child in merged.get("properties", {}).items():
            walk(child, f"{where}/{name}")
        if isinstance(merged.get("items"), dict):
            walk(merged["items"], f"{where}/items")

    walk(worst_case.SCHEMA, "")
    return found


def _types(rules: dict[str, Any]) -> list[str]:
    kind = rules.get("type", [])
    return [kind] if isinstance(kind, str) else kind


def _item(path: tuple[Any, ...], number: int) -> Any:
    """A distinct, valid entry for the list at `path`."""
    key = path[-1]
    if key == "phases":
        phase = copy.deepcopy(valid_doc()["phases"][0])
        return phase | {"phase_id": f"round-{number}"}
    if key == "key_vocabulary":
        return {"term": f"palabra {number}", "translation": f"word {number}"}
    if key == "essential_phrases":
        return {"text": f"Frase número {number}.", "translation": f"Phrase {number}."}
    return f"Item number {number}"


def _at(doc: dict[str, Any], path: tuple[Any, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


@pytest.mark.parametrize("path", LISTS, ids=["/".join(map(str, p)) for p in LISTS])
def test_a_list_over_its_limit_says_how_many_to_remove(
    tmp_path: Path, path: tuple[Any, ...]
) -> None:
    limit = worst_case.at(*(p if p != 0 else "items" for p in path))["maxItems"]
    doc = valid_doc()
    parent = _at(doc, path[:-1])
    parent[path[-1]] = [_item(path, n) for n in range(limit + 3)]
    text = dump(doc)
    code, found = diagnostics("--root", make_repo(tmp_path, {HOME: text}), "validate")
    too_many = [d for d in found if d["code"] == "too-many"]
    assert code == 1
    assert len(too_many) == 1, found
    (problem,) = too_many
    assert problem["pointer"] == "/" + "/".join(map(str, path))
    assert problem["message"].endswith(
        f"may have at most {limit} entries but has {limit + 3}: remove 3"
    )
    key_line = next(
        n for n, line in enumerate(text.splitlines(), 1) if line.strip() == f"{path[-1]}:"
    )
    assert problem["line"] in (key_line, key_line + 1)  # the key, or the list under it


def test_a_list_item_over_its_length_says_by_how_much(tmp_path: Path) -> None:
    doc = valid_doc()
    doc["prerequisites"] = ["Numbers", "x" * 305]
    doc["phases"][1]["success_criteria"] = ["y" * 301]
    root = make_repo(tmp_path, {HOME: dump(doc)})
    code, found = diagnostics("--root", root, "validate")
    assert code == 1
    assert [(d["code"], d["pointer"], d["message"]) for d in found] == [
        (
            "too-long",
            "/prerequisites/1",
            "prerequisites 2 is too long: 305 characters, the limit is 300; shorten it by 5",
        ),
        (
            "too-long",
            "/phases/1/success_criteria/0",
            "phase 2 › success_criteria 1 is too long: 301 characters, the limit is 300; "
            "shorten it by 1",
        ),
    ]


def test_a_file_breaking_the_schema_thousands_of_times_gets_a_bounded_report(
    tmp_path: Path,
) -> None:
    """The list's count comes first, then its items' errors up to the cap, and the count."""
    doc = valid_doc()
    doc["prerequisites"] = [""] * 5_000
    root = make_repo(tmp_path, {HOME: dump(doc)})
    code, found = diagnostics("--root", root, "validate")
    assert code == 1
    assert len(found) == MAX_PROBLEMS + 1
    assert found[0]["message"] == (
        "prerequisites may have at most 20 entries but has 5000: remove 4980"
    )
    assert {d["code"] for d in found[1:-1]} == {"empty"}
    # 5,001 problems (the count and each empty item once, not also as too short): 100 shown.
    assert (found[-1]["line"], found[-1]["severity"], found[-1]["code"]) == (1, "error", TOO_MANY)
    assert found[-1]["message"] == (
        "… 4,901 more problems in this file not shown: fix these and check it again for the rest"
    )


def test_counting_what_is_not_shown_stops_too(tmp_path: Path) -> None:
    """Counting 200,000 errors costs seconds: past `MAX_COUNTED` the count is a lower bound."""
    doc = valid_doc()
    doc["prerequisites"] = [""] * (MAX_COUNTED + 1_000)
    root = make_repo(tmp_path, {HOME: dump(doc)})
    code, found = diagnostics("--root", root, "validate")
    assert code == 1
    assert len(found) == MAX_PROBLEMS + 1
    assert found[-1]["message"].startswith(f"… at least {MAX_COUNTED:,} more problems")


def _unknown_keys(count: int) -> str:
    """The valid example with `count` keys the schema does not know, one a line."""
    return dump(valid_doc()) + "".join(f"k{i}: 1\n" for i in range(count))


UNKNOWN_KEYS = 60_000
MORE = f"… {UNKNOWN_KEYS - MAX_PROBLEMS:,} more problems in this file not shown"


def test_sixty_thousand_unknown_keys_are_reported_briefly_in_json(tmp_path: Path) -> None:
    """One schema error stands for 60,000 keys: only the first are explained and located.

    Explaining each (a close match, a position found by a scan of the mapping) made this
    file take 97 s and print 60,000 lines.
    """
    root = make_repo(tmp_path, {HOME: _unknown_keys(UNKNOWN_KEYS)})
    code, found = diagnostics("--root", root, "validate")
    assert code == 1
    assert len(found) == MAX_PROBLEMS + 1
    shown = found[:-1]
    assert [d["pointer"] for d in shown] == [f"/k{i}" for i in range(MAX_PROBLEMS)]
    assert {d["code"] for d in shown} == {"unknown-key"}
    assert [d["line"] for d in shown] == sorted(d["line"] for d in shown)
    assert found[-1]["code"] == TOO_MANY
    assert found[-1]["message"].startswith(MORE)


@pytest.mark.parametrize("output_format", ["text", "github"])
def test_sixty_thousand_unknown_keys_in_text_and_annotations(
    tmp_path: Path, output_format: str
) -> None:
    root = make_repo(tmp_path, {HOME: _unknown_keys(UNKNOWN_KEYS)})
    result = invoke("--root", root, "validate", "--format", output_format)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    if output_format == "github":  # what GitHub shows, then the whole list in the log
        annotations = [line for line in lines if line.startswith("::error ")]
        assert len(annotations) == 10
        assert f"91 more errors ({MORE}" in annotations[-1]
        assert "in this file, not annotated (GitHub shows 10 a step)" in annotations[-1]
        lines = lines[lines.index(f"Every problem ({MAX_PROBLEMS + 1}):") + 1 :]
    assert len(lines) == MAX_PROBLEMS + 2  # and the summary line
    assert sum("unknown key 'k" in line for line in lines) == MAX_PROBLEMS
    assert f"{HOME}:1:1: error: {MORE}" in lines[-2]


def test_the_cap_counts_what_the_rules_found_too(tmp_path: Path) -> None:
    """A schema-valid file with hundreds of placeholders: warnings only, so still exit 0.

    The line for the rest is a warning like every problem it stands for; `--strict` makes
    it an error with the rest.
    """
    doc = valid_doc()
    entries = [f"TODO: palabra {n}" for n in range(50)]
    for phase in doc["phases"]:
        phase["key_vocabulary"] = [f"{e} {phase['phase_id']}" for e in entries]
    placeholders = 50 * len(doc["phases"])
    assert placeholders > MAX_PROBLEMS
    root = make_repo(tmp_path, {HOME: dump(doc)})
    code, found = diagnostics("--root", root, "validate")
    assert code == 0
    assert len(found) == MAX_PROBLEMS + 1
    assert {d["severity"] for d in found} == {"warning"}
    assert found[-1]["message"].startswith(
        f"… {placeholders - MAX_PROBLEMS:,} more problems in this file not shown"
    )
    strict = invoke("--root", root, "validate", "--strict", "--format", "json")
    assert strict.exit_code == 1
    assert len(json.loads(strict.stdout)) == MAX_PROBLEMS + 1


def test_every_shipped_file_is_far_inside_the_limits() -> None:
    """Real content: strictly valid, and the search bound never reached (every word of a
    shipped file is searchable)."""
    result = invoke("--root", REPO, "validate", "--strict")
    assert result.exit_code == 0, result.stdout
    files = [*(REPO / "scenarios").rglob("*.yaml"), *(REPO / "templates").glob("*.yaml")]
    assert len(files) == SHIPPED + 10  # and a template per category
    for path in files:
        weights = scenario_weights(yaml.safe_load(path.read_text("utf-8")))
        assert len(weights) < MAX_WORDS, path
        assert max(map(len, weights)) < MAX_WORD_LENGTH, path


# --- the search index's bound ----------------------------------------------------------------


def test_a_scenario_gives_the_search_its_heaviest_words_only() -> None:
    doc = valid_doc()
    many = [f"w{n:04d}x" for n in range(MAX_WORDS + 60)]  # in phrases only: weight 1 each
    for n, start in enumerate(range(0, len(many), 40)):  # spread: 50 phrases a phase at most
        doc["phases"][n % 3]["essential_phrases"].append(" ".join(many[start : start + 40]))
    doc["phases"][0]["key_vocabulary"][0] = "Rechtsschutzversicherungsgesellschaftenkapitän"
    assert is_valid(doc)
    weights = scenario_weights(as_scenario(doc))
    assert len(weights) == MAX_WORDS
    assert all(weights[w] >= 10 for w in ("ordering", "tapas", "madrid"))  # the title's
    assert "rechtsschutzversicherungsgesellschaftenkapitan"[:MAX_WORD_LENGTH] in weights
    assert max(map(len, weights)) == MAX_WORD_LENGTH
    kept = [w for w in many if w in weights]
    assert 0 < len(kept) <= len(many) - 60
    assert kept == many[: len(kept)]  # ties go by the word: the last ones are dropped
    again = scenario_weights(as_scenario(copy.deepcopy(doc)))
    assert again == weights  # the same choice every time


# --- the worst file, built -------------------------------------------------------------------


@pytest.fixture(scope="module", params=worst_case.STYLES)
def worst(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository with the worst file, and one copy under another id; built into out/."""
    root = tmp_path_factory.mktemp(request.param)
    worst_case.write_repository(root / "repo", copies=1, style=request.param)
    build(root / "repo", root / "out")
    return root


def test_the_worst_file_is_valid_and_as_large_as_the_schema_allows(worst: Path) -> None:
    result = invoke("--root", worst / "repo", "validate", "--strict", "--format", "json")
    # Valid; its copy differs in id only: a near-copy (tests/test_copies.py), nothing else.
    found = json.loads(result.stdout)
    assert found
    assert {d["code"] for d in found} == {"near-copy"}
    (path, _) = sorted((worst / "repo" / "scenarios").rglob("*.yaml"))
    assert path.stat().st_size <= MAX_BYTES
    doc = yaml.safe_load(path.read_text("utf-8"))
    # Every text full; but the language must be a real one, shorter than the schema allows.
    short_of_the_limit = worst_case.at("language")["maxLength"] - len(doc["language"])
    assert text_lengths(doc) == worst_case.schema_bounds()["characters"] - short_of_the_limit
    for list_path in LISTS:
        steps = (p if p != 0 else "items" for p in list_path)
        assert len(_at(doc, list_path)) == worst_case.at(*steps)["maxItems"], list_path


def test_the_worst_file_writes_a_bounded_site(worst: Path) -> None:
    site = worst / "out" / "site"
    shards = list((site / "search" / "terms").glob("*.json"))
    assert 0 < len(shards) <= MAX_WORDS  # the two files share their words
    # A leaf's words and where they are, or a node's words (in its first file; its
    # further files are named <key>-<part>).
    files = [orjson.loads(shard.read_bytes()) for shard in shards if "-" not in shard.stem]
    words = [w for f in files for w in f["words"]]
    # A word's key (4 bytes a character at most) and its two files' postings.
    assert sum(p.stat().st_size for p in shards) <= 2 * MAX_WORDS * 200
    assert len(words) <= MAX_WORDS
    assert max(map(len, words)) <= MAX_WORD_LENGTH
    assets = [p for p in (site / "assets").rglob("*") if p.is_file()]
    assert len(assets) == len(static_files())  # the theme's, whatever the scenarios hold
    # The lists of word files, one for each byte a word can start with, hold their keys.
    keys = list((site / "search" / "keys").glob("*.json"))
    assert len(keys) == len(LEAD_BYTES)
    listed = [orjson.loads(p.read_bytes()) for p in keys]
    assert sum(len(k["leaves"]) + len(k["nodes"]) for k in listed) == len(files)
    others = [p for p in site.rglob("*") if p.is_file() and p not in shards + assets + keys]
    assert len(others) <= 40  # the pages and API files of two scenarios, listings, builder
    page = site / "scenarios" / worst_case.scenario_id(0) / "index.html"
    assert page.stat().st_size <= worst_case.page_bound()
    api = site / "api" / "scenarios" / f"{worst_case.scenario_id(0)}.json"
    assert api.stat().st_size <= 6 * worst_case.schema_bounds()["characters"]


def test_the_worst_file_gives_the_index_a_bounded_number_of_rows(worst: Path) -> None:
    rows = worst_case.schema_bounds()["rows"]
    assert rows == {
        "scenarios": 1,
        "scenario_phases": 6,
        "vocabulary": 300,
        "phrases": 300,
        "scenarios_fts": 1,
    }
    with sqlite3.connect(worst / "out" / "scenarios.sqlite") as index:
        for table, most in rows.items():
            (count,) = index.execute(f"SELECT count(*) FROM {table}").fetchone()
            assert count == 2 * most, table  # two maximal files: each at the bound


def test_a_rebuild_applies_the_same_bound_as_a_full_build(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (path,) = worst_case.write_repository(root, style="cjk")
    build(root, tmp_path / "out")
    doc = yaml.safe_load(path.read_text("utf-8"))
    doc["title"] = doc["title"][::-1]  # other words, other shards, same id
    doc["phases"][0]["key_vocabulary"][0]["term"] = "Zweitausendeinhundertfünfundsiebzigstel" * 2
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")
    assert build(root, tmp_path / "out").rendered == 1
    build(root, tmp_path / "fresh")
    rebuilt, fresh = (tmp_path / name / "site" / "search" for name in ("out", "fresh"))
    assert _files(rebuilt) == _files(fresh)
    assert len(list((fresh / "terms").iterdir())) <= MAX_WORDS


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.json")}
