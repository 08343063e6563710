"""Findings and diagnostics: what a check says about a file, before and after it is located.

Checks speak in terms of the document (a path of keys and indexes into the parsed YAML);
`locate` later turns that path into a line and column, so a file without findings never
pays for positions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

Severity = Literal["error", "warning"]
DocPath = tuple[str | int, ...]

# A file's problems reported at most; the rest are counted in one line (`capped`). A file of
# 1 MiB can hold 60,000 unknown keys or 200,000 empty strings: a report of each took
# minutes and printed megabytes, and nobody reads past the first screens.
MAX_PROBLEMS = 100
# Problems counted beyond those reported, at most: counting costs a walk of the schema's
# errors, and "over 10,000 more" says enough.
MAX_COUNTED = 10_000
TOO_MANY = "too-many-problems"


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem in a document, addressed by its path in the data.

    `at_key` points the diagnostic at the mapping key instead of its value (an unknown key);
    a path that does not exist in the document (a missing key) points at its nearest parent.
    """

    doc_path: DocPath
    code: str
    message: str
    severity: Severity = "error"
    at_key: bool = False
    # Set only by `not_explained`: how many problems a check found but did not explain,
    # and whether it stopped counting them (past `MAX_COUNTED`).
    not_shown: int = 0
    stopped_counting: bool = False


def not_explained(count: int, *, stopped_counting: bool = False) -> Finding:
    """Problems a check found and counted but did not explain, once it had `MAX_PROBLEMS`.

    Explaining one costs more than finding it (a close match, a position); `capped` adds
    them to the count of the line that says how many more there are.
    """
    return Finding((), TOO_MANY, "", not_shown=count, stopped_counting=stopped_counting)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A located problem, ready for a reporter: `path:line:column: severity: message [code]`."""

    path: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str
    pointer: str = ""
    excerpt: str | None = field(default=None, compare=False)

    def as_dict(self) -> dict[str, object]:
        """The JSON reporter's shape: every field but the excerpt."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "pointer": self.pointer,
        }


def capped(
    located: list[Diagnostic], not_shown: int, display_path: str, *, stopped_counting: bool
) -> list[Diagnostic]:
    """A file's diagnostics, at most `MAX_PROBLEMS` of them, then one line for the rest.

    The one place where a file's report is bounded, whatever found the problems: `located`
    is in position order, so the first problems of the file are the ones shown.
    `not_shown` counts problems found but never explained (a lower bound when a check
    `stopped_counting`). The last line is an error
    when any problem it stands for is one (the schema's always are), so the exit code
    and `--strict` judge the file as if every problem had been shown.
    """
    hidden = located[MAX_PROBLEMS:]
    more = len(hidden) + not_shown
    if not more:
        return located
    count = f"at least {more:,}" if stopped_counting else f"{more:,}"
    severity: Severity = (
        "error" if not_shown or any(d.severity == "error" for d in hidden) else "warning"
    )
    noun = "problem" if more == 1 else "problems"
    return [
        *located[:MAX_PROBLEMS],
        Diagnostic(
            display_path,
            1,
            1,
            severity,
            TOO_MANY,
            f"… {count} more {noun} in this file not shown: fix these and check it again "
            "for the rest",
        ),
    ]


def json_pointer(doc_path: DocPath) -> str:
    """RFC 6901 pointer of a document path (`/phases/0/name`)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in doc_path)


def describe_path(doc_path: DocPath) -> str:
    """A document path in words, numbered from 1 as a contributor counts: `phase 2 › name`."""
    if not doc_path:
        return "the scenario"
    words: list[str] = []
    parent: str | int | None = None
    for part in doc_path:
        if isinstance(part, int):
            label = "phase" if parent == "phases" else str(parent)
            if words and parent is not None:
                words.pop()
            words.append(f"{label} {part + 1}")
        else:
            words.append(str(part))
        parent = part
    return " › ".join(words)


@dataclass(slots=True)
class Report:
    """Everything one run found, over all files; reporters read it, nothing writes it twice."""

    files_checked: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # What was not checked and why (a spelling dictionary not installed): for the person
    # reading, on standard error, never a diagnostic (it says nothing about a file).
    notes: list[str] = field(default_factory=list)
    # Warnings found but left out of `diagnostics` (`errors_only`): still counted in `summary`.
    warnings_left_out: int = 0

    @property
    def errors(self) -> int:
        """How many diagnostics are errors."""
        return sum(d.severity == "error" for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        """How many diagnostics are warnings."""
        return sum(d.severity == "warning" for d in self.diagnostics)

    def exit_code(self) -> int:
        """0 when clean, 1 on errors."""
        return 1 if self.errors else 0

    def strictly(self, only: Callable[[str], bool] | None = None) -> Report:
        """The report for `--strict`: every warning becomes an error.

        So each annotation on the pull request, the summary line and the exit code all say
        the same thing: this cannot be merged yet. With `only` (`--strict-since`), only the
        warnings of the files it accepts (by path as reported): those a pull request
        changed.
        """
        return Report(
            self.files_checked,
            [
                replace(d, severity="error") if only is None or only(d.path) else d
                for d in self.diagnostics
            ],
            self.notes,
        )

    def errors_only(self) -> Report:
        """The report for `--errors-only`: the warnings left out, but still counted.

        After `strictly` only the warnings it was not asked to make errors are left to leave
        out: under `--strict` a warning fails the check, so it is an error to read.
        """
        return Report(
            self.files_checked,
            [d for d in self.diagnostics if d.severity == "error"],
            self.notes,
            self.warnings_left_out + self.warnings,
        )

    def summary(self) -> str:
        """`3 errors, 1 warning in 31 files` (`…, 4 warnings not shown in…` with errors only)."""
        warnings = plural(self.warnings + self.warnings_left_out, "warning")
        if self.warnings_left_out:
            warnings += " not shown"
        return f"{plural(self.errors, 'error')}, {warnings} in {plural(self.files_checked, 'file')}"


def plural(count: int, noun: str) -> str:
    """`1 error`, `2 errors`."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
