"""Vocabulary and phrase entries, read one way wherever they are read.

The schema allows a plain string, or a mapping with the words (`term` for vocabulary,
`text` for a phrase) and an optional `translation` and `note`.
"""

from __future__ import annotations

from typing import Any


def entry_fields(entry: str | dict[str, Any], key: str) -> tuple[str, str | None, str | None]:
    """An entry's words (under `key` in a mapping), translation and note."""
    if isinstance(entry, str):
        return entry, None, None
    return entry[key], entry.get("translation"), entry.get("note")
