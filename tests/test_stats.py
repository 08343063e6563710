"""`scenarios stats`: the library's coverage by language and topic, and what it lacks."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from scenariokit.build.run import build
from tests.helpers import (
    REPO,
    axe_violations,
    dump,
    invoke,
    make_repo,
    run_installed,
    serving,
    valid_doc,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page


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


# --- the same coverage on the site's languages page ---------------------------------------


@pytest.fixture
def site(tmp_path: Path) -> Path:
    files = dict(
        [
            scenario("kneipe", "restaurant", language="de"),
            scenario("bahnhof", "travel", language="de", difficulty="advanced", cefr="B2"),
            scenario("beisl", "restaurant", language="de-AT"),
            scenario("izakaya", "restaurant", **japanese()),
        ]
    )
    root = make_repo(tmp_path / "repo", files)
    build(root, tmp_path / "out")
    return tmp_path / "out" / "site"


def test_the_languages_page_shows_the_coverage(site: Path) -> None:
    page = (site / "languages" / "index.html").read_text("utf-8")
    table = page.split('<table class="coverage">')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table)
    header = re.findall(r"<th scope=\"col\">(.*?)</th>", rows[0])
    assert header[:3] == ["Language", "Restaurant", "Travel"]
    assert header[-5:] == ["Beginner", "Intermediate", "Advanced", "No translation", "No reading"]
    german = re.findall(r">([^<]*)</t[hd]>", rows[1])
    assert german[:3] == ["German", "2", "1"]  # de and de-AT together
    assert german[3] == "–"  # no shopping scenario yet
    assert german[-5:-2] == ["2", "0", "1"]
    assert german[-1] == "–"  # German expects no readings
    japanese = re.findall(r">([^<]*)</t[hd]>", rows[2])
    assert japanese[:2] == ["Japanese", "1"]
    # The page counts what `stats` counts: the example's entries without a translation, and
    # in Japanese the kanji word without a reading (the kana one needs none).
    result = invoke("--root", site.parent.parent / "repo", "stats", "--format", "json")
    counted = {c["language"]: c for c in json.loads(result.stdout)["languages"]}
    assert german[-2] == str(counted["de"]["missing_translation"])
    assert japanese[-2:] == [
        str(counted["ja"]["missing_translation"]),
        str(counted["ja"]["missing_reading"]),
    ]
    assert counted["ja"]["missing_reading"] == 1
    assert rows[2].endswith('<td class="gap">1</td>')  # shown as a gap to fill
    assert "17 empty cells: a topic no scenario covers yet" in page


def test_the_coverage_table_reads_well_on_a_phone(site: Path, page: Page) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    with serving(site) as address:
        page.goto(f"{address}/languages/")
        table = page.get_by_role("region", name="Coverage")
        assert table.is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # it scrolls alone
        assert axe_violations(page) == []
        assert page.problems == []  # type: ignore[attr-defined]
