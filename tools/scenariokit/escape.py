"""Contributor text made safe to print, once per medium.

Scenario files, file names and commit contents come from strangers' pull requests. What the
tool prints from them must not be able to disguise the output around it: an escape sequence
that clears a maintainer's terminal, a carriage return that overwrites a line, a right-to-left
override that reverses a file name, a zero-width or tag character that hides text, a newline
that starts a GitHub workflow command, markdown that renders as a link, an image, an
@mention or an issue reference. Each writer passes such text through the function for its medium:

- `visible`: a terminal (and the base of every other medium): invisible and controlling
  characters shown as escapes (`\\u202e`); an undecodable byte of a file name as `\\xe9`.
  `visible_lines` does the same for a whole file, keeping its line breaks and tabs.
- `json_text`: JSON for a terminal or a tool: hidden characters as JSON's `\\u` escapes.
- `workflow_data`, `workflow_property`: GitHub Actions workflow commands (annotations).
- `markdown_text`, `markdown_code`: the pull request's markdown summary.

ZWJ (U+200D) and ZWNJ (U+200C) are kept: Persian, Indic scripts and emoji sequences need
them, and they join or separate letters without hiding any.
"""

from __future__ import annotations

import re

# Controls (C0 but tab, newline and carriage return; DEL, C1), format characters (Unicode
# category Cf) other than ZWJ and ZWNJ, line and paragraph separators, surrogates (what
# `os.fsdecode` makes of bytes that are not UTF-8), and the default-ignorable code points
# that fonts draw as nothing (the combining grapheme joiner, the Khmer inherent vowels, the
# unassigned ones a newer font may know: U+2065, U+FFF0-U+FFF8, the rest of the tag block
# and beyond) but the variation selectors, as the body of a regular-expression
# class: `characters` builds the validation rule's prefilter from it, so what the rule
# refuses and what the writers escape cannot drift apart. Written out as ranges: deriving
# them from `unicodedata` costs a walk over every code point at start-up.
INVISIBLE = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f"
    "\u0890\u0891\u08e2\u17b4\u17b5\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u206f"
    "\ud800-\udfff\ufeff\ufff0-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e00ff\U000e01f0-\U000e0fff"
)
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
_HIDDEN = re.compile(f"[\t\n\r{INVISIBLE}]")
# What `visible_lines` escapes: a carriage return only where it is not part of a CRLF.
_HIDDEN_IN_LINES = re.compile(f"[{INVISIBLE}]|\r(?!\n)")
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-?\[-`{-~])")  # every ASCII punctuation mark
# An emoji shortcode once escaped: `\:tada\:`, `\:\+1\:` (its name's marks escaped too).
_SHORTCODE = re.compile(r"\\:((?:[a-z0-9]|\\[+_-])+)\\:")


def visible(text: str) -> str:
    """`text` with every hidden or controlling character shown as an escape.

    Tabs and newlines are escaped too: each value is printed on one line of its own.
    """
    return _HIDDEN.sub(_escape, text) if _HIDDEN.search(text) else text


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    return {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}.get(
        code, f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
    )


def visible_lines(text: str) -> str:
    """A whole text (a file shown by `scenarios show`) with its hidden characters escaped.

    Its line breaks (LF and CRLF) and tabs are kept, so a file holding nothing hidden is
    printed exactly as it is.
    """
    return _HIDDEN_IN_LINES.sub(_escape, text) if _HIDDEN_IN_LINES.search(text) else text


def json_text(document: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`) with nothing hidden in it.

    `json.dumps` escapes the C0 controls but writes bidi overrides, zero-width and tag
    characters as they are (and a surrogate as one no encoder can write). Each is written
    as its JSON `\\u` escape instead: every JSON reader gets the very same strings, and a
    terminal shows nothing hidden. Those characters occur only inside strings in JSON, so
    the whole document can be rewritten at once.
    """
    return _INVISIBLE.sub(_json_escape, document) if _INVISIBLE.search(document) else document


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # a UTF-16 surrogate pair, the only way JSON writes such a character
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def workflow_data(text: str) -> str:
    """A workflow command's message, escaped as the Actions toolkit does (after `visible`)."""
    return visible(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(text: str) -> str:
    """A workflow command's property value (`file=`, `title=`): also `:` and `,` escaped."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(kind: str, message: str, **properties: str | int) -> str:
    """`::kind name=value,…::message`: one GitHub workflow command, each part escaped once.

    The one way the tool writes an annotation (`validate`, `fmt` and `review` all do).
    """
    given = ",".join(f"{name}={workflow_property(str(v))}" for name, v in properties.items())
    return f"::{kind}{' ' if given else ''}{given}::{workflow_data(message)}"


def markdown_text(text: str) -> str:
    """Inline markdown that shows `text`: no link, tag, table cell, mention or reference.

    Every ASCII punctuation mark is backslash-escaped (CommonMark allows that for each), so
    nothing becomes markup, HTML or an entity. GitHub reads some text after markdown, where
    escapes no longer count, so three marks become their full-width forms: `@` (`@login`
    notifies), `#` (`#12` and `owner/repo#12` link an issue, and the second writes a
    cross-reference into that repository's issue) and the colons of an emoji shortcode
    (`:tada:` would show 🎉).
    """
    escaped = _MARKDOWN_PUNCTUATION.sub(r"\\\1", visible(text))
    escaped = _SHORTCODE.sub(r"：\1：", escaped)
    return escaped.replace("@", "＠").replace("\\#", "＃")


def markdown_code(text: str) -> str:
    """A code span holding `text` exactly, safe in a table cell (GitHub mentions none in it).

    The fence is one backtick longer than the longest run of backticks in the text, and a
    text that starts or ends with a backtick is padded with a space, as CommonMark asks.
    `|` is escaped because GitHub splits table cells before it reads code spans.
    """
    shown = visible(text).replace("|", "\\|") or " "
    fence = "`" * (max((len(run) for run in re.findall("`+", shown)), default=0) + 1)
    padding = " " if shown[0] == "`" or shown[-1] == "`" else ""
    return f"{fence}{padding}{shown}{padding}{fence}"
