"""Creating scenarios: from a template, from scratch, or as a copy of another scenario.

Each returns a new document; `save_new` checks it as the file it will become (schema and
repository rules, so a duplicate id is refused) and writes it through the one writer, never
over an existing file.

Languages: a template is written in one reference language, with an English translation on
every entry. Starting from it (or copying a scenario) in another language keeps the
structure, and turns every vocabulary and phrase entry into a to-translate entry:
`TODO: <reference wording>`, with the reference's English `translation` kept. The texts
written for the source's language and country are marked to adapt, `TODO: adapt: <text>`
(`to_adapt` says which): the description, setting, roles, cultural context and cultural
notes always, the title of a copy that keeps it, and any outcome, objective, criterion,
prerequisite, theme or phase text that quotes the source's language
(`adapting.quotes_language`). `validate` warns about each (`untranslated`, `unadapted`)
and `--strict` refuses them, so a half-adapted scenario can be saved and worked on, but
not merged.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scenariokit.author.documents import find_source
from scenariokit.author.questions import (
    Ask,
    BadAnswer,
    ask_new,
    judge_language_tag,
    login_from_git,
    spread_minutes,
)
from scenariokit.author.writer import canonical_text, modeline_for, write_file
from scenariokit.check.adapting import ADAPT_MARKER, PLACEHOLDER, quotes_language
from scenariokit.check.diagnostics import Diagnostic, DocPath, describe_path
from scenariokit.check.schema import load_schema
from scenariokit.check.validate import check
from scenariokit.errors import UserError
from scenariokit.files.repository import SCENARIOS_DIR, read_catalog

# Keys that belong to one file and are set anew on every copy.
_OWNERSHIP = ("created_by", "is_system_scenario", "is_public", "derived_from")


@dataclass(frozen=True, slots=True)
class NewScenario:
    """What `scenarios new` was given; None for what is to be asked or defaulted."""

    template: str | None = None
    blank: bool = False
    scenario_id: str | None = None
    title: str | None = None
    language: str | None = None
    author: str | None = None
    category: str | None = None
    difficulty: str | None = None
    duration: str | None = None


@dataclass(frozen=True, slots=True)
class Created:
    """A scenario just written: where, from what, and what is left to do.

    `untranslated` counts the entries awaiting translation; `to_adapt` names the texts left
    to adapt, in words (`setting`, `phase 2 › cultural_notes`).
    """

    path: Path
    origin: str
    untranslated: int
    language: str
    to_adapt: tuple[str, ...] = ()


def create_new(
    root: Path, given: NewScenario, ask: Ask, finish_asking: Callable[[], object]
) -> Created:
    """`scenarios new`: resolve what was not given (asked, or its default), then save.

    `questions.ask_new` asks and judges every value: the template, title, id, language and
    author, the category of a blank scenario, the difficulty and the duration (spread over
    the phases). Defaults: the id made from the title, the template's language, difficulty
    and duration, the author from git config, beginner and 10 minutes for a blank scenario.
    `finish_asking` is called once everything was asked (the command line then refuses
    what is still missing). A usage error (exit 2) when the template and blank are both
    asked for, a value is wrong, or something needed is missing.
    """
    answers = ask_new(root, given, ask)
    finish_asking()
    title, scenario_id, language, author = (
        answers.title,
        answers.scenario_id,
        answers.language,
        answers.author,
    )
    if not (title and scenario_id and language and author):
        raise UserError("a title, an id, a language and an author are needed", exit_code=2)
    template, difficulty = answers.template, answers.difficulty
    if template is not None:
        doc = from_template(
            template, scenario_id=scenario_id, title=title, language=language, author=author
        )
        if difficulty and difficulty != doc.get("difficulty"):
            doc["difficulty"] = difficulty
            doc.pop("cefr", None)  # the template's level, not this one's
        origin = f"template {answers.template_name}"
    else:
        doc = blank_scenario(
            scenario_id=scenario_id,
            title=title,
            language=language,
            author=author,
            category=answers.category or "",
            difficulty=difficulty or "beginner",
        )
        origin = "a blank skeleton"
    if answers.duration is not None:
        spread_minutes(doc, answers.duration)
    return Created(save_new(root, doc), origin, untranslated(doc), language, to_adapt(doc))


def create_copy(
    root: Path,
    source_id: str,
    new_id: str,
    *,
    author: str | None,
    title: str | None = None,
    language: str | None = None,
) -> Created:
    """`scenarios duplicate`: a draft copy of a scenario or template, saved under `new_id`.

    The author defaults to git config's; a usage error (exit 2) when there is none.
    """
    author = author or git_login(root)
    if not author:
        raise UserError("--author is needed (no github.user in git config)", exit_code=2)
    if language is not None:
        try:
            judge_language_tag(language)
        except BadAnswer as bad:
            if not bad.told_later:  # else the file's check says it, with everything else
                raise
    source = find_source(root, source_id).data
    doc = duplicate(source, scenario_id=new_id, author=author, title=title, language=language)
    origin = f"{source_id} (a draft: set is_public: true to publish it)"
    return Created(save_new(root, doc), origin, untranslated(doc), doc["language"], to_adapt(doc))


def from_template(
    template: dict[str, Any], *, scenario_id: str, title: str, language: str, author: str
) -> dict[str, Any]:
    """A new scenario of `author`'s from a template, in `language`."""
    doc = _copy_of(template, scenario_id=scenario_id, title=title, language=language)
    doc.update(
        created_by=author,
        is_system_scenario=False,
        is_public=True,
        derived_from=template["scenario_id"],
    )
    return doc


def duplicate(
    source: dict[str, Any],
    *,
    scenario_id: str,
    author: str,
    title: str | None = None,
    language: str | None = None,
) -> dict[str, Any]:
    """A copy of a scenario under a new id and owner: a draft until its author publishes it."""
    doc = _copy_of(
        source,
        scenario_id=scenario_id,
        title=title or source["title"],
        language=language or source["language"],
        title_kept=not title,
    )
    doc.update(
        created_by=author,
        is_system_scenario=False,
        is_public=False,
        derived_from=source["scenario_id"],
    )
    return doc


def blank_scenario(
    *, scenario_id: str, title: str, language: str, author: str, category: str, difficulty: str
) -> dict[str, Any]:
    """A scenario skeleton that validates, with a `TODO:` placeholder wherever text is needed."""

    def phase(number: int) -> dict[str, Any]:
        return {
            "phase_id": f"phase-{number}",
            "name": f"{PLACEHOLDER} name of phase {number}",
            "description": f"{PLACEHOLDER} what happens in this phase",
            "expected_duration_minutes": 5,
            "key_vocabulary": [
                {
                    "term": f"{PLACEHOLDER} word {n} of phase {number}",
                    "translation": f"{PLACEHOLDER} its meaning",
                }
                for n in range(1, 4)
            ],
            "essential_phrases": [
                {
                    "text": f"{PLACEHOLDER} phrase {n} of phase {number}",
                    "translation": f"{PLACEHOLDER} its meaning",
                }
                for n in range(1, 4)
            ],
            "learning_objectives": [f"{PLACEHOLDER} what the learner practises"],
            "success_criteria": [f"{PLACEHOLDER} how to tell the learner succeeded"],
        }

    return {
        "scenario_id": scenario_id,
        "title": title,
        "description": f"{PLACEHOLDER} what the learner does, in a sentence or two",
        "category": category,
        "difficulty": difficulty,
        "estimated_duration": 10,
        "language": language,
        "user_role": f"{PLACEHOLDER} the learner's part",
        "ai_role": f"{PLACEHOLDER} the partner's part",
        "setting": f"{PLACEHOLDER} where and when it happens",
        "created_by": author,
        "is_system_scenario": False,
        "is_public": True,
        "phases": [phase(1), phase(2)],
    }


def _copy_of(
    original: dict[str, Any],
    *,
    scenario_id: str,
    title: str,
    language: str,
    title_kept: bool = False,
) -> dict[str, Any]:
    doc = {k: copy.deepcopy(v) for k, v in original.items() if k not in _OWNERSHIP}
    doc.update(scenario_id=scenario_id, title=title)
    if language != original.get("language"):
        doc["language"] = language
        for phase in doc.get("phases", []):
            phase["key_vocabulary"] = [_to_translate(e, "term") for e in phase["key_vocabulary"]]
            phase["essential_phrases"] = [
                _to_translate(e, "text") for e in phase["essential_phrases"]
            ]
        _mark_to_adapt(doc, str(original.get("language")), title_kept=title_kept)
    return doc


# Texts that belong to the source's country whatever they say, and lists (or phase texts)
# that do when they quote the source's language. A title the author gave is theirs.
_COUNTRY_TEXTS = ("description", "user_role", "ai_role", "setting", "cultural_context")
_QUOTING_LISTS = ("prerequisites", "learning_outcomes", "vocabulary_focus")
_PHASE_QUOTING = ("name", "description", "learning_objectives", "success_criteria")


def _mark_to_adapt(doc: dict[str, Any], source_language: str, *, title_kept: bool) -> None:
    """Put `TODO: adapt:` before every text of `doc` written for the source's country."""
    marked: list[DocPath] = [("title",)] if title_kept else []
    marked += [(key,) for key in _COUNTRY_TEXTS if isinstance(doc.get(key), str)]
    marked += [
        (key, index)
        for key in _QUOTING_LISTS
        for index, text in enumerate(doc.get(key) or [])
        if quotes_language(text, source_language)
    ]
    for number, phase in enumerate(doc.get("phases", [])):
        if isinstance(phase.get("cultural_notes"), str):
            marked.append(("phases", number, "cultural_notes"))
        for key in _PHASE_QUOTING:
            value = phase.get(key)
            if isinstance(value, str) and quotes_language(value, source_language):
                marked.append(("phases", number, key))
            elif isinstance(value, list):
                marked += [
                    ("phases", number, key, index)
                    for index, text in enumerate(value)
                    if quotes_language(text, source_language)
                ]
    for doc_path in marked:
        *parents, last = doc_path
        holder: Any = doc
        for part in parents:
            holder = holder[part]
        holder[last] = _marked(holder[last], _max_length(doc_path))


def _marked(text: str, limit: int | None) -> str:
    """`text` behind the adapt marker; cut (with …) where it would pass the schema's limit."""
    if text.startswith(PLACEHOLDER):
        return text
    result = f"{ADAPT_MARKER} {text}"
    return result if limit is None or len(result) <= limit else result[: limit - 1] + "…"


def _max_length(doc_path: DocPath) -> int | None:
    """The schema's `maxLength` for the text at `doc_path` (None when it sets none)."""
    schema = load_schema()

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = {
                **schema["$defs"][node["$ref"].rsplit("/", 1)[-1]],
                **{k: v for k, v in node.items() if k != "$ref"},
            }
        return node

    node = resolve(schema)
    for part in doc_path:
        node = resolve(
            node.get("items", {})
            if isinstance(part, int)
            else node.get("properties", {}).get(part, {})
        )
    limits = [n.get("maxLength") for n in (node, *map(resolve, node.get("allOf", [])))]
    found = [limit for limit in limits if isinstance(limit, int)]
    return min(found) if found else None


def to_adapt(doc: dict[str, Any]) -> tuple[str, ...]:
    """Where `doc` still holds a text marked to adapt, in words (`phase 2 › cultural_notes`)."""

    def walk(node: Any, doc_path: DocPath) -> Iterator[str]:
        if isinstance(node, str) and node.startswith(ADAPT_MARKER):
            yield describe_path(doc_path)
        elif isinstance(node, dict):
            for key, value in node.items():
                yield from walk(value, (*doc_path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, (*doc_path, index))

    return tuple(walk(doc, ()))


_KEPT_IN_TRANSLATION = ("translation", "speaker")


def _to_translate(entry: str | dict[str, Any], key: str) -> dict[str, Any]:
    """An entry to translate: the reference wording behind the marker, its meaning kept.

    Who says a line (`speaker`) holds in every language, so it is kept; a `reading` or a
    `note` belongs to the reference wording and would mislead under the new one.
    """
    if isinstance(entry, str):
        return {key: f"{PLACEHOLDER} {entry}"}
    result = {key: f"{PLACEHOLDER} {entry[key]}"}
    result.update({k: entry[k] for k in _KEPT_IN_TRANSLATION if entry.get(k)})
    return result


def untranslated(doc: dict[str, Any]) -> int:
    """How many entries still wait for their translation."""
    return sum(
        1
        for phase in doc.get("phases", [])
        for entries, key in (
            (phase["key_vocabulary"], "term"),
            (phase["essential_phrases"], "text"),
        )
        for entry in entries
        if (entry if isinstance(entry, str) else entry.get(key, "")).startswith(PLACEHOLDER)
    )


def scenario_path(root: Path, doc: dict[str, Any]) -> Path:
    """Where a scenario lives: `scenarios/<category>/<scenario_id>.yaml`."""
    return root / SCENARIOS_DIR / str(doc["category"]) / f"{doc['scenario_id']}.yaml"


class NotValid(UserError):
    """A document that would not validate as its file: nothing was written."""

    def __init__(self, errors: list[Diagnostic]) -> None:
        super().__init__(
            "nothing was written; the new scenario would not validate:\n"
            + "\n".join(_line(d) for d in errors)
        )
        self.errors = errors


def checked_text(root: Path, doc: dict[str, Any], path: Path) -> tuple[str, list[Diagnostic]]:
    """The text of `doc` as the file at `path`, and what the one check says of it.

    Raises `NotValid` on errors. Judged as that file, before any look at the disk: an id of
    5,000 characters or one holding `../` is refused by the schema, not met as a file
    system error. The one step `new`, `duplicate` and the builder's local save share.
    """
    text = canonical_text(doc, modeline_for(path, root))
    diagnostics = check(path, read_catalog(root), text).diagnostics
    errors = [d for d in diagnostics if d.severity == "error"]
    if errors:
        raise NotValid(errors)
    return text, diagnostics


def save_new(root: Path, doc: dict[str, Any]) -> Path:
    """Check `doc` as the file it will be, then write it; never over an existing file."""
    path = scenario_path(root, doc)
    text, _ = checked_text(root, doc, path)
    if path.exists():
        raise UserError(
            f"{path.relative_to(root)} already exists: nothing was written "
            "(choose another id, or edit that file)"
        )
    write_file(path, text)
    return path


def _line(d: Diagnostic) -> str:
    return f"  {d.pointer or '/'}: {d.message} [{d.code}]"


def git_login(root: Path) -> str | None:
    """The author's GitHub login from git config (`github.user`, or a noreply address)."""
    found = login_from_git(root)
    return found[0] if found else None
