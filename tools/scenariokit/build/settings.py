"""The site's settings: its base address and the repository's, drafts, a preview's changes."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import orjson

from scenariokit import __version__
from scenariokit.errors import UserError
from scenariokit.escape import visible
from scenariokit.files.git import repository_url, run_git
from scenariokit.website.pages import (
    SiteContext,
)
from scenariokit.website.theme import fingerprint


def site_context(
    root: Path,
    base_url: str,
    *,
    drafts: bool = False,
    relative: bool = False,
    changes_since: str | None = None,
) -> SiteContext:
    """What every page is rendered with: where the site lives, and its repository's address.

    With `relative`, `base_url` is not used: every link is relative to its page, and there
    is no sitemap (it needs the site's full address). With `changes_since` (a revision), the
    site is a preview whose home page lists the scenarios changed since then.
    """
    parts = urlsplit(base_url)
    base = "" if relative else parts.path.rstrip("/")
    site_url = (
        f"{parts.scheme}://{parts.netloc}{base}"
        if parts.scheme and parts.netloc and not relative
        else ""
    )
    repository, branch = repository_url(root)
    return SiteContext(
        base=base,
        site_url=site_url,
        repository_url=repository,
        branch=branch,
        drafts=drafts,
        relative=relative,
        changes=None if changes_since is None else changed_scenarios(root, changes_since),
    )


STATUSES = {"A": "added", "D": "removed"}  # any other change (M, T) is an edit


def changed_scenarios(root: Path, since: str) -> tuple[tuple[str, str, str], ...]:
    """The scenario files changed from `since`'s merge base with HEAD to HEAD, as committed.

    What a pull request changes (`since` is its base): (status, scenario id, path) in order
    of path, a renamed file as one removed and one added (its address changes).
    """
    try:
        found = run_git(
            root,
            "diff",
            "--name-status",
            "--no-renames",
            "-z",
            f"{since}...HEAD",
            "--",
            "scenarios/",
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UserError(f"--changes-since needs git: {exc}") from None
    if found.returncode != 0:
        said = found.stderr.strip().splitlines() or ["no repository"]
        raise UserError(
            f"--changes-since {visible(since)}: git cannot compare it with HEAD "
            f"({visible(said[-1])})"
        )
    fields = found.stdout.split("\0")
    changes = []
    for status, path in zip(fields[0::2], fields[1::2], strict=False):
        name = PurePosixPath(path)
        if name.suffix == ".yaml" and len(name.parts) == 3:  # scenarios/<category>/<id>.yaml
            changes.append((STATUSES.get(status[:1], "edited"), name.stem, path))
    return tuple(sorted(changes, key=lambda c: c[2]))


def context_fingerprint(context: SiteContext) -> str:
    """Everything every page depends on: a change rebuilds every page."""
    inputs = orjson.dumps([context, fingerprint(), __version__])
    return hashlib.sha256(inputs).hexdigest()
