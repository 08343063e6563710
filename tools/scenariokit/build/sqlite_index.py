"""The SQLite index: every scenario (drafts too), its phases, vocabulary and phrases.

For apps and for queries. List fields are stored as JSON text; booleans as 0/1. The
full-text table holds the searchable text normalised by `tokens` (so Japanese is found
inside a run of characters, and accents are optional), ranked with bm25. `PRAGMA
user_version` is the schema version below: an app checks it before reading.

A build's workers write their scenarios' rows into parts, which are merged in a fixed order
into a fresh database, so the same scenarios give a byte-identical file (SQLite lays out
the same inserts the same way; no VACUUM needed, which would rewrite the whole file once
more). A rebuild replaces the rows of the scenarios that changed (`replace_scenarios`).

What is published holds no draft: `write_public` makes a separate index of the public
scenarios alone, from nothing (see there).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from scenariokit.check.languages import takes_in
from scenariokit.entry_fields import Fields, phrase_fields, said_by_partner, vocabulary_fields
from scenariokit.errors import UserError
from scenariokit.website.tokens import fts_text

if TYPE_CHECKING:
    from scenariokit.models import Scenario

# 2: entries' `reading`; 3: a scenario's `cefr`, a phrase's `speaker`; 4: the full-text
# table reads its text from `scenarios` (`search_*`), as Datasette and sqlite-utils detect
SCHEMA_VERSION = 4

DDL = """
CREATE TABLE scenarios (
    scenario_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT,
    category TEXT NOT NULL,
    difficulty TEXT NOT NULL,
    cefr TEXT,                          -- A1 to C2, when the file gives it
    estimated_duration INTEGER NOT NULL,
    language TEXT NOT NULL,
    user_role TEXT NOT NULL,
    ai_role TEXT NOT NULL,
    setting TEXT NOT NULL,
    created_by TEXT NOT NULL,
    is_system_scenario INTEGER NOT NULL CHECK (is_system_scenario IN (0, 1)),
    is_public INTEGER NOT NULL CHECK (is_public IN (0, 1)),
    derived_from TEXT,
    prerequisites TEXT NOT NULL,        -- JSON list of strings
    learning_outcomes TEXT NOT NULL,    -- JSON list of strings
    vocabulary_focus TEXT NOT NULL,     -- JSON list of strings
    cultural_context TEXT,
    source_path TEXT NOT NULL UNIQUE,
    phase_count INTEGER NOT NULL,
    created_at TEXT,                    -- ISO 8601 UTC, from git; NULL outside git
    updated_at TEXT,
    -- What full-text search reads (scenarios_fts): the text normalised by `tokens`.
    search_title TEXT NOT NULL,
    search_description TEXT NOT NULL,
    search_vocabulary TEXT NOT NULL,    -- words, readings and translations
    search_phrases TEXT NOT NULL
);
CREATE TABLE scenario_phases (
    scenario_id TEXT NOT NULL REFERENCES scenarios (scenario_id) ON DELETE CASCADE,
    phase_number INTEGER NOT NULL,      -- 1, 2, … : the phase's position
    phase_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    expected_duration_minutes INTEGER,
    key_vocabulary TEXT NOT NULL,       -- JSON list, as in the file
    essential_phrases TEXT NOT NULL,    -- JSON list, as in the file
    learning_objectives TEXT NOT NULL,  -- JSON list of strings
    success_criteria TEXT NOT NULL,     -- JSON list of strings
    cultural_notes TEXT,
    PRIMARY KEY (scenario_id, phase_number),
    UNIQUE (scenario_id, phase_id)
);
CREATE TABLE vocabulary (
    scenario_id TEXT NOT NULL,
    phase_number INTEGER NOT NULL,
    position INTEGER NOT NULL,
    term TEXT NOT NULL,
    translation TEXT,
    note TEXT,
    reading TEXT,
    PRIMARY KEY (scenario_id, phase_number, position),
    FOREIGN KEY (scenario_id, phase_number)
        REFERENCES scenario_phases (scenario_id, phase_number) ON DELETE CASCADE
);
CREATE TABLE phrases (
    scenario_id TEXT NOT NULL,
    phase_number INTEGER NOT NULL,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    translation TEXT,
    note TEXT,
    reading TEXT,
    speaker TEXT NOT NULL CHECK (speaker IN ('learner', 'partner')),
    PRIMARY KEY (scenario_id, phase_number, position),
    FOREIGN KEY (scenario_id, phase_number)
        REFERENCES scenario_phases (scenario_id, phase_number) ON DELETE CASCADE
);
CREATE VIRTUAL TABLE scenarios_fts USING fts5 (
    search_title, search_description, search_vocabulary, search_phrases,
    content="scenarios", tokenize = 'unicode61 remove_diacritics 2'
);
"""

# Created after the rows are in: building an index once is faster than keeping it sorted
# through every insert.
INDEXES = """
CREATE INDEX scenarios_category ON scenarios (category);
CREATE INDEX scenarios_difficulty ON scenarios (difficulty);
CREATE INDEX scenarios_language ON scenarios (language);
CREATE INDEX scenarios_created_by ON scenarios (created_by);
CREATE INDEX scenarios_is_public ON scenarios (is_public);
CREATE INDEX vocabulary_term ON vocabulary (term);
"""

_LISTS = ("prerequisites", "learning_outcomes", "vocabulary_focus")
# Tables whose rows carry their rowid first: a scenario and its full-text row share it.
_NUMBERED = ("scenarios",)
# The tables whose rows a build writes; the full-text table indexes the `search_*` columns
# of `scenarios` (an external-content table, `_index_text`), holding no copy of them.
_TABLES = ("scenarios", "scenario_phases", "vocabulary", "phrases")
_FULL_TEXT = "scenarios_fts"


@cache
def _part_ddl() -> str:
    """The tables of a part: the index's columns, without keys, constraints or full text.

    The merge inserts the rows into the real tables, which check them (and tokenize the
    full text) once; a part only carries them, so its inserts keep no index up to date.
    """
    connection = sqlite3.connect(":memory:")
    try:
        connection.executescript(DDL)
        tables = {
            table: ", ".join(r[1] for r in connection.execute(f"PRAGMA table_info({table})"))
            for table in _TABLES
        }
    finally:
        connection.close()
    return "".join(f"CREATE TABLE {table} ({columns});" for table, columns in tables.items())


@dataclass(frozen=True, slots=True)
class IndexedScenario:
    """What the index stores of one scenario besides its data."""

    data: Scenario
    source_path: str
    created_at: str | None
    updated_at: str | None
    search_text: tuple[str, ...]  # `search_columns(data)`, computed once per file


def search_columns(doc: Scenario) -> tuple[str, str, str, str]:
    """The full-text columns of a scenario: title, description, vocabulary, phrases."""
    phases = doc["phases"]
    vocabulary = [vocabulary_fields(e) for p in phases for e in p["key_vocabulary"]]
    phrases = [phrase_fields(e) for p in phases for e in p["essential_phrases"]]
    return (
        fts_text(doc["title"]),
        fts_text(doc.get("description", "")),
        fts_text(*_searched(vocabulary)),
        fts_text(*_searched(phrases)),
    )


def _searched(entries: list[Fields]) -> Iterator[str]:
    """What full-text search finds an entry by: its words, reading and translation."""
    for text, translation, _, reading in entries:
        yield from (t for t in (text, reading, translation) if t)


def write_part(path: Path, scenarios: Sequence[IndexedScenario], rowids: Sequence[int]) -> None:
    """Write the rows of some scenarios into a new file, for `merge_parts` to gather.

    Build workers each write the scenarios they parsed, so the rows never travel between
    processes. The full-text rows are kept as plain text here: they are tokenized once,
    when merged.
    """
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        unjournaled(connection)
        connection.executescript(_part_ddl())
        connection.execute("BEGIN")
        _insert(connection, _rows(scenarios, rowids))
        connection.execute("COMMIT")
    finally:
        connection.close()


def merge_parts(path: Path, parts: Sequence[Path]) -> None:
    """Create the index at `path` (which must not exist) from `write_part` files.

    Rows are copied part after part, in order, and each part's in the order written: the
    same parts give a byte-identical file. A scenario's number (its rowid, shared with its
    full-text row) is its place in id order, drafts included.
    """
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        unjournaled(connection)
        connection.executescript(DDL)  # runs in a transaction of its own
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        for part in parts:
            connection.execute("ATTACH DATABASE ? AS part", (str(part),))
            connection.execute("BEGIN")
            for table in _TABLES:
                columns = _columns(connection, table)
                listed = ",".join(columns)
                connection.execute(
                    f"INSERT INTO main.{table} ({listed}) SELECT {listed} FROM part.{table}"
                )
            connection.execute("COMMIT")
            connection.execute("DETACH DATABASE part")
        connection.execute("BEGIN")
        _index_text(connection)
        for statement in filter(str.strip, INDEXES.split(";")):
            connection.execute(statement)
        connection.execute("COMMIT")
    finally:
        connection.close()


def _index_text(connection: sqlite3.Connection) -> None:
    """Index the full text of every scenario, once its rows are all in (in rowid order).

    `scenarios_fts` is an external-content table over `scenarios` (`content="scenarios"`):
    the way Datasette and sqlite-utils find a table's full-text index, so that
    `?_search=` on `scenarios` works with no configuration, and the text is stored once.
    Kept in step by hand: `replace_scenarios` deletes a scenario's entry while its old
    row is still there to read.
    """
    connection.execute(f"INSERT INTO {_FULL_TEXT} ({_FULL_TEXT}) VALUES ('rebuild')")


def write_public(source: Path, path: Path, templates: Iterable[str]) -> None:
    """Write at `path` an index of the public scenarios of the index at `source`, alone.

    For publishing: the full index holds drafts. Deleting their rows from a copy would leave
    their bytes behind, in free pages and in the full-text table's segments, so the copy is
    a new file into which only public rows are ever written (in rowid and key order: the
    same index gives the same bytes), each scenario numbered as an index of the public
    scenarios alone would number it. Written beside `path` and renamed over it, so a
    reader never sees half a file. A public scenario's `derived_from` is kept only when it
    names another scenario of this index or one of `templates` (the ids of the templates,
    which the site publishes), as the API keeps it (see `_PUBLISHED_VALUES`).
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    connection = sqlite3.connect(temporary.absolute().as_uri(), uri=True, isolation_level=None)
    try:
        unjournaled(connection)
        connection.executescript(DDL)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute(
            "ATTACH DATABASE ? AS source", (f"{source.absolute().as_uri()}?mode=ro",)
        )
        connection.execute("CREATE TEMPORARY TABLE templates (id TEXT PRIMARY KEY)")
        connection.executemany("INSERT INTO temp.templates VALUES (?)", [(t,) for t in templates])
        connection.execute("BEGIN")
        for table, where, order in _PUBLIC_ROWS:
            # Numbered anew, in the same order: the full index's numbers count the drafts,
            # and their gaps told where a draft's id sorts.
            columns = [c for c in _columns(connection, table) if c != "rowid"]
            values = ",".join(_PUBLISHED_VALUES.get((table, c), c) for c in columns)
            connection.execute(
                f"INSERT INTO main.{table} ({','.join(columns)}) SELECT {values} "
                f"FROM source.{table} WHERE {where} ORDER BY {order}"
            )
        _index_text(connection)
        for statement in filter(str.strip, INDEXES.split(";")):
            connection.execute(statement)
        connection.execute("COMMIT")
    except BaseException:
        connection.close()
        temporary.unlink(missing_ok=True)
        raise
    connection.close()
    temporary.replace(path)


def is_index(path: Path) -> bool:
    """Whether `path` is a regular file holding an index of this schema version."""
    if path.is_symlink() or not path.is_file():
        return False
    try:
        connection = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
        try:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
        finally:
            connection.close()
    except sqlite3.Error:
        return False
    return version == SCHEMA_VERSION and {*_TABLES, _FULL_TEXT} <= tables


# Which rows of each table `write_public` copies, and in which order: the scenarios first,
# then whatever belongs to one of them.
_PUBLISHED = "scenario_id IN (SELECT scenario_id FROM main.scenarios)"
_PUBLIC_ROWS = (
    ("scenarios", "is_public = 1", "rowid"),
    ("scenario_phases", _PUBLISHED, "scenario_id, phase_number"),
    ("vocabulary", _PUBLISHED, "scenario_id, phase_number, position"),
    ("phrases", _PUBLISHED, "scenario_id, phase_number, position"),
)


# Columns whose published value differs from the full index's. `derived_from` naming a
# draft would publish the draft's id, so it stays only when it names a public scenario or
# a template, as in the API (`pages.published_source`); one naming nothing is NULL too.
_PUBLISHED_VALUES = {
    ("scenarios", "derived_from"): (
        "CASE WHEN derived_from IN (SELECT scenario_id FROM source.scenarios "
        "WHERE is_public = 1) OR derived_from IN (SELECT id FROM temp.templates) "
        "THEN derived_from END"
    ),
}


def unjournaled(connection: sqlite3.Connection, schema: str = "main") -> None:
    """No rollback journal and no waits for the disk: for a new file in a staging folder.

    A build writes its index (and its parts) where nothing reads them until the folder is
    swapped in, and a failed build deletes the folder: a journal would guard nothing, and
    forcing each commit to disk made the workers wait on the disk for every chunk they
    wrote. The site's other files are not forced to disk either.
    """
    connection.execute(f"PRAGMA {schema}.journal_mode = OFF")
    connection.execute(f"PRAGMA {schema}.synchronous = OFF")


def replace_scenarios(connection: sqlite3.Connection, scenarios: list[IndexedScenario]) -> None:
    """Put these scenarios' rows in place of their previous ones in an open index.

    Runs inside the caller's transaction, with foreign keys on (the phases, vocabulary and
    phrases go with their scenario). Each scenario keeps its rowid, so the rows equal those
    of a full build; the file's bytes may not (SQLite places rows where there is room).
    """
    rowids = []
    for scenario in scenarios:
        (rowid,) = connection.execute(
            "SELECT rowid FROM scenarios WHERE scenario_id = ?", (scenario.data["scenario_id"],)
        ).fetchone()
        # The full-text entry first: the index reads the words to take out of it from the
        # scenario's row, which must still be the one it indexed.
        connection.execute(f"DELETE FROM {_FULL_TEXT} WHERE rowid = ?", (rowid,))
        connection.execute("DELETE FROM scenarios WHERE rowid = ?", (rowid,))
        rowids.append(rowid)
    _insert(connection, _rows(scenarios, rowids))
    columns = ", ".join(_columns(connection, _FULL_TEXT))
    for rowid in rowids:
        connection.execute(
            f"INSERT INTO {_FULL_TEXT} (rowid, {columns}) SELECT rowid, {columns} "
            "FROM scenarios WHERE rowid = ?",
            (rowid,),
        )


def _rows(
    scenarios: Sequence[IndexedScenario], rowids: Iterable[int]
) -> dict[str, list[tuple[Any, ...]]]:
    rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in _TABLES}
    for scenario, rowid in zip(scenarios, rowids, strict=True):
        _collect(rows, scenario, rowid)
    return rows


def _columns(connection: sqlite3.Connection, table: str) -> list[str]:
    """A table's columns, with the rowid first where it is a scenario's number."""
    columns = [r[1] for r in connection.execute(f"PRAGMA main.table_info({table})")]
    return ["rowid", *columns] if table in _NUMBERED else columns


def _insert(connection: sqlite3.Connection, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    for table, table_rows in rows.items():
        if not table_rows:
            continue
        columns = _columns(connection, table)
        marks = ",".join("?" * len(columns))
        connection.executemany(
            f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", table_rows
        )


def _collect(rows: dict[str, list[tuple[Any, ...]]], scenario: IndexedScenario, rowid: int) -> None:
    doc = scenario.data
    scenario_id = doc["scenario_id"]
    rows["scenarios"].append(
        (
            rowid,
            scenario_id,
            doc["title"],
            doc.get("description"),
            doc["category"],
            doc["difficulty"],
            doc.get("cefr"),
            doc["estimated_duration"],
            doc["language"],
            doc["user_role"],
            doc["ai_role"],
            doc["setting"],
            doc["created_by"],
            int(doc.get("is_system_scenario", False)),
            int(doc.get("is_public", True)),
            doc.get("derived_from"),
            *(_json(doc.get(key, [])) for key in _LISTS),
            doc.get("cultural_context"),
            scenario.source_path,
            len(doc["phases"]),
            scenario.created_at,
            scenario.updated_at,
            *scenario.search_text,
        )
    )
    for number, phase in enumerate(doc["phases"], start=1):
        rows["scenario_phases"].append(
            (
                scenario_id,
                number,
                phase["phase_id"],
                phase["name"],
                phase.get("description"),
                phase.get("expected_duration_minutes"),
                _json(phase["key_vocabulary"]),
                _json(phase["essential_phrases"]),
                _json(phase["learning_objectives"]),
                _json(phase.get("success_criteria", [])),
                phase.get("cultural_notes"),
            )
        )
        rows["vocabulary"] += [
            (scenario_id, number, i, *vocabulary_fields(e))
            for i, e in enumerate(phase["key_vocabulary"], start=1)
        ]
        rows["phrases"] += [
            (
                scenario_id,
                number,
                i,
                *phrase_fields(e),
                "partner" if said_by_partner(e) else "learner",
            )
            for i, e in enumerate(phase["essential_phrases"], start=1)
        ]


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One result of `search`."""

    scenario_id: str
    title: str
    language: str
    difficulty: str
    category: str
    is_public: bool


def search(
    path: Path,
    query: str,
    *,
    language: str | None = None,
    category: str | None = None,
    limit: int = 20,
) -> list[SearchHit]:
    """Scenarios matching every word of `query`, best first (title weighs most)."""
    words = [f'"{term}"*' for term in fts_text(query).split()]
    if not words:
        return []
    sql = (
        "SELECT s.scenario_id, s.title, s.language, s.difficulty, s.category, s.is_public "
        "FROM scenarios_fts JOIN scenarios AS s ON s.rowid = scenarios_fts.rowid "
        "WHERE scenarios_fts MATCH ? "
    )
    parameters: list[Any] = [" ".join(words)]
    if language:  # the language or, for a language alone, its regional variants too
        sql += "AND takes_in(?, s.language) "
        parameters.append(language)
    if category:
        sql += "AND s.category = ? "
        parameters.append(category)
    sql += "ORDER BY bm25(scenarios_fts, 10.0, 3.0, 4.0, 1.0), s.scenario_id LIMIT ?"
    parameters.append(limit)
    stale = f"{path} is not an index this version of scenarios reads: run `scenarios build`"
    try:
        connection = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
        try:
            if connection.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                raise UserError(stale)
            connection.create_function("takes_in", 2, takes_in, deterministic=True)
            rows = connection.execute(sql, parameters).fetchall()
        finally:
            connection.close()
    except sqlite3.Error as exc:  # not SQLite, damaged, or another program's database
        raise UserError(f"{stale} ({exc})") from None
    return [SearchHit(r[0], r[1], r[2], r[3], r[4], bool(r[5])) for r in rows]
