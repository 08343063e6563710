"""`scenarios build`: the SQLite index and the static site, compiled from the repository.

- **Validated first**: any error stops the build with the diagnostics `validate` gives.
- **Deterministic**: the same files and git history give byte-identical output.
- **Atomic**: everything is written into a sibling folder, then swapped in with two renames;
  a failed or interrupted build leaves the previous output as it was.
- **Incremental**: the output folder keeps a small state file with each source file's hash
  and parsed data, and each scenario page's inputs. A rebuild parses only changed files and
  re-renders only pages whose inputs changed (the others are hard-linked from the previous
  output); listings, the API, the search index and the SQLite index are always rewritten.

The output folder holds `scenarios.sqlite`, `site/` and the state file
`.scenariokit-build.json`. A folder that is not empty and has no such file is refused, so a
mistyped `--out` never deletes anyone's files.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

from scenariokit import __version__
from scenariokit.checks import CATALOG_RULES, FILE_RULES, rule_findings
from scenariokit.diagnostics import Diagnostic, Report
from scenariokit.errors import UserError
from scenariokit.history import file_dates
from scenariokit.index import IndexedScenario, search_columns, write_index
from scenariokit.loader import LoadError, Source, decode, parse
from scenariokit.parallel import Background, map_chunks
from scenariokit.positions import SourceMap
from scenariokit.repository import (
    SCENARIOS_DIR,
    TEMPLATES_DIR,
    Catalog,
    default_paths,
    display_path,
    read_catalog,
    yaml_files,
)
from scenariokit.schema import schema_findings, schema_path
from scenariokit.search_index import scenario_weights, write_search
from scenariokit.theme import fingerprint
from scenariokit.validate import load_diagnostic
from scenariokit.website import (
    Entry,
    SiteContext,
    category_name,
    derived_href,
    language_name,
    render_scenario,
    scenario_json,
    write_api_summary,
    write_pages,
    write_sitemap,
)

STATE_FILE = ".scenariokit-build.json"
PAGES_PER_PROCESS = 300
# A progress reporter: called with a stage's name and its number of items when the stage
# starts, then with the number of items done each time some are.
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
) -> BuildResult:
    """Build `out/scenarios.sqlite` and `out/site/` from the repository at `root`.

    A file that cannot be read or written stops the build with a `UserError` naming it; the
    previous output stays as it was.
    """
    try:
        return _build(root, out.absolute(), base_url, progress)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise UserError(
            f"the build stopped: {exc.strerror or exc}{where}; the previous output in "
            f"{out} is unchanged"
        ) from None


def _build(root: Path, out: Path, base_url: str, progress: Progress | None) -> BuildResult:
    _recover(out)
    _refuse_foreign_folder(out)
    state = _read_state(out)
    result = BuildResult(out)
    loaded, templates, parsed_cache, report = _load(root, state, result, progress)
    if report.errors:
        raise BuildFailed(report)
    result.warnings = [d for d in report.diagnostics if d.severity == "warning"]
    dates = file_dates(root)
    entries = [_entry(source, root, dates) for source, _ in loaded]
    derived = {
        entry.scenario_id: record for entry, (_, record) in zip(entries, loaded, strict=True)
    }
    public = [e for e in entries if e.data.get("is_public", True)]
    result.scenarios, result.public = len(entries), len(public)
    staging = out.parent / f".{out.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    indexed = [
        IndexedScenario(
            e.data,
            e.source_path,
            e.created_at,
            e.updated_at,
            tuple(derived[e.scenario_id].search_text),
        )
        for e in entries
    ]
    context = _context(root, base_url, public)
    side: Background | None = None
    try:
        (staging / "site").mkdir(parents=True)

        # The index and the listings need no page: a process of their own writes them
        # while this one renders the pages.
        def index_and_listings() -> None:
            write_index(staging / "scenarios.sqlite", indexed)
            _write_listings(staging / "site", public, templates, context, derived)

        side = Background(index_and_listings, worth_it=len(public) >= PAGES_PER_PROCESS)
        pages = _write_scenario_pages(
            staging / "site", public, templates, context, state, out, result, progress
        )
        side.join()
        _write_state(staging, parsed_cache, pages)
        _swap(staging, out)
    except BaseException:
        if side is not None:
            side.cancel()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


# --- loading and validating, with the previous build's cache ----------------------------


def _tool_fingerprint() -> str:
    """What makes cached results stale: this tool's version and the schema."""
    return hashlib.sha256(__version__.encode() + schema_path().read_bytes()).hexdigest()


@dataclass(slots=True)
class Derived:
    """Everything the build computes from one file alone; cached while the file is unchanged.

    `data` is None when the file has errors. `diagnostics` are those of the schema and of
    the rules that read only the file (`checks.FILE_RULES`); the catalog rules run anew.
    """

    sha: str
    data: Any
    diagnostics: list[dict[str, Any]]
    search_text: list[str] = field(default_factory=list)
    weights: dict[str, int] = field(default_factory=dict)

    def cached(self) -> dict[str, Any]:
        """The record for the state file (no copies: `asdict` would deep-copy the data)."""
        return {
            "sha": self.sha,
            "data": self.data,
            "diagnostics": self.diagnostics,
            "search_text": self.search_text,
            "weights": self.weights,
        }


def _load(
    root: Path, state: dict[str, Any], result: BuildResult, progress: Progress | None
) -> tuple[list[tuple[Source, Derived]], list[dict[str, Any]], dict[str, Any], Report]:
    """Every scenario and template, validated; derived anew only when changed."""
    catalog = read_catalog(root)
    files = yaml_files(default_paths(root))
    cache = state.get("files", {}) if state.get("tool") == _tool_fingerprint() else {}
    keys = {path: _relative(path, root) for path in files}
    hashes = {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in files}
    derived: dict[Path, Derived] = {}
    stale = []
    for path in files:
        cached = cache.get(keys[path])
        if isinstance(cached, dict) and cached.get("sha") == hashes[path]:
            derived[path] = Derived(**cached)
        else:
            stale.append(path)
    _JOB.update(root=root)
    try:
        done = progress("Reading", len(stale)) if progress and stale else None
        derived.update(
            zip(stale, map_chunks(_derive_chunk, stale, per_process=200, done=done), strict=True)
        )
    finally:
        _JOB.clear()
    result.parsed = len(stale)
    report = Report(files_checked=len(files))
    scenarios, templates = [], []
    for path in files:
        record = derived[path]
        shown = display_path(path)
        report.diagnostics += [Diagnostic(**(d | {"path": shown})) for d in record.diagnostics]
        if record.data is None:
            continue
        # The catalog rules read the data; the text is read again only to locate a finding,
        # so the texts of thousands of files are not held through the build.
        source = Source(path, "", record.data)
        findings = rule_findings(source, catalog, CATALOG_RULES)
        if findings:
            source = Source(path, decode(path.read_bytes()), record.data)
            report.diagnostics += SourceMap(source).locate(findings, shown)
        if keys[path].startswith(TEMPLATES_DIR + "/"):
            templates.append(record.data)
        elif keys[path].startswith(SCENARIOS_DIR + "/"):
            scenarios.append((source, record))
    new_cache = {keys[p]: derived[p].cached() for p in files if derived[p].data is not None}
    return scenarios, templates, new_cache, report


def _derive_chunk(paths: Sequence[Path]) -> list[Derived]:
    """Parse, check and index files (in a worker): everything that needs only the file."""
    catalog = Catalog(_JOB["root"].absolute())
    results = []
    for path in paths:
        raw = path.read_bytes()
        sha = hashlib.sha256(raw).hexdigest()
        try:
            text = decode(raw)
            source = Source(path, text, parse(text))
        except LoadError as exc:
            diagnostic = load_diagnostic(exc.with_excerpt(raw.decode("utf-8", "replace")), "")
            results.append(Derived(sha, None, [_plain(diagnostic)]))
            continue
        source_map = SourceMap(source)
        findings = schema_findings(source.data, source_map)
        findings += rule_findings(source, catalog, FILE_RULES) if not findings else []
        located = [_plain(d) for d in source_map.locate(findings, "")] if findings else []
        if any(d["severity"] == "error" for d in located):
            results.append(Derived(sha, None, located))
            continue
        data = source.data
        scenario = isinstance(data, dict) and "phases" in data
        results.append(
            Derived(
                sha,
                data,
                located,
                list(search_columns(data)) if scenario else [],
                scenario_weights(data) if scenario else {},
            )
        )
    return results


def _plain(diagnostic: Diagnostic) -> dict[str, Any]:
    """A diagnostic as cacheable data (its path is filled in when reported)."""
    return diagnostic.as_dict() | {"excerpt": diagnostic.excerpt}


def _entry(source: Source, root: Path, dates: dict[str, Any]) -> Entry:
    key = _relative(source.path, root)
    when = dates.get(key)
    return Entry(
        source.data, key, when.created_at if when else None, when.updated_at if when else None
    )


def _relative(path: Path, root: Path) -> str:
    return path.absolute().relative_to(root.absolute()).as_posix()


# --- the site ----------------------------------------------------------------------------

# What the forked page renderers read: set just before the pool is created.
_JOB: dict[str, Any] = {}


def _write_scenario_pages(
    site: Path,
    public: list[Entry],
    templates: list[dict[str, Any]],
    context: SiteContext,
    state: dict[str, Any],
    out: Path,
    result: BuildResult,
    progress: Progress | None,
) -> dict[str, str]:
    """Each scenario's page and API file; returns the input hash of each."""
    public_ids = {e.scenario_id for e in public}
    template_ids = {t["scenario_id"] for t in templates}
    hrefs = {e.scenario_id: derived_href(e, public_ids, template_ids) for e in public}
    page_hashes = {e.scenario_id: _page_hash(e, context, hrefs[e.scenario_id]) for e in public}
    previous = state.get("pages", {})
    reuse: list[Entry] = []
    render: list[Entry] = []
    for entry in public:
        old = [out / "site" / relative for relative in _scenario_files(entry.scenario_id)]
        same = previous.get(entry.scenario_id) == page_hashes[entry.scenario_id]
        (reuse if same and all(p.is_file() for p in old) else render).append(entry)
    (site / "api" / "scenarios").mkdir(parents=True, exist_ok=True)
    for entry in reuse:
        page, api = _scenario_files(entry.scenario_id)
        (site / page).parent.mkdir(parents=True)
        _link_or_copy(out / "site" / page, site / page)
        _link_or_copy(out / "site" / api, site / api)
    _JOB.update(site=site, context=context, hrefs=hrefs)
    try:
        done = progress("Rendering", len(render)) if progress and render else None
        map_chunks(_render_chunk, render, per_process=PAGES_PER_PROCESS, done=done)
    finally:
        _JOB.clear()
    result.rendered, result.reused = len(render), len(reuse)
    return page_hashes


def _write_listings(
    site: Path,
    public: list[Entry],
    templates: list[dict[str, Any]],
    context: SiteContext,
    derived: dict[str, Derived],
) -> None:
    """Every file of the site that lists scenarios: pages, API summary, search, sitemap."""
    written = write_pages(site, public, templates, context)
    write_api_summary(site, public)
    ordered = sorted(public, key=lambda e: (e.data["title"].casefold(), e.scenario_id))
    names = {
        "category": {e.data["category"]: category_name(e.data["category"]) for e in public},
        "language": {e.data["language"]: language_name(e.data["language"]) for e in public},
    }
    write_search(
        site, [e.data for e in ordered], names, [derived[e.scenario_id].weights for e in ordered]
    )
    write_sitemap(
        site, written + [f"scenarios/{e.scenario_id}/index.html" for e in public], context
    )


def _scenario_files(scenario_id: str) -> tuple[str, str]:
    """The files of the site that belong to one scenario alone."""
    return f"scenarios/{scenario_id}/index.html", f"api/scenarios/{scenario_id}.json"


def _render_chunk(entries: Sequence[Entry]) -> list[None]:
    """Write scenario pages and API files (in a worker forked after `_JOB` was set)."""
    site, context, hrefs = _JOB["site"], _JOB["context"], _JOB["hrefs"]
    for entry in entries:
        page, api = (site / relative for relative in _scenario_files(entry.scenario_id))
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(
            render_scenario(entry, context, hrefs[entry.scenario_id]),
            encoding="utf-8",
            newline="\n",
        )
        api.write_bytes(scenario_json(entry))
    return [None for _ in entries]


def _page_hash(entry: Entry, context: SiteContext, href: str | None) -> str:
    """Everything a scenario's page and API file are made of: unchanged inputs, same files."""
    inputs = [
        entry.data,
        entry.source_path,
        entry.created_at,
        entry.updated_at,
        href,
        context.base,
        context.repository_url,
        context.branch,
        fingerprint(),
        __version__,
    ]
    return hashlib.sha256(orjson.dumps(inputs, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _context(root: Path, base_url: str, public: list[Entry]) -> SiteContext:
    parts = urlsplit(base_url)
    base = parts.path.rstrip("/")
    site_url = f"{parts.scheme}://{parts.netloc}{base}" if parts.scheme and parts.netloc else ""
    repository, branch = repository_url(root)
    return SiteContext(
        base=base,
        site_url=site_url,
        repository_url=repository,
        branch=branch,
        public_count=len(public),
        language_count=len({e.data["language"] for e in public}),
    )


def repository_url(root: Path) -> tuple[str | None, str]:
    """The repository's web address and branch for "edit" links.

    From `SCENARIOKIT_REPOSITORY` (`https://github.com/OWNER/REPO`, as CI sets from
    `GITHUB_REPOSITORY`) and `SCENARIOKIT_BRANCH`, else from the `origin` remote; none
    outside git.
    """
    branch = os.environ.get("SCENARIOKIT_BRANCH", "main")
    configured = os.environ.get("SCENARIOKIT_REPOSITORY")
    if configured:
        return configured.rstrip("/"), branch
    try:
        remote = subprocess.run(
            ["git", "-C", str(root), "remote", "get-url", "origin"],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None, branch
    url = remote.stdout.strip()
    if url.startswith("git@") and ":" in url:
        host, path = url[4:].split(":", 1)
        url = f"https://{host}/{path}"
    url = url.removesuffix(".git")
    return (url if url.startswith("https://") else None), branch


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


# --- the output folder ---------------------------------------------------------------


def _refuse_foreign_folder(out: Path) -> None:
    if out.is_dir() and any(out.iterdir()) and not (out / STATE_FILE).is_file():
        raise UserError(
            f"{out} is not empty and was not made by `scenarios build` (it has no "
            f"{STATE_FILE}): choose a new or empty folder with --out; nothing was "
            "written"
        )
    if out.exists() and not out.is_dir():
        raise UserError(f"{out} is a file: choose a folder with --out")


def _read_state(out: Path) -> dict[str, Any]:
    try:
        state = orjson.loads((out / STATE_FILE).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    return state if isinstance(state, dict) else {}


def _write_state(staging: Path, parsed_cache: dict[str, Any], pages: dict[str, str]) -> None:
    state = {"tool": _tool_fingerprint(), "files": parsed_cache, "pages": pages}
    # Keys keep their order: the cached documents must read back exactly as parsed.
    (staging / STATE_FILE).write_bytes(orjson.dumps(state))


def _swap(staging: Path, out: Path) -> None:
    """Put the new output in place of the old with two renames, then drop the old."""
    retired = out.parent / f".{out.name}.previous"
    shutil.rmtree(retired, ignore_errors=True)
    if out.exists():
        out.rename(retired)
    staging.rename(out)
    shutil.rmtree(retired, ignore_errors=True)


def _recover(out: Path) -> None:
    """Clean up after a build that was killed: its staging folder, or a half-done swap.

    Two builds into the same folder at once are not supported: the second removes the
    first's staging folder.
    """
    for leftover in out.parent.glob(f".{out.name}.building-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    retired = out.parent / f".{out.name}.previous"
    if retired.is_dir() and not out.exists():
        retired.rename(out)
