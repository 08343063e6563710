"""Secrets stay out of what is built and published: remote credentials, drafts.

Real git repositories with real remotes, real builds, and every byte of every file written
searched for what must not be there.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scenariokit.build.run import build
from scenariokit.build.sqlite_index import SCHEMA_VERSION, search
from scenariokit.build.state import STATE_FILE
from scenariokit.files.git import repository_url
from tests.helpers import REPO, VALID_TEXT, dump, git, invoke, make_repo, valid_doc

TAPAS = "scenarios/restaurant/tapas-bar-madrid.yaml"
DRAFT = "scenarios/restaurant/quiet-draft.yaml"
# What a draft says, each unique: none of it may reach what is published.
DRAFT_TITLE = "Zorblaxian draft title"
DRAFT_PHRASE = "Quuxifrage phrase only drafts know"
DRAFT_NOTE = "Wibblenote for the draft alone"


def draft_text(phrase: str = DRAFT_PHRASE) -> str:
    doc = valid_doc() | {"scenario_id": "quiet-draft", "title": DRAFT_TITLE, "is_public": False}
    doc["phases"][0]["essential_phrases"][0] = {
        "text": phrase,
        "translation": "a translation",
        "note": DRAFT_NOTE,
    }
    return dump(doc)


def git_repo(tmp_path: Path, origin: str | None = None, *, draft: bool = False) -> Path:
    files = {TAPAS: VALID_TEXT} | ({DRAFT: draft_text()} if draft else {})
    root = make_repo(tmp_path / "repo", files)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "first")
    if origin is not None:
        git(root, "remote", "add", "origin", origin)
    return root


def every_byte(folder: Path) -> bytes:
    """The contents of every file under `folder`, hidden ones and databases included."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    assert files
    return b"".join(p.read_bytes() for p in files)


@pytest.fixture(autouse=True)
def no_configured_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCENARIOKIT_REPOSITORY", raising=False)
    monkeypatch.delenv("SCENARIOKIT_BRANCH", raising=False)


def test_credentials_in_the_origin_never_reach_the_output(tmp_path: Path) -> None:
    root = git_repo(tmp_path, "https://alice:ghp_SECRET123@github.com/o/r.git")
    out = tmp_path / "out"
    public = tmp_path / "public.sqlite"
    result = invoke("--root", root, "build", "--out", out, "--public-index", public)
    assert result.exit_code == 0, result.output
    written = every_byte(out) + public.read_bytes()
    assert (out / STATE_FILE).is_file()
    assert b"ghp_SECRET123" not in written
    assert b"alice:" not in written
    assert b"ghp_SECRET123" not in result.output.encode()
    page = (out / "site" / "scenarios" / "tapas-bar-madrid" / "index.html").read_text("utf-8")
    assert f'href="https://github.com/o/r/edit/main/{TAPAS}"' in page
    # The address is part of the site's fingerprint: the same address each time, so a
    # rebuild with nothing changed reads nothing and renders nothing.
    again = build(root, out)
    assert (again.parsed, again.rendered) == (0, 0)


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        ("https://alice:ghp_SECRET123@github.com/o/r.git", "https://github.com/o/r"),
        ("https://ghp_SECRET123@github.com/o/r.git", "https://github.com/o/r"),
        # An https port is part of the web address; an ssh port is not.
        (
            "https://alice:ghp_SECRET123@git.example.org:8443/o/r.git",
            "https://git.example.org:8443/o/r",
        ),
        ("ssh://git@github.com/o/r.git", "https://github.com/o/r"),
        ("ssh://alice:ghp_SECRET123@github.com:2222/o/r.git", "https://github.com/o/r"),
        ("git@github.com:o/r.git", "https://github.com/o/r"),
        ("alice@gitlab.example.org:group/sub/r.git", "https://gitlab.example.org/group/sub/r"),
        ("https://github.com/o/r.git?access_token=ghp_SECRET123", "https://github.com/o/r"),
        ("https://github.com/o/r#ghp_SECRET123", "https://github.com/o/r"),
        ("http://alice:ghp_SECRET123@github.com/o/r.git", None),
        ("file:///srv/git/r.git", None),
        ("/srv/git/r.git", None),
        ("https://10.0.0.1/o/r.git", None),
        ("https://github.com/o/r%2Fghp_SECRET123", None),
        ("https://github.com:notaport/o/r", None),
    ],
)
def test_the_edit_address_keeps_only_an_https_host_and_path(
    tmp_path: Path, origin: str, expected: str | None
) -> None:
    root = git_repo(tmp_path, origin)
    assert repository_url(root) == (expected, "main")


def test_the_configured_repository_is_cleaned_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = git_repo(tmp_path)
    monkeypatch.setenv(
        "SCENARIOKIT_REPOSITORY", "https://x-access-token:ghp_SECRET123@github.com/o/r/"
    )
    assert repository_url(root) == ("https://github.com/o/r", "main")
    monkeypatch.setenv("SCENARIOKIT_REPOSITORY", "http://ghp_SECRET123@github.com/o/r")
    result = invoke("--root", root, "build", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "SCENARIOKIT_REPOSITORY must be the https address" in result.stderr
    assert "ghp_SECRET123" not in result.output
    assert not (tmp_path / "out").exists()


def published_and_site(tmp_path: Path, root: Path) -> tuple[Path, Path]:
    out = tmp_path / "out"
    public = out / "site" / "scenarios.sqlite"
    result = invoke("--root", root, "build", "--out", out, "--public-index", public)
    assert result.exit_code == 0, result.output
    return out, public


def assert_no_draft(data: bytes) -> None:
    for text in (DRAFT_TITLE, DRAFT_PHRASE, DRAFT_NOTE):
        assert text.encode() not in data, text


def test_drafts_never_reach_the_site_nor_the_public_index(tmp_path: Path) -> None:
    root = git_repo(tmp_path, draft=True)
    out, public = published_and_site(tmp_path, root)
    full = (out / "scenarios.sqlite").read_bytes()
    assert DRAFT_PHRASE.encode() in full  # the full index, which is not published, has it
    assert_no_draft(every_byte(out / "site"))  # the public index is in the site
    connection = sqlite3.connect(public)
    assert connection.execute("SELECT scenario_id, is_public FROM scenarios").fetchall() == [
        ("tapas-bar-madrid", 1)
    ]
    # Numbered as in an index of the public scenarios alone: the full index's 2 told that
    # a draft's id sorts before it (found by a hostile review).
    assert connection.execute("SELECT rowid FROM scenarios").fetchall() == [(1,)]
    assert connection.execute(
        "SELECT rowid FROM scenarios_fts WHERE scenarios_fts MATCH 'tapas'"
    ).fetchall() == [(1,)]
    assert connection.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()
    assert [h.scenario_id for h in search(public, "tapas")] == ["tapas-bar-madrid"]


def test_a_rebuild_after_a_draft_changed_publishes_no_draft(tmp_path: Path) -> None:
    """The full index rebuilt in place keeps old rows' bytes in free pages: not published."""
    root = git_repo(tmp_path, draft=True)
    out, _ = published_and_site(tmp_path, root)
    (root / DRAFT).write_text(draft_text("Another quuxifrage, newer"), "utf-8")
    published_and_site(tmp_path, root)
    assert build(root, out).parsed == 0  # that was an in-place rebuild, now remembered
    data = every_byte(out / "site")
    assert_no_draft(data)
    assert b"Another quuxifrage" not in data


def test_the_public_index_replaces_only_an_index(tmp_path: Path) -> None:
    root = git_repo(tmp_path, draft=True)
    out = tmp_path / "out"
    notes = tmp_path / "notes.txt"
    notes.write_text("mine", "utf-8")
    for target, message in (
        (notes, "is not a scenarios index"),
        (out / "scenarios.sqlite", "inside the output folder"),
        (out / STATE_FILE, "inside the output folder"),
    ):
        result = invoke("--root", root, "build", "--out", out, "--public-index", target)
        assert result.exit_code == 1
        assert message in result.stderr
        assert "nothing was written" in result.stderr
    assert notes.read_text("utf-8") == "mine"
    assert not out.exists()


def test_the_pages_workflow_publishes_no_draft(tmp_path: Path) -> None:
    """The workflow's own build step, run in a repository with a draft."""
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "pages.yml").read_text("utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    (script,) = [s["run"] for s in steps if "scenarios build" in s.get("run", "")]
    (upload,) = [s for s in steps if "upload-pages-artifact" in s.get("uses", "")]
    root = git_repo(tmp_path, draft=True)
    env = os.environ | {
        "BASE_URL": "https://o.github.io/r",
        "SCENARIOKIT_REPOSITORY": "https://github.com/o/r",
        "SCENARIOKIT_BRANCH": "main",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    done = subprocess.run(
        ["bash", "-e", "-c", script], cwd=root, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    published = root / upload["with"]["path"]
    assert (published / "scenarios" / "tapas-bar-madrid" / "index.html").is_file()
    assert (published / "scenarios.sqlite").is_file()  # the public index is published
    assert_no_draft(every_byte(published))
