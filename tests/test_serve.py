"""`scenarios serve` as a user runs it: build, serve on 127.0.0.1, rebuild on a change."""

from __future__ import annotations

import contextlib
import html
import os
import queue
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pytest

from scenariokit.author.serve import rebuild
from tests.helpers import REPO, SHIPPED, installed_command, make_repo, run_installed

if TYPE_CHECKING:
    from playwright.sync_api import Page


def line_reader(stream: IO[str]) -> Callable[[], str]:
    """Read lines of a process's output, failing after 30 s instead of hanging the suite."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in stream:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()

    def next_line() -> str:
        try:
            return lines.get(timeout=30)
        except queue.Empty:
            pytest.fail("no output from `scenarios serve` within 30 s")

    return next_line


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        body: bytes = response.read()
    return body.decode("utf-8")


@contextlib.contextmanager
def serving(
    root: Path,
    out: Path,
    command: list[str],
    env: dict[str, str] | None = None,
    options: tuple[str, ...] = (),
    built: str = f"Built {SHIPPED} public scenarios in ",
) -> Iterator[tuple[str, Callable[[], str]]]:
    """Run `scenarios serve` in `root` until the block ends; yield its URL and a line reader.

    Checks the first build's line and the address line, and that Ctrl+C ends it cleanly.
    """
    if env is None:  # polled five times a second: each change is one rename (`replace`)
        env = os.environ | {"SCENARIOKIT_POLL_SECONDS": "0.2"}
    process = subprocess.Popen(
        [*command, "serve", "--port", "0", "--out", str(out), *options],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # Ctrl+C as on a terminal: a test run started in the background (`cmd &` in a
        # script) passes SIGINT on as ignored, and Python would then never see it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert process.stdout is not None
        next_line = line_reader(process.stdout)
        lines = [next_line(), next_line()]
        assert lines[0].startswith(built), lines
        url = re.fullmatch(r"Serving (http://127\.0\.0\.1:\d+/) \(Ctrl\+C to stop\)\n", lines[1])
        assert url is not None, lines
        yield url.group(1), next_line
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()
    assert process.returncode == 0


def replace(path: Path, make: Callable[[Path], object]) -> None:
    """Put what `make` writes at `path` in one rename: a poll never sees half a change."""
    new = path.with_name(f".{path.name}.new")
    make(new)
    new.replace(path)


def test_serve_builds_serves_and_rebuilds(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {})
    shutil.copytree(REPO / "scenarios", root / "scenarios")
    with serving(root, tmp_path / "out", installed_command()) as (base, next_line):
        assert "<h1>Ordering Tapas in Madrid</h1>" in fetch(base + "scenarios/tapas-bar-madrid/")
        path = root / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml"
        text = path.read_text("utf-8")
        retitled = text.replace("title: Ordering Tapas in Madrid", "title: Tapas at the Bar")
        replace(path, lambda new: new.write_text(retitled, "utf-8"))
        assert next_line().startswith(f"Built {SHIPPED} public scenarios")
        assert "<h1>Tapas at the Bar</h1>" in fetch(base + "scenarios/tapas-bar-madrid/")
        replace(path, lambda new: new.write_text("title: [broken\n", "utf-8"))
        told = failure(next_line)  # in the terminal, as `validate` prints it
        assert told[1].startswith("scenarios/restaurant/tapas-bar-madrid.yaml:2:1: error: ")
        # Not the old page, silently: the error page, in place of every page.
        for page in ("scenarios/tapas-bar-madrid/", "", "scenarios/izakaya-evening-tokyo/"):
            status, body = fetch_status(base + page)
            assert status == 500
            assert "<h1>The build failed</h1>" in body
            assert "tapas-bar-madrid.yaml:2:1: error: " in body
            assert "Tapas at the Bar" not in body
        assert fetch_status(base + "assets/style.css")[0] == 200  # files other than pages
        replace(path, lambda new: new.write_text(retitled, "utf-8"))
        assert next_line().startswith(f"Built {SHIPPED} public scenarios")
        assert "<h1>Tapas at the Bar</h1>" in fetch(base + "scenarios/tapas-bar-madrid/")


def fetch_status(url: str) -> tuple[int, str]:
    """The status and body of a GET, an error's too."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode("utf-8")


def test_a_theme_changed_while_serving_reaches_every_page(tmp_path: Path) -> None:
    # A copy of the tool, run from source, so that its theme can be changed: serve
    # rebuilds in one process, which must not keep what it knew of the old theme.
    source = tmp_path / "source"
    for folder in ("tools", "site", "schemas"):
        shutil.copytree(REPO / folder, source / folder)
    root = make_repo(tmp_path / "repo", {})
    shutil.copytree(REPO / "scenarios", root / "scenarios")
    env = os.environ | {"PYTHONPATH": str(source / "tools")}
    command = [sys.executable, "-m", "scenariokit"]
    with serving(root, tmp_path / "out", command, env) as (base, next_line):
        assert "<h2>Practise</h2>" in fetch(base + "scenarios/tapas-bar-madrid/")
        stylesheet = source / "site" / "static" / "style.css"
        stylesheet.write_text(stylesheet.read_text("utf-8") + "/* changed */\n", "utf-8")
        template = source / "site" / "templates" / "scenario.html"
        text = template.read_text("utf-8").replace("<h2>Practise</h2>", "<h2>Practise it</h2>")
        template.write_text(text, "utf-8")
        assert next_line().endswith(f"({SHIPPED} pages rendered)\n")
        assert fetch(base + "assets/style.css").endswith("/* changed */\n")
        for page in ("tapas-bar-madrid", "izakaya-evening-tokyo"):
            assert "<h2>Practise it</h2>" in fetch(base + f"scenarios/{page}/")


SUMMARY = re.compile(r"\d+ errors?, \d+ warnings? in \d+ files?\n")


def failure(next_line: Callable[[], str]) -> list[str]:
    """The lines of one failed rebuild: its first line, its diagnostics, its summary."""
    lines = [next_line()]
    assert lines[0].startswith("Build failed: the build stopped"), lines
    while not SUMMARY.fullmatch(lines[-1]):
        lines.append(next_line())
    return lines


def test_serve_reports_what_it_cannot_build_and_keeps_serving(tmp_path: Path) -> None:
    # Each of these made the server exit or follow a link; now each is a reported failure,
    # the last good site stays served, and putting things right builds again.
    secret = tmp_path / "elsewhere" / "secret.yaml"
    secret.parent.mkdir()
    secret.write_text("token: ghp_SECRETsecret0123\n", encoding="utf-8")
    root = make_repo(tmp_path / "repo", {})
    shutil.copytree(REPO / "scenarios", root / "scenarios")
    home = root / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml"
    text = home.read_text("utf-8")
    out = tmp_path / "out"
    with serving(root, out, installed_command()) as (base, next_line):
        page = base + "scenarios/tapas-bar-madrid/"
        replace(home, lambda new: new.symlink_to(secret))
        told = "".join(failure(next_line))
        assert (
            "scenarios/restaurant/tapas-bar-madrid.yaml:1:1: error: this is a symbolic link" in told
        )
        assert "ghp_SECRET" not in told
        assert "elsewhere" not in told
        status, shown = fetch_status(page)  # the error page, saying what the terminal said
        assert status == 500
        assert "tapas-bar-madrid.yaml:1:1: error: this is a symbolic link" in shown
        assert "ghp_SECRET" not in shown
        replace(home, lambda new: new.write_text(text, "utf-8"))
        assert next_line().startswith(f"Built {SHIPPED} public scenarios")

        pipe = root / "scenarios" / "restaurant" / "pipe.yaml"
        os.mkfifo(pipe)
        assert "pipe.yaml:1:1: error: this is a named pipe" in "".join(failure(next_line))
        pipe.unlink()
        assert next_line().startswith(f"Built {SHIPPED} public scenarios")

        strange = os.fsencode(root / "scenarios" / "restaurant") + b"/caf\xe9.yaml"
        with open(strange, "wb") as stream:  # noqa: PTH123 - a bytes path
            stream.write(text.encode())  # refused by its name, empty or not
        assert "caf\\xe9.yaml:1:1: error: this name is not UTF-8" in "".join(failure(next_line))
        os.unlink(strange)  # noqa: PTH108
        assert next_line().startswith(f"Built {SHIPPED} public scenarios")

        replace(home, lambda new: new.write_text("title: [broken\n", "utf-8"))
        assert "[yaml-syntax]" in "".join(failure(next_line))
        home.unlink()
        assert next_line().startswith(f"Built {SHIPPED - 1} public scenarios")

        # The output folder in trouble: its build state is no longer a database. Whatever
        # the build makes of that, it is told in a line, and the server goes on.
        (out / ".scenariokit-build.sqlite").write_bytes(b"not a database" * 100)
        replace(home, lambda new: new.write_text(text, "utf-8"))
        told = next_line()
        assert told.startswith(("Build failed", f"Built {SHIPPED} public scenarios"))
        assert "Traceback" not in told
        assert "</html>" in fetch_status(base)[1]


def test_serve_outlives_a_build_that_raises(tmp_path: Path) -> None:
    # A broken page template makes the build raise what is not a user's error (Jinja's
    # syntax error); the server says so in one line and on its pages, and builds again
    # once the template is mended.
    source = tmp_path / "source"
    for folder in ("tools", "site", "schemas"):
        shutil.copytree(REPO / folder, source / folder)
    root = make_repo(tmp_path / "repo", {})
    shutil.copytree(REPO / "scenarios", root / "scenarios")
    env = os.environ | {"PYTHONPATH": str(source / "tools")}
    command = [sys.executable, "-m", "scenariokit"]
    template = source / "site" / "templates" / "scenario.html"
    text = template.read_text("utf-8")
    with serving(root, tmp_path / "out", command, env) as (base, next_line):
        template.write_text(text + "{% if %}\n", "utf-8")
        told = next_line()
        assert told.startswith("Build failed: TemplateSyntaxError: "), told
        status, shown = fetch_status(base + "scenarios/tapas-bar-madrid/")
        assert status == 500
        assert html.escape(told.strip()) in shown
        template.write_text(text, "utf-8")
        assert next_line().startswith(f"Built {SHIPPED} public scenarios")
        assert "<h1>Ordering Tapas in Madrid</h1>" in fetch(base + "scenarios/tapas-bar-madrid/")


def threads(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/task").iterdir()))


def children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text("utf-8").split()
    return [int(child) for child in found]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc (Linux)")
def test_the_process_that_builds_runs_no_other_thread(tmp_path: Path) -> None:
    """A build forks workers: the server answers from a process of its own, so the process
    that forks them has no thread that could hold a lock while it forks."""
    root = make_repo(tmp_path / "repo", {})
    shutil.copytree(REPO / "scenarios", root / "scenarios")
    with serving(root, tmp_path / "out", installed_command()) as (base, _):
        assert "<h1>Ordering Tapas in Madrid</h1>" in fetch(base + "scenarios/tapas-bar-madrid/")
        (builder,) = [
            int(p.name)
            for p in Path("/proc").iterdir()
            if p.name.isdigit() and _is_serve_of(int(p.name), tmp_path)
        ]
        assert threads(builder) == 1
        (server,) = children(builder)
        assert threads(server) >= 1  # it answered the request above


def _is_serve_of(pid: int, tmp_path: Path) -> bool:
    """Whether `pid` is the `scenarios serve` started on `tmp_path` (not its server child)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        parent = int(Path(f"/proc/{pid}/stat").read_text("utf-8").rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return False
    ours = b"serve" in command and str(tmp_path / "out").encode() in command
    return ours and parent == os.getpid()


def _serving_the_library(tmp_path: Path) -> tuple[subprocess.Popen[str], str]:
    """`scenarios serve` of the shipped library, its first page checked: the process, its URL.

    Its temporary folder is made in `tmp_path / "tmp"`, where a test can look for it.
    """
    root = make_repo(tmp_path / "repo", {})
    shutil.copytree(REPO / "scenarios", root / "scenarios")
    (tmp_path / "tmp").mkdir()
    process = subprocess.Popen(
        [*installed_command(), "serve", "--port", "0", "--out", str(tmp_path / "out")],
        cwd=root,
        env=os.environ | {"TMPDIR": str(tmp_path / "tmp")},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    next_line = line_reader(process.stdout)
    next_line()
    url = next_line().split()[1]
    assert "<h1>Ordering Tapas in Madrid</h1>" in fetch(url + "scenarios/tapas-bar-madrid/")
    return process, url


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="waits on a pidfd (Linux)")
def test_the_server_stops_when_its_builder_is_killed(tmp_path: Path) -> None:
    """SIGKILL gives `serve` no chance to end its server: the server ends itself."""
    process, url = _serving_the_library(tmp_path)
    assert process.stdout is not None
    (server,) = children(process.pid)
    ended = os.pidfd_open(server)  # readable once that process has ended
    try:
        process.kill()
        process.wait(timeout=10)
        process.stdout.close()
        readable, _, _ = select.select([ended], [], [], 10)
        assert readable, "the server outlived its builder by more than 10 s"
    finally:
        os.close(ended)
    with pytest.raises(urllib.error.URLError, match="Connection refused"):
        fetch(url)  # nobody holds the port any more


def test_sigterm_stops_serve_as_ctrl_c_does(tmp_path: Path) -> None:
    """A process manager's stop (SIGTERM) ends `serve` cleanly: its server ends, the port is
    free, its temporary folder is gone, and it says nothing more (no traceback)."""
    process, url = _serving_the_library(tmp_path)
    assert process.stdout is not None
    assert len(list((tmp_path / "tmp").glob("scenariokit-serve-*"))) == 1
    process.terminate()
    assert process.wait(timeout=10) == 0
    assert process.stdout.read() == ""
    process.stdout.close()
    assert list((tmp_path / "tmp").glob("scenariokit-serve-*")) == []
    with pytest.raises(urllib.error.URLError, match="Connection refused"):
        fetch(url)


_STEP_STOPPED_WHILE_SENDING = """
from scenariokit.author.serve import _stop_on_terminate
from scenariokit.parallel import Background

_stop_on_terminate()  # as `serve` does before its first build
step = Background(lambda: "x" * 1_000_000)  # a result larger than a pipe holds
step.start()
step._outcome.poll(30)  # it is sending its result, which no one reads yet
step.cancel()  # the build failed: the step is stopped (SIGTERM)
print("cancelled")
"""


def test_a_step_a_build_stops_under_serve_ends_at_once(tmp_path: Path) -> None:
    """The processes a build forks inherit `serve`'s SIGTERM handler; one the build stops
    while it sends its result ends at once, as by default. Raised there, the interrupt
    was sent back through the pipe no one read while the build waited: `serve` hung."""
    done = subprocess.run(
        [sys.executable, "-c", _STEP_STOPPED_WHILE_SENDING],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "cancelled\n", "")


def test_a_rebuild_is_told_in_good_english(tmp_path: Path) -> None:
    """One public scenario is one, not "1 public scenarios"."""
    root = make_repo(tmp_path / "repo", {})
    (root / "scenarios" / "restaurant").mkdir(parents=True)
    shutil.copy(
        REPO / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml",
        root / "scenarios" / "restaurant",
    )
    told: list[str] = []
    rebuild(root, tmp_path / "out", told.append)
    assert re.fullmatch(r"Built 1 public scenario in \d+\.\d\d s \(1 page rendered\)", told[0])


def test_a_broken_file_shows_in_the_open_page_and_the_page_reloads_when_fixed(
    tmp_path: Path, page: Page
) -> None:
    """In real Chromium: the page open on a scenario turns, by itself, into the error page
    when its file breaks (what the terminal says, where), and back when it is mended."""
    root = make_repo(tmp_path / "repo", {})
    shutil.copytree(REPO / "scenarios", root / "scenarios")
    path = root / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml"
    text = path.read_text("utf-8")
    out = tmp_path / "out"
    with serving(root, out, installed_command()) as (base, next_line):
        page.goto(base + "scenarios/tapas-bar-madrid/")
        assert page.locator("h1").inner_text() == "Ordering Tapas in Madrid"
        broken = text.replace("title: Ordering Tapas in Madrid", "title: [Ordering Tapas", 1)
        replace(path, lambda new: new.write_text(broken, "utf-8"))
        told = failure(next_line)
        errors = page.locator("#build-errors")
        errors.wait_for(timeout=30_000)  # no goto: the page reloaded by itself
        assert page.locator("h1").inner_text() == "The build failed"
        shown = errors.inner_text()
        where = "scenarios/restaurant/tapas-bar-madrid.yaml:"
        assert told[1].startswith(where)
        for line in told:  # every line the terminal printed, as `validate` prints it
            assert line.rstrip("\n") in shown
        validated = run_installed("validate", cwd=root)
        assert validated.returncode == 1
        assert told[1:] == validated.stdout.splitlines(keepends=True)
        number = int(told[1][len(where) :].split(":")[0])
        assert re.search(rf"\n {number} \| .+\n +\| +\^\n", shown)  # its source line, a caret

        replace(path, lambda new: new.write_text(text.replace("Madrid", "Seville", 1), "utf-8"))
        assert next_line().startswith(f"Built {SHIPPED} public scenarios")
        page.locator("h1", has_text="Ordering Tapas in Seville").wait_for(timeout=30_000)
        assert page.url == base + "scenarios/tapas-bar-madrid/"
        problems = [p for p in page.problems if "status of 500" not in p]  # type: ignore[attr-defined]
        assert problems == []
    # Only `serve` adds the reloading: the built site holds none of it.
    for built in (out / "site").rglob("*"):
        if built.is_file():
            assert built.name != "reload.js"
            assert b"/reload.js" not in built.read_bytes(), built
            assert b"scenariokit-build" not in built.read_bytes(), built


def test_the_builder_page_is_neither_reloaded_nor_replaced(tmp_path: Path) -> None:
    """A reload would lose what the author is typing into the builder."""
    root = make_repo(tmp_path / "repo", {})
    shutil.copytree(REPO / "scenarios", root / "scenarios")
    path = root / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml"
    with serving(root, tmp_path / "out", installed_command()) as (base, next_line):
        assert 'name="scenariokit-build"' in fetch(base + "scenarios/tapas-bar-madrid/")
        builder = fetch(base + "builder/")
        assert 'name="scenariokit-local"' in builder
        assert "scenariokit-build" not in builder
        replace(path, lambda new: new.write_text("title: [broken\n", "utf-8"))
        failure(next_line)
        assert "scenariokit-local" in fetch(base + "builder/")
        assert fetch_status(base + "scenarios/tapas-bar-madrid/")[0] == 500


def test_a_port_in_use_is_said_plainly(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {})
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_installed("serve", "--port", str(port), "--out", tmp_path / "out", cwd=root)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr == (
        f"error: port {port} is in use (another `scenarios serve`, or another program): "
        f"choose another with --port, e.g. `scenarios serve --port {port + 1}` "
        "(--port 0 takes any free port)\n"
    )
    assert not (tmp_path / "out").exists()  # said before building anything


def test_drafts_are_served_with_drafts_only(tmp_path: Path) -> None:
    """`serve --drafts` shows a draft's page, marked; plain `serve`, as `build`, leaves it out."""
    root = make_repo(tmp_path / "repo", {})
    shutil.copytree(REPO / "scenarios", root / "scenarios")
    source = root / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml"
    draft = source.with_name("tapas-draft.yaml")
    text = source.read_text("utf-8").replace(
        "scenario_id: tapas-bar-madrid", "scenario_id: tapas-draft"
    )
    text = text.replace("title: Ordering Tapas in Madrid", "title: Tapas, My Draft")
    draft.write_text(text.replace("is_public: true", "is_public: false"), "utf-8")
    assert "is_public: false" in draft.read_text("utf-8")
    with serving(root, tmp_path / "out", installed_command()) as (base, _):
        status, shown = fetch_status(base + "scenarios/tapas-draft/")
        assert status == 404
        # The site's own page, as a static host serves it, not the standard library's.
        assert shown == (tmp_path / "out" / "site" / "404.html").read_text("utf-8")
        assert fetch_status(base + "no/such/file.css")[0] == 404
    told = f"Built {SHIPPED + 1} scenarios, drafts included, in "
    with serving(
        root, tmp_path / "drafts", installed_command(), options=("--drafts",), built=told
    ) as (base, _):
        status, shown = fetch_status(base + "scenarios/tapas-draft/")
        assert status == 200
        assert ">Draft<" in shown
        assert 'name="scenariokit-build"' in shown  # reloaded like any page


def test_a_browser_that_goes_away_mid_answer_is_no_error(tmp_path: Path) -> None:
    """A page left while a file is sent resets the connection: nothing in the terminal (the
    standard library printed a traceback under a line of dashes), and serving goes on."""
    root = make_repo(tmp_path / "repo", {})
    shutil.copytree(REPO / "scenarios", root / "scenarios")
    with serving(root, tmp_path / "out", installed_command()) as (base, next_line):
        host, port = base.removeprefix("http://").rstrip("/").split(":")
        for _ in range(5):
            client = socket.create_connection((host, int(port)))
            client.sendall(b"GET /decks/ja.apkg HTTP/1.1\r\nHost: x\r\n\r\n")
            # Closed at once with a reset (linger 0), as a browser drops a connection.
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()
        assert fetch_status(base)[0] == 200
        path = root / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml"
        text = path.read_text("utf-8").replace("Ordering Tapas in Madrid", "Tapas at the Bar")
        replace(path, lambda new: new.write_text(text, "utf-8"))
        assert next_line().startswith(f"Built {SHIPPED} public scenarios")  # not "-----"
