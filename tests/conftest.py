"""Shared helpers: real repositories in tmp_path, the CLI in-process and as installed."""

from __future__ import annotations

import copy
import json
import os
import pty
import select
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from scenariokit.cli import cli

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
VALID_TEXT = (DATA / "tapas-bar-madrid.yaml").read_text(encoding="utf-8")


_VALID_DOC: dict[str, Any] = yaml.load(VALID_TEXT, Loader=yaml.CSafeLoader)


def valid_doc() -> dict[str, Any]:
    """A fresh copy of the valid example scenario as data."""
    return copy.deepcopy(_VALID_DOC)


def make_repo(root: Path, files: dict[str, str | bytes]) -> Path:
    """A repository at `root`: the real schema, plus `files` (relative path → content)."""
    (root / "schemas").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "schemas" / "scenario.schema.json", root / "schemas")
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
    return root


def invoke(*args: str | Path, input: str | None = None) -> Result:
    """Run `scenarios ARGS` in-process; exceptions propagate (no traceback is an output)."""
    runner = CliRunner()
    return runner.invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)


def diagnostics(*args: str | Path) -> tuple[int, list[dict[str, Any]]]:
    """Exit code and JSON diagnostics of `scenarios ARGS --format json`.

    Run twice, in-process through Click and as the installed script in a subprocess, and
    both must agree: what the tests assert is what a user's shell gets.
    """
    result = invoke(*args, "--format", "json")
    assert result.stderr == ""
    found = json.loads(result.stdout)
    script = run_installed(*args, "--format", "json", cwd=Path.cwd())
    assert (script.returncode, json.loads(script.stdout)) == (result.exit_code, found)
    assert "Traceback" not in script.stderr
    return result.exit_code, found


def installed_command() -> list[str]:
    """The `scenarios` script installed beside this Python."""
    script = Path(sys.executable).parent / "scenarios"
    assert script.exists(), "install the package first: pip install -e '.[test]'"
    return [str(script)]


def run_installed(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed `scenarios` command in a subprocess, as a user would."""
    return subprocess.run(
        [*installed_command(), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
    )


class _PlainDumper(yaml.SafeDumper):
    """Writes shared objects out in full: scenario files may not hold anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def run_in_terminal(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, answers: str = ""
) -> str:
    """Run the installed script on a pseudo-terminal, as in a contributor's shell.

    Standard input, output and error are the terminal; `answers` are typed into it.
    Returns everything the terminal showed.
    """
    main, secondary = pty.openpty()
    process = subprocess.Popen(
        [*installed_command(), *args],
        cwd=cwd,
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env={**os.environ, **(env or {})},
        close_fds=True,
    )
    os.close(secondary)
    if answers:
        os.write(main, answers.encode())
    chunks = []
    while select.select([main], [], [], 30)[0]:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal closed when the process ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=30)
    os.close(main)
    return b"".join(chunks).decode().replace("\r\n", "\n")


def dump(doc: Any) -> str:
    """A document as YAML text, the way a person would write it."""
    return yaml.dump(doc, Dumper=_PlainDumper, allow_unicode=True, sort_keys=False, width=100)


@pytest.fixture
def repo(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """Build a repository in tmp_path from a dict of path → content."""

    def build(files: dict[str, str | bytes]) -> Path:
        return make_repo(tmp_path / "repo", files)

    return build
