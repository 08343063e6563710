"""Saving from the builder page into the working tree, for `scenarios serve`'s local mode.

The builder on the hosted site can only copy, download or propose a file. Served by
`scenarios serve`, it can also save straight into the repository it previews: the page
sends the scenario as data, and the file is written here exactly as `scenarios new` writes
one (`canonical_text`, `write_file`: atomic, with the editor modeline), after the one check
(`validate.check`, with the repository's catalog). A file with errors is not written: the
diagnostics go back to the page, which shows them on their fields by JSON pointer.

What a request may do is narrow, whoever sends it:
- the file's place comes from the scenario's own `category` and `scenario_id`, once the
  schema has accepted both, so it is always `scenarios/<category>/<id>.yaml` inside the
  repository, never a path the request names; a folder on the way that leads elsewhere (a
  link) is refused;
- a new file never replaces one; an edit names the file and the SHA-256 of the content it
  was loaded from, and is refused when the file changed since (or is another file).
The HTTP side (the token, the origin, the loopback address) is `serve`'s.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scenariokit.author.create import NotValid, checked_text, scenario_path
from scenariokit.author.emitter import header_comments, with_header_comments
from scenariokit.author.writer import write_file
from scenariokit.check.diagnostics import Diagnostic
from scenariokit.check.schema import choices, load_schema
from scenariokit.errors import UserError
from scenariokit.files.loader import MAX_DEPTH
from scenariokit.files.repository import SCENARIOS_DIR, read_catalog


class Refused(UserError):
    """The request cannot be carried out as asked; nothing was written.

    `status` is the HTTP status that says why: 409 for a file that changed or exists, 422
    for a scenario that does not validate (`diagnostics` say how), 400 for the rest.
    """

    def __init__(self, message: str, status: int, diagnostics: list[Diagnostic] | None = None):
        super().__init__(message)
        self.status = status
        self.diagnostics = diagnostics or []


@dataclass(slots=True)
class Saved:
    """What was written, and what the check still says of it (warnings)."""

    path: str  # relative to the repository, posix
    diagnostics: list[Diagnostic] = field(default_factory=list)
    public: bool = True


def file_of(root: Path, scenario_id: str) -> tuple[str, str]:
    """The file of a scenario (relative path, SHA-256 of its content), for an edit to name.

    Only a scenario's file: a template is edited in git, like the tool's own files.
    """
    for path in read_catalog(root).files_by_id.get(scenario_id, []):
        relative = path.relative_to(root)
        if relative.parts[0] == SCENARIOS_DIR and path.is_file() and not path.is_symlink():
            return relative.as_posix(), _sha256(path.read_bytes())
    raise Refused(f"no scenario file has the id '{scenario_id}'", 404)


def save(root: Path, doc: Any, replaces: Any) -> Saved:
    """Write `doc` as its file; `replaces` is None for a new file, else {path, sha256}.

    Raises `Refused` (nothing written) for a document that does not validate or nests
    deeper than a scenario can, a file that exists (new) or changed since it was loaded
    (edit), or a place outside `scenarios/`. One save at a time, so two saves of the same
    file cannot both find it as they expect.
    """
    if not isinstance(doc, dict):
        raise Refused("the scenario must be a JSON object", 400)
    if _depth(doc) > MAX_DEPTH:
        raise Refused(f"the scenario nests more than {MAX_DEPTH} levels deep", 400)
    with _SAVING:  # one save at a time: each looks at the disk, then writes
        return _save(root.resolve(), doc, replaces)


# The server answers requests on threads; two saves of one file must not both pass the
# look at the disk before either writes.
_SAVING = threading.Lock()


def _depth(value: Any) -> int:
    """How deep lists and mappings nest in `value` (without recursion: it may be deep)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:
                children = node.values() if isinstance(node, dict) else node
                stack.extend((child, level + 1) for child in children)
    return deepest


def _save(root: Path, doc: dict[str, Any], replaces: Any) -> Saved:
    path = _place(root, doc)
    where = path or root / SCENARIOS_DIR / "unsaved.yaml"  # for the check's sake only
    try:
        text, diagnostics = checked_text(root, doc, where)
    except NotValid as exc:
        errors = [d for d in exc.errors if path is not None or d.code not in _PLACE_CODES]
        raise Refused("the scenario does not validate: nothing was written", 422, errors) from None
    if path is None:  # the schema's verdict on the id or category is among the errors
        raise Refused("the scenario does not validate: nothing was written", 422)
    relative = path.relative_to(root).as_posix()
    if replaces is None:
        if path.exists() or path.is_symlink():
            raise Refused(
                f"{relative} already exists: choose another id, or edit that scenario", 409
            )
        try:
            write_file(path, text)  # placed where no file is, even one made just now
        except UserError as exc:
            raise Refused(str(exc), 409) from None
    else:
        old = _require_unchanged(path, relative, replaces)
        # The builder writes from data, which has no comments: the file's own header
        # comments (its `# spelling:` allow-list) are kept, not lost to an edit.
        header = header_comments(old)
        if header:
            text, diagnostics = with_header_comments(text, header), _below(diagnostics, header)
        write_file(path, text, replace=True)
    return Saved(relative, diagnostics, doc.get("is_public", True) is not False)


def _below(diagnostics: list[Diagnostic], header: str) -> list[Diagnostic]:
    """Diagnostics of a text, moved down past the header lines put into it."""
    lines = header.count("\n")
    return [dataclasses.replace(d, line=d.line + lines) if d.line > 1 else d for d in diagnostics]


# What the stand-in place of a scenario with no valid id or category says of the place.
_PLACE_CODES = {"id-mismatch", "misplaced", "category-mismatch"}


def _place(root: Path, doc: dict[str, Any]) -> Path | None:
    """`scenarios/<category>/<id>.yaml`, or None until the schema accepts both.

    Judged before any look at the disk: an id holding `../` is no slug. A category folder
    that is a link, or leads elsewhere, is refused: the file would land outside.
    """
    scenario_id, category = doc.get("scenario_id"), doc.get("category")
    slug = load_schema()["$defs"]["slug"]
    if category not in choices("category") or not isinstance(scenario_id, str):
        return None
    if not slug["minLength"] <= len(scenario_id) <= slug["maxLength"]:
        return None
    if not re.fullmatch(slug["pattern"], scenario_id):
        return None
    for folder in (root / SCENARIOS_DIR, root / SCENARIOS_DIR / str(category)):
        if folder.is_symlink() or (folder.exists() and folder.resolve() != folder):
            raise Refused(f"{folder.relative_to(root)} leads outside the repository", 400)
    return scenario_path(root, doc)


def _require_unchanged(path: Path, relative: str, replaces: Any) -> str:
    """An edit replaces the file it was loaded from, as it was loaded: its text."""
    if not isinstance(replaces, dict) or replaces.get("path") != relative:
        raise Refused(
            f"this edit would write {relative}, not the file it was loaded from: a changed "
            "id or category is a new file (rename the old one in git)",
            409,
        )
    if not path.is_file() or path.is_symlink():
        raise Refused(f"{relative} is gone: nothing was written", 409)
    content = path.read_bytes()
    if _sha256(content) != replaces.get("sha256"):
        raise Refused(
            f"{relative} changed since the builder loaded it: nothing was written; copy "
            "your version, reload, and apply your changes again",
            409,
        )
    return content.decode("utf-8", "replace")


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
