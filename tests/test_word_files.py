"""The search's word files come from one function for both builds (`word_files`).

A full build passes every scenario with no old words; a rebuild passes the scenarios that
changed and the site, whose files it patches. Patched files must equal made ones, with
leaves and nodes (prefixes split by a longer one, their results in parts) alike, and when
a scenario's place in display order changes.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from scenariokit.website import search_files
from scenariokit.website.search_files import word_files

WORDS = [f"{a}{b}{c}" for a in "abc" for b in "xyz" for c in "pq"] + ["abcdef", "abcxyz", "東京"]
WORDS += ["axp", "axpa", "axpab", "axpb", "axpbc", "axq"]  # a key of long words: nodes


def weights(rng: random.Random) -> dict[str, int]:
    return {w: rng.randint(1, 20) for w in rng.sample(WORDS, rng.randint(0, 8))}


def write(site: Path, files: dict[str, bytes | None]) -> None:
    for relative, content in files.items():
        path = site / relative
        if content is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)


def on_disk(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*.json")}


@pytest.mark.parametrize("small", [False, True])
def test_patched_word_files_equal_made_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small: bool
) -> None:
    if small:  # a few postings make a node, a node's results take several parts
        monkeypatch.setattr(search_files, "NODE_POSTINGS", 3)
        monkeypatch.setattr(search_files, "PART", 2)
    rng = random.Random(7)
    count = 12
    for round_ in range(40):
        site = tmp_path / str(round_)
        before = [weights(rng) for _ in range(count)]
        rank = rng.sample(range(count), count)
        write(site, word_files({n: ({}, w) for n, w in enumerate(before)}, rank))
        after = list(before)
        for number in rng.sample(range(count), rng.randint(1, 4)):
            after[number] = weights(rng)
        moved: set[int] = set()
        if round_ % 3 == 0:  # a title changed: the scenario takes another place
            number, place = rng.randrange(count), rng.randrange(count)
            order = sorted(range(count), key=rank.__getitem__)
            order.remove(number)
            order.insert(place, number)
            rank = [order.index(n) for n in range(count)]
            moved.add(number)
        changed = {
            n: (before[n], after[n]) for n in range(count) if before[n] != after[n] or n in moved
        }
        write(site, word_files(changed, rank, site, moved))
        made = word_files({n: ({}, w) for n, w in enumerate(after)}, rank)
        assert on_disk(site) == {k: v for k, v in made.items() if v is not None}
        assert None not in made.values()
    if small:
        assert any("-" in p.name for p in site.rglob("terms/*.json"))


def _search_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("search/**/*.json")}


def test_a_rebuild_patches_nodes_as_a_full_build_makes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The starter library, with nodes as a large library has them (a few postings make
    one): a new title (another place in display order) and new words, rebuilt in place,
    give the search files a full build gives."""
    from scenariokit.build.run import build
    from tests.test_build import edit, repo_copy

    monkeypatch.setattr(search_files, "NODE_POSTINGS", 6)
    monkeypatch.setattr(search_files, "PART", 4)
    root = repo_copy(tmp_path)
    build(root, tmp_path / "out")
    site = tmp_path / "out" / "site"
    assert any(p.stem.endswith("-1") for p in (site / "search" / "terms").iterdir())
    tapas = root / "scenarios" / "restaurant" / "tapas-bar-madrid.yaml"
    for step, (old, new) in enumerate(
        [
            ("Ordering Tapas in Madrid", "Ordering tapas in Madrid"),  # the same place
            ("Ordering tapas in Madrid", "Zapas in Madrid"),  # from near the start to the end
        ]
    ):
        edit(tapas, old, new)
        edit(tapas, *(("term: la barra", "term: el mostrador")[:: 1 if step == 0 else -1]))
        assert build(root, tmp_path / "out").rendered == 1
        build(root, tmp_path / f"fresh{step}")
        assert _search_files(site) == _search_files(tmp_path / f"fresh{step}" / "site")
