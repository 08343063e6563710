"""The repository's scenarios and templates, loaded as data for the authoring commands.

`validate` reports every problem; the commands here only need the documents, so a file that
does not load is skipped and counted, and the caller says so (run `scenarios validate`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scenariokit.errors import UserError
from scenariokit.loader import LoadError, Source, read_source
from scenariokit.repository import (
    SCENARIOS_DIR,
    TEMPLATES_DIR,
    read_catalog,
    yaml_files,
)


@dataclass(slots=True)
class Shelf:
    """Loaded documents of one area (`scenarios/` or `templates/`), in file order."""

    sources: list[Source] = field(default_factory=list)
    unreadable: list[Path] = field(default_factory=list)

    def documents(self) -> list[dict[str, Any]]:
        """The documents that are mappings (the others cannot be scenarios)."""
        return [s.data for s in self.sources if isinstance(s.data, dict)]


def load_area(root: Path, area: str) -> Shelf:
    """Every YAML file of `root/area`, loaded; unreadable ones set aside."""
    shelf = Shelf()
    for path in yaml_files([root / area]) if (root / area).is_dir() else []:
        try:
            shelf.sources.append(read_source(path))
        except LoadError:
            shelf.unreadable.append(path)
    return shelf


def load_scenarios(root: Path) -> Shelf:
    """The scenarios of the repository."""
    return load_area(root, SCENARIOS_DIR)


def load_templates(root: Path) -> Shelf:
    """The templates of the repository."""
    return load_area(root, TEMPLATES_DIR)


def find_source(root: Path, scenario_id: str) -> Source:
    """The scenario or template whose file is named `scenario_id`, or a `UserError`."""
    paths = read_catalog(root).files_by_id.get(scenario_id, [])
    if not paths:
        raise UserError(
            f"no scenario or template '{scenario_id}' in {root}: "
            "`scenarios list` and `scenarios templates` show what there is"
        )
    if len(paths) > 1:
        raise UserError(
            f"'{scenario_id}' names several files ({', '.join(map(str, paths))}): "
            "run `scenarios validate` and fix the duplicate id first"
        )
    try:
        source = read_source(paths[0])
    except LoadError as exc:
        raise UserError(f"{paths[0]}:{exc.line}:{exc.column}: {exc.message}") from None
    if not isinstance(source.data, dict):
        raise UserError(f"{paths[0]} is not a scenario: run `scenarios validate` on it")
    return source
