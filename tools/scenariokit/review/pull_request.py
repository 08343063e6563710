"""`scenarios review`: the pull-request check — who may change which file, and a summary.

The old builder's permission checks, done on git history. Comparing `base...head` (what the
head branch changed since it left the base), each scenario file is added, edited, renamed
or removed, and a contributor:
- adds scenarios only with `created_by` set to their own login, never as system scenarios;
- edits, renames or removes only scenarios whose `created_by` is theirs;
- never changes `created_by`, and never sets `is_system_scenario`;
- never changes a system scenario.

Whose a scenario is, and whether it is a system scenario, is judged at BOTH ends of the
base: where the head branch left it (the merge base, what the diff is taken from) and the
base branch as it is now (its tip, which the pull request would be merged into). A change
passes only when both allow it. Else a contributor could branch from an old commit where a
scenario was theirs, and edit it after a maintainer gave it to someone else or made it a
system scenario; the merge keeps the base's new `created_by` and takes the edit. A scenario
the branch edits or renames that the base has since moved or removed cannot be judged
there, and is refused until the branch is brought up to date. So is a branch with several
merge bases (it merged both parents of one of the base's merges): the diff from one of them
can hide what the merge, which combines both, puts back.

Who is a maintainer is decided per file, by the CODEOWNERS of the base branch's tip (never
the pull request's, so it cannot name itself a maintainer, nor the merge base's, which a
branch could pick from an older, looser history), with GitHub's own rules (`codeowners`): a change
to a file is approved by ownership only when the author is among that file's owners. An
owner of a scenario file may do all of the above to it. Files outside `scenarios/` are never
judged by content: the tool, the schema, the site's theme, the workflows, tests and any
other file that could run or steer code need a maintainer (`required`: the review fails
unless the author owns the file), while template YAML files and the Markdown documents at
the repository's top only ask for one (`asked`: a notice). A file moved out of
`scenarios/` counts as a removal there plus a change where it went; one moved in counts as
an addition.

A public scenario whose page the change takes down (`broken_links`: renamed, so its id and
address `scenarios/<id>/` change; made a draft; removed) is reported for the maintainer,
with the old address and how to keep it. A warning, never a failure: an author may
rename or remove their own scenario, and whether an old address may go is the
maintainer's call. A move to another category's folder keeps the id, and the page.

Everything is read from git as bytes, never from the working tree: paths come from
`git diff --raw -z` (no quoting, any bytes, and the file modes), contents from the object
database by blob id, at most `loader.MAX_BYTES` each. A symbolic link or a submodule under
`scenarios/` or `templates/` is refused for everyone, and its target is never read.

The comparison needs both revisions and their merge base: in CI, check out with
`fetch-depth: 0` (or fetch the base branch with enough history).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from scenariokit.check.validate import load
from scenariokit.errors import UserError
from scenariokit.escape import visible
from scenariokit.files.git import run_git_bytes
from scenariokit.files.loader import MAX_BYTES
from scenariokit.files.repository import SCENARIOS_DIR, TEMPLATES_DIR, YAML_SUFFIXES
from scenariokit.review import codeowners
from scenariokit.review.codeowners import CodeOwners
from scenariokit.review.diff import scenario_diff

Change = Literal["added", "edited", "renamed", "removed"]

# Git's modes for what is not a regular file: never read as a scenario.
_SYMLINK, _SUBMODULE = "120000", "160000"
_REGULAR = ("100644", "100755")
_VERBS: dict[Change, str] = {
    "added": "add",
    "edited": "edit",
    "renamed": "rename",
    "removed": "remove",
}


@dataclass(frozen=True, slots=True)
class Violation:
    """A broken rule: where, which rule, and how to put it right."""

    path: str
    rule: str
    message: str


@dataclass(frozen=True, slots=True)
class Side:
    """One end of a changed file: its path, git mode and blob id."""

    path: str
    mode: str
    blob: str


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

    @property
    def paths(self) -> list[str]:
        """Both ends: a rename is judged by the owners of where it was and where it goes."""
        return [p for p in dict.fromkeys((self.old_path, self.path)) if p]

    def differences(self) -> list[str]:
        """What an edit changed, in words (`diff.ScenarioDiff.notes`)."""
        notes = []
        if self.change == "renamed":
            notes.append(f"renamed from {self.old_path}")
        if self.old and self.new:
            notes += scenario_diff(self.old, self.new).notes()
        return notes


@dataclass(frozen=True, slots=True)
class OtherChange:
    """A file outside `scenarios/` (or not a scenario) that the pull request touches.

    `need` is what it asks of a maintainer: `required` (code, schema, theme, workflows…),
    `asked` (templates, documents), or `owner` (its author owns it in CODEOWNERS).
    """

    path: str
    change: Change
    need: Literal["required", "asked", "owner"]
    kind: str = ""  # "a symbolic link", "a submodule" when not a regular file
    # A link, submodule or other non-regular file put under `scenarios/` or `templates/`:
    # refused for everyone by a `not-a-regular-file` violation, which describes it.
    refused: bool = False


@dataclass(frozen=True, slots=True)
class BrokenLink:
    """A public scenario whose page stops being where it was: its URL breaks.

    `how` is `renamed` (its id, the file's name, changed: `new_id`), `unpublished` (made a
    draft) or `removed` (deleted, or moved out of `scenarios/`).
    """

    path: str
    old_id: str
    how: Literal["renamed", "unpublished", "removed"]
    new_id: str | None = None

    @property
    def url(self) -> str:
        """The page that breaks, relative to the site's address."""
        return f"scenarios/{self.old_id}/"

    def message(self) -> str:
        """What breaks, and how to keep it."""
        where = (
            f"its page {self.url} (and api/scenarios/{self.old_id}.json and "
            f"decks/{self.old_id}.apkg) will no longer be published: links and bookmarks "
            "to it break"
        )
        if self.how == "renamed":
            return (
                f"the public scenario '{self.old_id}' is renamed to '{self.new_id}', so {where}; "
                f"a scenario's id is its address: to keep it, keep the file's name and "
                f"scenario_id '{self.old_id}' (change its title instead), or say in the pull "
                "request why the old address may go"
            )
        if self.how == "unpublished":
            return (
                f"the public scenario '{self.old_id}' is made a draft (is_public: false), so "
                f"{where}; to keep it, leave it public (is_public: true) and make the change "
                "in a draft copy (`scenarios duplicate`), or say in the pull request why it "
                "must be withdrawn"
            )
        return (
            f"the public scenario '{self.old_id}' is removed, so {where}; to keep it, keep "
            "the file (a scenario can be improved in place, or be left as it is next to a "
            "new one), or say in the pull request why it must go"
        )


@dataclass(slots=True)
class Review:
    """Everything `review` found: the changes, the violations, the files to look at."""

    author: str
    owners: CodeOwners
    base: str
    head: str
    changes: list[ScenarioChange] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    others: list[OtherChange] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)  # path → why
    # Public scenarios whose address the pull request breaks: for the maintainer to decide,
    # never a failure (an author may remove or rename their own scenario).
    broken_links: list[BrokenLink] = field(default_factory=list)

    @property
    def touched(self) -> list[str]:
        """Every path the pull request touches, both ends of renames included."""
        paths = [p for c in self.changes for p in c.paths] + [o.path for o in self.others]
        return list(dict.fromkeys(paths))

    @property
    def by_maintainer(self) -> bool:
        """Whether the author owns every file the pull request touches."""
        return bool(self.touched) and all(
            self.owners.owned_by(p, self.author) for p in self.touched
        )

    @property
    def needs_maintainer(self) -> list[OtherChange]:
        """Files only a maintainer may change, changed by someone who does not own them.

        Not the refused ones: no maintainer may commit those either.
        """
        return [o for o in self.others if o.need == "required" and not o.refused]

    @property
    def passed(self) -> bool:
        """No rule broken, and nothing that needs a maintainer changed by someone else."""
        return not self.violations and not self.needs_maintainer


def review(root: Path, *, base: str, head: str = "HEAD", author: str) -> Review:
    """Check the changes from `base` to `head` made by `author`.

    The diff is taken from the merge base (what the branch changed); CODEOWNERS and the
    scenarios as they are now are read at `base` itself (its tip), never from `head`. A
    branch with more than one merge base is refused before anything else
    (`_several_merge_bases`).
    """
    base_commit, head_commit = _commit(root, base), _commit(root, head)
    merge_bases = _git(root, "merge-base", "--all", base_commit, head_commit).decode().split()
    result = Review(author=author, owners=read_codeowners(root, base_commit), base=base, head=head)
    if len(merge_bases) > 1:
        result.violations.append(_several_merge_bases(base, len(merge_bases)))
        return result
    entries = list(_diff(root, merge_bases[0], head_commit))
    sides = [side for old, new in entries for side in (old, new) if side]
    tip = scenarios_at(root, base_commit, {s.path for s in sides if _is_scenario(s.path)})
    wanted = [s.blob for s in [*sides, *tip.values()] if _is_scenario(s.path) and _readable(s)]
    blobs = read_blobs(root, wanted)
    for old, new in entries:
        _classify(result, old, new, blobs)
    result.broken_links = broken_links(result.changes)
    left = {old.path: old.blob for old, _ in entries if old}
    for change in result.changes:
        if not all(result.owners.owned_by(p, author) for p in change.paths):
            found = _violations(change, author, result.unreadable)
            found += _tip_violations(change, author, base, tip, left, blobs)
            result.violations += _without_repeats(found)
    return result


def _several_merge_bases(base: str, count: int) -> Violation:
    """The branch left the base at several commits at once: no one diff tells what it does.

    Merging both parents of a merge commit of the base gives a branch two merge bases
    (a criss-cross). Git's diff takes one of them; the merge combines both, so a file the
    branch put back as it was on the other side changes on the base without appearing in
    that diff: another's scenario, CODEOWNERS, a workflow. Refused for everyone. Merging
    the base's tip into the branch leaves one merge base, the tip itself, from which the
    diff is exactly what the merge does.
    """
    return Violation(
        ".",
        "several-merge-bases",
        f"this branch has {count} merge bases with {base} (it merged commits that {base} "
        "merged too), so what merging it would change cannot be told from one diff: merge "
        f"{base} into your branch (or rebase it on {base}) and push again",
    )


def broken_links(changes: list[ScenarioChange]) -> list[BrokenLink]:
    """The public scenarios (where the branch left the base) whose page the changes remove.

    A scenario's page is `scenarios/<id>/`, its id the file's name: moving it to another
    category's folder keeps it, renaming the file does not. An address that another file of
    the pull request publishes again (an id given back to a new file) is not broken.
    """
    published = {_id_of(c.new, c.path) for c in changes if c.new is not None and _public(c.new)}
    found = []
    for change in changes:
        old = change.old
        if change.change == "added" or old is None or not _public(old):
            continue
        old_id = _id_of(old, change.old_path or change.path)
        if old_id in published:
            continue
        if change.new is None:  # removed, or edited into a file that cannot be read
            if change.change == "removed":
                found.append(BrokenLink(change.old_path or change.path, old_id, "removed"))
            elif PurePosixPath(change.path).stem != old_id:  # its name is its address
                found.append(
                    BrokenLink(change.path, old_id, "renamed", PurePosixPath(change.path).stem)
                )
        elif _id_of(change.new, change.path) != old_id:
            new_id = _id_of(change.new, change.path)
            found.append(BrokenLink(change.path, old_id, "renamed", new_id))
        elif not _public(change.new):
            found.append(BrokenLink(change.path, old_id, "unpublished"))
    return found


def _id_of(doc: dict[str, Any], path: str) -> str:
    """A scenario's id, which names its page: `scenario_id` (the file's name when it has none).

    (`validate` holds `scenario_id` equal to the file's name.)
    """
    value = doc.get("scenario_id")
    return value if isinstance(value, str) and value else PurePosixPath(path).stem


def _public(doc: dict[str, Any]) -> bool:
    """Whether a document is published: `is_public` true or absent (the schema's default)."""
    return doc.get("is_public", True) is True


def scenarios_at(root: Path, commit: str, paths: set[str]) -> dict[str, Side]:
    """Which of `paths` exist at `commit`, with their mode and blob (one `ls-tree`).

    The whole `scenarios/` folder is listed, not the paths one by one: no argument list
    grows with the pull request, and no path is ever taken as a pattern.
    """
    if not paths:
        return {}
    listing = _git(root, "ls-tree", "-r", "-z", "--full-tree", commit, "--", SCENARIOS_DIR)
    found = {}
    for record in listing.split(b"\0"):
        meta, _, name = record.partition(b"\t")
        parts = meta.decode("ascii", "replace").split()
        path = name.decode("utf-8", "surrogateescape")
        if len(parts) == 3 and path in paths:
            found[path] = Side(path, parts[0], parts[2])
    return found


def _readable(side: Side) -> bool:
    """Whether a file's content may be read: a regular file, never a link's target."""
    return side.mode in _REGULAR


def _diff(root: Path, base: str, head: str) -> Iterator[tuple[Side | None, Side | None]]:
    """Each changed file as (old end, new end), from `git diff --raw -z`.

    A record is `:oldmode newmode oldblob newblob status` then one path, or two for a
    rename; with `-z` every field ends in NUL and no path is quoted.
    """
    raw = _git(
        root, "diff", "--raw", "-z", "-M", "--no-abbrev", "--no-ext-diff", "--no-color",
        base, head,
    )  # fmt: skip
    fields = raw.split(b"\0")
    position = 0
    while position < len(fields) - 1:
        header = fields[position].decode("ascii", "replace").lstrip(":").split()
        old_mode, new_mode, old_blob, new_blob, status = header[:5]
        count = 2 if status[0] in "RC" else 1
        paths = [f.decode("utf-8", "surrogateescape") for f in fields[position + 1 :][:count]]
        position += 1 + count
        old = Side(paths[0], old_mode, old_blob) if status[0] not in "AC" else None
        new = Side(paths[-1], new_mode, new_blob) if status[0] != "D" else None
        yield old, new


def _classify(
    result: Review, old: Side | None, new: Side | None, blobs: dict[str, bytes | int]
) -> None:
    """File one changed file as a scenario change, another change, or both (a move)."""
    if new and _in_data_folder(new.path) and not _readable(new):
        kind = _kind(new.mode)
        folder = new.path.split("/")[0]
        result.violations.append(
            Violation(
                new.path,
                "not-a-regular-file",
                f"this is {kind} under {folder}/, refused for everyone (maintainers too): "
                f"only regular files are allowed under {SCENARIOS_DIR}/ and "
                f"{TEMPLATES_DIR}/; commit the file itself",
            )
        )
        _other(result, new.path, "edited" if old else "added", kind, refused=True)
        return
    old_in = old if old and _is_scenario(old.path) and old.mode in _REGULAR else None
    new_in = new if new and _is_scenario(new.path) else None
    if old_in or new_in:
        _scenario(result, old_in, new_in, blobs)
    same_path = bool(old and new and old.path == new.path)
    if old and not old_in and not (same_path and new_in):
        # A file made a link or a submodule where it was one is told as what it is now.
        told = new if same_path and new and not _readable(new) else old
        kind = "" if _readable(told) else _kind(told.mode)
        _other(result, old.path, "edited" if same_path else "removed", kind)
    if new and not new_in and not same_path:
        _other(result, new.path, "added", "" if _readable(new) else _kind(new.mode))


def _scenario(
    result: Review, old: Side | None, new: Side | None, blobs: dict[str, bytes | int]
) -> None:
    """Record a change to a scenario file, with both versions read."""
    change: Change
    if old and new:
        change = "renamed" if old.path != new.path else "edited"
    else:
        change = "added" if new else "removed"
    old_doc = _document(result, old, blobs) if old else None
    new_doc = _document(result, new, blobs) if new else None
    path = new.path if new else old.path if old else ""
    result.changes.append(ScenarioChange(change, path, old.path if old else None, old_doc, new_doc))


def _other(
    result: Review, path: str, change: Change, kind: str = "", *, refused: bool = False
) -> None:
    """Record a change that is not to a scenario, with what it needs from a maintainer."""
    need: Literal["required", "asked", "owner"]
    if result.owners.owned_by(path, result.author):
        need = "owner"
    elif not kind and _asked_only(path):
        need = "asked"
    else:
        need = "required"
    result.others.append(OtherChange(path, change, need, kind, refused))


def _asked_only(path: str) -> bool:
    """Templates (data the schema checks) and top-level documents: nothing in them runs."""
    if path.startswith(TEMPLATES_DIR + "/"):
        return path.endswith(YAML_SUFFIXES)
    return "/" not in path and path.endswith(".md")


def _is_scenario(path: str) -> bool:
    return path.startswith(SCENARIOS_DIR + "/") and path.endswith(YAML_SUFFIXES)


def _in_data_folder(path: str) -> bool:
    """Whether `path` is `scenarios/`, `templates/` or below them (links there are refused)."""
    return any(path == d or path.startswith(d + "/") for d in (SCENARIOS_DIR, TEMPLATES_DIR))


def _kind(mode: str) -> str:
    return {_SYMLINK: "a symbolic link", _SUBMODULE: "a submodule"}.get(mode, f"mode {mode}")


def _document(result: Review, side: Side, blobs: dict[str, bytes | int]) -> dict[str, Any] | None:
    """The data of one end of a scenario, or None with the reason kept in `unreadable`."""
    data, reason = _read(side, blobs)
    if reason is not None:
        result.unreadable[side.path] = reason
    return data


def _read(side: Side, blobs: dict[str, bytes | int]) -> tuple[dict[str, Any] | None, str | None]:
    """The data of one committed scenario file, or None and why it cannot be read."""
    if not _readable(side):
        return None, f"it is {_kind(side.mode)}"
    raw = blobs.get(side.blob)
    if raw is None:
        return None, "git cannot read it"
    if isinstance(raw, int):
        return None, f"it is {raw:,} bytes, over the limit of {MAX_BYTES:,}"
    loaded = load(Path(side.path), raw)  # as every command reads a file: `validate.load`
    if loaded.source is None:
        return None, loaded.diagnostics[0].message
    data = loaded.source.data
    if not isinstance(data, dict):
        return None, "it is not a mapping of keys to values"
    return data, None


def _owner(doc: dict[str, Any]) -> str | None:
    """`created_by` as a login compares (`login_key`); None, nobody's, unless a login."""
    value = doc.get("created_by")
    return codeowners.login_key(value) if isinstance(value, str) else None


def _system(doc: dict[str, Any]) -> bool:
    """Whether a document claims to be a system scenario: anything but absent or false."""
    return doc.get("is_system_scenario") not in (None, False)


def _violations(change: ScenarioChange, author: str, unreadable: dict[str, str]) -> list[Violation]:
    """The rules a change breaks unless its author owns all its paths in CODEOWNERS.

    A file the branch made unreadable is judged by the base's version, which says whose it
    is: someone else's is `not-yours` at once, not only once its syntax is fixed.
    """
    old, new, path = change.old or {}, change.new or {}, change.path
    mine = codeowners.login_key(author)

    def yours(doc: dict[str, Any]) -> bool:
        return mine is not None and _owner(doc) == mine

    found = [
        Violation(
            p,
            "unreadable",
            f"who owns this scenario cannot be checked: {unreadable[p]}; "
            "fix the file (`scenarios validate` shows where)",
        )
        for p in change.paths
        if p in unreadable
    ]
    if found and change.old is None:
        return found  # added unreadable, or the base's file is: no owner to judge by
    if change.change == "added":
        if not yours(new):
            found.append(
                Violation(
                    path,
                    "add-as-yourself",
                    f"a scenario you add must be yours: set created_by: "
                    f"{author} (it says {new.get('created_by')!r})",
                )
            )
    else:
        if _system(old):
            found.append(
                Violation(
                    path,
                    "system-scenario",
                    "this is a system scenario: only maintainers change it; "
                    "to make your own version, run `scenarios duplicate` and "
                    "change the copy",
                )
            )
        elif not yours(old):
            verb = _VERBS[change.change]
            found.append(
                Violation(
                    path,
                    "not-yours",
                    f"only its owner ({old.get('created_by')}) may {verb} this "
                    "scenario: ask them in the pull request, or run `scenarios "
                    "duplicate` and change your copy",
                )
            )
        if change.new is not None and _owner(new) != _owner(old):
            found.append(
                Violation(
                    path,
                    "owner-changed",
                    f"created_by may not change (from {old.get('created_by')!r} "
                    f"to {new.get('created_by')!r}): set it back",
                )
            )
    if _system(new) and not _system(old):
        found.append(
            Violation(
                path,
                "system-flag",
                "only maintainers make system scenarios: set "
                "is_system_scenario: false (or remove the line)",
            )
        )
    return found


def _tip_violations(
    change: ScenarioChange,
    author: str,
    base: str,
    tip: dict[str, Side],
    left: dict[str, str],
    blobs: dict[str, bytes | int],
) -> list[Violation]:
    """What the base branch as it is NOW forbids: what a change overwrites must be yours.

    Each file the change overwrites or removes must still be the author's on the base tip,
    and not a system scenario there. `left` is each old path's blob where the branch left
    the base, already judged by `_violations`: a file the base has not changed since is not
    judged twice. Only whose the file is counts here; what the branch itself changed
    (`created_by`, the system flag) is judged against the merge base, where the diff starts.
    """
    found = []
    mine = codeowners.login_key(author)
    for path in change.paths:
        verb = _VERBS[change.change] if path == change.old_path else "replace"
        now = tip.get(path)
        if now is None:
            if path == change.old_path and change.change in ("edited", "renamed"):
                found.append(
                    Violation(
                        path,
                        "gone-from-base",
                        f"this scenario was moved or removed on {base} after your branch "
                        "left it, so whose it is now cannot be checked: merge "
                        f"{base} into your branch (or rebase on it) and push again",
                    )
                )
            continue
        if left.get(path) == now.blob:
            continue
        doc, reason = _read(now, blobs)
        if doc is None:
            found.append(
                Violation(
                    path,
                    "unreadable",
                    f"who owns this scenario on {base} cannot be checked: {reason}",
                )
            )
        elif _system(doc):
            found.append(
                Violation(
                    path,
                    "system-scenario",
                    f"this is a system scenario on {base} now (since your branch left "
                    "it): only maintainers change it; to make your own version, run "
                    "`scenarios duplicate` and change the copy",
                )
            )
        elif mine is None or _owner(doc) != mine:
            found.append(
                Violation(
                    path,
                    "not-yours",
                    f"only its owner ({doc.get('created_by')}) may {verb} this scenario: "
                    f"it is theirs on {base} now (since your branch left it); ask them in "
                    "the pull request, or run `scenarios duplicate` and change your copy",
                )
            )
    return found


def _without_repeats(violations: list[Violation]) -> list[Violation]:
    """One violation per file and rule: the first, where the branch left the base."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for violation in violations:
        if (violation.path, violation.rule) not in seen:
            seen.add((violation.path, violation.rule))
            kept.append(violation)
    return kept


def read_codeowners(root: Path, commit: str) -> CodeOwners:
    """The CODEOWNERS rules at `commit`: the first of GitHub's locations that is a file."""
    listing = _git(root, "ls-tree", "-z", "--full-tree", commit, "--", *codeowners.LOCATIONS)
    found = {}
    for record in listing.split(b"\0"):
        meta, _, name = record.partition(b"\t")
        parts = meta.split()
        if len(parts) == 3 and parts[0].decode() in _REGULAR:
            found[name.decode("utf-8", "surrogateescape")] = parts[2].decode()
    for location in codeowners.LOCATIONS:
        if location in found:
            raw = read_blobs(root, [found[location]], limit=codeowners.MAX_BYTES)
            content = raw.get(found[location])
            if isinstance(content, bytes):
                return codeowners.parse(content.decode("utf-8", "replace"))
            return CodeOwners()
    return CodeOwners()


def read_blobs(root: Path, blobs: list[str], *, limit: int = MAX_BYTES) -> dict[str, bytes | int]:
    """The content of each blob of at most `limit` bytes, or its size when larger.

    Two git processes whatever the count: one asks every size, one reads the small ones,
    so a pull request of thousands of files costs no more processes than one of two, and a
    huge file is never read at all.
    """
    unique = list(dict.fromkeys(b for b in blobs if b.strip("0")))
    if not unique:
        return {}
    sizes = {}
    answer = _git(root, "cat-file", "--batch-check", input="\n".join(unique).encode() + b"\n")
    for line in answer.decode("ascii", "replace").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == "blob":
            sizes[parts[0]] = int(parts[2])
    found: dict[str, bytes | int] = {b: s for b, s in sizes.items() if s > limit}
    small = [b for b, s in sizes.items() if s <= limit]
    if small:
        stream = _git(root, "cat-file", "--batch", input="\n".join(small).encode() + b"\n")
        position = 0
        for blob in small:
            header_end = stream.index(b"\n", position)
            size = sizes[blob]
            found[blob] = stream[header_end + 1 : header_end + 1 + size]
            position = header_end + 1 + size + 1
    return found


def _commit(root: Path, revision: str) -> str:
    try:
        return (
            _git(
                root,
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                f"{revision}^{{commit}}",
            )
            .decode()
            .strip()
        )
    except UserError:
        inside = run_git_bytes(root, "rev-parse", "--is-inside-work-tree")
        if inside.returncode != 0:
            raise UserError(
                f"{visible(str(root))} is not in a git repository: review compares two "
                "revisions of one; run it in a clone",
                exit_code=2,
            ) from None
        raise UserError(
            f"cannot find the revision {revision!r}: check its name; in CI, check out with "
            "fetch-depth: 0 (or `git fetch origin <base branch>`) so that both "
            "branches and their common history are there",
            exit_code=2,
        ) from None


def _git(root: Path, *args: str, input: bytes | None = None) -> bytes:
    """The output of git; a failure is the checkout's, not the pull request's (exit 2, not 1)."""
    try:
        result = run_git_bytes(root, *args, input=input)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UserError(f"git failed: {exc}", exit_code=2) from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip()
        raise UserError(f"git {' '.join(args[:2])} failed: {message}", exit_code=2)
    return result.stdout
