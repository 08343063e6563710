"""`scenarios serve`: build, serve the site on 127.0.0.1, rebuild when a file changes.

A preview for authors, not a production server: the standard library's HTTP server, bound
to the loopback address only, and a loop that polls the repository's files once a second
and rebuilds (incrementally) when one changed, appeared or disappeared.

The server runs in a process of its own, forked before any build: a large build forks
worker processes, and forking a process while another of its threads serves a request
could copy a lock that thread holds into a child that never releases it. So the process
that builds runs no other thread, and the server's process never builds.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import signal
import stat
import threading
import time
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from scenariokit.build.folder import waiting_message
from scenariokit.build.outputs import BuildFailed
from scenariokit.build.run import build
from scenariokit.check.diagnostics import plural
from scenariokit.check.reporters import TextReporter
from scenariokit.errors import UserError
from scenariokit.escape import visible
from scenariokit.files.repository import default_paths, list_files
from scenariokit.website.theme import theme_dir

HOST = "127.0.0.1"


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file a build reads, and what the walk refused.

    The same walk as the build's (`list_files`): no link is followed. A refused entry is
    in it too, so that one appearing or going away is a change.
    """
    listing = list_files(default_paths(root), root)
    seen = {f.name: (f.size, f.mtime_ns) for f in listing.files}
    seen |= {str(r.path): (-1, -1) for r in listing.refused}
    for path in sorted(theme_dir().rglob("*")):
        try:
            status = path.lstat()
        except OSError:  # removed meanwhile
            continue
        if stat.S_ISREG(status.st_mode):
            seen[str(path)] = (status.st_size, status.st_mtime_ns)
    return seen


def serve(
    root: Path,
    out: Path,
    *,
    port: int,
    echo: Callable[[str], object],
    poll_seconds: float = 1.0,
    stop: threading.Event | None = None,
) -> None:
    """Serve `out/site` until interrupted (or `stop` is set), rebuilding on changes."""
    out = out if out.is_absolute() else Path.cwd() / out
    seen = snapshot(root)  # before the build: a change made while it runs is seen next
    rebuild(root, out, echo)
    handler = functools.partial(_QuietHandler, directory=str(out / "site"))
    server = ThreadingHTTPServer((HOST, port), handler)
    serving = multiprocessing.get_context("fork").Process(
        target=_serve_forever, args=(server,), daemon=True
    )
    serving.start()
    server.server_close()  # the child listens; this process only builds
    echo(f"Serving http://{HOST}:{server.server_address[1]}/ (Ctrl+C to stop)")
    stop = stop or threading.Event()
    try:
        while not stop.wait(poll_seconds):
            current = snapshot(root)
            if current != seen:
                seen = current
                rebuild(root, out, echo)
    except KeyboardInterrupt:
        pass
    finally:
        serving.terminate()
        serving.join()


def _serve_forever(server: ThreadingHTTPServer) -> None:
    """The server's process: answer requests until the building process ends it.

    Ctrl+C reaches every process of the terminal's group: this one leaves it to its parent,
    which ends it (SIGTERM) with the session. A parent killed outright cannot: the server
    then notices it has been orphaned and stops, instead of holding the port for ever.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()

    def orphaned() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        server.shutdown()

    threading.Thread(target=orphaned, daemon=True).start()
    server.serve_forever()


def rebuild(root: Path, out: Path, echo: Callable[[str], object]) -> None:
    """Build, and report its warnings, or its failure without stopping the server.

    Whatever a build raises is reported and served past: a file that became invalid, a
    link, a file gone between the walk and the read, an output folder in trouble. The
    author fixes it and saves, and the next poll builds again; the last good site stays.
    """
    started = time.perf_counter()
    try:
        result = build(root, out, waiting=lambda: echo(waiting_message(out)))
    except BuildFailed as exc:
        echo(f"Build failed: {exc} (run `scenarios validate`)")
        echo(TextReporter().render(exc.report).rstrip("\n"))
        return
    except UserError as exc:
        echo(f"Build failed: {exc}")
        return
    except Exception as exc:  # a preview server outlives any one build: report, go on
        echo(f"Build failed: {visible(type(exc).__name__)}: {visible(str(exc))}")
        return
    echo(
        f"Built {plural(result.public, 'public scenario')} in "
        f"{time.perf_counter() - started:.2f} s "
        f"({plural(result.rendered, 'page')} rendered)"
    )
    for warning in result.warnings:  # what `validate` warns of, as `build` shows it
        echo(TextReporter().headline(warning))


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves the site's folder; the build swaps that folder, so it is looked up per request."""

    def log_message(self, format: str, *args: object) -> None:
        return
