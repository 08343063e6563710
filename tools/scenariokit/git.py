"""Asking git about the repository, where git, a checkout or a commit may all be missing.

What git prints can hold file names from a pull request, which need not be UTF-8: text is
decoded with `surrogateescape`, so an odd byte becomes a lone surrogate (shown as `\\xNN`
by `escape.visible`) instead of an exception, and the same name read from the disk by
Python (`os.fsdecode`) compares equal to it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


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
