"""Readings a beginner needs: which words need one, and a reading to suggest.

Japanese and Chinese written with Han characters (kanji, hanzi) cannot be read by a
beginner without a reading. `validate` warns about such an entry without one
(`rules.readings_are_given`) and suggests a reading computed by a maintained library —
Janome's dictionary for Japanese (kana: hiragana, loanwords kept in katakana), pypinyin
for Chinese (pinyin with tone marks) — as a suggestion to check, never written into a file:
a dictionary picks one reading of 一泊 (いちはく where a teacher writes いっぱく).
Both libraries load only when a warning needs a suggestion.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from scenariokit.check.languages import primary_language

# Han characters: the CJK Unified Ideographs, their extensions and compatibility forms.
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# The languages whose words are written with them and read with a reading.
_WITH_READINGS = ("ja", "zh")
# The Chinese languages, which a tag may name on their own rather than as `zh`: the members
# of ISO 639-3's `zh` macrolanguage (Mandarin `cmn`, Cantonese `yue`, Wu, Hakka, Min…) and
# Literary Chinese. Each is written with hanzi, and read by a beginner with a reading.
_CHINESE = frozenset(
    {"zh", "cmn", "yue", "wuu", "hak", "nan", "gan", "hsn", "cdo", "cjy", "cpx", "czh", "czo"}
    | {"lzh", "mnp"}
)
# Pinyin romanises Mandarin: suggested for it alone (Cantonese is read with Jyutping).
_PINYIN = frozenset({"zh", "cmn"})


def reading_language(language: Any) -> str:
    """The language as the readings' standard knows it: `zh` for any Chinese language."""
    primary = primary_language(language) if isinstance(language, str) else ""
    return "zh" if primary in _CHINESE else primary


def needs_reading(language: Any, words: str) -> bool:
    """Whether `words` in `language` hold characters a beginner cannot read yet."""
    return reading_language(language) in _WITH_READINGS and _HAN.search(words) is not None


def suggested_reading(language: str, words: str) -> str | None:
    """A reading of `words` to suggest: kana for Japanese, pinyin for Mandarin; else None."""
    primary = primary_language(language)
    if primary == "ja":
        return _kana(words)
    return _pinyin(words) if primary in _PINYIN else None


def _kana(words: str) -> str:
    """Hiragana, from the dictionary's katakana readings; words in katakana stay so."""
    parts = []
    for token in _tokenizer().tokenize(words):
        surface, reading = token.surface, token.reading
        if not reading or reading == "*" or _KATAKANA.fullmatch(surface):
            parts.append(surface)
        else:
            parts.append(reading.translate(_TO_HIRAGANA))
    return "".join(parts)


_KATAKANA = re.compile("[\u30a0-\u30ffー]+")
_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}


@cache
def _tokenizer() -> Any:
    from janome.tokenizer import Tokenizer  # a 20 MB dictionary: only when needed

    return Tokenizer()


def _pinyin(words: str) -> str:
    """Pinyin with tone marks, a syllable apart; punctuation kept."""
    from pypinyin import Style, lazy_pinyin

    return " ".join(lazy_pinyin(words, style=Style.TONE)).replace(" ，", "，").replace(" 。", "。")
