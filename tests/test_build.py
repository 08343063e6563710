"""`scenarios build`: the SQLite index, the site and the API, from real repositories."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from click.testing import Result

from scenariokit.build.folder import COLLECTIONS_DIR, exclusive, recover
from scenariokit.build.full import CHUNK
from scenariokit.build.outputs import BuildResult, Progress
from scenariokit.build.run import build
from scenariokit.build.sqlite_index import SCHEMA_VERSION
from scenariokit.build.state import STATE_FILE
from scenariokit.errors import UserError
from scenariokit.website.pages import API_VERSION
from tests.helpers import (
    REPO,
    SHIPPED,
    VALID_TEXT,
    dump,
    invoke,
    make_repo,
    output_contents,
    run_in_terminal,
    run_installed,
    valid_doc,
    watch_opens,
)

HOSTILE = '<script>alert("x")</script>'


def repo_copy(tmp_path: Path, *, draft: bool = True) -> Path:
    """The real scenarios and templates, plus a draft of someone else's."""
    root = make_repo(tmp_path / "repo", {})
    shutil.copytree(REPO / "scenarios", root / "scenarios")
    shutil.copytree(REPO / "templates", root / "templates")
    if draft:
        doc = valid_doc() | {
            "scenario_id": "secret-draft",
            "title": "A secret draft",
            "is_public": False,
        }
        (root / "scenarios" / "restaurant" / "secret-draft.yaml").write_text(dump(doc), "utf-8")
    return root


class Built(NamedTuple):
    root: Path
    out: Path
    result: BuildResult


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The starter library and a draft, built once for the tests that only read the output
    (the others change the files or the output, and build their own)."""
    folder = tmp_path_factory.mktemp("built")
    root = repo_copy(folder)
    return Built(root, folder / "out", build(root, folder / "out"))


def all_files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def git(root: Path, *args: str, when: str | None = None) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    if when:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(["git", "-C", str(root), *args], check=True, env=env, capture_output=True)


def test_the_index_holds_every_scenario_and_its_parts(built: Built) -> None:
    files = sorted((built.root / "scenarios").rglob("*.yaml"))
    assert (built.result.scenarios, built.result.public) == (len(files), len(files) - 1)
    db = sqlite3.connect(built.out / "scenarios.sqlite")
    assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,) == (4,)
    assert db.execute("SELECT count(*) FROM scenarios").fetchone() == (len(files),)
    docs = [
        json.loads(json.dumps(__import__("yaml").safe_load(f.read_text("utf-8")))) for f in files
    ]
    assert db.execute("SELECT count(*) FROM scenario_phases").fetchone() == (
        sum(len(d["phases"]) for d in docs),
    )
    assert db.execute("SELECT count(*) FROM vocabulary").fetchone() == (
        sum(len(p["key_vocabulary"]) for d in docs for p in d["phases"]),
    )
    assert db.execute("SELECT count(*) FROM phrases").fetchone() == (
        sum(len(p["essential_phrases"]) for d in docs for p in d["phases"]),
    )
    row = db.execute(
        "SELECT is_public, source_path, phase_count, prerequisites FROM scenarios "
        "WHERE scenario_id = 'secret-draft'"
    ).fetchone()
    assert row == (
        0,
        "scenarios/restaurant/secret-draft.yaml",
        3,
        '["Numbers 1-20","Basic greetings"]',
    )
    term = db.execute(
        "SELECT term, translation FROM vocabulary WHERE scenario_id = "
        "'tapas-bar-madrid' AND phase_number = 1 AND position = 1"
    ).fetchone()
    assert term == ("la barra", "the bar counter")
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {
        "scenarios_category",
        "scenarios_difficulty",
        "scenarios_language",
        "scenarios_created_by",
        "scenarios_is_public",
    } <= indexes
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("DELETE FROM scenarios WHERE scenario_id = 'tapas-bar-madrid'")
    assert db.execute(
        "SELECT count(*) FROM vocabulary WHERE scenario_id = 'tapas-bar-madrid'"
    ).fetchone() == (0,)
    db.rollback()  # the output is shared
    db.close()


def test_drafts_are_indexed_but_never_published(built: Built) -> None:
    site = built.out / "site"
    scenarios = (built.root / "scenarios").rglob("*.yaml")
    public = [p.stem for p in scenarios if p.stem != "secret-draft"]
    for scenario_id in public:
        assert (site / "scenarios" / scenario_id / "index.html").is_file()
        assert (site / "api" / "scenarios" / f"{scenario_id}.json").is_file()
    listed = json.loads((site / "api" / "scenarios.json").read_text("utf-8"))["scenarios"]
    assert sorted(s["scenario_id"] for s in listed) == sorted(public)
    everything = b"".join(all_files(site).values())
    assert b"secret-draft" not in everything
    assert b"A secret draft" not in everything


def test_two_builds_are_identical(tmp_path: Path) -> None:
    """Separate processes with different string hashing: no set order leaks into a file."""
    root = repo_copy(tmp_path)
    for name, seed in (("one", "1"), ("two", "2")):
        done = run_installed(
            "build", "--out", tmp_path / name, cwd=root, env={"PYTHONHASHSEED": seed}
        )
        assert done.returncode == 0, done.stderr
    assert all_files(tmp_path / "one") == all_files(tmp_path / "two")


def index_rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of an index (the full-text table by its own rows)."""
    db = sqlite3.connect(path)
    tables = [
        r[0]
        for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        if not r[0].startswith("scenarios_fts")
    ]
    rows = {t: db.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3").fetchall() for t in tables}
    rows["scenarios_fts"] = db.execute("SELECT rowid, * FROM scenarios_fts ORDER BY 1").fetchall()
    rows["scenarios (rowid)"] = db.execute("SELECT rowid, scenario_id FROM scenarios").fetchall()
    rows["schema"] = db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY 2").fetchall()
    rows["version"] = db.execute("PRAGMA user_version").fetchall()
    db.close()
    return rows


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


def test_a_rebuild_renders_only_what_changed_and_matches_a_full_build(tmp_path: Path) -> None:
    root = repo_copy(tmp_path)
    first = build(root, tmp_path / "out")
    assert (first.rendered, first.reused) == (first.public, 0)
    same = build(root, tmp_path / "out")
    assert (same.rendered, same.reused, same.parsed) == (0, first.public, 0)
    tapas = root / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml"
    edit(tapas, "Ordering Tapas in Madrid", "Tapas in Madrid")  # title: listings, order
    edit(tapas, "term: la barra", "term: el mostrador")  # words: search files
    edit(tapas, "difficulty: beginner\ncefr: A1", "difficulty: intermediate\ncefr: B1")  # counts
    edit(root / "scenarios" / "restaurant" / "secret-draft.yaml", "A secret draft", "Draft")
    os.utime(root / "scenarios" / "travel" / "train-ticket-lyon.yaml")  # touched, unchanged
    changed = build(root, tmp_path / "out")
    assert (changed.rendered, changed.parsed) == (1, 2)
    page = tmp_path / "out" / "site" / "scenarios" / "tapas-bar-madrid" / "index.html"
    assert "<h1>Tapas in Madrid</h1>" in page.read_text("utf-8")
    build(root, tmp_path / "fresh")
    assert output_contents(tmp_path / "out" / "site") == output_contents(
        tmp_path / "fresh" / "site"
    )
    assert index_rows(tmp_path / "out" / "scenarios.sqlite") == index_rows(
        tmp_path / "fresh" / "scenarios.sqlite"
    )
    assert build(root, tmp_path / "out").parsed == 0  # the touched file was remembered
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out."))
    assert leftovers == []


def test_a_change_to_the_site_shape_rebuilds_everything(tmp_path: Path) -> None:
    """Publishing a draft, adding a file: every page again, the same as a build from scratch."""
    root = repo_copy(tmp_path)
    first = build(root, tmp_path / "out")
    edit(root / "scenarios" / "restaurant" / "secret-draft.yaml", "is_public: false", "")
    published = build(root, tmp_path / "out")
    assert (published.public, published.rendered) == (first.public + 1, first.public + 1)
    build(root, tmp_path / "fresh")
    assert all_files(tmp_path / "out") == all_files(tmp_path / "fresh")


TAPAS = "scenarios/restaurant/tapas-bar-madrid.yaml"
TRATTORIA = "scenarios/restaurant/trattoria-dinner-rome.yaml"


@pytest.mark.parametrize(
    ("path", "old", "new", "linked"),
    [
        (TAPAS, "Order a round of tapas", "Order some tapas", True),  # a card: listings
        (TAPAS, "title: Ordering Tapas", "title: Tapas", True),  # the decks' names too
        (TAPAS, "difficulty: beginner\ncefr: A1", "difficulty: advanced\ncefr: B2", True),
        (TAPAS, "language: es", "language: fr", True),  # another language's listing
        (TAPAS, "is_public: true", "is_public: false", False),  # the source made a draft
        (TRATTORIA, "from: tapas-bar-madrid", "from: business-meeting", False),  # a template
    ],
    ids=["card", "title", "level", "language", "draft", "source"],
)
def test_a_rebuild_gives_the_bytes_of_a_full_build(
    tmp_path: Path, path: str, old: str, new: str, linked: bool
) -> None:
    """Whatever one change makes the rebuild do (patch in place or build anew), its site and
    index rows are a full build's, byte for byte: the public scenario derived from another
    links to it only while it is public."""
    root = repo_copy(tmp_path)
    trattoria = root / TRATTORIA
    trattoria.write_text(trattoria.read_text("utf-8") + "derived_from: tapas-bar-madrid\n", "utf-8")
    build(root, tmp_path / "out")
    page = tmp_path / "out" / "site" / "scenarios" / "trattoria-dinner-rome" / "index.html"
    assert 'href="/scenarios/tapas-bar-madrid/"' in page.read_text("utf-8")
    edit(root / path, old, new)
    build(root, tmp_path / "out")
    build(root, tmp_path / "fresh")
    assert output_contents(tmp_path / "out" / "site") == output_contents(
        tmp_path / "fresh" / "site"
    )
    assert index_rows(tmp_path / "out" / "scenarios.sqlite") == index_rows(
        tmp_path / "fresh" / "scenarios.sqlite"
    )
    shown = page.read_text("utf-8")
    assert ('href="/scenarios/tapas-bar-madrid/"' in shown) == linked
    assert ("tapas-bar-madrid" in shown) == linked  # a draft's id appears nowhere


def test_pages_that_link_to_a_scenario_render_alike_in_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages derived from another scenario are rendered after the compile, in workers when
    there are many: forked or not, the same site, linking only to public sources."""
    root = repo_copy(tmp_path)
    ids = sorted(p.stem for p in (root / "scenarios").rglob("*.yaml"))
    for n, path in enumerate(sorted((root / "scenarios").rglob("*.yaml"))[:6]):
        source = "secret-draft" if n == 0 else next(i for i in ids if i != path.stem)
        path.write_text(path.read_text("utf-8") + f"derived_from: {source}\n", "utf-8")
    build(root, tmp_path / "alone")
    monkeypatch.setattr("scenariokit.build.full.PAGES_PER_PROCESS", 1)  # a worker per page
    build(root, tmp_path / "forked")
    assert all_files(tmp_path / "alone" / "site") == all_files(tmp_path / "forked" / "site")
    pages = "\n".join(
        p.read_text("utf-8") for p in (tmp_path / "forked" / "site" / "scenarios").rglob("*.html")
    )
    assert "secret-draft" not in pages
    assert pages.count('href="/scenarios/' + ids[0] + '/"') >= 1


def test_dates_come_from_git_history(tmp_path: Path) -> None:
    root = repo_copy(tmp_path, draft=False)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-qm", "first", when="2025-01-02T03:04:05Z")
    old = root / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml"
    new = old.with_name("tapas-en-madrid.yaml")
    git(root, "mv", str(old), str(new))
    new.write_text(
        new.read_text("utf-8").replace(
            "scenario_id: tapas-bar-madrid", "scenario_id: tapas-en-madrid"
        ),
        "utf-8",
    )
    git(root, "commit", "-qam", "rename", when="2025-06-07T08:09:10Z")
    build(root, tmp_path / "out")
    db = sqlite3.connect(tmp_path / "out" / "scenarios.sqlite")
    rows = {
        r[0]: (r[1], r[2])
        for r in db.execute("SELECT scenario_id, created_at, updated_at FROM scenarios")
    }
    assert rows["tapas-en-madrid"] == ("2025-01-02T03:04:05Z", "2025-06-07T08:09:10Z")
    assert rows["trattoria-dinner-rome"] == ("2025-01-02T03:04:05Z", "2025-01-02T03:04:05Z")


def test_a_rebuild_after_a_commit_takes_the_new_dates(tmp_path: Path) -> None:
    root = repo_copy(tmp_path, draft=False)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-qm", "first", when="2025-01-02T03:04:05Z")
    build(root, tmp_path / "out")
    edit(root / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml", "la barra", "el mostrador")
    git(root, "commit", "-qam", "second", when="2025-06-07T08:09:10Z")
    rebuilt = build(root, tmp_path / "out")
    assert (rebuilt.parsed, rebuilt.rendered) == (1, 1)
    build(root, tmp_path / "fresh")
    assert output_contents(tmp_path / "out" / "site") == output_contents(
        tmp_path / "fresh" / "site"
    )
    rows = index_rows(tmp_path / "out" / "scenarios.sqlite")
    assert rows == index_rows(tmp_path / "fresh" / "scenarios.sqlite")
    with sqlite3.connect(tmp_path / "out" / "scenarios.sqlite") as db:
        dates = {
            r[0]: r[1:]
            for r in db.execute("SELECT scenario_id, created_at, updated_at FROM scenarios")
        }
    assert dates["tapas-bar-madrid"] == ("2025-01-02T03:04:05Z", "2025-06-07T08:09:10Z")
    api = json.loads((tmp_path / "out" / "site" / "api" / "scenarios.json").read_text("utf-8"))
    updated = {s["scenario_id"]: s["updated_at"] for s in api["scenarios"]}
    assert updated["tapas-bar-madrid"] == "2025-06-07T08:09:10Z"
    assert (list(api), api["version"]) == (["decks", "scenarios", "version"], API_VERSION)


def test_a_file_rewritten_unchanged_then_committed_takes_the_commit_s_date(
    tmp_path: Path,
) -> None:
    """Its bytes are those the last build read, its time is new (an editor or a formatter
    wrote it again), and a commit since gave it a new date: a rebuild takes the date, as
    a fresh build does (it took the new time alone, and kept the old date)."""
    root = repo_copy(tmp_path, draft=False)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-qm", "first", when="2025-01-02T03:04:05Z")
    tapas = root / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml"
    edit(tapas, "la barra", "el mostrador")
    build(root, tmp_path / "out")  # the edit, not committed yet: the first commit's date
    tapas.write_bytes(tapas.read_bytes())  # the same bytes again, a new modification time
    os.utime(tapas, ns=(tapas.stat().st_atime_ns, tapas.stat().st_mtime_ns + 10**9))
    git(root, "commit", "-qam", "second", when="2025-06-07T08:09:10Z")
    rebuilt = build(root, tmp_path / "out")
    assert rebuilt.parsed == 1
    build(root, tmp_path / "fresh")
    assert output_contents(tmp_path / "out" / "site") == output_contents(
        tmp_path / "fresh" / "site"
    )
    assert index_rows(tmp_path / "out" / "scenarios.sqlite") == index_rows(
        tmp_path / "fresh" / "scenarios.sqlite"
    )


def test_outside_git_there_are_no_dates(built: Built) -> None:
    db = sqlite3.connect(built.out / "scenarios.sqlite")
    assert db.execute("SELECT count(*) FROM scenarios WHERE created_at IS NOT NULL").fetchone() == (
        0,
    )


def test_an_invalid_repository_builds_nothing(tmp_path: Path) -> None:
    root = repo_copy(tmp_path)
    build(root, tmp_path / "out")
    before = all_files(tmp_path / "out")
    bad = root / "scenarios" / "travel" / "train-ticket-lyon.yaml"
    bad.write_text(
        bad.read_text("utf-8").replace("difficulty: beginner", "difficulty: easy"), "utf-8"
    )
    result = invoke("--root", root, "build", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "train-ticket-lyon.yaml:6:13: error: difficulty must be one of" in result.stdout
    assert (
        f"the build stopped: 1 error, 0 warnings in {SHIPPED + 11} files; nothing was written"
        in result.stderr
    )
    assert all_files(tmp_path / "out") == before


def test_a_folder_not_made_by_the_build_is_refused(tmp_path: Path) -> None:
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "thesis.txt").write_text("years of work", "utf-8")
    with pytest.raises(UserError, match="not empty and was not made by `scenarios build`"):
        build(repo_copy(tmp_path), mine)
    assert (mine / "thesis.txt").read_text("utf-8") == "years of work"


# --- a build killed at a chosen point -------------------------------------------------


def _killed_at(stage: str, after: int) -> Progress:
    """A progress reporter that SIGKILLs its process group once `after` items of `stage` are
    done (0: as the stage starts): the build and its workers die there, nothing cleans up."""

    def start(label: str, total: int) -> Callable[[int], object]:
        done = 0

        def count(items: int) -> None:
            nonlocal done
            done += items
            if label == stage and done >= after:
                os.killpg(0, signal.SIGKILL)

        if label == stage and after == 0:
            os.killpg(0, signal.SIGKILL)
        return count

    return start


def _build_and_die(root: Path, out: Path, base_url: str, stage: str, after: int) -> None:
    """In a forked child, a process group of its own: build until killed at the stage."""
    os.setpgid(0, 0)
    build(root, out, base_url=base_url, progress=_killed_at(stage, after))
    os._exit(0)  # not killed: the stage never came


def kill_build(root: Path, out: Path, stage: str, after: int, base_url: str = "/") -> None:
    child = multiprocessing.get_context("fork").Process(
        target=_build_and_die, args=(root, out, base_url, stage, after)
    )
    child.start()
    child.join(timeout=120)
    assert child.exitcode == -signal.SIGKILL, f"the build was not killed at {stage} {after}"


def _build_killed_as_the_state_goes(root: Path, out: Path) -> None:
    """In a forked child: build, killed if the previous output's state is deleted while
    more of that output is left."""
    unlink = os.unlink

    def unlinked(path: str, *, dir_fd: int | None = None) -> None:
        unlink(path, dir_fd=dir_fd)
        name = Path(path)
        folder = Path(f"/proc/self/fd/{dir_fd}").readlink() if dir_fd is not None else name.parent
        left = folder.name == ".out.previous" and any(folder.iterdir())
        if name.name == STATE_FILE and left:
            os.kill(os.getpid(), signal.SIGKILL)

    os.unlink = unlinked  # type: ignore[assignment]
    build(root, out)
    os._exit(0)


def test_the_previous_output_is_deleted_with_its_state_last(tmp_path: Path) -> None:
    """Stopped as it deletes the previous output, a build leaves an output still (its state
    vouches for what is left), which the next build deletes: in any order, the state could
    go first, and the next build refused the rest as someone's folder in its way."""
    root = repo_copy(tmp_path)
    out = tmp_path / "out"
    build(root, out)
    (root / TRATTORIA).unlink()  # a file removed: a full build, which swaps
    child = multiprocessing.get_context("fork").Process(
        target=_build_killed_as_the_state_goes, args=(root, out)
    )
    child.start()
    child.join(timeout=120)
    assert child.exitcode == 0, "the state was deleted with more of its output left"
    assert beside(out) == []
    assert not (out / "site" / "scenarios" / "trattoria-dinner-rome").exists()


def test_an_empty_folder_left_of_the_previous_output_is_no_obstacle(tmp_path: Path) -> None:
    """The last step of deleting the previous output, stopped, leaves its empty folder."""
    root = repo_copy(tmp_path)
    out = tmp_path / "out"
    build(root, out)
    (tmp_path / ".out.previous").mkdir()
    (root / TRATTORIA).unlink()
    build(root, out)
    assert beside(out) == []


def beside(out: Path) -> list[str]:
    """What the build keeps beside `out` (names starting `.out.`), the kind of each."""
    return sorted(
        re.sub(r"building-\d+-[0-9a-f]+", "building-*", p.name)
        for p in out.parent.iterdir()
        if p.name.startswith(f".{out.name}.")
    )


def recovered(out: Path) -> dict[str, bytes]:
    """The output once the next build's first step, `recover`, has cleaned up after the kill."""
    with exclusive(out):
        recover(out)
    assert beside(out) == []
    return all_files(out)


def many(tmp_path: Path, count: int) -> Path:
    """A repository of `count` copies of the valid scenario: more than one worker's chunk."""
    files = {
        f"scenarios/restaurant/tapas-{n:03}.yaml": VALID_TEXT.replace(
            "scenario_id: tapas-bar-madrid", f"scenario_id: tapas-{n:03}"
        )
        for n in range(count)
    }
    return make_repo(tmp_path / "repo", files)


@pytest.mark.parametrize(
    ("stage", "after", "left"),
    [
        ("Building", 1, [".out.building-*"]),  # while the workers compile: half a staging
        ("Swapping", 0, [".out.building-*"]),  # the new output complete beside the old
        ("Swapping", 1, [".out.building-*", ".out.previous"]),  # between the two renames
    ],
    ids=["during the compile", "after staging", "during the swap"],
)
def test_a_killed_full_build_leaves_the_previous_output(
    tmp_path: Path, stage: str, after: int, left: list[str]
) -> None:
    root = many(tmp_path, CHUNK + 1) if stage == "Building" else repo_copy(tmp_path)
    out = tmp_path / "out"
    public = build(root, out).public
    before = all_files(out)
    kill_build(root, out, stage, after, base_url="/new/")  # a new base URL: a full build
    assert beside(out) == sorted([*left, ".out.lock"])  # the lock: released by the system
    if after == 1 and stage == "Swapping":
        assert not out.exists()
        assert all_files(tmp_path / ".out.previous") == before
    else:
        assert all_files(out) == before
    assert recovered(out) == before
    assert build(root, out, base_url="/new/").rendered == public  # all of it, anew
    assert 'href="/new/' in (out / "site" / "index.html").read_text("utf-8")
    assert beside(out) == []


@pytest.mark.parametrize(
    ("after", "left"),
    [
        (0, [".out.pending"]),  # the new files written beside the output, none moved in
        (3, [".out.journal.json", ".out.pending"]),  # three moved in, under the journal
    ],
    ids=["before the moves", "during the moves"],
)
def test_a_killed_rebuild_leaves_the_previous_output(
    tmp_path: Path, after: int, left: list[str]
) -> None:
    root = repo_copy(tmp_path)
    out = tmp_path / "out"
    build(root, out)
    before = all_files(out)
    tapas = root / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml"
    edit(tapas, "Ordering Tapas in Madrid", "Tapas in Madrid")  # listings, search files
    kill_build(root, out, "Moving", after)
    assert beside(out) == sorted([*left, ".out.lock"])
    site = {k: v for k, v in before.items() if k.startswith("site/")}
    assert ({k: v for k, v in all_files(out).items() if k.startswith("site/")} == site) == (
        after == 0
    )
    # Killed inside the transaction of the index and the state: SQLite's journals are left.
    assert sorted(all_files(out).keys() - before.keys()) == [
        f"{STATE_FILE}-journal",
        "scenarios.sqlite-journal",
    ]
    # All as it was, but the Spanish collection the output keeps: patched in place, a
    # cache, with a time the state does not vouch for (the next rebuild writes it anew).
    after_recovery = recovered(out)
    kept = f"{COLLECTIONS_DIR}/es.anki2"
    assert after_recovery[kept] != before[kept]
    assert after_recovery | {kept: before[kept]} == before
    rebuilt = build(root, out)
    assert (rebuilt.parsed, rebuilt.rendered) == (1, 1)
    build(root, tmp_path / "fresh")
    assert output_contents(out / "site") == output_contents(tmp_path / "fresh" / "site")
    assert index_rows(out / "scenarios.sqlite") == index_rows(
        tmp_path / "fresh" / "scenarios.sqlite"
    )
    assert beside(out) == []


def test_a_collection_a_killed_rebuild_patched_is_written_anew(tmp_path: Path) -> None:
    """The killed rebuild patched the Spanish collection the output keeps, in place; with
    its change undone, the next change to another Spanish scenario must not carry it into
    the language's package (the collection's time is not the one the state holds)."""
    root = repo_copy(tmp_path)
    out = tmp_path / "out"
    build(root, out)
    tapas = root / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml"
    original = tapas.read_bytes()
    edit(tapas, "translation: the bar counter", "translation: the zinc")
    kill_build(root, out, "Moving", 0)
    tapas.write_bytes(original)
    edit(
        root / "scenarios" / "travel" / "car-rental-malaga.yaml", "translation: ", "translation: a "
    )
    assert build(root, out).rendered == 1
    build(root, tmp_path / "fresh")
    spanish = output_contents(out / "site")["decks/es.apkg"]
    assert "the zinc" not in str(spanish)
    assert spanish == output_contents(tmp_path / "fresh" / "site")["decks/es.apkg"]


def test_builds_into_one_folder_take_turns(tmp_path: Path) -> None:
    """A build waits while another (`serve` rebuilding, say) holds the folder."""
    root = repo_copy(tmp_path)
    out = tmp_path / "out"
    finished: list[float] = []
    waited: list[str] = []

    def second_build() -> None:
        build(root, out, waiting=lambda: waited.append("waiting"))
        finished.append(time.monotonic())

    with exclusive(out), watch_opens(tmp_path / ".out.lock") as opened:
        second = threading.Thread(target=second_build)
        second.start()
        opened(3)  # it tried to take the lock three times
        assert waited == ["waiting"]  # told once, not at each retry
        assert not out.exists()  # waiting, it has written nothing
        released = time.monotonic()
    second.join(timeout=60)
    assert len(finished) == 1
    assert finished[0] >= released
    assert (out / "site" / "index.html").is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def bars(shown: str) -> list[str]:
    """The last state of each progress bar a terminal showed, as it was left on screen."""
    plain = re.sub(r"\x1b\[\?25[lh]", "", shown)
    return [
        re.sub(r"\s+", " ", line.split("\r")[-1]).strip()
        for line in plain.split("\n")
        if "\r" in line
    ]


def test_a_build_shows_its_progress_on_a_terminal(tmp_path: Path) -> None:
    """A bar for each stage of at least SCENARIOKIT_PROGRESS_FROM items (500 unless set),
    each ending at 100%: a full build's, then a rebuild's."""
    root = repo_copy(tmp_path, draft=False)
    out = str(tmp_path / "out")
    every = {"NO_COLOR": "1", "SCENARIOKIT_PROGRESS_FROM": "1"}
    shown = run_in_terminal(["build", "--out", out], root, every)
    done = "[####################################] 100%"
    assert bars(shown) == [f"Building {done}", f"Swapping {done}"]
    assert shown.endswith(
        f"Built {SHIPPED} scenarios ({SHIPPED} public): {SHIPPED} pages rendered, 0 unchanged; "
        f"{out}/scenarios.sqlite and {out}/site/ (open it with `scenarios serve`)\n"
    )
    edit(root / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml", "la barra", "el mostrador")
    shown = run_in_terminal(["build", "--out", out], root, every)
    assert bars(shown) == [f"Reading {done}", f"Moving {done}"]
    edit(root / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml", "el mostrador", "la barra")
    shown = run_in_terminal(["build", "--out", out], root, {"NO_COLOR": "1"})
    assert shown.startswith(
        f"Built {SHIPPED} scenarios ({SHIPPED} public): 1 page rendered, {SHIPPED - 1} unchanged"
    )


def test_every_value_is_escaped(tmp_path: Path) -> None:
    doc = valid_doc() | {
        "scenario_id": "hostile",
        "title": HOSTILE,
        "description": '"><img src=x onerror=alert(1)>',
        "setting": "javascript:alert(1)",
        "user_role": "</script><b>x",
    }
    doc["phases"][0]["key_vocabulary"][0] = {
        "term": "' onmouseover='alert(1)",
        "translation": "</textarea><svg onload=alert(1)>",
    }
    root = make_repo(tmp_path / "repo", {"scenarios/restaurant/hostile.yaml": dump(doc)})
    build(root, tmp_path / "out")
    page = (tmp_path / "out" / "site" / "scenarios" / "hostile" / "index.html").read_text("utf-8")
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert "</script><b>" not in page
    assert 'href="javascript:' not in page
    assert "onmouseover='alert" not in page


def test_base_url_prefixes_every_link(tmp_path: Path) -> None:
    root = repo_copy(tmp_path)
    build(root, tmp_path / "out", base_url="https://octocat.github.io/scenarios/")
    site = tmp_path / "out" / "site"
    home = (site / "index.html").read_text("utf-8")
    assert 'href="/scenarios/assets/style.css"' in home
    page = (site / "scenarios" / "tapas-bar-madrid" / "index.html").read_text("utf-8")
    assert 'href="/scenarios/categories/restaurant/"' in page
    assert "https://octocat.github.io/scenarios/scenarios/tapas-bar-madrid/" in (
        site / "sitemap.xml"
    ).read_text("utf-8")


def test_search_command(built: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(built.root)

    def search(*args: str) -> Result:
        return invoke("search", *args, "--out", built.out)

    result = search("tapas", "--format", "json")
    hits = json.loads(result.stdout)
    assert hits[0]["scenario_id"] == "tapas-bar-madrid"
    assert json.loads(search("tapas", "--language", "it", "--format", "json").stdout) == []
    assert (
        json.loads(search("焼き鳥", "--format", "json").stdout)[0]["scenario_id"]
        == "izakaya-evening-tokyo"
    )
    cafe = json.loads(search("cafe", "--format", "json").stdout)  # café, no accent
    assert "language-exchange-tokyo" in [h["scenario_id"] for h in cafe]  # its text: "café"
    lines = search("secret").stdout.splitlines()
    draft = [line.split() for line in lines if line.startswith("secret-draft ")]
    assert draft == [
        ["secret-draft", "A", "secret", "draft", "es", "beginner", "restaurant", "draft"]
    ]
    matches = len(json.loads(search("secret", "--format", "json").stdout))
    assert lines[-1] == ("1 match" if matches == 1 else f"{matches} matches")


def test_search_without_an_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo_copy(tmp_path))
    result = invoke("search", "tapas")
    assert result.exit_code == 1
    assert (
        result.stderr == "error: no index at build/scenarios.sqlite: run `scenarios build` first\n"
    )


def test_search_reads_any_folder_and_refuses_an_index_it_cannot_read(tmp_path: Path) -> None:
    """A folder named with `#` or `%` is searched; an old or foreign index is one line.

    Both gave a traceback (the index was opened as a URI written by hand, and a version
    mismatch raised a bare ValueError; found by a hostile review).
    """
    root = make_repo(tmp_path / "repo", {"scenarios/restaurant/tapas-bar-madrid.yaml": VALID_TEXT})
    out = tmp_path / "b#1 %41"
    assert invoke("--root", root, "build", "--out", out).exit_code == 0
    found = invoke("--root", root, "search", "tapas", "--out", out, "--format", "json")
    assert [h["scenario_id"] for h in json.loads(found.stdout)] == ["tapas-bar-madrid"]
    index = out / "scenarios.sqlite"
    with contextlib.closing(sqlite3.connect(index)) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    old = invoke("--root", root, "search", "tapas", "--out", out)
    assert (old.exit_code, old.stdout) == (1, "")
    assert old.stderr == (
        f"error: {index} is not an index this version of scenarios reads: run `scenarios build`\n"
    )
    index.write_bytes(b"not a database at all, but long enough to look like one" * 20)
    foreign = invoke("--root", root, "search", "tapas", "--out", out)
    assert (foreign.exit_code, foreign.stdout) == (1, "")
    assert foreign.stderr.startswith(f"error: {index} is not an index this version")
    assert "file is not a database" in foreign.stderr


def test_an_output_that_cannot_be_written_is_a_clear_error(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("mine", "utf-8")
    result = invoke("--root", repo_copy(tmp_path), "build", "--out", notes / "build")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"error: the build stopped: Not a directory ({notes / '.build.lock'}); "
        f"the previous output in {notes / 'build'} is unchanged\n"
    )
    assert notes.read_text("utf-8") == "mine"


def test_a_rule_added_to_the_tool_reaches_files_the_last_build_passed(tmp_path: Path) -> None:
    # A copy of the tool, run from source, gains a rule between two builds (as a checkout
    # does between releases, with the same version number): the file it breaks did not
    # change, and must not pass on what the state remembered of it.
    source = tmp_path / "source"
    for folder in ("tools", "site", "schemas"):
        shutil.copytree(REPO / folder, source / folder)
    doc = dump(valid_doc() | {"scenario_id": "x-one"})
    root = make_repo(tmp_path / "repo", {"scenarios/restaurant/x-one.yaml": doc})
    env = {"PYTHONPATH": str(source / "tools")}
    command = [sys.executable, "-m", "scenariokit", "build", "--out", str(tmp_path / "out")]

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, cwd=root, env=os.environ | env, capture_output=True, text=True, check=False
        )

    assert run().returncode == 0
    checks = source / "tools" / "scenariokit" / "check" / "rules.py"
    checks.write_text(
        checks.read_text("utf-8")
        + "\n\ndef _no_x(source, catalog):\n"
        + "    yield Finding(('scenario_id',), 'no-x', 'ids may not start with x')\n\n\n"
        + "RULES = (*RULES, _no_x)\n",
        "utf-8",
    )
    again = run()
    assert again.returncode == 1, again.stdout + again.stderr
    assert "ids may not start with x [no-x]" in again.stdout


def test_a_rebuild_of_one_file_does_without_langcodes_and_genanki(tmp_path: Path) -> None:
    """What the last build found out about each language (its verdict, name and direction)
    and the Anki packages' empty collection are remembered: a rebuild that changes one page
    loads neither langcodes' data nor genanki (a good part of a one-file rebuild), the page
    keeps its language's direction and the decks are a full build's."""
    arabic = valid_doc() | {"scenario_id": "cafe-cairo", "language": "ar"}
    root = make_repo(
        tmp_path / "repo",
        {
            "scenarios/restaurant/cafe-cairo.yaml": dump(arabic),
            "scenarios/restaurant/tapas.yaml": dump(valid_doc() | {"scenario_id": "tapas"}),
        },
    )
    out = tmp_path / "out"
    build(root, out)
    edit(root / "scenarios" / "restaurant" / "cafe-cairo.yaml", "translation: ", "translation: a ")
    script = (
        "import sys; from pathlib import Path; from scenariokit.build.run import build; "
        f"result = build(Path({str(root)!r}), Path({str(out)!r})); "
        "print(result.rendered, 'langcodes' in sys.modules, 'genanki' in sys.modules)"
    )
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert ran.stdout.split() == ["1", "False", "False"]
    page = (out / "site" / "scenarios" / "cafe-cairo" / "index.html").read_text("utf-8")
    assert 'lang="ar" dir="rtl"' in page
    build(root, tmp_path / "fresh")
    decks = out / "site" / "decks"
    assert output_contents(decks) == output_contents(tmp_path / "fresh" / "site" / "decks")


def test_a_scenario_with_only_the_required_keys_builds(tmp_path: Path) -> None:
    """Every optional key left out, at every level, entries as plain strings: it builds.

    A valid file without `vocabulary_focus` stopped the whole build with a traceback (the
    page's template read it; found by a hostile review), so no index and no site were made
    for anyone. The document here is cut down from the schema itself, so a key made
    optional later is left out here too.
    """
    schema = json.loads((REPO / "schemas/scenario.schema.json").read_text(encoding="utf-8"))
    phase_required = schema["$defs"]["phase"]["required"]
    doc = {k: v for k, v in valid_doc().items() if k in schema["required"]}
    doc["phases"] = [
        {k: v for k, v in phase.items() if k in phase_required} for phase in doc["phases"]
    ]
    for phase in doc["phases"]:
        for key in ("key_vocabulary", "essential_phrases"):
            phase[key] = [
                e if isinstance(e, str) else e.get("term", e.get("text")) for e in phase[key]
            ]
    root = make_repo(tmp_path / "repo", {"scenarios/restaurant/tapas-bar-madrid.yaml": dump(doc)})
    checked = invoke("--root", root, "validate", "--errors-only")
    assert checked.exit_code == 0, checked.output
    made = invoke("--root", root, "build", "--out", tmp_path / "out")
    assert made.exit_code == 0, made.output
    page = (tmp_path / "out/site/scenarios/tapas-bar-madrid/index.html").read_text("utf-8")
    assert doc["title"] in page
    assert "Vocabulary you will practise" not in page
    api = json.loads((tmp_path / "out/site/api/scenarios/tapas-bar-madrid.json").read_text("utf-8"))
    assert api["title"] == doc["title"]
    with sqlite3.connect(tmp_path / "out/scenarios.sqlite") as index:
        assert index.execute("SELECT title FROM scenarios").fetchall() == [(doc["title"],)]


def test_the_api_lists_the_templates(tmp_path: Path) -> None:
    """`api/templates.json` names each template and its file (an app had to guess ids)."""
    template = valid_doc() | {"scenario_id": "cafe-template", "title": "At a Café"}
    root = make_repo(
        tmp_path / "repo",
        {
            "scenarios/restaurant/tapas-bar-madrid.yaml": VALID_TEXT,
            "templates/cafe-template.yaml": dump(template),
        },
    )
    assert invoke("--root", root, "build", "--out", tmp_path / "out").exit_code == 0
    site = tmp_path / "out" / "site"
    listed = json.loads((site / "api" / "templates.json").read_text("utf-8"))
    assert listed["version"] == API_VERSION
    (entry,) = listed["templates"]
    assert entry["scenario_id"] == "cafe-template"
    assert (entry["title"], entry["language"], entry["phase_count"]) == (
        "At a Café",
        template["language"],
        len(template["phases"]),
    )
    whole = json.loads((site / entry["file"]).read_text("utf-8"))
    assert whole["title"] == "At a Café"
