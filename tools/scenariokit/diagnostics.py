"""Findings and diagnostics: what a check says about a file, before and after it is located.

Checks speak in terms of the document (a path of keys and indexes into the parsed YAML);
`locate` later turns that path into a line and column, so a file without findings never
pays for positions.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

Severity = Literal["error", "warning"]
DocPath = tuple[str | int, ...]


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

    def strictly(self) -> Report:
        """The report for `--strict`: every warning becomes an error.

        So each annotation on the pull request, the summary line and the exit code all say
        the same thing: this cannot be merged yet.
        """
        return Report(
            self.files_checked,
            [replace(d, severity="error") for d in self.diagnostics],
        )

    def summary(self) -> str:
        """`3 errors, 1 warning in 31 files`."""
        return (
            f"{plural(self.errors, 'error')}, {plural(self.warnings, 'warning')}"
            f" in {plural(self.files_checked, 'file')}"
        )


def plural(count: int, noun: str) -> str:
    """`1 error`, `2 errors`."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
