"""The fast validator is compiled from the schema at first use and kept in the user's cache.

Real folders, files and processes: what is kept is what the next run uses; a damaged file is
never run but compiled anew; a folder that cannot be written to, or that others may write
to, costs only the compiling.
"""

from __future__ import annotations

import copy
import hashlib
import marshal
import os
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastjsonschema
import pytest

from scenariokit.check.schema import _cache_folder, _without_refs, compiled_validator, load_schema
from tests.helpers import REPO, make_repo, valid_doc

SCHEMA = _without_refs(load_schema())
INVALID = {"estimated_duration": 61}
SCRIPT = str(Path(sys.executable).parent / "scenarios")


def accepts(validator: Callable[[Any], Any], doc: dict[str, Any]) -> bool:
    try:
        validator(doc)
    except fastjsonschema.JsonSchemaValueException:
        return False
    return True


def kept(folder: Path) -> list[Path]:
    return sorted(folder.glob("validator-*.bin"))


def intact(path: Path) -> bool:
    data = path.read_bytes()
    return hashlib.sha256(data[32:]).digest() == data[:32]


def keep(path: Path, code: types.CodeType | list[str]) -> None:
    """Write `code` where a validator is kept, as the cache writes it."""
    payload = marshal.dumps(code)
    path.write_bytes(hashlib.sha256(payload).digest() + payload)


def test_what_the_first_run_keeps_is_what_the_next_one_runs(tmp_path: Path) -> None:
    first = compiled_validator(SCHEMA, tmp_path)
    [path] = kept(tmp_path)
    assert intact(path)
    assert accepts(first, valid_doc())
    assert not accepts(first, valid_doc() | INVALID)
    # A kept validator that accepts everything, under the same name: the next run uses it.
    lenient = f"def {first.__name__}(data, custom_formats={{}}, name_prefix=None):\n    pass\n"
    keep(path, compile(lenient, "lenient", "exec"))
    assert accepts(compiled_validator(SCHEMA, tmp_path), valid_doc() | INVALID)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="cut short"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: data[:100] + bytes(50) + data[150:], id="bytes changed"),
        pytest.param(lambda data: hashlib.sha256(b"i").digest() + b"i", id="not marshal"),
    ],
)
def test_a_damaged_kept_file_is_compiled_anew_and_replaced(
    tmp_path: Path, damage: Callable[[bytes], bytes]
) -> None:
    compiled_validator(SCHEMA, tmp_path)
    [path] = kept(tmp_path)
    path.write_bytes(damage(path.read_bytes()))
    again = compiled_validator(SCHEMA, tmp_path)
    assert accepts(again, valid_doc())
    assert not accepts(again, valid_doc() | INVALID)
    assert kept(tmp_path) == [path]
    assert intact(path)


def test_kept_code_that_is_not_code_is_not_run(tmp_path: Path) -> None:
    compiled_validator(SCHEMA, tmp_path)
    [path] = kept(tmp_path)
    keep(path, ["not", "code"])
    assert not accepts(compiled_validator(SCHEMA, tmp_path), valid_doc() | INVALID)


def test_an_edited_schema_is_compiled_and_kept_apart(tmp_path: Path) -> None:
    longer = copy.deepcopy(SCHEMA)
    longer["properties"]["estimated_duration"]["maximum"] = 90
    strict, lenient = compiled_validator(SCHEMA, tmp_path), compiled_validator(longer, tmp_path)
    assert len(kept(tmp_path)) == 2
    assert (accepts(strict, valid_doc() | INVALID), accepts(lenient, valid_doc() | INVALID)) == (
        False,
        True,
    )
    assert not accepts(compiled_validator(SCHEMA, tmp_path), valid_doc() | INVALID)


def test_without_a_folder_it_compiles_every_time(tmp_path: Path) -> None:
    assert not accepts(compiled_validator(SCHEMA, None), valid_doc() | INVALID)
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("mine\n", encoding="utf-8")
    assert not accepts(compiled_validator(SCHEMA, not_a_folder), valid_doc() | INVALID)
    assert not_a_folder.read_text(encoding="utf-8") == "mine\n"


def test_only_the_newest_kept_validators_stay(tmp_path: Path) -> None:
    old = [tmp_path / f"validator-old{index}.bin" for index in range(8)]
    for age, path in enumerate(old):
        path.write_bytes(b"old")
        os.utime(path, (1_000_000 + age, 1_000_000 + age))
    mine = tmp_path / "mine.txt"
    mine.write_text("not the cache's\n", encoding="utf-8")
    compiled_validator(SCHEMA, tmp_path)
    assert len(kept(tmp_path)) == 8
    assert not old[0].exists()
    assert all(path.exists() for path in old[1:])
    assert mine.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_the_cache_folder_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = _cache_folder()
    assert folder == tmp_path / "cache" / "scenariokit"
    if os.name == "posix":
        assert folder.stat().st_mode & 0o777 == 0o700


def test_a_relative_xdg_cache_home_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    monkeypatch.chdir(tmp_path)
    folder = _cache_folder()
    assert folder is not None
    assert folder.is_absolute()
    assert not (tmp_path / "relative").exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_folder_others_may_write_to_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "scenariokit"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert _cache_folder() is None


def test_validate_keeps_the_validator_for_the_next_run(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", {})
    source = next((REPO / "scenarios" / "restaurant").glob("*.yaml"))
    (root / "scenarios" / "restaurant").mkdir(parents=True)
    (root / "scenarios" / "restaurant" / source.name).write_bytes(source.read_bytes())
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    runs = [
        subprocess.run(
            [SCRIPT, "--root", str(root), "validate"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        for _ in range(2)
    ]
    assert [run.returncode for run in runs] == [0, 0], runs[0].stdout + runs[0].stderr
    assert runs[0].stdout == runs[1].stdout
    assert len(kept(tmp_path / "cache" / "scenariokit")) == 1
