"""The search's word files: a full build makes them (`group_word_files`, `keys_files`), a
rebuild patches them (`word_files`) with the scenarios that changed. Patched files must
equal made ones, with leaves and nodes (prefixes split by a longer one, their results in
parts) alike. Ties are broken by number (id order), so a new title changes the files of
its own words only.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from pathlib import Path

import pytest

from scenariokit.website import search_files
from scenariokit.website.search_files import (
    WORD_GROUPS,
    Listed,
    group_word_files,
    keys_files,
    word_files,
    word_groups,
)

WORDS = [f"{a}{b}{c}" for a in "abc" for b in "xyz" for c in "pq"] + ["abcdef", "abcxyz", "東京"]
WORDS += ["axp", "axpa", "axpab", "axpb", "axpbc", "axq"]  # a key of long words: nodes


def weights(rng: random.Random) -> dict[str, int]:
    return {w: rng.randint(1, 20) for w in rng.sample(WORDS, rng.randint(0, 8))}


def all_word_files(groups: list[list[dict[str, int]]], count: int) -> dict[str, bytes]:
    """The word files of these groups of words (each every scenario's weights in it), made as
    the full build makes them (its workers each a group's, then the keys files)."""
    files: dict[str, bytes] = {}
    found: list[Listed] = []
    for weights in groups:
        listed: Listed = {}
        files.update(group_word_files(weights, count, listed))
        found.append(listed)
    return files | keys_files(found)


def made(weights: list[dict[str, int]], count: int) -> dict[str, bytes]:
    """A full build's word files: its scenarios' words a group at a time, as it reads them."""
    split = [word_groups(w) for w in weights]
    return all_word_files([[s[g] for s in split] for g in range(WORD_GROUPS)], count)


def write(site: Path, files: Mapping[str, bytes | None]) -> None:
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
        write(site, made(before, count))
        assert made(before, count) == all_word_files([before], count)  # one group
        after = list(before)
        for number in rng.sample(range(count), rng.randint(1, 4)):
            after[number] = weights(rng)
        changed = {n: (before[n], after[n]) for n in range(count) if before[n] != after[n]}
        write(site, word_files(changed, count, site))
        assert on_disk(site) == made(after, count)
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


def test_a_new_title_rewrites_the_files_of_its_own_changed_words_only(tmp_path: Path) -> None:
    """Results that score alike come in id order: a title that moves its scenario from the
    middle of the home page's listing to its end changes the search files of the words
    it drops and adds (and the listing's), not those of every word the scenario has."""
    from scenariokit.build.run import build
    from tests.test_build import edit, repo_copy

    root = repo_copy(tmp_path)
    build(root, tmp_path / "out")
    site = tmp_path / "out" / "site"
    before = _search_files(site)
    edit(root / "scenarios/restaurant/tapas-bar-madrid.yaml", "Ordering Tapas in", "Zapas in")
    assert build(root, tmp_path / "out").rendered == 1
    after = _search_files(site)
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    terms = {p for p in changed if p.startswith("search/terms/")}
    prefixes = {bytes.fromhex(p.split("/")[-1].split(".")[0].split("-")[0]).decode() for p in terms}
    assert prefixes
    assert all(any(w.startswith(p) for w in ("ordering", "tapas", "zapas")) for p in prefixes)
    assert "search/order/0.json" in changed  # the listing: the title's new place
