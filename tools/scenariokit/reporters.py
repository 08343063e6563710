"""Reporters turn a `Report` into text for people, JSON for tools, or GitHub annotations.

One class per `--format`, chosen from `REPORTERS`; checking never formats anything.
"""

from __future__ import annotations

import json
from typing import ClassVar

import click

from scenariokit.diagnostics import Diagnostic, Report


class Reporter:
    """Renders a whole report as one string."""

    name: ClassVar[str]

    def render(self, report: Report) -> str:
        """The report's text, ending with a newline."""
        raise NotImplementedError


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
            lines.append(self._headline(d))
            if self.excerpts and d.excerpt is not None:
                lines.extend(self._excerpt(d))
        lines.append(self._style(report.summary(), bold=True))
        return "\n".join(lines) + "\n"

    def _headline(self, d: Diagnostic) -> str:
        where = self._style(f"{d.path}:{d.line}:{d.column}:", bold=True)
        severity = self._style(f"{d.severity}:", fg=self._colours[d.severity], bold=True)
        code = self._style(f"[{d.code}]", dim=True)
        return f"{where} {severity} {d.message} {code}"

    def _excerpt(self, d: Diagnostic) -> list[str]:
        gutter = " " * len(str(d.line))
        text = (d.excerpt or "").replace("\t", " ")
        caret = self._style("^", fg=self._colours[d.severity], bold=True)
        return [f" {d.line} | {text}", f" {gutter} | {' ' * (d.column - 1)}{caret}"]

    def _style(self, text: str, **styles: object) -> str:
        return click.style(text, **styles) if self.colour else text  # type: ignore[arg-type]


class JsonReporter(Reporter):
    """One JSON document: a list of `{path, line, column, severity, code, message, pointer}`."""

    name = "json"

    def render(self, report: Report) -> str:
        """The diagnostics as a JSON list (empty when all is well)."""
        items = [d.as_dict() for d in report.diagnostics]
        return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


class GithubReporter(Reporter):
    """GitHub Actions workflow commands, shown inline on the pull request's files."""

    name = "github"

    def render(self, report: Report) -> str:
        """One `::error` or `::warning` command a diagnostic, then the summary."""
        lines = [
            f"::{d.severity} file={_property(d.path)},line={d.line},col={d.column},"
            f"title={_property(d.code)}::{_data(d.message)}"
            for d in report.diagnostics
        ]
        lines.append(report.summary())
        return "\n".join(lines) + "\n"


def _data(text: str) -> str:
    """Escape a workflow command's message, as the Actions toolkit does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """Escape a workflow command's property value (also `:` and `,`)."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


REPORTERS: dict[str, type[Reporter]] = {
    cls.name: cls for cls in (TextReporter, JsonReporter, GithubReporter)
}
