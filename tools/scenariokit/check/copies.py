"""Near-copies: a scenario that repeats another scenario or a template (`near-copy`).

A copy of a published scenario passes every per-file rule, yet adds nothing to the site
and confuses learners (two pages titled "Ordering Tapas in Madrid"). `validate` warns (an
error with `--strict`) when a scenario

- has the same title as another scenario or a template (compared casefolded, with
  punctuation and runs of spaces ignored: "Ordering tapas in Madrid!" is the same title).
  The warning points at the title. When one of the two names the other in `derived_from`,
  only the copy is warned, never its source; a template is never warned; files claiming
  the same id are not compared (`duplicate-id` says they are one scenario twice). It
  names at most `MAX_NAMED` others, in the order of their paths, and counts the rest;
- keeps most of its entries unchanged from the scenario its `derived_from` names: at least
  `MIN_ENTRIES` vocabulary and phrase entries, of which `UNCHANGED_SHARE` (three in four)
  or more are the words of an entry of the source, compared casefolded with spaces
  normalised (a changed translation or note does not make an entry new: the learner
  practises the same words). The warning points at the phase holding the most unchanged
  entries, counts them by phase, and says how many to rewrite. Not when `derived_from`
  names a template, by decision: a template is a scaffold written to be filled in, its
  words and phrases are the ones any such scenario needs (a table, the menu, the bill), so
  keeping them is what it is for; its title is not, and a template's title kept is
  warned as above. A teacher who starts from a template in its own language changes the
  title, the setting and the cultural notes, and keeps the words that fit. A template in
  another language is another matter: its words are never the scenario's, and
  `MIN_ENTRIES` of them kept is warned (the builder's form, changing the language, kept
  the Spanish words of a template in a scenario said to be in Japanese; `scenarios new
  --language` writes each as `TODO: <words>` to translate). Languages are compared without
  their region: an `es-MX` scenario keeps the words of an `es` template.

This is a judgement on the repository, not on one file, so it runs after every file is
checked (`validate.validate`), on fingerprints the workers return with each file's
diagnostics: a normalised title, the id and source, and 32-bit hashes of the entries'
words (only for a scenario with a `derived_from`; a source named is read once more for
its own). Titles are grouped in a dictionary and an entry is looked up in a set: linear in
the number of files, never a pairwise comparison of texts. Only a file warned is read
again, to place the warning; `validate` spreads both re-readings over its workers. With no
near-copy, 10,000 files take the time they took before; the worst case, half of them
near-copies of as many sources, about twice as long (README, "Near-copies").

Checking some files (`validate scenarios/food/x.yaml`), every other file of the repository
is compared too, as CI's whole-repository run compares it: its `title:` line is read from
its text without parsing it (`_titles_read`: about 15 ms a thousand files), and only
a file whose title looks the same is loaded to be sure; a source not among the files
checked is read. So a file that passes `validate --strict` alone passes it in CI.

`build` (and `serve`) do not repeat it, by decision: they judge the files they build one
by one (and a rebuild only the files changed), a near-copy is a question for the pull
request, not a reason to leave a page out, and the pull-request check runs `validate
--strict`, which refuses it. So for a near-copy, and only for it, `build` reports less
than `validate`.
"""

from __future__ import annotations

import math
import os
import re
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from scenariokit.check.diagnostics import TOO_MANY, Diagnostic, Finding
from scenariokit.check.languages import primary_language
from scenariokit.check.positions import SourceMap
from scenariokit.escape import visible
from scenariokit.files.loader import Source
from scenariokit.files.repository import (
    TEMPLATES_DIR,
    Catalog,
    display_path,
    list_files,
    place_of,
)

CODE = "near-copy"
# A scenario is a near-copy of its source when at least this share of its entries (and at
# least MIN_ENTRIES of them) keep the source's words.
UNCHANGED_SHARE = 0.75
MIN_ENTRIES = 4
# The most scenarios a same-title warning names; the rest are counted.
MAX_NAMED = 3

_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What near-copies are judged by, for one file: small, so workers return it cheaply."""

    path: Path
    scenario_id: str | None
    title: str | None  # normalised (`same_title`)
    shown_title: str
    derived_from: str | None
    template: bool
    language: str | None  # without its region or script (`primary_language`)
    # Per phase: (its index, its phase_id, its entries' hashes). Only when needed.
    phases: tuple[tuple[int, str, tuple[int, ...]], ...] | None


def fingerprint(path: Path, data: Any, catalog: Catalog, *, entries: bool = False) -> Fingerprint:
    """The fingerprint of a loaded document; its entries' hashes when it has a source."""
    doc = data if isinstance(data, dict) else {}
    title = doc.get("title")
    derived = doc.get("derived_from")
    derived = derived if isinstance(derived, str) and derived else None
    scenario_id = doc.get("scenario_id")
    language = doc.get("language")
    return Fingerprint(
        path=path.absolute(),
        scenario_id=scenario_id if isinstance(scenario_id, str) else None,
        title=same_title(title) if isinstance(title, str) else None,
        shown_title=title if isinstance(title, str) else "",
        derived_from=derived,
        template=place_of(path, catalog.root)[0] == TEMPLATES_DIR,
        language=primary_language(language) if isinstance(language, str) else None,
        phases=_entry_hashes(doc) if (entries or derived) else None,
    )


def same_title(title: str) -> str | None:
    """A title as titles are compared: casefolded, without punctuation or extra spaces."""
    key = " ".join(_NOT_WORD.sub(" ", title.casefold()).split())
    return key or None


def _entry_hashes(doc: dict[str, Any]) -> tuple[tuple[int, str, tuple[int, ...]], ...]:
    phases = doc.get("phases")
    if not isinstance(phases, list):
        return ()
    found = []
    for number, phase in enumerate(phases):
        if not isinstance(phase, dict):
            continue
        words = [
            _words(entry, key)
            for field, key in (("key_vocabulary", "term"), ("essential_phrases", "text"))
            if isinstance(phase.get(field), list)
            for entry in phase[field]
        ]
        hashes = tuple(zlib.crc32(w.encode()) for w in words if w)
        phase_id = phase.get("phase_id")
        found.append((number, phase_id if isinstance(phase_id, str) else str(number + 1), hashes))
    return tuple(found)


def _words(entry: Any, key: str) -> str:
    text = entry.get(key) if isinstance(entry, dict) else entry
    return " ".join(text.casefold().split()) if isinstance(text, str) else ""


def copy_diagnostics(
    prints: Iterable[Fingerprint],
    catalog: Catalog,
    read: Callable[[Path], Source | None],
    fingerprint_all: Callable[[list[Path]], list[Fingerprint | None]] | None = None,
    locate_all: Callable[[list[tuple[Path, list[Finding]]]], list[list[Diagnostic]]] | None = None,
) -> dict[Path, list[Diagnostic]]:
    """The `near-copy` warnings of the files fingerprinted, by absolute path.

    Sources and templates not among `prints` are fingerprinted with their entries by
    `fingerprint_all`, and each file warned is read again to place its warnings by
    `locate_all`; by default both read the files one by one through `read` (a file
    loaded, or None), and `validate` spreads them over its workers when there are many.
    """
    known = {p.path: p for p in prints}
    by_id = {p.scenario_id: p for p in known.values() if p.scenario_id}
    extra = _templates(catalog, known)
    extra += _sources(catalog, known, by_id)
    extra += _titles_read(catalog, known, extra)
    if fingerprint_all is None:
        fingerprint_all = partial(fingerprint_each, catalog=catalog, read=read)
    for made in fingerprint_all(extra) if extra else []:
        if made is not None:
            known.setdefault(made.path, made)
            if made.scenario_id:
                by_id.setdefault(made.scenario_id, made)
    findings: dict[Path, list[Finding]] = defaultdict(list)
    for copy, finding in [*_same_titles(known.values()), *_unchanged(known.values(), by_id)]:
        findings[copy.path].append(finding)
    if not findings:
        return {}
    if locate_all is None:
        locate_all = partial(locate_each, read=read)
    items = list(findings.items())
    return {path: found for (path, _), found in zip(items, locate_all(items), strict=True)}


def locate_each(
    items: Sequence[tuple[Path, list[Finding]]], read: Callable[[Path], Source | None]
) -> list[list[Diagnostic]]:
    """Findings as diagnostics, each file read again for their positions (none if unread)."""
    located = []
    for path, found in items:
        source = read(path)
        located.append(
            SourceMap(source).locate(found, display_path(path)) if source is not None else []
        )
    return located


def fingerprint_each(
    paths: Sequence[Path], catalog: Catalog, read: Callable[[Path], Source | None]
) -> list[Fingerprint | None]:
    """Files fingerprinted with their entries, one by one."""
    loaded = ((path, read(path)) for path in paths)
    return [
        fingerprint(path, source.data, catalog, entries=True) if source is not None else None
        for path, source in loaded
    ]


def _templates(catalog: Catalog, known: dict[Path, Fingerprint]) -> list[Path]:
    """The templates not fingerprinted yet: every scenario's title is compared with theirs.

    The templates' folder is listed (a few files), not the catalog's every id.
    """
    if catalog.root is None:
        return []
    folder = catalog.root / TEMPLATES_DIR
    if not folder.is_dir():
        return []
    listing = list_files([folder], catalog.root)
    return [p for p in (p.absolute() for p in listing.paths) if p not in known]


def _sources(
    catalog: Catalog, known: dict[Path, Fingerprint], by_id: dict[str, Fingerprint]
) -> list[Path]:
    """The files named by a `derived_from` that are not fingerprinted with their entries."""
    wanted = []
    for print_ in list(known.values()):
        source = print_.derived_from
        if source is None or source == print_.scenario_id:
            continue
        had = by_id.get(source)
        if had is not None and had.phases is None:
            del known[had.path]
            del by_id[source]
            wanted.append(had.path)
        elif had is None and catalog.knows(source):
            wanted += catalog.files_by_id[source][:1]
    return list(dict.fromkeys(wanted))


# A title line as `fmt` writes it, at the start of a line: its raw text, quotes and all
# (`same_title` drops them with the punctuation).
_TITLE_LINE = re.compile(rb"^title:[ \t]*(.+?)[ \t]*$", re.MULTILINE)
# How much of a file the title is looked for in: `fmt` writes it near the top.
_TITLE_WITHIN = 4096


def _titles_read(
    catalog: Catalog, known: dict[Path, Fingerprint], wanted: list[Path]
) -> list[Path]:
    """The repository's other files whose title may be a checked file's, to be loaded.

    Only when some files are checked (the whole repository is fingerprinted already): each
    other file's `title:` line is read from its first bytes, not parsed, so comparing one
    file with 10,000 costs reading them, not loading them. A title the line does not show
    plainly (a block scalar, an escape) is not matched here; CI's whole run still sees it.
    """
    titles = {p.title for p in known.values() if p.title and not p.template}
    if not titles:
        return []
    skip = {str(p) for p in known} | {str(p) for p in wanted}
    found = []
    for name in catalog.names():
        if name in skip:
            continue
        try:
            # os-level calls: a buffered file object costs more than the read, 10,000 times.
            handle = os.open(name, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            head = os.read(handle, _TITLE_WITHIN)
        except OSError:
            continue
        finally:
            os.close(handle)
        line = _TITLE_LINE.search(head)
        if line is not None and same_title(line[1].decode("utf-8", "replace")) in titles:
            found.append(Path(name))
    return found


def _same_titles(prints: Iterable[Fingerprint]) -> Iterator[tuple[Fingerprint, Finding]]:
    groups: dict[str, list[Fingerprint]] = defaultdict(list)
    for print_ in prints:
        if print_.title:
            groups[print_.title].append(print_)
    for group in groups.values():
        if len(group) < 2:
            continue
        sources = {p.derived_from for p in group if p.derived_from}
        for print_ in group:
            if print_.template or (print_.scenario_id in sources):
                continue
            # Files claiming the same id are one scenario twice: `duplicate-id` says so.
            others = sorted(
                (
                    p
                    for p in group
                    if p is not print_
                    and not (p.scenario_id and p.scenario_id == print_.scenario_id)
                ),
                key=lambda p: p.path,
            )
            if not others:
                continue
            named = ", ".join(_named(p) for p in others[:MAX_NAMED])
            if len(others) > MAX_NAMED:
                named += f" and {len(others) - MAX_NAMED:,} more"
            yield (
                print_,
                Finding(
                    ("title",),
                    CODE,
                    f"the title '{visible(print_.shown_title)}' is already the title of "
                    f"{named}: a near-copy of an existing scenario adds nothing for a "
                    "learner; give this scenario a title of its own that says what is "
                    "new (its place, its situation)",
                    severity="warning",
                ),
            )


def _unchanged(
    prints: Iterable[Fingerprint], by_id: dict[str, Fingerprint]
) -> Iterator[tuple[Fingerprint, Finding]]:
    for print_ in prints:
        source = by_id.get(print_.derived_from or "")
        if source is None or source is print_ or print_.template:
            continue
        translated = source.template and source.language != print_.language
        if source.template and not translated:
            continue
        if print_.phases is None or not source.phases:
            continue
        theirs = {h for _, _, hashes in source.phases for h in hashes}
        kept = [(n, pid, sum(1 for h in hs if h in theirs)) for n, pid, hs in print_.phases]
        total = sum(len(hs) for _, _, hs in print_.phases)
        same = sum(k for _, _, k in kept)
        if translated:
            if same < MIN_ENTRIES:
                continue
        elif total < MIN_ENTRIES or same < UNCHANGED_SHARE * total:
            continue
        number, _, _ = max(kept, key=lambda k: k[2])
        phases = ", ".join(f"'{visible(pid)}' ({k})" for _, pid, k in kept if k)
        if translated:
            advice = (
                f", written in '{visible(source.language or '?')}' while this scenario is in "
                f"'{visible(print_.language or '?')}': translate each into its language (or "
                "write it as 'TODO: <words>' to translate later, as `scenarios new "
                "--language` does)"
            )
        else:
            # The fewest entries to change for the share unchanged to fall below the limit.
            to_change = same - math.ceil(UNCHANGED_SHARE * total) + 1
            advice = (
                f": a near-copy (a scenario that keeps {UNCHANGED_SHARE:.0%} or more of its "
                "source's entries adds nothing for a learner); make it its own: rewrite "
                f"at least {to_change} of them for its situation (its place, its people, "
                "what happens), and drop what does not belong"
            )
        message = (
            f"{same} of its {total} vocabulary and phrase entries keep the words of "
            f"{_named(source)}, which derived_from names (by phase: {phases}){advice}"
        )
        yield print_, Finding(("phases", number), CODE, message, severity="warning")


def _named(print_: Fingerprint) -> str:
    kind = "the template" if print_.template else "the scenario"
    return f"{kind} '{visible(print_.scenario_id or print_.path.stem)}'"


def with_positions(diagnostics: list[Diagnostic], more: list[Diagnostic]) -> list[Diagnostic]:
    """A file's diagnostics with its `near-copy` ones among them, in position order.

    The line that counts the problems not shown (`capped`) stays last.
    """
    tail = [d for d in diagnostics if d.code == TOO_MANY]
    shown = [d for d in diagnostics if d.code != TOO_MANY] + more
    shown.sort(key=lambda d: (d.line, d.column, d.code))
    return shown + tail
