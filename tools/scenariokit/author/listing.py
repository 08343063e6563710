"""`scenarios list`, `scenarios templates`: the old builder's "my / public / system" listings.

Filters combine with AND; each is optional. Rows are summaries, not whole scenarios. A
language filter takes in the language's regional variants (`check.languages.takes_in`:
`pt` lists `pt-BR` and `pt-PT` too), as the site's filter does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scenariokit.check.diagnostics import plural
from scenariokit.check.languages import takes_in
from scenariokit.errors import UserError
from scenariokit.escape import visible
from scenariokit.files.loader import Source

if TYPE_CHECKING:
    from scenariokit.build.sqlite_index import SearchHit


@dataclass(frozen=True, slots=True)
class Filters:
    """What `scenarios list` was asked for; None means "any"."""

    author: str | None = None
    category: str | None = None
    difficulty: str | None = None
    language: str | None = None
    public: bool | None = None
    system: bool | None = None

    def match(self, doc: dict[str, Any]) -> bool:
        """Whether a scenario passes every filter given."""
        wanted = {
            "created_by": self.author,
            "category": self.category,
            "difficulty": self.difficulty,
        }
        if any(value is not None and doc.get(key) != value for key, value in wanted.items()):
            return False
        if self.language is not None:
            tag = doc.get("language")
            if not isinstance(tag, str) or not takes_in(self.language, tag):
                return False
        if self.public is not None and doc.get("is_public", True) is not self.public:
            return False
        return self.system is None or doc.get("is_system_scenario", False) is self.system


def my_login(root: Path) -> str:
    """`list --mine`: the login `new` writes as the author, from git config (`github.user`).

    A usage error, saying what to set, when git config has none.
    """
    from scenariokit.author.create import git_login  # loads the checks: only for --mine

    login = git_login(root)
    if not login:
        raise UserError(
            "--mine needs your GitHub login, which git config does not give: set it with "
            "`git config --global github.user LOGIN` (as `scenarios new` reads it), or "
            "name it with --author LOGIN",
            exit_code=2,
        )
    return login


def summary(source: Source) -> dict[str, Any]:
    """One row of a listing: what a reader scans a list for."""
    doc = source.data
    return {
        "scenario_id": doc.get("scenario_id"),
        "title": doc.get("title"),
        "category": doc.get("category"),
        "difficulty": doc.get("difficulty"),
        "language": doc.get("language"),
        "estimated_duration": doc.get("estimated_duration"),
        "phases": len(doc.get("phases") or []),
        "created_by": doc.get("created_by"),
        "is_public": doc.get("is_public", True),
        "is_system_scenario": doc.get("is_system_scenario", False),
        "description": doc.get("description", ""),
        "path": source.path.as_posix(),
    }


def templates_table(rows: list[dict[str, Any]]) -> str:
    """`scenarios templates`: one line a template, with what to choose it by."""
    keys = ["scenario_id", "category", "difficulty", "language", "phases", "description"]
    return table(
        [[r[k] for k in keys] for r in rows],
        ["name", "category", "difficulty", "language", "phases", "summary"],
        max_width=70,
    )


def scenarios_table(rows: list[dict[str, Any]]) -> str:
    """`scenarios list`: one line a scenario, and its state (public or draft, system)."""
    keys = ["scenario_id", "title", "language", "difficulty", "category", "phases", "created_by"]
    return table(
        [[*(r[k] for k in keys), _status(r)] for r in rows],
        ["id", "title", "language", "level", "category", "phases", "owner", "status"],
    )


def hits_table(hits: Sequence[SearchHit]) -> str:
    """`scenarios search`: the matches, best first."""
    return table(
        [[h.scenario_id, h.title, h.language, h.difficulty, h.category, _draft(h)] for h in hits],
        ["id", "title", "language", "level", "category", "status"],
    )


def _draft(hit: SearchHit) -> str:
    return "public" if hit.is_public else "draft"


def _status(row: dict[str, Any]) -> str:
    status = "public" if row["is_public"] else "draft"
    return status + (", system" if row["is_system_scenario"] else "")


def unlisted(count: int) -> str:
    """What to say of files that could not be read, so are not listed."""
    verb = "is" if count == 1 else "are"
    return (
        f"{plural(count, 'file')} could not be read and {verb} not listed: run `scenarios validate`"
    )


def table(rows: list[list[Any]], headers: list[str], *, max_width: int = 48) -> str:
    """A plain text table, columns padded, long cells cut with an ellipsis.

    Cells hold contributors' text: hidden characters are shown escaped (`escape.visible`),
    so none can reorder, hide or overwrite the table around it.
    """
    cells = [[_cut(visible(str(c)), max_width) for c in row] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths).rstrip())
    return "\n".join(lines) + "\n"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
