"""`scenarios serve`: build, serve the site on 127.0.0.1, rebuild when a file changes.

A preview for authors, not a production server: the standard library's HTTP server, bound
to the loopback address only, and a loop that polls the repository's files once a second
and rebuilds (incrementally) when one changed, appeared or disappeared. With `drafts`, the
site it builds includes the drafts (marked as drafts), as the pull request's preview does.

What an author sees of each build: a failed one prints its diagnostics in the terminal as
`validate` prints them, and every page of the site is, until the next good build, a page
showing the same text (path:line:column, the source line and a caret) in place of the old
page, so a broken file is never mistaken for a saved one. Every page served (the site's,
or that error page) carries a small ES module (`site/serve/reload.js`) that asks the
server for the build's number and reloads the page when a new build, good or failed, is
done. Both are added by this server only, as it serves a page: nothing of them is in the
build's output. The builder page is left as it is (a reload would lose what is typed).

The server runs in a process of its own, forked before any build: a large build forks
worker processes, and forking a process while another of its threads serves a request
could copy a lock that thread holds into a child that never releases it. So the process
that builds runs no other thread, and the server's process never builds.

Local mode: the builder page, served here, can save a scenario into the repository
(`author.local`: the same writing and checking as `scenarios new`). Any web page the
author visits could send requests to 127.0.0.1, so the endpoints under `/__scenariokit/`
answer only a request that carries this process's random token (put into the builder
page as it is served, and into no other page), comes from this server's own origin
(`Origin`, `Sec-Fetch-Site`) and names this server as its host (a DNS name pointed at
127.0.0.1 by another site does not). The token is never sent to another origin: without
CORS headers, no other page can read it or an answer; and the page that holds it refuses
to be framed (a hidden frame's button could be clicked from another site), nor is it
given to a frame at all.
"""

from __future__ import annotations

import errno
import functools
import hmac
import html
import json
import multiprocessing
import os
import secrets
import signal
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from scenariokit.author.local import Refused, file_of, save
from scenariokit.build.folder import waiting_message
from scenariokit.build.outputs import BuildFailed
from scenariokit.build.run import build
from scenariokit.check.diagnostics import plural
from scenariokit.check.reporters import TextReporter
from scenariokit.errors import UserError
from scenariokit.escape import visible
from scenariokit.files.loader import MAX_BYTES
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
    drafts: bool = False,
    reporter: TextReporter | None = None,
) -> None:
    """Serve `out/site` until interrupted (or `stop` is set), rebuilding on changes.

    The port is taken before the first build, so that a port in use is said at once (a
    `UserError`). `reporter` prints a failed build's diagnostics (as `validate` would on
    this terminal); `drafts` puts the drafts into the site.

    SIGTERM (a process manager's or `kill`'s stop) ends it as Ctrl+C does: without that,
    Python dies at once and leaves its temporary folder behind.
    """
    out = out if out.is_absolute() else Path.cwd() / out
    reporter = reporter or TextReporter()
    server = listen(port, out / "site")
    serving = None
    terminate = _stop_on_terminate()
    try:
        with tempfile.TemporaryDirectory(prefix="scenariokit-serve-") as folder:
            status = _Status(Path(folder) / "build.json")
            every_ms = max(100, int(poll_seconds * 1000))
            server.local = _Local(root.resolve(), secrets.token_urlsafe(32), status, every_ms)
            seen = snapshot(root)  # before the build: a change made while it runs is seen next
            number = 1
            rebuild(root, out, echo, reporter=reporter, drafts=drafts, done=status.write_as(number))
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
                        number += 1
                        rebuild(
                            root,
                            out,
                            echo,
                            reporter=reporter,
                            drafts=drafts,
                            done=status.write_as(number),
                        )
            except KeyboardInterrupt:
                pass
    finally:
        server.server_close()
        if serving is not None:
            serving.terminate()
            serving.join()
        if terminate is not None:
            signal.signal(signal.SIGTERM, terminate)


def _stop_on_terminate() -> Any:
    """Have SIGTERM raise `KeyboardInterrupt`; the handler it had (None off the main thread).

    Only the main thread may set a handler: tests run `serve` in threads, stopped by `stop`.
    The processes a build forks (its workers, its steps, the server) inherit the handler:
    in them SIGTERM ends the process as by default. A build stops a step it no longer
    needs with SIGTERM; raised there, the interrupt was sent back through a pipe that no
    one read while the build waited for the step to end: both waited for ever.
    """
    if threading.current_thread() is not threading.main_thread():
        return None
    serving = os.getpid()

    def interrupt(number: int, frame: object) -> None:
        if os.getpid() != serving:  # a forked process: end it as SIGTERM does by default
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)


def listen(port: int, site: Path) -> _Server:
    """The server, listening on `port` of the loopback address; a `UserError` if it cannot.

    A port in use is the usual case (another `serve`, another program): the message says
    how to choose another one.
    """
    handler = functools.partial(_Handler, directory=str(site))
    try:
        return _Server((HOST, port), handler)
    except OSError as exc:
        other = port + 1 if 0 < port < 65535 else 8001
        if exc.errno == errno.EADDRINUSE:
            problem = f"port {port} is in use (another `scenarios serve`, or another program)"
        else:
            problem = f"cannot listen on {HOST}:{port}: {exc.strerror or exc}"
        raise UserError(
            f"{problem}: choose another with --port, e.g. `scenarios serve --port {other}` "
            "(--port 0 takes any free port)"
        ) from None


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


def rebuild(
    root: Path,
    out: Path,
    echo: Callable[[str], object],
    *,
    reporter: TextReporter | None = None,
    drafts: bool = False,
    done: Callable[[str | None], object] = lambda failed: None,
) -> str | None:
    """Build, and report its warnings, or its failure without stopping the server.

    Whatever a build raises is reported and served past: a file that became invalid, a
    link, a file gone between the walk and the read, an output folder in trouble. The
    author fixes it and saves, and the next poll builds again; the last good site stays
    in the output. Returns what failed, as the error page shows it (the diagnostics as
    `validate` prints them, with their source lines), or None after a good build; and
    gives it to `done` before telling the terminal, so that the pages show what the
    terminal says by the time it says it.
    """
    started = time.perf_counter()
    try:
        result = build(root, out, waiting=lambda: echo(waiting_message(out)), drafts=drafts)
    except BuildFailed as exc:
        headline = f"Build failed: {exc} (run `scenarios validate`)"
        failed = f"{headline}\n\n{TextReporter(excerpts=True).render(exc.report)}"
        done(failed)
        echo(headline)
        echo((reporter or TextReporter()).render(exc.report).rstrip("\n"))
        return failed
    except UserError as exc:
        failed = f"Build failed: {visible(str(exc))}"
    except Exception as exc:  # a preview server outlives any one build: report, go on
        failed = f"Build failed: {visible(type(exc).__name__)}: {visible(str(exc))}"
    else:
        done(None)
        shown = "scenario" if drafts else "public scenario"  # with drafts: all on the site
        echo(
            f"Built {plural(result.public, shown)}{', drafts included,' if drafts else ''} in "
            f"{time.perf_counter() - started:.2f} s "
            f"({plural(result.rendered, 'page')} rendered)"
        )
        for warning in result.warnings:  # what `validate` warns of, as `build` shows it
            echo(TextReporter().headline(warning))
        return None
    done(failed + "\n")
    echo(failed)
    return failed + "\n"


class _Status:
    """The number of the last build and what failed in it, for the server's process.

    A small JSON file in a folder of this `serve`'s own, replaced whole (a rename) after
    each build: the server reads it for each page, and for `reload.js`'s question.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, number: int, failed: str | None) -> None:
        new = self.path.with_name(self.path.name + ".new")
        new.write_text(json.dumps({"build": number, "failed": failed}), "utf-8")
        new.replace(self.path)

    def write_as(self, number: int) -> Callable[[str | None], None]:
        """What writes build `number`'s outcome, once it is known."""
        return lambda failed: self.write(number, failed)

    def read(self) -> tuple[int, str | None]:
        try:
            found = json.loads(self.path.read_text("utf-8"))
            return int(found["build"]), found["failed"]
        except (OSError, ValueError, KeyError, TypeError):  # not written yet
            return 0, None


RELOAD_SCRIPT = Path("serve") / "reload.js"  # in the theme's folder, never copied to a build


def reload_tags(number: int, every_ms: int) -> str:
    """What a served page gets in its head: the build it shows, and the module that reloads."""
    return (
        f'<meta name="scenariokit-build" content="{number}" data-poll="{every_ms}">'
        f'<script type="module" src="{LOCAL}reload.js"></script>'
    )


def error_page(failed: str, number: int, every_ms: int) -> str:
    """The page served in place of every page of the site while the last build failed."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Build failed · scenarios serve</title>
<link rel="icon" href="data:,">
<style>
:root {{ color-scheme: light dark; }}
body {{ font: 1rem/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem;
  padding: 0 1rem; }}
pre {{ white-space: pre-wrap; overflow-wrap: anywhere; border-left: 0.3rem solid #c62828;
  padding: 0.5rem 1rem; font-size: 0.9rem; }}
</style>
{reload_tags(number, every_ms)}
</head>
<body>
<main>
<h1>The build failed</h1>
<p>The site was not rebuilt. Fix what is listed here and save: this page reloads by itself
when the site builds again. The terminal running <code>scenarios serve</code> shows the same,
and <code>scenarios validate</code> checks the files on their own.</p>
<pre id="build-errors">{html.escape(failed)}</pre>
</main>
</body>
</html>
"""


# The builder's requests to the local endpoints: a scenario is at most 1 MiB of YAML, and
# its JSON with escapes a few times that.
MAX_REQUEST = 8 * MAX_BYTES
LOCAL = "/__scenariokit/"
TOKEN_HEADER = "X-Scenariokit-Token"
BUILDER_PAGES = ("/builder/", "/builder/index.html")


@dataclass(frozen=True, slots=True)
class _Local:
    """What the local endpoints and the pages need.

    The repository and this process's token (local mode); the last build's status, and how
    often `reload.js` asks for it (the pages).
    """

    root: Path
    token: str
    status: _Status
    poll_ms: int


class QuietServer(ThreadingHTTPServer):
    """A threading HTTP server that says nothing when the browser goes away mid-answer."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Report a request's failure, unless the browser went away mid-answer.

        A page left or reloaded while a file was being sent resets the connection: no
        error of ours, and the standard library's report (a traceback under a line of
        dashes) would be noise in the terminal.
        """
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Server(QuietServer):
    local: _Local


class _Handler(SimpleHTTPRequestHandler):
    """Serves the site's folder (looked up per request: the build swaps it) and local mode."""

    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        """A file, a page (with `reload.js`, or the error page), or an endpoint.

        The builder page gets the token; `/__scenariokit/` holds the reloading's files and
        the local endpoints.
        """
        path = urlsplit(self.path).path
        if path in (LOCAL + "reload.js", LOCAL + "build") and self._addressed_here():
            self._reloading(path)
        elif path.startswith(LOCAL):
            self._local(path)
        elif path in BUILDER_PAGES:
            if self._addressed_here() and not self._framed():
                self._builder_page()
            else:
                super().do_GET()
        elif path.endswith(("/", ".html")) and self._addressed_here():
            self._page()
        else:
            super().do_GET()

    def _reloading(self, path: str) -> None:
        """`reload.js`, or the number of the last build, which it asks for.

        No secret (the same for every page), still only for a request addressed to this
        server.
        """
        local = self.server.local
        if path.endswith("build"):
            self._answer(200, {"build": local.status.read()[0]})
            return
        body = (theme_dir() / RELOAD_SCRIPT).read_bytes()
        self._send(200, body, "text/javascript; charset=utf-8")

    def _page(self) -> None:
        """A page of the site with `reload.js`, or the error page while the last build failed."""
        local = self.server.local
        number, failed = local.status.read()
        if failed is not None:
            self._send(500, error_page(failed, number, local.poll_ms).encode(), "text/html")
            return
        file = Path(self.translate_path(self.path))
        if file.is_dir():
            file = file / "index.html"
        try:
            text = file.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            super().do_GET()  # not there: the usual answer (a 404)
            return
        tags = reload_tags(number, local.poll_ms)
        self._send(200, text.replace("</head>", tags + "</head>", 1).encode(), "text/html")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A missing address gets the site's own 404 page, as a static host serves it.

        Any other error, and a HEAD request, get the standard library's short answer.
        """
        if code == 404 and self.command == "GET":
            try:
                body = (Path(self.directory) / "404.html").read_bytes()
            except OSError:
                body = None
            if body is not None:
                self._send(404, body, "text/html")
                return
        super().send_error(code, message, explain)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        if content_type == "text/html":
            content_type += "; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        """Only the local endpoints take a POST."""
        path = urlsplit(self.path).path
        if path.startswith(LOCAL):
            self._local(path)
        else:
            self._answer(405, {"error": "only the builder's local endpoints take a POST"})

    def _addressed_here(self) -> bool:
        """The request names this server as its host (not a name that resolves here)."""
        port = self.server.server_address[1]
        return self.headers.get("Host") in (f"{HOST}:{port}", f"localhost:{port}")

    def _framed(self) -> bool:
        """Asked for inside another page (a frame), or by another site: no token then."""
        destination = self.headers.get("Sec-Fetch-Dest", "document")
        site = self.headers.get("Sec-Fetch-Site", "none")
        return destination != "document" or site not in ("none", "same-origin")

    def _from_this_page(self) -> bool:
        """Sent by a page of this server, with its token (see the module's docstring)."""
        host = self.headers.get("Host", "")
        origin = self.headers.get("Origin")
        if self.command == "POST" and origin is None:
            return False
        if origin is not None and origin != f"http://{host}":
            return False
        if self.headers.get("Sec-Fetch-Site", "same-origin") != "same-origin":
            return False
        given = self.headers.get(TOKEN_HEADER, "")
        return self._addressed_here() and hmac.compare_digest(
            given.encode(), self.server.local.token.encode()
        )

    def _builder_page(self) -> None:
        """The builder page with this process's token, which turns on "Save to this repository"."""
        page = Path(self.directory) / "builder" / "index.html"
        try:
            html = page.read_text("utf-8")
        except OSError:
            self.send_error(404)
            return
        meta = f'<meta name="scenariokit-local" content="{self.server.local.token}">'
        body = html.replace("<head>", "<head>\n" + meta, 1).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        # Never inside another site's frame, where a hidden button could be clicked.
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Content-Security-Policy", "frame-ancestors 'none'")
        self.end_headers()
        self.wfile.write(body)

    def _local(self, path: str) -> None:
        """`GET file?id=ID` (the file an edit replaces) or `POST save` (write a scenario)."""
        if not self._from_this_page():
            self._answer(403, {"error": "refused: not the builder page of this server"})
            return
        local = self.server.local
        try:
            if self.command == "GET" and path == LOCAL + "file":
                scenario_id = parse_qs(urlsplit(self.path).query).get("id", [""])[0]
                relative, sha = file_of(local.root, scenario_id)
                self._answer(200, {"path": relative, "sha256": sha})
            elif self.command == "POST" and path == LOCAL + "save":
                request = self._json_body()
                saved = save(local.root, request.get("scenario"), request.get("replaces"))
                page = f"/scenarios/{request['scenario']['scenario_id']}/"
                self._answer(
                    200,
                    {
                        "path": saved.path,
                        "diagnostics": [d.as_dict() for d in saved.diagnostics],
                        "page": page if saved.public else None,
                    },
                )
            else:
                self._answer(404, {"error": f"no such endpoint: {self.command} {path}"})
        except Refused as exc:
            answer: dict[str, Any] = {"error": str(exc)}
            if exc.diagnostics:
                answer["diagnostics"] = [d.as_dict() for d in exc.diagnostics]
            self._answer(exc.status, answer)
        except UserError as exc:  # the file system said no: nothing was written
            self._answer(400, {"error": str(exc)})

    def _json_body(self) -> dict[str, Any]:
        """The request's JSON object, held to `MAX_REQUEST` bytes."""
        if self.headers.get_content_type() != "application/json":
            raise Refused("send the scenario as application/json", 400)
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            raise Refused("the request has no Content-Length", 400) from None
        if not 0 < length <= MAX_REQUEST:
            raise Refused(f"the request must be 1 to {MAX_REQUEST:,} bytes", 400)
        try:
            request = json.loads(self.rfile.read(length))
        except (ValueError, RecursionError):
            raise Refused("the request is not JSON, or nests too deep", 400) from None
        if not isinstance(request, dict):
            raise Refused("the request must be a JSON object", 400)
        return request

    def _answer(self, status: int, answer: dict[str, Any]) -> None:
        body = json.dumps(answer, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)
