"""The rules JSON Schema cannot express, and the warnings.

Errors: the file name equals `scenario_id`, which is unique across scenarios and templates;
a scenario sits in the folder of its `category`; `phase_id` is unique within a scenario;
`language` is a real language, written in its canonical form; no text or key holds a
character that hides text or disguises output (`characters` says which). Warnings (errors
only with `--strict`): phase durations that do not add up to `estimated_duration`, a
vocabulary entry repeated, `derived_from` naming nothing known (a removed source must not
break its copies), text still holding a `TODO:` placeholder (an untranslated entry, a
text to adapt), a Japanese or Chinese entry in Han characters without a reading, a title
or description not in English, an entry without a translation (`adapting` has those two).

The rules run on documents that may also have schema errors, so each reads its fields
defensively and stays silent on a value of the wrong type: the schema already said so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from scenariokit.check.adapting import (
    ADAPT_MARKER,
    PLACEHOLDER,
    titles_are_in_english,
    translations_are_given,
)
from scenariokit.check.characters import hidden_in, may_hide
from scenariokit.check.diagnostics import DocPath, Finding, describe_path
from scenariokit.check.languages import judge_language, language_name
from scenariokit.check.readings import needs_reading, suggested_reading
from scenariokit.check.schema import choices, slugify
from scenariokit.check.suggestions import closest
from scenariokit.escape import visible
from scenariokit.files.loader import Source
from scenariokit.files.repository import SCENARIOS_DIR, Catalog, place_of

Rule = Callable[[Source, Catalog], Iterator[Finding]]


def rule_findings(source: Source, catalog: Catalog) -> list[Finding]:
    """Every repository rule and warning, applied to one loaded document."""
    if not isinstance(source.data, dict):
        return []
    return [finding for rule in RULES for finding in rule(source, catalog)]


def _phases(data: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    phases = data.get("phases")
    if not isinstance(phases, list):
        return []
    return [(number, phase) for number, phase in enumerate(phases) if isinstance(phase, dict)]


def file_name_matches_id(source: Source, catalog: Catalog) -> Iterator[Finding]:
    """The file is named after its id, so ids can be found (and kept unique) by file name."""
    scenario_id = source.data.get("scenario_id")
    if isinstance(scenario_id, str) and scenario_id != source.path.stem:
        stem = source.path.stem
        # The other way out only when it leads somewhere: the file's name as an id must be one.
        other = f", or set scenario_id to '{stem}'" if _is_slug(stem) else ""
        yield Finding(
            ("scenario_id",),
            "id-mismatch",
            f"scenario_id '{scenario_id}' does not match the file name "
            f"'{source.path.name}': rename the file to {scenario_id}.yaml{other}",
        )
    if source.path.suffix != ".yaml":
        yield Finding(
            (),
            "file-extension",
            f"name the file {source.path.stem}.yaml, not "
            f"{source.path.name}: only .yaml files are scenarios",
        )


def id_is_unique(source: Source, catalog: Catalog) -> Iterator[Finding]:
    """No two scenarios or templates share an id (ids are URLs and `derived_from` targets)."""
    scenario_id = source.data.get("scenario_id")
    if not isinstance(scenario_id, str):
        return
    others = catalog.others(scenario_id, source.path)
    if others and catalog.root is not None:
        where = ", ".join(str(p.relative_to(catalog.root)) for p in others)
        yield Finding(
            ("scenario_id",),
            "duplicate-id",
            f"scenario_id '{scenario_id}' is also used by {where}: choose another id "
            "(and rename the file to match)",
        )


def scenario_is_in_its_category(source: Source, catalog: Catalog) -> Iterator[Finding]:
    """`scenarios/<category>/<scenario_id>.yaml`: the folder says the category."""
    area, folders = place_of(source.path, catalog.root)
    if area != SCENARIOS_DIR:
        return
    category = source.data.get("category")
    if len(folders) != 1:
        where = f"scenarios/{category}/" if isinstance(category, str) else "scenarios/<category>/"
        yield Finding(
            (),
            "misplaced",
            f"scenario files go directly in a category folder: move "
            f"this file to {where}{source.path.stem}.yaml",
        )
    elif isinstance(category, str) and category != folders[0]:
        # Each way out only when it leads somewhere: a folder or a value that is a category.
        known = choices("category")
        ways = [f"move the file to scenarios/{category}/"] if category in known else []
        ways += [f"set category to '{folders[0]}'"] if folders[0] in known else []
        fix = ", or ".join(ways) or f"put it in the folder of its category ({', '.join(known)})"
        yield Finding(
            ("category",),
            "category-mismatch",
            f"category '{category}' does not match the folder '{folders[0]}/': {fix}",
        )


def _is_slug(text: str) -> bool:
    """Whether `text` is a valid id: the slug `slugify` makes of it, of 3 to 64 characters."""
    return 3 <= len(text) <= 64 and slugify(text) == text


def phase_ids_are_unique(source: Source, catalog: Catalog) -> Iterator[Finding]:
    """Phases are addressed by id within their scenario."""
    first: dict[str, int] = {}
    for number, phase in _phases(source.data):
        phase_id = phase.get("phase_id")
        if not isinstance(phase_id, str):
            continue
        if phase_id in first:
            yield Finding(
                ("phases", number, "phase_id"),
                "duplicate-phase-id",
                f"phase_id '{phase_id}' is already used by phase {first[phase_id] + 1}: "
                "give each phase its own id",
            )
        else:
            first[phase_id] = number


def language_is_real(source: Source, catalog: Catalog) -> Iterator[Finding]:
    """A tag the IANA registry knows, in canonical form, so the site can filter and name it."""
    tag = source.data.get("language")
    if not isinstance(tag, str):
        return
    verdict = judge_language(tag)
    if verdict is not None:
        code, message = verdict
        yield Finding(("language",), code, message)


def minutes_are_whole_numbers(source: Source, catalog: Catalog) -> Iterator[Finding]:
    """A duration written `15.0`: JSON Schema counts it a whole number, YAML reads a decimal.

    The index stored 15 and the API published 15.0: a field documented as whole minutes
    must read as one everywhere, so it is written as one.
    """
    places: list[tuple[DocPath, Any]] = [
        (("estimated_duration",), source.data.get("estimated_duration"))
    ]
    places += [
        (("phases", number, "expected_duration_minutes"), phase.get("expected_duration_minutes"))
        for number, phase in _phases(source.data)
    ]
    for path, value in places:
        if isinstance(value, float) and value.is_integer():
            yield Finding(
                path,
                "wrong-type",
                f"{describe_path(path)} is whole minutes, written without a decimal point: "
                f"{int(value)}, not {value}",
            )


def durations_add_up(source: Source, catalog: Catalog) -> Iterator[Finding]:
    """Warn when every phase gives a duration and together they miss the scenario's."""
    total = source.data.get("estimated_duration")
    phases = _phases(source.data)
    minutes = [phase.get("expected_duration_minutes") for _, phase in phases]
    if not isinstance(total, int) or not minutes:
        return
    if all(isinstance(m, int) and not isinstance(m, bool) for m in minutes):
        phase_total = sum(minutes)  # type: ignore[arg-type]
        if phase_total != total:
            yield Finding(
                ("estimated_duration",),
                "duration-mismatch",
                f"the phases add up to {phase_total} minutes but estimated_duration is "
                f"{total}: make them agree",
                "warning",
            )


def vocabulary_is_not_repeated(source: Source, catalog: Catalog) -> Iterator[Finding]:
    """Warn on the same term twice in one scenario (case and spacing ignored)."""
    seen: dict[str, tuple[int, int]] = {}
    for number, phase in _phases(source.data):
        entries = phase.get("key_vocabulary")
        if not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            term = entry.get("term") if isinstance(entry, dict) else entry
            if not isinstance(term, str):
                continue
            key = " ".join(term.casefold().split())
            if key in seen:
                phase_no, entry_no = seen[key]
                yield Finding(
                    ("phases", number, "key_vocabulary", index),
                    "repeated-vocabulary",
                    f"'{term}' is already key vocabulary {entry_no + 1} of phase "
                    f"{phase_no + 1}: keep it once, or choose another word",
                    "warning",
                )
            else:
                seen[key] = (number, index)


def readings_are_given(source: Source, catalog: Catalog) -> Iterator[Finding]:
    """Warn on a Japanese or Chinese entry written with Han characters and no reading.

    A beginner cannot read 居酒屋; pages show a reading over the words. The warning
    suggests one (`readings.suggested_reading`) for the author to check, never writes it.
    """
    language = source.data.get("language")
    for number, phase in _phases(source.data):
        for key, words_key in (("key_vocabulary", "term"), ("essential_phrases", "text")):
            entries = phase.get(key)
            if not isinstance(entries, list):
                continue
            for index, entry in enumerate(entries):
                path: DocPath = ("phases", number, key, index)
                if isinstance(entry, dict):
                    words, path = entry.get(words_key), (*path, words_key)
                    if "reading" in entry:
                        continue
                else:
                    words = entry
                if not isinstance(words, str) or not needs_reading(language, words):
                    continue
                suggestion = suggested_reading(str(language), words)
                such = (
                    f"such as `reading: {suggestion}` (a dictionary's guess: check it)"
                    if suggestion is not None
                    else "in the romanisation its learners read (Jyutping for Cantonese)"
                )
                yield Finding(
                    path,
                    "missing-reading",
                    f"{describe_path(path)} '{words}' has characters a beginner cannot read "
                    f"yet, and no reading: add one, {such}",
                    "warning",
                )


def source_is_known(source: Source, catalog: Catalog) -> Iterator[Finding]:
    """Warn when `derived_from` names nothing in the repository (provenance, not a link)."""
    origin = source.data.get("derived_from")
    if isinstance(origin, str) and catalog.root is not None and not catalog.knows(origin):
        near = closest(origin, catalog.files_by_id)
        spelling = f"did you mean '{near}'?" if near else "check the spelling"
        yield Finding(
            ("derived_from",),
            "unknown-source",
            f"derived_from names '{origin}', which is no scenario or template here; that is "
            f"fine if the source was removed, otherwise {spelling}",
            "warning",
        )


def placeholders_are_filled(source: Source, catalog: Catalog) -> Iterator[Finding]:
    """Warn on text still starting with `TODO:` (errors with --strict: they are not merged).

    `scenarios new` writes such placeholders: in a blank scenario, and for every vocabulary
    and phrase entry of a template started in another language, where the text keeps the
    template's wording after the marker and `translation` keeps its meaning. A copy in
    another language also marks the texts written for the source's language and country
    (`TODO: adapt:`, `unadapted`): the description, setting, roles, cultural context and
    notes, and what quotes the source's language.
    """
    if PLACEHOLDER not in source.text:  # the marker is written out, never escaped
        return
    for doc_path, text in _strings(source.data, ()):
        if not text.startswith(PLACEHOLDER):
            continue
        if text.startswith(ADAPT_MARKER):
            language = language_name(source.data.get("language"))
            yield Finding(
                doc_path,
                "unadapted",
                f"{describe_path(doc_path)} was written for the source's language and country: "
                f"rewrite it for {language} and the place your scenario is set, then remove "
                f"the {ADAPT_MARKER!r} marker",
                "warning",
            )
        elif doc_path[-1:] in (("term",), ("text",)) or _is_entry(doc_path):
            language = language_name(source.data.get("language"))
            yield Finding(
                doc_path,
                "untranslated",
                f"{describe_path(doc_path)} is not "
                f"translated yet: replace {text!r} with its {language} wording",
                "warning",
            )
        else:
            yield Finding(
                doc_path,
                "placeholder",
                f"{describe_path(doc_path)} is still a placeholder: replace {text!r}",
                "warning",
            )


def _is_entry(doc_path: tuple[str | int, ...]) -> bool:
    """A plain-string vocabulary or phrase entry: `phases/N/key_vocabulary/M`."""
    return len(doc_path) == 4 and doc_path[2] in ("key_vocabulary", "essential_phrases")


def _strings(node: Any, doc_path: DocPath) -> Iterator[tuple[DocPath, str]]:
    if isinstance(node, str):
        yield doc_path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, (*doc_path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, (*doc_path, index))


def texts_hide_nothing(source: Source, catalog: Catalog) -> Iterator[Finding]:
    """Refuse characters that hide or disguise text, in every value and key (`characters`).

    A rule rather than a schema `pattern`: it names the character and what to do, allows
    ZWJ, ZWNJ and direction marks only where a language needs them (a context no pattern
    that both Python and the browser read can express), and covers mapping keys too. It
    costs one search over the file's text, which decides for almost every file.
    """
    if source.text and not may_hide(source.text):
        return
    for doc_path, text, is_key in _keys_and_strings(source.data, ()):
        for hidden in hidden_in(text):
            where = (
                f"the key '{visible(text)}' of {describe_path(doc_path[:-1])}"
                if is_key
                else describe_path(doc_path)
            )
            yield Finding(
                doc_path,
                "forbidden-character",
                f"{visible(where)} holds {hidden.describe()}",
                at_key=is_key,
            )


def _keys_and_strings(node: Any, doc_path: DocPath) -> Iterator[tuple[DocPath, str, bool]]:
    """Every string of a document, mapping keys included (True for a key), with its path."""
    if isinstance(node, str):
        yield doc_path, node, False
    elif isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str):
                yield (*doc_path, key), key, True
            yield from _keys_and_strings(value, (*doc_path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _keys_and_strings(value, (*doc_path, index))


# Every rule, in the order their findings are made. Three read the catalog (`id_is_unique`,
# `source_is_known`, `translations_are_given`), and only the names of the files in it: so a
# file's diagnostics stay true while it and the set of file names do not change, which a
# rebuild relies on.
RULES: tuple[Rule, ...] = (
    file_name_matches_id,
    scenario_is_in_its_category,
    phase_ids_are_unique,
    language_is_real,
    minutes_are_whole_numbers,
    durations_add_up,
    vocabulary_is_not_repeated,
    readings_are_given,
    placeholders_are_filled,
    titles_are_in_english,
    translations_are_given,
    texts_hide_nothing,
    id_is_unique,
    source_is_known,
)
