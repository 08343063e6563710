"""The journal of a rebuild in place: old output or new, never a mix, whatever kills it."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from scenariokit.build.journal import Changes, recover


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def site(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    for relative, text in {
        "index.html": "old home",
        "scenarios/a/index.html": "old a",
        "search/terms/616263.json": "old words",
        "unchanged.css": "same",
    }.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text, "utf-8")
    return folder


def stage(folder: Path) -> Changes:
    changes = Changes(folder)
    assert changes.write("index.html", b"new home")
    assert changes.write("scenarios/b/index.html", b"new b")  # a new file in a new folder
    assert not changes.write("unchanged.css", b"same")  # identical: left alone
    changes.remove("search/terms/616263.json")
    return changes


def marker(folder: Path) -> Path:
    return folder.parent / "committed"


def committed(folder: Path) -> Callable[[int], bool]:
    return lambda generation: (
        marker(folder).exists() and int(marker(folder).read_text()) >= generation
    )


NEW = {
    "index.html": b"new home",
    "scenarios/a/index.html": b"old a",
    "scenarios/b/index.html": b"new b",
    "unchanged.css": b"same",
}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(".out."))


def test_applied_changes_are_in_place_and_nothing_is_left_over(site: Path) -> None:
    changes = stage(site)
    assert len(changes) == 3
    changes.apply(1, commit=lambda: marker(site).write_text("1"))
    assert tree(site) == NEW
    assert leftovers(site) == []


def _die_in(folder: Path, commit_first: bool) -> None:
    """In a child process: apply the changes and die in the commit, before or after it."""

    def commit() -> None:
        if commit_first:
            marker(folder).write_text("1")
        os._exit(9)  # killed: no cleanup, no exception handling

    stage(folder).apply(1, commit=commit)


@pytest.mark.parametrize(("commit_first", "expected"), [(False, "old"), (True, "new")])
def test_a_process_killed_at_the_commit_leaves_old_or_new(
    site: Path, commit_first: bool, expected: str
) -> None:
    before = tree(site)
    child = multiprocessing.get_context("fork").Process(target=_die_in, args=(site, commit_first))
    child.start()
    child.join()
    assert child.exitcode == 9
    assert tree(site) != before  # the files were moved, the journal is there
    assert leftovers(site) == [".out.journal.json", ".out.pending"]
    recover(site, committed(site))
    assert tree(site) == (before if expected == "old" else NEW)
    assert leftovers(site) == []


def test_a_failure_halfway_through_the_moves_is_rolled_back(site: Path) -> None:
    changes = stage(site)
    assert changes.write("lost/page.html", b"cannot go in")
    # Its pending copy is gone (a disk that failed, say): its move fails, after the others.
    (site.parent / ".out.pending" / "new" / "lost" / "page.html").unlink()
    before = tree(site)
    with pytest.raises(FileNotFoundError):
        changes.apply(1, commit=lambda: marker(site).write_text("1"))
    assert not marker(site).exists()
    recover(site, committed(site))
    assert tree(site) == before
    assert leftovers(site) == []


def test_recovering_with_no_journal_only_clears_pending_files(site: Path) -> None:
    before = tree(site)
    stage(site)  # written beside the folder, never applied
    assert leftovers(site) == [".out.pending"]
    recover(site, committed(site))
    assert tree(site) == before
    assert leftovers(site) == []
