"""`scenarios fmt`: rewrite files in the canonical layout, so pull-request diffs stay small.

A file that does not load (a YAML error, a duplicate key…) is not touched: its problem is
reported as `validate` would. Nor is anything that is not a regular file: a link stays a
link (writing through the usual temporary file and rename would replace it by a file).
A file whose data would change is refused (see `writer`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from scenariokit.diagnostics import Diagnostic
from scenariokit.errors import UserError
from scenariokit.loader import LoadError, parse, read_text
from scenariokit.repository import display_path, list_files
from scenariokit.validate import load_diagnostic, refusals
from scenariokit.writer import format_text, modeline_for, write_file


@dataclass(slots=True)
class FormatResult:
    """Which files changed (or would), how many were already canonical, what was refused."""

    changed: list[Path] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Diagnostic] = field(default_factory=list)


def format_paths(paths: list[Path], root: Path, *, check: bool) -> FormatResult:
    """Format every YAML file named or below `paths`; with `check`, write nothing."""
    result = FormatResult()
    listing = list_files(paths, root)
    result.problems += refusals(listing.refused)
    for path in listing.paths:
        try:
            text = read_text(path)
            parse(text)
            formatted = format_text(text, modeline_for(path, root))
        except LoadError as exc:
            result.problems.append(load_diagnostic(exc, display_path(path)))
            continue
        except UserError as exc:
            result.problems.append(
                Diagnostic(display_path(path), 1, 1, "error", "unformattable", str(exc))
            )
            continue
        if formatted == text:
            result.unchanged += 1
            continue
        result.changed.append(path)
        if not check:
            write_file(path, formatted, replace=True)
    return result
