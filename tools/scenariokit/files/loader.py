"""Reading scenario files safely: they come from strangers' pull requests.

The loader uses PyYAML's safe constructor only (a `!!python/...` tag is an error), on the
C parser when PyYAML was built with libyaml. It reads only regular files (`read_raw`: no
symbolic link followed, no FIFO or device read), refuses files over `MAX_BYTES` before
parsing them (reading at most one byte more), files that are not UTF-8 (a byte-order mark
is fine), duplicate keys, and anchors and aliases (so an alias bomb is refused before
anything expands). Every failure is a `LoadError` with a line and column; nothing here
raises anything else for bad input.

It also refuses, where they are written, what would end in a traceback further on: lists
and mappings nested more than `MAX_DEPTH` (20) levels (the schema validator, positions,
the formatter and JSON all recurse; a scenario needs 5), merge keys (`<<`) and keys that
are not text (`1:`, `on:`, `2024-01-01:`, `? [a, b]`; no scenario has them and JSON cannot
hold them), integers written with more than `MAX_NUMBER_CHARACTERS` (Python will not print
an int of over 4,300 digits), and plain values YAML reads as dates or numbers it cannot
build (`2024-02-30`). Both paths refuse the same things: `_plain_load` steps aside, and
the safe loader's constructors and one pass over the events say where.

Speed: most files are plain (no tags, anchors, merge keys or errors), and for those
`_plain_load` builds the data straight from libyaml's events, without PyYAML's constructor,
which pays for a node tree and a Python call per scalar. It gives exactly what the safe
loader gives (a test compares them), and on anything unusual it steps aside for the safe
loader, which then also finds and explains whatever is wrong. It matters at every size,
from the starter library's 30 files on: without it `validate` takes twice as long
(bench/README.md, "Each optimisation, with and without").
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

from scenariokit.escape import visible
from scenariokit.files.quoting import quoted

_EventParser: Any
try:
    from yaml import CSafeLoader as _BaseLoader
    from yaml._yaml import CParser as _EventParser
except ImportError:  # PyYAML built without libyaml: correct, but much slower
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

    _EventParser = None

MAX_BYTES = 1024 * 1024

# What contributors most often meet in YAML's error messages, and what to do about it.
_SYNTAX_HINTS = {
    "mapping values are not allowed": (
        "a value that contains ': ' must be put in quotes, or a line is indented too far"
    ),
    "cannot start any token": (
        "indent with spaces, not tabs; a value that starts with @ or ` must be put in quotes"
    ),
    "could not find expected ':'": "a key is missing its ':', or a line is indented wrongly",
    "expected a single document": "a file holds one scenario: remove the second '---'",
    "found undefined alias": "anchors and aliases are not allowed: write the value out in full",
    "found unexpected end of stream": "a quote is opened but never closed",
    "tab character": "indent with spaces, not tabs",
    "did not find expected key": "a line is indented wrongly, or a list item lacks its '- '",
    "did not find expected '-' indicator": "a list item is indented differently from the others",
}


class LoadError(Exception):
    """A file that cannot be read as a scenario document, with where and why."""

    def __init__(self, code: str, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.column = column
        self.excerpt: str | None = None

    def with_excerpt(self, text: str) -> LoadError:
        """Attach the offending source line, for reporters that show it."""
        lines = text.splitlines()
        self.excerpt = lines[self.line - 1] if 0 < self.line <= len(lines) else None
        return self


@dataclass(frozen=True, slots=True)
class Source:
    """A scenario file as read: its text (for positions and excerpts) and its data."""

    path: Path
    text: str
    data: Any


class _ScenarioLoader(_BaseLoader):
    """The safe loader, refusing what would mislead or break later.

    Duplicate keys (YAML keeps the last), merge keys, keys that are not text, and numbers
    or dates Python cannot build or print.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        for key_node, _ in node.value:
            _refuse_key(key_node)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        if len(mapping) != len(node.value):
            _raise_duplicate_key(self, node)
        return mapping


def _checked_scalar(loader: _ScenarioLoader, node: yaml.Node) -> Any:
    """An int, float, boolean or date built by the safe constructor, or a `LoadError` at it.

    `0x` followed by 5,000 digits is an int Python can build but not print, and more than
    4,300 decimal digits one it refuses to build; `2024-02-30` matches YAML's date pattern
    but is no date; `!!bool text` and `!!timestamp text` make PyYAML's constructors fail
    with a KeyError or an AttributeError. Each would end in a traceback far from the file.
    """
    construct = SafeConstructor.yaml_constructors[node.tag]
    if not isinstance(node, ScalarNode):  # `!!int [1]`: the constructor's own located error
        return construct(loader, node)
    if node.tag == _INT and len(node.value) > MAX_NUMBER_CHARACTERS:
        raise _long_number(node.value, node.start_mark)
    try:
        return construct(loader, node)
    except (ValueError, OverflowError, KeyError, AttributeError) as exc:
        why = f" ({exc})" if isinstance(exc, ValueError) else ""
        raise _impossible_value(node.value, node.tag, why, node.start_mark) from None


for _tag in ("int", "float", "bool", "timestamp"):
    _ScenarioLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _checked_scalar)


def _refuse_key(key_node: yaml.Node) -> None:
    """Refuse a key that is not text, where it is written.

    A merge key (`<<`) would copy keys in with wrong positions; a number, boolean, date,
    empty or complex key is never one a scenario has, and JSON (export, the site) cannot
    hold it.
    """
    if isinstance(key_node, ScalarNode) and key_node.tag == _STR:
        return
    mark = key_node.start_mark
    if key_node.tag == _MERGE:
        message = (
            "merge keys (<<) are not allowed in scenario files: write the keys out in full "
            "in this mapping"
        )
        raise LoadError("yaml-merge", message, mark.line + 1, mark.column + 1)
    if not isinstance(key_node, ScalarNode):
        message = "a list or a mapping cannot be a key (`? ` starts a complex key): keys are text"
    elif key_node.tag == _NULL:
        message = "a key is empty or null: keys are text; write the key, or remove the line"
    else:
        written = _brief(str(key_node.value))
        message = (
            f"the key {written} is not text: YAML reads it as "
            f"{_TAG_WORDS.get(key_node.tag, 'another type')}; keys are text: put it in "
            f"quotes, {quoted(written)}, or remove it"
        )
    raise LoadError("key-not-text", message, mark.line + 1, mark.column + 1)


_STR, _INT, _NULL, _MERGE = (
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "null", "merge")
)
# What YAML made of a plain scalar, in words (its tag is what the resolver decided).
_TAG_WORDS = {
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true or false",
    "tag:yaml.org,2002:timestamp": "a date",
}
# Far more than any field needs (the largest is 60 minutes), and well within what Python
# builds and prints: 100 characters of `0x` digits or of sexagesimal `1:30:…` included.
MAX_NUMBER_CHARACTERS = 100
# How deeply lists and mappings may nest. A scenario needs 5 levels (the document, phases,
# a phase, its vocabulary, an entry); past a few hundred, Python's own recursion limit
# ends whatever walks the data (the schema validator, positions, the formatter, JSON).
MAX_DEPTH = 20


def _brief(text: str) -> str:
    """Contributor text shown in a message: visible, and short."""
    text = visible(text)
    return text if len(text) <= 40 else text[:37] + "..."


def _long_number(written: str, mark: yaml.Mark | None) -> LoadError:
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return LoadError(
        "number-too-long",
        f"a number written with {len(written):,} characters ({_brief(written)}): numbers in "
        f"scenario files have at most {MAX_NUMBER_CHARACTERS}; if it is text, put it in quotes",
        line,
        column,
    )


def _impossible_value(written: str, tag: str, why: str, mark: yaml.Mark | None) -> LoadError:
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    kind = _TAG_WORDS.get(tag, "a value")
    return LoadError(
        "yaml-value",
        f"YAML reads {_brief(written)} as {kind}, but it is not a valid one{why}: if it is "
        f"text, put it in quotes, {quoted(_brief(written))}, without a !! tag",
        line,
        column,
    )


def _too_deep(mark: Any) -> LoadError:
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return LoadError(
        "too-deep",
        f"lists or mappings nest more than {MAX_DEPTH} levels deep here; a scenario needs "
        "5 (phases, a phase, its vocabulary, an entry): remove the extra brackets or "
        "indentation",
        line,
        column,
    )


def too_deep(data: Any) -> bool:
    """Whether `data` (from JSON, say) nests deeper than a scenario file may; no recursion."""
    pending: list[tuple[Any, int]] = [(data, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                return True
            children = value.values() if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)
    return False


def _raise_duplicate_key(loader: _ScenarioLoader, node: yaml.MappingNode) -> None:
    """Find the repeated key of `node` (only called when there is one) and report it."""
    first_line: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        line = key_node.start_mark.line + 1
        if key in first_line:
            reading = "" if isinstance(key, str) else f" (YAML reads it as {key!r})"
            raise LoadError(
                "duplicate-key",
                f"the key '{key_node.value}'{reading} appears twice in this mapping (first on "
                f"line {first_line[key]}); YAML would silently keep only the last one: "
                "remove or rename one of them",
                line,
                key_node.start_mark.column + 1,
            )
        first_line[key] = line


def read_source(path: Path) -> Source:
    """Read, decode and parse one scenario file, or raise `LoadError`."""
    text = read_text(path)
    try:
        return Source(path, text, parse(text))
    except LoadError as exc:
        raise exc.with_excerpt(text) from None


def parse(text: str) -> Any:
    """The data of one YAML document, or `LoadError`."""
    try:
        data = _plain_load(text)
    except (_Unusual, yaml.YAMLError):
        data = _safe_load(text)
    if data is None:
        raise LoadError("empty-file", "the file is empty: a scenario is a mapping of keys")
    return data


class _Unusual(Exception):
    """The file has something `_plain_load` leaves to the safe loader."""


# The implicit types of plain scalars the safe loader builds; any other resolved tag (merge
# keys, `=`) is left to it.
_PLAIN_TYPES = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "timestamp")
)
_NO_KEY = object()


def _plain_load(text: str) -> Any:
    """The document built from libyaml's events, for files without tags or anchors.

    Raises `_Unusual` (or the parser's error) for anything else: a tag, an anchor or alias,
    a duplicate key or one that is not text, a merge key, a second document, a number or
    date that cannot be built. Nesting deeper than `MAX_DEPTH` is refused here.
    """
    if _EventParser is None:
        raise _Unusual
    next_event = _EventParser(text).get_event
    next_event()  # the stream's start
    if type(next_event()) is not yaml.DocumentStartEvent:
        return None  # an empty stream
    stack: list[list[Any]] = []  # [container, pending key] per open mapping or sequence
    document: Any = None
    while True:
        event: Any = next_event()
        kind = type(event)
        if kind is yaml.ScalarEvent:
            if event.tag is not None or event.anchor is not None:
                raise _Unusual
            value = event.value
            if event.implicit[0] and value not in _TEXT:  # plain, and not known to be text
                value = _plain_scalar(value)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if event.tag is not None or event.anchor is not None:
                raise _Unusual
            if len(stack) >= MAX_DEPTH:
                raise _too_deep(event.start_mark)
            stack.append([{} if kind is yaml.MappingStartEvent else [], _NO_KEY])
            continue
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            value = stack.pop()[0]
        elif kind is yaml.DocumentEndEvent:
            break
        else:
            raise _Unusual  # an alias
        if not stack:
            document = value
            continue
        top = stack[-1]
        container = top[0]
        if type(container) is list:
            container.append(value)
        elif top[1] is _NO_KEY:
            if type(value) is not str or value in container:
                raise _Unusual
            top[1] = value
        else:
            container[top[1]] = value
            top[1] = _NO_KEY
    if type(next_event()) is not yaml.StreamEndEvent:
        raise _Unusual
    return document


_CONSTRUCTOR = SafeConstructor()


# Plain scalars already seen to read as themselves (keys such as `term`, and repeated
# short values): most of a file's scalars, looked up here instead of resolved again.
_TEXT: set[str] = set()
_TEXT_LIMIT = 100_000  # short ones only, and not without end: a set of at most a few MB


def _plain_scalar(value: str) -> Any:
    """A plain (unquoted) scalar as the safe loader reads it: resolved as YAML 1.1 does."""
    for tag, pattern in Resolver.yaml_implicit_resolvers.get(value[:1], ()):
        if pattern.match(value):
            if tag not in _PLAIN_TYPES or (tag == _INT and len(value) > MAX_NUMBER_CHARACTERS):
                raise _Unusual
            try:
                return SafeConstructor.yaml_constructors[tag](_CONSTRUCTOR, ScalarNode(tag, value))
            except (ValueError, OverflowError):
                raise _Unusual from None  # the safe loader says where and why
    if len(value) <= 40 and len(_TEXT) < _TEXT_LIMIT:
        _TEXT.add(value)
    return value


def _safe_load(text: str) -> Any:
    """PyYAML's safe loader with this module's refusals, and its errors as `LoadError`."""
    _refuse_structure(text)
    try:
        data = yaml.load(text, Loader=_ScenarioLoader)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text) from None
    except yaml.YAMLError as exc:  # a reader error: a character YAML does not allow
        raise _reader_error(exc, text) from None
    except RecursionError:
        raise LoadError("too-deep", "the file nests lists or mappings too deeply") from None
    return data


def read_text(path: Path) -> str:
    """The file's text: refused unless a regular file of at most `MAX_BYTES` in UTF-8."""
    return decode(read_raw(path))


# Never follow a link (the open fails instead), never wait for a FIFO's writer.
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)

# What each kind of file that is not a regular file is called in a diagnostic.
_KINDS = {
    stat.S_IFLNK: "a symbolic link",
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def read_raw(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a scenario file: the one way every command reads one.

    Files come from strangers, so the file is opened without following a symbolic link and
    without waiting for a FIFO's writer, then judged by `fstat` on the opened descriptor:
    what is checked is what is read, with no window between a check and the open. At most
    `limit` + 1 bytes are read whatever the size said (a file may grow meanwhile, and some
    files report no size at all), and more than `limit` (`MAX_BYTES` for a scenario file)
    is refused.
    """
    try:
        handle = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW met a link
            raise not_regular(stat.S_IFLNK) from None
        raise LoadError("unreadable", f"cannot read the file: {exc.strerror}") from None
    try:
        status = os.fstat(handle)
        if not stat.S_ISREG(status.st_mode):
            raise not_regular(status.st_mode)
        if status.st_size > limit:
            raise too_large(f"the file is {status.st_size:,} bytes", limit)
        raw = _read_capped(handle, status.st_size, limit)
    except OSError as exc:
        raise LoadError("unreadable", f"cannot read the file: {exc.strerror}") from None
    finally:
        os.close(handle)
    if len(raw) > limit:
        raise too_large("the file holds more bytes than its size said", limit)
    return raw


def _read_capped(handle: int, expected: int, limit: int) -> bytes:
    """Up to `limit` + 1 bytes from `handle`, however many it holds.

    The expected size and one more byte are asked for first, so a regular file's usual read
    is one call, and the end of the file one more.
    """
    chunks: list[bytes] = []
    total = 0
    want = min(expected, limit) + 1
    while total <= limit:
        chunk = os.read(handle, min(want, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        want = 1 << 16
    return b"".join(chunks)


def too_large(what: str, limit: int = MAX_BYTES) -> LoadError:
    """The refusal of a file over `limit` bytes, `what` saying how large it is."""
    kind = "scenario files" if limit == MAX_BYTES else "such files"
    return LoadError(
        "file-too-large",
        f"{what}; {kind} may be at most {limit:,} bytes ({limit >> 20} MiB): split it or "
        "shorten it",
    )


def not_regular(mode: int) -> LoadError:
    """The refusal of anything under scenarios/ or templates/ that is not a regular file.

    Never followed and never read: a link could point at a secret outside the repository
    (whose name is not printed either), a FIFO would hang the reader, a device never ends.
    """
    kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
    if stat.S_ISLNK(mode):
        fix = "replace the link with the file or folder itself"
    else:
        fix = "remove it, and put the scenario there as a regular file"
    return LoadError(
        "not-a-regular-file",
        f"this is {kind}; scenario files and their folders must be regular files and "
        f"folders: {fix}",
    )


def undecodable_name() -> LoadError:
    """The refusal of a file or folder whose name is not UTF-8: ids and URLs are text."""
    return LoadError(
        "file-name-not-utf8",
        "this name is not UTF-8 (shown with \\x escapes for its other bytes): rename it "
        "with a scenario_id slug such as cafe-paris.yaml",
    )


def decode(raw: bytes) -> str:
    """UTF-8 text without its byte-order mark; other encodings are refused with a position."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise LoadError("not-utf8", "the file is UTF-16: save it as UTF-8")
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        raise LoadError(
            "not-utf8",
            f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x} cannot start a character "
            "here): save it as UTF-8",
            line,
            column,
        ) from None


def _refuse_structure(text: str, loader: Any = _BaseLoader) -> None:
    """Refuse anchors and aliases, and nesting past `MAX_DEPTH`, pointing at the first.

    A pass over the parser's events before the safe loader builds anything: an alias bomb
    is refused before it expands, and deep nesting before the loader's recursion meets
    Python's limit. Only unusual files (and broken ones) come here: a second parse of
    them costs nothing that matters.

    libyaml builds with its own nesting limit (added upstream in 2024) stop at 1,000 open
    brackets while scanning ahead, before the parser hands over the event that passes our
    limit; so when libyaml stops on a file with more than `MAX_DEPTH` open brackets before
    the place it stopped, the pure Python parser (no such limit) looks again and finds
    where the file passed ours.
    """
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _too_deep(event.start_mark)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise _at(
                    event.start_mark,
                    "yaml-anchor",
                    "anchors (&name) and aliases (*name) are not allowed in scenario files: "
                    "write the value out in full",
                )
            tag = getattr(event, "tag", None)
            if tag is not None and tag not in _ALLOWED_TAGS.get(type(event), ()):
                raise _at(
                    event.start_mark,
                    "yaml-tag",
                    f"the YAML tag {_short_tag(tag)} is not allowed here: remove the tag "
                    "(a scenario holds only text, numbers, lists and mappings)",
                )
    except yaml.MarkedYAMLError as exc:
        if loader is not yaml.SafeLoader and _deep_before(text, exc.problem_mark):
            _refuse_structure(text, yaml.SafeLoader)
        # otherwise a syntax error: the full load reports it with its position
    except yaml.YAMLError:
        return  # a character YAML does not allow: the full load reports it


# The tags that only say which kind of plain value a node already is: harmless, and their
# errors are reported like any value's. Every other tag (`!!set`, `!!omap`, `!!binary`,
# `!!map` on a list, `!!int` on a mapping, `!!python/...`, local `!tags`) builds something
# that is not JSON data or confuses the constructors, so it is refused where it is written.
_YAML_TAG = "tag:yaml.org,2002:"
_ALLOWED_TAGS: dict[type, frozenset[str]] = {
    yaml.ScalarEvent: frozenset(
        {"!"} | {_YAML_TAG + name for name in ("str", "int", "float", "bool", "null", "timestamp")}
    ),
    yaml.MappingStartEvent: frozenset({"!", _YAML_TAG + "map"}),
    yaml.SequenceStartEvent: frozenset({"!", _YAML_TAG + "seq"}),
}


def _short_tag(tag: str) -> str:
    """A tag as it is written: `!!set` rather than `tag:yaml.org,2002:set`."""
    return visible("!!" + tag.removeprefix(_YAML_TAG) if tag.startswith(_YAML_TAG) else tag)


def _at(mark: Any, code: str, message: str) -> LoadError:
    """A `LoadError` at a parser mark (1-based), or at the file's start when it has none."""
    return LoadError(code, message, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1)


def _deep_before(text: str, mark: Any) -> bool:
    """More than `MAX_DEPTH` flow brackets open before `mark`: worth the slow parser."""
    end = mark.index if mark is not None else len(text)
    return text.count("[", 0, end) + text.count("{", 0, end) > MAX_DEPTH


def _syntax_error(exc: yaml.MarkedYAMLError, text: str) -> LoadError:
    """A YAML error as a diagnostic: the parser's own words, and a fix when we know one."""
    mark = exc.problem_mark or exc.context_mark
    problem = " ".join(filter(None, [exc.context, exc.problem]))
    hint = next((h for key, h in _SYNTAX_HINTS.items() if key in problem), None)
    opened = _unclosed_quote_line(text, mark.line if mark else 0)
    if opened is not None:
        hint = f"is the quote opened on line {opened} closed?"
    code = "yaml-tag" if "constructor" in problem else "yaml-syntax"
    if "found duplicate anchor" in problem or "undefined alias" in problem:
        code = "yaml-anchor"
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    if mark and code == "yaml-syntax":
        found = _writing_slip(text.splitlines(), mark.line)
        if found is not None:
            line, column, hint = found
    message = f"YAML syntax error: {problem}" + (f" ({hint})" if hint else "")
    return LoadError(code, message, line, column)


# Slips newcomers make that libyaml reports elsewhere, or with advice that does not fit:
# what the line looks like, the fix, and which part of the line to point at.
_NO_SPACE_AFTER_COLON = re.compile(r"^\s*(?:- )?[A-Za-z_][\w-]*:(?=[^\s/])")
_NO_SPACE_AFTER_DASH = re.compile(r"^\s*-(?=[^\s-])")
_TEXT_AFTER_QUOTES = re.compile(r"""^\s*(?:- )?(?:[\w-]+: )?(?:'[^']*'|"[^"]*")\s*(?=[^\s#,\]}])""")
_TYPOGRAPHIC_QUOTES = "\u201c\u201d\u2018\u2019"


def _writing_slip(lines: list[str], at: int) -> tuple[int, int, str] | None:
    """(line, column, fix) of a slip on line `at` (0-based) or the line before it, if any.

    A missing space after `:` or `-` makes libyaml fail on the next line; an apostrophe
    inside single quotes ends the value early; typographic quotes are no quotes to YAML.
    """
    before = next((n for n in range(min(at, len(lines)) - 1, -1, -1) if lines[n].strip()), None)
    for number in [n for n in (at, before) if n is not None and n < len(lines)]:
        written = lines[number].split(" #", 1)[0]
        if any(q in written for q in _TYPOGRAPHIC_QUOTES):
            column = next(i for i, c in enumerate(written) if c in _TYPOGRAPHIC_QUOTES)
            return (number + 1, column + 1, "“ ” and ‘ ’ are typographic quotes, which YAML "
                    "does not read as quotes: use straight ones (\" or ')")  # fmt: skip
        if (quoted := _TEXT_AFTER_QUOTES.match(written)) is not None:
            return (number + 1, quoted.end() + 1, "a quoted value ends at its closing quote: "
                    "quote the whole value, and write an apostrophe inside single quotes "
                    "twice ('l''addition'), or use double quotes")  # fmt: skip
        if (key := _NO_SPACE_AFTER_COLON.match(written)) is not None:
            return (number + 1, key.end(), "put a space after the ':' (key: value)")
        if (dash := _NO_SPACE_AFTER_DASH.match(written)) is not None:
            return (number + 1, dash.end(), "put a space after the '-' of a list item")
    return None


def _unclosed_quote_line(text: str, before_line: int) -> int | None:
    """The first line before the error whose double quotes do not pair up, if any.

    A quote left open swallows the following lines, so libyaml fails far below it; this
    names the likely culprit in the message (the position stays the parser's).
    """
    for number, line in enumerate(text.splitlines()[:before_line], start=1):
        code = line.split(" #", 1)[0].replace('\\"', "")
        if code.count('"') % 2 and "'" not in code:
            return number
    return None


def _reader_error(exc: yaml.YAMLError, text: str) -> LoadError:
    """A character YAML does not allow (a control character), located in the text."""
    position = getattr(exc, "position", 0)
    character = getattr(exc, "character", None)
    if isinstance(position, int) and 0 <= position <= len(text.encode("utf-8")):
        # libyaml counts bytes of UTF-8; turn that into characters of the text.
        before = text.encode("utf-8")[:position].decode("utf-8", "replace")
    else:
        before = ""
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1) + 1
    shown = f" (#x{character:04x})" if isinstance(character, int) else ""
    return LoadError(
        "yaml-character",
        f"the file contains a character YAML does not allow{shown}: remove it",
        line,
        column,
    )
