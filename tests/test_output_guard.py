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
from pathlib import Path

import orjson
import pytest
from tests.conftest import VALID_TEXT, installed_command, invoke, make_repo

from scenariokit.build import build
from scenariokit.build_state import STATE_FILE
from scenariokit.output_folder import LEGACY_STATE_FILE, exclusive, is_output

TAPAS = "scenarios/restaurant/tapas-bar-madrid.yaml"


def git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", "-C", str(root), *args], check=True, env=env, capture_output=True)


def committed_repo(tmp_path: Path, extra: dict[str, str | bytes] | None = None) -> Path:
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
    assert sorted(p.name for p in out.iterdir()) == sorted(["scenarios.sqlite", "site", STATE_FILE])
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


def test_outputs_of_earlier_versions(tmp_path: Path) -> None:
    """A state from before entries were recorded: rebuilt when the folder holds only a
    build's entries, refused with anything else; the first builds' JSON state: refused."""
    root = committed_repo(tmp_path)
    old = tmp_path / "old"
    build(root, old)
    state = sqlite3.connect(old / STATE_FILE)
    state.execute("DELETE FROM info WHERE key = 'entries'")  # as builds before this record
    state.commit()
    state.close()
    assert invoke("--root", root, "build", "--out", old).exit_code == 0
    state = sqlite3.connect(old / STATE_FILE)
    state.execute("DELETE FROM info WHERE key = 'entries'")
    state.commit()
    state.close()
    (old / "notes.txt").write_text("mine", "utf-8")
    assert "holds notes.txt besides" in refused(root, old, cwd=tmp_path, watched=tmp_path)
    (old / "notes.txt").unlink()
    legacy = tmp_path / "legacy"
    (legacy / "site").mkdir(parents=True)
    (legacy / LEGACY_STATE_FILE).write_text("{}", "utf-8")
    message = refused(root, legacy, cwd=tmp_path, watched=tmp_path)
    assert "delete that folder yourself, once" in message
    shutil.rmtree(old)
    assert invoke("--root", root, "build", "--out", old).exit_code == 0


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
    with exclusive(real):
        second = threading.Thread(
            target=lambda: (
                build(root, link, waiting=lambda: waited.append("waiting")),
                finished.append(time.monotonic()),
            )
        )
        second.start()
        deadline = time.monotonic() + 30
        while not waited and time.monotonic() < deadline:
            time.sleep(0.01)
        assert waited == ["waiting"]  # the link's build waits for the real folder's lock
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
    assert result.exit_code == 1
    assert "symlink" in result.stderr or "symbolic link" in result.stderr
    assert "Traceback" not in result.output
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
