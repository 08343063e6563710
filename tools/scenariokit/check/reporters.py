"""Reporters turn a `Report` into text for people, JSON for tools, or GitHub annotations.

One class per `--format`, chosen from `REPORTERS`; checking never formats anything. Paths,
messages and source lines carry contributors' text (a message quotes the value it is
about), so each reporter escapes them for its medium through `escape`: nothing in a file
can move the cursor, clear a terminal, reorder a line or start a workflow command.

What each shows of a long report: text lists a file's errors, then its warnings up to
`MAX_WARNINGS` (a person reads the first screen); JSON holds everything (a tool wants it
all); GitHub annotates no more than a step displays (`ANNOTATIONS_SHOWN`) and folds the rest
of each file into one annotation, then lists every problem in the log.
"""

from __future__ import annotations

import json
from typing import ClassVar

from scenariokit.check.diagnostics import TOO_MANY, Diagnostic, Report, Severity, plural
from scenariokit.escape import json_text, visible, workflow_command


class Reporter:
    """Renders a whole report as one string."""

    name: ClassVar[str]

    def render(self, report: Report) -> str:
        """The report's text, ending with a newline."""
        raise NotImplementedError


# A file's warnings the text report shows by default, the rest counted in one line: a file
# started from a template in another language has dozens of `untranslated` ones.
MAX_WARNINGS = 20
# Annotations of each severity GitHub displays for a step; it drops the rest without a word
# (actions/toolkit, docs/problem-matchers.md: 10 errors and 10 warnings a step, 50 a job).
ANNOTATIONS_SHOWN = 10


def by_file(diagnostics: list[Diagnostic]) -> list[list[Diagnostic]]:
    """The diagnostics grouped by file, files in the order they come, each in its order."""
    files: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        files.setdefault(d.path, []).append(d)
    return list(files.values())


# ANSI foreground colours of the severities.
_COLOURS = {"red": "31", "yellow": "33"}


class TextReporter(Reporter):
    """`path:line:column: severity: message [code]`, the form editors and CI matchers parse.

    On a terminal each diagnostic is followed by its source line and a caret, and colour
    is used unless `NO_COLOR` says otherwise (the caller decides both).
    """

    name = "text"
    _colours: ClassVar[dict[str, str]] = {"error": "red", "warning": "yellow"}

    def __init__(
        self, *, excerpts: bool = False, colour: bool = False, max_warnings: int = MAX_WARNINGS
    ) -> None:
        self.excerpts = excerpts
        self.colour = colour
        self.max_warnings = max_warnings  # 0: every warning

    def render(self, report: Report) -> str:
        """Each file's errors, then its warnings (at most `max_warnings`), then the summary."""
        lines = []
        for found in by_file(report.diagnostics):
            errors = [d for d in found if d.severity == "error"]
            warnings = [d for d in found if d.severity == "warning"]
            shown = warnings[: self.max_warnings] if self.max_warnings else warnings
            for d in errors + shown:
                lines.append(self.headline(d))
                if self.excerpts and d.excerpt is not None:
                    lines.extend(self._excerpt(d))
            if len(shown) < len(warnings):
                more = plural(len(warnings) - len(shown), "more warning")
                lines.append(
                    self._style(f"{visible(found[0].path)}: {more} not shown", dim=True)
                    + " (--max-warnings 0 shows them all)"
                )
        lines.append(self._style(report.summary(), bold=True))
        return "\n".join(lines) + "\n"

    def headline(self, d: Diagnostic) -> str:
        """One diagnostic's line, `path:line:column: severity: message [code]`."""
        where = self._style(f"{visible(d.path)}:{d.line}:{d.column}:", bold=True)
        severity = self._style(f"{d.severity}:", fg=self._colours[d.severity], bold=True)
        code = self._style(f"[{visible(d.code)}]", dim=True)
        return f"{where} {severity} {visible(d.message)} {code}"

    def _excerpt(self, d: Diagnostic) -> list[str]:
        """The source line, hidden characters escaped, and a caret under the column.

        The caret is indented by what the line before the column takes once escaped, so it
        still points at the right character when an escape made the line longer.
        """
        gutter = " " * len(str(d.line))
        text = (d.excerpt or "").replace("\t", " ")
        indent = len(visible(text[: d.column - 1]))
        caret = self._style("^", fg=self._colours[d.severity], bold=True)
        return [f" {d.line} | {visible(text)}", f" {gutter} | {' ' * indent}{caret}"]

    def _style(
        self, text: str, *, fg: str | None = None, bold: bool = False, dim: bool = False
    ) -> str:
        """`text` in ANSI colour and weight, when colour is on (the codes `click.style` uses)."""
        if not self.colour:
            return text
        codes = [_COLOURS[fg]] if fg else []
        codes += ["1"] * bold + ["2"] * dim
        return "".join(f"\x1b[{code}m" for code in codes) + text + "\x1b[0m"


class JsonReporter(Reporter):
    """One JSON document: a list of `{path, line, column, severity, code, message, pointer}`.

    Text stays readable (`ensure_ascii=False`), but hidden characters (bidi controls,
    zero-width and tag characters) are written as `\\u` escapes, as JSON writes controls:
    the same strings for any JSON reader, nothing hidden for a terminal.
    """

    name = "json"

    def render(self, report: Report) -> str:
        """The diagnostics as a JSON list (empty when all is well)."""
        items = [d.as_dict() for d in report.diagnostics]
        return json_text(json.dumps(items, indent=2, ensure_ascii=False)) + "\n"


class GithubReporter(Reporter):
    """GitHub Actions workflow commands, shown inline on the pull request's files.

    GitHub displays `ANNOTATIONS_SHOWN` errors and as many warnings a step and silently
    drops the rest, so no more are written: each file with problems of a severity gets at
    least one annotation, the slots left go to the files in order, and a file with more
    problems than slots gets, in its last slot, one annotation counting the rest. With more
    files than slots, the last slot counts the files left over. Every problem is then listed
    in the log, in the text format.
    """

    name = "github"

    def render(self, report: Report) -> str:
        """The annotations GitHub will show, every problem in the log, then the summary."""
        lines = []
        grouped = by_file(report.diagnostics)
        for severity in ("error", "warning"):
            files = [[d for d in found if d.severity == severity] for found in grouped]
            lines += _annotations([f for f in files if f], severity)
        if report.diagnostics:
            # Not in a group of its own: GitHub does not nest groups, and the pull request's
            # check already runs each command in one, which an inner group broke open.
            # Plain log lines, so not escaped as a command's data (`%` read `%25`).
            text = TextReporter(max_warnings=0)
            lines.append(f"Every problem ({len(report.diagnostics)}):")
            lines += [visible(text.headline(d)) for d in report.diagnostics]
        lines.append(report.summary())
        return "\n".join(lines) + "\n"


def _annotations(files: list[list[Diagnostic]], severity: Severity) -> list[str]:
    """At most `ANNOTATIONS_SHOWN` annotations for one severity's problems, file by file."""
    if sum(map(len, files)) <= ANNOTATIONS_SHOWN:
        return [_annotation(d) for found in files for d in found]
    if len(files) > ANNOTATIONS_SHOWN:
        kept, rest = files[: ANNOTATIONS_SHOWN - 1], files[ANNOTATIONS_SHOWN - 1 :]
        count = sum(map(len, rest))
        return [
            *(line for found in kept for line in _folded(found, 1, severity)),
            _annotation(
                rest[0][0],
                f"{plural(count, severity)} in {plural(len(rest), 'more file')} are not "
                f"annotated (GitHub shows {ANNOTATIONS_SHOWN} a step): read them in this "
                "step's log, or run `scenarios validate` on your machine",
            ),
        ]
    spare = ANNOTATIONS_SHOWN - len(files)
    lines: list[str] = []
    for found in files:
        extra = min(len(found) - 1, spare)
        spare -= extra
        lines += _folded(found, 1 + extra, severity)
    return lines


def _folded(found: list[Diagnostic], slots: int, severity: Severity) -> list[str]:
    """A file's annotations in `slots`: its first problems, the last slot counting the rest."""
    if len(found) <= slots:
        return [_annotation(d) for d in found]
    shown, rest = found[: slots - 1], found[slots - 1 :]
    # The line counting what the check did not explain is no problem of its own: told apart.
    counted = [d for d in rest if d.code != TOO_MANY]
    beyond = "".join(f" ({d.message})" for d in rest if d.code == TOO_MANY)
    first = counted[0]
    count = f"{len(counted)} more {severity}s" if shown else plural(len(counted), severity)
    summary = (
        f"{count}{beyond} in this file, not annotated (GitHub shows {ANNOTATIONS_SHOWN} a "
        f"step); the first, line {first.line}: {first.message} [{first.code}]. Every one is "
        f"in this step's log, or run `scenarios validate {visible(first.path)}`"
    )
    return [*map(_annotation, shown), _annotation(first, summary)]


def _annotation(d: Diagnostic, message: str | None = None) -> str:
    """One workflow command at `d`'s place, with its message or `message`."""
    return workflow_command(
        d.severity, message or d.message, file=d.path, line=d.line, col=d.column, title=d.code
    )


REPORTERS: dict[str, type[Reporter]] = {
    cls.name: cls for cls in (TextReporter, JsonReporter, GithubReporter)
}
