"""Long listings in pages with stable addresses (issue 15, point 3)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from scenariokit.build.run import build
from scenariokit.website.pages import PER_PAGE
from tests.helpers import (
    PHONE,
    axe_violations,
    dump,
    make_repo,
    output_contents,
    serving,
    valid_doc,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

COUNT = 2 * PER_PAGE + 20  # three pages: two full, one of 20


def _doc(n: int, category: str = "restaurant") -> dict[str, object]:
    return valid_doc() | {
        "scenario_id": f"tapas-{n:03d}",
        "title": f"Tapas evening number {n:03d}",
        "category": category,
    }


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    files = {f"scenarios/restaurant/tapas-{n:03d}.yaml": dump(_doc(n)) for n in range(COUNT)}
    return make_repo(tmp_path / "repo", files)


def _listed(page: Path) -> list[str]:
    """The scenarios a listing page links to, in order."""
    return re.findall(r'<h2><a href="/scenarios/([^/]+)/">', page.read_text("utf-8"))


def _pages(site: Path) -> Iterator[Path]:
    yield site / "categories/restaurant/index.html"
    yield from sorted(
        (site / "categories/restaurant/page").glob("*/index.html"), key=lambda p: int(p.parent.name)
    )


def test_a_long_listing_is_in_pages_linked_in_order(repo: Path, tmp_path: Path) -> None:
    build(repo, tmp_path / "out", base_url="https://octocat.github.io/")
    site = tmp_path / "out/site"
    pages = list(_pages(site))
    assert [p.relative_to(site).as_posix() for p in pages] == [
        "categories/restaurant/index.html",
        "categories/restaurant/page/2/index.html",
        "categories/restaurant/page/3/index.html",
    ]
    listed = [_listed(p) for p in pages]
    assert [len(ids) for ids in listed] == [PER_PAGE, PER_PAGE, 20]
    in_order = [scenario for ids in listed for scenario in ids]
    assert in_order == [f"tapas-{n:03d}" for n in range(COUNT)]  # by title, once each
    first, second, last = (p.read_text("utf-8") for p in pages)
    assert f"{COUNT} scenarios; page 1 of 3, by title." in first
    assert 'rel="next" href="/categories/restaurant/page/2/"' in first
    assert 'rel="prev"' not in first
    assert 'rel="prev" href="/categories/restaurant/"' in second
    assert 'rel="next" href="/categories/restaurant/page/3/"' in second
    assert '<a aria-current="page" href="/categories/restaurant/page/3/">3</a>' in last
    assert 'rel="next"' not in last
    assert "<title>Restaurant, page 3 of 3 · " in last
    sitemap = (site / "sitemap.xml").read_text("utf-8")
    for n in (2, 3):
        assert f"<loc>https://octocat.github.io/categories/restaurant/page/{n}/</loc>" in sitemap
    # The language's listing is paginated the same way.
    assert (site / "languages/es/page/3/index.html").is_file()
    assert not (site / "languages/es/page/4").exists()


def test_a_retitled_scenario_moves_pages_as_a_full_build_does(repo: Path, tmp_path: Path) -> None:
    """A rebuild re-renders the pages a new title moves a scenario between; scenarios
    that move to another topic (their files move with them) change how many pages there
    are, and the page that is no more goes."""
    out = tmp_path / "out"
    build(repo, out)
    path = repo / "scenarios/restaurant/tapas-005.yaml"
    path.write_text(dump(_doc(5) | {"title": "Zarzuela evening"}), "utf-8")
    rebuilt = build(repo, out)
    assert (rebuilt.parsed, rebuilt.rendered) == (1, 1)
    fresh = build(repo, tmp_path / "fresh")
    assert output_contents(out / "site") == output_contents(tmp_path / "fresh/site")
    assert _listed(out / "site/categories/restaurant/page/3/index.html")[-1] == "tapas-005"

    (repo / "scenarios/shopping").mkdir()
    for n in range(PER_PAGE + 20, COUNT):  # 50 scenarios leave: one page fewer
        (repo / f"scenarios/restaurant/tapas-{n:03d}.yaml").unlink()
        moved = repo / f"scenarios/shopping/tapas-{n:03d}.yaml"
        moved.write_text(dump(_doc(n, "shopping")), "utf-8")
    build(repo, out)
    build(repo, tmp_path / "fresh2")
    assert fresh.public == COUNT
    assert output_contents(out / "site") == output_contents(tmp_path / "fresh2/site")
    assert not (out / "site/categories/restaurant/page/3").exists()
    assert (out / "site/categories/shopping/index.html").is_file()


def test_every_listing_page_stays_small(repo: Path, tmp_path: Path) -> None:
    build(repo, tmp_path / "out")
    for page in (tmp_path / "out/site").rglob("*.html"):
        assert page.stat().st_size < 150_000, page


def test_the_pages_read_and_work_on_a_phone(repo: Path, tmp_path: Path, page: Page) -> None:
    """On a phone: Next and a page number lead through the listing; axe finds nothing."""
    build(repo, tmp_path / "out")
    with serving(tmp_path / "out/site") as address:
        page.set_viewport_size(PHONE["viewport"])
        page.goto(f"{address}/categories/restaurant/")
        page.get_by_role("link", name="Next").click()
        page.wait_for_url("**/categories/restaurant/page/2/")
        assert page.locator(".pager [aria-current=page]").inner_text() == "2"
        page.get_by_role("navigation", name="Pages").get_by_role("link", name="3").click()
        page.wait_for_url("**/page/3/")
        assert page.locator(".cards .card").count() == 20
        assert axe_violations(page) == []
        assert page.problems == []  # type: ignore[attr-defined]
