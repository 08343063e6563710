"""Issue 14, point 9: random mutations of valid files never end in a traceback or a hang.

The valid example and a few starter scenarios are mutated, as text (lines deleted,
repeated, swapped or re-indented; hostile characters inserted; values replaced by huge
numbers, deep nesting, YAML's anchors, tags and merge keys; the file cut short) and as
data (a value replaced by one of another type, a key removed or added). Each result is
written as a real file in a copy of a real git repository and given to `validate`, `fmt`,
`build` and `import` (an export document made from the mutated data), and to `list`,
`show` and `export`. For every example:

- no exception (the commands run in-process through `invoke`, which lets exceptions
  through; a sample also runs as the installed script, where a traceback is on stderr);
- no hang (an alarm per example, hypothesis' deadline, the script's timeout);
- exit code 0, 1 or 2 only;
- nothing outside the output folder changes, except what `fmt` rewrites, and a file `fmt`
  rewrites reads back as the same data.

The run is reproducible (`derandomize`) and bounded for CI; set
`SCENARIOKIT_PROPERTY_EXAMPLES=3000` to search longer while developing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenariokit.files.loader import LoadError, parse
from tests.helpers import REPO, VALID_TEXT, dump, invoke, make_repo, run_installed

EXAMPLES = int(os.environ.get("SCENARIOKIT_PROPERTY_EXAMPLES", "150"))
SECONDS_PER_EXAMPLE = 30  # a hang, not a slow example: the alarm ends it as a failure

# The files mutated: the valid example and starter scenarios in three scripts.
STARTERS = [
    "scenarios/restaurant/izakaya-evening-tokyo.yaml",
    "scenarios/travel/train-ticket-lyon.yaml",
    "scenarios/business/job-interview-berlin.yaml",
]
SOURCES = {"scenarios/restaurant/tapas-bar-madrid.yaml": VALID_TEXT} | {
    path: (REPO / path).read_text(encoding="utf-8") for path in STARTERS
}

# Characters a hostile or careless contributor might type: controls, bidi and zero-width
# characters, quotes, YAML's indicators, a byte-order mark, letters of other scripts.
HOSTILE = (
    "\x00\x01\x07\x08\t\n\r\x1b\x7f\x85\u200b\u200d\u202e\u2066\u2028\ufeff\ue000"
    "'\"&*!<>:{}[],#|-?%@`~\\ aé日🙂"
)
SNIPPETS = [
    "<<: {a: 1}",
    "<<: *x",
    "&x",
    "*x",
    "!!python/object/apply:os.system ['true']",
    "!!binary aGk=",
    "!!set {a, b}",
    "!!str",
    "? [a, b]",
    ": x",
    "---",
    "...",
    "%YAML 1.1",
    "1" + "0" * 5000,
    "0x" + "f" * 300,
    ":".join(["59"] * 60),
    "1.0e+400",
    ".nan",
    "-.inf",
    "2024-02-30",
    "2024-01-01",
    "~",
    "no",
    "[" * 70 + "]" * 70,
    "{a: " * 30 + "x" + "}" * 30,
    "- " * 40 + "x",
    "'unclosed",
    '"unclosed',
    "a" * 2000,
    "|\n  block text",
    ">-",
]


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True) or [""]


@st.composite
def text_mutation(draw: st.DrawFn, text: str) -> str:
    """`text` with one to three random edits of its lines or characters."""
    for _ in range(draw(st.integers(1, 3))):
        lines = _lines(text)
        index = draw(st.integers(0, len(lines) - 1))
        kind = draw(
            st.sampled_from(
                ["delete", "repeat", "swap", "indent", "insert", "snippet", "value", "truncate"]
            )
        )
        if kind == "delete":
            del lines[index]
        elif kind == "repeat":  # also makes duplicate keys
            lines.insert(index, lines[index])
        elif kind == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        elif kind == "indent":
            change = draw(st.sampled_from(["", " ", "  ", "\t", "    "]))
            stripped = lines[index].lstrip(" ")
            width = max(0, len(lines[index]) - len(stripped) + draw(st.integers(-4, 4)))
            lines[index] = " " * width + change + stripped
        elif kind == "insert":
            line = lines[index]
            at = draw(st.integers(0, len(line)))
            inserted = draw(st.text(alphabet=HOSTILE, min_size=1, max_size=6))
            lines[index] = line[:at] + inserted + line[at:]
        elif kind == "snippet":
            line = lines[index]
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + draw(st.sampled_from(SNIPPETS)) + line[at:]
        elif kind == "value" and ": " in lines[index]:
            key = lines[index].split(": ", 1)[0]
            lines[index] = f"{key}: {draw(st.sampled_from(SNIPPETS))}\n"
        elif kind == "truncate":
            joined = "".join(lines)
            lines = [joined[: draw(st.integers(0, len(joined)))]]
        text = "".join(lines)
    return text


# Values of every type a mutation can put in the data (what the schema never expects).
VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**120), 10**120)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=HOSTILE + "abcxyz", max_size=20)
    | st.sampled_from(["", "TODO: x", "restaurant", "tapas-bar-madrid", "a" * 600]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", max_size=12), children, max_size=3
        )
    ),
    max_leaves=8,
)


def _places(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value of the document."""
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _places(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _places(value, (*path, index))


@st.composite
def data_mutation(draw: st.DrawFn, text: str) -> Any:
    """The document of `text` with one value replaced, a key removed, or a key added."""
    data = parse(text)
    places = [p for p in _places(data) if p]
    path = draw(st.sampled_from(places))
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    kind = draw(st.sampled_from(["replace", "remove", "add", "deepen"]))
    if kind == "remove":
        del parent[path[-1]]
    elif kind == "add" and isinstance(parent, dict):
        parent[draw(st.sampled_from(["extra", "title", "phases", "term", "<<"]))] = draw(VALUES)
    elif kind == "deepen":
        value: Any = "x"
        for _ in range(draw(st.sampled_from([1, 5, 19, 21, 64, 200]))):
            value = [value]
        parent[path[-1]] = value
    else:
        parent[path[-1]] = draw(VALUES)
    return data


@st.composite
def mutated_file(draw: st.DrawFn) -> tuple[str, str, Any]:
    """(path, text, data or None): a starter mutated as text, or as data and dumped."""
    path = draw(st.sampled_from(sorted(SOURCES)))
    original = SOURCES[path]
    if draw(st.booleans()):
        text = draw(text_mutation(original))
        try:
            data = parse(text)
        except LoadError:
            data = None
        return path, text, data
    data = draw(data_mutation(original))
    return path, dump(data), data


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository with the valid files committed; each example works in its working
    tree, and `_reset` puts it back to the commit afterwards.

    Formatted first, so `fmt` in an example rewrites only what the mutation changed.
    """
    root = make_repo(tmp_path_factory.mktemp("property") / "repo", dict(SOURCES))
    assert invoke("--root", root, "fmt").exit_code == 0
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "starters")
    _COMMITTED[root] = {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }
    return root


# What `repository` committed, file by file, for `_reset`.
_COMMITTED: dict[Path, dict[str, bytes]] = {}


def _git(root: Path, *args: str) -> None:
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(["git", "-C", str(root), *identity, *args], check=True, timeout=60)


def _reset(root: Path) -> None:
    """The working tree as committed: the mutated file back, outputs and imports gone.

    Done here rather than by `git checkout` and `git clean` (two processes an example): the
    files as committed are what `repository` kept of them.
    """
    committed = _COMMITTED[root]
    for folder, folders, files in os.walk(root):
        here = Path(folder)
        for name in folders[:]:
            relative = (here / name).relative_to(root).as_posix()
            if relative != ".git" and not any(k.startswith(relative + "/") for k in committed):
                shutil.rmtree(here / name)
                folders.remove(name)
        folders[:] = [name for name in folders if name != ".git" or here != root]
        for name in files:
            relative = (here / name).relative_to(root).as_posix()
            if relative not in committed:
                (here / name).unlink()
            elif (here / name).read_bytes() != committed[relative]:
                (here / name).write_bytes(committed[relative])
    for relative, content in committed.items():
        if not (root / relative).exists():
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_bytes(content)


def _snapshot(root: Path) -> dict[str, str]:
    """Every file but git's own and the build's, with its content's hash."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not {".git", "out"} & set(path.relative_to(root).parts)
    }


@contextlib.contextmanager
def _no_hang(seconds: int) -> Iterator[None]:
    """Fail the example (instead of hanging the suite) when it runs for `seconds`."""

    def stop(signum: int, frame: object) -> None:
        raise TimeoutError(f"an example ran for {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _command(root: Path, *args: str | Path) -> int:
    result = invoke("--root", root, *args)
    assert result.exit_code in (0, 1, 2), (args, result.output)
    return result.exit_code


def _check_example(root: Path, path: str, text: str, data: Any, installed: bool) -> None:
    target = root / path
    target.write_text(text, encoding="utf-8", newline="")
    before = _snapshot(root)

    _command(root, "validate", "--format", "json")
    _command(root, "build", "--out", root / "out")
    for args in (["list", "--format", "json"], ["export"], ["show", Path(path).stem]):
        _command(root, *args)  # the commands that read documents without validating them
    assert _snapshot(root) == before

    _command(root, "fmt", target)  # the others are canonical: only this one could change
    after = _snapshot(root)
    assert {name for name in after if after[name] != before.get(name)} <= {path}
    assert after.keys() == before.keys()
    if after[path] != before[path]:  # rewritten: the same data, in the canonical layout
        assert parse(target.read_text(encoding="utf-8")) == parse(text)
    target.write_text(text, encoding="utf-8", newline="")

    document = root.parent / "import.json"
    rows = [data] if data is not None else []
    document.write_text(
        json.dumps({"format": "scenariokit", "version": 1, "scenarios": rows}, default=str),
        encoding="utf-8",
    )
    for extra in (("--dry-run",), ()):
        ahead = _snapshot(root)
        code = _command(root, "import", document, *extra)
        changed = {n for n, h in _snapshot(root).items() if ahead.get(n) != h}
        assert code == 0 or not changed  # all or nothing
        assert {n for n in changed if n in before} == set()  # nothing replaced without --force

    if installed:  # the real script: a traceback would be on stderr
        commands: list[list[str | Path]] = [
            ["validate"],
            ["fmt", "--check", target],
            ["build", "--out", root / "out2"],
        ]
        for command in commands:
            done = run_installed("--root", root, *command, cwd=root)
            assert "Traceback" not in done.stderr, done.stderr[-3000:]
            assert done.returncode in (0, 1, 2)


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=timedelta(seconds=SECONDS_PER_EXAMPLE),  # and the alarm, for what never returns
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
@given(example=mutated_file(), installed=st.integers(0, 24))
def test_mutated_files_never_end_in_a_traceback(
    repository: Path, example: tuple[str, str, Any], installed: int
) -> None:
    path, text, data = example
    try:
        with _no_hang(SECONDS_PER_EXAMPLE):
            _check_example(repository, path, text, data, installed=installed == 5)
    finally:
        _reset(repository)
