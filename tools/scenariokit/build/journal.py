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

Nothing here follows a symlink under the folder, nor moves anything that is not what the
build writes there: every path is checked one component at a time (`_existing`) before
anything moves, and a link (`build/site/scenarios/x` -> `/tmp/victim`, which would lead the
moves out of the folder), a FIFO or a device (which would hang a read) or a folder where a
file belongs (whose contents would be moved away with it) is refused with "nothing was
written". Refused, not rebuilt around: a full build would refuse it too, since it replaces
only what the build wrote (`folder.refuse_unrecorded`); the user removes it.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable, Iterable
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
        self._replaced: list[str] = []
        _clear(self._work)

    def __len__(self) -> int:
        return len(self._entries)

    def part(self) -> Changes:
        """An empty set of changes to the same folder, for another process to make.

        Its files go where this one's go; `merge` takes its list of them back. The two
        must not write the same file.
        """
        part = Changes.__new__(Changes)
        part.folder, part._work = self.folder, self._work
        part._entries, part._replaced = [], []
        return part

    def merge(self, part: Changes) -> None:
        """Take in the changes a `part` made (in another process: it comes back pickled)."""
        self._entries += part._entries
        self._replaced += part._replaced

    @property
    def written(self) -> list[str]:
        """The files that will be written."""
        return [relative for relative, action in self._entries if action == WRITE]

    @property
    def removed(self) -> list[str]:
        """The files that will be removed."""
        return [relative for relative, action in self._entries if action == REMOVE]

    @property
    def replaced(self) -> list[str]:
        """The files already in the folder that will be overwritten or removed."""
        return list(self._replaced)

    def existing(self, relative: str) -> Path | None:
        """`relative`'s path, None when it is missing; refused as `write` refuses."""
        return self.folder / relative if _existing(self.folder, relative) else None

    def write(self, relative: str, content: bytes) -> bool:
        """Replace (or create) `relative` with `content`, unless it already holds exactly that.

        Returns whether the file will change.
        """
        exists = _existing(self.folder, relative)
        if exists and (self.folder / relative).read_bytes() == content:
            return False
        self._put(relative, exists).write_bytes(content)
        return True

    def write_parts(self, relative: str, parts: Iterable[bytes]) -> None:
        """Replace (or create) `relative` with `parts`, one after the other.

        Without comparing: for a large file its caller knows has changed (a language's
        Anki package, 36 MB at 100,000 scenarios).
        """
        with self.put(relative).open("wb") as file:
            file.writelines(parts)

    def put(self, relative: str) -> Path:
        """Where the caller writes `relative` whole, to be moved in with the others."""
        return self._put(relative, _existing(self.folder, relative))

    def _put(self, relative: str, exists: bool) -> Path:
        target = self._work / "new" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if exists:
            self._replaced.append(relative)
        self._entries.append((relative, WRITE))
        return target

    def remove(self, relative: str) -> None:
        """Delete `relative` when the changes are applied (nothing if it does not exist)."""
        if _existing(self.folder, relative):
            self._entries.append((relative, REMOVE))
            self._replaced.append(relative)

    def apply(
        self,
        generation: int,
        commit: Callable[[], object],
        done: Callable[[int], object] | None = None,
    ) -> None:
        """Move every change into place, then `commit`; `recover` undoes it until then.

        `commit` must make `generation` the one `recover`'s `committed` reports. Every path
        is checked again first: nothing has moved when a link is found. `done(1)` is called
        as each change is in place (for a caller's progress report).
        """
        existing = {relative for relative, _ in self._entries if _existing(self.folder, relative)}
        journal = _journal(self.folder)
        temporary = journal.with_suffix(".tmp")
        temporary.write_bytes(orjson.dumps({"generation": generation, "files": self._entries}))
        temporary.replace(journal)
        for relative, action in self._entries:
            current = self.folder / relative
            backup = self._work / "old" / relative
            if relative in existing:
                backup.parent.mkdir(parents=True, exist_ok=True)
                current.rename(backup)
            if action == WRITE:
                current.parent.mkdir(parents=True, exist_ok=True)
                (self._work / "new" / relative).rename(current)
            if done:
                done(1)
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
        for relative, _ in record["files"]:
            _existing(folder, relative)  # no link on the way back either
        for relative, action in reversed(record["files"]):
            current, backup = folder / relative, work / "old" / relative
            if backup.exists():
                backup.replace(current)
            elif action == WRITE and not (work / "new" / relative).exists():
                current.unlink(missing_ok=True)  # it was new, and already moved in
    journal.unlink()
    _clear(work)


def replace_file(folder: Path, relative: str, produce: Callable[[Path], object]) -> None:
    """Put a new file at `relative` with one rename: `produce` writes it beside the folder.

    For a file made from what a commit left (the public index, from the committed index):
    readers see the old file or the new one. Nothing is left in the folder if `produce` or
    the process fails; the pending folder is cleared then or by the next build.
    """
    _existing(folder, relative)
    work = _pending(folder)
    _clear(work)
    new = work / "new" / relative
    new.parent.mkdir(parents=True)
    try:
        produce(new)
        new.replace(folder / relative)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _existing(folder: Path, relative: str) -> bool:
    """Whether `folder/relative` is a file; refused when the way to it is not real folders.

    Each component is looked at without following it: every folder on the way must be a
    folder and the last a regular file, or missing (it is then created, in real folders).
    """
    current = folder
    parts = PurePosixPath(relative).parts
    for number, part in enumerate(parts, start=1):
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            return False
        last = number == len(parts)
        if stat.S_ISLNK(mode):
            what = "a symlink: a build writes only real files and folders, never through a link"
        elif last and not stat.S_ISREG(mode):
            what = "not a regular file, where the build writes a file"
        elif not last and not stat.S_ISDIR(mode):
            what = "not a folder, where the build keeps files"
        else:
            continue
        raise UserError(
            f"{current} is {what}; remove it (or delete {folder}) and build again; nothing "
            "was written"
        )
    return True


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
