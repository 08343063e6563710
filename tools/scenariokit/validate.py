"""`scenarios validate`: every problem in every file, in one run.

Data flows one way: file → `loader` → `schema` (structure) and `checks` (repository rules)
→ findings → `positions` (line and column, only for files with findings) → a `Report`.
One file's failure never stops the others.

Files are independent once the catalog of ids is read, so a large run is split over the
machine's cores (`parallel`): parsing YAML is most of the work.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path

from scenariokit.checks import rule_findings
from scenariokit.diagnostics import Diagnostic, Report
from scenariokit.loader import LoadError, Source, parse, read_source
from scenariokit.parallel import map_chunks
from scenariokit.positions import SourceMap
from scenariokit.repository import Catalog, Refused, display_path, list_files, read_catalog
from scenariokit.schema import schema_findings

# Below this many files a second process costs more than it saves.
FILES_PER_PROCESS = 200


def validate(paths: list[Path], root: Path | None) -> Report:
    """Check the YAML files named or found below `paths`, against the repository at `root`.

    What the walk refuses (a link, a FIFO, a name not UTF-8) is reported as a file with an
    error of its own.
    """
    catalog = read_catalog(root)
    listing = list_files(paths, root)
    files = listing.paths
    report = Report(files_checked=len(files) + len(listing.refused))
    report.diagnostics.extend(refusals(listing.refused))
    for diagnostics in _check_all(files, catalog):
        report.diagnostics.extend(diagnostics)
    return report


def refusals(refused: list[Refused]) -> list[Diagnostic]:
    """What the walk refused, as diagnostics: every command that reads files reports them."""
    return [load_diagnostic(r.problem, display_path(r.path)) for r in refused]


def check_file(path: Path, catalog: Catalog) -> list[Diagnostic]:
    """Diagnostics of one file, sorted by position; empty when it is valid."""
    try:
        source = read_source(path)
    except LoadError as exc:
        return [load_diagnostic(exc, display_path(path))]
    return check_source(source, catalog)


def check_text(path: Path, text: str, catalog: Catalog) -> list[Diagnostic]:
    """Diagnostics of `text` as if it were the file at `path`: checked before it is written."""
    try:
        source = Source(path, text, parse(text))
    except LoadError as exc:
        return [load_diagnostic(exc.with_excerpt(text), display_path(path))]
    return check_source(source, catalog)


def load_diagnostic(exc: LoadError, shown: str) -> Diagnostic:
    """A file that could not be read as YAML, as a diagnostic."""
    return Diagnostic(
        shown, exc.line, exc.column, "error", exc.code, exc.message, excerpt=exc.excerpt
    )


def check_source(source: Source, catalog: Catalog) -> list[Diagnostic]:
    """Diagnostics of a loaded document: schema, then the repository's rules.

    At most `MAX_PROBLEMS` of them and a line counting the rest (`SourceMap.locate`).
    """
    shown = display_path(source.path)
    source_map = SourceMap(source)
    findings = schema_findings(source.data, source_map)
    # One message per value: a value the schema rejects is not judged again by the rules
    # ("food" is not a category; "move the file to scenarios/food/" would mislead).
    flagged = {f.doc_path for f in findings if not f.not_shown}
    findings += [f for f in rule_findings(source, catalog) if f.doc_path not in flagged]
    return source_map.locate(findings, shown) if findings else []


def _check_all(files: list[Path], catalog: Catalog) -> list[list[Diagnostic]]:
    """Diagnostics per file, in file order, on as many cores as are worth it."""
    return map_chunks(partial(_check_chunk, catalog=catalog), files, per_process=FILES_PER_PROCESS)


def _check_chunk(files: Sequence[Path], catalog: Catalog) -> list[list[Diagnostic]]:
    return [check_file(path, catalog) for path in files]
