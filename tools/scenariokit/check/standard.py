"""The shipped library's standard: what a phase and its entries should have.

These are goals for the library (issue 13), not rules: `validate` does not refuse a
scenario that misses them. `scenarios stats` counts them by language and the site's
languages page shows the entries still missing a translation or a reading, so
contributors see where help is needed. Measured in one place, so both say the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scenariokit.check.readings import needs_reading, reading_language
from scenariokit.entry_fields import Fields, phrase_fields, said_by_partner, vocabulary_fields

# Which entries of a language should carry a `reading`: every Chinese and Korean one,
# Japanese ones with kanji (`readings.needs_reading`: a beginner reads kana), and Arabic's
# words (its phrases are read with the words' help).
READINGS_EXPECTED = {"zh": "entries", "ko": "entries", "ja": "kanji", "ar": "vocabulary"}
MIN_WORDS = 5  # a phase's words and phrases (partner lines count)
MIN_PHRASES = 5
MIN_PARTNER_LINES = 2


@dataclass(frozen=True, slots=True)
class PhaseMeasure:
    """One phase against the standard."""

    entries: int
    missing_translation: int
    missing_reading: int
    thin: bool  # fewer than MIN_WORDS words or MIN_PHRASES phrases
    few_partner_lines: bool  # fewer than MIN_PARTNER_LINES


def expects_readings(language: str) -> bool:
    """Whether the standard asks this language's entries for readings at all."""
    return reading_language(language) in READINGS_EXPECTED


def measure_phase(phase: Mapping[str, Any], language: str) -> PhaseMeasure:
    """How far one phase of a scenario in `language` is from the standard."""
    words = [vocabulary_fields(e) for e in phase["key_vocabulary"]]
    phrases = [phrase_fields(e) for e in phase["essential_phrases"]]
    expected = READINGS_EXPECTED.get(reading_language(language))
    partner = sum(1 for e in phase["essential_phrases"] if said_by_partner(e))
    return PhaseMeasure(
        entries=len(words) + len(phrases),
        missing_translation=sum(1 for f in (*words, *phrases) if not f[1]),
        missing_reading=sum(
            1 for f in _reading_expected(expected, words, phrases, language) if not f[3]
        ),
        thin=len(words) < MIN_WORDS or len(phrases) < MIN_PHRASES,
        few_partner_lines=partner < MIN_PARTNER_LINES,
    )


def missing(doc: Mapping[str, Any]) -> tuple[int, int]:
    """A scenario's entries without a translation, and without the reading expected."""
    measures = [measure_phase(p, doc["language"]) for p in doc["phases"]]
    return (
        sum(m.missing_translation for m in measures),
        sum(m.missing_reading for m in measures),
    )


def _reading_expected(
    expected: str | None, words: list[Fields], phrases: list[Fields], language: str
) -> list[Fields]:
    """The entries of a phase that should carry a reading (`READINGS_EXPECTED`)."""
    if expected == "entries":
        return [*words, *phrases]
    if expected == "kanji":
        return [f for f in (*words, *phrases) if needs_reading(language, f[0])]
    return words if expected == "vocabulary" else []
