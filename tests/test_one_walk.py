"""One walk of the folders and one catalog for every command.

`scenarios list` (`documents.load_area`) listed its area, then walked the whole repository
again for the catalog of ids; the build made its catalog its own way. Each folder is now
read once, and every catalog comes from `repository.read_catalog`.
"""

from __future__ import annotations

import ctypes
import os
import select
import struct
from pathlib import Path

from scenariokit.author.documents import find_source, load_scenarios
from scenariokit.check.validate import validate
from scenariokit.files.repository import default_paths, read_catalog
from tests.helpers import dump, make_repo, valid_doc

_IN_OPEN = 0x20  # inotify(7): the file or folder was opened
_EVENT = struct.Struct("iIII")  # struct inotify_event, without its name


def opens_of(folder: Path, action: object) -> int:
    """How many times `folder` is opened (read: walked) while `action()` runs."""
    libc = ctypes.CDLL(None, use_errno=True)
    watch = libc.inotify_init1(os.O_CLOEXEC | os.O_NONBLOCK)
    assert watch >= 0
    try:
        assert libc.inotify_add_watch(watch, os.fsencode(folder), _IN_OPEN) >= 0
        assert callable(action)
        action()
        seen = 0
        while select.select([watch], [], [], 0)[0]:
            data = os.read(watch, 4096)
            offset = 0
            while offset < len(data):
                _, mask, _, length = _EVENT.unpack_from(data, offset)
                seen += bool(mask & _IN_OPEN) and length == 0  # the folder, not one inside
                offset += _EVENT.size + length
        return seen
    finally:
        os.close(watch)


def repository(tmp_path: Path) -> Path:
    docs = [valid_doc() | {"scenario_id": name} for name in ("one", "two")]
    files = {f"scenarios/{d['category']}/{d['scenario_id']}.yaml": dump(d) for d in docs}
    return make_repo(tmp_path / "repo", files)


def test_listing_the_scenarios_walks_their_folder_once(tmp_path: Path) -> None:
    root = repository(tmp_path)
    shelf = load_scenarios(root)
    assert [s.data["scenario_id"] for s in shelf.sources] == ["one", "two"]
    assert opens_of(root / "scenarios", lambda: load_scenarios(root)) == 1


def test_every_catalog_is_read_catalog_s(tmp_path: Path) -> None:
    """Given the names a walk listed, or walking itself, the same ids in the same files."""
    root = repository(tmp_path)
    walked = read_catalog(root)
    named = read_catalog(root, [str(p) for p in sorted((root / "scenarios").rglob("*.yaml"))])
    assert sorted(walked.files_by_id) == sorted(named.files_by_id) == ["one", "two"]
    assert {k: walked.files_by_id[k] for k in walked.files_by_id} == {
        k: named.files_by_id[k] for k in named.files_by_id
    }
    assert walked.others("one", root / "scenarios" / "travel" / "x.yaml") == list(
        walked.files_by_id["one"]
    )
    assert find_source(root, "two").data["scenario_id"] == "two"


def test_an_import_s_catalog_adds_its_batch_once(tmp_path: Path) -> None:
    """`import` checks its batch against the repository and itself through `read_catalog`."""
    root = repository(tmp_path)
    (existing,) = read_catalog(root).files_by_id["one"]
    new = root / "scenarios" / "travel" / "three.yaml"
    catalog = read_catalog(root, adding=[existing, new])
    assert catalog.files_by_id["one"] == [existing]  # replaced by the import: still one file
    assert catalog.knows("three")
    assert catalog.others("three", new) == []
    assert not read_catalog(root).knows("three")


def test_validating_the_repository_walks_its_folders_once(tmp_path: Path) -> None:
    """The catalog takes the names the walk of the files listed (it walked them again)."""
    root = repository(tmp_path)
    (root / "scenarios" / "restaurant" / "one.yaml").write_text("title: [broken\n", "utf-8")
    report = validate(default_paths(root), root)
    assert [d.code for d in report.diagnostics] == ["yaml-syntax"]
    assert opens_of(root / "scenarios", lambda: validate(default_paths(root), root)) == 1
    # A file named alone: its catalog is still the whole repository's (one walk of it).
    two = root / "scenarios" / "restaurant" / "two.yaml"
    assert opens_of(root / "scenarios", lambda: validate([two], root)) == 1


def test_asking_after_an_unknown_id_does_not_make_it_known(tmp_path: Path) -> None:
    """Looking up the files of an id no file claims leaves the catalog as it was."""
    root = make_repo(tmp_path / "repo", {"scenarios/restaurant/one.yaml": dump(valid_doc())})
    catalog = read_catalog(root)
    assert catalog.others("nobody", root / "scenarios/restaurant/one.yaml") == []
    assert not catalog.knows("nobody")
    assert "nobody" not in catalog.files_by_id
    assert catalog.knows("one")


def test_a_catalog_searched_for_a_few_ids_answers_as_its_index(tmp_path: Path) -> None:
    """A rebuild's few lookups search the names; more build the index: the same answers.

    Tricky names on purpose: a folder whose name holds the id and a dot, an id in two
    folders, a suffix in capitals, an id that is the start of another's."""
    root = tmp_path / "repo"
    names = [
        root / "scenarios" / "travel" / "taxi.yaml",
        root / "scenarios" / "taxi.d" / "taxi.YAML",
        root / "scenarios" / "food" / "taxi.yml",
        root / "scenarios" / "food" / "taxi-rank.yaml",
        root / "scenarios" / "food" / "rank.taxi.yaml",
        root / "templates" / "check-in.yaml",
    ]
    ids = ["taxi", "taxi-rank", "rank.taxi", "rank", "check-in", "nobody", "taxi.d"]
    searched = read_catalog(root, [str(n) for n in names])
    indexed = read_catalog(root, [str(n) for n in names])
    assert sorted(indexed.files_by_id) == ["check-in", "rank.taxi", "taxi", "taxi-rank"]
    for scenario_id in ids:  # the second catalog has made its index: it was iterated
        assert searched.knows(scenario_id) == indexed.knows(scenario_id), scenario_id
        assert searched.files_by_id.get(scenario_id, []) == indexed.files_by_id.get(scenario_id, [])
    assert searched.files_by_id["taxi"] == names[:3]  # in the order listed
    assert searched.others("taxi", names[0]) == names[1:3]
    for _ in range(20):  # past the searches: from the index, the same
        assert searched.files_by_id["taxi"] == names[:3]
        assert not searched.knows("nobody")
