"""`scenarios export` and `scenarios import`: scenarios between the repository and JSON.

Two JSON shapes are read. The old app's `scenarios.json`: a list of rows with the old
table's columns (an integer `id`, `created_at`/`updated_at`, phases with `phase_number`,
`created_by` null for system scenarios, null for empty optional columns). And this tool's
own export: `{"format": "scenariokit", "version": 1, "scenarios": [...]}`, each scenario with
the keys of its file.

Import is all or nothing, like the original migration: every row is converted, checked as
the file it will become (schema and repository rules, ids unique across the batch and the
repository: two rows with one id are refused, naming both) and given a path that must be
free (unless `force`) and reachable (no file where a folder must be) before any file is
written. What Python cannot hold is refused first, with the row: integers of more than
`MAX_NUMBER_CHARACTERS`, nesting deeper than a scenario file may have, an id or category
that is not a plain name (`../`, a NUL byte).
After writing, the files are read back and the counts of scenarios and phases compared with
the input's. Exporting a repository whose files are canonical (`scenarios fmt --check`)
and importing it into an empty one gives back byte-identical files; comments other than the
editor modeline are not exported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scenariokit.author.create import scenario_path
from scenariokit.author.documents import load_scenarios
from scenariokit.author.writer import canonical_text, file_on_the_way, modeline_for, write_files
from scenariokit.check.diagnostics import plural
from scenariokit.check.validate import check, load
from scenariokit.errors import UserError
from scenariokit.escape import visible
from scenariokit.files.loader import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NUMBER_CHARACTERS,
    LoadError,
    read_raw,
    too_deep,
)
from scenariokit.files.repository import display_path, read_catalog

EXPORT_FORMAT = "scenariokit"
EXPORT_VERSION = 1
# Columns of the old tables that the files do not keep (git keeps the dates).
_LEGACY_ONLY = {"id", "created_at", "updated_at"}
_LEGACY_PHASE_ONLY = {"id", "scenario_id", "phase_number", "created_at", "updated_at"}


def export_document(root: Path) -> dict[str, Any]:
    """Every scenario of the repository, in file order, as this tool's export."""
    shelf = load_scenarios(root)
    # Only what validates is exported (the library sets aside what breaks the schema: a
    # date, a set, binary data would not even be JSON; import refuses what breaks a rule),
    # so the document imports again.
    if shelf.unreadable or shelf.with_errors:
        refused = shelf.unreadable + shelf.with_errors
        raise UserError(
            f"{plural(len(refused), 'file')} cannot be exported ({display_path(refused[0])}"
            f"{', …' if len(refused) > 1 else ''}): run `scenarios validate` and fix "
            "them before exporting"
        )
    return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "scenarios": shelf.documents()}


@dataclass(slots=True)
class ImportPlan:
    """The files an import would write, and the counts to verify after writing."""

    files: list[tuple[Path, str]] = field(default_factory=list)
    scenarios: int = 0
    phases: int = 0
    replaced: list[Path] = field(default_factory=list)


# An import file holds many scenarios (the export of the shipped scenarios is 215 KB): 64
# scenario files' worth. Read like a scenario file: a regular file only, never past the cap.
MAX_IMPORT_BYTES = 64 * MAX_BYTES


def read_rows(path: Path) -> list[Any]:
    """The rows of an import file, in either shape."""
    shown = visible(str(path))
    try:
        data = json.loads(
            read_import_file(path).decode("utf-8-sig"),
            parse_int=_json_int,
            object_pairs_hook=_object,
        )
    except _RepeatedKey as exc:
        raise UserError(
            f"{shown}: the key {visible(repr(exc.key))} is written twice in one object (JSON "
            "readers keep one of them, silently): keep one; nothing was imported"
        ) from None
    except UnicodeDecodeError:
        raise UserError(f"{shown} is not UTF-8 text: nothing was imported") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{shown}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    except _LongNumber as exc:
        raise UserError(
            f"{shown}: a number written with {len(exc.written):,} digits; numbers may have at "
            f"most {MAX_NUMBER_CHARACTERS}: nothing was imported"
        ) from None
    except RecursionError:
        raise UserError(
            f"{shown}: lists or objects nest too deeply to be scenarios: nothing was imported"
        ) from None
    return _rows_of(data, shown)


def read_import_file(path: Path) -> bytes:
    """The bytes of the file the user named, through the loader's one reader.

    The user named it, so a link on the way is followed (`resolve`); what it leads to must
    be a regular file: a FIFO would wait for a writer forever and a device never ends, so
    neither is read, and, like a folder, each is a usage error (exit 2). At most
    `MAX_IMPORT_BYTES` + 1 bytes are read, whatever the file's size says.
    """
    shown = visible(str(path))
    try:
        return read_raw(path.resolve(), MAX_IMPORT_BYTES)
    except LoadError as exc:
        if exc.code == "not-a-regular-file":
            raise UserError(
                f"{shown} is not a regular file (a FIFO, a device, a socket or a folder): "
                "import reads only a regular file: nothing was imported",
                exit_code=2,
            ) from None
        if exc.code == "file-too-large":
            raise UserError(
                f"{shown}: import files may be at most {MAX_IMPORT_BYTES:,} bytes "
                f"({MAX_IMPORT_BYTES >> 20} MiB): split it into several imports: "
                "nothing was imported"
            ) from None
        raise UserError(f"{shown}: {exc.message}: nothing was imported") from None


def _rows_of(data: Any, shown: str) -> list[Any]:
    """The rows of a parsed import file: an export's scenarios, or the old app's rows."""
    if isinstance(data, dict) and data.get("format") == EXPORT_FORMAT:
        version = data.get("version")
        if type(version) is not int or version != EXPORT_VERSION:  # true is not version 1
            written = repr(version)
            raise UserError(
                f"{shown}: an export of version {written[:40]}{'…' if len(written) > 40 else ''}"
                f"; this tool reads version {EXPORT_VERSION}: nothing was imported"
            )
        if not isinstance(data.get("scenarios"), list):
            raise UserError(
                f'{shown}: an export\'s "scenarios" must be a list of scenarios: '
                "nothing was imported"
            )
        return list(data["scenarios"])
    if isinstance(data, list):
        return [from_legacy(row) if _is_legacy(row) else row for row in data]
    raise UserError(
        f"{shown} is neither the old app's scenarios.json (a list of rows) nor a "
        "`scenarios export` file"
    )


class _LongNumber(Exception):
    """A JSON integer longer than a scenario file may hold (and Python may print)."""

    def __init__(self, written: str) -> None:
        super().__init__(written)
        self.written = written


class _RepeatedKey(ValueError):
    """A key written twice in one object of the import file."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object of the import file, refused with a key written twice, as a YAML file is."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _RepeatedKey(key)
        found[key] = value
    return found


def _json_int(written: str) -> int:
    """An integer of the import file, refused before Python builds a huge one."""
    if len(written) > MAX_NUMBER_CHARACTERS:
        raise _LongNumber(written)
    return int(written)


def _is_legacy(row: Any) -> bool:
    return isinstance(row, dict) and isinstance(row.get("id"), int)


def from_legacy(row: dict[str, Any]) -> dict[str, Any]:
    """A row of the old table as a scenario file's keys (owner filled in later if missing)."""
    doc = {k: v for k, v in row.items() if k not in _LEGACY_ONLY and v is not None}
    phases = row.get("phases")
    if isinstance(phases, list):
        ordered = sorted(phases, key=_phase_order)
        doc["phases"] = [
            {k: v for k, v in p.items() if k not in _LEGACY_PHASE_ONLY and v is not None}
            if isinstance(p, dict)
            else p
            for p in ordered
        ]
    return doc


def _phase_order(phase: Any) -> tuple[int, float]:
    """Sort key of a legacy phase: by `phase_number` when it is a number, else last.

    A number written as text (`"3"`, as some of the old app's forms saved it) is that
    number: sorted last, a phase 3 of four came out fourth. Phases with the same number
    keep the row's order (the sort is stable). A row with an odd phase is refused later,
    by the schema, with its path; sorting must not fail first (a text and a number do not
    compare).
    """
    number = phase.get("phase_number") if isinstance(phase, dict) else None
    if isinstance(number, str) and number.strip().isascii() and number.strip().isdigit():
        number = int(number.strip()[:MAX_NUMBER_CHARACTERS])
    if isinstance(number, int | float) and not isinstance(number, bool) and number == number:
        return (0, number)
    return (1, 0)


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
        label += f" ({_brief(doc.get('scenario_id', 'no scenario_id'))})"
        if not isinstance(doc.get("category"), str) or not isinstance(doc.get("scenario_id"), str):
            problems.append((number, f"{label}: needs a scenario_id and a category"))
            continue
        if not _is_name(doc["category"]) or not _is_name(doc["scenario_id"]):
            problems.append((number, f"{label}: scenario_id and category must be simple names"))
            continue
        if too_deep(doc):
            problems.append(
                (number, f"{label}: lists or objects nest more than {MAX_DEPTH} levels deep")
            )
            continue
        docs.append((number, label, doc))
    problems += _repeated_ids(docs)
    catalog = read_catalog(root, adding=[scenario_path(root, d) for _, _, d in docs])
    for number, label, doc in docs:
        path = scenario_path(root, doc)
        text = canonical_text(doc, modeline_for(path, root))
        errors = [d for d in check(path, catalog, text).diagnostics if d.severity == "error"]
        problems += [
            (number, f"{label}: {d.pointer or '/'}: {d.message} [{d.code}]") for d in errors
        ]
        if errors:
            continue  # the path is not looked at: an id of 5,000 characters is no file name
        blocker = file_on_the_way(path)
        if blocker is not None:
            problems.append(
                (number, f"{label}: {blocker.relative_to(root)} is a file, not a folder")
            )
        elif path.is_dir() and not path.is_symlink():
            problems.append((number, f"{label}: {path.relative_to(root)} is a folder, not a file"))
        elif path.is_symlink() or path.exists():  # a link too, dangling or not, as written
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


def _is_name(text: str) -> bool:
    """Whether `text` can be one part of a path inside the repository.

    The schema and the rules say what a good id or category is; this only keeps a path from
    leaving `scenarios/` (`..`, `/`) or failing to be a path at all (a NUL byte) before
    they get to say it.
    """
    return text not in ("", ".", "..") and not any(c in text for c in "/\\\0")


def _repeated_ids(docs: list[tuple[int, str, dict[str, Any]]]) -> list[tuple[int, str]]:
    """One problem per row whose scenario_id an earlier row of the import already has."""
    first: dict[str, int] = {}
    problems = []
    for number, label, doc in docs:
        scenario_id = doc["scenario_id"]
        if scenario_id in first:
            problems.append((number, f"{label}: the same scenario_id as row {first[scenario_id]}"))
        else:
            first[scenario_id] = number
    return problems


def _brief(value: Any) -> str:
    """A value of the import file in a message: visible and short."""
    text = visible(str(value))
    return text if len(text) <= 40 else text[:37] + "..."


def apply_import(plan: ImportPlan, *, force: bool) -> None:
    """Write the planned files, then read them back and verify the counts."""
    write_files(plan.files, replace=force)
    scenarios = phases = 0
    for path, _ in plan.files:
        loaded = load(path)  # as every command reads it
        if loaded.source is None:
            raise UserError(f"{path} cannot be read back: {loaded.diagnostics[0].message}")
        data = loaded.source.data
        scenarios += 1
        phases += len(data.get("phases", []))
    if (scenarios, phases) != (plan.scenarios, plan.phases):
        raise UserError(
            f"verification failed: read back {scenarios} scenarios and {phases} "
            f"phases, expected {plan.scenarios} and {plan.phases}"
        )
