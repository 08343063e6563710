"""How `scenarios review` tells its findings: text, a markdown summary, GitHub annotations.

Most of what it prints comes from the pull request (paths, ids, titles, logins, values
quoted in messages), so every such text goes through `escape` for its medium: `visible` on
a terminal, `markdown_code` (paths, ids, logins: a code span mentions no one) and
`markdown_text` in the summary, `workflow_property` and `workflow_data` in annotations.

What needs a maintainer comes FIRST in every format, before the table: a change to the
tool, the schema, the theme or the workflows is the one thing a reader must not miss, and
a warning follows when the base branch's CODEOWNERS names no one (then nobody counts as a
maintainer). The markdown is ready to post on the pull request or append to the job
summary: then the rules broken, the table of scenarios with title, language, level, phases
and what each edit changed, the files that cannot be read, and the other files to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from scenariokit.escape import markdown_code, markdown_text, visible, workflow_data
from scenariokit.escape import workflow_property as prop
from scenariokit.files.repository import SCENARIOS_DIR, YAML_SUFFIXES
from scenariokit.review.pull_request import OtherChange, Review, ScenarioChange

# Rows of each table or list in the markdown: GitHub drops a job summary over 1 MiB whole,
# which would lose what needs a maintainer with the rest. 500 rows of escaped titles stay
# far below it; the terminal and the annotations list everything.
MAX_ROWS = 500

_NO_MAINTAINER = (
    "no maintainer is configured: CODEOWNERS on the base branch names no GitHub login, "
    "so nobody is treated as one (list the maintainers' logins in .github/CODEOWNERS)"
)


def as_text(result: Review) -> str:
    """Plain lines for a terminal."""
    lines = [
        f"error: {visible(o.path)}: {_required_text(o)}; owners: {_owners(result, o.path)} "
        "[needs-maintainer]"
        for o in result.needs_maintainer
    ]
    if not result.owners.names_anyone:
        lines.append(f"warning: {_NO_MAINTAINER}")
    lines += [
        f"{c.change:8} {visible(c.path)}  {visible(_title(c))}" + _notes(c) for c in result.changes
    ]
    lines += [
        f"error: {visible(v.path)}: {visible(v.message)} [{v.rule}]" for v in result.violations
    ]
    lines += [
        f"note: {visible(o.path)} is outside scenarios/: a maintainer must review it"
        for o in result.others
        if o.need == "asked"
    ]
    lines += [
        f"warning: {visible(path)} cannot be read: {visible(why)}"
        for path, why in result.unreadable.items()
    ]
    lines.append(_verdict(result))
    return "\n".join(lines) + "\n"


def as_markdown(result: Review) -> str:
    """The pull-request summary."""
    lines = [f"## Scenario review for {markdown_code(result.author)}", ""]
    if result.needs_maintainer:
        lines += [
            "> [!CAUTION]",
            "> **Needs a maintainer.** This pull request changes files that only a maintainer "
            "may change (the tool, the schema, the site's theme, the workflows or other code). "
            "Its checks ran with the base branch's tool, so these changes were not used; a "
            "maintainer must review them.",
            "",
            "| file | change | who may approve (CODEOWNERS) |",
            "|---|---|---|",
        ]
        lines += _capped(
            f"| {markdown_code(o.path)} | {o.change}{_kind(o)} | {_owner_cells(result, o.path)} |"
            for o in result.needs_maintainer
        )
        lines.append("")
    if not result.owners.names_anyone:
        lines += ["> [!WARNING]", f"> {markdown_text('N' + _NO_MAINTAINER[1:])}", ""]
    if result.violations:
        lines += ["### Rules broken", ""]
        lines += _capped(
            f"- {markdown_code(v.path)}: {markdown_text(v.message)} ({markdown_code(v.rule)})"
            for v in result.violations
        )
        lines.append("")
    if result.changes:
        lines += [
            "| change | scenario | title | language | level | phases | what changed |",
            "|---|---|---|---|---|---|---|",
        ]
        lines += _capped(_row(c) for c in result.changes)
    else:
        lines.append("No scenario is added, edited or removed.")
    if result.unreadable:
        lines += ["", "### Files that cannot be read", ""]
        lines += _capped(
            f"- {markdown_code(path)}: {markdown_text(why)}"
            for path, why in result.unreadable.items()
        )
    asked = [o for o in result.others if o.need != "required" and not o.refused]
    if asked:
        lines += ["", "### Other changes (a maintainer must review these)", ""]
        lines += _capped(
            f"- {markdown_code(o.path)} ({o.change}{', by its owner' if o.need == 'owner' else ''})"
            for o in asked
        )
    lines += ["", f"**{_verdict(result)}**"]
    return "\n".join(lines) + "\n"


def as_github(result: Review) -> str:
    """Workflow commands: errors for what fails the check, notices for what to look at."""
    lines = [
        f"::error file={prop(o.path)},title=needs a maintainer::"
        f"{workflow_data(o.path)}: {_required_text(o)}; "
        f"owners: {workflow_data(_owners(result, o.path))}"
        for o in result.needs_maintainer
    ]
    if not result.owners.names_anyone:
        lines.append(f"::warning title=no maintainer configured::{_NO_MAINTAINER}")
    lines += [
        f"::error file={prop(v.path)},title={prop(v.rule)}::{workflow_data(v.message)}"
        for v in result.violations
    ]
    lines += [
        f"::notice file={prop(o.path)},title=maintainer review::{workflow_data(o.path)} is "
        "outside scenarios/: a maintainer must review it"
        for o in result.others
        if o.need == "asked"
    ]
    lines += [
        f"::warning file={prop(path)},title=unreadable::{workflow_data(why)}"
        for path, why in result.unreadable.items()
    ]
    lines.append(_verdict(result))
    return "\n".join(lines) + "\n"


def _capped(rows: Iterator[str]) -> list[str]:
    """At most `MAX_ROWS` rows, and a line that says how many more the log holds."""
    kept = list(islice(rows, MAX_ROWS))
    more = sum(1 for _ in rows)
    if more:
        kept.append(f"\n*… and {more} more: the job's log lists them all.*")
    return kept


def _verdict(result: Review) -> str:
    who = "a maintainer" if result.by_maintainer else "a contributor"
    count = len(result.changes)
    verdict = f"{count} scenario{'s' if count != 1 else ''} changed by {who}"
    problems = []
    if result.violations:
        problems.append(f"{len(result.violations)} rule(s) broken")
    if result.needs_maintainer:
        problems.append(f"{len(result.needs_maintainer)} file(s) need a maintainer")
    if problems:
        return f"{verdict}: {', '.join(problems)}"
    return f"{verdict}: all ownership rules hold"


def _required_text(other: OtherChange) -> str:
    return (
        f"needs a maintainer: {other.change}{_kind(other)} {_where(other.path)}, where only "
        "a maintainer changes the tool, the schema, the theme, the workflows and other code "
        "(this check ran the base branch's tool, not this change)"
    )


def _where(path: str) -> str:
    """Where a file that is not a scenario is: outside `scenarios/`, or in it but not one.

    (A link or other non-regular file put there is refused, and told by its violation.)
    """
    if path.startswith(SCENARIOS_DIR + "/"):
        return f"under {SCENARIOS_DIR}/ but not a scenario file ({' or '.join(YAML_SUFFIXES)})"
    return f"outside {SCENARIOS_DIR}/"


def _kind(other: OtherChange) -> str:
    return f" ({other.kind})" if other.kind else ""


def _owners(result: Review, path: str) -> str:
    """Who may approve `path`, for a terminal or an annotation (logins are [A-Za-z0-9-])."""
    owners = result.owners.owners(path)
    return visible(" ".join(owners)) if owners else "none named in CODEOWNERS"


def _owner_cells(result: Review, path: str) -> str:
    owners = result.owners.owners(path)
    return " ".join(markdown_code(o) for o in owners) if owners else "none named"


def _row(change: ScenarioChange) -> str:
    doc = change.shown
    phases = doc.get("phases")
    cells = [
        change.change,
        markdown_code(str(doc.get("scenario_id", change.path))),
        markdown_text(_title(change)),
        markdown_text(str(doc.get("language", ""))),
        markdown_text(str(doc.get("difficulty", ""))),
        str(len(phases)) if isinstance(phases, list) else "",
        markdown_text(", ".join(change.differences())),
    ]
    return "| " + " | ".join(cells) + " |"


def _title(change: ScenarioChange) -> str:
    return str(change.shown.get("title", ""))


def _notes(change: ScenarioChange) -> str:
    notes = change.differences()
    return f"  ({visible('; '.join(notes))})" if notes else ""
