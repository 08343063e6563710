"""The repository's scenarios and templates, loaded as data for the authoring commands.

`validate` reports every problem; the commands here only need the documents, so a file
that does not load, or breaks the schema (these commands rely on its shape: phases a list
of mappings…), is skipped and counted, and the caller says so (run `scenarios validate`).
Each file is judged by the one check (`validate.check`), which also tells which documents
have other errors: an export, which must import again, refuses those too.
What the walk refuses (a link, a FIFO, a device) is never read, and reported by the caller
as a diagnostic; an id whose only file is refused is refused with that diagnostic.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scenariokit.check.diagnostics import Diagnostic
from scenariokit.check.suggestions import closest
from scenariokit.check.validate import check, refusals
from scenariokit.errors import UserError
from scenariokit.files.loader import Source
from scenariokit.files.repository import (
    SCENARIOS_DIR,
    TEMPLATES_DIR,
    Listing,
    default_paths,
    display_path,
    list_files,
    read_catalog,
)


@dataclass(slots=True)
class Shelf:
    """Loaded documents of one area (`scenarios/` or `templates/`), in file order.

    `unreadable` holds every file set aside, refused ones too; `refused` says why those
    were refused (a link, a FIFO…), for the command to report. `with_errors` are files
    among `sources` that break a rule of the repository (an id, a folder, a character).
    """

    sources: list[Source] = field(default_factory=list)
    unreadable: list[Path] = field(default_factory=list)
    refused: list[Diagnostic] = field(default_factory=list)
    with_errors: list[Path] = field(default_factory=list)

    def documents(self) -> list[dict[str, Any]]:
        """The documents that are mappings (the others cannot be scenarios)."""
        return [s.data for s in self.sources if isinstance(s.data, dict)]


def load_area(root: Path, area: str) -> Shelf:
    """Every YAML file of `root/area`, loaded; unreadable and refused ones set aside.

    One walk of the repository (`list_files`) gives both the area's files and the catalog
    they are judged by (`read_catalog`).
    """
    shelf = Shelf()
    folder = root / area
    everything = list_files(default_paths(root), root)
    inside = str(folder) + os.sep
    listing = Listing(
        [f for f in everything.files if f.name.startswith(inside)],
        [r for r in everything.refused if r.path == folder or str(r.path).startswith(inside)],
    )
    shelf.refused = refusals(listing.refused)
    shelf.unreadable = [r.path for r in listing.refused]
    ids = read_catalog(root, (f.name for f in everything.files))
    for path in listing.paths:
        checked = check(path, ids)
        if checked.conforms and checked.source is not None:
            shelf.sources.append(checked.source)
            if not checked.valid:
                shelf.with_errors.append(path)
        else:
            shelf.unreadable.append(path)
    return shelf


def load_scenarios(root: Path) -> Shelf:
    """The scenarios of the repository."""
    return load_area(root, SCENARIOS_DIR)


def load_templates(root: Path) -> Shelf:
    """The templates of the repository."""
    return load_area(root, TEMPLATES_DIR)


class NotFound(UserError):
    """No scenario or template has that id."""


def find_source(root: Path, scenario_id: str) -> Source:
    """The scenario or template whose file is named `scenario_id`, or a `UserError`."""
    listing = list_files(default_paths(root), root)
    paths = [p for p in listing.paths if p.stem == scenario_id]
    refused = [r for r in listing.refused if r.path.stem == scenario_id]
    if refused and not paths:
        (diagnostic, *_) = refusals(refused)
        raise UserError(
            f"{diagnostic.path}:{diagnostic.line}:{diagnostic.column}: {diagnostic.message} "
            f"[{diagnostic.code}]"
        )
    if not paths:
        near = closest(scenario_id, sorted({p.stem for p in listing.paths}))
        raise NotFound(
            f"no scenario or template '{scenario_id}' in {root}: "
            + (f"did you mean '{near}'? " if near else "")
            + "`scenarios list` and `scenarios templates` show what there is"
        )
    if len(paths) > 1:
        raise UserError(
            f"'{scenario_id}' names several files ({', '.join(map(display_path, paths))}): "
            "run `scenarios validate` and fix the duplicate id first"
        )
    checked = check(paths[0], read_catalog(root, (f.name for f in listing.files)))
    if checked.source is None:
        (problem,) = checked.diagnostics
        raise UserError(f"{problem.path}:{problem.line}:{problem.column}: {problem.message}")
    if not checked.conforms:
        raise UserError(
            f"{display_path(paths[0])} does not validate: run `scenarios validate` on it and fix it"
        )
    return checked.source
