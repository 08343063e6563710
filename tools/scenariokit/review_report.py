"""How `scenarios review` tells its findings: text, a markdown summary, GitHub annotations.

The markdown is ready to post on the pull request (or to append to the job summary): a
table of added, edited, renamed and removed scenarios with title, language, level and
phases, what each edit changed, the broken rules, and the files outside `scenarios/`.
"""

from __future__ import annotations

from scenariokit.reporters import _data, _property
from scenariokit.review import Review, ScenarioChange


def as_text(result: Review) -> str:
    """Plain lines for a terminal."""
    lines = [f"{c.change:8} {c.path}  {_title(c)}" + _notes(c) for c in result.changes]
    lines += [f"error: {v.path}: {v.message} [{v.rule}]" for v in result.violations]
    lines += [
        f"note: {p} is outside scenarios/: a maintainer must review it" for p in result.outside
    ]
    lines += [
        f"warning: {p} cannot be read as YAML: run `scenarios validate`" for p in result.unreadable
    ]
    lines.append(_verdict(result))
    return "\n".join(lines) + "\n"


def as_markdown(result: Review) -> str:
    """The pull-request summary."""
    lines = [f"## Scenario review for @{result.author}", ""]
    if result.changes:
        lines += [
            "| change | scenario | title | language | level | phases | what changed |",
            "|---|---|---|---|---|---|---|",
        ]
        for c in result.changes:
            doc = c.shown
            lines.append(
                f"| {c.change} | `{_cell(doc.get('scenario_id', c.path))}` | "
                f"{_cell(doc.get('title', ''))} | {_cell(doc.get('language', ''))} | "
                f"{_cell(doc.get('difficulty', ''))} | {len(doc.get('phases', []))} | "
                f"{_cell(', '.join(c.differences()))} |"
            )
    else:
        lines.append("No scenario is added, edited or removed.")
    if result.violations:
        lines += ["", "### Rules broken", ""]
        lines += [f"- `{v.path}`: {_cell(v.message)} (`{v.rule}`)" for v in result.violations]
    if result.outside:
        lines += ["", "### Changes outside `scenarios/` (a maintainer must review these)", ""]
        lines += [f"- `{p}`" for p in result.outside]
    lines += ["", f"**{_verdict(result)}**"]
    return "\n".join(lines) + "\n"


def as_github(result: Review) -> str:
    """Workflow commands: an error per violation, a notice per file outside scenarios/."""
    lines = [
        f"::error file={_property(v.path)},title={_property(v.rule)}::{_data(v.message)}"
        for v in result.violations
    ]
    lines += [
        f"::notice file={_property(p)},title=maintainer review::{_data(p)} is outside "
        "scenarios/: a maintainer must review it"
        for p in result.outside
    ]
    lines.append(_verdict(result))
    return "\n".join(lines) + "\n"


def _verdict(result: Review) -> str:
    who = "a maintainer" if result.by_maintainer else "a contributor"
    count = len(result.changes)
    changes = f"{count} scenario{'s' if count != 1 else ''} changed by {who}"
    if result.violations:
        return f"{changes}: {len(result.violations)} rule(s) broken"
    return f"{changes}: all ownership rules hold"


def _title(change: ScenarioChange) -> str:
    return str(change.shown.get("title", ""))


def _notes(change: ScenarioChange) -> str:
    notes = change.differences()
    return f"  ({'; '.join(notes)})" if notes else ""


def _cell(text: object) -> str:
    """Text safe inside a markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")
