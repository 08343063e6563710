"""The canonical text of a plain document, written directly: `fmt`'s fast path.

`writer.canonical_text` goes through ruamel.yaml, which keeps comments, at many times the
cost of parsing the file (bench/README.md): `fmt --check` on a pull request paid that for
every file, though nearly every file is already canonical and holds no comment. Deciding
that needs only the file's data, as the loader reads them: `plain_canonical_text` writes
the text ruamel.yaml would write for them, and a file equal to it byte for byte (but for
comment lines below the modeline: `without_header_comments`) is canonical. Anything else
goes the slow way.

It writes only the shapes scenarios have, and answers None for anything else, so the caller
falls back to ruamel.yaml: a mapping of text keys whose values are text, booleans, integers,
and non-empty mappings and lists of those (not a list directly in a list). Text must be one
line of characters ruamel.yaml writes as they are (no tab, control, byte-order mark or line
break) and short enough never to be folded (ruamel.yaml folds past 65,536 columns, and writes
a key of 128 characters or more as `? key`).

Quoting follows ruamel.yaml's emitter (`analyze_scalar`, `choose_scalar_style`) for that text,
with the YAML 1.1 resolver ruamel.yaml itself uses (`y`, `on`, `2024-05-01` and `15` read as
something else, so they are quoted): plain where it reads back as text and no indicator forbids
it, else in double quotes when it holds a `'`, in single quotes otherwise. The rule is
`files/quoting.py`'s, where `validate`'s advice to quote a value takes its quotes from.

Key order and layout are `writer`'s (`canonical_keys`, two spaces a level, list items under
their key). tests/test_fmt.py proves the output byte-identical to `canonical_text`, and left
unchanged by `format_text`, for generated documents, every file of the repository and
strings chosen to be tricky.
"""

from __future__ import annotations

import re
from typing import Any

from scenariokit.author.writer import ITEM_KINDS, canonical_keys
from scenariokit.files.quoting import yaml_text

# Longer text or keys go the slow way: ruamel.yaml would fold or write `? key` (see above).
MAX_TEXT = 10_000
MAX_KEY = 100

# One line of characters ruamel.yaml writes unescaped with `allow_unicode`: printable ASCII
# and Unicode, less the byte-order mark and the line and paragraph separators.
_WRITTEN_AS_IS = re.compile(
    "[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]+"
)


class _Unhandled(Exception):
    """A value this emitter does not write: the caller falls back to ruamel.yaml."""


def header_comments(text: str) -> str:
    """The comment lines right below `text`'s first line (the modeline), as written.

    A `# spelling:` allow-list lives there (README, "Checking spelling"). A line holding a
    carriage return ends them, since ruamel.yaml rewrites it.
    """
    rest = text.partition("\n")[2]
    header = rest
    while rest.startswith("#"):
        line, newline, after = rest.partition("\n")
        if "\r" in line or not newline:
            break
        rest = after
    return header[: len(header) - len(rest)]


def without_header_comments(text: str) -> str:
    """`text` without its `header_comments`.

    ruamel.yaml keeps such lines exactly as they are, so a file is canonical when the rest
    of it is: they need not send it the slow way.
    """
    first, _, rest = text.partition("\n")
    return f"{first}\n{rest[len(header_comments(text)) :]}"


def with_header_comments(text: str, header: str) -> str:
    """`text` with `header` (another file's `header_comments`) right below its first line."""
    first, _, rest = text.partition("\n")
    return f"{first}\n{header}{rest}"


def plain_canonical_text(doc: Any, modeline: str) -> str | None:
    """What `writer.canonical_text(doc, modeline)` returns, or None if `doc` is not handled."""
    if not isinstance(doc, dict) or not doc:
        return None
    lines = [modeline]
    try:
        _mapping(doc, "scenario", "", "", lines)
    except _Unhandled:
        return None
    return "\n".join(lines) + "\n"


def _mapping(
    node: dict[Any, Any], kind: str | None, lead: str, indent: str, lines: list[str]
) -> None:
    """A block mapping's lines; the first key's line starts with `lead` (`- ` in a list)."""
    for key in canonical_keys(node, kind):
        value = node[key]
        head = f"{lead}{_key(key)}:"
        lead = indent
        if isinstance(value, dict):
            if not value:
                raise _Unhandled
            lines.append(head)
            _mapping(value, ITEM_KINDS.get(key), indent + "  ", indent + "  ", lines)
        elif isinstance(value, list):
            if not value:
                raise _Unhandled
            lines.append(head)
            _sequence(value, ITEM_KINDS.get(key), indent + "  ", lines)
        else:
            lines.append(f"{head} {_scalar(value)}")


def _sequence(items: list[Any], kind: str | None, indent: str, lines: list[str]) -> None:
    """A block list's lines: `- ` at `indent`, a mapping item's other keys two further."""
    for item in items:
        if isinstance(item, dict):
            if not item:
                raise _Unhandled
            _mapping(item, kind, indent + "- ", indent + "  ", lines)
        elif isinstance(item, list):
            raise _Unhandled  # ruamel.yaml writes `-   - x`: not worth copying
        else:
            lines.append(f"{indent}- {_scalar(item)}")


def _scalar(value: Any) -> str:
    """A value as ruamel.yaml writes it after a key or a dash."""
    kind = type(value)
    if kind is str:
        return _text(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    raise _Unhandled  # null, a float, a date: written by ruamel.yaml, rare in a scenario


# Keys as written, remembered: the same few dozen recur in every file. Bounded, for a
# file of 1 MiB holds tens of thousands of keys of its own.
_keys: dict[str, str] = {}
_KEYS_REMEMBERED = 1_000


def _key(key: Any) -> str:
    """A key as written."""
    written = _keys.get(key)
    if written is None:
        if type(key) is not str or len(key) > MAX_KEY:
            raise _Unhandled
        written = _text(key)
        if len(_keys) < _KEYS_REMEMBERED:
            _keys[key] = written
    return written


def _text(value: str) -> str:
    """Text plain, or quoted as ruamel.yaml quotes it; `_Unhandled` outside the one-line set."""
    if not value:
        return "''"
    if len(value) > MAX_TEXT or not _WRITTEN_AS_IS.fullmatch(value):
        raise _Unhandled
    return yaml_text(value)
