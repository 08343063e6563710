"""`scenarios validate`: every problem in every file, in one run.

Data flows one way: file → `loader` → `schema` (structure) and `checks` (repository rules)
→ findings → `positions` (line and column, only for files with findings) → a `Report`.
One file's failure never stops the others.
"""

from __future__ import annotations

from pathlib import Path

from scenariokit.checks import rule_findings
from scenariokit.diagnostics import Diagnostic, Report
from scenariokit.loader import LoadError, read_source
from scenariokit.positions import SourceMap
from scenariokit.repository import Catalog, display_path, read_catalog, yaml_files
from scenariokit.schema import schema_findings


def validate(paths: list[Path], root: Path | None) -> Report:
    """Check the YAML files named or found below `paths`, against the repository at `root`."""
    catalog = read_catalog(root)
    files = yaml_files(paths)
    report = Report(files_checked=len(files))
    for path in files:
        report.diagnostics.extend(check_file(path, catalog))
    return report


def check_file(path: Path, catalog: Catalog) -> list[Diagnostic]:
    """Diagnostics of one file, sorted by position; empty when it is valid."""
    shown = display_path(path)
    try:
        source = read_source(path)
    except LoadError as exc:
        return [
            Diagnostic(
                shown, exc.line, exc.column, "error", exc.code, exc.message, excerpt=exc.excerpt
            )
        ]
    source_map = SourceMap(source)
    findings = schema_findings(source.data, source_map) + rule_findings(source, catalog)
    return source_map.locate(findings, shown) if findings else []
