"""`scenarios fmt`: rewrite files in the canonical layout, so pull-request diffs stay small.

A file that does not load (a YAML error, a duplicate key…) is not touched: its problem is
reported as `validate` would. Nor is anything that is not a regular file: a link stays a
link (writing through the usual temporary file and rename would replace it by a file).
A file whose data would change is refused (see `writer`).

Speed: `fmt --check` runs on every pull request, over every file, and nearly every file is
already canonical. A file equal to `emitter.plain_canonical_text` of its data is canonical
without the round trip through ruamel.yaml, which costs far more than the parse; only the
others (comments, unusual values, a layout to fix) take it. Like `validate`, a large run
is spread over the machine's cores; files are written afterwards, in order, by this process.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from scenariokit.author.emitter import plain_canonical_text, without_header_comments
from scenariokit.author.writer import format_text, modeline_for, write_file
from scenariokit.check.diagnostics import Diagnostic
from scenariokit.check.validate import FILES_PER_PROCESS, load, refusals
from scenariokit.errors import UserError
from scenariokit.files.loader import LoadError, read_text
from scenariokit.files.repository import display_path, list_files
from scenariokit.parallel import map_chunks


@dataclass(slots=True)
class FormatResult:
    """Which files changed (or would), how many were already canonical, what was refused."""

    changed: list[Path] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Diagnostic] = field(default_factory=list)
    diffs: dict[Path, str] = field(default_factory=dict)  # with `diff`: each changed file's


@dataclass(frozen=True, slots=True)
class _Outcome:
    """One file's fate: canonical already, its canonical text, or why it cannot be formatted."""

    formatted: str | None = None
    problem: Diagnostic | None = None
    diff: str = ""
    read: str = ""  # the file's text as it was read, for a formatted one


def format_paths(paths: list[Path], root: Path, *, check: bool, diff: bool = False) -> FormatResult:
    """Format every YAML file named or below `paths`; with `check`, write nothing.

    With `diff`, each changed file's unified diff too (`a/` and `b/` its path, as git's).
    """
    result = FormatResult()
    listing = list_files(paths, root)
    result.problems += refusals(listing.refused)
    work = partial(_format_chunk, root=root, diff=diff)
    outcomes = map_chunks(work, listing.paths, per_process=FILES_PER_PROCESS)
    for path, outcome in zip(listing.paths, outcomes, strict=True):
        if outcome.problem is not None:
            result.problems.append(outcome.problem)
        elif outcome.formatted is None:
            result.unchanged += 1
        else:
            result.changed.append(path)
            if diff:
                result.diffs[path] = outcome.diff
            if not check:
                changed = _written_over(path, outcome)
                if changed is not None:
                    result.changed.pop()
                    result.problems.append(changed)
    return result


def _written_over(path: Path, outcome: _Outcome) -> Diagnostic | None:
    """Write a file's canonical text, unless it changed since it was read: then why not.

    A large run reads every file, then writes: an editor's save (or a formatter's) in
    between must not be replaced by the canonical text of what the file was. Compared just
    before the atomic rename would leave at most the moment of staging the new text.
    """
    try:
        now = read_text(path)
    except LoadError:
        now = None
    if now != outcome.read:
        return Diagnostic(
            display_path(path), 1, 1, "error", "changed-while-formatting",
            "the file changed while fmt ran (saved in an editor?): left as it is now; run "
            "fmt again",
        )  # fmt: skip
    write_file(path, outcome.formatted or "", replace=True)
    return None


def _format_chunk(paths: Sequence[Path], root: Path, diff: bool) -> list[_Outcome]:
    """The outcomes of some files, in a worker process or in this one."""
    return [_format_file(path, root, diff) for path in paths]


def _format_file(path: Path, root: Path, diff: bool) -> _Outcome:
    """Whether `path` is canonical, and if not its canonical text or its problem."""
    loaded = load(path)  # read as every command reads a file
    if loaded.source is None:
        return _Outcome(problem=loaded.diagnostics[0])
    text = loaded.source.text
    try:
        modeline = modeline_for(path, root)
        if plain_canonical_text(loaded.source.data, modeline) == without_header_comments(text):
            return _Outcome()
        formatted = format_text(text, modeline)
    except UserError as exc:
        problem = Diagnostic(display_path(path), 1, 1, "error", "unformattable", str(exc))
        return _Outcome(problem=problem)
    if formatted == text:
        return _Outcome()
    return _Outcome(
        formatted=formatted,
        diff=_diff(path, text, formatted) if diff else "",
        read=text,
    )


def _diff(path: Path, before: str, after: str) -> str:
    """The unified diff from `before` to `after`, each line ending in a newline."""
    name = display_path(path)
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        f"a/{name}",
        f"b/{name}",
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )
