"""Readings: how to read an entry's words, carried from the file to every output.

A Japanese scenario with readings on vocabulary and phrases, built for real: the file
validates and `fmt` puts `reading` after the words; the index stores it and full-text
search finds the entry by it; the API, the page (ruby over the words, with a switch that
hides them and is remembered) and the role-play prompt carry it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from scenariokit.build.run import build
from scenariokit.build.sqlite_index import search
from tests.helpers import (
    diagnostics,
    dump,
    invoke,
    make_repo,
    require_chromium,
    serving,
    valid_doc,
)

PATH = "scenarios/restaurant/izakaya-tokyo.yaml"


def japanese() -> dict[str, Any]:
    doc = valid_doc() | {
        "scenario_id": "izakaya-tokyo",
        "title": "An Evening at an Izakaya",
        "language": "ja",
    }
    first = doc["phases"][0]
    first["key_vocabulary"][0] = {"term": "居酒屋", "reading": "いざかや", "translation": "pub"}
    first["key_vocabulary"][1] = {"term": "お通し", "reading": "おとおし"}
    first["essential_phrases"][0] = {
        "text": "生ビールをください。",
        "reading": "なまビールをください。",
        "translation": "A draught beer, please.",
    }
    return doc


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_repo(tmp_path_factory.mktemp("repo"), {PATH: dump(japanese())})
    build(root, root / "out")
    return root


def test_a_reading_validates_and_fmt_puts_it_after_the_words(built: Path) -> None:
    assert diagnostics("--root", built, "validate", "--strict") == (0, [])
    path = built / PATH
    assert (
        invoke("--root", built, "fmt", path).exit_code == 0
    )  # the helper's layout, made canonical
    canonical = path.read_text("utf-8")
    entry = "      - term: 居酒屋\n        reading: いざかや\n        translation: pub\n"
    assert entry in canonical
    # Written with the reading last, as a contributor might: fmt moves it after the words.
    swapped = "      - term: 居酒屋\n        translation: pub\n        reading: いざかや\n"
    path.write_text(canonical.replace(entry, swapped), "utf-8")
    assert invoke("--root", built, "fmt", "--check", path).exit_code == 1
    assert invoke("--root", built, "fmt", path).exit_code == 0
    assert path.read_text("utf-8") == canonical


def test_the_index_stores_readings_and_search_finds_them(built: Path) -> None:
    index = built / "out" / "scenarios.sqlite"
    db = sqlite3.connect(index)
    rows = db.execute(
        "SELECT term, reading FROM vocabulary WHERE reading IS NOT NULL ORDER BY position"
    ).fetchall()
    assert rows == [("居酒屋", "いざかや"), ("お通し", "おとおし")]
    (phrase,) = db.execute("SELECT reading FROM phrases WHERE reading IS NOT NULL").fetchone()
    assert phrase == "なまビールをください。"
    db.close()
    assert [hit.scenario_id for hit in search(index, "いざかや")] == ["izakaya-tokyo"]


def test_the_api_and_the_prompt_carry_readings(built: Path) -> None:
    site = built / "out" / "site"
    api = orjson.loads((site / "api" / "scenarios" / "izakaya-tokyo.json").read_bytes())
    assert api["phases"][0]["key_vocabulary"][0]["reading"] == "いざかや"
    page = (site / "scenarios" / "izakaya-tokyo" / "index.html").read_text("utf-8")
    assert "<ruby>居酒屋<rp> (</rp><rt>いざかや</rt><rp>)</rp></ruby>" in page
    assert '<span lang="ja">居酒屋</span> [いざかや] (pub)' in page  # the prompt, shown
    assert '<span lang="ja">お通し</span> [おとおし]' in page


def test_a_page_without_readings_has_no_switch(built: Path, tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {"scenarios/restaurant/tapas.yaml": dump(
        valid_doc() | {"scenario_id": "tapas"}
    )})  # fmt: skip
    build(root, root / "out")
    page = (root / "out" / "site" / "scenarios" / "tapas" / "index.html").read_text("utf-8")
    assert "<ruby>" not in page
    assert "show-readings" not in page


@pytest.fixture(scope="module")
def site(built: Path) -> Iterator[str]:
    require_chromium()
    with serving(built / "out" / "site") as address:
        yield address


def test_the_switch_hides_readings_and_is_remembered(site: str, page: Any) -> None:
    page.goto(f"{site}/scenarios/izakaya-tokyo/")
    reading = page.locator("rt").first
    switch = page.get_by_label("Show readings over the words")
    assert switch.is_checked()
    assert reading.is_visible()
    switch.uncheck()
    assert reading.is_hidden()
    page.reload()
    assert not page.get_by_label("Show readings over the words").is_checked()
    assert page.locator("rt").first.is_hidden()
    page.get_by_label("Show readings over the words").check()
    assert page.locator("rt").first.is_visible()
    assert page.problems == []
