"""`scenarios export` and `scenarios import`: scenarios between the repository and JSON.

Two JSON shapes are read. The old app's `scenarios.json`: a list of rows with the old
table's columns (an integer `id`, `created_at`/`updated_at`, phases with `phase_number`,
`created_by` null for system scenarios, null for empty optional columns). And this tool's
own export: `{"format": "scenariokit", "version": 1, "scenarios": [...]}`, each scenario with
the keys of its file.

Import is all or nothing, like the original migration: every row is converted, checked as
the file it will become (schema and repository rules, ids unique across the batch and the
repository) and given a path that must be free (unless `force`) before any file is written.
After writing, the files are read back and the counts of scenarios and phases compared with
the input's. Exporting a repository whose files are canonical (`scenarios fmt --check`)
and importing it into an empty one gives back byte-identical files; comments other than the
editor modeline are not exported.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scenariokit.authoring import scenario_path
from scenariokit.errors import UserError
from scenariokit.library import load_scenarios
from scenariokit.loader import LoadError, read_source
from scenariokit.repository import Catalog, read_catalog
from scenariokit.validate import check_text
from scenariokit.writer import canonical_text, modeline_for, write_files

EXPORT_FORMAT = "scenariokit"
EXPORT_VERSION = 1
# Columns of the old tables that the files do not keep (git keeps the dates).
_LEGACY_ONLY = {"id", "created_at", "updated_at"}
_LEGACY_PHASE_ONLY = {"id", "scenario_id", "phase_number", "created_at", "updated_at"}


def export_document(root: Path) -> dict[str, Any]:
    """Every scenario of the repository, in file order, as this tool's export."""
    shelf = load_scenarios(root)
    if shelf.unreadable:
        raise UserError(
            f"{len(shelf.unreadable)} files cannot be read ({shelf.unreadable[0]}, "
            "…): run `scenarios validate` and fix them before exporting"
        )
    return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "scenarios": shelf.documents()}


@dataclass(slots=True)
class ImportPlan:
    """The files an import would write, and the counts to verify after writing."""

    files: list[tuple[Path, str]] = field(default_factory=list)
    scenarios: int = 0
    phases: int = 0
    replaced: list[Path] = field(default_factory=list)


def read_rows(path: Path) -> list[Any]:
    """The rows of an import file, in either shape."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UserError(f"{path} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    if isinstance(data, dict) and data.get("format") == EXPORT_FORMAT:
        if data.get("version") != EXPORT_VERSION or not isinstance(data.get("scenarios"), list):
            raise UserError(
                f"{path}: an export of version {data.get('version')!r}; this tool "
                f"reads version {EXPORT_VERSION}"
            )
        return list(data["scenarios"])
    if isinstance(data, list):
        return [from_legacy(row) if _is_legacy(row) else row for row in data]
    raise UserError(
        f"{path} is neither the old app's scenarios.json (a list of rows) nor a "
        "`scenarios export` file"
    )


def _is_legacy(row: Any) -> bool:
    return isinstance(row, dict) and isinstance(row.get("id"), int)


def from_legacy(row: dict[str, Any]) -> dict[str, Any]:
    """A row of the old table as a scenario file's keys (owner filled in later if missing)."""
    doc = {k: v for k, v in row.items() if k not in _LEGACY_ONLY and v is not None}
    phases = row.get("phases")
    if isinstance(phases, list):
        ordered = sorted(
            phases,
            key=lambda p: p.get("phase_number", 0) if isinstance(p, dict) else 0,
        )
        doc["phases"] = [
            {k: v for k, v in p.items() if k not in _LEGACY_PHASE_ONLY and v is not None}
            if isinstance(p, dict)
            else p
            for p in ordered
        ]
    return doc


def plan_import(rows: list[Any], root: Path, *, author: str, force: bool) -> ImportPlan:
    """Check every row as the file it would become; `UserError` listing every problem."""
    plan = ImportPlan()
    problems: list[tuple[int, str]] = []  # (row number, message): told in row order
    docs: list[tuple[int, str, dict[str, Any]]] = []
    for number, row in enumerate(rows, start=1):
        label = f"row {number}"
        if not isinstance(row, dict):
            problems.append((number, f"{label}: not an object with a scenario's keys"))
            continue
        doc = dict(row)
        doc.setdefault("created_by", author)
        label += f" ({doc.get('scenario_id', 'no scenario_id')})"
        if not isinstance(doc.get("category"), str) or not isinstance(doc.get("scenario_id"), str):
            problems.append((number, f"{label}: needs a scenario_id and a category"))
            continue
        docs.append((number, label, doc))
    catalog = _catalog_with(read_catalog(root), [scenario_path(root, d) for _, _, d in docs])
    for number, label, doc in docs:
        path = scenario_path(root, doc)
        text = canonical_text(doc, modeline_for(path, root))
        for d in check_text(path, text, catalog):
            if d.severity == "error":
                problems.append((number, f"{label}: {d.pointer or '/'}: {d.message} [{d.code}]"))
        if path.exists():
            if not force:
                problems.append(
                    (
                        number,
                        f"{label}: {path.relative_to(root)} already exists (--force replaces it)",
                    )
                )
            plan.replaced.append(path)
        plan.files.append((path, text))
        plan.scenarios += 1
        phases = doc.get("phases")
        plan.phases += len(phases) if isinstance(phases, list) else 0
    if problems:
        told = "\n".join(f"  {message}" for _, message in sorted(problems, key=lambda p: p[0]))
        raise UserError("nothing was imported:\n" + told)
    return plan


def _catalog_with(catalog: Catalog, paths: list[Path]) -> Catalog:
    """The repository's ids plus those the import would add (so the batch is unique too)."""
    files_by_id: dict[str, list[Path]] = defaultdict(list)
    for scenario_id, files in catalog.files_by_id.items():
        files_by_id[scenario_id].extend(files)
    for path in paths:
        if path not in files_by_id[path.stem]:
            files_by_id[path.stem].append(path)
    return Catalog(catalog.root, dict(files_by_id))


def apply_import(plan: ImportPlan, *, force: bool) -> None:
    """Write the planned files, then read them back and verify the counts."""
    write_files(plan.files, replace=force)
    scenarios = phases = 0
    for path, _ in plan.files:
        try:
            data = read_source(path).data
        except LoadError as exc:
            raise UserError(f"{path} cannot be read back: {exc.message}") from None
        scenarios += 1
        phases += len(data.get("phases", []))
    if (scenarios, phases) != (plan.scenarios, plan.phases):
        raise UserError(
            f"verification failed: read back {scenarios} scenarios and {phases} "
            f"phases, expected {plan.scenarios} and {plan.phases}"
        )
