"""A rebuild in place: only what changed, moved in under a journal, committed at once."""

from __future__ import annotations

import bisect
import contextlib
import operator
import os
import sqlite3
import stat
import struct
import zipfile
from collections import defaultdict
from functools import partial
from pathlib import Path

import orjson

from scenariokit.build import journal
from scenariokit.build import state as build_state
from scenariokit.build.decks import (
    deck_of,
    kept_collection,
    kept_token,
    recorded_tokens,
    seal,
    tokens_recorded,
)
from scenariokit.build.folder import (
    INDEX_FILE,
    SITE_DIR,
    recover,
)
from scenariokit.build.outputs import (
    BuildResult,
    Damaged,
    Links,
    Progress,
    content_sha,
    dates_of,
    listing_files,
    published_of,
    scenario_output,
    state_row,
    stop_on_errors,
    stored_diagnostics,
    word_files_to_write,
)
from scenariokit.build.settings import context_fingerprint
from scenariokit.build.sources import (
    Derived,
    SourceFile,
    derive,
    report,
)
from scenariokit.build.sqlite_index import (
    IndexedScenario,
    is_index,
    replace_scenarios,
    write_public,
)
from scenariokit.build.state import STATE_FILE, FileRow
from scenariokit.check.languages import language_facts, remember_language_facts
from scenariokit.errors import UserError
from scenariokit.files.history import file_dates, head
from scenariokit.files.repository import TEMPLATES_DIR, read_catalog
from scenariokit.parallel import Background
from scenariokit.website.decks import (
    ScenarioDeck,
    language_deck_file,
    patched_package,
    remember_empty_collection,
    scenario_deck_file,
    scenario_package,
)
from scenariokit.website.pages import (
    SiteContext,
    SiteScenario,
    listing_folder,
    load_templates,
)
from scenariokit.website.search_files import card_files


def rebuild(
    root: Path,
    out: Path,
    context: SiteContext,
    files: list[SourceFile],
    previous: build_state.State,
    progress: Progress | None,
    public_index: str | None,
) -> BuildResult | None:
    """Update the output for the files that changed; None when a full build is needed.

    Also when the output is not as the last build left it, as far as the rebuild relies on
    it: the index (`_index_intact`, and whatever SQLite finds as the rebuild writes it)
    and the search files it patches. The public index inside the output, if asked for, is
    replaced after the commit, from the committed index; one the last build wrote there
    and this one is not asked for is removed with the changes.
    """
    rows = previous.files
    if len(rows) != len(files):
        return None  # a file was added or removed
    if not _index_intact(out / INDEX_FILE):
        return None
    remember_language_facts(orjson.loads(previous.info.get("languages") or "{}"))
    remember_empty_collection(previous.info.get("empty_collection"))
    commit = head(root) or ""
    dates = file_dates(root) if commit != previous.info.get("head") else None
    touched, stale = [], []
    for file in files:
        row = rows.get(file.key)
        if row is None:
            return None  # a file was added, removed or renamed
        moved = (file.mtime_ns, file.size) != (row.mtime_ns, row.size)
        if moved and content_sha(file) != row.sha:
            stale.append(file)
        elif (
            dates is not None
            and row.is_public is not None
            and dates_of(file.key, dates) != (row.created_at, row.updated_at)
        ):
            stale.append(file)  # committed since: its dates, even if its bytes are the same
        elif moved:  # rewritten as it was (an editor, a formatter): only its time is new
            touched.append(row._replace(mtime_ns=file.mtime_ns, size=file.size))
    if any(f.is_template for f in stale):
        return None
    result = BuildResult(out, parsed=len(stale), templates={f.stem for f in files if f.is_template})
    # The other files' diagnostics are as the last build left them: theirs depend on the
    # catalog only through the files' names, which are the same (or this is a full build).
    done = progress("Reading", len(stale)) if progress and stale else None
    fresh = derive(stale, read_catalog(root, (f.name for f in files)), done) if stale else []
    derived = dict(zip((f.key for f in stale), fresh, strict=True))
    stop_on_errors(
        report(
            files,
            [
                derived[f.key].diagnostics if f.key in derived else stored_diagnostics(rows[f.key])
                for f in files
            ],
        ),
        result,
    )
    changed: list[tuple[SiteScenario, Derived, FileRow]] = []
    for file in stale:
        record, row = derived[file.key], rows[file.key]
        assert record.data is not None  # validated above: a file without errors has its data
        old_dates = (row.created_at, row.updated_at)
        entry = SiteScenario(
            record.data, file.key, *(old_dates if dates is None else dates_of(file.key, dates))
        )
        new = state_row(file, record, entry, context)
        if (new.is_public, new.language) != (row.is_public, row.language):
            return None  # the scenario moves to or from other listings
        changed.append((entry, record, new))
    scenarios = sorted((r for r in rows.values() if r.is_public is not None), key=_scenario_id)
    result.scenarios = len(scenarios)
    updates = {new.path: new for _, _, new in changed}
    public = [updates.get(r.path, r) for r in scenarios if r.is_public]
    result.public = len(public)
    if context_fingerprint(context) != previous.info.get("context"):
        return None
    info = {
        "head": commit,
        "generation": str(previous.generation + 1),
        "languages": orjson.dumps(language_facts()).decode(),
        "public_index": public_index or "",
    }
    last_public = previous.info.get("public_index") or None
    try:
        if changed or public_index != last_public:
            _update_in_place(
                out, context, previous, public, changed, touched, info, last_public, progress
            )
        elif touched or commit != previous.info.get("head"):
            _remember(out, touched, info)
    except (Damaged, sqlite3.DatabaseError):
        return None  # rolled back: build everything anew
    if public_index:
        journal.replace_file(
            out, public_index, lambda path: write_public(out / INDEX_FILE, path, result.templates)
        )
    result.rendered = sum(1 for _, _, new in changed if new.is_public)
    result.reused = result.public - result.rendered
    return result


_scenario_id = operator.attrgetter("scenario_id")  # a scenario's row has one


def _number(public: list[FileRow], scenario_id: str) -> int:
    """A public scenario's number, its place in `public` (in id order), found by bisection.

    A rebuild needs the numbers of the few scenarios it changed: a dictionary of every
    id took 20 ms at 100,000 scenarios.
    """
    n = bisect.bisect_left(public, scenario_id, key=_scenario_id)
    if n == len(public) or public[n].scenario_id != scenario_id:
        raise KeyError(scenario_id)
    return n


def _update_in_place(
    out: Path,
    context: SiteContext,
    previous: build_state.State,
    public: list[FileRow],
    changed: list[tuple[SiteScenario, Derived, FileRow]],
    touched: list[FileRow],
    info: dict[str, str],
    last_public: str | None,
    progress: Progress | None,
) -> None:
    """Write the changed files under a journal; commit with the index and the state.

    The listings, the API's summary and the search's summary files are rewritten only when
    a card (or a phase count or date the summary shows) changed: otherwise they stay as
    they are, unread. Only files the state records are overwritten or removed (the state
    records the new ones, and `info["public_index"]`); `last_public`, the public index the
    last build wrote inside the output, is removed unless asked for again.
    """
    changes = journal.Changes(out)
    aside: Background | None = None
    connection = sqlite3.connect(
        f"{(out / INDEX_FILE).absolute().as_uri()}?mode=rw", uri=True, isolation_level=None
    )
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("ATTACH DATABASE ? AS state", (str(out / STATE_FILE),))
        # Journaled (a killed rebuild rolls back) but not forced to disk, as no other file of
        # the output is: waiting on the disk for the commit was about 0.4 s of a rebuild.
        for schema in ("main", "state"):
            connection.execute(f"PRAGMA {schema}.synchronous = OFF")
        connection.execute("BEGIN")
        shown = [(e, d, new) for e, d, new in changed if new.is_public]
        published = {new.path: published_of(e, d) for e, d, new in shown}
        old_weights = build_state.weights(connection, published)
        # The pages and the Anki packages are made in a process of their own while this
        # one makes the search's and listings' files (a language's package is patched,
        # zipped again and compared with the last one): a title's rebuild at 100,000
        # scenarios went from 5.9 to 5.1 s. Forked with its arguments (thousands of rows:
        # inherited, not sent), and with the templates both processes render, which each
        # loaded on its own.
        load_templates("scenario.html", "listing.html")
        # Every changed scenario must have its row (its notes are numbered from it).
        rowids = _rowids(connection, changed)
        work = (changes.part(), context, shown, public, previous, rowids)
        aside = Background(partial(_pages_and_decks, *work), worth_it=bool(shown))
        aside.start()
        number = partial(_number, public)
        words = {
            number(e.scenario_id): (
                orjson.loads(old_weights[new.path]),
                orjson.loads(published[new.path].weights),
            )
            for e, _, new in shown
        }
        site_words = word_files_to_write(out / SITE_DIR, words, len(public))
        site_words.update(
            card_files(
                (number(e.scenario_id), orjson.loads(published[new.path].card))
                for e, _, new in shown
            )
        )
        for relative, content in site_words.items():
            if content is None:
                changes.remove(f"site/{relative}")
            else:
                changes.write(f"site/{relative}", content)
        digests: dict[str, str] = {}
        old_cards = build_state.cards(connection, list(published))
        if _listed_differently(shown, published, old_cards, previous):
            # Every card, only now: at 100,000 scenarios they take half a second to load.
            new_cards = {p: v.card for p, v in published.items()}
            stored, summaries = build_state.listed(connection)
            stored |= new_cards
            summaries |= {p: v.summary for p, v in published.items()}
            cards = [orjson.loads(stored[r.path]) for r in public]
            # Only the listings the changed scenarios were or are in: the others' pages
            # are as they were, and computing their digests was a tenth of the rebuild.
            listings = {
                listing_folder(field, card[field])
                for made in (old_cards, new_cards)
                for card in map(orjson.loads, made.values())
                for field in ("category", "language")
            }
            digests, listed = listing_files(
                context, cards, [summaries[r.path] for r in public], previous.pages, listings
            )
            made_before = {
                relative
                for relative in previous.pages
                if relative in digests or relative.startswith(tuple(listings))
            }
            if digests.keys() != made_before:
                # A listing gained or lost a page (a scenario moved to another topic): its
                # folder goes too, which only a new output does cleanly.
                raise Damaged("the listings' pages are not the last build's")
            for relative, content in listed:
                changes.write(f"site/{relative}", content)
        part, tokens = aside.join()
        changes.merge(part)
        info["collections"] = recorded_tokens(tokens)
        public_index = info["public_index"] or None
        dropped = [last_public] if last_public and last_public != public_index else []
        for relative in dropped:
            changes.remove(relative)
        _refuse_unrecorded_files(out, connection, changes.replaced)
        replace_scenarios(
            connection,
            [
                IndexedScenario(e.data, e.source_path, e.created_at, e.updated_at, d.search_text)
                for e, d, _ in changed
            ],
        )
        build_state.save(connection, info, [new for _, _, new in changed], published, digests)
        build_state.touch(connection, touched)
        build_state.record_outputs(
            connection,
            [*changes.written, *([public_index] if public_index else [])],
            [*changes.removed, *dropped],
        )
        changes.apply(
            int(info["generation"]),
            commit=lambda: connection.execute("COMMIT"),
            done=progress("Moving", len(changes)) if progress else None,
        )
    except BaseException:
        if aside is not None:
            aside.cancel()  # before its files are cleared away
        with contextlib.suppress(sqlite3.Error):
            if connection.in_transaction:
                connection.execute("ROLLBACK")
        connection.close()
        recover(out)  # puts back whatever was moved
        raise
    connection.close()


def _index_intact(path: Path) -> bool:
    """Whether the output's index is whole enough for a rebuild to update it in place.

    A regular file, as long as its header says (a file cut short is caught here), holding
    an index of this version (`is_index`: a deleted, emptied or overwritten one is not).
    Reading every page (`PRAGMA quick_check`) would take about as long as the whole
    rebuild: damage further in is met as a `sqlite3.DatabaseError` when
    the rebuild reads or writes there, which rolls it back and builds anew.
    """
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        with path.open("rb") as file:
            header = file.read(100)
        size = path.stat().st_size
    except OSError:
        return False
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return False
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    counted = header[92:96] == header[24:28]  # else SQLite goes by the file's size
    if counted and pages * page_size > size:
        return False
    return is_index(path)


def _refuse_unrecorded_files(
    out: Path, connection: sqlite3.Connection, replaced: list[str]
) -> None:
    """Refuse to overwrite or remove a file the state does not record: someone's file."""
    stray = build_state.unrecorded(connection, replaced)
    if stray is not None:
        raise UserError(
            f"{out / stray} is not a file `scenarios build` wrote (its state records all it "
            "wrote), and this build would replace it: move it out of the output; nothing "
            "was written"
        )


def _write_pages(
    changes: journal.Changes,
    context: SiteContext,
    shown: list[tuple[SiteScenario, Derived, FileRow]],
    public: list[FileRow],
    previous: build_state.State,
) -> None:
    """The page and the API file of each changed public scenario.

    Its link to its source needs to know only whether that source is public or a
    template: the rows are looked through only for those sources, and only when a changed
    scenario has one (in this forked process, each row read is a page copied from the
    parent's: 40 ms at 100,000 scenarios for a set of every id).
    """
    sources = {e.data["derived_from"] for e, _, _ in shown if e.data.get("derived_from")}
    templates = (r for r in previous.files.values() if r.path.startswith(TEMPLATES_DIR + "/"))
    links = (
        Links(
            sources.intersection(r.scenario_id for r in public),
            sources.intersection(r.scenario_id for r in templates),
        )
        if sources
        else Links(set(), set())
    )
    for entry, _, _ in shown:
        for relative, content in scenario_output(entry, context, links.href(entry)):
            changes.write(f"site/{relative}", content)


def _pages_and_decks(
    changes: journal.Changes,
    context: SiteContext,
    shown: list[tuple[SiteScenario, Derived, FileRow]],
    public: list[FileRow],
    previous: build_state.State,
    rowids: dict[str, int],
) -> tuple[journal.Changes, dict[str, str]]:
    """`_write_pages` and `_write_decks` into `changes` (a `part`), returned to be merged.

    With the kept collections' tokens, for the state.
    """
    _write_pages(changes, context, shown, public, previous)
    tokens = tokens_recorded(previous.info.get("collections"))
    generation = previous.generation + 1
    _write_decks(changes, context, [e for e, _, _ in shown], rowids, tokens, generation)
    return changes, tokens


def _rowids(
    connection: sqlite3.Connection, changed: list[tuple[SiteScenario, Derived, FileRow]]
) -> dict[str, int]:
    """The index's rowid of each changed scenario; `Damaged` when the index lacks one."""
    query = "SELECT rowid FROM scenarios WHERE scenario_id = ?"
    rowids = {}
    for entry, _, _ in changed:
        found = connection.execute(query, (entry.scenario_id,)).fetchone()
        if found is None:
            raise Damaged(f"{entry.scenario_id} is not in the index")
        rowids[entry.scenario_id] = found[0]
    return rowids


def _write_decks(
    changes: journal.Changes,
    context: SiteContext,
    shown: list[SiteScenario],
    rowids: dict[str, int],
    tokens: dict[str, str],
    generation: int,
) -> None:
    """The Anki package of each changed public scenario, and of its language.

    A scenario's notes are numbered from its rowid in the index (`rowids`, as in a full
    build); its language's package is the last one with the scenario's rows replaced in
    the collection the output keeps (`kept_collection`): in place when its token is the
    one `tokens` holds, else in a new one moved in with the changes; sealed with the
    rebuild's `generation`, its new token put in `tokens`.
    `Damaged` when that package is not one a build wrote.
    """
    by_language: dict[str, list[ScenarioDeck]] = defaultdict(list)
    for entry in shown:
        deck = deck_of(entry, context, rowids[entry.scenario_id])
        changes.write(f"{SITE_DIR}/{scenario_deck_file(entry.scenario_id)}", scenario_package(deck))
        by_language[entry.data["language"]].append(deck)
    # Refused now, not after the collections are patched in place: "nothing was written".
    # (A listing's file refused later leaves one patched, which its token then disowns.)
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("ATTACH DATABASE ? AS state", (str(changes.folder / STATE_FILE),))
        _refuse_unrecorded_files(changes.folder, connection, changes.replaced)
    finally:
        connection.close()
    for language, decks in sorted(by_language.items()):
        relative = f"{SITE_DIR}/{language_deck_file(language)}"
        # A link or a FIFO at either is refused, not read nor written through.
        last, kept = changes.existing(relative), changes.existing(kept_collection(language))
        try:
            if last is None:
                raise FileNotFoundError(f"{relative} is missing")
            trusted = kept is not None and kept_token(kept) == tokens.get(language)
            if kept is None or not trusted:
                kept = changes.put(kept_collection(language))
            parts = patched_package(last, decks, kept, trusted)
        except (
            OSError,
            zipfile.BadZipFile,
            KeyError,
            ValueError,
            struct.error,
            sqlite3.DatabaseError,
        ) as exc:
            raise Damaged(f"{relative}: {exc}") from exc
        tokens[language] = seal(kept, generation)
        changes.write_parts(relative, parts)


def _listed_differently(
    shown: list[tuple[SiteScenario, Derived, FileRow]],
    published: dict[str, build_state.Published],
    old_cards: dict[str, bytes],
    previous: build_state.State,
) -> bool:
    """Whether a listing, the API's summary or the search's summaries may change."""
    for _, _, new in shown:
        old = previous.files[new.path]
        if (new.phase_count, new.updated_at) != (old.phase_count, old.updated_at):
            return True
        if published[new.path].card != old_cards[new.path]:
            return True
    return False


def _remember(out: Path, touched: list[FileRow], info: dict[str, str]) -> None:
    """Save what changed of the sources that changes nothing of the output."""
    connection = sqlite3.connect(":memory:", isolation_level=None)
    try:
        connection.execute("ATTACH DATABASE ? AS state", (str(out / STATE_FILE),))
        connection.execute("BEGIN")
        build_state.touch(connection, touched)
        build_state.save(connection, info, [], {}, {})
        connection.execute("COMMIT")
    finally:
        connection.close()
