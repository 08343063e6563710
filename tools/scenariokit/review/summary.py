"""The review summary's account of each scenario: what a maintainer reads instead of YAML.

An added scenario is shown whole: its title, description, language, level (difficulty and
CEFR), whether it is public or a draft, where it came from (`derived_from`), its other
fields, and each phase, collapsed (`<details>`), with its words and phrases and their
translations. An edited or renamed one is shown as a diff (`diff.scenario_diff`): fields
old → new, phases added, removed or reordered, and in each phase the words and phrases
added, removed or changed. A removed one is named with its language, level and state.

Every value comes from the pull request. Each is cut to `MAX_VALUE` characters, then escaped
with `markdown_text` (or `markdown_code` for ids and paths), so it renders as its text: no
link, image, tag, table cell, @mention, issue reference or emoji. The only HTML is this
module's own (`<details>`, `<summary>`), and a `<summary>` line, where markdown is not
read, holds only text made here: numbers, and a phase id only when it is a plain slug.

Each scenario is a list of blocks (a block being a heading, a table, a phase) so that the
report can stop between two blocks when the summary reaches a comment's size (`Page`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from scenariokit.escape import markdown_code, markdown_text
from scenariokit.review.diff import (
    ABSENT,
    ENTRY_PARTS,
    PHASE_LISTS,
    EntryChange,
    FieldChange,
    PhaseDiff,
    entry_parts,
    phases_by_id,
    plain,
    scenario_diff,
)
from scenariokit.review.pull_request import ScenarioChange

# The longest a single value is shown: more than the schema allows any text (500), so a
# valid file is never cut, while a broken one cannot fill the summary with one value.
MAX_VALUE = 600
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# The fields an added scenario opens with, shown whatever order its file has them in.
_FACTS = ("title", "description", "language", "difficulty", "cefr", "is_public", "derived_from")
_PHASE_HEAD = ("phase_id", "name", "description", *PHASE_LISTS)
_OTHER_PARTS = ENTRY_PARTS[2:]  # reading, note, speaker


@dataclass(slots=True)
class Page:
    """Markdown blocks up to a number of characters; what does not fit is counted.

    Once a block does not fit, no later one is added either: the summary reads in order,
    and a maintainer must not mistake a gap for the end.
    """

    limit: int
    blocks: list[str] = field(default_factory=list)
    size: int = 0
    cut: bool = False
    left_out: set[str] = field(default_factory=set)  # scenarios not shown in full
    lines_left_out: int = 0  # lines of the lists of files not shown

    def add(self, block: str, *, scenario: str | None = None) -> bool:
        """Add `block` (with a blank line after it) if it fits; say whether it did."""
        if not self.cut and self.size + len(block) + 2 <= self.limit:
            self.blocks.append(block)
            self.size += len(block) + 2
            return True
        self.cut = True
        if scenario is not None:
            self.left_out.add(scenario)
        else:
            self.lines_left_out += block.count("\n") + 1
        return False

    def text(self) -> str:
        """The blocks, separated by blank lines."""
        return "\n\n".join(self.blocks)


def scenario_blocks(change: ScenarioChange) -> list[str]:
    """The blocks that tell one scenario change."""
    if change.change == "added":
        return _added(change)
    if change.change == "removed":
        return _removed(change)
    return _edited(change)


def level(doc: dict[str, Any]) -> str:
    """Difficulty and CEFR level, as plain text (to escape)."""
    difficulty, cefr = doc.get("difficulty", ABSENT), doc.get("cefr", ABSENT)
    shown = plain(difficulty) if difficulty is not ABSENT else "no difficulty"
    return f"{shown}, {plain(cefr)}" if cefr is not ABSENT else shown


def text(value: Any) -> str:
    """A value as escaped inline markdown, cut to `MAX_VALUE` characters."""
    shown = plain(value)
    if len(shown) > MAX_VALUE:
        shown = shown[:MAX_VALUE] + "…"
    return markdown_text(shown)


def code(value: Any) -> str:
    """An id or a path as a code span, cut to `MAX_VALUE` characters."""
    shown = plain(value)
    return markdown_code(shown if len(shown) <= MAX_VALUE else shown[:MAX_VALUE] + "…")


def _heading(change: ScenarioChange) -> str:
    doc = change.shown
    verb = change.change.capitalize()
    name = code(doc.get("scenario_id", change.path))
    title = f": {text(doc['title'])}" if "title" in doc else ""
    where = f"{code(change.path)}"
    if change.change == "renamed":
        where += f", renamed from {code(change.old_path)}"
    return f"### {verb} {name}{title}\n\n{where}"


def _added(change: ScenarioChange) -> list[str]:
    doc = change.new
    if doc is None:
        return [_heading(change) + "\n\nIt cannot be read: see *Files that cannot be read*."]
    rows = [
        ("title", text(doc.get("title", ABSENT))),
        ("description", text(doc.get("description", ABSENT))),
        ("language", text(doc.get("language", ABSENT))),
        ("level", text(level(doc))),
        ("state", _state(doc)),
        ("source", _source(doc)),
    ]
    rows += [
        (text(key), text(value))
        for key, value in doc.items()
        if key not in _FACTS and key not in ("scenario_id", "phases")
    ]
    table = "| field | value |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows)
    blocks = [f"{_heading(change)}\n\n{table}"]
    phases = phases_by_id(doc)
    blocks += [_phase_details(n, pid, phase) for n, (pid, phase) in enumerate(phases.items(), 1)]
    if not phases:
        blocks.append("It has no phases.")
    return blocks


def _state(doc: dict[str, Any]) -> str:
    public = doc.get("is_public", True)  # the schema's default
    if public is True:
        return "public: shown on the site once merged"
    if public is False:
        return "**draft** (`is_public: false`): not published (the preview shows it, marked)"
    return f"`is_public` is {text(public)}"


def _source(doc: dict[str, Any]) -> str:
    if "derived_from" not in doc:
        return "none (no `derived_from`: written from scratch, it says)"
    return f"copied from {code(doc['derived_from'])}"


def _phase_details(number: int, phase_id: str, phase: Any) -> str:
    """One phase in full, collapsed: fields, then its words and phrases as tables."""
    data = phase if isinstance(phase, dict) else {}
    words, phrases = (_items(data.get(key)) for key in PHASE_LISTS)
    label = f"Phase {number}" + (f": {phase_id}" if _SLUG.fullmatch(phase_id) else "")
    minutes = data.get("expected_duration_minutes")
    shown = set(_PHASE_HEAD)
    if isinstance(minutes, int) and not isinstance(minutes, bool):
        label += f" · {minutes} min"
        shown.add("expected_duration_minutes")
    label += f" · {_count(len(words), 'word')} · {_count(len(phrases), 'phrase')}"
    body = [f"**{text(data.get('name', ABSENT))}**"]
    if "description" in data:
        body[0] += f": {text(data['description'])}"
    if not isinstance(phase, dict):
        body = [f"This phase is not a mapping: {text(phase)}"]
    body.append(_entry_table("word", words))
    body.append(_entry_table("phrase", phrases))
    others = [f"- **{text(k)}**: {text(v)}" for k, v in data.items() if k not in shown]
    if others:
        body.append("\n".join(others))
    return f"<details><summary>{label}</summary>\n\n" + "\n\n".join(body) + "\n\n</details>"


def _entry_table(noun: str, entries: list[Any]) -> str:
    """Words or phrases with their translations (and readings, notes, speakers if any)."""
    if not entries:
        return f"No {noun}s."
    parts = [entry_parts(e) for e in entries]
    extra = [p for p in _OTHER_PARTS if any(p in e for e in parts)]
    header = [noun, "translation", *extra]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for entry in parts:
        cells = [text(entry["words"]), _translation(entry)]
        cells += [text(entry[p]) if p in entry else "" for p in extra]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _translation(entry: dict[str, str]) -> str:
    return text(entry["translation"]) if "translation" in entry else "*(none)*"


def _removed(change: ScenarioChange) -> list[str]:
    doc = change.old
    if doc is None:
        return [_heading(change)]
    facts = [text(doc.get("language", ABSENT)), text(level(doc))]
    facts.append("draft" if doc.get("is_public", True) is False else "public")
    facts.append(_count(len(phases_by_id(doc)), "phase"))
    return [f"{_heading(change)} · {' · '.join(facts)}"]


def _edited(change: ScenarioChange) -> list[str]:
    if change.old is None or change.new is None:
        which = "old" if change.old is None else "new"
        return [
            f"{_heading(change)}\n\nIts {which} version cannot be read: see *Files that "
            "cannot be read*."
        ]
    found = scenario_diff(change.old, change.new)
    blocks = [_heading(change)]
    if found.fields:
        blocks.append(_field_table(found.fields))
    old_ids, new_phases = list(phases_by_id(change.old)), phases_by_id(change.new)
    new_ids = list(new_phases)
    for phase in found.edited:
        now = new_phases[phase.phase_id]
        name = now.get("name", ABSENT) if isinstance(now, dict) else ABSENT
        blocks.append(_phase_diff(new_ids.index(phase.phase_id) + 1, phase, name))
    for phase_id, phase in found.added.items():
        details = _phase_details(new_ids.index(phase_id) + 1, phase_id, phase)
        blocks.append(f"Phase {code(phase_id)} added:\n\n{details}")
    for phase_id, phase in found.removed.items():
        data = phase if isinstance(phase, dict) else {}
        words, phrases = (len(_items(data.get(key))) for key in PHASE_LISTS)
        blocks.append(
            f"Phase {code(phase_id)} removed (it was phase {old_ids.index(phase_id) + 1}: "
            f"{text(data.get('name', ABSENT))}, {_count(words, 'word')}, "
            f"{_count(phrases, 'phrase')})."
        )
    if found.order:
        before, after = (", ".join(code(p) for p in ids) for ids in found.order)
        blocks.append(f"Phases reordered: {before} → {after}.")
    if len(blocks) == 1:
        blocks[0] += "\n\nIts data is unchanged (only its layout or comments changed)."
    return blocks


def _field_table(changes: list[FieldChange]) -> str:
    lines = ["| field | before | after |", "|---|---|---|"]
    lines += [f"| {text(c.key)} | {text(c.old)} | {text(c.new)} |" for c in changes]
    return "\n".join(lines)


def _phase_diff(number: int, phase: PhaseDiff, name: Any) -> str:
    """One edited phase: its fields old → new, then each word and phrase that changed."""
    parts = [f"#### Phase {number}, {code(phase.phase_id)}: {text(name)} (edited)"]
    if phase.fields:
        parts.append(_field_table(phase.fields))
    for key, noun in PHASE_LISTS.items():
        changes = phase.entries.get(key, [])
        if changes:
            parts.append(_entry_diff_table(noun, changes))
        if key in phase.reordered:
            parts.append(f"Its {noun}s are only reordered.")
    return "\n\n".join(parts)


def _entry_diff_table(noun: str, changes: list[EntryChange]) -> str:
    """Words or phrases added, changed and removed, with their translations.

    An `other` column holds their readings, notes and speakers, when any of them has one.
    """
    rows = []
    for change in changes:
        old, new = change.old or {}, change.new or {}
        shown = new if change.new is not None else old
        if change.change == "changed":
            words, translation = _part(change, "words"), _part(change, "translation")
        else:
            words, translation = text(shown["words"]), _translation(shown)
        other = [
            f"{p}: {_part(change, p)}"
            for p in _OTHER_PARTS
            if (p in old or p in new) and (change.change != "changed" or old.get(p) != new.get(p))
        ]
        rows.append([change.change, words, translation, "; ".join(other)])
    wide = any(row[3] for row in rows)
    header = [f"| | {noun} | translation |" + (" other |" if wide else ""), "|---|---|---|"]
    header[1] += "---|" if wide else ""
    return "\n".join(header + ["| " + " | ".join(row if wide else row[:3]) + " |" for row in rows])


def _part(change: EntryChange, part: str) -> str:
    """One part of an entry; for a change that altered it, `old → new`."""
    old, new = change.old or {}, change.new or {}
    if change.change != "changed" or old.get(part) == new.get(part):
        value = (new if change.new is not None else old).get(part)
        return text(value) if value is not None else ("*(none)*" if part != "words" else "")
    before = text(old[part]) if part in old else "*(none)*"
    after = text(new[part]) if part in new else "*(none)*"
    return f"{before} → {after}"


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"
