"""What a build remembers of its last run: `OUT/.scenariokit-build.sqlite`.

One row per source file: how it looked on disk (modification time, size, content hash),
its diagnostics, and for a scenario what the site's listings and search need of it (its
card and its search words), so a rebuild after a change reads and renders only the files
that changed. One row per listing page: a hash of what it was made of. And a few values:
the fingerprint of the tool and of the site's settings (a change to either rebuilds
everything), the git commit the dates were read at, and the generation, which counts
committed builds: the journal of an in-place rebuild is rolled back unless the state
holds its generation (see `journal`).

A rebuild attaches this database to the index and commits both in one SQLite transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import astuple, dataclass, fields
from pathlib import Path

STATE_FILE = ".scenariokit-build.sqlite"
VERSION = 1

DDL = """
CREATE TABLE info (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE files (
    path TEXT PRIMARY KEY,      -- relative to the repository, posix
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    sha TEXT NOT NULL,
    diagnostics BLOB,           -- JSON list, paths left out; NULL when there are none
    scenario_id TEXT,
    is_public INTEGER,          -- the columns from here on are NULL for a template
    language TEXT,
    phase_count INTEGER,
    created_at TEXT,
    updated_at TEXT,
    card BLOB,                  -- JSON: `website.card`
    weights BLOB                -- JSON: `search_index.scenario_weights`
);
CREATE TABLE pages (path TEXT PRIMARY KEY, digest TEXT NOT NULL);
"""


@dataclass(slots=True)
class FileRow:
    """A source file as the last build saw it. JSON columns stay bytes until needed."""

    path: str
    mtime_ns: int
    size: int
    sha: str
    diagnostics: bytes | None = None
    scenario_id: str | None = None
    is_public: bool | None = None
    language: str | None = None
    phase_count: int | None = None
    created_at: str | None = None
    updated_at: str | None = None
    card: bytes | None = None
    weights: bytes | None = None


_COLUMNS = [f.name for f in fields(FileRow)]


@dataclass(slots=True)
class State:
    """The last build's memory, read whole but for the search words."""

    info: dict[str, str]
    files: dict[str, FileRow]
    pages: dict[str, str]

    @property
    def generation(self) -> int:
        """How many builds have been committed to this output."""
        return int(self.info.get("generation", "0"))


def read(path: Path) -> State | None:
    """The state at `path`, or None when there is none this version can read."""
    if not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            info = dict(connection.execute("SELECT key, value FROM info"))
            if info.get("version") != str(VERSION):
                return None
            columns = ", ".join(c if c != "weights" else "NULL" for c in _COLUMNS)
            files = {
                row[0]: FileRow(*row) for row in connection.execute(f"SELECT {columns} FROM files")
            }
            pages = dict(connection.execute("SELECT path, digest FROM pages"))
        finally:
            connection.close()
    except sqlite3.Error:
        return None
    return State(info, files, pages)


def committed(path: Path, generation: int) -> bool:
    """Whether the state at `path` holds `generation`.

    Opening the database first finishes (or rolls back) its own interrupted transaction.
    """
    try:
        connection = sqlite3.connect(path)
        try:
            row = connection.execute("SELECT value FROM info WHERE key = 'generation'").fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return False
    return row is not None and int(row[0]) >= generation


def weights(connection: sqlite3.Connection, paths: Iterable[str]) -> dict[str, bytes]:
    """The search words of some files, from an open connection with the state as `state`."""
    found = {}
    for path in paths:
        row = connection.execute("SELECT weights FROM state.files WHERE path = ?", (path,))
        found[path] = row.fetchone()[0]
    return found


def create(path: Path, info: dict[str, str], files: list[FileRow], pages: dict[str, str]) -> None:
    """Write a new state at `path` (which must not exist)."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = OFF")
        connection.executescript(DDL)
        connection.execute("BEGIN")
        save(connection, info | {"version": str(VERSION)}, files, pages, schema="main")
        connection.execute("COMMIT")
    finally:
        connection.close()


def save(
    connection: sqlite3.Connection,
    info: dict[str, str],
    files: list[FileRow],
    pages: dict[str, str],
    *,
    schema: str = "state",
) -> None:
    """Insert or replace rows, whole (inside the caller's transaction)."""
    connection.executemany(
        f"INSERT OR REPLACE INTO {schema}.info VALUES (?, ?)", sorted(info.items())
    )
    marks = ", ".join("?" * len(_COLUMNS))
    connection.executemany(
        f"INSERT OR REPLACE INTO {schema}.files VALUES ({marks})", [astuple(f) for f in files]
    )
    connection.executemany(
        f"INSERT OR REPLACE INTO {schema}.pages VALUES (?, ?)", sorted(pages.items())
    )


def touch(connection: sqlite3.Connection, files: list[FileRow]) -> None:
    """Record new modification times and sizes of files whose content did not change."""
    connection.executemany(
        "UPDATE state.files SET mtime_ns = ?, size = ? WHERE path = ?",
        [(f.mtime_ns, f.size, f.path) for f in files],
    )
