"""What a build remembers of its last run: `OUT/.scenariokit-build.sqlite`.

One row per source file: how it looked on disk (modification time, size, content hash),
its diagnostics, and for a scenario what the site's listings and search need of it (its
card and its search words), so a rebuild after a change reads and renders only the files
that changed. One row per listing page: a hash of what it was made of. And a few values:
the fingerprint of the tool and of the site's settings (a change to either rebuilds
everything), the git commit the dates were read at, and the generation, which counts
committed builds: the journal of an in-place rebuild is rolled back unless the state
holds its generation (see `journal`). And one row per file and folder the builds wrote into
the output folder, the state and the index included (`outputs`): the state is what tells
`folder` that a folder is a build's own to replace, so it says exactly what that
folder may hold, down to the last search file (see `entries` and `outputs`). A state of an
earlier version, which did not record them, vouches for nothing.

A rebuild attaches this database to the index and commits both in one SQLite transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from scenariokit.build.sqlite_index import unjournaled

STATE_FILE = ".scenariokit-build.sqlite"
# 2: the files and folders written are recorded (`outputs`); 3: each public scenario's
# entry in the API's summary is kept with its card
VERSION = 3
# The versions whose `outputs` vouch for their folder as this one's do: an output of one
# is a build's, which a full build replaces (after an upgrade, no folder to delete).
VOUCHING = (2, VERSION)

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
    updated_at TEXT
);
-- Apart, so that reading every file's row above reads little: a public scenario's card
-- (JSON: `pages.card`) and its entry in the API's summary (JSON: `pages.scenario_summary`),
-- needed when a listing may change, and its search words (JSON:
-- `search_files.scenario_weights`), needed when it changes.
CREATE TABLE cards (path TEXT PRIMARY KEY, card BLOB NOT NULL, summary BLOB NOT NULL);
CREATE TABLE words (path TEXT PRIMARY KEY, weights BLOB NOT NULL);
CREATE TABLE pages (path TEXT PRIMARY KEY, digest TEXT NOT NULL);
-- Every file and folder the builds wrote into the output folder (relative, posix), and
-- whether it is a folder: nothing else may be there when a full build replaces it.
CREATE TABLE outputs (path TEXT PRIMARY KEY, folder INTEGER NOT NULL) WITHOUT ROWID;
"""


class FileRow(NamedTuple):
    """A source file as the last build saw it. JSON columns stay bytes until needed.

    A tuple, in the order of the table's columns: a rebuild reads every file's row (made
    with `_make`, in C), and the builds save them as they are.
    """

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


@dataclass(slots=True)
class Published:
    """What the state keeps of a public scenario besides its file's row (JSON bytes)."""

    card: bytes
    weights: bytes
    summary: bytes


_COLUMNS = FileRow._fields


@cache
def _schema() -> frozenset[tuple[str, str]]:
    """What `DDL` creates (tables and their keys' indexes), as a state's schema must be."""
    connection = sqlite3.connect(":memory:")
    try:
        connection.executescript(DDL)
        return frozenset(connection.execute("SELECT type, name FROM sqlite_master"))
    finally:
        connection.close()


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


def _read_only(path: Path) -> sqlite3.Connection:
    """Open an existing database without writing to it (any character in its path)."""
    return sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)


def entries(path: Path, allowed: frozenset[str]) -> frozenset[str] | None:
    """The names of `allowed` that the state at `path` records at the top of its folder.

    None unless `path` is a state this version wrote (or one of `VOUCHING`), with exactly
    its tables: a file that is merely called like the state (an empty file, random bytes,
    another database, a state of version 1, which recorded nothing) is no proof that its
    folder is a build's output. Names the state records besides `allowed` are not
    returned, so they vouch for nothing.
    """
    marks = ", ".join("?" * len(allowed))
    query = f"SELECT path FROM outputs WHERE path IN ({marks})"
    rows = _verified_query(path, query, sorted(allowed))
    return None if rows is None else frozenset(name for (name,) in rows)


def outputs(path: Path) -> dict[str, bool] | None:
    """Every file and folder the state at `path` records in its folder: path -> is a folder.

    None unless it is a state this version wrote, or one of `VOUCHING` (as `entries`).
    """
    rows = _verified_query(path, "SELECT path, folder FROM outputs", [])
    return None if rows is None else {relative: bool(folder) for relative, folder in rows}


def _verified_query(path: Path, query: str, parameters: list[str]) -> list[Any] | None:
    """The rows of `query` on the state at `path`, or None unless a `VOUCHING` one wrote it."""
    try:
        connection = _read_only(path)
        try:
            schema = set(connection.execute("SELECT type, name FROM sqlite_master"))
            if schema != _schema():
                return None
            row = connection.execute("SELECT value FROM info WHERE key = 'version'").fetchone()
            if row not in [(str(version),) for version in VOUCHING]:
                return None
            return connection.execute(query, parameters).fetchall()
        finally:
            connection.close()
    except sqlite3.Error:
        return None


def record_outputs(
    connection: sqlite3.Connection, written: Iterable[str], removed: Iterable[str]
) -> None:
    """Record files a rebuild writes (and the folders they are in) and forget removed ones.

    Inside the caller's transaction, the state attached as `state`.
    """
    rows: dict[str, bool] = {}
    for relative in written:
        parts = PurePosixPath(relative).parts
        rows |= {"/".join(parts[:n]): True for n in range(1, len(parts))}
        rows[relative] = False
    connection.executemany(
        "INSERT OR REPLACE INTO state.outputs VALUES (?, ?)", sorted(rows.items())
    )
    connection.executemany(
        "DELETE FROM state.outputs WHERE path = ?", [(relative,) for relative in removed]
    )


def unrecorded(connection: sqlite3.Connection, paths: Iterable[str]) -> str | None:
    """The first of `paths` the state does not record as a file the build wrote, if any."""
    for relative in paths:
        row = connection.execute("SELECT folder FROM state.outputs WHERE path = ?", (relative,))
        if row.fetchone() != (0,):
            return relative
    return None


def read(path: Path) -> State | None:
    """The state at `path`, or None when there is none this version can read."""
    if not path.is_file():
        return None
    try:
        connection = _read_only(path)
        try:
            info = dict(connection.execute("SELECT key, value FROM info"))
            if info.get("version") != str(VERSION):
                return None
            rows = connection.execute(f"SELECT {', '.join(_COLUMNS)} FROM files")
            files = {row.path: row for row in map(FileRow._make, rows)}
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


def cards(connection: sqlite3.Connection, paths: list[str]) -> dict[str, bytes]:
    """The cards of some public scenarios.

    From an open connection with the state attached as `state`, as the other readers.
    """
    query = "SELECT path, card FROM state.cards WHERE path = ?"
    return {p: connection.execute(query, (p,)).fetchone()[1] for p in paths}


def listed(connection: sqlite3.Connection) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Every public scenario's card and entry in the API's summary, by path (as `cards`).

    What the listings are made of, read in one pass over the table.
    """
    cards: dict[str, bytes] = {}
    summaries: dict[str, bytes] = {}
    for path, card, summary in connection.execute("SELECT path, card, summary FROM state.cards"):
        cards[path] = card
        summaries[path] = summary
    return cards, summaries


def weights(connection: sqlite3.Connection, paths: Iterable[str]) -> dict[str, bytes]:
    """The search words of some public scenarios (as `cards`)."""
    found = {}
    for path in paths:
        row = connection.execute("SELECT weights FROM state.words WHERE path = ?", (path,))
        found[path] = row.fetchone()[0]
    return found


def create(
    path: Path,
    info: dict[str, str],
    files: list[FileRow],
    published: tuple[Iterable[tuple[str, bytes, bytes]], Iterable[tuple[str, bytes]]],
    pages: dict[str, str],
    written: dict[str, bool],
) -> None:
    """Write a new state at `path` (which must not exist).

    `published` are the public scenarios' cards with their summaries (path, JSON, JSON)
    and their words (path, JSON), read as they are inserted: a full build streams the
    summaries and the words from its workers' files rather than hold them all (the words
    are about 6.5 KB a scenario). `written` is every file and folder of
    the new output folder (is a folder), but the state itself, which is recorded too.
    """
    connection = sqlite3.connect(":memory:", isolation_level=None)
    try:
        connection.execute("ATTACH DATABASE ? AS state", (str(path),))
        unjournaled(connection, "state")
        connection.executescript(DDL.replace("CREATE TABLE ", "CREATE TABLE state."))
        connection.execute("BEGIN")
        save(connection, info | {"version": str(VERSION)}, files, {}, pages)
        _insert_published(connection, *published)
        rows = written | {path.name: False}
        connection.executemany("INSERT INTO state.outputs VALUES (?, ?)", sorted(rows.items()))
        connection.execute("COMMIT")
    finally:
        connection.close()


def save(
    connection: sqlite3.Connection,
    info: dict[str, str],
    files: list[FileRow],
    published: dict[str, Published],
    pages: dict[str, str],
) -> None:
    """Insert or replace rows, whole (inside the caller's transaction, state as `state`)."""
    connection.executemany("INSERT OR REPLACE INTO state.info VALUES (?, ?)", sorted(info.items()))
    marks = ", ".join("?" * len(_COLUMNS))
    connection.executemany(
        f"INSERT OR REPLACE INTO state.files VALUES ({marks})",
        files,
    )
    _insert_published(
        connection,
        [(path, p.card, p.summary) for path, p in published.items()],
        [(path, p.weights) for path, p in published.items()],
    )
    connection.executemany(
        "INSERT OR REPLACE INTO state.pages VALUES (?, ?)", sorted(pages.items())
    )


def _insert_published(
    connection: sqlite3.Connection,
    cards: Iterable[tuple[str, bytes, bytes]],
    words: Iterable[tuple[str, bytes]],
) -> None:
    connection.executemany("INSERT OR REPLACE INTO state.cards VALUES (?, ?, ?)", cards)
    connection.executemany("INSERT OR REPLACE INTO state.words VALUES (?, ?)", words)


def touch(connection: sqlite3.Connection, files: list[FileRow]) -> None:
    """Record new modification times and sizes of files whose content did not change."""
    connection.executemany(
        "UPDATE state.files SET mtime_ns = ?, size = ? WHERE path = ?",
        [(f.mtime_ns, f.size, f.path) for f in files],
    )
