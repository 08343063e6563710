"""Replacing a few files of a large folder in place, all or none.

A rebuild that changes a handful of files of a site of thousands does not copy the site:
it writes the new files beside the folder, records them in a journal, moves each old file
aside and the new one in, and then calls the caller's commit (the build's SQLite
transaction), which is the moment the new version exists. Until the commit the journal
lets `recover` put every old file back; after it, `recover` only clears what is left over.
A process killed at any point therefore leaves the old output or the new one, never a mix,
once `recover` has run (every build runs it first).

The journal and the pending files live beside the folder (`.NAME.journal.json`,
`.NAME.pending/`), so the folder itself only ever holds output.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import orjson

from scenariokit.errors import UserError

WRITE, REMOVE = "write", "remove"


def _journal(folder: Path) -> Path:
    return folder.parent / f".{folder.name}.journal.json"


def _pending(folder: Path) -> Path:
    return folder.parent / f".{folder.name}.pending"


class Changes:
    """New contents for some files of `folder`, applied together by `apply`."""

    def __init__(self, folder: Path) -> None:
        """Start an empty set of changes (clearing what an earlier run left)."""
        self.folder = folder
        self._work = _pending(folder)
        self._entries: list[tuple[str, str]] = []
        _clear(self._work)

    def __len__(self) -> int:
        return len(self._entries)

    def write(self, relative: str, content: bytes) -> bool:
        """Replace (or create) `relative` with `content`, unless it already holds exactly that.

        Returns whether the file will change.
        """
        try:
            if (self.folder / relative).read_bytes() == content:
                return False
        except OSError:
            pass
        target = self._work / "new" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        self._entries.append((relative, WRITE))
        return True

    def remove(self, relative: str) -> None:
        """Delete `relative` when the changes are applied (nothing if it does not exist)."""
        if (self.folder / relative).exists():
            self._entries.append((relative, REMOVE))

    def apply(self, generation: int, commit: Callable[[], object]) -> None:
        """Move every change into place, then `commit`; `recover` undoes it until then.

        `commit` must make `generation` the one `recover`'s `committed` reports.
        """
        journal = _journal(self.folder)
        temporary = journal.with_suffix(".tmp")
        temporary.write_bytes(orjson.dumps({"generation": generation, "files": self._entries}))
        temporary.replace(journal)
        for relative, action in self._entries:
            current = self.folder / relative
            backup = self._work / "old" / relative
            if current.exists():
                backup.parent.mkdir(parents=True, exist_ok=True)
                current.rename(backup)
            if action == WRITE:
                current.parent.mkdir(parents=True, exist_ok=True)
                (self._work / "new" / relative).rename(current)
        commit()
        journal.unlink()
        shutil.rmtree(self._work, ignore_errors=True)


def recover(folder: Path, committed: Callable[[int], bool]) -> None:
    """Finish what a killed `apply` left: roll back unless `committed(generation)`."""
    journal, work = _journal(folder), _pending(folder)
    journal.with_suffix(".tmp").unlink(missing_ok=True)
    try:
        record = orjson.loads(journal.read_bytes())
    except FileNotFoundError:
        _clear(work)
        return
    except orjson.JSONDecodeError:
        record = None
    if not _well_formed(record):
        # Not what `apply` writes (one committed into a repository beside `build/`, say):
        # following it could move or delete files anywhere.
        raise UserError(
            f"{journal} is not a journal `scenarios build` wrote: nothing was written; "
            "delete it if you did not put it there, and build again"
        )
    if not committed(record["generation"]):
        for relative, action in reversed(record["files"]):
            current, backup = folder / relative, work / "old" / relative
            if backup.exists():
                backup.replace(current)
            elif action == WRITE and not (work / "new" / relative).exists():
                current.unlink(missing_ok=True)  # it was new, and already moved in
    journal.unlink()
    _clear(work)


def _clear(work: Path) -> None:
    """Remove a pending folder an earlier run left, if it is one: only `new/` and `old/`.

    Anything else named like it (a folder committed beside `build/`, a symlink) is not the
    build's to delete.
    """
    if not os.path.lexists(work):
        return
    ours = not work.is_symlink() and work.is_dir()
    if not ours or any(p.name not in ("new", "old") for p in work.iterdir()):
        raise UserError(
            f"{work} is in the way: a rebuild keeps its pending files there, and that was "
            "not made by `scenarios build`; move it elsewhere; nothing was written"
        )
    shutil.rmtree(work)


def _well_formed(record: Any) -> bool:
    """Whether a journal is as `apply` writes it, every path inside the folder."""
    if not isinstance(record, dict) or not isinstance(record.get("generation"), int):
        return False
    files = record.get("files")
    return isinstance(files, list) and all(
        isinstance(entry, list)
        and len(entry) == 2
        and entry[1] in (WRITE, REMOVE)
        and isinstance(entry[0], str)
        and not PurePosixPath(entry[0]).is_absolute()
        and ".." not in PurePosixPath(entry[0]).parts
        for entry in files
    )
