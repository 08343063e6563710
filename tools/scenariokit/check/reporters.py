"""Reporters turn a `Report` into text for people, JSON for tools, or GitHub annotations.

One class per `--format`, chosen from `REPORTERS`; checking never formats anything. Paths,
messages and source lines carry contributors' text (a message quotes the value it is
about), so each reporter escapes them for its medium through `escape`: nothing in a file
can move the cursor, clear a terminal, reorder a line or start a workflow command.
"""

from __future__ import annotations

import json
from typing import ClassVar

from scenariokit.check.diagnostics import Diagnostic, Report
from scenariokit.escape import json_text, visible, workflow_data, workflow_property


class Reporter:
    """Renders a whole report as one string."""

    name: ClassVar[str]

    def render(self, report: Report) -> str:
        """The report's text, ending with a newline."""
        raise NotImplementedError


# ANSI foreground colours of the severities.
_COLOURS = {"red": "31", "yellow": "33"}


class TextReporter(Reporter):
    """`path:line:column: severity: message [code]`, the form editors and CI matchers parse.

    On a terminal each diagnostic is followed by its source line and a caret, and colour
    is used unless `NO_COLOR` says otherwise (the caller decides both).
    """

    name = "text"
    _colours: ClassVar[dict[str, str]] = {"error": "red", "warning": "yellow"}

    def __init__(self, *, excerpts: bool = False, colour: bool = False) -> None:
        self.excerpts = excerpts
        self.colour = colour

    def render(self, report: Report) -> str:
        """Diagnostics in file and position order, then the summary line."""
        lines = []
        for d in report.diagnostics:
            lines.append(self.headline(d))
            if self.excerpts and d.excerpt is not None:
                lines.extend(self._excerpt(d))
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
    """GitHub Actions workflow commands, shown inline on the pull request's files."""

    name = "github"

    def render(self, report: Report) -> str:
        """One `::error` or `::warning` command a diagnostic, then the summary."""
        lines = [
            f"::{d.severity} file={workflow_property(d.path)},line={d.line},col={d.column},"
            f"title={workflow_property(d.code)}::{workflow_data(d.message)}"
            for d in report.diagnostics
        ]
        lines.append(report.summary())
        return "\n".join(lines) + "\n"


REPORTERS: dict[str, type[Reporter]] = {
    cls.name: cls for cls in (TextReporter, JsonReporter, GithubReporter)
}
