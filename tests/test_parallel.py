"""Work in forked processes: results and failures come back to the caller as they are."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path

import pytest

from scenariokit.parallel import Background, StepFailed, map_chunks


@pytest.fixture(autouse=True)
def two_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCENARIOKIT_JOBS", "2")  # fork even on a one-core machine


def test_background_work_runs_in_another_process(tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    work = Background(lambda: marker.write_text(str(os.getpid())))
    work.start()
    work.join()
    assert int(marker.read_text()) != os.getpid()


def test_join_returns_what_the_work_returned_in_its_process() -> None:
    work = Background(lambda base: (base, os.getpid()))
    work.start(7)
    assert work.join()[0] == 7
    inline = Background(lambda base: (base, os.getpid()), worth_it=False)
    inline.start(8)
    assert inline.join() == (8, os.getpid())
    forked = Background(os.getpid)
    forked.start()
    assert forked.join() != os.getpid()


def test_a_failure_in_the_background_is_raised_by_join(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "folder" / "file"
    work = Background(lambda: missing.write_text("x"))
    work.start()
    with pytest.raises(FileNotFoundError) as caught:
        work.join()
    assert caught.value.errno == errno.ENOENT
    assert caught.value.filename == str(missing)


def test_small_work_runs_in_join_without_a_fork(tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    work = Background(lambda: marker.write_text(str(os.getpid())), worth_it=False)
    work.start()
    assert not marker.exists()
    work.join()
    assert int(marker.read_text()) == os.getpid()


def test_background_work_waits_for_its_arguments_and_sees_nothing_made_since(
    tmp_path: Path,
) -> None:
    """Forked when made, the work runs with what `start` sends, not what was made later."""
    marker = tmp_path / "seen"
    made_later: list[str] = []
    work = Background(lambda text: marker.write_text(f"{text} {made_later}"))
    made_later.append("after the fork")
    assert not marker.exists()
    work.start("sent")
    work.join()
    assert marker.read_text() == "sent []"


def test_background_work_never_started_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    work = Background(lambda: marker.write_text("x"))
    time.sleep(0.3)  # ample time for a process that did not wait to write it
    assert not marker.exists()
    work.cancel()
    assert not marker.exists()


def test_background_work_ends_when_its_caller_dies_before_starting_it() -> None:
    """A caller killed before `start` leaves no process waiting for it forever."""
    assert _ends_after_its_caller_dies("work = Background(lambda: None)\n")


def test_background_work_ends_when_its_caller_dies_before_reading_its_result() -> None:
    """A result larger than a pipe holds, and a caller killed before `join`: the process
    ends (it waited forever to send it, keeping whatever the caller had locked)."""
    assert _ends_after_its_caller_dies(
        "work = Background(lambda: b'x' * 1_000_000)\nwork.start()\n"
    )


def _ends_after_its_caller_dies(making: str) -> bool:
    """Whether the Background process that `making` makes ends once its caller exits."""
    script = (
        "import os\n"
        "from scenariokit.parallel import Background\n"
        f"{making}"
        "print(work._process.pid, flush=True)\n"
        "os._exit(0)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "SCENARIOKIT_JOBS": "2"},
        timeout=30,  # the process holds the output open: run returns when it ends
    )
    pid = int(run.stdout)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _running(pid):
        time.sleep(0.05)
    return not _running(pid)


def test_a_killed_background_process_is_a_failed_step() -> None:
    """Killed (out of memory, say), it cannot say how its work went: `join` says it ended."""
    work = Background(lambda: os.kill(os.getpid(), signal.SIGKILL))
    work.start()
    with pytest.raises(StepFailed) as caught:
        work.join()
    assert caught.value.exit_code == -signal.SIGKILL
    assert "ended (exit code -9)" in str(caught.value)


def _started_in_a_terminal(script: str) -> subprocess.Popen[str]:
    """Python running `script` as a terminal runs a command, once it has printed "ready"."""
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "SCENARIOKIT_JOBS": "2"},
        start_new_session=True,  # a group of its own, as a terminal's command is
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "ready\n"
    return process


def test_ctrl_c_while_background_work_waits_prints_no_traceback() -> None:
    """Ctrl+C reaches every process of the terminal's group, the waiting one too."""
    script = (
        "import time\n"
        "from scenariokit.parallel import Background\n"
        "work = Background(lambda: None)\n"
        "print('ready', flush=True)\n"
        "try:\n"
        "    time.sleep(30)\n"
        "except KeyboardInterrupt:\n"
        "    time.sleep(1)  # a caller busy a while before it stops (a build's compile)\n"
        "    work.cancel()\n"
        "    print('stopped', flush=True)\n"
    )
    process = _started_in_a_terminal(script)
    time.sleep(0.3)  # the forked process is waiting for its arguments
    os.killpg(process.pid, signal.SIGINT)
    output, _ = process.communicate(timeout=30)
    assert "stopped" in output
    assert "Traceback" not in output, output


def test_ctrl_c_stops_map_chunks_without_running_the_queued_tasks(tmp_path: Path) -> None:
    """Ctrl+C in a long map (fmt's, over thousands of files) stops it at once. The pool ran
    the tasks it had queued first, a chunk of files each: fmt stopped up to a minute
    later. Here tasks of 10 s: stopped within a fraction of that, the workers gone."""
    script = (
        "import time, sys\n"
        "from pathlib import Path\n"
        "from scenariokit.parallel import map_chunks\n"
        f"folder = Path({str(tmp_path)!r})\n"
        "def work(items):\n"
        "    (folder / str(items[0])).touch()\n"
        "    time.sleep(10)\n"
        "    return list(items)\n"
        "print('ready', flush=True)\n"
        "try:\n"
        "    map_chunks(work, list(range(64)), per_process=1, per_task=1)\n"
        "except KeyboardInterrupt:\n"
        "    print('stopped', flush=True)\n"
    )
    process = _started_in_a_terminal(script)
    time.sleep(1)  # the first task begun in each worker
    os.killpg(process.pid, signal.SIGINT)
    interrupted = time.monotonic()
    output, _ = process.communicate(timeout=120)
    assert "stopped" in output
    assert "Traceback" not in output, output  # nor the pool's thread's, as it breaks
    assert time.monotonic() - interrupted < 5  # not 10 s for each task queued
    begun = len(list(tmp_path.iterdir()))
    time.sleep(1)  # a worker left running would begin the next task
    assert len(list(tmp_path.iterdir())) == begun


def _running(pid: int) -> bool:
    """Whether a process is alive (an exited one nobody waited for is a zombie: not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _pids_and_squares(items: Sequence[int]) -> list[tuple[int, int]]:
    return [(os.getpid(), item * item) for item in items]


def test_map_chunks_keeps_the_order_over_processes() -> None:
    results = map_chunks(_pids_and_squares, list(range(1000)), per_process=100)
    assert [square for _, square in results] == [n * n for n in range(1000)]
    assert os.getpid() not in {pid for pid, _ in results}


class _Cyclic:
    """An object in a reference cycle: only the cycle collector frees it."""

    def __init__(self, marker: Path) -> None:
        self.itself = self
        self.marker = marker

    def __del__(self) -> None:
        self.marker.write_text(str(os.getpid()))


def _leave_cycles(folder: Path, items: Sequence[int]) -> list[int]:
    for item in items:
        _Cyclic(folder / f"{item}.freed")
    return list(items)


def test_the_cycles_a_worker_leaves_are_collected_after_each_task(tmp_path: Path) -> None:
    """Workers run with gc off; without a collection after each task, what a file's work
    leaves in reference cycles stayed until the worker ended (80 KB a scenario in a build)."""
    items = list(range(40))
    assert map_chunks(partial(_leave_cycles, tmp_path), items, per_process=1, per_task=5) == items
    freed = {int(p.stem) for p in tmp_path.glob("*.freed")}
    assert freed == set(items)
    assert {int(p.read_text()) for p in tmp_path.glob("*.freed")} != {os.getpid()}
