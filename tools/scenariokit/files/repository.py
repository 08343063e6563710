"""The repository on disk: where it is, which files are scenarios and templates.

A repository is the nearest folder upward that holds `schemas/scenario.schema.json`.
Scenarios live at `scenarios/<category>/<scenario_id>.yaml`, templates at
`templates/<name>.yaml`. Because every file's name must equal its `scenario_id`, the set
of ids in the repository is the set of file names, read from the folders without parsing
a single file: this is what keeps validating one file fast in a repository of thousands.

Every command lists the files it reads with one walk, `list_files`, which lists regular
files only: links, FIFOs, sockets, devices and names that are not UTF-8 are refused (each
command reports them as diagnostics), never followed, never read. `scenarios/` or
`templates/` that is itself a link is refused the same way, and nothing below it is read.
"""

from __future__ import annotations

import array
import contextlib
import operator
import os
import stat
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import NamedTuple

from scenariokit.escape import visible
from scenariokit.files.loader import LoadError, not_regular, undecodable_name

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
    """What `validate` checks when given no paths: the scenarios and the templates.

    A link in their place is kept, so that the walk refuses it instead of following it.
    """
    return [p for p in (root / SCENARIOS_DIR, root / TEMPLATES_DIR) if p.is_symlink() or p.is_dir()]


def is_yaml_name(name: str) -> bool:
    """Whether a file is read as YAML, whatever the case of its suffix.

    `.YAML` and `.yml` too: `rules` then tells the author to rename the file, instead of
    it being silently left out.
    """
    return name.lower().endswith(YAML_SUFFIXES)


class Found(NamedTuple):
    """A regular file to read, with what tells a change (strings: thousands are listed)."""

    name: str
    mtime_ns: int
    size: int


class Refused(NamedTuple):
    """An entry that is never read nor followed: a link, a FIFO, a device, a name not UTF-8."""

    path: Path
    problem: LoadError


@dataclass(slots=True)
class Listing:
    """The files a command reads, and the entries it must report instead of reading."""

    files: list[Found] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)

    @property
    def paths(self) -> list[Path]:
        """The files' paths."""
        return [Path(f.name) for f in self.files]


def list_files(paths: list[Path], root: Path | None = None) -> Listing:
    """The YAML files named, or found below the folders named, each once, in a stable order.

    The one walk of the repository, for every command. Only regular files are listed;
    links (to files or folders, dangling or not), FIFOs, sockets, devices and names that
    are not UTF-8 are refused, each once, and a linked folder is not entered. Names
    starting with a dot are skipped unless they are regular files: editors' lock files
    are links (Emacs' `.#name.yaml`). A path named explicitly is refused the same way, and
    also when one of its folders below `root` is a link. Speed: `os.scandir` tells a
    link, a folder and a file apart without a system call; one `lstat` per file read
    gives the size and modification time the build compares (`_stat_found`).
    """
    listing = Listing()
    found: list[tuple[str, str, str]] = []  # each file's path, folder and name, in order
    for path in paths:
        linked = _linked_folder(path, root)
        if linked is not None:
            listing.refused.append(Refused(linked, not_regular(stat.S_IFLNK)))
            continue
        try:
            status = path.lstat()
        except OSError as exc:
            listing.refused.append(Refused(path, _unreadable(exc)))
            continue
        if stat.S_ISDIR(status.st_mode) and _decodable(path.name):
            _walk(str(path), listing, found)
        elif not _decodable(path.name):
            listing.refused.append(Refused(path, undecodable_name()))
        elif stat.S_ISREG(status.st_mode):
            found.append((str(path), str(path.parent), path.name))
        else:
            listing.refused.append(Refused(path, not_regular(status.st_mode)))
    if len(paths) > 1:  # a file named twice, or named and in a folder named: listed once
        first: dict[str, tuple[str, str, str]] = {}
        for entry in found:
            first.setdefault(entry[0], entry)
        found = list(first.values())
    _stat_found(found, listing)
    return listing


def _walk(folder: str, listing: Listing, found: list[tuple[str, str, str]]) -> None:
    """Find one folder's YAML files, then its folders' (the order of `os.walk`).

    A YAML file with an ASCII name, the case of nearly every entry, is taken without
    going through `_kind`: a rebuild walks every file, and at 100,000 files each step per
    entry counts.
    """
    try:
        with os.scandir(folder) as entries:
            listed = sorted(entries, key=_name)
    except FileNotFoundError:
        return  # removed while being walked: nothing to read there
    except OSError as exc:
        listing.refused.append(Refused(Path(folder), _unreadable(exc)))
        return
    folders = []
    for entry in listed:
        name = entry.name
        try:
            if (
                name.isascii()
                and name.endswith(YAML_SUFFIXES)
                and entry.is_file(follow_symlinks=False)
            ):
                kind: str | None = "file"
            else:
                kind = _kind(entry)
            if kind == "file":
                found.append((entry.path, folder, name))
            elif kind == "folder":
                folders.append(entry.path)
            elif kind == "bad-name":
                listing.refused.append(Refused(Path(entry.path), undecodable_name()))
            elif kind == "other":
                mode = entry.stat(follow_symlinks=False).st_mode
                listing.refused.append(Refused(Path(entry.path), not_regular(mode)))
        except FileNotFoundError:
            continue  # removed while being walked
        except OSError as exc:
            listing.refused.append(Refused(Path(entry.path), _unreadable(exc)))
    for path in folders:
        _walk(path, listing, found)


# From this many files on, the second half's `lstat`s run in a forked process beside the
# first's: at 100,000 files they are 0.35 s of one core here, and 0.2 s of two.
STAT_IN_TWO = 20_000


def _stat_found(found: list[tuple[str, str, str]], listing: Listing) -> None:
    """List each file found with its modification time and size, in order.

    A file removed since it was found is left out; one that cannot be read is refused.
    Forked only from a process running no other thread (`serve`'s polls run beside its
    server's): a fork copies no thread, and would hold any lock one held.
    """
    if len(found) < STAT_IN_TWO or threading.active_count() > 1:
        halves = [(0, _stat(found))]
    else:
        from scenariokit.parallel import Background  # 17 ms of imports a small walk skips

        half = len(found) // 2
        other = Background(partial(_stat, found[half:]))
        other.start()
        halves = [(0, _stat(found[:half])), (half, other.join())]
    files, make = listing.files, Found._make
    for offset, (times, failed) in halves:
        numbers = array.array("q")
        numbers.frombytes(times)
        paths = [path for path, _, _ in found[offset : offset + len(numbers) // 2]]
        if not failed:  # nearly always: made in C
            files.extend(map(make, zip(paths, numbers[::2], numbers[1::2], strict=True)))
            continue
        for n, (mtime, size) in enumerate(zip(numbers[::2], numbers[1::2], strict=True)):
            if n not in failed:
                files.append(make((paths[n], mtime, size)))
            elif not isinstance(failed[n], FileNotFoundError):  # else removed meanwhile
                listing.refused.append(Refused(Path(paths[n]), _unreadable(failed[n])))


# A folder opened only to look names up in it: no read permission needed, as for `lstat`.
_LOOKUP = getattr(os, "O_PATH", os.O_RDONLY) | os.O_DIRECTORY


def _stat(found: list[tuple[str, str, str]]) -> tuple[bytes, dict[int, OSError]]:
    """Each file's modification time and size (and what failed, by place, when `lstat` fails).

    As numbers in one buffer, which crosses from a forked process at once. Each name is
    looked up in its folder, opened once (`dir_fd`): a tenth faster than a whole path.
    A folder that cannot be opened (removed, say) has each of its files looked up by
    path instead, so each gets its own answer.
    """
    numbers = array.array("q", bytes(16 * len(found)))
    failed: dict[int, OSError] = {}
    descriptor: int | None = None
    opened = None
    try:
        for n, (path, folder, name) in enumerate(found):
            try:
                if folder != opened:
                    if descriptor is not None:
                        os.close(descriptor)
                    descriptor, opened = None, folder
                    with contextlib.suppress(OSError):
                        descriptor = os.open(folder, _LOOKUP)
                if descriptor is None:
                    result = os.lstat(path)
                else:
                    result = os.stat(name, dir_fd=descriptor, follow_symlinks=False)
                numbers[2 * n], numbers[2 * n + 1] = result.st_mtime_ns, result.st_size
            except OSError as exc:
                failed[n] = exc
    finally:
        if descriptor is not None:
            os.close(descriptor)
    return numbers.tobytes(), failed


_name = operator.attrgetter("name")


def _kind(entry: os.DirEntry[str]) -> str | None:
    """What the walk does with an entry: "folder", "file", "bad-name", "other" or None."""
    if entry.is_file(follow_symlinks=False):
        if not is_yaml_name(entry.name):
            return None
        return "file" if _decodable(entry.name) else "bad-name"
    if entry.name.startswith("."):
        return None  # hidden folders (.git) are not entered, editors' lock files not read
    if entry.is_symlink():
        return "other"
    if entry.is_dir(follow_symlinks=False):
        return "folder" if _decodable(entry.name) else "bad-name"
    return "other"  # a FIFO, a socket, a device


def _decodable(name: str) -> bool:
    """Whether a name was UTF-8 on disk (Python keeps other bytes as lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _linked_folder(path: Path, root: Path | None) -> Path | None:
    """The first folder between `root` and a path named explicitly that is a link, if any.

    The walk never enters a linked folder; a path named through one must not get in
    either. Outside the repository only the path itself is judged (by `list_files`).
    """
    if root is None:
        return None
    try:
        below = path.absolute().relative_to(root)
    except ValueError:
        return None
    folder = root
    for part in below.parts[:-1]:
        folder = folder / part
        if folder.is_symlink():
            return folder
    return None


def _unreadable(exc: OSError) -> LoadError:
    return LoadError("unreadable", f"cannot read it: {exc.strerror}")


@dataclass(frozen=True, slots=True)
class Catalog:
    """Which ids the repository holds, and in which files: scenario and template ids share it."""

    root: Path | None
    files_by_id: Mapping[str, list[Path]] = field(default_factory=dict)

    def others(self, scenario_id: str, path: Path) -> list[Path]:
        """Files other than `path` whose name claims `scenario_id`."""
        here = path.absolute()
        return [p for p in self.files_by_id.get(scenario_id, []) if p != here]

    def knows(self, scenario_id: str) -> bool:
        """Whether a scenario or template of that id exists."""
        return scenario_id in self.files_by_id

    def names(self) -> Iterator[str]:
        """Every file's absolute name, without making a path of each (10,000 of them)."""
        if isinstance(self.files_by_id, _PathsById):
            yield from self.files_by_id.names()
        else:
            yield from (str(p) for paths in self.files_by_id.values() for p in paths)


def read_catalog(
    root: Path | None, names: Iterable[str] | None = None, *, adding: Iterable[Path] = ()
) -> Catalog:
    """The catalog of every command: which ids `scenarios/` and `templates/` hold, by name.

    Empty without a root. `names`: the files' names as `list_files(default_paths(root))`
    listed them, when a command has already walked the folders (one walk, not two); else
    they are walked here. `adding`: files a command is about to write (an import checks
    its batch against the repository and itself), each counted once. Refused entries hold
    no id: each command reports them.
    """
    if root is None:
        return Catalog(None)
    root = root.absolute()
    if names is None:
        names = (f.name for f in list_files(default_paths(root), root).files)
    listed = [
        name if name.startswith(os.sep) else os.path.abspath(name)  # noqa: PTH100
        for name in names
    ]
    if adding:  # an import's batch: each file once, and once beside the repository's
        known = set(listed)
        listed += {
            str(path.absolute()): None for path in adding if str(path.absolute()) not in known
        }
    return Catalog(root, _PathsById(listed))


def _stem(name: str) -> str:
    """`os.path.splitext(os.path.basename(name))[0]` of an absolute name, by slicing.

    A catalog reads thousands of names: the two calls took a fifth of a one-file rebuild's
    own time at 10,000 files.
    """
    base = name[name.rfind(os.sep) + 1 :]
    dot = base.rfind(".")
    return base[:dot] if dot > 0 and base[:dot].strip(".") else base


class _PathsById(Mapping[str, list[Path]]):
    """The files of each id, as paths made when an id is looked up.

    Kept as names until then: a rebuild checks a few changed files against thousands, and
    needs the paths of only the ids those name. Its first lookups search the names for
    the id (`str.find` over them all, joined: in C); a command that looks up more, or
    every id, has the index of every id made once. Making it for a one-file rebuild was
    12 ms at 10,000 files and 0.13 to 0.27 s at 100,000; a search is about a millisecond.
    """

    _SEARCHED = 16  # lookups answered by a search before the index is made

    def __init__(self, names: list[str]) -> None:
        self._listed = names
        self._joined: str | None = None
        self._index: dict[str, list[str]] | None = None
        self._searches = 0

    def _names_of(self, scenario_id: str) -> list[str]:
        if self._index is None and self._searches < self._SEARCHED:
            self._searches += 1
            return self._search(scenario_id)
        return self._ids().get(scenario_id, [])

    def _search(self, scenario_id: str) -> list[str]:
        """The names whose stem is `scenario_id`, in the order listed, found in one string.

        Names are joined with NUL, the one character no file name holds; a name whose
        stem is the id holds the separator, the id and a dot, so each place that text is
        found is checked by its name's stem.
        """
        if self._joined is None:
            self._joined = "\0" + "\0".join(self._listed) + "\0"
        joined, needle = self._joined, f"{os.sep}{scenario_id}."
        found: list[str] = []
        at = joined.find(needle)
        while at != -1:
            name = joined[joined.rfind("\0", 0, at) + 1 : joined.find("\0", at)]
            if _stem(name) == scenario_id and name not in found:
                found.append(name)
            at = joined.find(needle, at + 1)
        return found

    def _ids(self) -> dict[str, list[str]]:
        if self._index is None:
            index: dict[str, list[str]] = defaultdict(list)
            for name in self._listed:
                index[_stem(name)].append(name)
            self._index = dict(index)  # a lookup of an unknown id adds nothing
        return self._index

    def __getitem__(self, scenario_id: str) -> list[Path]:
        found = self._names_of(scenario_id)
        if not found:
            raise KeyError(scenario_id)
        return [Path(name) for name in found]

    def names(self) -> Iterator[str]:
        """Every file's name, those of an id together."""
        for names in self._ids().values():
            yield from names

    def __contains__(self, scenario_id: object) -> bool:
        return isinstance(scenario_id, str) and bool(self._names_of(scenario_id))

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids())

    def __len__(self) -> int:
        return len(self._ids())


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
    large repository. Shown through `escape.visible`: a name can hold bytes that are not
    UTF-8 (which printing would fail on) or characters that disguise what is printed.
    """
    absolute = os.path.normpath(Path.cwd() / path)
    shown = os.path.relpath(absolute)
    return visible(str(path) if shown.startswith(os.pardir) else shown)
