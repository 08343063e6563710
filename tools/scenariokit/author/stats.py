"""`scenarios stats`: the library's coverage at a glance, and where help is needed.

Counts the valid scenarios (drafts too) by language and topic, and for each language its
levels, its CEFR levels given, and what its entries still lack against the library's
standard (`check/standard`): a translation on every entry; a reading on every Chinese and
Korean entry, on every Japanese one written with kanji (kana need none) and a
transliteration on every Arabic word; at least five words and five phrases in every
phase; at least two lines of the partner's in every phase.

A language is its primary subtag: `pt-BR` and `pt` are Portuguese, `de-AT` German. Its
regional variants are listed with it (`tags`): a library covers a language when each
topic has a scenario in it, in whichever variant.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from scenariokit.check.languages import language_name, primary_language
from scenariokit.check.schema import choices
from scenariokit.check.standard import (
    MIN_PARTNER_LINES,
    MIN_PHRASES,
    MIN_WORDS,
    expects_readings,
    measure_phase,
)
from scenariokit.escape import visible


@dataclass(slots=True)
class LanguageCoverage:
    """One language's part of the library."""

    language: str  # the primary subtag
    name: str
    tags: list[str] = field(default_factory=list)  # as the files write them
    scenarios: int = 0
    by_category: dict[str, int] = field(default_factory=dict)
    levels: dict[str, int] = field(default_factory=dict)
    cefr: dict[str, int] = field(default_factory=dict)
    without_cefr: int = 0
    entries: int = 0
    missing_translation: int = 0
    missing_reading: int = 0
    thin_phases: int = 0  # fewer than MIN_WORDS words or MIN_PHRASES phrases
    phases_without_partner_lines: int = 0  # fewer than MIN_PARTNER_LINES
    phases: int = 0


@dataclass(slots=True)
class Coverage:
    """The library by language, with the topics and levels a language may have."""

    categories: list[str]
    levels: list[str]
    languages: list[LanguageCoverage]
    skipped: int = 0  # files that do not pass `validate`: not counted

    def as_json(self) -> dict[str, Any]:
        """What `--format json` prints."""
        return {
            "categories": self.categories,
            "levels": self.levels,
            "scenarios": sum(c.scenarios for c in self.languages),
            "skipped_invalid_files": self.skipped,
            "languages": [asdict(c) for c in self.languages],
            "empty_cells": [
                {"language": c.language, "category": category}
                for c in self.languages
                for category in self.categories
                if not c.by_category[category]
            ],
        }


def coverage(docs: list[dict[str, Any]], skipped: int = 0) -> Coverage:
    """The coverage of these valid scenarios."""
    categories, levels = choices("category"), choices("difficulty")
    by_language: dict[str, LanguageCoverage] = {}
    for doc in docs:
        primary = primary_language(doc["language"])
        if primary not in by_language:
            by_language[primary] = LanguageCoverage(
                primary,
                language_name(primary),
                by_category=dict.fromkeys(categories, 0),
                levels=dict.fromkeys(levels, 0),
            )
        _count(by_language[primary], doc)
    for one in by_language.values():
        one.cefr = dict(sorted(one.cefr.items()))
        one.tags.sort()
    languages = sorted(by_language.values(), key=lambda c: c.language)
    return Coverage(categories, levels, languages, skipped)


def _count(into: LanguageCoverage, doc: dict[str, Any]) -> None:
    into.scenarios += 1
    if doc["language"] not in into.tags:
        into.tags.append(doc["language"])
    into.by_category[doc["category"]] += 1
    into.levels[doc["difficulty"]] += 1
    if "cefr" in doc:
        into.cefr[doc["cefr"]] = into.cefr.get(doc["cefr"], 0) + 1
    else:
        into.without_cefr += 1
    for phase in doc["phases"]:
        measure = measure_phase(phase, doc["language"])
        into.phases += 1
        into.entries += measure.entries
        into.missing_translation += measure.missing_translation
        into.missing_reading += measure.missing_reading
        into.thin_phases += measure.thin
        into.phases_without_partner_lines += measure.few_partner_lines


def coverage_text(found: Coverage) -> str:
    """The two tables `scenarios stats` prints: topics by language, then each language."""
    tags = [c.language for c in found.languages]
    total = sum(c.scenarios for c in found.languages)
    lines = [
        f"{total} scenarios in {len(tags)} languages and {len(found.categories)} topics "
        "(drafts included).",
        "",
        "Scenarios by topic and language ('.' where there is none yet):",
    ]
    header = ["topic", *tags, "total"]
    rows = [
        [
            category,
            *(_cell(c.by_category[category]) for c in found.languages),
            str(sum(c.by_category[category] for c in found.languages)),
        ]
        for category in found.categories
    ]
    rows.append(["total", *(str(c.scenarios) for c in found.languages), str(total)])
    lines += _table(header, rows)
    empty = sum(1 for c in found.languages for n in c.by_category.values() if not n)
    lines += ["", f"Empty cells: {empty}.", "", "By language (what its entries still lack):"]
    header = [
        "language",
        "scenarios",
        *found.levels,
        "CEFR",
        "entries",
        "no translation",
        "no reading",
        f"phases < {MIN_WORDS}+{MIN_PHRASES}",
        f"phases < {MIN_PARTNER_LINES} partner lines",
    ]
    rows = [
        [
            f"{visible(c.name)} ({', '.join(c.tags)})",
            str(c.scenarios),
            *(str(c.levels[level]) for level in found.levels),
            " ".join(f"{level}:{n}" for level, n in c.cefr.items()) or "-",
            str(c.entries),
            str(c.missing_translation),
            str(c.missing_reading) if expects_readings(c.language) else "-",
            f"{c.thin_phases}/{c.phases}",
            f"{c.phases_without_partner_lines}/{c.phases}",
        ]
        for c in found.languages
    ]
    lines += _table(header, rows)
    if found.skipped:
        lines += ["", f"{found.skipped} files not counted: they do not pass `scenarios validate`."]
    return "\n".join(lines) + "\n"


def _cell(count: int) -> str:
    return str(count) if count else "."


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Columns padded to their widest cell; the first left-aligned, the others right."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first, *rest = cells
        return "  ".join(
            [first.ljust(widths[0]), *(c.rjust(w) for c, w in zip(rest, widths[1:], strict=True))]
        ).rstrip()

    return [line(header), *(line(r) for r in rows)]
