"""Contributor text made safe to print, once per medium.

Scenario files, file names and commit contents come from strangers' pull requests. What the
tool prints from them must not be able to disguise the output around it: an escape sequence
that clears a maintainer's terminal, a carriage return that overwrites a line, a right-to-left
override that reverses a file name, a zero-width or tag character that hides text, a newline
that starts a GitHub workflow command, markdown that renders as a link, an image or an
@mention. Each writer passes such text through the function for its medium:

- `visible`: a terminal (and the base of every other medium): invisible and controlling
  characters shown as escapes (`\\u202e`); an undecodable byte of a file name as `\\xe9`.
- `workflow_data`, `workflow_property`: GitHub Actions workflow commands (annotations).
- `markdown_text`, `markdown_code`: the pull request's markdown summary.

ZWJ (U+200D) and ZWNJ (U+200C) are kept: Persian, Indic scripts and emoji sequences need
them, and they join or separate letters without hiding any.
"""

from __future__ import annotations

import re

# Controls (C0, DEL, C1), format characters (Unicode category Cf) other than ZWJ and ZWNJ,
# line and paragraph separators, and surrogates (what `os.fsdecode` makes of bytes that are
# not UTF-8). Written out as ranges: deriving them from `unicodedata` costs a walk over every
# code point at start-up.
_HIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff"
    "\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-?\[-`{-~])")  # every ASCII punctuation mark


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


def workflow_data(text: str) -> str:
    """A workflow command's message, escaped as the Actions toolkit does (after `visible`)."""
    return visible(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(text: str) -> str:
    """A workflow command's property value (`file=`, `title=`): also `:` and `,` escaped."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")


def markdown_text(text: str) -> str:
    """Inline markdown that renders as exactly `text`: no link, tag, table cell or mention.

    Every ASCII punctuation mark is backslash-escaped (CommonMark allows that for each), so
    nothing becomes markup, HTML or an entity; `@` becomes the full-width `＠`, because
    GitHub turns `@login` into a notification even when escaped.
    """
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", visible(text)).replace("@", "＠")


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
