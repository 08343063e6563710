"""What the full build and the rebuild both make, made one way.

A file's state row, a scenario's page and API file, where its "derived from" link goes,
the listings with the API's and the search's summaries, the word files: the full build
passes everything, the rebuild only what changed, to the same functions. Also what a
build reports (`BuildResult`, `BuildFailed`) and how it shows progress (`Progress`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import sqlite3
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from scenariokit import __version__
from scenariokit.build import state as build_state
from scenariokit.build.sources import (
    Derived,
    SourceFile,
)
from scenariokit.build.state import FileRow
from scenariokit.check.diagnostics import Diagnostic, Report
from scenariokit.check.schema import schema_path
from scenariokit.errors import UserError
from scenariokit.files.loader import LoadError, read_raw
from scenariokit.website.pages import (
    SiteContext,
    SiteScenario,
    api_summary,
    card,
    derived_href,
    listing_pages,
    render_scenario,
    scenario_json,
    scenario_summary,
)
from scenariokit.website.search_files import (
    entries_path,
    search_entries,
    summary_files,
    word_files,
)

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
    templates: set[str] = field(default_factory=set)  # their ids: sources a page may name


class BuildFailed(UserError):
    """The repository does not validate: nothing was built."""

    def __init__(self, report: Report) -> None:
        super().__init__(f"the build stopped: {report.summary()}; nothing was written")
        self.report = report


def tool_fingerprint() -> str:
    """What makes everything remembered stale: this tool's code, version and schema.

    The code, not only the version: the state remembers each file's diagnostics, and a
    rule added without a new version number (as in a checkout between releases) must not
    leave a file that breaks it passing because it did not change. Hashing the package's
    modules is cheap next to any rebuild (bench/README.md). The versions of the libraries
    that write the Anki packages count too: a rebuild patches the last build's package.
    """
    digest = hashlib.sha256(__version__.encode() + schema_path().read_bytes())
    # What else shapes the output's bytes: the Anki packages' genanki (its code, found
    # without importing it or reading the installed packages' metadata, which together
    # were a tenth of a one-file rebuild), SQLite and zlib.
    digest.update(f"{sqlite3.sqlite_version} {zlib.ZLIB_RUNTIME_VERSION}".encode())
    genanki = importlib.util.find_spec("genanki")
    folders = genanki.submodule_search_locations if genanki else None
    for package in [Path(__file__).parents[1], *(Path(f) for f in folders or [])]:
        for module in sorted(package.rglob("*.py")):
            digest.update(module.relative_to(package).as_posix().encode() + module.read_bytes())
    return digest.hexdigest()


def content_sha(file: SourceFile) -> str | None:
    """The file's content hash, read as every file is (`read_raw`); None when refused."""
    try:
        return hashlib.sha256(read_raw(file.path)).hexdigest()
    except LoadError:
        return None  # read again by `derive`, which reports why


def stop_on_errors(found: Report, result: BuildResult) -> None:
    """Stop the build on errors; keep the warnings for the summary."""
    if found.errors:
        raise BuildFailed(found)
    result.warnings = [d for d in found.diagnostics if d.severity == "warning"]


def dates_of(key: str, dates: dict[str, Any]) -> tuple[str | None, str | None]:
    """A file's first and last commit dates (None outside git or before its first commit)."""
    when = dates.get(key)
    return (when.created_at, when.updated_at) if when else (None, None)


def state_row(
    file: SourceFile, record: Derived, entry: SiteScenario | None, context: SiteContext
) -> FileRow:
    """What the state remembers of a file (`is_public`: whether it is on the site)."""
    row = FileRow(
        file.key,
        file.mtime_ns,
        file.size,
        record.sha,
        orjson.dumps(record.diagnostics) if record.diagnostics else None,
        record.data.get("scenario_id") if isinstance(record.data, dict) else None,
    )
    if entry is None:
        return row
    doc = entry.data
    return row._replace(
        is_public=context.shown(doc),
        language=doc["language"],
        phase_count=len(doc["phases"]),
        created_at=entry.created_at,
        updated_at=entry.updated_at,
    )


def published_of(entry: SiteScenario, record: Derived) -> build_state.Published:
    """What the state keeps of a public scenario for the listings and the search files."""
    weights = orjson.dumps(record.weights, option=orjson.OPT_SORT_KEYS)  # the same bytes each time
    shown = card(entry)
    summary = scenario_summary(shown, len(entry.data["phases"]), entry.updated_at)
    return build_state.Published(orjson.dumps(shown), weights, summary)


def listing_files(
    context: SiteContext,
    cards: list[dict[str, Any]],
    summaries: Iterable[bytes],
    before: dict[str, str],
    only: Collection[str] | None = None,
) -> tuple[dict[str, str], Iterator[tuple[str, bytes]]]:
    """What lists the public scenarios: the listing pages, the API's and search's summaries.

    The one way both builds make them, from every public scenario's card and its entry in
    the API's summary (`scenario_summary`), in id order. Returns the listing pages'
    digests, and the files (relative to the site) made one at a time as they are read, so
    that a caller writes each before the next is made: held together, the pages of
    100,000 scenarios took most of a gigabyte. Pages whose digest is in `before` (the last
    build's, for a rebuild) are left out: they are as they were. `only`: the topics' and
    languages' listings to make (`listing_pages`); the others' pages are neither made nor
    in the digests.
    """
    pages = listing_pages(cards, context.changes, only)
    digests = {page.relative: page.digest() for page in pages}

    def files() -> Iterator[tuple[str, bytes]]:
        for page in pages:
            if digests[page.relative] != before.get(page.relative):
                yield page.relative, page.render(context)
        languages = {c["language"]: c["language_name"] for c in cards}
        yield "api/scenarios.json", api_summary(summaries, languages)
        yield from summary_files(cards).items()

    return digests, files()


def stored_diagnostics(row: FileRow) -> list[dict[str, Any]]:
    """A file's diagnostics as the build state remembers them."""
    return orjson.loads(row.diagnostics) if row.diagnostics else []


class Links(NamedTuple):
    """Where a page's "derived from" link may go: the public scenarios and the templates.

    Known before a page that links to a scenario is rendered (from the compiled files in
    a full build, from the build state in a rebuild), so no page is rendered twice.
    """

    public: set[str]
    templates: set[str]

    def href(self, entry: SiteScenario) -> str | None:
        """Where `entry`'s link to its source goes, or None (see `derived_href`)."""
        return derived_href(entry, self.public, self.templates)


def scenario_output(
    entry: SiteScenario, context: SiteContext, href: str | None
) -> list[tuple[str, bytes]]:
    """A scenario's page, API file and search entries: (path relative to the site, content)."""
    page, api, entries = scenario_files(entry.scenario_id)
    return [
        (page, render_scenario(entry, context, href).encode()),
        (api, scenario_json(entry, href)),
        (entries, search_entries(entry.data)),
    ]


def scenario_files(scenario_id: str) -> tuple[str, str, str]:
    """The files of the site that belong to one scenario alone."""
    return (
        f"scenarios/{scenario_id}/index.html",
        f"api/scenarios/{scenario_id}.json",
        entries_path(scenario_id),
    )


def write(path: Path, content: bytes) -> None:
    """A file of a new output (a full build's folder is new: nothing there to keep).

    Its folder is made when it is missing, not tried for every file: most files go into
    a folder an earlier one made (a failed `mkdir` is a system call and an exception).
    """
    try:
        path.write_bytes(content)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


class Damaged(Exception):
    """Something of the output a rebuild relies on is not as the last build left it."""


def word_files_to_write(
    site: Path, words: dict[int, tuple[Any, Any]], count: int
) -> dict[str, bytes | None]:
    """A rebuild's word files (`word_files`), patched in `site`.

    `count` is the number of public scenarios. `Damaged` if a file to patch is not what a
    build wrote.
    """
    try:
        return word_files(words, count, site)
    except (ValueError, TypeError, AttributeError, KeyError, OSError) as exc:  # not a word file
        raise Damaged(exc) from exc
