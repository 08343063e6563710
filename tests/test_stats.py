"""`scenarios stats`: the library's coverage by language and topic, and what it lacks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, dump, invoke, make_repo, run_installed, valid_doc


def scenario(scenario_id: str, category: str, **fields: Any) -> tuple[str, str]:
    doc = valid_doc() | {"scenario_id": scenario_id, "category": category} | fields
    return f"scenarios/{category}/{scenario_id}.yaml", dump(doc)


def japanese() -> dict[str, Any]:
    """The fields of a Japanese scenario: the valid example's phases, the first with a word
    in kanji and one in kana, neither with a reading, and a partner's line untranslated."""
    doc = valid_doc() | {"language": "ja", "difficulty": "intermediate", "cefr": "B1"}
    first = doc["phases"][0]
    first["key_vocabulary"][0] = {"term": "予約", "translation": "a booking"}
    first["key_vocabulary"][1] = {"term": "すみません", "translation": "excuse me"}
    first["essential_phrases"].append({"text": "いらっしゃいませ", "speaker": "partner"})
    return {key: doc[key] for key in ("language", "difficulty", "cefr", "phases")}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    files = dict(
        [
            scenario("kneipe", "restaurant", language="de"),
            scenario("bahnhof", "travel", language="de", difficulty="advanced", cefr="B2"),
            scenario("beisl", "restaurant", language="de-AT", is_public=False),  # a draft
            scenario("izakaya", "restaurant", **japanese()),
            ("scenarios/travel/broken.yaml", "scenario_id: broken\ntitle: [\n"),
            ("scenarios/travel/invalid.yaml", dump(valid_doc() | {"estimated_duration": 61})),
        ]
    )
    return make_repo(tmp_path / "repo", files)


def test_the_json_counts_each_language_by_topic_level_and_what_it_lacks(root: Path) -> None:
    result = invoke("--root", root, "stats", "--format", "json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["scenarios"] == 4
    assert found["skipped_invalid_files"] == 2  # one unreadable, one refused by the schema
    german, japanese_ = found["languages"]
    assert (german["language"], german["name"], german["tags"]) == ("de", "German", ["de", "de-AT"])
    assert german["by_category"]["restaurant"] == 2  # de and de-AT, draft included
    assert german["by_category"]["travel"] == 1
    assert german["levels"] == {"beginner": 2, "intermediate": 0, "advanced": 1}
    assert (german["cefr"], german["without_cefr"]) == ({"B2": 1}, 2)
    assert german["missing_reading"] == 0  # German needs none
    example = valid_doc()
    per_scenario = sum(
        len(p["key_vocabulary"]) + len(p["essential_phrases"]) for p in example["phases"]
    )
    assert german["entries"] == 3 * per_scenario
    assert german["phases"] == 3 * len(example["phases"])
    assert german["phases_without_partner_lines"] == german["phases"]
    assert japanese_["missing_reading"] == 1  # the kanji word; kana need no reading
    assert japanese_["missing_translation"] == 1 + sum(
        1
        for p in example["phases"]
        for e in (*p["key_vocabulary"], *p["essential_phrases"])
        if isinstance(e, str) or "translation" not in e
    )
    assert japanese_["levels"]["intermediate"] == 1
    empty = {(c["language"], c["category"]) for c in found["empty_cells"]}
    assert ("ja", "travel") in empty
    assert ("de", "restaurant") not in empty
    assert len(empty) == 2 * 10 - 3


def test_the_table_reads_as_the_json_says(root: Path) -> None:
    script = run_installed("--root", str(root), "stats", cwd=Path.cwd())
    assert script.returncode == 0, script.stderr
    lines = script.stdout.splitlines()
    assert lines[0] == "4 scenarios in 2 languages and 10 topics (drafts included)."
    heading = "Scenarios by topic and language ('.' where there is none yet):"
    topics = lines[lines.index(heading) + 1 :]
    assert topics[0].split() == ["topic", "de", "ja", "total"]
    assert topics[1].split() == ["restaurant", "2", "1", "3"]
    assert topics[2].split() == ["travel", "1", ".", "1"]
    assert "Empty cells: 17." in lines
    (german,) = [line for line in lines if line.startswith("German (de, de-AT)")]
    assert german.split()[4:7] == ["2", "0", "1"]  # beginner, intermediate, advanced
    assert "2 files not counted: they do not pass `scenarios validate`." in lines


def test_the_shipped_library_has_no_entry_without_a_translation() -> None:
    result = invoke("--root", REPO, "stats", "--format", "json")
    assert result.exit_code == 0
    found = json.loads(result.output)
    assert found["skipped_invalid_files"] == 0
    assert {c["language"]: c["missing_translation"] for c in found["languages"]} == dict.fromkeys(
        [c["language"] for c in found["languages"]], 0
    )
