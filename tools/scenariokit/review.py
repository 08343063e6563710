"""`scenarios review`: the pull-request check — who may change which scenario, and a summary.

The old builder's permission checks, done on git history. Comparing `base...head` (what the
head branch changed since it left the base), each scenario file is added, edited, renamed
or removed, and a contributor:
- adds scenarios only with `created_by` set to their own login, never as system scenarios;
- edits, renames or removes only scenarios whose `created_by` is theirs;
- never changes `created_by`, and never sets `is_system_scenario`;
- never changes a system scenario.
Maintainers — the owners `.github/CODEOWNERS` gives for `scenarios/` on the *base* branch
(so a pull request cannot name itself a maintainer) — may do all of these. Changes outside
`scenarios/` are flagged for a maintainer's review; they are not violations.

The comparison needs both revisions and their merge base: in CI, check out with
`fetch-depth: 0` (or fetch the base branch with enough history).
"""

from __future__ import annotations

import fnmatch
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from scenariokit.errors import UserError
from scenariokit.git import run_git
from scenariokit.loader import LoadError, parse
from scenariokit.repository import SCENARIOS_DIR

Change = Literal["added", "edited", "renamed", "removed"]


@dataclass(frozen=True, slots=True)
class Violation:
    """A broken ownership rule: where, which rule, and how to put it right."""

    path: str
    rule: str
    message: str


@dataclass(slots=True)
class ScenarioChange:
    """One scenario file the pull request touches."""

    change: Change
    path: str
    old_path: str | None
    old: dict[str, Any] | None
    new: dict[str, Any] | None

    @property
    def shown(self) -> dict[str, Any]:
        """The version to describe: the new one, or the removed one."""
        return self.new or self.old or {}

    def differences(self) -> list[str]:
        """What an edit changed, in words."""
        if not (self.old and self.new):
            return []
        changed = [
            key
            for key in sorted(set(self.old) | set(self.new))
            if key != "phases" and self.old.get(key) != self.new.get(key)
        ]
        notes = [f"{key}" for key in changed]
        old_phases = {p.get("phase_id"): p for p in self.old.get("phases", [])}
        new_phases = {p.get("phase_id"): p for p in self.new.get("phases", [])}
        added = [p for p in new_phases if p not in old_phases]
        removed = [p for p in old_phases if p not in new_phases]
        edited = [p for p in new_phases if p in old_phases and new_phases[p] != old_phases[p]]
        notes += [f"phase {p} added" for p in added] + [f"phase {p} removed" for p in removed]
        notes += [f"phase {p} edited" for p in edited]
        if not added and not removed and list(old_phases) != list(new_phases):
            notes.append("phases reordered")
        if self.change == "renamed":
            notes.insert(0, f"renamed from {self.old_path}")
        return notes


@dataclass(slots=True)
class Review:
    """Everything `review` found: the changes, the violations, the files to look at."""

    author: str
    maintainers: list[str]
    base: str
    head: str
    changes: list[ScenarioChange] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    @property
    def by_maintainer(self) -> bool:
        """Whether the author is one of the maintainers."""
        return self.author.casefold() in (m.casefold() for m in self.maintainers)


def review(root: Path, *, base: str, head: str = "HEAD", author: str) -> Review:
    """Check the changes from `base` to `head` made by `author`."""
    base_commit, head_commit = _commit(root, base), _commit(root, head)
    merge_base = _git(root, "merge-base", base_commit, head_commit).strip()
    result = Review(author=author, maintainers=maintainers(root, base_commit), base=base, head=head)
    diff = _git(root, "diff", "--name-status", "-z", "-M", "--no-color", merge_base, head_commit)
    fields = diff.split("\0")
    position = 0
    while position < len(fields) - 1:
        status = fields[position]
        paths = fields[position + 1 : position + (3 if status.startswith(("R", "C")) else 2)]
        position += 1 + len(paths)
        _classify(root, result, status[0], paths, merge_base, head_commit)
    if not result.by_maintainer:
        for change in result.changes:
            result.violations += _violations(change, author)
    return result


def _classify(
    root: Path, result: Review, status: str, paths: list[str], base: str, head: str
) -> None:
    in_scope = [p for p in paths if _is_scenario(p)]
    if not in_scope:
        result.outside += paths[-1:]
        return
    old_path = paths[0] if status in "DMR" else None
    new_path = paths[-1] if status in "AMRC" else None
    change: Change = {
        "A": "added",
        "C": "added",
        "M": "edited",
        "R": "renamed",
        "D": "removed",
    }.get(status, "edited")  # type: ignore[assignment]
    old = _document(root, base, old_path, result) if old_path else None
    new = _document(root, head, new_path, result) if new_path else None
    result.changes.append(ScenarioChange(change, new_path or old_path or "", old_path, old, new))


def _is_scenario(path: str) -> bool:
    return path.startswith(SCENARIOS_DIR + "/") and path.endswith((".yaml", ".yml"))


def _violations(change: ScenarioChange, author: str) -> list[Violation]:
    """The rules a contributor's change breaks (maintainers are not checked)."""
    found = []
    old, new, path = change.old or {}, change.new or {}, change.path
    mine = author.casefold()

    def owner(doc: dict[str, Any]) -> str:
        return str(doc.get("created_by", "")).casefold()

    if change.change == "added":
        if owner(new) != mine:
            found.append(
                Violation(
                    path,
                    "add-as-yourself",
                    f"a scenario you add must be yours: set created_by: "
                    f"{author} (it says {new.get('created_by')!r})",
                )
            )
    else:
        if old.get("is_system_scenario"):
            found.append(
                Violation(
                    path,
                    "system-scenario",
                    "this is a system scenario: only maintainers change it; "
                    "to make your own version, run `scenarios duplicate` and "
                    "change the copy",
                )
            )
        elif owner(old) != mine:
            verb = {"edited": "edit", "renamed": "rename", "removed": "remove"}[change.change]
            found.append(
                Violation(
                    path,
                    "not-yours",
                    f"only its owner ({old.get('created_by')}) may {verb} this "
                    "scenario: ask them in the pull request, or run `scenarios "
                    "duplicate` and change your copy",
                )
            )
        if change.new is not None and owner(new) != owner(old):
            found.append(
                Violation(
                    path,
                    "owner-changed",
                    f"created_by may not change (from {old.get('created_by')!r} "
                    f"to {new.get('created_by')!r}): set it back",
                )
            )
    if new.get("is_system_scenario") and not old.get("is_system_scenario"):
        found.append(
            Violation(
                path,
                "system-flag",
                "only maintainers make system scenarios: set "
                "is_system_scenario: false (or remove the line)",
            )
        )
    return found


def maintainers(root: Path, commit: str) -> list[str]:
    """The owners `.github/CODEOWNERS` gives for `scenarios/` at `commit` (last rule wins)."""
    try:
        text = _git(root, "show", f"{commit}:.github/CODEOWNERS")
    except UserError:
        return []
    owners: list[str] = []
    probe = f"{SCENARIOS_DIR}/restaurant/example.yaml"
    for line in text.splitlines():
        parts = line.split("#", 1)[0].split()
        if len(parts) >= 2 and _codeowners_match(parts[0], probe):
            owners = [o.lstrip("@") for o in parts[1:] if o.startswith("@") and "/" not in o]
    return owners


def _codeowners_match(pattern: str, path: str) -> bool:
    """Whether a CODEOWNERS pattern covers `path` (the subset of gitignore rules it uses)."""
    anchored = pattern.startswith("/")
    pattern = pattern.lstrip("/")
    if pattern.endswith("/"):
        pattern += "**"
    if pattern in ("*", "**"):
        return True
    candidates = [path] if anchored or "/" in pattern.rstrip("/*") else path.split("/")
    regex = pattern.replace("**", "*")
    return any(
        fnmatch.fnmatchcase(candidate, regex) or path.startswith(pattern.rstrip("*"))
        for candidate in candidates
    )


def _document(root: Path, commit: str, path: str, result: Review) -> dict[str, Any] | None:
    try:
        data = parse(_git(root, "show", f"{commit}:{path}"))
    except (UserError, LoadError):
        result.unreadable.append(path)
        return None
    return data if isinstance(data, dict) else None


def _commit(root: Path, revision: str) -> str:
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").strip()
    except UserError:
        raise UserError(
            f"cannot find the revision {revision!r}: in CI, check out with "
            "fetch-depth: 0 (or `git fetch origin <base branch>`) so that both "
            "branches and their common history are there"
        ) from None


def _git(root: Path, *args: str) -> str:
    try:
        result = run_git(root, *args)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UserError(f"git failed: {exc}") from None
    if result.returncode != 0:
        raise UserError(f"git {' '.join(args[:2])} failed: {result.stderr.strip()}")
    return result.stdout
