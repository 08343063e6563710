"""Spreading independent work over the machine's cores.

Parsing YAML and rendering pages are bound to one core per process, so a large run forks
worker processes: they inherit the imported modules, the compiled schema and whatever the
parent prepared, so only small arguments and results cross between processes. `Background`
runs one more step (the build's index and listings) in a forked process of its own while
the caller goes on. Forking matters to a full build from about 2,000 files on and to
`validate` from a few thousand; at 500 files and below it gains nothing or costs a little
(bench/README.md, "Each optimisation, with and without").
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from multiprocessing.connection import Connection
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
Shared = TypeVar("Shared")

# What `map_with` hands its workers: set in the parent for the length of one map, so that
# forked workers inherit it with the rest of the parent's memory instead of having it
# pickled into every task (a build's catalog and dates would cross once per chunk).
_INHERITED: list[Any] = []


def cores() -> int:
    """Processes to use: `SCENARIOKIT_JOBS` if set, else the cores this process may use."""
    if os.environ.get("SCENARIOKIT_JOBS", "").isdigit():
        return max(1, int(os.environ["SCENARIOKIT_JOBS"]))
    try:
        return len(os.sched_getaffinity(0))  # a container's limit, not the host's count
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def map_chunks(
    work: Callable[[Sequence[Item]], list[Result]],
    items: Sequence[Item],
    *,
    per_process: int,
    per_task: int | None = None,
    done: Callable[[int], object] | None = None,
) -> list[Result]:
    """`work` over chunks of `items`, results in item order; forked when worth it.

    A worker is forked for each `per_process` items, up to the cores. Each call of `work`
    takes `per_task` items (by default, enough for eight calls a worker: the last ones to
    finish are short, so no core waits long for the other). `done(n)` is called as each
    chunk of n items finishes (for a progress bar).
    """
    workers = min(cores(), len(items) // per_process)
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        results = work(items)
        if done:
            done(len(results))  # items may be chunks of what is counted: count the results
        return results
    size = per_task or -(-len(items) // (workers * 8))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    from concurrent.futures import ProcessPoolExecutor  # only when forking

    context = multiprocessing.get_context("fork")
    results = []
    # Workers run without the automatic cycle collector: what they make (a chunk's
    # documents, pages and rows) is mostly freed by reference counting, and the collector
    # walked it again and again (bench/README.md). Not all of it: some of a file's work is
    # left in reference cycles, so each worker collects once after each task, when little
    # is alive in it. Without that, a build's workers grew by about 80 KB a file they
    # compiled: 0.9 GB for the two at 10,000 scenarios against 0.45 GB with it, 7.5 GB
    # for the build at 100,000 (bench/README.md, `bench/scale.py`).
    with (
        _frozen(),
        ProcessPoolExecutor(workers, context, initializer=gc.disable) as pool,
    ):
        try:
            for part in pool.map(partial(_collected, work), chunks):
                results += part
                if done:
                    done(len(part))
        except BaseException:
            _stop(pool)
            raise
    return results


def _stop(pool: Any) -> None:
    """End a pool's workers now: Ctrl+C, or a failure, must not wait for the queued tasks.

    Left to itself the pool runs every task queued before it shuts down, and a worker
    that Ctrl+C interrupted takes the next: `fmt` went on for up to a minute. Its
    processes are the executor's own (`_processes`, the same from Python 3.8 to 3.13).
    """
    from concurrent.futures import InvalidStateError

    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(OSError):
            process.terminate()
    # Python 3.11's pool then fails the tasks it had queued, and, for one already cancelled,
    # its thread prints an InvalidStateError (3.12 ignores it): not the user's business.
    told = threading.excepthook

    def quiet(args: threading.ExceptHookArgs) -> None:
        if not issubclass(args.exc_type, InvalidStateError):
            told(args)

    threading.excepthook = quiet
    try:
        pool.shutdown(wait=True, cancel_futures=True)
    finally:
        threading.excepthook = told


def _collected(
    work: Callable[[Sequence[Item]], list[Result]], items: Sequence[Item]
) -> list[Result]:
    """`work(items)`, then the cycles it left collected (in a worker, where gc is off)."""
    try:
        return work(items)
    finally:
        gc.collect()


def map_with(
    work: Callable[[Shared, Sequence[Item]], list[Result]],
    shared: Shared,
    items: Sequence[Item],
    **options: Any,
) -> list[Result]:
    """`map_chunks` of `work(shared, chunk)`: every call is given the same `shared` inputs.

    The inputs are passed explicitly to `work`, and reach forked workers by inheritance.
    """
    _INHERITED.append(shared)
    try:
        return map_chunks(partial(_with_inherited, work), items, **options)
    finally:
        _INHERITED.pop()


def _with_inherited(
    work: Callable[[Any, Sequence[Item]], list[Result]], items: Sequence[Item]
) -> list[Result]:
    return work(_INHERITED[-1], items)


@contextlib.contextmanager
def _frozen() -> Iterator[None]:
    """Keep the collector of forked processes off the objects they inherit.

    A collection in a worker would write to every inherited object it visits, and each
    page written is copied: hundreds of MB at 10,000 scenarios (bench/README.md).
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class StepFailed(RuntimeError):
    """A `Background` process ended without saying how its work went (it was killed)."""

    def __init__(self, exit_code: int | None) -> None:
        """Say how the process ended: a negative code is the signal that ended it."""
        super().__init__(f"a build step's process ended (exit code {exit_code})")
        self.exit_code = exit_code


class Background:
    """A function running in a forked process beside the caller's own work.

    Forked when it is made, it waits for `start` to send its arguments: forked before the
    caller's memory grows, it holds no copy of what the caller makes meanwhile. (Each page
    a parent writes after a fork is copied, and Python writes to every object it touches:
    forked after a full build's compile at 100,000 scenarios, each of these processes
    kept 70 to 140 MB of the parent's old pages.) An exception in the work is sent back
    and raised again by `join`, in the caller, so it is handled as if the work had run
    there (an `OSError` stays an `OSError`); what it returns is returned by `join`.
    """

    def __init__(self, work: Callable[..., object], *, worth_it: bool = True) -> None:
        """Fork for `work` when `worth_it` (a small job is done in `join` instead)."""
        self._work = work
        self._arguments: tuple[Any, ...] | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        if worth_it and cores() > 1 and "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            self._outcome, sender = context.Pipe(duplex=False)
            arguments, self._sender = context.Pipe(duplex=False)
            self._process = context.Process(
                target=_report_outcome,
                args=(work, arguments, sender, (self._sender, self._outcome)),
            )
            with _frozen():
                self._process.start()
            sender.close()
            arguments.close()

    def start(self, *arguments: object) -> None:
        """Run the work with these arguments (pickled to its process)."""
        if self._process is None:
            self._arguments = arguments
            return
        self._sender.send(arguments)
        self._sender.close()

    def join(self) -> Any:
        """The work's result, once done (or done now, where it could not be forked).

        Raises what the work raised.
        """
        if self._process is None:
            assert self._arguments is not None, "joined before it was started"
            return self._work(*self._arguments)
        try:
            done, outcome = self._outcome.recv()  # its result, or what it raised
        except EOFError:  # it died before it could say
            done, outcome = False, None
        self._process.join()
        if isinstance(outcome, BaseException):
            raise outcome
        if not done or self._process.exitcode != 0:
            raise StepFailed(self._process.exitcode)
        return outcome

    def cancel(self) -> None:
        """Stop the work: the caller failed, and what it was writing is thrown away."""
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join()


def _report_outcome(
    work: Callable[..., object],
    arguments: Connection,
    outcome: Connection,
    callers: tuple[Connection, Connection],
) -> None:
    """Run `work` (in the forked process) once its arguments come; send back how it went.

    `(True, result)`, or `(False, exception)`. Nothing to run when no arguments come: the
    caller stopped before it started the work, or died. The caller's ends of both pipes
    (`callers`) are closed here first, so that its death is seen: no arguments will come,
    and a result no one reads fails to be sent (else a result larger than the pipe's
    buffer waited forever for a dead caller, holding the build's lock).
    """
    for end in callers:
        end.close()
    try:
        try:
            given = arguments.recv()
        except EOFError:
            return
        outcome.send((True, work(*given)))  # pickled before anything is sent
    except BaseException as exc:  # everything goes back to the caller (Ctrl-C while waiting)
        try:
            outcome.send((False, exc))
        except Exception:  # an exception that cannot be pickled
            outcome.send((False, RuntimeError(f"a build step failed: {exc!r}")))
        raise SystemExit(1) from None
