"""How `scenarios review` tells its findings: text, a markdown summary, GitHub annotations.

Most of what it prints comes from the pull request (paths, ids, titles, logins, values
quoted in messages), so every such text goes through `escape` for its medium: `visible` on
a terminal, `markdown_code` (paths, ids, logins: a code span mentions no one) and
`markdown_text` in the summary, `workflow_command` in annotations.

What needs a maintainer comes FIRST in every format, before the table: a change to the
tool, the schema, the theme or the workflows is the one thing a reader must not miss. In
the markdown the other changes outside the scenarios follow, then a warning when the base
branch's CODEOWNERS names no one (then nobody counts as a maintainer), the rules broken,
the public pages the change takes down (a warning, `link-breaks`), the table of
scenarios with title, language, level, phases and what each edit changed,
each scenario told in full (`summary`: an added one whole, an edit entry by entry), and
the files that cannot be read. It is the job summary and the comment that the comment
workflow posts on the pull request, so it stays within a comment's size (`MAX_CHARACTERS`).
"""

from __future__ import annotations

from scenariokit.escape import markdown_code, markdown_text, visible, workflow_command
from scenariokit.files.repository import SCENARIOS_DIR, YAML_SUFFIXES
from scenariokit.review.pull_request import OtherChange, Review, ScenarioChange
from scenariokit.review.summary import Page, code, level, scenario_blocks, text

# GitHub's limit for a comment (the summary is posted as one), and the summary's own: room
# is left for the header the comment workflow puts above it. (A job summary may hold 1 MiB.)
GITHUB_COMMENT_LIMIT = 65_536
MAX_CHARACTERS = 60_000
_VERDICT_ROOM = 1_000  # the note saying where the summary was cut, and the verdict

# The code of a public scenario's page that the pull request removes (`BrokenLink`).
LINK_BREAKS = "link-breaks"

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
        f"warning: {visible(b.path)}: {visible(b.message())} [{LINK_BREAKS}]"
        for b in result.broken_links
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
    """The pull-request summary: the job summary, and the comment posted on the pull request.

    At most `MAX_CHARACTERS`: it stops between two blocks, says so, and ends with the verdict.
    """
    page = Page(MAX_CHARACTERS - _VERDICT_ROOM)
    page.add(f"## Scenario review for {markdown_code(result.author)}")
    if result.needs_maintainer:
        page.add(
            "> [!CAUTION]\n"
            "> **Needs a maintainer.** This pull request changes files that only a maintainer "
            "may change (the tool, the schema, the site's theme, the workflows or other code). "
            "Its checks ran with the base branch's tool, so these changes were not used; a "
            "maintainer must review them."
        )
        _table(
            page,
            "| file | change | who may approve (CODEOWNERS) |\n|---|---|---|",
            [
                f"| {markdown_code(o.path)} | {o.change}{_kind(o)} | "
                f"{_owner_cells(result, o.path)} |"
                for o in result.needs_maintainer
            ],
        )
    asked = [o for o in result.others if o.need != "required" and not o.refused]
    if asked:
        page.add("### Other changes outside the scenarios (a maintainer must review these)")
        _table(
            page,
            "",
            [
                f"- {markdown_code(o.path)} ({o.change}"
                f"{', by its owner' if o.need == 'owner' else ''})"
                for o in asked
            ],
        )
    if not result.owners.names_anyone:
        page.add(f"> [!WARNING]\n> {markdown_text('N' + _NO_MAINTAINER[1:])}")
    if result.violations:
        page.add("### Rules broken")
        _table(
            page,
            "",
            [
                f"- {markdown_code(v.path)}: {markdown_text(v.message)} ({markdown_code(v.rule)})"
                for v in result.violations
            ],
        )
    if result.broken_links:
        page.add(
            "### Public pages that will break\n\n> [!WARNING]\n> These public scenarios "
            "stop being published where they are: a learner's link or bookmark to them "
            "will break. Not a failed check: a maintainer decides whether the old "
            "addresses may go."
        )
        _table(
            page,
            "",
            [
                f"- {markdown_code(b.url)} ({markdown_code(b.path)}): {markdown_text(b.message())}"
                for b in result.broken_links
            ],
        )
    if result.changes:
        page.add("### Scenarios")
        _table(
            page,
            "| change | scenario | title | language | level | phases | what changed |\n"
            "|---|---|---|---|---|---|---|",
            [_row(c) for c in result.changes],
        )
        for change in result.changes:
            for block in scenario_blocks(change):
                page.add(block, scenario=change.path)
    else:
        page.add("No scenario is added, edited or removed.")
    if result.unreadable:
        page.add("### Files that cannot be read")
        _table(
            page,
            "",
            [
                f"- {markdown_code(path)}: {markdown_text(why)}"
                for path, why in result.unreadable.items()
            ],
        )
    ending = [page.text()]
    if page.cut:
        ending.append(_cut_note(page))
    ending.append(f"**{_verdict(result)}**")
    return "\n\n".join(ending) + "\n"


def _table(page: Page, header: str, rows: list[str]) -> None:
    """Rows of a table (under `header`) or a list, as many as fit, as one block."""
    kept = [header] if header else []
    for number, row in enumerate(rows):
        if page.size + sum(len(r) + 1 for r in [*kept, row]) + 2 > page.limit:
            page.lines_left_out += len(rows) - number
            page.cut = True
            break
        kept.append(row)
    if kept and kept != [header]:
        page.add("\n".join(kept))


def _cut_note(page: Page) -> str:
    missing = []
    if page.left_out:
        count = len(page.left_out)
        missing.append(f"{count} scenario{'s' if count != 1 else ''} not shown in full")
    if page.lines_left_out:
        missing.append(f"{page.lines_left_out} more line(s) of the lists above")
    what = f" ({', '.join(missing)})" if missing else ""
    return (
        f"> [!NOTE]\n> **The summary is cut here{what}**: a pull-request comment holds at "
        f"most {GITHUB_COMMENT_LIMIT:,} characters. The job's log lists every file "
        "(`scenarios review` in text), and the pull request's files hold the rest."
    )


def as_github(result: Review) -> str:
    """Workflow commands: errors for what fails the check, notices for what to look at."""
    lines = [
        workflow_command(
            "error",
            f"{o.path}: {_required_text(o)}; owners: {_owners(result, o.path)}",
            file=o.path,
            title="needs a maintainer",
        )
        for o in result.needs_maintainer
    ]
    if not result.owners.names_anyone:
        lines.append(workflow_command("warning", _NO_MAINTAINER, title="no maintainer configured"))
    lines += [
        workflow_command("error", v.message, file=v.path, title=v.rule) for v in result.violations
    ]
    lines += [
        workflow_command("warning", b.message(), file=b.path, title="public page will break")
        for b in result.broken_links
    ]
    lines += [
        workflow_command(
            "notice",
            f"{o.path} is outside scenarios/: a maintainer must review it",
            file=o.path,
            title="maintainer review",
        )
        for o in result.others
        if o.need == "asked"
    ]
    lines += [
        workflow_command("warning", why, file=path, title="unreadable")
        for path, why in result.unreadable.items()
    ]
    lines.append(_verdict(result))
    return "\n".join(lines) + "\n"


def _verdict(result: Review) -> str:
    who = "a maintainer" if result.by_maintainer else "a contributor"
    count = len(result.changes)
    verdict = f"{count} scenario{'s' if count != 1 else ''} changed by {who}"
    problems = []
    if result.violations:
        problems.append(f"{len(result.violations)} rule(s) broken")
    if result.needs_maintainer:
        problems.append(f"{len(result.needs_maintainer)} file(s) need a maintainer")
    links = len(result.broken_links)
    breaking = (
        f"; {links} public page{'s' if links != 1 else ''} will break (a maintainer decides)"
        if links
        else ""
    )
    if problems:
        return f"{verdict}: {', '.join(problems)}{breaking}"
    return f"{verdict}: all ownership rules hold{breaking}"


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
        code(doc.get("scenario_id", change.path)),
        text(_title(change)),
        text(doc.get("language", "")),
        text(level(doc)),
        str(len(phases)) if isinstance(phases, list) else "",
        text("; ".join(change.differences())),
    ]
    return "| " + " | ".join(cells) + " |"


def _title(change: ScenarioChange) -> str:
    return str(change.shown.get("title", ""))


def _notes(change: ScenarioChange) -> str:
    notes = change.differences()
    return f"  ({visible('; '.join(notes))})" if notes else ""
