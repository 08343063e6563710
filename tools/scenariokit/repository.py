"""The repository on disk: where it is, which files are scenarios and templates.

A repository is the nearest folder upward that holds `schemas/scenario.schema.json`.
Scenarios live at `scenarios/<category>/<scenario_id>.yaml`, templates at
`templates/<name>.yaml`. Because every file's name must equal its `scenario_id`, the set
of ids in the repository is the set of file names, read from the folders without parsing
a single file: this is what keeps validating one file fast in a repository of thousands.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

SCHEMA_FILE = Path("schemas") / "scenario.schema.json"
SCENARIOS_DIR = "scenarios"
TEMPLATES_DIR = "templates"
YAML_SUFFIXES = (".yaml", ".yml")


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` that holds the schema, or None."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / SCHEMA_FILE).is_file():
            return folder
    return None


def default_paths(root: Path) -> list[Path]:
    """What `validate` checks when given no paths: the scenarios and the templates."""
    return [p for p in (root / SCENARIOS_DIR, root / TEMPLATES_DIR) if p.is_dir()]


def yaml_files(paths: list[Path]) -> list[Path]:
    """The YAML files named, or found below the folders named, each once, in a stable order."""
    found: dict[Path, None] = {}
    for path in paths:
        if path.is_dir():
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.endswith(YAML_SUFFIXES):
                        found.setdefault(Path(folder) / name)
        else:
            found.setdefault(path)
    return list(found)


@dataclass(frozen=True, slots=True)
class Catalog:
    """Which ids the repository holds, and in which files: scenario and template ids share it."""

    root: Path | None
    files_by_id: dict[str, list[Path]] = field(default_factory=dict)

    def others(self, scenario_id: str, path: Path) -> list[Path]:
        """Files other than `path` whose name claims `scenario_id`."""
        here = path.absolute()
        return [p for p in self.files_by_id.get(scenario_id, []) if p != here]

    def knows(self, scenario_id: str) -> bool:
        """Whether a scenario or template of that id exists."""
        return scenario_id in self.files_by_id


def read_catalog(root: Path | None, files: list[Path] | None = None) -> Catalog:
    """Scan `scenarios/` and `templates/` for file names; an empty catalog without a root.

    `files`: the absolute paths of `yaml_files(default_paths(root))`, when already listed.
    """
    if root is None:
        return Catalog(None)
    root = root.absolute()
    files_by_id: dict[str, list[Path]] = defaultdict(list)
    for path in yaml_files(default_paths(root)) if files is None else files:
        files_by_id[path.stem].append(path)
    return Catalog(root, dict(files_by_id))


def place_of(path: Path, root: Path | None) -> tuple[str, tuple[str, ...]]:
    """Where a file sits: ("scenarios" | "templates" | "elsewhere", its folders below that).

    Paths are compared as absolute paths, not resolved ones: resolving costs a system call
    per folder, and the current folder (which relative paths start from) is already real.
    """
    if root is not None:
        try:
            relative = path.absolute().relative_to(root)
        except ValueError:
            return "elsewhere", ()
        top, *middle = relative.parts[:-1] or ("",)
        if top in (SCENARIOS_DIR, TEMPLATES_DIR):
            return top, tuple(middle)
    return "elsewhere", ()


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the current folder when below it.

    Lexical (no symlinks resolved, no file system calls): it runs for every file of a
    large repository.
    """
    absolute = os.path.normpath(Path.cwd() / path)
    shown = os.path.relpath(absolute)
    return str(path) if shown.startswith(os.pardir) else shown
