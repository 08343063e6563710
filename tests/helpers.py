"""What the tests share: real repositories in tmp_path, the CLI in-process and as installed.

Imported explicitly (`from tests.helpers import ...`); `conftest.py` keeps the fixtures.
"""

from __future__ import annotations

import contextlib
import copy
import ctypes
import functools
import importlib
import json
import os
import pty
import select
import shutil
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

import pytest
import yaml
from click.testing import CliRunner, Result

from scenariokit.author.serve import QuietServer
from scenariokit.cli import cli

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from scenariokit.models import Scenario

REPO = Path(__file__).resolve().parents[1]
# A phone's screen, for `browser.new_context(**PHONE)`: the width of a common phone, its
# pixel density, touch.
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
# A speech engine with a voice for each language of the library, for a browser context's
# `add_init_script`: Debian's Chromium has the speech API but no voice, and the site offers
# listening only in a language the browser has a voice for (site/static/speech.js).
VOICES = """
(() => {
  const voices = ["ar-EG", "de-DE", "es-ES", "fr-FR", "it-IT", "ja-JP", "ko-KR", "pt-BR",
    "ru-RU", "zh-CN", "en-US"].map((lang) => ({
    lang, name: lang, voiceURI: lang, localService: true, default: false,
  }));
  window.speechSynthesis.getVoices = () => voices;
})();
"""
# The starter library's scenario files (all public): the tests count with it, as the
# library grows.
SHIPPED = sum(1 for _ in (REPO / "scenarios").rglob("*.yaml"))
DATA = Path(__file__).resolve().parent / "data"
VALID_TEXT = (DATA / "tapas-bar-madrid.yaml").read_text(encoding="utf-8")


_VALID_DOC: dict[str, Any] = yaml.load(VALID_TEXT, Loader=yaml.CSafeLoader)


def valid_doc() -> dict[str, Any]:
    """A fresh copy of the valid example scenario as data."""
    return copy.deepcopy(_VALID_DOC)


def as_scenario(doc: dict[str, Any]) -> Scenario:
    """`doc` typed as the validated view the index, site and API read.

    Not validated: some tests hand them what the rules refuse, to see it is still safe.
    """
    return cast("Scenario", doc)


def git(root: Path, *args: str) -> str:
    """Run git in `root` as a fixed author and committer; its output."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, env=env, capture_output=True, text=True
    ).stdout


def shipped_ids(wanted: Callable[[dict[str, Any]], bool]) -> set[str]:
    """The ids of the public shipped scenarios `wanted` takes."""
    docs = [yaml.safe_load(p.read_text("utf-8")) for p in (REPO / "scenarios").rglob("*.yaml")]
    return {d["scenario_id"] for d in docs if d.get("is_public", True) and wanted(d)}


def library_copy(root: Path) -> Path:
    """A copy of the shipped library at `root`: the schema, the scenarios, the templates."""
    for folder in ("schemas", "scenarios", "templates"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def make_repo(root: Path, files: Mapping[str, str | bytes]) -> Path:
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


def bench_module(name: str) -> ModuleType:
    """A module of `bench/` (the corpus generators), imported without leaving it on the path."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(REPO / "bench"))


# --- the browser tests: Debian's Chromium, driven by Playwright --------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    """Skip without Debian's chromium; fail instead when SCENARIOKIT_REQUIRE_BROWSER is set
    (as .ci/run does), so that a missing browser never passes for a green run.

    Called at the top of a browser test module, or by the `browser` fixture.
    """
    if CHROMIUM.exists():
        return
    if os.environ.get("SCENARIOKIT_REQUIRE_BROWSER"):
        pytest.fail(
            "SCENARIOKIT_REQUIRE_BROWSER is set but /usr/bin/chromium is missing "
            "(apt-get install -y chromium)",
            pytrace=False,
        )
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


class _Quiet(SimpleHTTPRequestHandler):
    """Serves files without logging each request to the test's output."""

    def log_message(self, format: str, *args: object) -> None:
        return


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 (a free port) until the block ends; yield its address."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# --- waiting for another process without sleeping --------------------------------------

_IN_OPEN = 0x20  # inotify(7): the file was opened
_EVENT = struct.Struct("iIII")  # struct inotify_event, without its name


@contextlib.contextmanager
def watch_opens(path: Path) -> Iterator[Callable[[int], None]]:
    """Count how often any thread or process opens `path` (Linux's inotify) from now on.

    Yields `opened(n)`, which returns as soon as `path` was opened `n` times, so a test
    can wait for a retry loop to go round without guessing at a time (failing after 30 s).
    """
    libc = ctypes.CDLL(None, use_errno=True)
    watch = libc.inotify_init1(os.O_CLOEXEC)
    if watch < 0 or libc.inotify_add_watch(watch, os.fsencode(path), _IN_OPEN) < 0:
        raise OSError(ctypes.get_errno(), f"inotify cannot watch {path}")
    seen = 0

    def opened(count: int) -> None:
        nonlocal seen
        while seen < count:
            if not select.select([watch], [], [], 30)[0]:
                pytest.fail(f"{path} was opened {seen} times in 30 s, not {count}")
            data = os.read(watch, 4096)
            offset = 0
            while offset < len(data):
                _, mask, _, length = _EVENT.unpack_from(data, offset)
                seen += bool(mask & _IN_OPEN)
                offset += _EVENT.size + length

    try:
        yield opened
    finally:
        os.close(watch)


def axe_violations(page: Page) -> list[tuple[str, list[Any]]]:
    """axe-core's violations on the page as it is now: each rule's id and its first places."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]


def package_contents(content: bytes) -> tuple[object, ...]:
    """What an Anki package holds: its zip's names and the collection's rows.

    Not how SQLite laid the rows out in pages: a rebuild patches a language's package in
    place, and keeps the rows, not the pages, of a full build.
    """
    import io
    import sqlite3
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        collection = archive.read("collection.anki2")
        media = archive.read("media")
    db = sqlite3.connect(":memory:")
    db.deserialize(collection)
    try:
        tables = ("col", "notes", "cards", "revlog", "graves")
        rows = tuple(tuple(db.execute(f"SELECT * FROM {t} ORDER BY 1, 2")) for t in tables)
    finally:
        db.close()
    return names, media, rows


def output_contents(folder: Path) -> dict[str, object]:
    """Every file under `folder`: its bytes, or an Anki package's `package_contents`.

    For comparing a rebuilt output with a full build's; two full builds are compared
    byte for byte.
    """
    return {
        p.relative_to(folder).as_posix(): package_contents(p.read_bytes())
        if p.suffix == ".apkg"
        else p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
