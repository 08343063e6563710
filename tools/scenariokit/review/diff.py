"""What an edit of a scenario changed: fields, phases, and each word and phrase.

The review summary shows a maintainer what a pull request does to a scenario without the
YAML: which fields changed (old → new), which phases were added, removed or reordered,
and in each phase which vocabulary entries and phrases were added, removed or changed.

Phases are matched by `phase_id` (a phase without one by its position). Entries are matched
by their words (`term` or `text`): the same words with another translation, reading, note
or speaker is a change of that entry; an entry whose words changed but whose translation
stayed is a change of its words; anything else is a removal and an addition. Nothing is
assumed about the documents' shape: they come from a pull request and may be broken, so
every value is compared as it is and read defensively.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

# An entry's parts, in the order they are shown: the words first.
ENTRY_PARTS = ("words", "translation", "reading", "note", "speaker")
# Where an entry's words are, in a vocabulary entry and in a phrase.
_WORDS_KEYS = ("term", "text")
PHASE_LISTS = {"key_vocabulary": "word", "essential_phrases": "phrase"}


class _Absent:
    """A field that one side does not have (distinct from a null value)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


@dataclass(frozen=True, slots=True)
class FieldChange:
    """A field whose value differs: `old` or `new` is `ABSENT` when a side lacks it."""

    key: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class EntryChange:
    """A vocabulary entry or phrase added, removed or changed (`old`/`new` its parts)."""

    change: Literal["added", "removed", "changed"]
    old: dict[str, str] | None
    new: dict[str, str] | None


@dataclass(slots=True)
class PhaseDiff:
    """What changed in a phase both sides have."""

    phase_id: str
    fields: list[FieldChange] = field(default_factory=list)
    entries: dict[str, list[EntryChange]] = field(default_factory=dict)  # list key → changes
    reordered: list[str] = field(default_factory=list)  # list keys whose order alone changed

    def __bool__(self) -> bool:
        return bool(self.fields or any(self.entries.values()) or self.reordered)


@dataclass(slots=True)
class ScenarioDiff:
    """What changed between two versions of a scenario."""

    fields: list[FieldChange] = field(default_factory=list)
    added: dict[str, Any] = field(default_factory=dict)  # phase id → the new phase
    removed: dict[str, Any] = field(default_factory=dict)  # phase id → the old phase
    edited: list[PhaseDiff] = field(default_factory=list)
    order: tuple[list[str], list[str]] | None = None  # phase ids before and after, if moved

    def notes(self) -> list[str]:
        """What changed, in a few words each: for a terminal line and a table cell."""
        notes = [change.key for change in self.fields]
        notes += [f"phase {p} added" for p in self.added]
        notes += [f"phase {p} removed" for p in self.removed]
        for phase in self.edited:
            notes.append(f"phase {phase.phase_id}: {', '.join(_phase_notes(phase))}")
        if self.order:
            notes.append("phases reordered")
        return notes


def scenario_diff(old: dict[str, Any], new: dict[str, Any]) -> ScenarioDiff:
    """Compare two versions of a scenario's data."""
    result = ScenarioDiff(fields=field_changes(old, new, skip={"phases"}))
    old_phases, new_phases = phases_by_id(old), phases_by_id(new)
    result.added = {p: v for p, v in new_phases.items() if p not in old_phases}
    result.removed = {p: v for p, v in old_phases.items() if p not in new_phases}
    for phase_id, phase in new_phases.items():
        if phase_id in old_phases:
            changed = phase_diff(phase_id, old_phases[phase_id], phase)
            if changed:
                result.edited.append(changed)
    kept_old = [p for p in old_phases if p in new_phases]
    kept_new = [p for p in new_phases if p in old_phases]
    if kept_old != kept_new:
        result.order = (list(old_phases), list(new_phases))
    return result


def phase_diff(phase_id: str, old: Any, new: Any) -> PhaseDiff:
    """Compare two versions of one phase: its fields, then its words and phrases."""
    old_map = old if isinstance(old, dict) else {}
    new_map = new if isinstance(new, dict) else {}
    result = PhaseDiff(phase_id, field_changes(old_map, new_map, skip={"phase_id", *PHASE_LISTS}))
    for key in PHASE_LISTS:
        before, after = _as_list(old_map.get(key)), _as_list(new_map.get(key))
        changes = entry_changes(before, after)
        result.entries[key] = changes
        if not changes and before != after:
            result.reordered.append(key)
    return result


def field_changes(old: dict[Any, Any], new: dict[Any, Any], *, skip: set[str]) -> list[FieldChange]:
    """The keys whose values differ, in the new version's order, then the removed ones."""
    keys = [k for k in dict.fromkeys([*new, *old]) if str(k) not in skip]
    return [
        FieldChange(str(k), old.get(k, ABSENT), new.get(k, ABSENT))
        for k in keys
        if old.get(k, ABSENT) != new.get(k, ABSENT)
    ]


def entry_parts(entry: Any) -> dict[str, str]:
    """An entry's parts as text: `words` (its term or text) and the others it has.

    A value of the wrong type (an entry that is neither text nor a mapping) is shown as it is.
    """
    if isinstance(entry, dict):
        words = next((entry[k] for k in _WORDS_KEYS if k in entry), "")
        parts = {"words": words, **{k: entry[k] for k in ENTRY_PARTS[1:] if k in entry}}
        return {k: plain(v) for k, v in parts.items()}
    return {"words": plain(entry)}


def entry_changes(old: list[Any], new: list[Any]) -> list[EntryChange]:
    """Entries added, changed (in the new list's order) and removed (in the old one's)."""
    before = [entry_parts(e) for e in old]
    after = [entry_parts(e) for e in new]
    unmatched = list(range(len(before)))
    pairs: dict[int, int] = {}  # new index → old index
    for by in ("words", "translation"):
        for index, entry in enumerate(after):
            if index in pairs or not entry.get(by):
                continue
            found = next((o for o in unmatched if before[o].get(by) == entry[by]), None)
            if found is not None:
                pairs[index] = found
                unmatched.remove(found)
    changes = []
    for index, entry in enumerate(after):
        if index not in pairs:
            changes.append(EntryChange("added", None, entry))
        elif before[pairs[index]] != entry:
            changes.append(EntryChange("changed", before[pairs[index]], entry))
    changes += [EntryChange("removed", before[o], None) for o in unmatched]
    return changes


def phases_by_id(doc: dict[str, Any]) -> dict[str, Any]:
    """A document's phases by id (`#2` for the second when it has none), whatever its shape."""
    phases = doc.get("phases")
    if not isinstance(phases, list):
        return {}
    found = {}
    for number, phase in enumerate(phases, 1):
        key = phase.get("phase_id") if isinstance(phase, dict) else None
        name = key if isinstance(key, str) and key not in found else f"#{number}"
        found[name] = phase
    return found


def plain(value: Any) -> str:
    """Any value from a document as one line of text, the way YAML would show it."""
    if value is ABSENT:
        return "(absent)"
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, list):
        return "; ".join(plain(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{plain(k)}: {plain(v)}" for k, v in value.items())
    return str(value)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _phase_notes(phase: PhaseDiff) -> Iterator[str]:
    yield from (change.key for change in phase.fields)
    for key, noun in PHASE_LISTS.items():
        changes = phase.entries.get(key, [])
        for kind in ("added", "changed", "removed"):
            count = sum(1 for c in changes if c.change == kind)
            if count:
                yield f"{count} {noun}{'s' if count != 1 else ''} {kind}"
    yield from (f"{key} reordered" for key in phase.reordered)
