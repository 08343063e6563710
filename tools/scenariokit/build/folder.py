"""The build's output folder: refusing someone else's, swapping a new one in, recovering.

A full build writes a sibling staging folder and swaps it in with two renames; a rebuild
changes files in place under a journal. A build killed at any point leaves something that
`recover` puts right before the next build (or `serve`) touches the folder. Two builds
into one folder (`serve` rebuilding while `scenarios build` runs, say) take turns:
`exclusive` holds the folder for one build at a time.

Replacing a folder deletes what was in it, so the build replaces only its own output,
recognised by what the build wrote: a state database this version can read, recording
every file and folder the builds wrote, and a folder holding nothing else. `is_output`
looks at the top (cheap, before every build), `refuse_unrecorded` at every file and folder
(a listing of the folders, no read: before a full build and at its swap, which delete; a
rebuild changes only files the state records, see `build`). A file merely named like the
state proves nothing, and a state copied beside someone's files (at the top or in `site/`)
vouches for no more than what its own build wrote: anything else in the folder (`.git`, a
README, a symlink…) means it is someone's folder. States of earlier versions, which did
not record what they wrote, and the first builds' JSON state are not recognised: their
owner deletes that output once, by hand.
Whatever a folder holds, the repository being built, its ancestors, its own folders
(`scenarios/`, `schemas/`, `.git/`…) and any folder that looks like a repository are
refused before anything is written (`refuse_repository`).

There is no random build id: two builds of the same files into new folders must be
byte-identical, state included, and anything in a folder can be copied anyway. What
protects is that the folder holds nothing but the build's own entries, and that the
repository is refused whatever it holds.

The folder is named by its real path (`build` resolves it once, symlinks and all), so
the lock, the staging folder and the swap are the same whichever way `--out` was spelled,
and a symlink to the output stays a symlink to the new output.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from scenariokit.build import journal
from scenariokit.build import state as build_state
from scenariokit.build.state import STATE_FILE
from scenariokit.errors import UserError
from scenariokit.files.repository import SCENARIOS_DIR, SCHEMA_FILE, TEMPLATES_DIR, display_path

LEGACY_STATE_FILE = ".scenariokit-build.json"  # what the first builds left
LOCK_WAIT = 60.0  # seconds a build waits for another into the same folder
INDEX_FILE = "scenarios.sqlite"
SITE_DIR = "site"
# Each language's Anki collection, uncompressed, for a rebuild to patch (build/decks.py).
COLLECTIONS_DIR = ".scenariokit-collections"
# Everything a build writes at the top of its output, and nothing else may be there.
OUTPUT_ENTRIES = frozenset({INDEX_FILE, SITE_DIR, STATE_FILE, COLLECTIONS_DIR})
# What SQLite leaves beside a database while a rebuild's transaction is open (the index's
# and the state's rollback journals, and the super-journal of the two): after a killed
# rebuild, SQLite itself rolls them back and deletes them (`_settle`).
_SQLITE_LEFTOVERS = re.compile(
    rf"(?:{re.escape(INDEX_FILE)}|{re.escape(STATE_FILE)})-journal|{re.escape(INDEX_FILE)}-mj[0-9A-F]{{9}}"
)
# What a staging folder holds while a build writes it (its index's parts besides).
_STAGING_ENTRIES = OUTPUT_ENTRIES | {"parts"}
# A repository's own folders: no output goes in them (`site/` holds the theme).
_REPOSITORY_DIRS = (".git", SCENARIOS_DIR, TEMPLATES_DIR, "schemas", "site")
# What makes a folder a repository, ours or any other.
_REPOSITORY_MARKS = (".git", SCENARIOS_DIR, str(SCHEMA_FILE))


@contextlib.contextmanager
def exclusive(out: Path, waiting: Callable[[], object] | None = None) -> Iterator[None]:
    """Hold `out` against other builds for as long as one runs; wait for one that holds it.

    `waiting()` is called once, when another build holds it (to tell the user why nothing
    happens).

    The lock is a file beside the folder, locked with `flock` (so a killed build's lock is
    released by the system) and removed when the build ends; a build that locked a file
    removed meanwhile tries again with the new one. Where there is no `flock` (Windows),
    builds are not guarded.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Linux or macOS
        yield
        return
    path = _beside(out, "lock")
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            # Never through a symlink: it could create or lock a file anywhere.
            handle = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        except FileNotFoundError:  # a new --out in a new folder
            out.parent.mkdir(parents=True, exist_ok=True)
            continue
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(handle)
            if waiting is not None:
                waiting()
                waiting = None
            if time.monotonic() > deadline:
                raise UserError(
                    f"another build has been writing {out} for over {LOCK_WAIT:.0f} s (it "
                    f"holds {path.name}): let it finish, or stop it and build again"
                ) from None
            time.sleep(0.05)
            continue
        with contextlib.suppress(FileNotFoundError):
            if os.fstat(handle).st_ino == path.stat().st_ino:
                break  # the lock is on the file that is still there
        os.close(handle)
    try:
        yield
    finally:
        path.unlink(missing_ok=True)  # before unlocking: a waiting build then tries anew
        os.close(handle)


def waiting_message(out: Path) -> str:
    """What `build` and `serve` tell the user while `exclusive` waits for another build."""
    return f"Waiting for another build into {display_path(out)}/ to finish…"


def refuse_repository(root: Path, out: Path) -> None:
    """Refuse an output folder that is, holds or lies in the repository's own files.

    `out` is a real path. Checked before the build takes its lock, so that a refused
    `--out` writes nothing at all, not even a lock file beside it.
    """
    problem = _repository_problem(Path(os.path.realpath(root)), out)
    if problem:
        raise UserError(
            f"refusing to build into {out}: it {problem}, and a build replaces its output "
            "folder whole; choose a folder of its own with --out (the default, build/, "
            "is fine); nothing was written"
        )


def _repository_problem(root: Path, out: Path) -> str | None:
    """Why `out` must not be replaced for the repository at `root`, if it must not."""
    if out == root:
        return "is the repository"
    if root.is_relative_to(out):
        return f"holds the repository {root}"
    for name in _REPOSITORY_DIRS:
        if out.is_relative_to(root / name):
            return f"is inside the repository's {name}/ folder"
    for mark in _REPOSITORY_MARKS:
        if os.path.lexists(out / mark):
            return f"holds {mark}, as a repository does"
    return None


def refuse_foreign_folder(out: Path) -> None:
    """Refuse a file, or a folder with anything in it that is not a build's output.

    Also refuses a leftover beside `out` that a killed build would have left but that no
    build wrote, since the swap would delete it.
    """
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} is a file: choose a folder with --out")
    if out.is_dir() and any(out.iterdir()) and not is_output(out):
        raise UserError(f"{out} {_foreign_reason(out)}; nothing was written")
    retired = _beside(out, "previous")
    if os.path.lexists(retired) and not is_output(retired) and not _empty_folder(retired):
        raise UserError(
            f"{retired} is in the way: the build keeps the previous output there while it "
            "swaps in the new one, and that folder was not made by `scenarios build`; move "
            "it elsewhere; nothing was written"
        )


def _empty_folder(path: Path) -> bool:
    """Whether `path` is a folder (not a link to one) with nothing in it."""
    return path.is_dir() and not path.is_symlink() and not any(path.iterdir())


def is_output(folder: Path) -> bool:
    """Whether `folder` is a build's output: its state vouches for all it holds at the top.

    The state must be a regular file this version wrote and record every top-level entry;
    `site/` must be a folder and the index a file, none of them a symlink. What SQLite
    leaves of a killed rebuild's transaction is SQLite's to roll back, if regular files.
    """
    try:
        with os.scandir(folder) as entries:
            found = {entry.name: entry for entry in entries}
    except OSError:
        return False
    state = found.get(STATE_FILE)
    if state is None or not state.is_file(follow_symlinks=False):
        return False
    leftovers = {name for name in found if _SQLITE_LEFTOVERS.fullmatch(name)}
    if not all(found[name].is_file(follow_symlinks=False) for name in leftovers):
        return False
    recorded = build_state.entries(folder / STATE_FILE, OUTPUT_ENTRIES)
    if recorded is None or not set(found) - leftovers <= recorded:
        return False
    site, index = found.get(SITE_DIR), found.get(INDEX_FILE)
    return (site is None or site.is_dir(follow_symlinks=False)) and (
        index is None or index.is_file(follow_symlinks=False)
    )


def _foreign_reason(out: Path) -> str:
    """Why a folder with something in it is not taken for a build's output, for the user."""
    names = sorted(p.name for p in out.iterdir())
    others = [n for n in names if n not in OUTPUT_ENTRIES]
    if LEGACY_STATE_FILE in names:
        return (
            f"was made by an early `scenarios build` ({LEGACY_STATE_FILE}), whose outputs "
            "are no longer taken on trust: delete that folder yourself, once, and build "
            "again"
        )
    if STATE_FILE not in names:
        return (
            f"is not empty and was not made by `scenarios build` (it has no {STATE_FILE}): "
            "choose a new or empty folder with --out"
        )
    if others:
        shown = ", ".join(others[:5]) + (", …" if len(others) > 5 else "")
        return (
            f"holds {shown} besides a {STATE_FILE}: a build's output holds nothing else, "
            "so this is someone's folder; choose a new or empty folder with --out"
        )
    return (
        f"holds a {STATE_FILE} that this version of `scenarios build` did not write (not "
        "a build state, or an earlier version's): if the folder is an old build's output, "
        "delete it yourself, once, and build again"
    )


def refuse_unrecorded(out: Path) -> None:
    """Refuse to replace an output that holds anything its state does not record.

    A full build deletes the whole folder, so every file and folder in it must be one the
    builds wrote, of the kind they wrote it. A recorded one that is missing is fine (there
    is less to delete); a symlink, a FIFO or a device is never a build's. The first path
    found that is not the build's (in name order) is named.
    """
    if not out.is_dir() or not any(out.iterdir()):
        return
    recorded = build_state.outputs(out / STATE_FILE)
    if recorded is None:
        raise UserError(f"{out} {_foreign_reason(out)}; nothing was written")
    for relative, kind in contents(out):
        problem = _unrecorded(kind, recorded.get(relative))
        if problem:
            raise UserError(
                f"{out / relative} {problem}, and a full build replaces {out} whole: move it "
                f"out of {out} (or delete {out} yourself) and build again; nothing was written"
            )


def _unrecorded(kind: str, folder: bool | None) -> str | None:
    """Why an entry of `kind` is not the build's, recorded as a folder or not (or not at all)."""
    if kind == "link":
        return "is a symlink, which `scenarios build` never makes"
    if kind == "other":
        return "is not a file or a folder, which `scenarios build` never makes"
    if folder is None:
        return "is not something `scenarios build` wrote (its state records all it wrote)"
    if folder != (kind == "folder"):
        return f"is a {kind} where `scenarios build` wrote a {'folder' if folder else 'file'}"
    return None


def contents(folder: Path, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Every entry under `folder`, depth first in name order: its relative path and kind.

    Kinds are "folder", "file", "link" (never followed) and "other" (a FIFO, a socket, a
    device), told by the folder's listing alone, without a `stat` per entry.
    """
    with os.scandir(folder) as listing:
        found = sorted((entry.name, _kind(entry)) for entry in listing)
    for name, kind in found:
        relative = f"{prefix}{name}"
        yield relative, kind
        if kind == "folder":
            yield from contents(folder / name, f"{relative}/")


def _kind(entry: os.DirEntry[str]) -> str:
    if entry.is_symlink():
        return "link"
    if entry.is_dir(follow_symlinks=False):
        return "folder"
    return "file" if entry.is_file(follow_symlinks=False) else "other"


def staging_folder(out: Path) -> Path:
    """Where this process builds a new output before swapping it in (beside `out`).

    A random part in the name: no folder that was already there is ever taken for it.
    """
    return _beside(out, f"building-{os.getpid()}-{secrets.token_hex(4)}")


def swap(staging: Path, out: Path, done: Callable[[int], object] | None = None) -> None:
    """Put the new output in place of the old with two renames, then drop the old.

    `done(1)` is called after each rename (for a caller's progress report).

    `refuse_foreign_folder` has made sure that `out`, and a previous output left beside
    it, are a build's own at the top; everything they hold is checked again here, when it
    is about to be deleted (the user may have put something in while the build ran).
    """
    retired = _beside(out, "previous")
    refuse_unrecorded(out)
    if os.path.lexists(retired):
        refuse_unrecorded(retired)
    _drop(retired)
    if out.exists():
        out.rename(retired)
    if done:
        done(1)
    staging.rename(out)
    if done:
        done(1)
    _drop(retired)


def _drop(output: Path) -> None:
    """Delete an old output, its state last.

    Stopped midway (Ctrl+C, a kill), what is left is still an output: its state vouches
    for what remains, and the next build deletes it in turn. Deleted in any order, it
    could lose its state first, and the next build refused the rest as someone's folder
    in its way. Only an empty folder can be left without its state (`refuse_foreign_folder`
    lets that be).
    """
    if not output.is_dir() or output.is_symlink():
        return
    for entry in output.iterdir():
        if entry.name != STATE_FILE:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
    shutil.rmtree(output, ignore_errors=True)


def recover(out: Path) -> None:
    """Clean up after a build that was killed.

    Rolls back a rebuild's journal, removes a staging folder, finishes a half-done swap.
    Called under `exclusive`, so no staging folder it finds belongs to a running build.
    Touches only what a build wrote: a journal is followed only beside a build's output,
    a staging folder removed only when it holds nothing a build does not write, and a
    previous output put back only when it is one. None of them is a symlink: a build never
    makes one, and one would lead the journal's moves out of the folder.
    """
    linked = sorted(p.name for p in out.parent.glob(_beside(out, "*").name) if p.is_symlink())
    if linked:
        raise UserError(
            f"{', '.join(linked)} beside {out} is a symlink, where a build keeps its own "
            "files: remove it; nothing was written"
        )
    _settle(out)
    if is_output(out):
        journal.recover(out, lambda generation: build_state.committed(out / STATE_FILE, generation))
    for leftover in out.parent.glob(_beside(out, "building-*").name):
        if _is_staging(leftover):
            shutil.rmtree(leftover)
    retired = _beside(out, "previous")
    if not os.path.lexists(out) and is_output(retired):
        retired.rename(out)


def _settle(out: Path) -> None:
    """Let SQLite roll back the transaction a killed rebuild left open in the output.

    Its journals beside the index and the state (`_SQLITE_LEFTOVERS`) make both unreadable
    to a read-only connection, so the output would not be recognised. Opening each for
    writing (never creating it, never through a link) has SQLite finish or roll back the
    transaction, both files together, and delete the journals. A journal SQLite leaves
    there is not hot: the process was killed before it wrote any page of the database, so
    the journal describes nothing to undo (its header is still blank). It is deleted under
    a write lock on its database, so no other writer can be using it; a super-journal left
    when no journal names it any more goes too. A file that is no database is left as it
    is: the build then says why it does not take it.
    """
    if not any(_SQLITE_LEFTOVERS.fullmatch(p.name) for p in _listing(out)):
        return
    for name in (STATE_FILE, INDEX_FILE):
        database = out / name
        if database.is_symlink() or not database.is_file():
            continue
        with contextlib.suppress(sqlite3.Error):
            connection = sqlite3.connect(
                f"{database.absolute().as_uri()}?mode=rw", uri=True, isolation_level=None
            )
            try:
                connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
                connection.execute("BEGIN IMMEDIATE")  # no one else writes it meanwhile
                stale = out / f"{name}-journal"
                if stale.is_file() and not stale.is_symlink():
                    stale.unlink()
                connection.execute("ROLLBACK")
            finally:
                connection.close()
    left = [p for p in _listing(out) if _SQLITE_LEFTOVERS.fullmatch(p.name)]
    if all(p.name.startswith(f"{INDEX_FILE}-mj") for p in left):
        for super_journal in left:
            if super_journal.is_file() and not super_journal.is_symlink():
                super_journal.unlink()


def _listing(folder: Path) -> list[Path]:
    """What is at the top of `folder` (nothing if it is not a folder)."""
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def _is_staging(folder: Path) -> bool:
    """Whether a leftover named like a staging folder holds only what a build writes there."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    with os.scandir(folder) as entries:
        return all(entry.name in _STAGING_ENTRIES and not entry.is_symlink() for entry in entries)


def _beside(out: Path, what: str) -> Path:
    """A hidden sibling of the output folder that belongs to it (`.build.lock`, say)."""
    return out.parent / f".{out.name}.{what}"
