"""A draft's id never leaks through a public scenario derived from it.

A public scenario may name a draft in `derived_from`. The full index (not published) keeps
that, but the site's page, its API file, the search files, the listings and the public
index must not carry the draft's id or title: the page shows no source, the API and the
public index say null. A source that is public is still linked and named.

Real git repositories, real builds through the CLI and in place, every byte of every
published file read.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import orjson
import pytest

from scenariokit.build.run import build
from scenariokit.website.pages import SiteScenario, derived_href, scenario_json
from tests.helpers import as_scenario, dump, git, invoke, make_repo, valid_doc

DRAFT_ID = "zorblax-hidden-draft"
DRAFT_TITLE = "Zorblaxian Hidden Draft"
CHILD = "scenarios/restaurant/public-child.yaml"


def scenario(scenario_id: str, title: str, **fields: Any) -> str:
    return dump(valid_doc() | {"scenario_id": scenario_id, "title": title} | fields)


def child(derived_from: str, title: str = "Public Child Scenario") -> str:
    return scenario("public-child", title, derived_from=derived_from)


def git_repo(tmp_path: Path, files: dict[str, str]) -> Path:
    root = make_repo(tmp_path / "repo", files)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "first")
    return root


def draft_repo(tmp_path: Path) -> Path:
    """A draft D and a public P derived from it."""
    draft = scenario(DRAFT_ID, DRAFT_TITLE, is_public=False)
    return git_repo(
        tmp_path,
        {f"scenarios/restaurant/{DRAFT_ID}.yaml": draft, CHILD: child(DRAFT_ID)},
    )


def publish(tmp_path: Path, root: Path) -> tuple[Path, Path]:
    """`build --public-index` into the site, as pages.yml publishes it."""
    out = tmp_path / "out"
    public = out / "site" / "scenarios.sqlite"
    result = invoke("--root", root, "build", "--out", out, "--public-index", public)
    assert result.exit_code == 0, result.output
    return out, public


def assert_draft_nowhere(site: Path) -> None:
    """No file of the published site (public index included) names the draft."""
    files = sorted(p for p in site.rglob("*") if p.is_file())
    assert any(p.name == "scenarios.sqlite" for p in files)
    for path in files:
        data = path.read_bytes()
        for secret in (DRAFT_ID, DRAFT_TITLE, 'href="/None"', "/None"):
            assert secret.encode() not in data, f"{secret} in {path.relative_to(site)}"


def api(out: Path, scenario_id: str) -> dict[str, Any]:
    document: dict[str, Any] = orjson.loads(
        (out / "site" / "api" / "scenarios" / f"{scenario_id}.json").read_bytes()
    )
    return document


def derived_from(index: Path, scenario_id: str) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(index)
    try:
        return connection.execute(
            "SELECT derived_from FROM scenarios WHERE scenario_id = ?", (scenario_id,)
        ).fetchall()
    finally:
        connection.close()


def page(out: Path, scenario_id: str) -> str:
    return (out / "site" / "scenarios" / scenario_id / "index.html").read_text("utf-8")


@pytest.fixture(autouse=True)
def no_configured_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCENARIOKIT_REPOSITORY", raising=False)
    monkeypatch.delenv("SCENARIOKIT_BRANCH", raising=False)


def test_a_public_scenario_derived_from_a_draft_publishes_nothing_of_it(tmp_path: Path) -> None:
    root = draft_repo(tmp_path)
    out, public = publish(tmp_path, root)
    assert_draft_nowhere(out / "site")
    assert "Derived from" not in page(out, "public-child")
    assert api(out, "public-child")["derived_from"] is None
    assert derived_from(public, "public-child") == [(None,)]
    # The full index, which is not published, holds drafts and keeps where P came from.
    assert derived_from(out / "scenarios.sqlite", "public-child") == [(DRAFT_ID,)]


def test_a_rebuild_in_place_after_editing_the_child_publishes_nothing_of_the_draft(
    tmp_path: Path,
) -> None:
    root = draft_repo(tmp_path)
    out, public = publish(tmp_path, root)
    (root / CHILD).write_text(child(DRAFT_ID, "Public Child, edited"), "utf-8")
    result = build(root, out, public_index=public)
    assert (result.parsed, result.rendered) == (1, 1)  # in place: the child alone
    assert "Public Child, edited" in page(out, "public-child")
    assert_draft_nowhere(out / "site")
    assert api(out, "public-child")["derived_from"] is None
    assert derived_from(public, "public-child") == [(None,)]


def test_a_public_source_is_still_linked_and_named(tmp_path: Path) -> None:
    root = git_repo(
        tmp_path,
        {
            "scenarios/restaurant/public-source.yaml": scenario("public-source", "Public Source"),
            CHILD: child("public-source"),
        },
    )
    out, public = publish(tmp_path, root)
    assert 'Derived from <a href="/scenarios/public-source/">public-source</a>.' in page(
        out, "public-child"
    )
    assert api(out, "public-child")["derived_from"] == "public-source"
    assert derived_from(public, "public-child") == [("public-source",)]


def test_a_child_moved_between_a_public_source_and_a_draft_in_place(tmp_path: Path) -> None:
    root = draft_repo(tmp_path)
    (root / "scenarios/restaurant/public-source.yaml").write_text(
        scenario("public-source", "Public Source"), "utf-8"
    )
    out, public = publish(tmp_path, root)
    (root / CHILD).write_text(child("public-source"), "utf-8")
    assert build(root, out, public_index=public).parsed == 1
    assert 'href="/scenarios/public-source/"' in page(out, "public-child")
    assert api(out, "public-child")["derived_from"] == "public-source"
    assert derived_from(public, "public-child") == [("public-source",)]
    (root / CHILD).write_text(child(DRAFT_ID), "utf-8")
    assert build(root, out, public_index=public).parsed == 1
    assert_draft_nowhere(out / "site")
    assert derived_from(public, "public-child") == [(None,)]


def test_a_source_that_is_nothing_is_not_linked(tmp_path: Path) -> None:
    """A missing source is a validation warning; the page shows no link to nothing."""
    root = git_repo(tmp_path, {CHILD: child("no-such-source")})
    out, public = publish(tmp_path, root)
    assert "Derived from" not in page(out, "public-child")
    assert b'href="/None"' not in page(out, "public-child").encode()
    assert api(out, "public-child")["derived_from"] is None
    assert derived_from(public, "public-child") == [(None,)]


def test_a_template_source_links_to_the_templates_page(tmp_path: Path) -> None:
    template = scenario("cafe-template", "Cafe Template")
    root = git_repo(
        tmp_path, {"templates/cafe-template.yaml": template, CHILD: child("cafe-template")}
    )
    out, public = publish(tmp_path, root)
    link = 'Derived from <a href="/templates/#cafe-template">cafe-template</a>.'
    assert link in page(out, "public-child")
    assert api(out, "public-child")["derived_from"] == "cafe-template"
    # The public index names it too, as the API does (it said NULL while the API named the
    # template; found by a hostile review).
    assert derived_from(public, "public-child") == [("cafe-template",)]
    (root / CHILD).write_text(child("cafe-template", "Public Child, edited"), "utf-8")
    result = build(root, out, public_index=public)
    assert (result.parsed, result.rendered) == (1, 1)  # in place: the child alone
    assert "Public Child, edited" in page(out, "public-child")
    assert link in page(out, "public-child")
    assert derived_from(public, "public-child") == [("cafe-template",)]
    # A public index written outside the output, after a build with nothing to rebuild.
    elsewhere = tmp_path / "published.sqlite"
    assert invoke("--root", root, "build", "--out", out, "--public-index", elsewhere).exit_code == 0
    assert derived_from(elsewhere, "public-child") == [("cafe-template",)]


def test_the_api_names_a_source_only_when_it_is_on_the_site() -> None:
    """`scenario_json` keeps the id of a published source, nulls any other."""
    entry = SiteScenario(
        as_scenario(valid_doc() | {"derived_from": "public-source"}), CHILD, None, None
    )
    linked = derived_href(entry, {"public-source"}, set())
    assert orjson.loads(scenario_json(entry, linked))["derived_from"] == "public-source"
    hidden = derived_href(entry, set(), set())
    assert orjson.loads(scenario_json(entry, hidden))["derived_from"] is None
    assert orjson.loads(scenario_json(entry))["derived_from"] is None
    original = SiteScenario(as_scenario(valid_doc()), CHILD, None, None)
    assert "derived_from" not in orjson.loads(scenario_json(original))


def test_a_preview_marks_its_drafts_in_the_api_summary(tmp_path: Path) -> None:
    """`--drafts`: the summary's entry of a draft says so, as its card and page do (an app
    reading a preview's API could not tell; found by a hostile review)."""
    root = draft_repo(tmp_path)
    out = tmp_path / "out"
    assert invoke("--root", root, "build", "--out", out, "--drafts").exit_code == 0
    summary = orjson.loads((out / "site" / "api" / "scenarios.json").read_bytes())
    marked = {s["scenario_id"]: s.get("draft") for s in summary["scenarios"]}
    assert marked == {DRAFT_ID: True, "public-child": None}
