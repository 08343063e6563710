"""Anki packages of the site: one per public scenario, one per language with a subdeck each.

An `.apkg` is a zip holding `collection.anki2`, an SQLite collection, and `media`. The
collection is genanki's: its schema and default collection (`APKG_SCHEMA`, `APKG_COL`),
the note type (`genanki.Model`, whose `to_json` works out which fields each card needs)
and the decks' JSON (`genanki.Deck.to_json`). The notes and cards are written a table at
a time (`executemany`), where `genanki.Note.write_to_db` runs one INSERT per note and per
card, in Python: a deck per scenario would have cost the 10,000-scenario build several
seconds (bench/README.md).

What a learner keeps across imports, and why each value is what it is:

- a note's GUID (Anki matches an imported note to the one it has by it, keeping its
  review history) comes from the scenario id, the phase id, the entry's kind and its
  text: a corrected translation or note updates the learner's note, a changed term is
  a new note;
- a note's `mod` is the scenario file's last commit time (Anki updates a note only from
  a newer one), or a fixed time outside git;
- ids are a scenario's place in id order (its index rowid) and the entry's place in it,
  so a scenario's notes and cards have the same ids in its own deck and in its
  language's, and a rebuild that changes one scenario changes only its rows;
- every other timestamp is fixed, and the zip's entries carry a fixed date: two full
  builds of the same files with the same SQLite and zlib write the same bytes. A rebuild
  patches a language's package in place (`patched_package`): the same rows, not always
  in the same pages.

A subdeck is named by its scenario's title (Anki matches decks by name, not by id): a
retitled scenario's new notes go to a deck of the new name, and the learner's cards stay
where they are. Field text is escaped as HTML and as Anki's own markup (`[sound:…]`,
LaTeX and MathJax delimiters), so a scenario's words can only ever show as words.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import mmap
import re
import sqlite3
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import orjson

from scenariokit.entry_fields import phrase_fields, said_by_partner, vocabulary_fields

if TYPE_CHECKING:
    from scenariokit.models import Scenario

Buffer = bytes | mmap.mmap  # a collection: made in memory, or a build's kept file

NOTE_TYPE_ID = 1_733_011_200_001  # fixed: Anki matches the note type by it on import
# The partner's lines (`speaker: partner`) have a note type of their own, with the
# Recognise card only. Leaving their Recall card out of the package was not enough: Anki
# makes every card its note type's templates allow, as soon as the note is edited or the
# collection checked ("Check Database"), so a line to understand became one to produce.
HEARD_TYPE_ID = NOTE_TYPE_ID + 1
# When the note types last changed (their fields, cards or style). Anki updates the
# learner's copy of a note type only from a newer one: set it to the day of a change.
NOTE_TYPE_CHANGED = 1_796_515_200  # 2026-12-06
UNDATED = 1_735_689_600  # a note's time when its file has no commit: 2025-01-01
FIRST_ID = 1_700_000_000_000  # ids look like Anki's own (milliseconds since 1970)
PER_SCENARIO = 1024  # ids a scenario's notes may take: at most 6 phases × 100 entries
PAGE_SIZE = 1024
SEGMENT = 1 << 16  # bytes of a collection deflated on their own (`package`)
_SEGMENTS = 0x6B73  # the id of the zip extra field listing the segments ("sk")
# Every entry's date: 1980-01-01 00:00, the first a zip can hold, in MS-DOS's format.
_DOS_DATE = (1980 - 1980) << 9 | 1 << 5 | 1
_DOS_TIME = 0
FIELDS = ("Term", "Reading", "Translation", "Note", "Scenario", "Phase", "Language")

_SPECIAL = re.compile("[&<>\n\\[\\\\]")
_MATH = re.compile(r"\\(?=[(\[])")
_SUBDECKS = re.compile(":{2,}")  # "::" in a deck's name starts a subdeck
# A card as a new card has it (never reviewed), from what differs between cards.
_CARD = "INSERT INTO cards VALUES (?, ?, ?, ?, ?, -1, 0, 0, ?, 0, 0, 0, 0, 0, 0, 0, 0, '')"

# The cards: the front shows the term alone (reading it is part of knowing it), the back
# its reading, meaning and note, and where it is used. `lang` lets Anki pick the fonts
# and voice of the scenario's language.
_TERM = '<div class="term" lang="{{Language}}">{{Term}}</div>'
_RUBY_TERM = (
    '<div class="term" lang="{{Language}}">{{#Reading}}<ruby>{{Term}}<rt>{{Reading}}</rt>'
    "</ruby>{{/Reading}}{{^Reading}}{{Term}}{{/Reading}}</div>"
)
_DETAILS = (
    '{{#Note}}<div class="note">{{Note}}</div>{{/Note}}'
    '<div class="where">{{Scenario}} · {{Phase}}</div>'
)
TEMPLATES = [
    {
        "name": "Recognise",
        "qfmt": _TERM,
        "afmt": '{{FrontSide}}<hr id="answer">{{#Reading}}<div class="reading" '
        'lang="{{Language}}">{{Reading}}</div>{{/Reading}}<div class="meaning">'
        "{{Translation}}</div>" + _DETAILS,
    },
    {
        "name": "Recall",
        "qfmt": '<div class="meaning">{{Translation}}</div>',
        "afmt": '{{FrontSide}}<hr id="answer">' + _RUBY_TERM + _DETAILS,
    },
]
CSS = """.card { font-family: system-ui, sans-serif; font-size: 22px; text-align: center;
  color: #1b1b1b; background: #fff; line-height: 1.5; }
.nightMode .card, .card.nightMode { color: #eee; background: #1e1e1e; }
.term { font-size: 1.6em; }
.reading { font-size: 1.1em; }
.meaning { font-size: 1.2em; }
.note { font-size: 0.8em; opacity: 0.8; margin-top: 0.5em; }
.where { font-size: 0.65em; opacity: 0.65; margin-top: 1em; }
rt { font-size: 0.5em; }
"""


DECKS_DIR = "decks"  # relative to the site


def scenario_deck_file(scenario_id: str) -> str:
    """Where a scenario's package goes, relative to the site."""
    return f"{DECKS_DIR}/{scenario_id}.apkg"


def language_deck_file(language: str) -> str:
    """Where a language's package goes, relative to the site."""
    return f"{DECKS_DIR}/{language}.apkg"


class Deck(NamedTuple):
    """A deck of a collection: its id, name and description (HTML)."""

    deck_id: int
    name: str
    description: str


class ScenarioDeck(NamedTuple):
    """A scenario's deck with its notes and cards, as rows of the collection's tables.

    A card row holds only what differs between cards (`_CARD`): id, note, deck, ord, mod
    and due.
    """

    deck: Deck
    rowid: int  # the scenario's place in id order: where its ids start
    notes: list[tuple[object, ...]]
    cards: list[tuple[int, ...]]


def deck_id(key: str) -> int:
    """A stable deck id from a key: the same deck in every build and every package."""
    digest = hashlib.blake2b(key.encode(), digest_size=5).digest()
    return (1 << 40) + int.from_bytes(digest, "big")


def language_deck(language: str, language_name: str, page: str) -> Deck:
    """The deck a language's package holds its scenarios' decks under."""
    link = _link(page, f"{language_name} on scenariokit")
    return Deck(
        deck_id("language:" + language),
        _parent_name(language_name),
        f"<p>Every public scenario in {html.escape(language_name)}, a subdeck each: "
        f"its key words and phrases, both ways.</p><p>{link}</p>",
    )


def scenario_deck(
    doc: Scenario, language_name: str, rowid: int, updated_at: str | None, page: str
) -> ScenarioDeck:
    """The deck of one scenario: a note per word and phrase, a card or two each.

    Recall (meaning → words) only for what the learner says: a word or phrase with a
    meaning, not the partner's lines (`speaker: partner`), which a learner must understand
    but never produce; those are tagged `scenariokit::you-will-hear`. `rowid` is the
    scenario's place in id order (`PER_SCENARIO` ids from there), `page`
    the address of its page (absolute when the site's URL is known).
    """
    scenario_id = doc["scenario_id"]
    title = doc["title"]
    did = deck_id("scenario:" + scenario_id)
    name = f"{_parent_name(language_name)}::{_SUBDECKS.sub(':', title)}"
    description = (
        f"<p>{html.escape(doc.get('description') or title)}</p>"
        f"<p>{_link(page, 'The scenario on scenariokit')}: its phases, cultural notes and "
        "a role-play prompt.</p>"
    )
    modified = _epoch(updated_at)
    tags = f" scenariokit::{scenario_id} "
    heard_tags = f" scenariokit::{scenario_id} scenariokit::you-will-hear "
    language = doc["language"]
    note_id = _note_ids(rowid).start
    card_id = _card_ids(rowid).start
    notes: list[tuple[object, ...]] = []
    cards: list[tuple[int, ...]] = []
    seen: dict[str, int] = {}
    for phase in doc["phases"]:
        where = f"{_field(title)}\x1f{_field(phase['name'])}\x1f{language}"
        prefix = f"{scenario_id}\x1f{phase['phase_id']}\x1f"
        entries = [("word", vocabulary_fields(e), False) for e in phase["key_vocabulary"]] + [
            ("phrase", phrase_fields(e), said_by_partner(e)) for e in phase["essential_phrases"]
        ]
        for kind, (text, translation, note, reading), heard in entries:
            key = f"{prefix}{kind}\x1f{text}"
            repeat = seen[key] = seen.get(key, -1) + 1  # the same word twice in a phase
            fields = "\x1f".join((_field(text), _field(reading), _field(translation), _field(note)))
            notes.append(
                (
                    note_id,
                    _guid(f"{key}\x1f{repeat}" if repeat else key),
                    HEARD_TYPE_ID if heard else NOTE_TYPE_ID,
                    modified,
                    -1,
                    heard_tags if heard else tags,
                    f"{fields}\x1f{where}",
                    text,  # the sort field, as Anki keeps it: the text without markup
                    _checksum(text),
                    0,
                    "",
                )
            )
            position = len(notes) - 1  # new cards come in the order of their notes
            cards.append((card_id, note_id, did, 0, modified, position))  # Recognise
            if translation and not heard:
                cards.append((card_id + 1, note_id, did, 1, modified, position))  # Recall
            note_id += 1
            card_id += 2
    if len(notes) > PER_SCENARIO:  # the schema allows 600: this is its guard
        raise ValueError(f"{scenario_id}: more than {PER_SCENARIO} words and phrases")
    return ScenarioDeck(Deck(did, name, description), rowid, notes, cards)


def _note_ids(rowid: int) -> range:
    """The note ids a scenario's rowid gives it (`PER_SCENARIO` of them)."""
    first = FIRST_ID + rowid * PER_SCENARIO
    return range(first, first + PER_SCENARIO)


def _card_ids(rowid: int) -> range:
    """The card ids a scenario's rowid gives it: two per note id."""
    first = FIRST_ID + 2 * rowid * PER_SCENARIO
    return range(first, first + 2 * PER_SCENARIO)


def _parent_name(language_name: str) -> str:
    """The language's deck's name, the first part of each of its subdecks' names."""
    return f"{language_name} (scenariokit)"


class Deflated(NamedTuple):
    """A collection's compressed segments, as `package` put them in a zip.

    `checks`: each segment's CRC-32, as `package` lists them ([] when not listed).
    """

    content: bytes
    pieces: list[bytes]
    checks: list[int]


def package(collection: Buffer, last: Deflated | None = None) -> bytes:
    """The `.apkg` of a collection (see `package_parts`)."""
    return b"".join(package_parts(collection, last))


def package_parts(collection: Buffer, last: Deflated | None = None) -> list[bytes]:
    """The `.apkg`: the collection and an empty media list, zipped with fixed dates.

    The collection is deflated in segments of `SEGMENT` bytes, each compressed on its own
    (a full flush between them: one deflate stream that every unzip reads, about 2%
    larger), and their compressed lengths and CRC-32s are listed in an extra field of its
    entry in the central directory (`_SEGMENTS`). So a rebuild that changes a few pages of
    a language's collection compresses again only the segments that changed (those whose
    CRC-32 is the one `last` lists are taken as they are there), not its 15 MB
    (bench/README.md); a segment that changed and kept its CRC-32 (one chance in four
    billion) would leave the zip's own checksum of the whole collection wrong, which every
    unzip reports.

    Written here rather than by `zipfile`, whose work around each entry took two thirds
    of the time of zipping a scenario's small collection: a local header and the data per
    entry, then the central directory, in the layout `zipfile` writes (version 2.0,
    deflate, no flags, Unix). `zipfile` reads it back (`unpack`, the tests), as does Anki.
    Returned in parts, to be joined or written one after the other: a language's package
    is about 40 MB at 100,000 scenarios.
    """
    parts: list[bytes] = []
    offset = 0  # of the next local header
    central = bytearray()
    pieces, checks, whole = _deflate(collection, last)
    extra = b""
    if len(pieces) > 1 and 8 * len(pieces) <= 0xFFFF:
        lengths = [len(piece) for piece in pieces]
        listed = struct.pack(f"<{2 * len(pieces)}I", *lengths, *checks)
        extra = struct.pack("<HH", _SEGMENTS, len(listed)) + listed
    media, _, media_crc = _MEDIA
    entries = (
        ("collection.anki2", pieces, (whole, len(collection)), extra),
        ("media", media, (media_crc, 2), b""),
    )
    for name, deflated, (crc, size), field in entries:
        length = sum(map(len, deflated))
        if max(size, offset + length) >= 1 << 32:
            raise ValueError("a package of 4 GB or more needs ZIP64")
        fixed = struct.pack("<HHHHHIII", 20, 0, 8, _DOS_TIME, _DOS_DATE, crc, length, size)
        encoded = name.encode()
        central += (
            struct.pack("<IH", 0x02014B50, 0x0314)  # made by: Unix (3), version 2.0
            + fixed
            + struct.pack("<HHHHHII", len(encoded), len(field), 0, 0, 0, 0o100600 << 16, offset)
            + encoded
            + field
        )
        header = struct.pack("<I", 0x04034B50) + fixed + struct.pack("<HH", len(encoded), 0)
        parts += [header + encoded, *deflated]
        offset += len(header) + len(encoded) + length
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), offset, 0
    )
    return [*parts, bytes(central), end]


def _deflate(content: Buffer, last: Deflated | None) -> tuple[list[bytes], list[int], int]:
    """A collection's segments, each deflated on its own, the last one ending the stream.

    With each segment's CRC-32, and the whole collection's, worked out from theirs
    (`_followed`) rather than by reading every byte twice. A segment whose CRC-32 `last`
    lists for it is taken as it is compressed there (but for a last segment, which ends
    its stream). A kept file's pages are let go as they are read (a language's collection
    is about 200 MB at 100,000 scenarios): they stay in the system's cache, not in this
    process's memory.
    """
    view = memoryview(content)  # a segment is a view: no copy of the collection
    count = max(1, -(-len(view) // SEGMENT))
    pieces, checks = [], []
    whole = 0
    for n in range(count):
        segment = view[n * SEGMENT : (n + 1) * SEGMENT]
        check = zlib.crc32(segment)
        checks.append(check)
        final = n == count - 1
        whole = zlib.crc32(segment, whole) if final else _followed(whole, check)
        if (
            last is not None
            and not final
            and n < len(last.pieces) - 1
            and n < len(last.checks)
            and last.checks[n] == check
        ):
            pieces.append(last.pieces[n])
        else:
            compressor = zlib.compressobj(1, zlib.DEFLATED, -15)  # raw deflate, as a zip has
            flush = zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH
            pieces.append(compressor.compress(segment) + compressor.flush(flush))
        if isinstance(content, mmap.mmap) and len(segment):
            content.madvise(mmap.MADV_DONTNEED, n * SEGMENT, len(segment))
        segment.release()
    view.release()
    return pieces, checks, whole


# Every package's media list, none: deflated once, not for each package (a new deflate
# stream is about 10 µs of a scenario's package's 270).
_MEDIA = _deflate(b"{}", None)


def _followed(crc: int, check: int) -> int:
    """The CRC-32 of some bytes followed by a whole segment whose own CRC-32 is `check`.

    zlib's `crc32_combine`, which Python's zlib does not offer: a CRC-32 is linear in its
    register, so running it over a segment's length of zeros is a fixed linear map, kept
    as a table per byte of the register (`_segment_shift`). A few operations per segment
    instead of reading its 64 KiB again.
    """
    table = _segment_shift()
    return (
        table[crc & 0xFF]
        ^ table[256 | (crc >> 8) & 0xFF]
        ^ table[512 | (crc >> 16) & 0xFF]
        ^ table[768 | crc >> 24]
        ^ check
    )


@cache
def _segment_shift() -> list[int]:
    """The map `_followed` applies, a byte of the register at a time (4 × 256 values).

    `zlib.crc32(zeros, c) ^ zlib.crc32(zeros, 0)` is the map applied to `c`; it is worked
    out for each of the 32 bits, and a byte's value is the sum (XOR) of its bits'.
    """
    zeros = bytes(SEGMENT)
    offset = zlib.crc32(zeros)
    bits = [zlib.crc32(zeros, 1 << n) ^ offset for n in range(32)]
    table = [0] * 1024
    for byte in range(4):
        for value in range(1, 256):
            low = value & -value  # its lowest bit, added to the value without it
            table[byte << 8 | value] = (
                table[byte << 8 | value ^ low] ^ bits[8 * byte + low.bit_length() - 1]
            )
    return table


def unpack(content: bytes) -> Deflated:
    """The collection of an `.apkg`, with its compressed segments when `package` listed them.

    What `zipfile` raises for a file that is not a zip or has no collection (or whose
    collection does not match its checksum).
    """
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        info = archive.getinfo("collection.anki2")
        return Deflated(archive.read(info), *_segments(content, info))


def _segments(content: Buffer, info: zipfile.ZipInfo) -> tuple[list[bytes], list[int]]:
    """The compressed segments of a package's collection and their CRC-32s, as listed.

    Nothing when the package does not list them as `package` does.
    """
    lengths: list[int] = []
    checks: list[int] = []
    extra = info.extra
    while len(extra) >= 4:
        kind, size = struct.unpack_from("<HH", extra)
        if kind == _SEGMENTS and size % 8 == 0 and len(extra) >= 4 + size:
            listed = struct.unpack_from(f"<{size // 4}I", extra, 4)
            lengths, checks = list(listed[: size // 8]), list(listed[size // 8 :])
        extra = extra[4 + size :]
    (name_length, extra_length) = struct.unpack_from("<HH", content, info.header_offset + 26)
    start = info.header_offset + 30 + name_length + extra_length
    if sum(lengths) != info.compress_size or info.compress_type != zipfile.ZIP_DEFLATED:
        return [], []  # not listed: every segment is compressed again
    pieces = []
    for length in lengths:
        pieces.append(content[start : start + length])
        start += length
    return pieces, checks


def _opened(collection: Path) -> sqlite3.Connection:
    """A collection file this module wrote, opened in place; `ValueError` for another.

    Opened without a rollback journal, whose file a killed build would leave behind: its
    caller trusts the collection again only as the last build left it (`patched_package`).
    Its decks are not read here (a language's are megabytes of JSON; `_decks_of`).
    """
    connection = sqlite3.connect(collection, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        rows = connection.execute("SELECT models FROM col").fetchall()
        if len(rows) != 1:
            raise ValueError("not one collection row")
        models = orjson.loads(rows[0][0])
        if not isinstance(models, dict) or set(models) != {str(NOTE_TYPE_ID), str(HEARD_TYPE_ID)}:
            raise ValueError("not this tool's note type")
    except BaseException:
        connection.close()
        raise
    return connection


def _decks_of(connection: sqlite3.Connection) -> dict[str, object]:
    """A collection's decks, by id; `ValueError` for decks that are not a mapping."""
    decks = orjson.loads(connection.execute("SELECT decks FROM col").fetchone()[0])
    if not isinstance(decks, dict):
        raise ValueError("decks that are not a mapping")
    return decks


def collection(decks: Sequence[ScenarioDeck], parents: Sequence[Deck] = ()) -> bytes:
    """A collection's bytes: genanki's empty one with these scenarios' decks, notes and cards.

    `parents` are decks without notes of their own (a language's, over its scenarios').
    The scenarios come in id order, so the tables are filled in order: the same rows, the
    same bytes.
    """
    connection = sqlite3.connect(":memory:", isolation_level=None)
    connection.deserialize(empty_collection().content)
    _fill(connection, [*parents, *(deck.deck for deck in decks)], lambda: [decks])
    return _finish(connection)


def collection_file(
    target: Path, listed: Sequence[Deck], batches: Callable[[], Iterable[Sequence[ScenarioDeck]]]
) -> None:
    """Write a collection with the decks `listed` and their scenarios' rows into `target`.

    A language's collection, made from its scenarios' rows read part by part (in id order,
    as `collection` takes them), so that the rows of its thousands of scenarios are never
    all in memory (about 1 GB for 10,000 scenarios as tuples). Made in its file, not in
    memory: at 100,000 scenarios a language's collection is about 200 MB, which memory
    held twice (the database, then its bytes) in each of the processes making them. The
    same bytes as `collection` makes of the same decks.
    """
    target.write_bytes(empty_collection().content)
    connection = _opened(target)
    try:
        connection.execute(f"PRAGMA cache_size = -{16 << 10}")  # KiB: as fast as in memory
        _fill(connection, listed, batches)
    finally:
        connection.close()


def _fill(
    connection: sqlite3.Connection,
    listed: Sequence[Deck],
    batches: Callable[[], Iterable[Sequence[ScenarioDeck]]],
) -> None:
    """Put the decks `listed` into an empty collection, then their scenarios' rows.

    `batches()` gives the rows twice: every note goes in before the first card, so the
    tables' pages are laid out as one batch lays them out.
    """
    _set_decks(connection, dict(empty_collection().decks), _deck_entries(listed))
    connection.execute("BEGIN")
    for batch in batches():
        _insert_notes(connection, batch)
    for batch in batches():
        _insert_cards(connection, batch)
    connection.execute("COMMIT")


def scenario_package(deck: ScenarioDeck) -> bytes:
    """The `.apkg` of one scenario's deck."""
    return package(collection([deck]))


def patched_package(
    package: Path, changed: Sequence[ScenarioDeck], kept: Path, trusted: bool
) -> list[bytes]:
    """A language's package with the rows and decks of some scenarios replaced, in parts.

    `package` is the last one; `changed` are
    the scenarios' new decks. Their rows are deleted by id range (`scenario_deck`'s
    numbering) and inserted anew, in place: the same rows and decks as a full build makes
    (`collection`), not always laid out in the same pages, which would take building the
    whole collection again (most of a second for a language of 1,500 scenarios). Its
    unchanged segments are not compressed again, nor read from the package but for their
    compressed bytes (`package`). Raises `ValueError` (or what zipfile and sqlite3 raise)
    for a package or collection no build wrote. The decks are written again only if one
    of them changed (a title, a description): a language's are megabytes of JSON in
    overflow pages, which were most of the segments a phrase's rebuild compressed again.

    `kept`: the file where the build keeps the language's collection uncompressed,
    patched in place. `trusted` says it holds the package's collection (the caller knows
    it as the last build left it); else it is written anew from the package first:
    inflating a language's collection was a third of a one-file rebuild's own time, and
    checking the file's CRC-32, then copying it, most of the rest at 100,000 scenarios.
    """
    with package.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as last:
        with zipfile.ZipFile(file) as archive:
            info = archive.getinfo("collection.anki2")
            if not trusted:
                kept.write_bytes(archive.read(info))
        before = Deflated(b"", *_segments(last, info))
    connection = _opened(kept)
    try:
        connection.execute("BEGIN")
        for deck in changed:
            for table, ids in (("notes", _note_ids(deck.rowid)), ("cards", _card_ids(deck.rowid))):
                connection.execute(
                    f"DELETE FROM {table} WHERE id BETWEEN ? AND ?", (ids[0], ids[-1])
                )
        _insert(connection, changed)
        decks = _deck_entries(deck.deck for deck in changed)
        if _stored_decks(connection, list(decks)) != decks:
            _set_decks(connection, _decks_of(connection), decks)
        connection.execute("COMMIT")
    finally:
        connection.close()
    return file_package(kept, before)


def file_package(path: Path, last: Deflated | None = None) -> list[bytes]:
    """The `.apkg` of the collection in the file `path`, read mapped (see `package_parts`)."""
    with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as content:
        return package_parts(content, last)


def _deck_entries(decks: Iterable[Deck]) -> dict[str, object]:
    """The decks' entries in a collection's decks, by id.

    Each is genanki's `Deck.to_json` (`EmptyCollection.deck`, whose only fields that
    differ from deck to deck are its id, name and description), so that a rebuild
    patching a language's package need not import genanki.
    """
    shape = empty_collection().deck
    return {
        str(deck.deck_id): shape | {"id": deck.deck_id, "name": deck.name, "desc": deck.description}
        for deck in decks
    }


def _stored_decks(connection: sqlite3.Connection, ids: list[str]) -> dict[str, object]:
    """The entries of some decks in a collection's decks (None for one it lacks), by id.

    Looked up by SQLite (`json_each`, in C), not by parsing the decks' JSON here (a tenth
    of a second for a language at 100,000 scenarios); a few hundred ids a query.
    """
    found: dict[str, object] = dict.fromkeys(ids)
    for start in range(0, len(ids), 500):
        some = ids[start : start + 500]
        query = (
            "SELECT deck.key, deck.value FROM col, json_each(col.decks) AS deck"
            f" WHERE deck.key IN ({_marks(len(some))})"
        )
        for deck_id, text in connection.execute(query, some):
            found[deck_id] = orjson.loads(text)
    return found


def _set_decks(
    connection: sqlite3.Connection, listed: dict[str, object], decks: dict[str, object]
) -> None:
    """Write a collection's decks: those `listed` (by id), with `decks` put in (`_deck_entries`)."""
    listed |= decks
    connection.execute(
        "UPDATE col SET decks = ?", (orjson.dumps(listed, option=orjson.OPT_SORT_KEYS).decode(),)
    )


def _insert(connection: sqlite3.Connection, decks: Sequence[ScenarioDeck]) -> None:
    """Insert these scenarios' notes and cards."""
    _insert_notes(connection, decks)
    _insert_cards(connection, decks)


def _insert_notes(connection: sqlite3.Connection, decks: Sequence[ScenarioDeck]) -> None:
    connection.executemany(
        f"INSERT INTO notes VALUES ({_marks(11)})", [note for deck in decks for note in deck.notes]
    )


def _insert_cards(connection: sqlite3.Connection, decks: Sequence[ScenarioDeck]) -> None:
    connection.executemany(_CARD, [card for deck in decks for card in deck.cards])


def _finish(connection: sqlite3.Connection) -> bytes:
    """The collection's bytes, once its rows are in."""
    content = connection.serialize()
    connection.close()
    return content


class EmptyCollection(NamedTuple):
    """What every collection starts from, as genanki makes it."""

    content: bytes  # the database: genanki's schema and default collection, our note type
    decks: dict[str, object]  # its decks (genanki's default deck), by id
    deck: dict[str, object]  # a deck's JSON as `genanki.Deck.to_json` writes it


# Made once a process, or handed over by the last build's state (`remember_empty_collection`):
# making it takes genanki, whose import alone is tens of milliseconds of a one-file rebuild.
_EMPTY: list[EmptyCollection] = []


def empty_collection() -> EmptyCollection:
    """The empty collection, and the JSON every deck of a collection is written with."""
    if not _EMPTY:
        _EMPTY.append(_make_empty_collection())
    return _EMPTY[0]


def empty_collection_text() -> str:
    """The empty collection as a build's state keeps it (JSON, the database in base64)."""
    content, decks, deck = empty_collection()
    kept = {"content": base64.b64encode(content).decode(), "decks": decks, "deck": deck}
    return orjson.dumps(kept).decode()


def remember_empty_collection(text: str | None) -> None:
    """Take the empty collection an earlier build of this same tool made.

    From `empty_collection_text`; nothing is taken from a text it did not write: the
    collection is then made anew.
    """
    try:
        kept = orjson.loads(text or "null")
        found = EmptyCollection(
            base64.b64decode(kept["content"], validate=True), kept["decks"], kept["deck"]
        )
    except (orjson.JSONDecodeError, TypeError, KeyError, ValueError):
        return
    if isinstance(found.decks, dict) and isinstance(found.deck, dict) and not _EMPTY:
        _EMPTY.append(found)


def _make_empty_collection() -> EmptyCollection:
    """The schema and default collection genanki writes, with the note type.

    Without the schema's indexes: Anki reads an imported collection once, note by note,
    and keeps its own indexes in the learner's collection (the tests import packages
    with Anki's library). They were two fifths of a scenario's collection and half the
    time of writing a language's. Small pages: a scenario's collection is a few dozen rows.
    """
    import genanki

    fields = [{"name": name} for name in FIELDS]
    model = genanki.Model(
        NOTE_TYPE_ID,
        "scenariokit word or phrase",
        fields=fields,
        templates=[dict(t) for t in TEMPLATES],
        css=CSS,
    )
    heard = genanki.Model(
        HEARD_TYPE_ID,
        "scenariokit line you will hear",
        fields=fields,
        templates=[dict(t) for t in TEMPLATES if t["name"] == "Recognise"],
        css=CSS,
    )
    connection = sqlite3.connect(":memory:", isolation_level=None)
    connection.execute(f"PRAGMA page_size = {PAGE_SIZE}")
    tables = [
        statement
        for statement in genanki.apkg_schema.APKG_SCHEMA.split(";")
        if "CREATE INDEX" not in statement
    ]
    connection.executescript(";".join(tables))
    connection.executescript(genanki.apkg_col.APKG_COL)
    models = {str(m.model_id): m.to_json(NOTE_TYPE_CHANGED, 1) for m in (model, heard)}
    connection.execute(
        "UPDATE col SET models = ?", (orjson.dumps(models, option=orjson.OPT_SORT_KEYS).decode(),)
    )
    (decks,) = connection.execute("SELECT decks FROM col").fetchone()
    content = connection.serialize()
    connection.close()
    deck = genanki.Deck(0, "", "").to_json()
    return EmptyCollection(content, orjson.loads(decks), deck)


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def _field(text: str | None) -> str:
    """A field's HTML: the text escaped, its line breaks as `<br>`, Anki's markup inert.

    `[` as a character reference (no `[sound:…]` or `[latex]`), and an empty element
    between a backslash and a bracket (no MathJax `\\(`, `\\[`): the text shows as it is.
    """
    if not text:
        return ""
    if _SPECIAL.search(text) is None:  # most texts: nothing to escape
        return text
    escaped = _MATH.sub("\\\\<span></span>", html.escape(text, quote=False))
    return escaped.replace("[", "&#91;").replace("\n", "<br>")


def _guid(key: str) -> str:
    """72 bits of a hash of the key, as 12 characters (Anki takes any unique string)."""
    return base64.b64encode(hashlib.blake2b(key.encode(), digest_size=9).digest()).decode()


def _checksum(text: str) -> int:
    """Anki's checksum of a note's first field: what it finds duplicates by."""
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)


def _epoch(date: str | None) -> int:
    """Seconds since 1970 of an ISO date (a commit's), or `UNDATED`."""
    return int(datetime.fromisoformat(date).timestamp()) if date else UNDATED


def _link(page: str, text: str) -> str:
    """A link to a page of the site, or its address as text when it is not absolute."""
    if page.startswith(("https://", "http://")):
        return f'<a href="{html.escape(page)}">{html.escape(text)}</a>'
    return f"{html.escape(text)}: {html.escape(page)}"
