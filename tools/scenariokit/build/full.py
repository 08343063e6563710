"""A build into an empty folder: every file compiled over the cores, then swapped in."""

from __future__ import annotations

import marshal
import os
import shutil
from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson

from scenariokit.build import state as build_state
from scenariokit.build.decks import (
    deck_of,
    kept_collection,
    language_files,
    recorded_tokens,
    refuse_clashes,
    seal,
)
from scenariokit.build.decks import write_part as write_decks_part
from scenariokit.build.folder import (
    INDEX_FILE,
    contents,
    refuse_unrecorded,
    staging_folder,
    swap,
)
from scenariokit.build.outputs import (
    BuildResult,
    Links,
    Progress,
    dates_of,
    listing_files,
    published_of,
    scenario_files,
    scenario_output,
    state_row,
    stop_on_errors,
    stored_diagnostics,
    tool_fingerprint,
    write,
)
from scenariokit.build.settings import context_fingerprint
from scenariokit.build.sources import (
    SourceFile,
    derive,
    derive_paths,
    report,
)
from scenariokit.build.sqlite_index import (
    IndexedScenario,
    merge_parts,
    write_part,
    write_public,
)
from scenariokit.build.state import STATE_FILE, FileRow
from scenariokit.check.languages import direction, language_facts, remember_language_facts
from scenariokit.errors import UserError
from scenariokit.files.history import FileDates, file_dates, head
from scenariokit.files.repository import Catalog, read_catalog
from scenariokit.memory import return_large_blocks
from scenariokit.parallel import Background, map_chunks, map_with
from scenariokit.website.decks import (
    empty_collection_text,
    language_deck_file,
    scenario_deck_file,
    scenario_package,
)
from scenariokit.website.pages import (
    SiteContext,
    SiteScenario,
    builder_files,
    builder_page,
    copy_assets,
    derived_href,
    load_renderer,
    not_found_page,
    review_page,
    sitemap,
    templates_page,
)
from scenariokit.website.search_files import (
    WORD_GROUPS,
    Listed,
    card_files,
    group_word_files,
    keys_files,
    word_groups,
)

if TYPE_CHECKING:
    from scenariokit.models import Scenario

PAGES_PER_PROCESS = 300


# Scenario files a worker compiles at a time, in id order. Fixed, so the index's parts and
# their order — and so the index file — are the same on a machine with any number of cores.
CHUNK = 200


class Job(NamedTuple):
    """What every worker of a full build reads, the same for every chunk it compiles."""

    staging: Path
    context: SiteContext
    catalog: Catalog
    dates: dict[str, FileDates]
    rowids: dict[str, int]  # the index's rowid of each scenario: its place in id order
    scenario_ids: set[str]
    template_ids: set[str]


class Compiled(NamedTuple):
    """What compiling a file leaves for the rest of the build: its data stays in the worker.

    Except for a public scenario derived from another scenario (`waiting`): its page links
    to its source only if that is public, which is known once every file is compiled, so
    it is rendered then, once.
    """

    row: FileRow
    card: bytes | None  # a public scenario's (its words are in the chunk's words file)
    waiting: SiteScenario | None


def full_build(
    root: Path,
    out: Path,
    context: SiteContext,
    files: list[SourceFile],
    progress: Progress | None,
    public_index: str | None,
) -> BuildResult:
    """Compile everything into a staging folder, then swap it in.

    Workers each take chunks of scenario files and do all that one file needs: parse,
    validate, render its page and API file, and write its index rows into a part of the
    index. Only small things come back (its state row, card and search words), so the
    documents of thousands of files are never gathered in one process; except a public
    scenario derived from another scenario, whose page is rendered once the public ids
    are known (`Compiled.waiting`). Then the index's parts are merged, and each
    language's Anki package made, in processes of their own (forked before the compile,
    see `Background`) while this one renders those pages and writes the listings, the
    search files and the state. The public index, when it goes inside the output, is
    written into the staging folder too.
    """
    refuse_unrecorded(out)  # before hours of work, not only at the swap
    return_large_blocks()
    result = BuildResult(out)
    scenario_files = sorted((f for f in files if not f.is_template), key=lambda f: f.stem)
    template_files = [f for f in files if f.is_template]
    staging = staging_folder(out)
    side: Background | None = None
    decks: Background | None = None
    try:
        chunks = [
            (n, scenario_files[start : start + CHUNK])
            for n, start in enumerate(range(0, len(scenario_files), CHUNK))
        ]
        # Forked first, while this process is small; they start once the compile is done.
        worth_it = len(scenario_files) >= PAGES_PER_PROCESS
        parts = [staging / "parts" / f"{n}.sqlite" for n, _ in chunks]
        side = Background(
            partial(merge_parts, staging / "scenarios.sqlite", parts), worth_it=worth_it
        )
        decks = Background(
            partial(_write_language_decks, staging, context, staging / "parts" / "decks"),
            worth_it=worth_it,
        )
        claims = read_catalog(root, (f.name for f in files))
        templates = derive(template_files, claims)
        (staging / "site" / "api" / "scenarios").mkdir(parents=True)
        (staging / "parts").mkdir()
        ids = [f.stem for f in scenario_files]
        template_ids = {f.stem for f in template_files}
        result.templates = template_ids
        job = Job(
            staging=staging,
            context=context,
            catalog=claims,
            dates=file_dates(root),
            rowids={scenario_id: n for n, scenario_id in enumerate(ids, start=1)},
            scenario_ids=set(ids),
            template_ids=template_ids,
        )
        load_renderer()
        done = progress("Building", len(scenario_files)) if progress and scenario_files else None
        compiled = map_with(_compile_chunks, job, chunks, per_process=1, per_task=1, done=done)
        rows = [c.row for c in compiled]
        stop_on_errors(
            report(
                [*scenario_files, *template_files],
                [stored_diagnostics(c.row) for c in compiled] + [t.diagnostics for t in templates],
            ),
            result,
        )
        side.start()
        public = [c for c in compiled if c.card is not None]
        languages = {c.row.language for c in public if c.row.language}
        refuse_clashes({c.row.scenario_id for c in public if c.row.scenario_id}, languages)
        decks.start(sorted(languages))
        result.scenarios = sum(1 for r in rows if r.is_public is not None)
        result.public = result.rendered = len(public)
        template_docs = [t.data for t in templates if t.data is not None]  # validated
        links = Links({c.row.scenario_id for c in public if c.row.scenario_id}, template_ids)
        waiting = [c.waiting for c in compiled if c.waiting is not None]
        render = partial(_render_pages, staging / "site", context, links)
        map_chunks(render, waiting, per_process=PAGES_PER_PROCESS)
        template_rows = [
            state_row(f, t, None, context) for f, t in zip(template_files, templates, strict=True)
        ]
        public.sort(key=lambda c: c.row.scenario_id or "")
        cards = [orjson.loads(c.card) for c in public if c.card]
        # What the workers found out about languages, for the next rebuild: every valid
        # file's language is real, and the cards carry their names; the directions of the
        # pages' languages are worked out here, where langcodes is loaded already.
        remember_language_facts(
            {
                "verdicts": {r.language: None for r in rows if r.language},
                "names": {c["language"]: c["language_name"] for c in cards},
                "directions": {tag: direction(tag) for tag in {c["language"] for c in cards}},
            }
        )
        summaries = (s for _, s in _public_parts(staging, "summaries", len(chunks), public))
        digests = _write_listings(staging / "site", context, cards, summaries, template_docs)
        _write_word_files(staging, len(chunks), len(cards))
        info = {
            "tool": tool_fingerprint(),
            "context": context_fingerprint(context),
            "head": head(root) or "",
            "generation": "1",  # a new folder: no journal of an earlier build applies to it
            "languages": orjson.dumps(language_facts()).decode(),
            "empty_collection": empty_collection_text(),
            "public_index": public_index or "",
        }
        published = (
            (
                (path, card, summary)
                for (path, summary), card in zip(
                    _public_parts(staging, "summaries", len(chunks), public),
                    (c.card for c in public if c.card),
                    strict=True,
                )
            ),
            _public_parts(staging, "words", len(chunks), public),
        )
        state_rows = sorted([*rows, *template_rows], key=lambda r: r.path)
        decks.join()  # its files are among those written
        kept = {language: seal(staging / kept_collection(language), 1) for language in languages}
        info["collections"] = recorded_tokens(kept)
        written = _written(staging, public_index)
        build_state.create(staging / STATE_FILE, info, state_rows, published, digests, written)
        side.join()
        shutil.rmtree(staging / "parts")
        if public_index:
            write_public(staging / INDEX_FILE, staging / public_index, template_ids)
        swap(staging, out, progress("Swapping", 2) if progress else None)
    except BaseException:
        for process in (side, decks):
            if process is not None:
                process.cancel()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    result.parsed = len(files)
    return result


def _written(staging: Path, public_index: str | None) -> dict[str, bool]:
    """Every file and folder of a new output (is a folder), for its state to record.

    Read while the index is merged: its parts are left out, the index and the public index
    (inside the output, where the site must have no file of that name) put in.
    """
    if public_index and os.path.lexists(staging / public_index):
        raise UserError(
            f"--public-index {public_index} inside the output is a file of the site itself: "
            "choose another name; nothing was written"
        )
    written = {
        relative: kind == "folder"
        for relative, kind in contents(staging)
        if relative.split("/")[0] not in ("parts", INDEX_FILE)
    }
    return written | {INDEX_FILE: False} | ({public_index: False} if public_index else {})


def _compile_chunks(job: Job, chunks: Sequence[tuple[int, list[SourceFile]]]) -> list[Compiled]:
    """Compile chunks of scenario files (in a forked worker when there are many)."""
    site = job.staging / "site"
    results = []
    for number, files in chunks:
        derived = derive_paths(job.catalog, [f.path for f in files])
        indexed, rowids = [], []
        outputs: list[tuple[str, bytes]] = []
        decks = []
        words: list[tuple[str, bytes]] = []
        summaries: list[tuple[str, bytes]] = []
        groups: list[list[dict[str, int]]] = [[] for _ in range(WORD_GROUPS)]
        for file, record in zip(files, derived, strict=True):
            entry = None
            if record.data is not None:
                entry = SiteScenario(record.data, file.key, *dates_of(file.key, job.dates))
            row = state_row(file, record, entry, job.context)
            card = waiting = None
            valid = entry is not None and not any(
                d["severity"] == "error" for d in record.diagnostics
            )
            if entry is not None and valid:
                indexed.append(
                    IndexedScenario(
                        entry.data,
                        entry.source_path,
                        entry.created_at,
                        entry.updated_at,
                        record.search_text,
                    )
                )
                rowids.append(job.rowids[entry.scenario_id])
                if row.is_public:
                    published = published_of(entry, record)
                    card = published.card
                    words.append((row.path, published.weights))
                    summaries.append((row.path, published.summary))
                    for group, some in zip(groups, word_groups(record.weights), strict=True):
                        group.append(some)
                    deck = deck_of(entry, job.context, job.rowids[entry.scenario_id])
                    outputs.append((scenario_deck_file(entry.scenario_id), scenario_package(deck)))
                    decks.append((entry.data["language"], deck))
                    if entry.data.get("derived_from") in job.scenario_ids:
                        waiting = entry  # its link waits for which scenarios are public
                    else:  # its source, if any, is a template or nothing: no scenario's
                        href = derived_href(entry, set(), job.template_ids)
                        outputs += scenario_output(entry, job.context, href)
            results.append(Compiled(row, card, waiting))
        # Written after the whole chunk is rendered: system calls between pages pushed the
        # renderer's code out of the processor's caches.
        for relative, content in outputs:
            write(site / relative, content)
        write_part(job.staging / "parts" / f"{number}.sqlite", indexed, rowids)
        write_decks_part(job.staging / "parts" / "decks", number, decks)
        write(job.staging / "parts" / "words" / str(number), marshal.dumps(words))
        write(job.staging / "parts" / "summaries" / str(number), marshal.dumps(summaries))
        for g, group in enumerate(groups):
            write(job.staging / "parts" / "groups" / f"{number}-{g}", marshal.dumps(group))
    return results


def _public_parts(
    staging: Path, kind: str, chunks: int, public: list[Compiled]
) -> Iterator[tuple[str, bytes]]:
    """Each public scenario's path and words or summary (`kind`), in the order of `public`.

    For the state and the API's summary. Read from the files the workers wrote, one chunk
    at a time, so that those of every scenario are never in memory at once (at 100,000
    scenarios the words are 0.65 GB). The workers wrote them chunk after chunk of files in
    name order, which is id order in a build that got this far (a file with errors stops
    it, and a file is named after its id); a file out of that order would misnumber the
    search's results (the word files, made from the same chunks, were written already),
    so it stops the build.
    """
    paths = iter([c.row.path for c in public])
    for number in range(chunks):
        for path, made in marshal.loads((staging / "parts" / kind / str(number)).read_bytes()):
            if path != next(paths, None):
                raise RuntimeError(f"{path}: a public scenario out of id order")
            yield path, made


def _group_words(staging: Path, chunks: int, group: int, count: int) -> Iterator[dict[str, int]]:
    """Each public scenario's weights in one group of words (`word_groups`), in id order.

    Read from the files the workers wrote for the group, chunk after chunk, as
    `_public_parts` reads the whole weights (which it checks are in id order): as many as
    there are public scenarios, or the search's numbers would be wrong.
    """
    read = 0
    for number in range(chunks):
        some = marshal.loads((staging / "parts" / "groups" / f"{number}-{group}").read_bytes())
        read += len(some)
        yield from some
    if read != count:
        raise RuntimeError(f"{read} scenarios' words in group {group}, not {count}")


def _write_word_files(staging: Path, chunks: int, count: int) -> None:
    """The search's word files: a group of words a task, over the cores, then the keys files.

    The longest step after the compile (3.4 s of 10,000 scenarios' on one core), while
    the index's merge and the language packages take their own processes.
    """
    found = map_with(
        _word_group_files,
        (staging, chunks, count),
        list(range(WORD_GROUPS)),
        per_process=1 if count >= PAGES_PER_PROCESS else WORD_GROUPS,
        per_task=1,
    )
    for relative, content in keys_files(found).items():
        write(staging / "site" / relative, content)


def _word_group_files(shared: tuple[Path, int, int], groups: Sequence[int]) -> list[Listed]:
    """Write these groups' word files (`group_word_files`); what each listed."""
    staging, chunks, count = shared
    found = []
    for group in groups:
        listed: Listed = {}
        weights = _group_words(staging, chunks, group, count)
        for relative, content in group_word_files(weights, count, listed):
            write(staging / "site" / relative, content)
        found.append(listed)
    return found


def _write_language_decks(
    staging: Path, context: SiteContext, parts: Path, languages: list[str]
) -> None:
    """Each language's package from the parts the workers wrote (forked: a language each)."""
    map_with(_language_decks, (staging, context, parts), languages, per_process=1, per_task=1)


def _language_decks(shared: tuple[Path, SiteContext, Path], languages: Sequence[str]) -> list[None]:
    """Write these languages' packages, and keep their collections for rebuilds."""
    staging, context, parts = shared
    for language, packed in language_files(context, languages, parts, staging):
        target = staging / "site" / language_deck_file(language)
        target.parent.mkdir(exist_ok=True)
        with target.open("wb") as file:
            file.writelines(packed)
    return [None] * len(languages)


def _render_pages(
    site: Path, context: SiteContext, links: Links, entries: Sequence[SiteScenario]
) -> list[None]:
    """Render and write the pages and API files of `entries` (forked when there are many)."""
    for entry in entries:
        for relative, content in scenario_output(entry, context, links.href(entry)):
            write(site / relative, content)
    return [None] * len(entries)


def _write_listings(
    site: Path,
    context: SiteContext,
    cards: list[dict[str, Any]],
    summaries: Iterable[bytes],
    templates: list[Scenario],
) -> dict[str, str]:
    """Every file of the site that lists scenarios, but the word files; the listings' digests.

    `cards` are the public scenarios' cards in id order, `summaries` their entries in the
    API's summary. The listings and summaries come from the function the rebuild uses,
    given everything (`listing_files`); the templates page, the assets and the sitemap
    (when the site's full URL is known) only a full build writes (a rebuild changes none
    of them).
    """
    digests, listings = listing_files(context, cards, summaries, {})
    languages = {c["language"] for c in cards} | {t["language"] for t in templates}
    pages = [templates_page(templates), builder_page(templates), review_page(languages)]
    files = {page.relative: page.render(context) for page in [*pages, not_found_page()]}
    files |= builder_files(templates, languages)
    listed = [
        *digests,
        *(page.relative for page in pages),
        *(scenario_files(c["scenario_id"])[0] for c in cards),
    ]
    if context.site_url:  # the sitemap protocol wants absolute addresses: none without one
        files["sitemap.xml"] = sitemap(listed, context)
    made = chain(
        files.items(),
        listings,
        card_files(enumerate(cards)),
    )
    for relative, content in made:  # each written as it is made (see `listing_files`)
        write(site / relative, content)
    copy_assets(site)
    return digests
