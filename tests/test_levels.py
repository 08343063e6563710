"""A scenario's CEFR level (`cefr`) through every output, and the site's filter by it.

Three scenarios: a beginner one at A2, an advanced one at B2, and one that gives no level.
"""

from __future__ import annotations

import html
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pytest

from scenariokit.build.run import build
from tests.helpers import axe_violations, dump, make_repo, serving, valid_doc

if TYPE_CHECKING:
    from playwright.sync_api import Page


def scenario(scenario_id: str, title: str, **fields: Any) -> tuple[str, str]:
    doc = valid_doc() | {"scenario_id": scenario_id, "title": title} | fields
    return f"scenarios/restaurant/{scenario_id}.yaml", dump(doc)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("levels")
    files = dict(
        [
            scenario("tapas-a2", "Tapas at A2", difficulty="beginner", cefr="A2"),
            scenario("tapas-b2", "Tapas at B2", difficulty="advanced", cefr="B2"),
            scenario("tapas-any", "Tapas at any level", difficulty="beginner"),
        ]
    )
    root = make_repo(folder / "repo", files)
    build(root, folder / "out")
    return folder / "out"


def test_the_index_keeps_the_level(out: Path) -> None:
    db = sqlite3.connect(out / "scenarios.sqlite")
    try:
        rows = dict(db.execute("SELECT scenario_id, cefr FROM scenarios"))
    finally:
        db.close()
    assert rows == {"tapas-a2": "A2", "tapas-b2": "B2", "tapas-any": None}


def test_pages_the_api_and_the_prompt_say_the_level(out: Path) -> None:
    site = out / "site"
    page = (site / "scenarios" / "tapas-a2" / "index.html").read_text("utf-8")
    assert '<p class="meta">Beginner (CEFR A2) · ' in page
    assert "at the learner's level (beginner, CEFR A2)" in html.unescape(page)  # the prompt
    unlevelled = (site / "scenarios" / "tapas-any" / "index.html").read_text("utf-8")
    assert '<p class="meta">Beginner · ' in unlevelled
    assert "at the learner's level (beginner)" in html.unescape(unlevelled)
    listing = (site / "categories" / "restaurant" / "index.html").read_text("utf-8")
    assert "<span>Advanced (B2)</span>" in listing
    assert "<span>Beginner</span>" in listing  # the one without a level
    summary = orjson.loads((site / "api" / "scenarios.json").read_bytes())
    cards = summary["scenarios"] if isinstance(summary, dict) else summary
    assert {c["scenario_id"]: c["cefr"] for c in cards} == {
        "tapas-a2": "A2",
        "tapas-b2": "B2",
        "tapas-any": None,
    }
    assert orjson.loads((site / "api" / "scenarios" / "tapas-b2.json").read_bytes())["cefr"] == "B2"


@pytest.fixture
def served(out: Path) -> Iterator[str]:
    with serving(out / "site") as address:
        yield address


def test_the_home_page_filters_by_level_and_keeps_it_in_the_address(
    served: str, page: Page
) -> None:
    """On a phone: the CEFR select lists the levels given, with counts; choosing one
    narrows the results and goes into the address, which brings it back."""
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{served}/")
    page.wait_for_function("document.querySelector('#status').textContent === '3 scenarios'")
    options = page.locator("#cefr option").all_inner_texts()
    assert options == ["Any CEFR level", "A2 (1)", "B2 (1)"]
    page.select_option("#cefr", "B2")
    page.wait_for_function("document.querySelector('#status').textContent === '1 scenario'")
    assert page.locator("#results .card h2").all_inner_texts() == ["Tapas at B2"]
    assert "Advanced (B2)" in page.locator("#results .card .meta").inner_text()
    assert page.url.endswith("/?cefr=B2")
    page.goto(f"{served}/?cefr=A2&difficulty=beginner")
    page.wait_for_function("document.querySelector('#status').textContent === '1 scenario'")
    assert page.locator("#results .card h2").all_inner_texts() == ["Tapas at A2"]
    assert page.input_value("#cefr") == "A2"
    assert axe_violations(page) == []
    assert page.problems == []  # type: ignore[attr-defined]
