"""Which characters a scenario's texts may hold: none that hides text or disguises output.

A title is printed in a maintainer's terminal, annotated on a pull request, shown on the
site and pasted into an AI chat. A character that acts instead of showing (an escape
sequence, a carriage return), reorders what is around it (a bidi override or isolate) or
shows nothing at all (a zero-width space, a tag character, which can carry a whole hidden
sentence to an AI) lets a contributor make one text look like another, or smuggle
instructions past a reader. Every string of a file, keys included, is checked.

Refused: C0 and C1 controls and DEL (the tab and the newline of a YAML block scalar are
fine: they are whitespace, and every writer shows them escaped or as a space); format
characters (Unicode category Cf: bidi embeddings, overrides and isolates, the zero-width
space, the word joiner, invisible operators, a byte-order mark inside text, the soft
hyphen, tag characters, Arabic number signs…) and every other default-ignorable code point
(drawn as nothing: the combining grapheme joiner, the Khmer inherent vowels, unassigned
ones); spaces of odd widths (em quad, hair space…); line and paragraph separators; private-use
characters (they mean something in one font only); noncharacters and surrogates; the
Hangul fillers, the braille blank and the musical null notehead (blanks that are not
spaces, which make a title look empty); a variation selector that follows no character it
could vary, or another one (a run of them can encode hidden text after an emoji), and a
Mongolian one after anything but a Mongolian letter.

Allowed where real languages need them: ZWNJ (U+200C) and ZWJ (U+200D) between two letters
of a script that joins (Arabic, Persian, Syriac, Indic scripts, Sinhala, Tibetan, Myanmar,
Khmer, Mongolian), as in Persian می‌خواهم, and ZWJ inside an emoji sequence (👩‍🍳); the
direction marks LRM, RLM and ALM (U+200E, U+200F, U+061C) in a text that holds
right-to-left letters (Hebrew, Arabic), whose punctuation they place. Terminals show those
marks escaped (`escape.visible`); the page keeps them.

Cost: one regular-expression search over the file's text decides for almost every file
(`may_hide`); only a file with a suspicious character, or a backslash (a double-quoted
escape can write any character), has its strings searched one by one, and only a string
with a hit is looked at character by character.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import NamedTuple

from scenariokit.escape import INVISIBLE

ZWNJ, ZWJ = "\u200c", "\u200d"
_DIRECTION_MARKS = "\u200e\u200f\u061c"
# The Mongolian free variation selectors select a letter's shape as the others select an
# emoji's: one may follow the character it varies.
_VARIATION_SELECTORS = "\u180b-\u180d\u180f\ufe00-\ufe0f\U000e0100-\U000e01ef"
_BLANKS = "\u115f\u1160\u2800\u3164\uffa0\U0001d159"
# Spaces of odd widths (the Ogham space mark is a space outside Ogham text): each makes two
# texts that differ look alike. The no-break spaces French punctuation uses (U+00A0,
# U+202F) and the ideographic space of CJK text are allowed.
_ODD_SPACES = "\u1680\u2000-\u200a\u205f"
_PRIVATE_USE = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0, 0x110000, 0x10000)
)
_OTHERS = f"{ZWNJ}{ZWJ}{_VARIATION_SELECTORS}{_BLANKS}{_ODD_SPACES}{_PRIVATE_USE}{_NONCHARACTERS}"
# Every character to look at closely: refused, or allowed only in context. (The tab and the
# newline are allowed.)
_EXACT = re.compile(f"[\r{INVISIBLE}{_OTHERS}]")


def _fast_class(body: str) -> str:
    """The class `body` with all it holds above U+FFFF widened to one range.

    Python's regular expressions look a character of the basic plane up in a table, but
    compare it with each item above U+FFFF in turn: the exact class makes the scan of a
    typical file many times slower than this one. It finds some characters too many
    (emoji, rare scripts), which `_EXACT` then lets pass.
    """
    items = re.findall("(.)(?:-(.))?", body, re.DOTALL)
    basic = "".join(start + (f"-{end}" if end else "") for start, end in items if start <= "\uffff")
    above = min((start for start, _ in items if start > "\uffff"), default=None)
    return basic + (f"{above}-\U0010ffff" if above else "")


_SUSPECT = re.compile(f"[{_fast_class(_EXACT.pattern[1:-1])}]")
# In a file's text: the same but the carriage return, which is only ever a line end there
# (YAML turns it into a newline), or a backslash: how a double-quoted YAML string writes
# any character, a carriage return included.
_SUSPECT_IN_FILE = re.compile(f"[\\\\{_fast_class(INVISIBLE + _OTHERS)}]")
_VARIATION_SELECTOR = re.compile(f"[{_VARIATION_SELECTORS}]")
_RIGHT_TO_LEFT = re.compile(
    "[\u0590-\u061b\u061d-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]"
)
# Scripts that use ZWJ and ZWNJ between their letters.
_JOINING_SCRIPTS = re.compile(
    "[\u0600-\u08ff\u0900-\u0dff\u0f00-\u0fff\u1000-\u109f\u1780-\u18af\ua8e0-\ua8ff"
    "\ufb50-\ufdff\ufe70-\ufeff\U00011000-\U000111ff]"
)
_EMOJI_MODIFIERS = "\ufe0f\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff"


class Hidden(NamedTuple):
    """A refused character of one string: which, where (from 1), how often, and why."""

    character: str
    position: int
    times: int
    reason: str

    def describe(self) -> str:
        """`U+200B ZERO WIDTH SPACE at character 6 (2 in all), an invisible space: …`."""
        more = f" ({self.times} in all)" if self.times > 1 else ""
        return f"{code_point(self.character)} at character {self.position}{more}, {self.reason}"


def may_hide(text: str) -> bool:
    """Whether a file's text may hold a refused character in one of its values.

    False for nearly every file, in one search: then no string need be looked at. Every
    character of a value is either written out in the file or made by an escape of a
    double-quoted string, which starts with a backslash (line breaks, CRLF included,
    become newlines, which are allowed).
    """
    return _SUSPECT_IN_FILE.search(text) is not None


def hidden_in(text: str) -> Iterator[Hidden]:
    """The refused characters of `text`, the first of each kind with how many; most have none.

    One diagnostic per kind, not per character: a sentence hidden in tag characters is one
    problem, not forty.
    """
    if _SUSPECT.search(text) is None:
        return
    first: dict[str, Hidden] = {}
    for match in _SUSPECT.finditer(text):
        index, character = match.start(), match.group()
        reason = _refusal(text, index, character)
        if reason is None:
            continue
        if reason in first:
            first[reason] = first[reason]._replace(times=first[reason].times + 1)
        else:
            first[reason] = Hidden(character, index + 1, 1, reason)
    yield from first.values()


def code_point(character: str) -> str:
    """`U+202E RIGHT-TO-LEFT OVERRIDE`; controls and the like, which have no name, by kind."""
    code = ord(character)
    name = unicodedata.name(character, "") or _UNNAMED.get(code) or _kind(character)
    return f"U+{code:04X} {name}"


_UNNAMED = {
    0x00: "NULL",
    0x07: "BELL",
    0x08: "BACKSPACE",
    0x0B: "LINE TABULATION",
    0x0C: "FORM FEED",
    0x0D: "CARRIAGE RETURN",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
    0x85: "NEXT LINE",
    0x9B: "CONTROL SEQUENCE INTRODUCER",
}


def _kind(character: str) -> str:
    category = unicodedata.category(character)
    code = ord(character)
    if category == "Cn" and not (0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE):
        return "<unassigned>"
    return {"Cc": "<control>", "Co": "<private use>", "Cs": "<surrogate>"}.get(
        category, "<noncharacter>"
    )


def _refusal(text: str, index: int, character: str) -> str | None:
    """Why `character` at `index` of `text` is refused, or None where a language needs it."""
    if not _EXACT.match(character):
        return None  # one of the few characters `_SUSPECT` finds too many
    before = text[index - 1] if index else ""
    after = text[index + 1 : index + 2]
    if character in (ZWNJ, ZWJ):
        if _joins(before, after, emoji=character == ZWJ):
            return None
        return (
            "an invisible joiner, allowed only between two letters of a script that uses it "
            "(Arabic, Persian, Indic scripts…) or inside an emoji sequence: remove it"
        )
    if character in _DIRECTION_MARKS:
        if _RIGHT_TO_LEFT.search(text):
            return None
        return (
            "an invisible direction mark, allowed only in text written in a right-to-left "
            "script: remove it"
        )
    if _VARIATION_SELECTOR.match(character):
        mongolian = "\u180b" <= character <= "\u180f"
        if before and (
            "\u1820" <= before <= "\u18aa"
            if mongolian
            else unicodedata.category(before)[0] in "LNPS"
        ):
            return None
        return (
            "a variation selector that varies no character (a run of them can hide text): "
            "remove it (one may follow the emoji or character it varies)"
        )
    return _REASONS[unicodedata.category(character)](character)


def _joins(before: str, after: str, *, emoji: bool) -> bool:
    """ZWJ or ZWNJ between letters of a joining script, or ZWJ between two emoji."""
    if not before or not after:
        return False
    if emoji and (unicodedata.category(before) == "So" or before in _EMOJI_MODIFIERS):
        return unicodedata.category(after) == "So"
    return all(
        unicodedata.category(c)[0] in "LM" and _JOINING_SCRIPTS.match(c) for c in (before, after)
    )


def _control(character: str) -> str:
    if character == "\r":
        return "a carriage return, which lets text overwrite a line: remove it"
    if character == "\x1b":
        return "which starts the escape sequences terminals obey: remove it"
    return "a control character, which a terminal may act on: remove it"


def _format(character: str) -> str:
    code = ord(character)
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        return (
            "a bidirectional control, which reorders the text around it: remove it (letters "
            "take their direction by themselves)"
        )
    if 0xE0000 <= code <= 0xE007F:
        return "an invisible tag character, which can carry hidden text: remove it"
    if character == "\u200b":
        return "an invisible space: use an ordinary space, or remove it"
    if character == "\u00ad":
        return "an invisible hyphenation point: remove it (pages hyphenate by themselves)"
    return "an invisible formatting character: remove it"


def _odd_space(character: str) -> str:
    return (
        "a space of an odd width, which makes one text look like another: use an ordinary "
        "space (French punctuation may use the no-break spaces U+00A0 and U+202F)"
    )


def _separator(character: str) -> str:
    return "a line break that terminals and pages each read differently: use a space"


def _blank(character: str) -> str:
    return "a blank that is not a space, which makes text look empty: remove it"


def _private(character: str) -> str:
    return "a private-use character, which means something in one font only: remove it"


def _noncharacter(character: str) -> str:
    if _kind(character) == "<unassigned>":
        return (
            "a code point with no character yet, which a newer font may draw as nothing: remove it"
        )
    return "which is not a character any text may hold: remove it"


_REASONS = {
    "Cc": _control,
    "Cf": _format,
    "Mn": _format,  # the combining grapheme joiner, the Khmer inherent vowels
    "Zs": _odd_space,
    "Zl": _separator,
    "Zp": _separator,
    "Lo": _blank,  # the Hangul fillers
    "So": _blank,  # the braille blank
    "Co": _private,
    "Cs": _noncharacter,
    "Cn": _noncharacter,
}
