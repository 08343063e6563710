"""The search's word files come from one function for both builds (`word_files`).

A full build passes every scenario with no old words; a rebuild passes the scenarios that
changed and the site, whose files it patches. Patched files must equal made ones.
"""

from __future__ import annotations

import random
from pathlib import Path

from scenariokit.website.search_files import word_files

WORDS = [f"{a}{b}{c}" for a in "abc" for b in "xyz" for c in "pq"] + ["abcdef", "abcxyz", "東京"]


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


def test_patched_word_files_equal_made_ones(tmp_path: Path) -> None:
    rng = random.Random(7)
    for round_ in range(30):
        site = tmp_path / str(round_)
        before = [weights(rng) for _ in range(12)]
        write(site, word_files({n: ({}, w) for n, w in enumerate(before)}))
        after = list(before)
        for number in rng.sample(range(12), rng.randint(1, 4)):
            after[number] = weights(rng)
        changed = {n: (before[n], after[n]) for n in range(12) if before[n] != after[n]}
        write(site, word_files(changed, site))
        made = word_files({n: ({}, w) for n, w in enumerate(after)})
        assert on_disk(site) == {k: v for k, v in made.items() if v is not None}
        assert None not in made.values()
