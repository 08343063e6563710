"""Asking git about the repository, where git, a checkout or a commit may all be missing.

What git prints can hold file names from a pull request, which need not be UTF-8: text is
decoded with `surrogateescape`, so an odd byte becomes a lone surrogate (shown as `\\xNN`
by `escape.visible`) instead of an exception, and the same name read from the disk by
Python (`os.fsdecode`) compares equal to it.

Also the repository's web address from its remote (`web_address`), for "edit" links.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from scenariokit.errors import UserError
from scenariokit.escape import visible


def run_git(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`git -C root ARGS`, with its output as text; raises `OSError` when git is missing."""
    return subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="surrogateescape",
        check=False,
        timeout=timeout,
    )


def run_git_bytes(
    root: Path, *args: str, input: bytes | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[bytes]:
    """`git -C root ARGS` with bytes in and out: file contents and names as committed."""
    return subprocess.run(
        ["git", "-C", str(root), *args],
        input=input,
        capture_output=True,
        check=False,
        timeout=timeout,
    )


def git_output(root: Path, *args: str, timeout: float = 30) -> str | None:
    """What `git -C root ARGS` prints, or None where git is missing, fails or hangs.

    Every caller has an answer without git (a build outside a checkout has no dates and no
    edit links; `new` leaves `created_by` for the author to fill), so this is not an error.
    """
    try:
        result = run_git(root, *args, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


def repository_url(root: Path) -> tuple[str | None, str]:
    """The repository's web address and branch for "edit" links.

    From `SCENARIOKIT_REPOSITORY` (`https://github.com/OWNER/REPO`, as CI sets from
    `GITHUB_REPOSITORY`) and `SCENARIOKIT_BRANCH`, else from the `origin` remote; none
    outside git. Either way only what `web_address` keeps: a remote's address may carry a
    token, and this one is printed on every page.
    """
    branch = os.environ.get("SCENARIOKIT_BRANCH", "main")
    configured = os.environ.get("SCENARIOKIT_REPOSITORY")
    if configured:
        address = web_address(configured)
        if address is None:
            # The value is not repeated: it may hold a token.
            raise UserError(
                "SCENARIOKIT_REPOSITORY must be the https address of a repository on a host "
                "name, such as https://github.com/OWNER/REPO"
            )
        return address, branch
    remote = git_output(root, "remote", "get-url", "origin", timeout=10) or ""
    return web_address(remote), branch


# A dotted host name (github.com, git.example.org): not an address, not a bare word.
_HOST_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+")
_REPOSITORY_PATH = re.compile(r"(?:/[A-Za-z0-9._~-]+)+")
# scp-like git addresses: `[user@]host:owner/repo.git`
_SCP_ADDRESS = re.compile(r"(?:[^@/:]+@)?([^@/:]+):(?!//)([^?#]+)")


def web_address(remote: str) -> str | None:
    """A repository's public web address from a git remote, or None when it has none.

    Keeps the host, for https its port, and the path without `.git`: never the user name,
    password or token of `https://user:token@host/…`, nor a query or a fragment. An ssh
    remote (`ssh://git@host/o/r`, `git@host:o/r.git`) gives the https address on the same
    host (an ssh port says nothing of the web's). Anything else (http, a local path, an IP
    address, a path with characters a repository's name does not have) gives None.
    """
    remote = remote.strip()
    port = None
    if "://" not in remote:
        scp = _SCP_ADDRESS.fullmatch(remote)
        if scp is None:
            return None
        host, path = scp[1].lower(), "/" + scp[2]
    else:
        parts = urlsplit(remote)
        scheme = parts.scheme.lower()
        if scheme not in ("https", "ssh"):
            return None
        try:
            host, port = parts.hostname or "", parts.port if scheme == "https" else None
        except ValueError:  # a port that is not a number
            return None
        path = parts.path
    path = path.rstrip("/").removesuffix(".git")
    if not _HOST_NAME.fullmatch(host) or host.replace(".", "").isdigit():
        return None
    if not _REPOSITORY_PATH.fullmatch(path):
        return None
    return f"https://{host}{f':{port}' if port else ''}{path}"


# Each changed file's name once, as a path in the folder asked about; a renamed file as the
# name it has now; a removed one left out.
_NAMES_CHANGED = ("--name-only", "--relative", "--no-renames", "--diff-filter=d", "-z")


def changed_since(root: Path, since: str) -> set[str]:
    """The files below `root` changed since `since`'s merge base with HEAD, as paths in `root`.

    What a branch changes, committed or not: `git diff --merge-base` compares the working
    tree with the merge base (a pull request's base in CI, where the tree is the pull
    request), and files git does not track yet are changed too. Removed files are left
    out: there is nothing to check. A revision git cannot compare is a usage error.
    """
    try:
        diff = run_git(root, "diff", "--merge-base", *_NAMES_CHANGED, since, "--")
        untracked = run_git(root, "ls-files", "--others", "--exclude-standard", "-z", "--")
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UserError(f"comparing with {visible(since)} needs git: {exc}", exit_code=2) from None
    for result in (diff, untracked):
        if result.returncode != 0:
            said = result.stderr.strip().splitlines() or ["no repository"]
            raise UserError(
                f"git cannot compare {visible(since)} with HEAD ({visible(said[-1])})",
                exit_code=2,
            )
    return {name for name in (diff.stdout + untracked.stdout).split("\0") if name}
