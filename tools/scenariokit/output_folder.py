"""The build's output folder: refusing someone else's, swapping a new one in, recovering.

A full build writes a sibling staging folder and swaps it in with two renames; a rebuild
changes files in place under a journal. A build killed at any point leaves something that
`recover` puts right before the next build (or `serve`) touches the folder.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from scenariokit import build_state, journal
from scenariokit.build_state import STATE_FILE
from scenariokit.errors import UserError

LEGACY_STATE_FILE = ".scenariokit-build.json"  # what builds before 0.2 left


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
    return out.parent / f".{out.name}.building-{os.getpid()}"


def swap(staging: Path, out: Path) -> None:
    """Put the new output in place of the old with two renames, then drop the old."""
    retired = out.parent / f".{out.name}.previous"
    shutil.rmtree(retired, ignore_errors=True)
    if out.exists():
        out.rename(retired)
    staging.rename(out)
    shutil.rmtree(retired, ignore_errors=True)


def recover(out: Path) -> None:
    """Clean up after a build that was killed.

    Rolls back a rebuild's journal, removes a staging folder, finishes a half-done swap.

    Two builds into the same folder at once are not supported: the second removes the
    first's staging folder.
    """
    journal.recover(out, lambda generation: build_state.committed(out / STATE_FILE, generation))
    for leftover in out.parent.glob(f".{out.name}.building-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    retired = out.parent / f".{out.name}.previous"
    if retired.is_dir() and not out.exists():
        retired.rename(out)
