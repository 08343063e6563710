"""Vocabulary and phrase entries, read one way wherever they are read.

The schema allows a plain string, or a mapping with the words (`term` for vocabulary,
`text` for a phrase) and an optional `reading`, `translation` and `note`. The reading
comes last in the tuple, after the fields every entry had before it: the index's rows and
the pages' loops take them in this order. A phrase may also say who speaks it (`speaker`):
the learner by default, or the partner (`said_by_partner`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # types only: importing pydantic would slow every command's start
    from scenariokit.models import Phrase, VocabularyEntry


# An entry read one way: its words, translation, note and reading.
Fields = tuple[str, "str | None", "str | None", "str | None"]


def vocabulary_fields(entry: str | VocabularyEntry) -> Fields:
    """A vocabulary entry's term, translation, note and reading."""
    if isinstance(entry, str):
        return entry, None, None, None
    return entry["term"], entry.get("translation"), entry.get("note"), entry.get("reading")


def said_by_partner(entry: str | Phrase) -> bool:
    """Whether a phrase is the partner's (a line to understand), not the learner's."""
    return not isinstance(entry, str) and entry.get("speaker") == "partner"


def phrase_fields(entry: str | Phrase) -> Fields:
    """A phrase entry's text, translation, note and reading."""
    if isinstance(entry, str):
        return entry, None, None, None
    return entry["text"], entry.get("translation"), entry.get("note"), entry.get("reading")
