"""Time `scenarios validate --spelling` against `validate` and the parse floor.

    python bench/spelling.py [--files 10000] [--corpus bench/work/corpus] [--runs 3]

Prints, for one generated corpus: the parse-only floor (PyYAML's C loader, one core),
`scenarios validate` and `scenarios validate --spelling` (the installed command, start-up
included) on all cores and on one, their ratios to the floor; `--spelling` on one file; and,
in this process, each installed dictionary's load time and the words checked a second on a
scenario's words. Needs the spelling extra and the Hunspell dictionaries (README). Each
figure is the best of a few runs. Timings live here, never in the tests.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate
from run import SCRIPT, best_of, command, parse_floor
from scenariokit.check.spelling import NOT_CHECKED, WORD, Dictionaries, spelling_findings


def dictionary_costs(files: list[Path]) -> None:
    """Per language: the dictionary's load time, and its words checked a second uncached."""
    by_language: dict[str, Path] = {}
    for path in files:
        tag = yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader).get("language")
        by_language.setdefault(tag, path)
    for tag, path in sorted(by_language.items()):
        if tag.split("-")[0] in NOT_CHECKED:
            print(f"  {tag:8s} not checked")
            continue
        dictionaries = Dictionaries()
        start = time.perf_counter()
        found = dictionaries.dictionary(tag)
        loaded = time.perf_counter() - start
        if isinstance(found, str):
            print(f"  {tag:8s} not checked")
            continue
        text = path.read_text()
        words = WORD.findall(text)
        start = time.perf_counter()
        for word in words:
            found[0].check(word)
        per_word = (time.perf_counter() - start) / len(words)
        print(
            f"  {tag:8s} {found[1]:6s} load {loaded * 1000:5.0f} ms, "
            f"{per_word * 1e6:5.1f} µs a word uncached"
        )


def in_process(files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        text = path.read_text()
        spelling_findings(yaml.load(text, Loader=yaml.CSafeLoader), text)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10000)
    parser.add_argument("--corpus", type=Path, default=Path(__file__).parent / "work" / "corpus")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    corpus: Path = args.corpus
    existing = sorted(corpus.glob("scenarios/*/*.yaml")) if corpus.exists() else []
    files = existing if len(existing) == args.files else generate(args.files, corpus)
    validate = [SCRIPT, "--root", str(corpus), "validate", str(corpus / "scenarios")]
    spelled = [*validate, "--spelling"]
    print(f"{len(files)} files, {os.cpu_count()} cores")
    print("dictionaries (in process):")
    dictionary_costs(files)

    floor = best_of(args.runs, lambda: parse_floor(files))
    rows = [
        ("parse-only floor (C loader, 1 core)", floor),
        ("validate (all cores)", best_of(args.runs, command(validate))),
        ("validate --spelling (all cores)", best_of(args.runs, command(spelled))),
        ("validate (1 core)", best_of(args.runs, command(validate, jobs="1"))),
        ("validate --spelling (1 core)", best_of(args.runs, command(spelled, jobs="1"))),
        ("spelling alone, in process (1 core)", best_of(1, lambda: in_process(files))),
        (
            "validate --spelling, one file",
            best_of(
                5, command([SCRIPT, "--root", str(corpus), "validate", "--spelling", str(files[0])])
            ),
        ),
    ]
    for label, seconds in rows:
        print(f"  {label:38s} {seconds:7.3f} s  {seconds / floor:5.2f}x floor")


if __name__ == "__main__":
    main()
