"""`scenarios build`: the SQLite index, the site and the API, from real repositories."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from scenariokit.build import build
from scenariokit.errors import UserError
from scenariokit.output_folder import exclusive
from tests.helpers import (
    REPO,
    dump,
    installed_command,
    invoke,
    make_repo,
    run_installed,
    valid_doc,
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


def test_the_index_holds_every_scenario_and_its_parts(tmp_path: Path) -> None:
    root = repo_copy(tmp_path)
    result = build(root, tmp_path / "out")
    files = sorted((root / "scenarios").rglob("*.yaml"))
    assert (result.scenarios, result.public) == (len(files), len(files) - 1)
    db = sqlite3.connect(tmp_path / "out" / "scenarios.sqlite")
    assert db.execute("PRAGMA user_version").fetchone() == (1,)
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


def test_drafts_are_indexed_but_never_published(tmp_path: Path) -> None:
    root = repo_copy(tmp_path)
    build(root, tmp_path / "out")
    site = tmp_path / "out" / "site"
    public = [p.stem for p in (root / "scenarios").rglob("*.yaml") if p.stem != "secret-draft"]
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
    edit(tapas, "difficulty: beginner", "difficulty: intermediate")  # the home's counts
    edit(root / "scenarios" / "restaurant" / "secret-draft.yaml", "A secret draft", "Draft")
    os.utime(root / "scenarios" / "travel" / "train-ticket-lyon.yaml")  # touched, unchanged
    changed = build(root, tmp_path / "out")
    assert (changed.rendered, changed.parsed) == (1, 2)
    page = tmp_path / "out" / "site" / "scenarios" / "tapas-bar-madrid" / "index.html"
    assert "<h1>Tapas in Madrid</h1>" in page.read_text("utf-8")
    build(root, tmp_path / "fresh")
    assert all_files(tmp_path / "out" / "site") == all_files(tmp_path / "fresh" / "site")
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
    assert all_files(tmp_path / "out" / "site") == all_files(tmp_path / "fresh" / "site")
    rows = index_rows(tmp_path / "out" / "scenarios.sqlite")
    assert rows == index_rows(tmp_path / "fresh" / "scenarios.sqlite")
    dates = {r[0]: (r[-2], r[-1]) for r in rows["scenarios"]}
    assert dates["tapas-bar-madrid"] == ("2025-01-02T03:04:05Z", "2025-06-07T08:09:10Z")
    api = json.loads((tmp_path / "out" / "site" / "api" / "scenarios.json").read_text("utf-8"))
    updated = {s["scenario_id"]: s["updated_at"] for s in api["scenarios"]}
    assert updated["tapas-bar-madrid"] == "2025-06-07T08:09:10Z"


def test_outside_git_there_are_no_dates(tmp_path: Path) -> None:
    build(repo_copy(tmp_path), tmp_path / "out")
    db = sqlite3.connect(tmp_path / "out" / "scenarios.sqlite")
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
        "the build stopped: 1 error, 0 warnings in 41 files; nothing was written" in result.stderr
    )
    assert all_files(tmp_path / "out") == before


def test_a_folder_not_made_by_the_build_is_refused(tmp_path: Path) -> None:
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "thesis.txt").write_text("years of work", "utf-8")
    with pytest.raises(UserError, match="not empty and was not made by `scenarios build`"):
        build(repo_copy(tmp_path), mine)
    assert (mine / "thesis.txt").read_text("utf-8") == "years of work"


def test_an_interrupted_build_leaves_the_previous_output(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(REPO / "bench"))
    corpus = tmp_path / "corpus"
    generate(1500, corpus)
    shutil.copytree(REPO / "templates", corpus / "templates")
    out = tmp_path / "out"
    assert invoke("--root", corpus, "build", "--out", out).exit_code == 0
    before = all_files(out)
    (corpus / "schemas" / "scenario.schema.json").touch()  # nothing changes...
    for path in list((corpus / "scenarios").rglob("*.yaml"))[:800]:  # ...but these do
        path.write_text(path.read_text("utf-8").replace("Learner", "Student"), "utf-8")
    process = subprocess.Popen(
        [*installed_command(), "--root", str(corpus), "build", "--out", str(out)],
        start_new_session=True,
    )
    # Killed while it writes the new pages beside the output, before it moves any in (a
    # kill while they move is `test_journal`'s: the next build puts the old ones back).
    pending, journal = tmp_path / ".out.pending", tmp_path / ".out.journal.json"
    deadline = time.monotonic() + 60
    while not pending.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the build ended before it was interrupted"
    assert not journal.exists(), "killed too late: the build had begun to move files"
    assert all_files(out) == before
    assert invoke("--root", corpus, "build", "--out", out).exit_code == 0
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")]
    assert leftovers == []


def test_builds_into_one_folder_take_turns(tmp_path: Path) -> None:
    """A build waits while another (`serve` rebuilding, say) holds the folder."""
    root = repo_copy(tmp_path)
    out = tmp_path / "out"
    finished: list[float] = []
    waited: list[str] = []
    with exclusive(out):
        second = threading.Thread(
            target=lambda: (
                build(root, out, waiting=lambda: waited.append("waiting")),
                finished.append(time.monotonic()),
            )
        )
        second.start()
        time.sleep(1.5)  # a build of these files alone takes a fraction of that
        assert not out.exists()  # waiting, it has written nothing
        released = time.monotonic()
    second.join(timeout=60)
    assert len(finished) == 1
    assert waited == ["waiting"]  # told once, not at each retry
    assert finished[0] >= released
    assert (out / "site" / "index.html").is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


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


def test_search_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = repo_copy(tmp_path)
    monkeypatch.chdir(root)
    assert invoke("build").exit_code == 0
    result = invoke("search", "tapas", "--format", "json")
    hits = json.loads(result.stdout)
    assert hits[0]["scenario_id"] == "tapas-bar-madrid"
    assert {
        h["scenario_id"]
        for h in json.loads(
            invoke("search", "tapas", "--language", "it", "--format", "json").stdout
        )
    } == set()
    assert (
        json.loads(invoke("search", "焼き鳥", "--format", "json").stdout)[0]["scenario_id"]
        == "izakaya-evening-tokyo"
    )
    assert json.loads(invoke("search", "cafe", "--format", "json").stdout)  # café, accent-free
    assert "secret-draft" in invoke("search", "secret").stdout
    assert "draft" in invoke("search", "secret").stdout


def test_search_without_an_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo_copy(tmp_path))
    result = invoke("search", "tapas")
    assert result.exit_code == 1
    assert "run `scenarios build` first" in result.stderr


def test_an_output_that_cannot_be_written_is_a_clear_error(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("mine", "utf-8")
    result = invoke("--root", repo_copy(tmp_path), "build", "--out", notes / "build")
    assert result.exit_code == 1
    assert "error: the build stopped: Not a directory" in result.output
    assert "Traceback" not in result.output
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
    checks = source / "tools" / "scenariokit" / "checks.py"
    checks.write_text(
        checks.read_text("utf-8")
        + "\n\ndef _no_x(source, catalog):\n"
        + "    yield Finding(('scenario_id',), 'no-x', 'ids may not start with x')\n\n\n"
        + "FILE_RULES = (*FILE_RULES, _no_x)\n",
        "utf-8",
    )
    again = run()
    assert again.returncode == 1, again.stdout + again.stderr
    assert "ids may not start with x [no-x]" in again.stdout
