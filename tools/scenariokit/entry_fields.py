"""Vocabulary and phrase entries, read one way wherever they are read.

The schema allows a plain string, or a mapping with the words (`term` for vocabulary,
`text` for a phrase) and an optional `translation` and `note`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # types only: importing pydantic would slow every command's start
    from scenariokit.models import Phrase, VocabularyEntry


# An entry read one way: its words, translation and note.
Fields = tuple[str, "str | None", "str | None"]


def vocabulary_fields(entry: str | VocabularyEntry) -> Fields:
    """A vocabulary entry's term, translation and note."""
    if isinstance(entry, str):
        return entry, None, None
    return entry["term"], entry.get("translation"), entry.get("note")


def phrase_fields(entry: str | Phrase) -> Fields:
    """A phrase entry's text, translation and note."""
    if isinstance(entry, str):
        return entry, None, None
    return entry["text"], entry.get("translation"), entry.get("note")
