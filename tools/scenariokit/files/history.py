"""When each file was created and last changed, read from git history in one pass.

One `git log` over the whole repository, newest commit first, gives every file's dates
(following renames), instead of one git call per file. Outside a git checkout, or for a
file git does not know yet, there are no dates: the build still works and writes NULL.
Dates are the commits' committer dates, in UTC, so the same history gives the same build.

History is read along the checked-out branch's first parents, a merge counting as the
change it brought: a file's dates are when it reached this branch, not when a
contributor committed it on theirs. A pull request committed on Monday and merged on
Friday over Wednesday's change to the same file updated the file on Friday: Anki, which
updates a learner's note only from a newer one, needs that (`website/decks.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scenariokit.files.git import git_output

_COMMIT = "\x1e"  # starts each commit's record in the log output


@dataclass(frozen=True, slots=True)
class FileDates:
    """A file's first and latest commit dates, as ISO 8601 UTC strings."""

    created_at: str
    updated_at: str


def file_dates(
    root: Path, folders: tuple[str, ...] = ("scenarios", "templates")
) -> dict[str, FileDates]:
    """Dates per path relative to `root` (posix), for every file git knows in `folders`."""
    log = git_output(
        root,
        *("log", "--format=" + _COMMIT + "%ct", "--name-status", "-M", "--no-color"),
        *("--first-parent", "--diff-merges=first-parent"),
        *("--", *folders),
        timeout=120,
    )
    return _parse_log(log) if log is not None else {}  # None: not a checkout, or no commits


def head(root: Path) -> str | None:
    """The commit checked out at `root` (what `file_dates` depends on), or None outside git."""
    commit = git_output(root, "rev-parse", "--verify", "--quiet", "HEAD")
    return commit.strip() or None if commit else None


def _parse_log(log: str) -> dict[str, FileDates]:
    """Walk commits newest first; a rename passes the older history on to the new name."""
    newest: dict[str, str] = {}
    oldest: dict[str, str] = {}
    current_name: dict[str, str] = {}  # a path in an older commit → its name today
    for record in log.split(_COMMIT)[1:]:
        lines = [line for line in record.splitlines() if line]
        when = _iso(int(lines[0]))
        for line in lines[1:]:
            status, *paths = line.split("\t")
            if status.startswith("R") and len(paths) == 2:
                old, new = paths
                today = current_name.get(new, new)
                current_name[old] = today
                _record(today, when, newest, oldest)
            elif paths:
                _record(current_name.get(paths[0], paths[0]), when, newest, oldest)
    return {path: FileDates(oldest[path], newest[path]) for path in newest}


def _record(path: str, when: str, newest: dict[str, str], oldest: dict[str, str]) -> None:
    newest.setdefault(path, when)
    oldest[path] = when


def _iso(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
