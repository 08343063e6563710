"""The build's output folder: refusing someone else's, swapping a new one in, recovering.

A full build writes a sibling staging folder and swaps it in with two renames; a rebuild
changes files in place under a journal. A build killed at any point leaves something that
`recover` puts right before the next build (or `serve`) touches the folder. Two builds
into one folder (`serve` rebuilding while `scenarios build` runs, say) take turns:
`exclusive` holds the folder for one build at a time.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from scenariokit import build_state, journal
from scenariokit.build_state import STATE_FILE
from scenariokit.errors import UserError
from scenariokit.repository import display_path

LEGACY_STATE_FILE = ".scenariokit-build.json"  # what builds before 0.2 left
LOCK_WAIT = 60.0  # seconds a build waits for another into the same folder


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
            handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
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


def refuse_foreign_folder(out: Path) -> None:
    """Refuse a file, or a folder with files in it that no build made (a mistyped --out)."""
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} is a file: choose a folder with --out")
    ours = (out / STATE_FILE).is_file() or (out / LEGACY_STATE_FILE).is_file()
    if out.is_dir() and not ours and any(out.iterdir()):
        raise UserError(
            f"{out} is not empty and was not made by `scenarios build` (it has no "
            f"{STATE_FILE}): choose a new or empty folder with --out; nothing was "
            "written"
        )


def staging_folder(out: Path) -> Path:
    """Where this process builds a new output before swapping it in (beside `out`)."""
    return _beside(out, f"building-{os.getpid()}")


def swap(staging: Path, out: Path) -> None:
    """Put the new output in place of the old with two renames, then drop the old."""
    retired = _beside(out, "previous")
    shutil.rmtree(retired, ignore_errors=True)
    if out.exists():
        out.rename(retired)
    staging.rename(out)
    shutil.rmtree(retired, ignore_errors=True)


def recover(out: Path) -> None:
    """Clean up after a build that was killed.

    Rolls back a rebuild's journal, removes a staging folder, finishes a half-done swap.
    Called under `exclusive`, so no staging folder it finds belongs to a running build.
    """
    journal.recover(out, lambda generation: build_state.committed(out / STATE_FILE, generation))
    for leftover in out.parent.glob(_beside(out, "building-*").name):
        shutil.rmtree(leftover, ignore_errors=True)
    retired = _beside(out, "previous")
    if retired.is_dir() and not out.exists():
        retired.rename(out)


def _beside(out: Path, what: str) -> Path:
    """A hidden sibling of the output folder that belongs to it (`.build.lock`, say)."""
    return out.parent / f".{out.name}.{what}"
