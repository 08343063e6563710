"""The output folder guard: a build replaces only its own output, never a repository.

Every refusal is checked on a real git repository, through the CLI, with a hash of every
file of the repository (and of the folder around it) taken before and after.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
import pytest

from scenariokit.build.folder import (
    COLLECTIONS_DIR,
    LEGACY_STATE_FILE,
    OUTPUT_ENTRIES,
    exclusive,
    is_output,
)
from scenariokit.build.run import build
from scenariokit.build.state import STATE_FILE
from tests.helpers import (
    VALID_TEXT,
    git,
    installed_command,
    invoke,
    make_repo,
    output_contents,
    watch_opens,
)

TAPAS = "scenarios/restaurant/tapas-bar-madrid.yaml"


def committed_repo(tmp_path: Path, extra: Mapping[str, str | bytes] | None = None) -> Path:
    """A git repository with one scenario, a README and `extra`, all committed."""
    root = make_repo(tmp_path / "repo", {TAPAS: VALID_TEXT, "README.md": "# mine\n"})
    for relative, content in (extra or {}).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "first")
    return root


def tree(folder: Path) -> dict[str, str]:
    """Every entry under `folder` (hidden ones and .git included): a hash, a link, a dir."""
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[relative] = f"link to {path.readlink()}"
        elif path.is_dir():
            found[relative] = "folder"
        elif not path.is_file():
            found[relative] = "not a file"  # a FIFO: reading it would wait for a writer
        else:
            found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def real_state(tmp_path: Path) -> bytes:
    """The state file of a real build."""
    root = make_repo(tmp_path / "elsewhere", {TAPAS: VALID_TEXT})
    build(root, tmp_path / "elsewhere-out")
    return (tmp_path / "elsewhere-out" / STATE_FILE).read_bytes()


def refused(root: Path, out: str | Path, cwd: Path, watched: Path) -> str:
    """Run `scenarios build --out OUT` from `cwd`; assert exit 1 and nothing changed."""
    before = tree(watched)
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        result = invoke("--root", root, "build", "--out", out)
    finally:
        os.chdir(previous)
    assert result.exit_code == 1, result.output
    assert "nothing was written" in result.stderr
    assert "Traceback" not in result.output
    assert tree(watched) == before
    return result.stderr


@pytest.mark.parametrize("marker", ["real state", "empty", "random bytes", "legacy json"])
@pytest.mark.parametrize("out", [".", "ROOT", "..", "scenarios/restaurant", "schemas", ".git"])
def test_a_committed_marker_never_makes_the_repository_an_output(
    tmp_path: Path, marker: str, out: str
) -> None:
    content = {
        "real state": real_state(tmp_path),
        "empty": b"",
        "random bytes": os.urandom(4096),
        "legacy json": b'{"version": 1, "files": {}}',
    }[marker]
    name = LEGACY_STATE_FILE if marker == "legacy json" else STATE_FILE
    forged = {name: content, f"scenarios/restaurant/{name}": content, f"schemas/{name}": content}
    root = committed_repo(tmp_path, forged)
    target = root if out == "ROOT" else out
    # The whole tmp_path is watched: an ancestor's refusal must not even leave a lock.
    refused(root, target, cwd=root, watched=tmp_path)


def test_a_folder_holding_a_repository_is_refused(tmp_path: Path) -> None:
    root = committed_repo(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    (other / STATE_FILE).write_bytes(real_state(tmp_path))
    (other / "notes.txt").write_text("mine", "utf-8")
    git(other, "init", "-q")
    message = refused(root, other, cwd=tmp_path, watched=tmp_path)
    assert "holds .git, as a repository does" in message
    # Another repository's checkout, found by its scenarios/ folder, without .git.
    shutil.rmtree(other / ".git")
    (other / "scenarios").mkdir()
    assert "holds scenarios" in refused(root, other, cwd=tmp_path, watched=tmp_path)


def test_a_new_folder_inside_the_repositorys_own_folders_is_refused(tmp_path: Path) -> None:
    root = committed_repo(tmp_path)
    for out in ("templates/new", "scenarios/new", "site/x", ".git/build"):
        message = refused(root, out, cwd=root, watched=tmp_path)
        assert "inside the repository's" in message


def test_the_default_build_folder_inside_the_repository_is_fine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = committed_repo(tmp_path)
    before = {k: v for k, v in tree(root).items() if not k.startswith("build")}
    monkeypatch.chdir(root)
    assert invoke("build").exit_code == 0
    assert invoke("build").exit_code == 0  # its own output: rebuilt in place
    assert (root / "build" / "site" / "index.html").is_file()
    assert {k: v for k, v in tree(root).items() if not k.startswith("build")} == before


def test_a_real_output_is_rebuilt_and_replaced(tmp_path: Path) -> None:
    root = committed_repo(tmp_path)
    out = tmp_path / "out"
    assert invoke("--root", root, "build", "--out", out).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["scenarios.sqlite", "site", STATE_FILE, COLLECTIONS_DIR]
    )
    assert build(root, out).parsed == 0  # recognised: an incremental rebuild
    # A new base URL rebuilds everything: the output is swapped for a new folder.
    result = invoke("--root", root, "build", "--out", out, "--base-url", "/sub/")
    assert result.exit_code == 0, result.output
    assert 'href="/sub/' in (out / "site" / "index.html").read_text("utf-8")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_output_with_anything_else_in_it_is_refused(tmp_path: Path) -> None:
    root = committed_repo(tmp_path)
    out = tmp_path / "out"
    build(root, out)
    (out / "README.md").write_text("notes of mine", "utf-8")
    message = refused(root, out, cwd=tmp_path, watched=tmp_path)
    assert "holds README.md besides a" in message


def test_a_state_file_that_is_not_a_valid_state_is_refused(tmp_path: Path) -> None:
    root = committed_repo(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    for content in (b"", b"SQLite format 3\x00" + os.urandom(2000), os.urandom(100)):
        (out / STATE_FILE).write_bytes(content)
        message = refused(root, out, cwd=tmp_path, watched=tmp_path)
        assert "did not write" in message
    (out / STATE_FILE).unlink()
    other = sqlite3.connect(out / STATE_FILE)  # a database, but not a build's state
    other.execute("CREATE TABLE info (key TEXT PRIMARY KEY, value TEXT)")
    other.execute("INSERT INTO info VALUES ('version', '1'), ('entries', '[\"site\"]')")
    other.commit()
    other.close()
    refused(root, out, cwd=tmp_path, watched=tmp_path)


def test_outputs_of_earlier_versions_are_refused(tmp_path: Path) -> None:
    """A state of version 1 recorded no more than the top-level names: it vouches for
    nothing, so its owner deletes that folder once; the first builds' JSON state too."""
    root = committed_repo(tmp_path)
    old = tmp_path / "old"
    build(root, old)
    state = sqlite3.connect(old / STATE_FILE)  # what version 1 wrote: no outputs table
    state.execute("DROP TABLE outputs")
    state.execute("UPDATE info SET value = '1' WHERE key = 'version'")
    state.execute("INSERT INTO info VALUES ('entries', ?)", (orjson.dumps(sorted(OUTPUT_ENTRIES)),))
    state.commit()
    state.close()
    assert "an earlier version's" in refused(root, old, cwd=tmp_path, watched=tmp_path)
    legacy = tmp_path / "legacy"
    (legacy / "site").mkdir(parents=True)
    (legacy / LEGACY_STATE_FILE).write_text("{}", "utf-8")
    message = refused(root, legacy, cwd=tmp_path, watched=tmp_path)
    assert "delete that folder yourself, once" in message
    shutil.rmtree(old)
    assert invoke("--root", root, "build", "--out", old).exit_code == 0


def test_an_output_of_the_last_state_version_is_built_anew_after_an_upgrade(
    tmp_path: Path,
) -> None:
    """A state of version 2 recorded its outputs as this version does: its folder is a
    build's, which the new version replaces with a full build (nothing to delete)."""
    root = committed_repo(tmp_path)
    out = tmp_path / "out"
    build(root, out)
    state = sqlite3.connect(out / STATE_FILE)  # version 2 kept no summary with each card
    state.execute("UPDATE info SET value = '2' WHERE key = 'version'")
    state.execute("ALTER TABLE cards DROP COLUMN summary")
    state.commit()
    state.close()
    (out / "site" / "api" / "scenarios.json").write_bytes(b"[]")  # rewritten, not patched
    result = invoke("--root", root, "build", "--out", out)
    assert result.exit_code == 0, result.output
    assert "0 unchanged" in result.output  # a full build
    summary = orjson.loads((out / "site" / "api" / "scenarios.json").read_bytes())
    assert summary["scenarios"]
    version = sqlite3.connect(out / STATE_FILE).execute(
        "SELECT value FROM info WHERE key = 'version'"
    )
    assert version.fetchone() == ("3",)


def test_forged_leftovers_beside_the_output_are_never_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files named like a killed build's leftovers, committed beside build/."""
    journal = {"generation": 99, "files": [["../README.md", "write"], ["../schemas", "write"]]}
    root = committed_repo(
        tmp_path,
        {
            ".build.journal.json": orjson.dumps(journal),
            ".build.building-1/notes.txt": "not a staging folder",
            ".build.previous/notes.txt": "not a previous output",
        },
    )
    monkeypatch.chdir(root)
    # No output yet: the journal is not followed, the previous output not put back, and
    # the folder in the way of the swap makes the build stop before it starts.
    message = refused(root, "build", cwd=root, watched=tmp_path)
    assert ".build.previous is in the way" in message
    shutil.rmtree(root / ".build.previous")
    assert invoke("build").exit_code == 0
    assert (root / ".build.building-1" / "notes.txt").is_file()
    # Beside a real output, a journal reaching outside it is refused whole.
    before = tree(root)
    result = invoke("build")
    assert result.exit_code == 1
    assert "is not a journal `scenarios build` wrote" in result.stderr
    assert "Traceback" not in result.output
    assert tree(root) == before


def test_a_forged_pending_folder_beside_the_output_is_not_deleted(tmp_path: Path) -> None:
    """A folder named like a rebuild's pending files, committed beside build/."""
    root = committed_repo(tmp_path, {".build.pending/notes.txt": "not pending files"})
    assert invoke("--root", root, "build", "--out", root / "build").exit_code == 0
    tapas = root / TAPAS
    tapas.write_text(VALID_TEXT.replace("la barra", "la barra del bar"), "utf-8")
    message = refused(root, root / "build", cwd=tmp_path, watched=tmp_path)
    assert ".build.pending is in the way" in message
    shutil.rmtree(root / ".build.pending")
    assert invoke("--root", root, "build", "--out", root / "build").exit_code == 0
    assert "la barra del bar" in (
        root / "build" / "site" / "scenarios" / "tapas-bar-madrid" / "index.html"
    ).read_text("utf-8")


def test_an_output_through_a_symlink_is_built_in_the_real_folder(tmp_path: Path) -> None:
    root = committed_repo(tmp_path)
    real = tmp_path / "real"
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    assert invoke("--root", root, "build", "--out", link).exit_code == 0  # a new folder
    assert link.readlink() == real
    assert (real / "site" / "index.html").is_file()
    assert invoke("--root", root, "build", "--out", link, "--base-url", "/a/").exit_code == 0
    assert link.readlink() == real  # the output was swapped behind the link
    assert (real / STATE_FILE).is_file()
    assert 'href="/a/' in (link / "site" / "index.html").read_text("utf-8")
    assert build(root, real, base_url="/a/").parsed == 0  # one output, either spelling
    # A symlinked parent folder.
    parent = tmp_path / "parent"
    parent.symlink_to(real.parent / "elsewhere", target_is_directory=True)
    (real.parent / "elsewhere").mkdir()
    assert invoke("--root", root, "build", "--out", parent / "out").exit_code == 0
    assert (tmp_path / "elsewhere" / "out" / "site" / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_symlink_to_the_repository_is_refused(tmp_path: Path) -> None:
    root = committed_repo(tmp_path)
    link = tmp_path / "innocent"
    link.symlink_to(root, target_is_directory=True)
    refused(root, link, cwd=tmp_path, watched=tmp_path)


def test_both_spellings_of_one_folder_take_one_lock(tmp_path: Path) -> None:
    root = committed_repo(tmp_path)
    real = tmp_path / "real"
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    waited: list[str] = []
    finished: list[float] = []

    def second_build() -> None:
        build(root, link, waiting=lambda: waited.append("waiting"))
        finished.append(time.monotonic())

    with exclusive(real), watch_opens(tmp_path / ".real.lock") as opened:
        second = threading.Thread(target=second_build)
        second.start()
        opened(2)  # the link's build tried the real folder's lock, and again
        assert waited == ["waiting"]  # it waits for the real folder's lock
        assert not real.exists()
        released = time.monotonic()
    second.join(timeout=60)
    assert len(finished) == 1
    assert finished[0] >= released
    assert (real / "site" / "index.html").is_file()


@pytest.mark.parametrize(
    "journal",
    [b"", b"\xff\xfe not json", b"[]", b'{"generation": "1", "files": []}', b'{"files": 3}'],
)
def test_a_journal_the_build_did_not_write_is_refused(tmp_path: Path, journal: bytes) -> None:
    root = committed_repo(tmp_path)
    out = tmp_path / "out"
    build(root, out)
    (tmp_path / ".out.journal.json").write_bytes(journal)
    message = refused(root, out, cwd=tmp_path, watched=tmp_path)
    assert "is not a journal `scenarios build` wrote" in message


@pytest.mark.parametrize("name", [".build.pending", ".build.journal.json", ".build.lock"])
def test_a_symlink_where_the_build_keeps_its_files_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    root = committed_repo(tmp_path)
    monkeypatch.chdir(root)
    assert invoke("build").exit_code == 0
    (root / name).symlink_to(root / "scenarios")  # as a pull request could commit it
    before = tree(tmp_path)
    result = invoke("build")
    assert (result.exit_code, result.stdout) == (1, "")
    if name == ".build.lock":  # never followed (O_NOFOLLOW): the system's refusal, named
        assert result.stderr == (
            "error: the build stopped: Too many levels of symbolic links "
            f"({root / name}); the previous output in build is unchanged\n"
        )
    else:  # found by `recover` before it would follow it
        assert result.stderr == (
            f"error: {name} beside {root / 'build'} is a symlink, where a build keeps its "
            "own files: remove it; nothing was written\n"
        )
    assert tree(tmp_path) == before


def test_two_builds_through_two_spellings_both_succeed(tmp_path: Path) -> None:
    """Run at once as processes, each a full build: they take turns on the one folder."""
    root = committed_repo(tmp_path)
    real = tmp_path / "real"
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    processes = [
        subprocess.Popen(
            [*installed_command(), "--root", str(root), "build", "--out", str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for out in (link, real, link)
    ]
    for process in processes:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
    assert is_output(real)
    assert link.readlink() == real
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_killed_full_builds_staging_folder_is_cleared(tmp_path: Path) -> None:
    root = committed_repo(tmp_path)
    out = tmp_path / "out"
    build(root, out)
    leftover = tmp_path / ".out.building-4242-0badcafe"  # as a build killed midway leaves it
    (leftover / "site" / "scenarios").mkdir(parents=True)
    (leftover / "parts").mkdir()
    (leftover / "parts" / "0.sqlite").write_bytes(b"half written")
    build(root, out)
    assert not leftover.exists()


# --- a state vouches only for what its build wrote, down to the last file -------------------


def test_a_copied_state_does_not_make_someones_site_folder_deletable(tmp_path: Path) -> None:
    """A real state copied beside someone's `site/` and `scenarios.sqlite`: the top-level
    names are a build's, but what they hold is not, and a full build would delete it."""
    root = committed_repo(tmp_path)
    out = tmp_path / "photos"
    (out / "site" / "2024").mkdir(parents=True)
    (out / "site" / "2024" / "beach.jpg").write_bytes(b"a photo")
    (out / "site" / "index.html").write_text("my home page", "utf-8")
    (out / "scenarios.sqlite").write_bytes(b"my database")
    (out / STATE_FILE).write_bytes(real_state(tmp_path))
    message = refused(root, out, cwd=tmp_path, watched=tmp_path)
    # The first path in name order that the state does not record is named.
    assert f"{out / 'site' / '2024'} is not something `scenarios build` wrote" in message


def test_a_whole_copied_output_with_one_file_more_is_refused(tmp_path: Path) -> None:
    """A real output, copied whole, with a file of someone's added deep in the site."""
    root = committed_repo(tmp_path)
    elsewhere = make_repo(tmp_path / "elsewhere", {TAPAS: VALID_TEXT})
    build(elsewhere, tmp_path / "elsewhere-out")
    out = tmp_path / "copy"
    shutil.copytree(tmp_path / "elsewhere-out", out)
    extra = out / "site" / "scenarios" / "tapas-bar-madrid" / "notes.txt"
    extra.write_text("mine", "utf-8")
    # A rebuild (of the one page whose commit dates are new here) leaves alone what it
    # does not write.
    assert build(root, out).rendered == 1
    assert extra.read_text("utf-8") == "mine"
    message = refused_full(root, out, tmp_path)  # a full build would delete it
    assert f"{extra} is not something `scenarios build` wrote" in message
    extra.unlink()
    assert invoke("--root", root, "build", "--out", out, "--base-url", "/new/").exit_code == 0


def test_a_file_put_into_a_real_output_stops_the_full_build_not_the_rebuild(
    tmp_path: Path,
) -> None:
    """A rebuild in place overwrites only files the state records, so it leaves the file
    alone; a full build would delete it with the folder, so it refuses."""
    root = committed_repo(tmp_path)
    out = tmp_path / "out"
    build(root, out)
    mine = out / "site" / "api" / "notes.json"
    mine.write_text("mine", "utf-8")
    (root / TAPAS).write_text(VALID_TEXT.replace("la barra", "la barra del bar"), "utf-8")
    assert build(root, out).parsed == 1  # in place, beside it
    assert mine.read_text("utf-8") == "mine"
    before = tree(tmp_path)
    result = invoke("--root", root, "build", "--out", out, "--base-url", "/sub/")
    assert result.exit_code == 1
    assert f"{mine} is not something `scenarios build` wrote" in result.stderr
    assert "nothing was written" in result.stderr
    assert tree(tmp_path) == before
    mine.unlink()
    assert invoke("--root", root, "build", "--out", out, "--base-url", "/sub/").exit_code == 0


def test_a_rebuild_never_overwrites_a_file_the_state_does_not_record(tmp_path: Path) -> None:
    """A file where the rebuild would write one that the last build did not: someone's."""
    root = committed_repo(tmp_path)
    out = tmp_path / "out"
    build(root, out)
    state = sqlite3.connect(out / STATE_FILE)
    page = "site/scenarios/tapas-bar-madrid/index.html"
    state.execute("DELETE FROM outputs WHERE path = ?", (page,))  # as if not the build's
    state.commit()
    state.close()
    (root / TAPAS).write_text(VALID_TEXT.replace("la barra", "la barra del bar"), "utf-8")
    message = refused(root, out, cwd=tmp_path, watched=tmp_path)
    assert f"{out / page} is not a file `scenarios build` wrote" in message


def test_the_state_records_every_file_and_folder_of_the_output(tmp_path: Path) -> None:
    """After a full build and after rebuilds that add and remove search files."""

    def recorded(out: Path) -> dict[str, bool]:
        state = sqlite3.connect(out / STATE_FILE)
        try:
            return {p: bool(f) for p, f in state.execute("SELECT path, folder FROM outputs")}
        finally:
            state.close()

    def on_disk(out: Path) -> dict[str, bool]:
        return {p.relative_to(out).as_posix(): p.is_dir() for p in out.rglob("*")}

    root = committed_repo(tmp_path)
    out = tmp_path / "out"
    build(root, out)
    assert recorded(out) == on_disk(out)
    for word in ("Zyzzogeton", "Quixotry"):  # a new word: new search files; then gone
        (root / TAPAS).write_text(VALID_TEXT.replace("la barra", word), "utf-8")
        assert build(root, out).parsed == 1
        assert recorded(out) == on_disk(out)


# --- a rebuild never writes through a symlink under the output -------------------------------


@pytest.mark.parametrize(
    "linked",
    [
        "site/scenarios/tapas-bar-madrid",  # the scenario's folder
        "site/scenarios/tapas-bar-madrid/index.html",  # its page
        "site/api",  # a folder on the way to its API file
        "site/api/scenarios/tapas-bar-madrid.json",
    ],
)
def test_a_rebuild_refuses_a_symlink_where_it_writes(tmp_path: Path, linked: str) -> None:
    """The output's folder or file replaced by a link to someone's: nothing goes there."""
    root = committed_repo(tmp_path)
    out = tmp_path / "out"
    build(root, out)
    victim = tmp_path / "victim"
    shutil.move(out / linked, victim)  # the link leads to a copy of what was there
    (out / linked).symlink_to(victim)
    (root / TAPAS).write_text(VALID_TEXT.replace("la barra", "la barra del bar"), "utf-8")
    message = refused(root, out, cwd=tmp_path, watched=tmp_path)
    assert f"{out / linked} is a symlink" in message
    # Without the change there is nothing to write: the rebuild succeeds, touching nothing;
    # a full build would delete the folder the link is in, and refuses too.
    (root / TAPAS).write_text(VALID_TEXT, "utf-8")
    assert build(root, out).rendered == 0
    message = refused_full(root, out, tmp_path)
    assert f"{out / linked} is a symlink, which `scenarios build` never makes" in message


def refused_full(root: Path, out: Path, watched: Path) -> str:
    """A full build (a new base URL) into `out`: refused, and nothing changed."""
    before = tree(watched)
    result = invoke("--root", root, "build", "--out", out, "--base-url", "/new/")
    assert result.exit_code == 1, result.output
    assert "nothing was written" in result.stderr
    assert tree(watched) == before
    return result.stderr


def test_a_fifo_or_a_folder_where_a_rebuild_writes_a_file_is_refused(tmp_path: Path) -> None:
    """A FIFO would hang the read of the old page (or of the language's Anki package); a
    folder would be moved away, and its contents deleted with the rebuild's pending
    files."""
    root = committed_repo(tmp_path)
    out = tmp_path / "out"
    build(root, out)
    page = out / "site" / "scenarios" / "tapas-bar-madrid" / "index.html"
    (root / TAPAS).write_text(VALID_TEXT.replace("la barra", "la barra del bar"), "utf-8")
    page.unlink()
    os.mkfifo(page)
    assert f"{page} is not a regular file" in refused(root, out, cwd=tmp_path, watched=tmp_path)
    page.unlink()
    page.mkdir()
    (page / "mine.txt").write_text("mine", "utf-8")
    assert f"{page} is not a regular file" in refused(root, out, cwd=tmp_path, watched=tmp_path)
    shutil.rmtree(page)
    deck = out / "site" / "decks" / "es.apkg"  # the language's package, read to be patched
    deck.unlink()
    os.mkfifo(deck)
    assert f"{deck} is not a regular file" in refused(root, out, cwd=tmp_path, watched=tmp_path)


def test_a_killed_rebuilds_sqlite_journals_are_rolled_back_not_refused(tmp_path: Path) -> None:
    """A rebuild killed inside its SQLite transaction leaves the index's and the state's
    journals beside them: SQLite rolls both back, and the output is still the build's."""
    root = committed_repo(tmp_path)
    out = tmp_path / "out"
    build(root, out)
    before = tree(out)
    child = os.fork()
    if child == 0:  # pragma: no cover - the child dies mid-transaction
        connection = sqlite3.connect(out / "scenarios.sqlite", isolation_level=None)
        connection.execute("ATTACH DATABASE ? AS state", (str(out / STATE_FILE),))
        for schema in ("main", "state"):  # changed pages reach the files before the commit
            connection.execute(f"PRAGMA {schema}.cache_size = 1")
        connection.execute("BEGIN")
        connection.execute("UPDATE scenarios SET title = 'half written'")
        connection.execute("UPDATE state.info SET value = randomblob(100000)")
        os._exit(9)
    os.waitpid(child, 0)
    assert {"scenarios.sqlite-journal", f"{STATE_FILE}-journal"} <= {p.name for p in out.iterdir()}
    result = invoke("--root", root, "build", "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == (  # the state was rolled back: nothing to do, in place
        f"Built 1 scenario (1 public): 0 pages rendered, 1 unchanged; {out / 'scenarios.sqlite'}"
        f" and {out / 'site'}/ (open it with `scenarios serve`)\n"
    )
    assert tree(out) == before


# --- a damaged output is built anew, never trusted --------------------------------------------


def truncate_half(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def scramble_a_page(path: Path) -> None:
    """Overwrite the index's last page (table data, past the header) with noise."""
    data = bytearray(path.read_bytes())
    data[-4096:] = os.urandom(4096)
    path.write_bytes(bytes(data))


def word_file(out: Path) -> Path:
    """The search file of words starting "bar", which the change below makes the rebuild patch."""
    return out / "site" / "search" / "terms" / f"{b'bar'.hex()}.json"


@pytest.mark.parametrize(
    "damage",
    [
        lambda out: (out / "scenarios.sqlite").unlink(),
        lambda out: truncate_half(out / "scenarios.sqlite"),
        lambda out: (out / "scenarios.sqlite").write_bytes(os.urandom(8192)),
        lambda out: (out / "scenarios.sqlite").write_bytes(b""),
        lambda out: scramble_a_page(out / "scenarios.sqlite"),
        lambda out: word_file(out).write_bytes(b"\x00 not json"),
        lambda out: word_file(out).write_bytes(b"[1, 2]"),
        lambda out: word_file(out).write_bytes(b'{"bar": "not weights"}'),
    ],
    ids=[
        "deleted",
        "cut short",
        "random bytes",
        "emptied",
        "a page scrambled",
        "not json",
        "a list",
        "odd weights",
    ],
)
def test_a_damaged_output_is_built_anew(tmp_path: Path, damage: Any) -> None:
    """Whatever happened to the index or a search file the rebuild patches: no traceback,
    no "Built" over a broken index, the same output as a build from nothing."""
    root = committed_repo(tmp_path)
    out = tmp_path / "out"
    build(root, out)
    (root / TAPAS).write_text(VALID_TEXT.replace("la barra", "la barra del bar"), "utf-8")
    damage(out)
    result = invoke("--root", root, "build", "--out", out)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    index = sqlite3.connect(out / "scenarios.sqlite")
    try:
        assert index.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert index.execute("SELECT count(*) FROM scenarios").fetchone() == (1,)
    finally:
        index.close()
    fresh = tmp_path / "fresh"
    build(root, fresh)
    assert output_contents(out / "site") == output_contents(fresh / "site")


# --- the public index goes at the top of the site or outside the output -----------------------


def test_the_public_index_at_the_top_of_the_site_is_the_builds_own(tmp_path: Path) -> None:
    """Written by full builds and rebuilds, recorded, so the next full build replaces it;
    no temporary file is ever left in the output."""
    root = committed_repo(tmp_path)
    out = tmp_path / "out"
    public = out / "site" / "scenarios.sqlite"
    for step in ("full", "rebuild", "new base url", "dropped"):
        if step == "rebuild":
            (root / TAPAS).write_text(VALID_TEXT.replace("la barra", "el mostrador"), "utf-8")
        args = ["--base-url", "/new/"] if step == "new base url" else []
        if step != "dropped":
            args += ["--public-index", str(public)]
        result = invoke("--root", root, "build", "--out", out, *args)
        assert result.exit_code == 0, result.output
        assert public.exists() == (step != "dropped")
        if public.exists():
            connection = sqlite3.connect(public)
            titles = connection.execute("SELECT count(*) FROM scenarios").fetchone()
            connection.close()
            assert titles == (1,)
        assert not list(tmp_path.rglob("*.tmp"))
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]
    assert invoke("--root", root, "build", "--out", out, "--base-url", "/").exit_code == 0


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("out/site/sub/public.sqlite", "inside the output folder"),
        ("out/public.sqlite", "inside the output folder"),
        ("out/scenarios.sqlite", "inside the output folder"),
        (".out.public", "where the build keeps its own files"),
        ("nowhere/public.sqlite", "in a folder that does not exist"),
    ],
)
def test_a_public_index_anywhere_else_in_the_output_is_refused(
    tmp_path: Path, where: str, message: str
) -> None:
    root = committed_repo(tmp_path)
    out = tmp_path / "out"
    build(root, out)
    before = tree(tmp_path)
    target = tmp_path / where
    result = invoke("--root", root, "build", "--out", out, "--public-index", target)
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert "nothing was written" in result.stderr
    assert tree(tmp_path) == before
    assert invoke("--root", root, "build", "--out", out).exit_code == 0  # not bricked


def test_a_public_index_on_a_page_of_the_site_or_on_the_output_is_refused(tmp_path: Path) -> None:
    root = committed_repo(tmp_path)
    out = tmp_path / "fresh-out"
    result = invoke(
        "--root", root, "build", "--out", out, "--public-index", out / "site" / "index.html"
    )
    assert result.exit_code == 1, result.output
    assert "a file of the site itself" in result.stderr
    assert not out.exists()
    result = invoke("--root", root, "build", "--out", out, "--public-index", out)
    assert result.exit_code == 1, result.output
    assert "is, or holds, the output folder" in result.stderr
    assert not out.exists()
    assert invoke("--root", root, "build", "--out", out).exit_code == 0
