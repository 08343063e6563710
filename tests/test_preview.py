"""The pull request's preview (`build --drafts --relative-links --changes-since REV`).

Built from a real repository with a branch, as the pull-request workflow builds it: every
link and asset of every page resolves inside the folder, the drafts are on it and marked,
the home page lists what the branch changed, and real Chromium opens it from `file://`.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from playwright.sync_api import Page

from scenariokit.website.links import relative_links
from tests.helpers import REPO, VALID_TEXT, git, invoke, make_repo, serving


def scenario(scenario_id: str, title: str, *, public: bool = True) -> str:
    text = VALID_TEXT.replace("scenario_id: tapas-bar-madrid", f"scenario_id: {scenario_id}")
    text = text.replace("title: Ordering Tapas in Madrid", f"title: {title}")
    return text if public else text.replace("is_public: true", "is_public: false")


def write(root: Path, relative: str, text: str) -> None:
    (root / relative).parent.mkdir(parents=True, exist_ok=True)
    (root / relative).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A branch that adds a draft, edits a scenario and removes one, built as a preview.

    Returns the site folder.
    """
    tmp = tmp_path_factory.mktemp("preview")
    repo = make_repo(
        tmp / "repo",
        {
            "scenarios/restaurant/tapas-madrid.yaml": scenario("tapas-madrid", "Tapas in Madrid"),
            "scenarios/restaurant/old-cafe.yaml": scenario("old-cafe", "An Old Cafe"),
            "scenarios/restaurant/quiet-bar.yaml": scenario("quiet-bar", "A Quiet Bar"),
        },
    )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    git(repo, "switch", "-qc", "pull-request")
    write(
        repo,
        "scenarios/restaurant/tapas-madrid.yaml",
        scenario("tapas-madrid", "Tapas Evenings in Madrid"),
    )
    write(
        repo,
        "scenarios/restaurant/new-draft.yaml",
        scenario("new-draft", "A Draft Bakery", public=False),
    )
    (repo / "scenarios/restaurant/old-cafe.yaml").unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "the pull request")
    out = tmp / "out"
    result = invoke(
        "--root",
        repo,
        "build",
        "--out",
        out,
        "--drafts",
        "--relative-links",
        "--changes-since",
        "main",
    )
    assert result.exit_code == 0, result.output
    return out / "site"


def text_of(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_relative_links_name_the_files_a_folder_opens() -> None:
    page = (
        '<a href="/">home</a> <a href="/categories/">t</a> <a href="/templates/#x">x</a> '
        '<link href="/assets/style.css"> <a href="/?author=me">me</a> '
        '<a href="https://example.org/">out</a> <a href="//cdn.example/">cdn</a> '
        '<script src="/assets/search.js" data-base=""></script>'
    )
    assert relative_links(page, "scenarios/a/index.html") == (
        '<a href="../../index.html">home</a> <a href="../../categories/index.html">t</a> '
        '<a href="../../templates/index.html#x">x</a> <link href="../../assets/style.css"> '
        '<a href="../../index.html?author=me">me</a> '
        '<a href="https://example.org/">out</a> <a href="//cdn.example/">cdn</a> '
        '<script>if (location.protocol !== "file:") document.write('
        '"<script src=\\"../../assets/search.js\\" data-base=\\"../..\\"><\\/script>");'
        "</script>"
    )
    assert 'data-base=\\".\\"' in relative_links(page, "index.html")
    assert 'href="index.html"' in relative_links(page, "index.html")
    assert relative_links('<a href="./">a</a><a href="?blank">b</a>', "builder/index.html") == (
        '<a href="./index.html">a</a><a href="?blank">b</a>'
    )


def test_every_link_and_asset_of_every_page_is_a_file_of_the_preview(preview: Path) -> None:
    pages = sorted(preview.rglob("*.html"))
    assert len(pages) > 10
    checked = 0
    for page in pages:
        html = text_of(page).replace('\\"', '"')  # a script tag written by a script too
        for attribute, url in re.findall(r'\s(href|src|action|data-api)="([^"]*)"', html):
            parts = urlsplit(url.replace("&amp;", "&"))
            if not url or parts.scheme or url.startswith(("#", "//", "data:")):
                continue
            assert not url.startswith("/"), f"{page}: {attribute}={url}"
            # `?blank` is the page itself, with a query: from file:// too.
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if page.name == "404.html":
                continue  # shown at any address by a host: its links are the root's
            assert target.is_file(), f"{page.relative_to(preview)}: {url} is not a file"
            assert target.is_relative_to(preview.resolve())
            checked += 1
    assert checked > 100


def test_the_home_page_lists_the_changes_and_marks_the_draft(preview: Path) -> None:
    home = text_of(preview / "index.html")
    changes = home[
        home.index('id="changes"') : home.index("</section>", home.index('id="changes"'))
    ]
    rows = re.findall(r"<li>(.*?)</li>", changes, re.S)
    assert len(rows) == 3
    added, edited, removed = (
        next(r for r in rows if f">{status}<" in r) for status in ("Added", "Edited", "Removed")
    )
    assert 'href="scenarios/new-draft/index.html">A Draft Bakery</a>' in added
    assert 'class="badge draft">Draft' in added
    assert 'href="scenarios/tapas-madrid/index.html">Tapas Evenings in Madrid</a>' in edited
    assert "Draft" not in edited
    assert "old-cafe" in removed
    assert "href" not in removed
    assert "quiet-bar" not in changes  # unchanged
    assert "python3 -m http.server" in changes
    draft = text_of(preview / "scenarios/new-draft/index.html")
    assert 'class="draft-banner"' in draft
    assert 'class="badge draft">Draft' in draft
    public = text_of(preview / "scenarios/tapas-madrid/index.html")
    assert 'class="preview-banner"' in public  # on every page of a preview
    article = public[public.index("<article") :]
    assert "draft-banner" not in article
    assert "badge draft" not in article
    topic = text_of(preview / "categories/restaurant/index.html")
    assert re.search(r"A Draft Bakery</a> <span class=\"badge draft\">Draft", topic)
    assert "sitemap.xml" not in {p.name for p in preview.iterdir()}


def test_a_published_build_is_unchanged_by_the_preview_options(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {
            "scenarios/restaurant/tapas-madrid.yaml": scenario("tapas-madrid", "Tapas"),
            "scenarios/restaurant/new-draft.yaml": scenario("new-draft", "Bakery", public=False),
        },
    )
    assert invoke("--root", repo, "build", "--out", tmp_path / "out").exit_code == 0
    site = tmp_path / "out" / "site"
    assert not (site / "scenarios" / "new-draft").exists()
    home = text_of(site / "index.html")
    assert 'href="/assets/style.css"' in home
    assert "preview" not in home
    assert "Draft" not in home


def test_changes_since_an_unknown_revision_is_an_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"scenarios/restaurant/a.yaml": scenario("a", "A")})
    git(repo, "init", "-q", "-b", "main")
    result = invoke(
        "--root", repo, "build", "--out", tmp_path / "out", "--changes-since", "no-such"
    )
    assert result.exit_code != 0
    assert "--changes-since no-such" in result.output
    both = invoke(
        "--root", repo, "build", "--relative-links", "--base-url", "/repo/", "--out", tmp_path / "o"
    )
    assert both.exit_code == 2
    assert "--base-url" in both.output


def test_chromium_opens_the_preview_from_file_urls(preview: Path, page: Page) -> None:
    """From the changed scenarios to a draft and back, as a maintainer opens the artifact.

    From file:// nothing fails: the scripts, which Chromium would refuse there, are not
    even asked for; the styles apply and every link goes to its page.
    """
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto((preview / "index.html").as_uri())
    changes = page.locator("#changes")
    assert "Changed in this pull request" in changes.inner_text()
    badge = changes.locator(".badge.draft").first
    # preview.css applies: the badge has its own background.
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    changes.get_by_role("link", name="A Draft Bakery").click()
    assert page.url == (preview / "scenarios/new-draft/index.html").as_uri()
    assert page.locator(".draft-banner").is_visible()
    assert page.locator("h1 .badge.draft").inner_text() == "Draft"
    assert page.locator("link[rel=stylesheet]").count() >= 2
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px"  # style.css
    page.locator(".breadcrumb a").first.click()
    assert page.url == (preview / "categories/restaurant/index.html").as_uri()
    page.get_by_role("link", name="A Draft Bakery").click()
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Scenarios").click()
    assert page.url == (preview / "index.html").as_uri()
    page.get_by_role("link", name="Tapas Evenings in Madrid").click()
    assert page.url == (preview / "scenarios/tapas-madrid/index.html").as_uri()
    page.get_by_role("link", name="Changed scenarios").click()
    assert page.url == (preview / "index.html").as_uri() + "#changes"
    for section in ("Topics", "Languages", "Templates", "Write", "Review"):
        page.get_by_role("navigation", name="Site").get_by_role("link", name=section).click()
        assert page.url.endswith("/index.html"), page.url
        assert page.locator(".preview-banner").is_visible()
    assert failed == []
    assert page.problems == []  # type: ignore[attr-defined]


def test_the_preview_served_over_http_runs_its_scripts(preview: Path, page: Page) -> None:
    """`python3 -m http.server` in the folder: the same pages, with their scripts."""
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    with serving(preview) as address:
        page.goto(f"{address}/index.html")
        # The listing's cards first: leaving sooner aborts their requests, as it would
        # for a learner, and that is no failure of the site.
        page.wait_for_selector("#results li")
        page.get_by_role("link", name="A Draft Bakery").first.click()
        status = page.locator(".flashcards-status")
        page.wait_for_function(
            "() => !document.querySelector('.flashcards-status').textContent.includes('need')"
        )
        assert "JavaScript" not in status.inner_text()
        page.get_by_role("navigation", name="Site").get_by_role("link", name="Scenarios").click()
        page.fill("#q", "bakery")
        page.wait_for_selector("#results li")
        assert "A Draft Bakery" in page.locator("#results").inner_text()
    assert failed == []
    assert page.problems == []  # type: ignore[attr-defined]


def test_a_rebuild_keeps_the_preview_and_a_plain_build_drops_it(tmp_path: Path) -> None:
    repo = make_repo(
        tmp_path / "repo",
        {"scenarios/restaurant/tapas-madrid.yaml": scenario("tapas-madrid", "Tapas")},
    )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    draft = "scenarios/restaurant/new-draft.yaml"
    write(repo, draft, scenario("new-draft", "A Draft Bakery", public=False))
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "a draft")
    out = tmp_path / "out"
    options = ("--drafts", "--relative-links", "--changes-since", "HEAD~1")
    assert invoke("--root", repo, "build", "--out", out, *options).exit_code == 0
    write(repo, draft, scenario("new-draft", "A Draft Bakehouse", public=False))
    again = invoke("--root", repo, "build", "--out", out, *options)
    assert again.exit_code == 0, again.output
    assert "on the site, drafts included" in again.output
    assert "1 page rendered" in again.output  # in place: the draft's page alone
    page = text_of(out / "site/scenarios/new-draft/index.html")
    assert "A Draft Bakehouse" in page
    assert 'href="../../index.html#changes"' in page
    assert "A Draft Bakehouse" in text_of(out / "site/index.html")
    plain = invoke("--root", repo, "build", "--out", out)
    assert plain.exit_code == 0, plain.output
    assert not (out / "site/scenarios/new-draft").exists()
    home = text_of(out / "site/index.html")
    assert 'href="/assets/style.css"' in home
    assert "changes" not in home


def test_the_workflow_uploads_the_preview_the_script_builds() -> None:
    """The check builds the preview with its options and uploads that folder (actionlint
    passes); end to end, tests/test_pull_request_workflow.py runs the script on a branch."""
    path = REPO / ".github" / "workflows" / "pull-request.yml"
    actionlint = Path(sys.executable).parent / "actionlint"  # from the test extra
    linted = subprocess.run([actionlint, path], capture_output=True, text=True, check=False)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    steps = yaml.safe_load(path.read_text("utf-8"))["jobs"]["check"]["steps"]
    upload = next(s for s in steps if s.get("with", {}).get("name") == "site-preview")
    assert upload["with"]["path"] == "preview/site"
    script = (REPO / ".github" / "scripts" / "check-pull-request.sh").read_text("utf-8")
    assert 'build --out "$out_dir" --drafts --relative-links --changes-since "$base_sha"' in script
    assert "unzip it and open \\`index.html\\`" in script
