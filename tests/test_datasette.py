"""The index for apps, opened with Datasette as app developers do (issue 15, point 4)."""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from scenariokit.build.run import build
from scenariokit.website.tokens import fts_text
from tests.helpers import library_copy

datasette_app = pytest.importorskip("datasette.app")


def _search(index: Path, query: str) -> dict[str, Any]:
    """Datasette's JSON for `?_search=` on the `scenarios` table, with no metadata."""

    async def get() -> dict[str, Any]:
        instance = datasette_app.Datasette([str(index)])
        response = await instance.client.get(
            f"/scenarios/scenarios.json?_search={query}&_shape=objects&_size=max"
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    # A thread of its own: a browser test's Playwright may hold this thread's event loop.
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, get()).result()


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = library_copy(tmp_path_factory.mktemp("repo"))
    out = tmp_path_factory.mktemp("out") / "out"
    build(root, out)
    return out / "scenarios.sqlite"


def test_datasette_searches_the_scenarios_table_out_of_the_box(index: Path) -> None:
    """`?_search=cuenta` on `scenarios` returns the scenarios whose text has "cuenta" (the
    full-text table is found as Datasette finds one: `content="scenarios"`), not every
    row as it did when Datasette did not link them."""
    with sqlite3.connect(index) as connection:
        total = connection.execute("SELECT count(*) FROM scenarios").fetchone()[0]
        expected = {
            r[0]
            for r in connection.execute(
                "SELECT s.scenario_id FROM scenarios_fts JOIN scenarios AS s "
                "ON s.rowid = scenarios_fts.rowid WHERE scenarios_fts MATCH 'cuenta'"
            )
        }
        spanish = {
            r[0]
            for r in connection.execute(
                "SELECT DISTINCT scenario_id FROM phrases JOIN scenarios USING (scenario_id) "
                "WHERE phrases.text LIKE '%cuenta%' OR phrases.translation LIKE '%the bill%'"
            )
        }
    found = {row["scenario_id"] for row in _search(index, "cuenta")["rows"]}
    assert found == expected
    assert 0 < len(found) < total
    assert found & spanish  # the Spanish scenarios that ask for the bill
    # Japanese and Chinese are indexed in two-character pieces (`tokens.fts_text`): a
    # query in the same pieces finds a word inside a run of characters.
    assert fts_text("焼き鳥") == "焼き き鳥"
    japanese = {row["scenario_id"] for row in _search(index, "焼き き鳥")["rows"]}
    assert "izakaya-evening-tokyo" in japanese


def test_a_rebuild_keeps_the_full_text_index_whole(tmp_path: Path) -> None:
    """A one-file rebuild replaces the scenario's entry in the external-content index: the
    old words no longer find it, the new ones do, and FTS5's own check passes."""
    root = library_copy(tmp_path / "repo")
    out = tmp_path / "out"
    build(root, out)
    tapas = next((root / "scenarios").rglob("tapas-bar-madrid.yaml"))
    text = tapas.read_text("utf-8")
    tapas.write_text(text.replace("Ordering Tapas in Madrid", "Zarzuela Night in Madrid"), "utf-8")
    result = build(root, out)
    assert result.rendered == 1  # a rebuild, not a full build
    index = out / "scenarios.sqlite"
    with sqlite3.connect(index) as connection:
        connection.execute("INSERT INTO scenarios_fts (scenarios_fts) VALUES ('integrity-check')")
    assert [r["scenario_id"] for r in _search(index, "zarzuela")["rows"]] == ["tapas-bar-madrid"]
    assert "tapas-bar-madrid" not in {r["scenario_id"] for r in _search(index, "ordering")["rows"]}
