"""Only regular files are read, and never more than the size limit allows.

Links (to files or folders, inside or outside the repository, dangling or not), FIFOs,
sockets and devices under scenarios/ and templates/ are refused by every command that
reads those folders, through the installed script (a real pipe, a real process that
would hang on a FIFO): with a located diagnostic, exit 1, the link still a link after
`fmt`, and what a link points at never printed nor read.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from scenariokit.files.loader import MAX_BYTES, LoadError, read_raw
from tests.helpers import REPO, VALID_TEXT, make_repo, run_installed

HOME = "scenarios/restaurant/tapas-bar-madrid.yaml"
TEMPLATE = "templates/restaurant-dining.yaml"
SECRET = "ghp_SECRETsecretSECRET0123456789"
# The folder outside the repository that links point into: its name must never be printed.
OUTSIDE = "elsewhere-7f3a"


def repository(tmp_path: Path) -> Path:
    """A valid repository (one scenario, one template) beside a folder holding a secret."""
    outside = tmp_path / OUTSIDE
    (outside / "restaurant").mkdir(parents=True)
    (outside / "secret.yaml").write_text(f"token: {SECRET}\n", encoding="utf-8")
    (outside / "restaurant" / "secret.yaml").write_text(f"token: {SECRET}\n", encoding="utf-8")
    template = (REPO / TEMPLATE).read_text(encoding="utf-8")
    return make_repo(tmp_path / "repo", {HOME: VALID_TEXT, TEMPLATE: template})


def _link(target: str) -> Callable[[Path, Path], None]:
    def make(path: Path, tmp_path: Path) -> None:
        path.symlink_to(target.replace("{outside}", str(tmp_path / OUTSIDE)))

    return make


def _fifo(path: Path, tmp_path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path, tmp_path: Path) -> None:
    # Bound by a relative name: the full path may be longer than a socket address allows.
    with contextlib.chdir(path.parent):
        server = socket.socket(socket.AF_UNIX)
        server.bind(path.name)
        server.close()  # the socket file stays


def _device(path: Path, tmp_path: Path) -> None:
    try:
        os.mknod(path, 0o644 | stat.S_IFCHR, os.makedev(1, 3))  # what /dev/null is
    except PermissionError:
        pytest.skip("this machine does not let us make a device (mknod refused)")


# name → (the entry made under scenarios/restaurant/, how it is made)
SHAPES: dict[str, tuple[str, Callable[[Path, Path], None]]] = {
    "link to a file of the repository": ("copy.yaml", _link("tapas-bar-madrid.yaml")),
    "link to a secret outside": ("leak.yaml", _link("{outside}/secret.yaml")),
    "link to a folder outside": ("more", _link("{outside}/restaurant")),
    "dangling link": ("gone.yaml", _link("{outside}/missing.yaml")),
    "FIFO": ("pipe.yaml", _fifo),
    "socket": ("socket.yaml", _socket),
    "device": ("null.yaml", _device),
}


def shaped(tmp_path: Path, shape: str) -> tuple[Path, str]:
    """A repository with one entry of `shape`; returns the root and the entry's shown path."""
    root = repository(tmp_path)
    name, make = SHAPES[shape]
    make(root / "scenarios" / "restaurant" / name, tmp_path)
    return root, f"scenarios/restaurant/{name}"


def run(root: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """The installed script in `root`; a hang (on a FIFO) fails the test by its timeout."""
    return run_installed(*args, cwd=root)


def assert_nothing_leaked(result: subprocess.CompletedProcess[str]) -> None:
    shown = result.stdout + result.stderr
    assert "Traceback" not in shown
    assert SECRET not in shown
    assert OUTSIDE not in shown


def refusal(shown: str) -> str:
    """The start of the refusal's text diagnostic for the entry at `shown`."""
    return f"{shown}:1:1: error: this is "


@pytest.mark.parametrize("shape", list(SHAPES))
def test_validate_refuses_what_is_not_a_regular_file(tmp_path: Path, shape: str) -> None:
    root, shown = shaped(tmp_path, shape)
    result = run(root, "validate", "--format", "json")
    assert_nothing_leaked(result)
    assert result.returncode == 1
    found = json.loads(result.stdout)
    assert [(d["path"], d["line"], d["column"], d["code"]) for d in found] == [
        (shown, 1, 1, "not-a-regular-file")
    ]
    kind = "symbolic link" if "link" in shape else shape.split()[0].lower()
    assert kind.lower() in found[0]["message"].lower()


@pytest.mark.parametrize("shape", list(SHAPES))
def test_build_refuses_it_and_writes_nothing(tmp_path: Path, shape: str) -> None:
    root, shown = shaped(tmp_path, shape)
    result = run(root, "build", "--out", tmp_path / "out")
    assert_nothing_leaked(result)
    assert result.returncode == 1
    assert refusal(shown) in result.stdout
    assert result.stdout.rstrip().endswith("[not-a-regular-file]\n1 error, 0 warnings in 3 files")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("shape", list(SHAPES))
def test_fmt_refuses_it_and_leaves_the_link_a_link(tmp_path: Path, shape: str) -> None:
    root, shown = shaped(tmp_path, shape)
    entry = root / shown
    before = entry.lstat()
    secret = tmp_path / OUTSIDE / "secret.yaml"
    for args in (["fmt", "--check"], ["fmt"], ["fmt", shown]):
        result = run(root, *args)
        assert_nothing_leaked(result)
        if shape == "dangling link" and args[-1] == shown:
            assert result.returncode == 2  # Click: a dangling link names nothing that exists
        else:
            assert result.returncode == 1, args
            assert refusal(shown) in result.stderr
        after = entry.lstat()
        assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert secret.read_text(encoding="utf-8") == f"token: {SECRET}\n"


@pytest.mark.parametrize("shape", list(SHAPES))
def test_list_and_export_refuse_it(tmp_path: Path, shape: str) -> None:
    root, shown = shaped(tmp_path, shape)
    listed = run(root, "list", "--format", "json")
    assert_nothing_leaked(listed)
    assert listed.returncode == 1
    assert refusal(shown) in listed.stderr
    assert [r["scenario_id"] for r in json.loads(listed.stdout)] == ["tapas-bar-madrid"]
    exported = run(root, "export")
    assert_nothing_leaked(exported)
    assert exported.returncode == 1
    assert exported.stdout == ""
    assert exported.stderr.startswith("error: 1 file cannot be exported")
    assert f"({shown})" in exported.stderr


@pytest.mark.parametrize("shape", ["link to a secret outside", "FIFO", "dangling link"])
def test_a_path_named_on_the_command_line_is_refused_too(tmp_path: Path, shape: str) -> None:
    root, shown = shaped(tmp_path, shape)
    result = run(root, "validate", shown)
    assert_nothing_leaked(result)
    # Click judges existence first: a dangling link does not exist (a usage error).
    expected = 2 if shape == "dangling link" else 1
    assert result.returncode == expected
    if expected == 1:
        assert refusal(shown) in result.stdout


def test_a_file_named_through_a_linked_folder_is_refused(tmp_path: Path) -> None:
    root, shown = shaped(tmp_path, "link to a folder outside")
    for args in (["validate", f"{shown}/secret.yaml"], ["fmt", f"{shown}/secret.yaml"]):
        result = run(root, *args)
        assert_nothing_leaked(result)
        assert result.returncode == 1
        assert refusal(shown) in result.stdout + result.stderr
    assert (tmp_path / OUTSIDE / "restaurant" / "secret.yaml").read_text("utf-8") == (
        f"token: {SECRET}\n"
    )


@pytest.mark.parametrize("area", ["scenarios", "templates"])
def test_a_linked_scenarios_or_templates_folder_is_refused_whole(tmp_path: Path, area: str) -> None:
    root = repository(tmp_path)
    real = tmp_path / "real-area"
    shutil.move(root / area, real)
    (root / area).symlink_to(real)
    for args in (["validate"], ["build", "--out", str(tmp_path / "out")], ["fmt", "--check"]):
        result = run(root, *args)
        assert_nothing_leaked(result)
        assert result.returncode == 1, args
        assert refusal(area) + "a symbolic link" in result.stdout + result.stderr
        assert "real-area" not in result.stdout + result.stderr


def test_a_template_that_is_a_link_is_refused_by_show_duplicate_and_new(tmp_path: Path) -> None:
    root = repository(tmp_path)
    (root / TEMPLATE).unlink()
    (root / TEMPLATE).symlink_to(tmp_path / OUTSIDE / "secret.yaml")
    commands = [
        ["show", "restaurant-dining"],
        ["duplicate", "restaurant-dining", "bistro-lyon", "--author", "octocat"],
        [
            "new",
            "--template",
            "restaurant-dining",
            "--id",
            "bistro-lyon",
            "--title",
            "Un bistrot",
            "--language",
            "fr",
            "--author",
            "octocat",
        ],
        ["templates"],
    ]
    for args in commands:
        result = run(root, *args)
        assert_nothing_leaked(result)
        assert result.returncode == 1, args
        assert f"{TEMPLATE}:1:1: " in result.stderr
        assert "this is a symbolic link" in result.stderr
        assert "[not-a-regular-file]" in result.stderr
    assert not (root / "scenarios" / "restaurant" / "bistro-lyon.yaml").exists()
    assert (root / TEMPLATE).is_symlink()


def test_names_that_are_not_utf8_are_reported_not_crashed_on(tmp_path: Path) -> None:
    root = repository(tmp_path)
    folder = os.fsencode(root / "scenarios" / "restaurant")
    with open(folder + b"/caf\xe9.yaml", "wb") as stream:  # noqa: PTH123 - a bytes path
        stream.write(VALID_TEXT.encode())
    os.mkdir(os.fsencode(root / "scenarios") + b"/d\xe9j\xe0")  # noqa: PTH102
    for args in (
        ["validate"],
        ["validate", "--format", "github"],
        ["build", "--out", str(tmp_path / "out")],
        ["fmt"],
        ["list"],
    ):
        result = run(root, *args)
        assert "Traceback" not in result.stderr, args
        assert result.returncode == 1, args
        shown = result.stdout + result.stderr
        assert "caf\\xe9.yaml" in shown, args
        assert "d\\xe9j\\xe0" in shown, args
    found = json.loads(run(root, "validate", "--format", "json").stdout)
    assert {(d["path"], d["code"]) for d in found} == {
        ("scenarios/restaurant/caf\\xe9.yaml", "file-name-not-utf8"),
        ("scenarios/d\\xe9j\\xe0", "file-name-not-utf8"),
    }


@pytest.mark.parametrize("name", ["other.YAML", "other.Yaml", "other.yml", "other.YML"])
def test_other_yaml_suffixes_are_read_and_reported(tmp_path: Path, name: str) -> None:
    text = VALID_TEXT.replace("scenario_id: tapas-bar-madrid", "scenario_id: other")
    root = make_repo(tmp_path, {f"scenarios/restaurant/{name}": text})
    result = run(root, "validate", "--format", "json")
    assert result.returncode == 1
    found = json.loads(result.stdout)
    assert [(d["path"], d["code"]) for d in found] == [
        (f"scenarios/restaurant/{name}", "file-extension")
    ]
    assert run(root, "build", "--out", tmp_path / "out").returncode == 1


def _too_large_text() -> str:
    """A valid scenario padded with a comment to one byte over the limit."""
    padding = MAX_BYTES + 1 - len(VALID_TEXT.encode()) - 3
    text = VALID_TEXT + "# " + "x" * padding + "\n"
    assert len(text.encode()) == MAX_BYTES + 1
    return text


def test_build_refuses_a_file_over_the_limit_as_validate_does(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {HOME: _too_large_text()})
    validated = run(root, "validate")
    built = run(root, "build", "--out", tmp_path / "out")
    assert (validated.returncode, built.returncode) == (1, 1)
    (line,) = [x for x in validated.stdout.splitlines() if "[file-too-large]" in x]
    assert line.startswith(f"{HOME}:1:1: error: the file is {MAX_BYTES + 1:,} bytes")
    assert line in built.stdout.splitlines()
    assert not (tmp_path / "out").exists()


def test_a_rebuild_reads_a_grown_or_replaced_file_as_the_build_does(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {HOME: VALID_TEXT})
    out = tmp_path / "out"
    assert run(root, "build", "--out", out).returncode == 0
    (root / HOME).write_text(_too_large_text(), encoding="utf-8")
    rebuilt = run(root, "build", "--out", out)
    assert rebuilt.returncode == 1
    assert f"{HOME}:1:1: error: the file is {MAX_BYTES + 1:,} bytes" in rebuilt.stdout
    (root / HOME).unlink()
    (root / HOME).symlink_to(tmp_path / "elsewhere.yaml")
    (tmp_path / "elsewhere.yaml").write_text(VALID_TEXT, encoding="utf-8")
    rebuilt = run(root, "build", "--out", out)
    assert rebuilt.returncode == 1
    assert refusal(HOME) + "a symbolic link" in rebuilt.stdout
    assert "elsewhere.yaml" not in rebuilt.stdout + rebuilt.stderr


# --- the one reader, directly --------------------------------------------------------------


def _bytes_read() -> int:
    """What this process has read so far, by the kernel's count (`rchar`)."""
    with open("/proc/self/io", encoding="ascii") as stream:  # noqa: PTH123
        return int(next(line for line in stream if line.startswith("rchar:")).split()[1])


def test_the_reader_stops_one_byte_past_the_limit_whatever_the_size_says() -> None:
    # /proc/kallsyms is a regular file that says it is empty and holds megabytes.
    lying = Path("/proc/kallsyms")
    if not lying.exists() or lying.stat().st_size != 0:
        pytest.skip("no /proc/kallsyms that reports a size of 0")
    with lying.open("rb") as stream:
        if len(stream.read(MAX_BYTES + 1)) <= MAX_BYTES:
            pytest.skip("/proc/kallsyms is smaller than the limit here")
    before = _bytes_read()
    with pytest.raises(LoadError) as refused:
        read_raw(lying)
    read = _bytes_read() - before
    assert refused.value.code == "file-too-large"
    assert MAX_BYTES < read <= MAX_BYTES + 1 + 4096  # the limit and one byte, plus /proc/self/io


def test_the_reader_refuses_a_large_file_before_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "large.yaml"
    with path.open("wb") as stream:
        stream.truncate(50 * MAX_BYTES)
    before = _bytes_read()
    with pytest.raises(LoadError) as refused:
        read_raw(path)
    assert refused.value.code == "file-too-large"
    assert f"{50 * MAX_BYTES:,} bytes" in refused.value.message
    assert _bytes_read() - before < 4096


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_the_reader_refuses_a_device_without_reading_it(device: str) -> None:
    before = _bytes_read()
    with pytest.raises(LoadError) as refused:
        read_raw(Path(device))
    assert refused.value.code == "not-a-regular-file"
    assert "character device" in refused.value.message
    assert _bytes_read() - before < 4096


def test_the_reader_neither_waits_for_a_fifo_nor_follows_a_link(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "target.yaml").write_text(f"token: {SECRET}\n", encoding="utf-8")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "target.yaml")
    for name, kind in (("pipe.yaml", "named pipe"), ("link.yaml", "symbolic link")):
        with pytest.raises(LoadError) as refused:
            read_raw(tmp_path / name)  # a FIFO without a writer would block a plain open
        assert (refused.value.code, refused.value.line, refused.value.column) == (
            "not-a-regular-file",
            1,
            1,
        )
        assert kind in refused.value.message
        assert SECRET not in refused.value.message


def test_a_device_named_on_the_command_line_is_refused_unread(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {HOME: VALID_TEXT})
    result = run(root, "validate", "/dev/zero", "--format", "json")
    assert result.returncode == 1
    assert [(d["path"], d["code"]) for d in json.loads(result.stdout)] == [
        ("/dev/zero", "not-a-regular-file")
    ]


def test_new_does_not_write_over_a_dangling_link(tmp_path: Path) -> None:
    root = repository(tmp_path)
    target = root / "scenarios" / "restaurant" / "bistro-lyon.yaml"
    target.symlink_to(tmp_path / OUTSIDE / "missing.yaml")
    result = run(
        root,
        "new",
        "--template",
        "restaurant-dining",
        "--id",
        "bistro-lyon",
        "--title",
        "Un bistrot",
        "--language",
        "fr",
        "--author",
        "octocat",
    )
    assert_nothing_leaked(result)
    assert result.returncode == 1
    assert "already exists: nothing was written" in result.stderr
    assert target.is_symlink()
    assert not (tmp_path / OUTSIDE / "missing.yaml").exists()


def test_an_editors_hidden_lock_link_is_skipped_not_refused(tmp_path: Path) -> None:
    # Emacs marks a file being edited with a dangling link `.#name`: refusing it would fail
    # every `serve` rebuild while the author edits. Hidden entries are never read.
    root = make_repo(tmp_path / "repo", {HOME: VALID_TEXT})
    lock = root / "scenarios" / "restaurant" / ".#tapas-bar-madrid.yaml"
    lock.symlink_to("octocat@laptop.4242:1700000000")
    validated = run(root, "validate")
    assert (validated.returncode, validated.stdout) == (0, "0 errors, 0 warnings in 1 file\n")
    assert run(root, "build", "--out", tmp_path / "out").returncode == 0
    assert lock.is_symlink()


def test_a_large_walk_stats_in_two_processes_as_in_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From `STAT_IN_TWO` files on, the second half's `lstat`s run in a forked process: the
    same files in the same order, the same refusals, a file named twice listed once, and a
    file removed after the walk found it left out."""
    from scenariokit.files import repository as walk

    root = repository(tmp_path)
    for n in range(40):
        area = root / "scenarios" / ("restaurant" if n % 2 else "travel")
        area.mkdir(exist_ok=True)
        (area / f"copy-{n:02d}.yaml").write_text(VALID_TEXT, encoding="utf-8")
    os.mkfifo(root / "scenarios" / "travel" / "pipe.yaml")
    (root / "scenarios" / "travel" / "link.yaml").symlink_to(root / HOME)
    paths = [*walk.default_paths(root), root / HOME]
    one = walk.list_files(paths, root)
    monkeypatch.setattr(walk, "STAT_IN_TWO", 4)
    two = walk.list_files(paths, root)
    assert two.files == one.files
    assert [(r.path, str(r.problem)) for r in two.refused] == [
        (r.path, str(r.problem)) for r in one.refused
    ]
    assert len(one.files) == 42  # the template, tapas and the copies: tapas once
    assert sorted(Path(r.path).name for r in one.refused) == ["link.yaml", "pipe.yaml"]
    assert [Path(f.name).name for f in one.files[:3]] == [
        "copy-01.yaml",
        "copy-03.yaml",
        "copy-05.yaml",
    ]

    found = [(f.name, str(Path(f.name).parent), Path(f.name).name) for f in one.files]
    Path(found[-2][0]).unlink()  # in the forked half
    listing = walk.Listing()
    walk._stat_found(found, listing)
    assert listing.files == one.files[:-2] + one.files[-1:]
    assert listing.refused == []


def test_the_walk_s_second_look_at_files_that_went_away_or_are_old(tmp_path: Path) -> None:
    """Between finding a folder's files and taking their `lstat`: a folder removed has its
    files left out (not refused for a bad descriptor), a file removed is left out, and a
    file dated before 1970 (a negative time) is listed beside them."""
    from scenariokit.files import repository as walk

    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        for name in ("one.yaml", "two.yaml"):
            (tmp_path / folder / name).write_text(VALID_TEXT, encoding="utf-8")
    old = tmp_path / "b" / "one.yaml"
    os.utime(old, ns=(-315_619_200_000_000_000, -315_619_200_000_000_000))  # 1960
    listing, found = walk.Listing(), list[tuple[str, str, str]]()
    walk._walk(str(tmp_path), listing, found)
    shutil.rmtree(tmp_path / "a")
    (tmp_path / "b" / "two.yaml").unlink()
    walk._stat_found(found, listing)
    assert listing.refused == []
    assert listing.files == [walk.Found(str(old), -315_619_200_000_000_000, old.stat().st_size)]
