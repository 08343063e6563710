"""The repository's scenario and template files as a build reads them.

Found on disk with what tells a change (`scan`, the walk every command uses: links, FIFOs
and devices are refused, not read), then each checked exactly as `validate` checks it
(`validate.check`, against the catalog of every file's id) and indexed (`derive`, over the
machine's cores when there are many). Diagnostics are kept as plain data, so the build
state can remember them and a rebuild can report them without reading the file.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from scenariokit.build.sqlite_index import search_columns
from scenariokit.check.diagnostics import Diagnostic, Report
from scenariokit.check.validate import check, refusals
from scenariokit.files.repository import (
    TEMPLATES_DIR,
    Catalog,
    Refused,
    default_paths,
    display_path,
    list_files,
)
from scenariokit.parallel import map_chunks
from scenariokit.website.search_files import scenario_weights

if TYPE_CHECKING:
    from scenariokit.models import Scenario


class SourceFile(NamedTuple):
    """A scenario or template file as found on disk (strings: thousands are listed)."""

    name: str  # absolute
    key: str  # relative to the repository, posix
    mtime_ns: int
    size: int

    @property
    def path(self) -> Path:
        """The file's path."""
        return Path(self.name)

    @property
    def stem(self) -> str:
        """The file's name without its extension: the id it claims."""
        return os.path.splitext(os.path.basename(self.name))[0]  # noqa: PTH119, PTH122

    @property
    def is_template(self) -> bool:
        """Whether the file is a template (else a scenario)."""
        return self.key.startswith(TEMPLATES_DIR + "/")


class Scan(NamedTuple):
    """The files a build reads, and what it must refuse (see `repository.list_files`)."""

    files: list[SourceFile]
    refused: list[Refused]


def scan(root: Path) -> Scan:
    """Every scenario and template file, in walk order, with what tells a change.

    The walk every command makes (`list_files`), with each file's path in the repository;
    the build judges them by the catalog every command uses (`read_catalog`).
    """
    listing = list_files(default_paths(root), root)
    prefix = len(str(root)) + 1
    make = SourceFile._make  # in C: a rebuild makes one for each of thousands of files
    if os.sep == "/":
        files = [make((name, name[prefix:], mtime, size)) for name, mtime, size in listing.files]
    else:
        files = [
            make((name, name[prefix:].replace(os.sep, "/"), mtime, size))
            for name, mtime, size in listing.files
        ]
    return Scan(files, listing.refused)


def refused_report(scanned: Scan) -> Report:
    """What the walk refused, as the report that stops a build."""
    return Report(len(scanned.files) + len(scanned.refused), refusals(scanned.refused))


@dataclass(slots=True)
class Derived:
    """Everything the build computes from one file (and the catalog of ids).

    `data` is None when the file has errors. `diagnostics` are `check`'s, as plain data
    without their path (filled in when reported), so the build state can keep them.
    """

    sha: str
    data: Scenario | None
    diagnostics: list[dict[str, Any]]
    search_text: tuple[str, ...] = ()
    weights: dict[str, int] = field(default_factory=dict)


def derive(
    files: list[SourceFile], ids: Catalog, done: Callable[[int], object] | None = None
) -> list[Derived]:
    """Check and index `files`, over the machine's cores when there are many."""
    paths = [f.path for f in files]
    return map_chunks(partial(derive_paths, ids), paths, per_process=200, done=done)


def derive_paths(ids: Catalog, paths: Sequence[Path]) -> list[Derived]:
    """Check files as `validate` does (`check`), and index the valid ones.

    The rules that read the catalog (duplicate ids, unknown sources) are judged with the
    others, so a file reports what `validate` reports whatever else is wrong with it. A
    file's diagnostics depend on the catalog only through the names of the files, so a
    rebuild may reuse those of an unchanged file as long as no file was added, removed or
    renamed.
    """
    results = []
    for path in paths:
        checked = check(path, ids)
        results.append(
            Derived(
                hashlib.sha256(checked.raw).hexdigest() if checked.raw is not None else "",
                # Valid: the one place a checked document becomes the typed view.
                cast("Scenario", checked.source.data) if checked.valid and checked.source else None,
                [plain(d) for d in checked.diagnostics],
            )
        )
    for result in results:
        if result.data is not None:
            result.search_text = search_columns(result.data)
            result.weights = scenario_weights(result.data)
    return results


def plain(diagnostic: Diagnostic) -> dict[str, Any]:
    """A diagnostic as data to remember; its path is filled in when reported.

    Not kept: it is shown relative to the current folder, which the next build may not
    share.
    """
    return diagnostic.as_dict() | {"path": "", "excerpt": diagnostic.excerpt}


def report(files: list[SourceFile], diagnostics: list[list[dict[str, Any]]]) -> Report:
    """Every file's diagnostics, in file order, under the path the user would type."""
    found = Report(files_checked=len(files))
    for file, of_file in zip(files, diagnostics, strict=True):
        if of_file:
            shown = display_path(file.path)
            found.diagnostics += [Diagnostic(**(d | {"path": shown})) for d in of_file]
    return found
