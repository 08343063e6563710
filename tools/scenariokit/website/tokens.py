"""Words for search: the same normalisation for the SQLite index and the site's search.

Text is lower-cased and stripped of accents ("Qué" → "que", "ёлка" → "елка"), of Arabic's
vowel marks and tatweel ("مَرْحَبًا" → "مرحبا", "أ" → "ا": a word is found however fully it
is vowelled) and of the ʾ and ʿ of transliterations ("ʿarabī" → "arabi"); it is split on
anything that is not a letter or digit, and runs of Chinese, Japanese or Korean characters,
which are written without spaces, become overlapping two-character pieces ("焼き鳥" →
"焼き", "き鳥"), so a search for a word inside a run still finds it. search.js does the
same, step by step (lower(), NFKD, drop `_MARKS`, NFC), so both sides agree on every word;
tests run the two on the same texts (tests/test_browser.py, tests/test_scripts.py).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff66-\uff9f"
_PIECES = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")
_IS_CJK = re.compile(rf"[{_CJK}]")
MIN_LENGTH = 3  # shorter words ("la", "de", "to") are not indexed on the site


# What a word is found without (search.js has the same class): the combining accents of
# Latin, Greek and Cyrillic letters; Arabic's vowel and Quranic marks, with the hamza and
# madda that NFKD takes off an alef, and tatweel; the modifier letters ʾ and ʿ.
_MARKS = re.compile(
    "[\u0300-\u036f\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4"
    "\u06e7\u06e8\u06ea-\u06ed\u02be\u02bf]"
)


def fold(text: str) -> str:
    """Lower case, without accents, Arabic vowel marks and tatweel (see `_MARKS`)."""
    if text.isascii():  # most translations: nothing to decompose
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return unicodedata.normalize("NFC", _MARKS.sub("", decomposed))


@lru_cache(maxsize=1 << 14)
def terms(text: str) -> tuple[str, ...]:
    """The searchable words of `text`, in order, repeats kept.

    Remembered: the SQLite index and the site's search read the same texts, and phrases
    recur across scenarios. That matters to a full build from a few hundred files on, not to
    the starter library's 30 (bench/README.md, "Each optimisation, with and without").
    """
    if text.isascii():
        return tuple(_PIECES.findall(text.lower()))
    found: list[str] = []
    for piece in _PIECES.findall(fold(text)):
        if _IS_CJK.match(piece):
            found.extend(
                [piece] if len(piece) == 1 else [piece[i : i + 2] for i in range(len(piece) - 1)]
            )
        else:
            found.append(piece)
    return tuple(found)


def fts_text(*texts: str) -> str:
    """The words of `texts` separated by spaces, for an FTS5 column or query."""
    return " ".join(term for text in texts for term in terms(text))


def is_cjk(term: str) -> bool:
    """A word of Chinese, Japanese or Korean characters (a one- or two-character piece)."""
    return _IS_CJK.match(term) is not None


@lru_cache(maxsize=1 << 14)
def site_terms(text: str) -> tuple[str, ...]:
    """The words of `text` that the site's search indexes.

    CJK pieces, and other words of at least `MIN_LENGTH` characters: what `terms` in
    search.js gives for the same text (a browser test holds the two to each other).
    Remembered like `terms`, for the same reason.
    """
    if text.isascii():
        return tuple(t for t in terms(text) if len(t) >= MIN_LENGTH)
    return tuple(t for t in terms(text) if is_cjk(t) or len(t) >= MIN_LENGTH)
