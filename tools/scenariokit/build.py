"""`scenarios build`: the SQLite index and the static site, compiled from the repository.

- **Validated first**: any error stops the build with the diagnostics `validate` gives.
- **Deterministic**: the same files and git history give byte-identical output.
- **Atomic**: a build into an empty folder writes everything into a sibling folder, then
  swaps it in with two renames. A rebuild writes its few changed files beside the output,
  moves them in under a journal and commits with one SQLite transaction over the index
  and the build state (`journal`, `build_state`). Either way a failed or interrupted build
  leaves the previous output, once the next build has rolled back what it left.
- **Incremental**: the output keeps `.scenariokit-build.sqlite`, what the last build saw of
  each file. A rebuild reads only the files whose modification time or size changed (and
  whose content did), re-renders their pages, the listing pages whose cards changed and the
  search files of their words, and replaces their rows in the index. The rows then equal a
  full build's; the index file's bytes may not (SQLite puts rows where there is room).
  Anything that changes the site's shape — a file added, removed or renamed, a scenario
  published or unpublished or moved to another language, a template, the theme, the tool,
  `--base-url` or the repository's address — rebuilds everything instead.

The output folder holds `scenarios.sqlite`, `site/` and the state, and nothing else. A
folder that is not exactly that, the repository itself and its own folders are refused
(`output_folder`), so a mistyped or hostile `--out` never deletes anyone's files. The state
records every file and folder the builds wrote: a full build replaces only a folder holding
nothing else, and a rebuild overwrites or removes only files it records, never through a
symlink (`journal`).

A rebuild trusts nothing of the output it does not check: an index that is missing, cut
short or not an index (`_index_intact`), or that SQLite finds damaged as the rebuild
updates it, and search files that do not parse, make it build everything anew instead —
never a traceback, never "Built" over a broken index.

Nothing secret reaches the output: the repository's address for "edit" links keeps only
`https://host/path` (`web_address`: no user, token, query or fragment), and the index meant
for publishing holds public scenarios only (`--public-index`, `index.write_public`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import sqlite3
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import orjson

from scenariokit import __version__, build_state, journal
from scenariokit.build_state import STATE_FILE, FileRow
from scenariokit.checks import language_facts, remember_language_facts
from scenariokit.diagnostics import Diagnostic, Report
from scenariokit.errors import UserError
from scenariokit.git import git_output
from scenariokit.history import file_dates, head
from scenariokit.index import (
    IndexedScenario,
    is_index,
    merge_parts,
    replace_scenarios,
    write_part,
    write_public,
)
from scenariokit.loader import LoadError, read_raw
from scenariokit.output_folder import (
    INDEX_FILE,
    SITE_DIR,
    contents,
    exclusive,
    recover,
    refuse_foreign_folder,
    refuse_repository,
    refuse_unrecorded,
    staging_folder,
    swap,
)
from scenariokit.parallel import Background, map_chunks
from scenariokit.repository import TEMPLATES_DIR, read_catalog
from scenariokit.schema import schema_path
from scenariokit.search_index import summary_files, word_files
from scenariokit.sources import (
    Derived,
    SourceFile,
    derive,
    derive_paths,
    refused_report,
    report,
    scan,
)
from scenariokit.theme import fingerprint
from scenariokit.website import (
    Entry,
    SiteContext,
    api_summary,
    card,
    copy_assets,
    derived_href,
    listing_pages,
    load_renderer,
    render_scenario,
    scenario_json,
    sitemap,
    templates_page,
)

PAGES_PER_PROCESS = 300
# A progress reporter: called with a stage's name and its number of items when the stage
# starts, then with the number of items done each time some are. The stages: a full build's
# "Building" (each scenario compiled) and "Swapping" (the old output moved aside, the new one
# moved in); a rebuild's "Reading" (each changed file) and "Moving" (each file moved into
# place under the journal). A caller that stops the process at a chosen one (as the tests
# of a killed build do) finds the output as it would after a crash at that point.
Progress = Callable[[str, int], Callable[[int], object]]


@dataclass(slots=True)
class BuildResult:
    """What a build did, for the summary line."""

    out: Path
    scenarios: int = 0
    public: int = 0
    rendered: int = 0
    reused: int = 0
    parsed: int = 0
    warnings: list[Diagnostic] = field(default_factory=list)


class BuildFailed(UserError):
    """The repository does not validate: nothing was built."""

    def __init__(self, report: Report) -> None:
        super().__init__(f"the build stopped: {report.summary()}; nothing was written")
        self.report = report


def build(
    root: Path,
    out: Path,
    *,
    base_url: str = "/",
    progress: Progress | None = None,
    waiting: Callable[[], object] | None = None,
    public_index: Path | None = None,
) -> BuildResult:
    """Build `out/scenarios.sqlite` and `out/site/` from the repository at `root`.

    Waits while another build writes `out`, calling `waiting()` once if it has to. With
    `public_index`, also writes there an index of the public scenarios alone, to publish.

    `out` is taken by its real path, once: through a symlink, the lock, the swap and the
    checks apply to the folder itself, and the symlink is left pointing at the new output.

    A file that cannot be read or written stops the build with a `UserError` naming it; the
    previous output stays as it was.
    """
    target = Path(os.path.realpath(out))
    published = Path(os.path.realpath(public_index)) if public_index else None
    try:
        refuse_repository(root, target)
        inside = None
        if published is not None:
            inside = _refuse_public_index(published, target)
        with exclusive(target, waiting):
            result = _build(root.absolute(), target, base_url, progress, inside)
            if published is not None and inside is None:
                write_public(target / INDEX_FILE, published)
            return result
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise UserError(
            f"the build stopped: {exc.strerror or exc}{where}; the previous output in "
            f"{out} is unchanged"
        ) from None
    except sqlite3.Error as exc:  # a full build's own files: the disk, say
        raise UserError(
            f"the build stopped: {exc}; the previous output in {out} is unchanged"
        ) from None


def _refuse_public_index(path: Path, out: Path) -> str | None:
    """Refuse a public index that would land on the build's own files or someone's file.

    Returns its path inside the output folder, if it goes there. It may go into the site,
    at its top (that is what publishing it means: pages.yml puts it at
    `site/scenarios.sqlite`), where it is part of the output: written into the new folder
    before a full build swaps it in, and recorded in the state like the site's files (else
    the next full build would refuse a folder holding it). Anywhere else in the output,
    beside it where a build keeps its own files, or on the output itself, it is refused:
    written there it was left behind, half written, and bricked the output. Outside, its
    folder must exist, and it may replace an index, never a file that is no index.
    Checked before anything is written.
    """
    problem = None
    if out == path or out.is_relative_to(path):
        problem = "is, or holds, the output folder"
    elif path.is_relative_to(out) and path.parent != out / SITE_DIR:
        problem = (
            f"is inside the output folder, which holds the build's own files: put it at "
            f"the top of {out / SITE_DIR} to publish it, or outside {out}"
        )
    elif path.parent == out.parent and path.name.startswith(f".{out.name}."):
        problem = f"is where the build keeps its own files beside {out}"
    elif not path.parent.is_dir() and not path.is_relative_to(out):
        problem = "is in a folder that does not exist"
    elif os.path.lexists(path) and not is_index(path):
        problem = "exists and is not a scenarios index: it would be replaced; choose another file"
    if problem:
        raise UserError(f"--public-index {path} {problem}; nothing was written")
    return path.relative_to(out).as_posix() if path.is_relative_to(out) else None


def _build(
    root: Path, out: Path, base_url: str, progress: Progress | None, public: str | None
) -> BuildResult:
    """Rebuild in place when the output allows it, else build everything anew.

    `public` is where the public index goes inside the output, if it does.
    """
    recover(out)
    refuse_foreign_folder(out)
    scanned = scan(root)
    if scanned.refused:  # links, FIFOs, devices: refused as `validate` refuses them
        raise BuildFailed(refused_report(scanned))
    files = scanned.files
    previous = build_state.read(out / STATE_FILE)
    if previous is not None and previous.info.get("tool") == _tool_fingerprint():
        rebuilt = _rebuild(root, out, base_url, files, previous, progress, public)
        if rebuilt is not None:
            return rebuilt
    return _full_build(root, out, base_url, files, progress, public)


# --- what both kinds of build do with a file ------------------------------------------


def _tool_fingerprint() -> str:
    """What makes everything remembered stale: this tool's code, version and schema.

    The code, not only the version: the state remembers each file's diagnostics, and a
    rule added without a new version number (as in a checkout between releases) must not
    leave a file that breaks it passing because it did not change. Hashing the package's
    modules is cheap next to any rebuild (bench/README.md).
    """
    digest = hashlib.sha256(__version__.encode() + schema_path().read_bytes())
    package = Path(__file__).parent
    for module in sorted(package.glob("*.py")):
        digest.update(module.name.encode() + module.read_bytes())
    return digest.hexdigest()


def _sha(file: SourceFile) -> str | None:
    """The file's content hash, read as every file is (`read_raw`); None when refused."""
    try:
        return hashlib.sha256(read_raw(file.path)).hexdigest()
    except LoadError:
        return None  # read again by `derive`, which reports why


def _validated(found: Report, result: BuildResult) -> None:
    """Stop the build on errors; keep the warnings for the summary."""
    if found.errors:
        raise BuildFailed(found)
    result.warnings = [d for d in found.diagnostics if d.severity == "warning"]


def _dates(key: str, dates: dict[str, Any]) -> tuple[str | None, str | None]:
    when = dates.get(key)
    return (when.created_at, when.updated_at) if when else (None, None)


def _row(file: SourceFile, record: Derived, entry: Entry | None) -> FileRow:
    """What the state remembers of a file."""
    row = FileRow(
        file.key,
        file.mtime_ns,
        file.size,
        record.sha,
        orjson.dumps(record.diagnostics) if record.diagnostics else None,
    )
    if isinstance(record.data, dict):
        row.scenario_id = record.data.get("scenario_id")
    if entry is not None:
        doc = entry.data
        row.is_public = bool(doc.get("is_public", True))
        row.language = doc["language"]
        row.phase_count = len(doc["phases"])
        row.created_at, row.updated_at = entry.created_at, entry.updated_at
    return row


def _published(entry: Entry, record: Derived) -> build_state.Published:
    """What the state keeps of a public scenario for the listings and the search files."""
    return build_state.Published(orjson.dumps(card(entry)), orjson.dumps(record.weights))


def _summaries(cards: list[dict[str, Any]], rows: list[FileRow]) -> bytes:
    """`api/scenarios.json` from the cards of public scenarios and their state rows."""
    return api_summary(
        [
            c | {"phase_count": r.phase_count, "updated_at": r.updated_at}
            for c, r in zip(cards, rows, strict=True)
        ]
    )


# --- a build into an empty folder -----------------------------------------------------

# Scenario files a worker compiles at a time, in id order. Fixed, so the index's parts and
# their order — and so the index file — are the same on a machine with any number of cores.
CHUNK = 200

# What the forked workers read: set just before they are created.
_JOB: dict[str, Any] = {}


class Compiled(NamedTuple):
    """What compiling a file leaves for the rest of the build: its data stays in the worker.

    Except for a public scenario derived from another scenario (`waiting`): its page links
    to its source only if that is public, which is known once every file is compiled, so
    it is rendered then, once.
    """

    row: FileRow
    published: build_state.Published | None
    waiting: Entry | None


def _full_build(
    root: Path,
    out: Path,
    base_url: str,
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
    are known (`Compiled.waiting`). Then the index's parts are merged in a process of its
    own while this one renders those pages and writes the listings, the search files and
    the state. The public index, when it goes inside the output, is
    written into the staging folder too.
    """
    refuse_unrecorded(out)  # before hours of work, not only at the swap
    result = BuildResult(out)
    scenario_files = sorted((f for f in files if not f.is_template), key=lambda f: f.stem)
    template_files = [f for f in files if f.is_template]
    claims = read_catalog(root, (f.name for f in files))
    templates = derive(template_files, claims)
    staging = staging_folder(out)
    side: Background | None = None
    try:
        (staging / "site" / "api" / "scenarios").mkdir(parents=True)
        (staging / "parts").mkdir()
        context = _context(root, base_url)
        ids = [f.stem for f in scenario_files]
        template_ids = {f.stem for f in template_files}
        _JOB.update(
            staging=staging,
            context=context,
            catalog=claims,
            dates=file_dates(root),
            rowids={scenario_id: n for n, scenario_id in enumerate(ids, start=1)},
            scenario_ids=set(ids),
            template_ids=template_ids,
        )
        chunks = [
            (n, scenario_files[start : start + CHUNK])
            for n, start in enumerate(range(0, len(scenario_files), CHUNK))
        ]
        load_renderer()
        done = progress("Building", len(scenario_files)) if progress and scenario_files else None
        try:
            compiled = map_chunks(_compile_chunks, chunks, per_process=1, per_task=1, done=done)
        finally:
            _JOB.clear()
        rows = [c.row for c in compiled]
        _validated(
            report(
                [*scenario_files, *template_files],
                [_diagnostics(c.row) for c in compiled] + [t.diagnostics for t in templates],
            ),
            result,
        )
        parts = [staging / "parts" / f"{n}.sqlite" for n, _ in chunks]
        side = Background(
            lambda: merge_parts(staging / "scenarios.sqlite", parts),
            worth_it=len(scenario_files) >= PAGES_PER_PROCESS,
        )
        public = [c for c in compiled if c.published is not None]
        result.scenarios = sum(1 for r in rows if r.is_public is not None)
        result.public = result.rendered = len(public)
        template_docs = [t.data for t in templates]
        links = _Links({c.row.scenario_id for c in public if c.row.scenario_id}, template_ids)
        waiting = [c.waiting for c in compiled if c.waiting is not None]
        render = partial(_render_pages, staging / "site", context, links)
        map_chunks(render, waiting, per_process=PAGES_PER_PROCESS)
        template_rows = [_row(f, t, None) for f, t in zip(template_files, templates, strict=True)]
        public.sort(key=lambda c: c.row.scenario_id or "")
        cards = [orjson.loads(c.published.card) for c in public if c.published]
        # What the workers found out about languages, for the next rebuild: every valid
        # file's language is real, and the cards carry their names.
        remember_language_facts(
            {
                "verdicts": {r.language: None for r in rows if r.language},
                "names": {c["language"]: c["language_name"] for c in cards},
            }
        )
        digests = _write_listings(staging / "site", context, public, cards, template_docs)
        info = {
            "tool": _tool_fingerprint(),
            "context": _context_fingerprint(context),
            "head": head(root) or "",
            "generation": "1",  # a new folder: no journal of an earlier build applies to it
            "languages": orjson.dumps(language_facts()).decode(),
            "public_index": public_index or "",
        }
        published = {c.row.path: c.published for c in public if c.published}
        state_rows = sorted([*rows, *template_rows], key=lambda r: r.path)
        written = _written(staging, public_index)
        build_state.create(staging / STATE_FILE, info, state_rows, published, digests, written)
        side.join()
        shutil.rmtree(staging / "parts")
        if public_index:
            write_public(staging / INDEX_FILE, staging / public_index)
        swap(staging, out, progress("Swapping", 2) if progress else None)
    except BaseException:
        if side is not None:
            side.cancel()
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


def _compile_chunks(chunks: Sequence[tuple[int, list[SourceFile]]]) -> list[Compiled]:
    """Compile chunks of scenario files (in a worker forked after `_JOB` was set)."""
    job = _JOB
    site = job["staging"] / "site"
    results = []
    for number, files in chunks:
        derived = derive_paths(job["catalog"], [f.path for f in files])
        indexed, rowids = [], []
        outputs: list[tuple[str, bytes]] = []
        for file, record in zip(files, derived, strict=True):
            entry = None
            if record.data is not None:
                entry = Entry(record.data, file.key, *_dates(file.key, job["dates"]))
            row = _row(file, record, entry)
            published = waiting = None
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
                rowids.append(job["rowids"][entry.scenario_id])
                if row.is_public:
                    published = _published(entry, record)
                    if entry.data.get("derived_from") in job["scenario_ids"]:
                        waiting = entry  # its link waits for which scenarios are public
                    else:  # its source, if any, is a template or nothing: no scenario's
                        href = derived_href(entry, set(), job["template_ids"])
                        outputs += _scenario_output(entry, job["context"], href)
            results.append(Compiled(row, published, waiting))
        # Written after the whole chunk is rendered: system calls between pages pushed the
        # renderer's code out of the processor's caches.
        for relative, content in outputs:
            _write(site / relative, content)
        write_part(job["staging"] / "parts" / f"{number}.sqlite", indexed, rowids)
    return results


def _render_pages(
    site: Path, context: SiteContext, links: _Links, entries: Sequence[Entry]
) -> list[None]:
    """Render and write the pages and API files of `entries` (forked when there are many)."""
    for entry in entries:
        for relative, content in _scenario_output(entry, context, links.href(entry)):
            _write(site / relative, content)
    return [None] * len(entries)


def _write_listings(
    site: Path,
    context: SiteContext,
    public: list[Compiled],
    cards: list[dict[str, Any]],
    templates: list[Any],
) -> dict[str, str]:
    """Every file of the site that lists scenarios; returns the listing pages' digests.

    `public` are in id order, `cards` their cards. The listings, summaries and word files
    come from the functions the rebuild uses, given everything (`_listing_files`,
    `_word_files`); the templates page, the assets and the sitemap only a full build
    writes (a rebuild changes none of them).
    """
    files, digests = _listing_files(context, cards, [c.row for c in public], {})
    weights = [orjson.loads(c.published.weights) for c in public if c.published]
    new_words = _word_files(None, {n: ({}, w) for n, w in enumerate(weights)})
    page = templates_page(templates)
    files[page.relative] = page.render(context)
    listed = [*digests, page.relative, *(_scenario_files(c["scenario_id"])[0] for c in cards)]
    files["sitemap.xml"] = sitemap(listed, context)
    for relative, content in [*files.items(), *new_words.items()]:
        if content is not None:
            _write(site / relative, content)
    copy_assets(site)
    return digests


def _listing_files(
    context: SiteContext,
    cards: list[dict[str, Any]],
    rows: list[FileRow],
    before: dict[str, str],
) -> tuple[dict[str, bytes], dict[str, str]]:
    """What lists the public scenarios: the listing pages, the API's and search's summaries.

    The one way both builds make them, from every public scenario's card and state row in
    id order. Pages whose digest is in `before` (the last build's, for a rebuild) are left
    out: they are as they were. Returns the files (relative to the site) and every listing
    page's digest.
    """
    files, digests = {}, {}
    for page in listing_pages(cards):
        digests[page.relative] = page.digest()
        if digests[page.relative] != before.get(page.relative):
            files[page.relative] = page.render(context)
    files["api/scenarios.json"] = _summaries(cards, rows)
    files |= summary_files(cards)
    return files, digests


def _diagnostics(row: FileRow) -> list[dict[str, Any]]:
    return orjson.loads(row.diagnostics) if row.diagnostics else []


class _Links(NamedTuple):
    """Where a page's "derived from" link may go: the public scenarios and the templates.

    Known before a page that links to a scenario is rendered (from the compiled files in
    a full build, from the build state in a rebuild), so no page is rendered twice.
    """

    public: set[str]
    templates: set[str]

    def href(self, entry: Entry) -> str | None:
        """Where `entry`'s link to its source goes, or None (see `derived_href`)."""
        return derived_href(entry, self.public, self.templates)


def _scenario_output(
    entry: Entry, context: SiteContext, href: str | None
) -> list[tuple[str, bytes]]:
    """A scenario's page and API file: (path relative to the site, content)."""
    page, api = _scenario_files(entry.scenario_id)
    return [
        (page, render_scenario(entry, context, href).encode()),
        (api, scenario_json(entry, href)),
    ]


def _scenario_files(scenario_id: str) -> tuple[str, str]:
    """The files of the site that belong to one scenario alone."""
    return f"scenarios/{scenario_id}/index.html", f"api/scenarios/{scenario_id}.json"


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


# --- a rebuild in place ---------------------------------------------------------------


def _rebuild(
    root: Path,
    out: Path,
    base_url: str,
    files: list[SourceFile],
    previous: build_state.State,
    progress: Progress | None,
    public_index: str | None,
) -> BuildResult | None:
    """Update the output for the files that changed; None when a full build is needed.

    Also when the output is not as the last build left it, as far as the rebuild relies on
    it: the index (`_index_intact`, and whatever SQLite finds as the rebuild writes it)
    and the search files it patches. The public index inside the output, if asked for, is
    replaced after the commit, from the committed index; one the last build wrote there
    and this one is not asked for is removed with the changes.
    """
    rows = previous.files
    if len(rows) != len(files) or any(f.key not in rows for f in files):
        return None  # a file was added, removed or renamed
    if not _index_intact(out / INDEX_FILE):
        return None
    remember_language_facts(orjson.loads(previous.info.get("languages") or "{}"))
    commit = head(root) or ""
    dates = file_dates(root) if commit != previous.info.get("head") else None
    touched, stale = [], []
    for file in files:
        row = rows[file.key]
        if (file.mtime_ns, file.size) != (row.mtime_ns, row.size):
            if _sha(file) == row.sha:
                touched.append(row)
                row.mtime_ns, row.size = file.mtime_ns, file.size
                continue
            stale.append(file)
        elif (
            dates is not None
            and row.is_public is not None
            and _dates(file.key, dates) != (row.created_at, row.updated_at)
        ):
            stale.append(file)
    if any(f.is_template for f in stale):
        return None
    result = BuildResult(out, parsed=len(stale))
    # The other files' diagnostics are as the last build left them: theirs depend on the
    # catalog only through the files' names, which are the same (or this is a full build).
    done = progress("Reading", len(stale)) if progress and stale else None
    fresh = derive(stale, read_catalog(root, (f.name for f in files)), done)
    derived = dict(zip((f.key for f in stale), fresh, strict=True))
    _validated(
        report(
            files,
            [
                derived[f.key].diagnostics
                if f.key in derived
                else orjson.loads(rows[f.key].diagnostics or b"[]")
                for f in files
            ],
        ),
        result,
    )
    changed: list[tuple[Entry, Derived, FileRow]] = []
    for file in stale:
        record, row = derived[file.key], rows[file.key]
        assert record.data is not None  # validated above: a file without errors has its data
        old_dates = (row.created_at, row.updated_at)
        entry = Entry(
            record.data, file.key, *(old_dates if dates is None else _dates(file.key, dates))
        )
        new = _row(file, record, entry)
        if (new.is_public, new.language) != (row.is_public, row.language):
            return None  # the scenario moves to or from other listings
        changed.append((entry, record, new))
    scenarios = sorted(
        (r for r in rows.values() if r.is_public is not None), key=lambda r: r.scenario_id or ""
    )
    result.scenarios = len(scenarios)
    updates = {new.path: new for _, _, new in changed}
    public = [updates.get(r.path, r) for r in scenarios if r.is_public]
    result.public = len(public)
    context = _context(root, base_url)
    if _context_fingerprint(context) != previous.info.get("context"):
        return None
    info = {
        "head": commit,
        "generation": str(previous.generation + 1),
        "languages": orjson.dumps(language_facts()).decode(),
        "public_index": public_index or "",
    }
    last_public = previous.info.get("public_index") or None
    try:
        if changed or public_index != last_public:
            _update_in_place(
                out, context, previous, public, changed, touched, info, last_public, progress
            )
        elif touched or commit != previous.info.get("head"):
            _remember(out, touched, info)
    except (_Damaged, sqlite3.DatabaseError):
        return None  # rolled back: build everything anew
    if public_index:
        journal.replace_file(out, public_index, lambda path: write_public(out / INDEX_FILE, path))
    result.rendered = sum(1 for _, _, new in changed if new.is_public)
    result.reused = result.public - result.rendered
    return result


def _update_in_place(
    out: Path,
    context: SiteContext,
    previous: build_state.State,
    public: list[FileRow],
    changed: list[tuple[Entry, Derived, FileRow]],
    touched: list[FileRow],
    info: dict[str, str],
    last_public: str | None,
    progress: Progress | None,
) -> None:
    """Write the changed files under a journal; commit with the index and the state.

    The listings, the API's summary and the search's summary files are rewritten only when
    a card (or a phase count or date the summary shows) changed: otherwise they stay as
    they are, unread. Only files the state records are overwritten or removed (the state
    records the new ones, and `info["public_index"]`); `last_public`, the public index the
    last build wrote inside the output, is removed unless asked for again.
    """
    changes = journal.Changes(out)
    connection = sqlite3.connect(
        f"{(out / INDEX_FILE).absolute().as_uri()}?mode=rw", uri=True, isolation_level=None
    )
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("ATTACH DATABASE ? AS state", (str(out / STATE_FILE),))
        connection.execute("BEGIN")
        shown = [(e, d, new) for e, d, new in changed if new.is_public]
        published = {new.path: _published(e, d) for e, d, new in shown}
        old_weights = build_state.weights(connection, published)
        _write_pages(changes, context, shown, public, previous)
        number = {r.scenario_id: n for n, r in enumerate(public)}
        words = {
            number[e.scenario_id]: (
                orjson.loads(old_weights[new.path]),
                orjson.loads(published[new.path].weights),
            )
            for e, _, new in shown
        }
        for relative, content in _word_files(out / SITE_DIR, words).items():
            if content is None:
                changes.remove(f"site/{relative}")
            else:
                changes.write(f"site/{relative}", content)
        digests: dict[str, str] = {}
        if _listed_differently(connection, shown, published, previous):
            stored = build_state.cards(connection) | {p: v.card for p, v in published.items()}
            cards = [orjson.loads(stored[r.path]) for r in public]
            listed, digests = _listing_files(context, cards, public, previous.pages)
            for relative, content in listed.items():
                changes.write(f"site/{relative}", content)
        public_index = info["public_index"] or None
        dropped = [last_public] if last_public and last_public != public_index else []
        for relative in dropped:
            changes.remove(relative)
        _refuse_unrecorded_files(out, connection, changes.replaced)
        _require_rows(connection, [e.scenario_id for e, _, _ in changed])
        replace_scenarios(
            connection,
            [
                IndexedScenario(e.data, e.source_path, e.created_at, e.updated_at, d.search_text)
                for e, d, _ in changed
            ],
        )
        build_state.save(connection, info, [new for _, _, new in changed], published, digests)
        build_state.touch(connection, touched)
        build_state.record_outputs(
            connection,
            [*changes.written, *([public_index] if public_index else [])],
            [*changes.removed, *dropped],
        )
        changes.apply(
            int(info["generation"]),
            commit=lambda: connection.execute("COMMIT"),
            done=progress("Moving", len(changes)) if progress else None,
        )
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            if connection.in_transaction:
                connection.execute("ROLLBACK")
        connection.close()
        recover(out)  # puts back whatever was moved
        raise
    connection.close()


class _Damaged(Exception):
    """Something of the output a rebuild relies on is not as the last build left it."""


def _index_intact(path: Path) -> bool:
    """Whether the output's index is whole enough for a rebuild to update it in place.

    A regular file, as long as its header says (a file cut short is caught here), holding
    an index of this version (`is_index`: a deleted, emptied or overwritten one is not).
    Reading every page (`PRAGMA quick_check`) would take about as long as the whole
    rebuild: damage further in is met as a `sqlite3.DatabaseError` when
    the rebuild reads or writes there, which rolls it back and builds anew.
    """
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        with path.open("rb") as file:
            header = file.read(100)
        size = path.stat().st_size
    except OSError:
        return False
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return False
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    counted = header[92:96] == header[24:28]  # else SQLite goes by the file's size
    if counted and pages * page_size > size:
        return False
    return is_index(path)


def _word_files(site: Path | None, words: dict[int, tuple[Any, Any]]) -> dict[str, bytes | None]:
    """The word files to write, for both builds (`word_files`): a full build passes no site.

    `_Damaged` if a file to patch is not what a build wrote.
    """
    try:
        return word_files(words, site)
    except (ValueError, TypeError, AttributeError) as exc:  # not JSON, or not a word file
        raise _Damaged(exc) from exc


def _refuse_unrecorded_files(
    out: Path, connection: sqlite3.Connection, replaced: list[str]
) -> None:
    """Refuse to overwrite or remove a file the state does not record: someone's file."""
    stray = build_state.unrecorded(connection, replaced)
    if stray is not None:
        raise UserError(
            f"{out / stray} is not a file `scenarios build` wrote (its state records all it "
            "wrote), and this build would replace it: move it out of the output; nothing "
            "was written"
        )


def _require_rows(connection: sqlite3.Connection, scenario_ids: list[str]) -> None:
    """`_Damaged` unless the index holds a row for each of these scenarios."""
    for scenario_id in scenario_ids:
        query = "SELECT 1 FROM scenarios WHERE scenario_id = ?"
        if connection.execute(query, (scenario_id,)).fetchone() is None:
            raise _Damaged(f"{scenario_id} is not in the index")


def _write_pages(
    changes: journal.Changes,
    context: SiteContext,
    shown: list[tuple[Entry, Derived, FileRow]],
    public: list[FileRow],
    previous: build_state.State,
) -> None:
    """The page and the API file of each changed public scenario."""
    links = _Links(
        {r.scenario_id for r in public if r.scenario_id},
        {
            r.scenario_id
            for r in previous.files.values()
            if r.scenario_id and r.path.startswith(TEMPLATES_DIR + "/")
        },
    )
    for entry, _, _ in shown:
        for relative, content in _scenario_output(entry, context, links.href(entry)):
            changes.write(f"site/{relative}", content)


def _listed_differently(
    connection: sqlite3.Connection,
    shown: list[tuple[Entry, Derived, FileRow]],
    published: dict[str, build_state.Published],
    previous: build_state.State,
) -> bool:
    """Whether a listing, the API's summary or the search's summaries may change."""
    old_cards = build_state.cards(connection, list(published))
    for _, _, new in shown:
        old = previous.files[new.path]
        if (new.phase_count, new.updated_at) != (old.phase_count, old.updated_at):
            return True
        if published[new.path].card != old_cards[new.path]:
            return True
    return False


def _remember(out: Path, touched: list[FileRow], info: dict[str, str]) -> None:
    """Save what changed of the sources that changes nothing of the output."""
    connection = sqlite3.connect(":memory:", isolation_level=None)
    try:
        connection.execute("ATTACH DATABASE ? AS state", (str(out / STATE_FILE),))
        connection.execute("BEGIN")
        build_state.touch(connection, touched)
        build_state.save(connection, info, [], {}, {})
        connection.execute("COMMIT")
    finally:
        connection.close()


# --- the site's settings ---------------------------------------------------------------


def _context(root: Path, base_url: str) -> SiteContext:
    parts = urlsplit(base_url)
    base = parts.path.rstrip("/")
    site_url = f"{parts.scheme}://{parts.netloc}{base}" if parts.scheme and parts.netloc else ""
    repository, branch = repository_url(root)
    return SiteContext(
        base=base,
        site_url=site_url,
        repository_url=repository,
        branch=branch,
    )


def _context_fingerprint(context: SiteContext) -> str:
    """Everything every page depends on: a change rebuilds every page."""
    inputs = orjson.dumps([context, fingerprint(), __version__])
    return hashlib.sha256(inputs).hexdigest()


def repository_url(root: Path) -> tuple[str | None, str]:
    """The repository's web address and branch for "edit" links.

    From `SCENARIOKIT_REPOSITORY` (`https://github.com/OWNER/REPO`, as CI sets from
    `GITHUB_REPOSITORY`) and `SCENARIOKIT_BRANCH`, else from the `origin` remote; none
    outside git. Either way only what `web_address` keeps: a remote's address may carry a
    token, and this one is printed on every page.
    """
    branch = os.environ.get("SCENARIOKIT_BRANCH", "main")
    configured = os.environ.get("SCENARIOKIT_REPOSITORY")
    if configured:
        address = web_address(configured)
        if address is None:
            # The value is not repeated: it may hold a token.
            raise UserError(
                "SCENARIOKIT_REPOSITORY must be the https address of a repository on a host "
                "name, such as https://github.com/OWNER/REPO"
            )
        return address, branch
    remote = git_output(root, "remote", "get-url", "origin", timeout=10) or ""
    return web_address(remote), branch


# A dotted host name (github.com, git.example.org): not an address, not a bare word.
_HOST_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+")
_REPOSITORY_PATH = re.compile(r"(?:/[A-Za-z0-9._~-]+)+")
# scp-like git addresses: `[user@]host:owner/repo.git`
_SCP_ADDRESS = re.compile(r"(?:[^@/:]+@)?([^@/:]+):(?!//)([^?#]+)")


def web_address(remote: str) -> str | None:
    """A repository's public web address from a git remote, or None when it has none.

    Keeps the host, for https its port, and the path without `.git`: never the user name,
    password or token of `https://user:token@host/…`, nor a query or a fragment. An ssh
    remote (`ssh://git@host/o/r`, `git@host:o/r.git`) gives the https address on the same
    host (an ssh port says nothing of the web's). Anything else (http, a local path, an IP
    address, a path with characters a repository's name does not have) gives None.
    """
    remote = remote.strip()
    port = None
    if "://" not in remote:
        scp = _SCP_ADDRESS.fullmatch(remote)
        if scp is None:
            return None
        host, path = scp[1].lower(), "/" + scp[2]
    else:
        parts = urlsplit(remote)
        scheme = parts.scheme.lower()
        if scheme not in ("https", "ssh"):
            return None
        try:
            host, port = parts.hostname or "", parts.port if scheme == "https" else None
        except ValueError:  # a port that is not a number
            return None
        path = parts.path
    path = path.rstrip("/").removesuffix(".git")
    if not _HOST_NAME.fullmatch(host) or host.replace(".", "").isdigit():
        return None
    if not _REPOSITORY_PATH.fullmatch(path):
        return None
    return f"https://{host}{f':{port}' if port else ''}{path}"
