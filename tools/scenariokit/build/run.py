"""`scenarios build`: the SQLite index and the static site, compiled from the repository.

- **Validated first**: any error stops the build with the diagnostics `validate` gives.
- **Deterministic**: the same files and git history give byte-identical output.
- **Atomic**: a build into an empty folder writes everything into a sibling folder, then
  swaps it in with two renames. A rebuild writes its few changed files beside the output,
  moves them in under a journal and commits with one SQLite transaction over the index
  and the build state (`journal`, `state`). Either way a failed or interrupted build
  leaves the previous output, once the next build has rolled back what it left.
- **Incremental**: the output keeps `.scenariokit-build.sqlite`, what the last build saw of
  each file. A rebuild reads only the files whose modification time or size changed (and
  whose content did), re-renders their pages, the listing pages whose cards changed and the
  search files of their words, and replaces their rows in the index. The rows then equal a
  full build's; the index file's bytes may not (SQLite puts rows where there is room).
  Anything that changes the site's shape — a file added, removed or renamed, a scenario
  published or unpublished or moved to another language, a template, the theme, the tool,
  `--base-url` or the repository's address — rebuilds everything instead.

The output folder holds `scenarios.sqlite`, `site/` and the state, and nothing else. A
folder that is not exactly that, the repository itself and its own folders are refused
(`folder`), so a mistyped or hostile `--out` never deletes anyone's files. The state
records every file and folder the builds wrote: a full build replaces only a folder holding
nothing else, and a rebuild overwrites or removes only files it records, never through a
symlink (`journal`).

A rebuild trusts nothing of the output it does not check: an index that is missing, cut
short or not an index (`_index_intact`), or that SQLite finds damaged as the rebuild
updates it, and search files that do not parse, make it build everything anew instead —
never a traceback, never "Built" over a broken index.

Nothing secret reaches the output: the repository's address for "edit" links keeps only
`https://host/path` (`web_address`: no user, token, query or fragment), and the index meant
for publishing holds public scenarios only (`--public-index`, `sqlite_index.write_public`).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from scenariokit.build import state as build_state
from scenariokit.build.folder import (
    INDEX_FILE,
    SITE_DIR,
    exclusive,
    recover,
    refuse_foreign_folder,
    refuse_repository,
)
from scenariokit.build.full import full_build
from scenariokit.build.outputs import BuildFailed, BuildResult, Progress, tool_fingerprint
from scenariokit.build.rebuild import rebuild
from scenariokit.build.settings import site_context
from scenariokit.build.sources import (
    refused_report,
    scan,
)
from scenariokit.build.sqlite_index import (
    is_index,
    write_public,
)
from scenariokit.build.state import STATE_FILE
from scenariokit.errors import UserError
from scenariokit.memory import collector_paused
from scenariokit.parallel import StepFailed
from scenariokit.website.pages import SiteContext


def build(
    root: Path,
    out: Path,
    *,
    base_url: str = "/",
    progress: Progress | None = None,
    waiting: Callable[[], object] | None = None,
    public_index: Path | None = None,
    drafts: bool = False,
    relative_links: bool = False,
    changes_since: str | None = None,
) -> BuildResult:
    """Build `out/scenarios.sqlite` and `out/site/` from the repository at `root`.

    Waits while another build writes `out`, calling `waiting()` once if it has to. With
    `public_index`, also writes there an index of the public scenarios alone, to publish.
    A preview (a pull request's) puts the drafts on the site, marked (`drafts`), links
    every page relative to itself so that it opens from a folder (`relative_links`), and
    lists on its home page the scenarios changed since a revision (`changes_since`).

    `out` is taken by its real path, once: through a symlink, the lock, the swap and the
    checks apply to the folder itself, and the symlink is left pointing at the new output.

    A file that cannot be read or written stops the build with a `UserError` naming it; the
    previous output stays as it was.
    """
    target = Path(os.path.realpath(out))
    published = Path(os.path.realpath(public_index)) if public_index else None
    try:
        refuse_repository(root, target)
        inside = None
        if published is not None:
            inside = _refuse_public_index(published, target)
        context = site_context(
            root.absolute(),
            base_url,
            drafts=drafts,
            relative=relative_links,
            changes_since=changes_since,
        )
        with exclusive(target, waiting):
            result = _build(root.absolute(), target, context, progress, inside)
            if published is not None and inside is None:
                write_public(target / INDEX_FILE, published, result.templates)
            return result
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise UserError(
            f"the build stopped: {exc.strerror or exc}{where}; the previous output in "
            f"{out} is unchanged"
        ) from None
    except sqlite3.Error as exc:  # a full build's own files: the disk, say
        raise UserError(
            f"the build stopped: {exc}; the previous output in {out} is unchanged"
        ) from None
    except StepFailed as exc:  # one of its processes killed (out of memory, say)
        raise UserError(
            f"the build stopped: {exc}; the previous output in {out} is unchanged"
        ) from None


def _refuse_public_index(path: Path, out: Path) -> str | None:
    """Refuse a public index that would land on the build's own files or someone's file.

    Returns its path inside the output folder, if it goes there. It may go into the site,
    at its top (that is what publishing it means: pages.yml puts it at
    `site/scenarios.sqlite`), where it is part of the output: written into the new folder
    before a full build swaps it in, and recorded in the state like the site's files (else
    the next full build would refuse a folder holding it). Anywhere else in the output,
    beside it where a build keeps its own files, or on the output itself, it is refused:
    written there it was left behind, half written, and bricked the output. Outside, its
    folder must exist, and it may replace an index, never a file that is no index.
    Checked before anything is written.
    """
    problem = None
    if out == path or out.is_relative_to(path):
        problem = "is, or holds, the output folder"
    elif path.is_relative_to(out) and path.parent != out / SITE_DIR:
        problem = (
            f"is inside the output folder, which holds the build's own files: put it at "
            f"the top of {out / SITE_DIR} to publish it, or outside {out}"
        )
    elif path.parent == out.parent and path.name.startswith(f".{out.name}."):
        problem = f"is where the build keeps its own files beside {out}"
    elif not path.parent.is_dir() and not path.is_relative_to(out):
        problem = "is in a folder that does not exist"
    elif os.path.lexists(path) and not is_index(path):
        problem = "exists and is not a scenarios index: it would be replaced; choose another file"
    if problem:
        raise UserError(f"--public-index {path} {problem}; nothing was written")
    return path.relative_to(out).as_posix() if path.is_relative_to(out) else None


def _build(
    root: Path, out: Path, context: SiteContext, progress: Progress | None, public: str | None
) -> BuildResult:
    """Rebuild in place when the output allows it, else build everything anew.

    `public` is where the public index goes inside the output, if it does.
    """
    recover(out)
    refuse_foreign_folder(out)
    with collector_paused():  # a full build, long and large, runs with it
        scanned = scan(root)
        if scanned.refused:  # links, FIFOs, devices: refused as `validate` refuses them
            raise BuildFailed(refused_report(scanned))
        files = scanned.files
        previous = build_state.read(out / STATE_FILE)
        if previous is not None and previous.info.get("tool") == tool_fingerprint():
            rebuilt = rebuild(root, out, context, files, previous, progress, public)
            if rebuilt is not None:
                return rebuilt
    return full_build(root, out, context, files, progress, public)
