"""Time `scenarios fmt --check` against `scenarios validate` on the same files.

    python bench/fmt.py [--files 2000] [--corpus bench/corpus-fmt] [--runs 3]

Generates a corpus (bench/generate.py) and formats it once, untimed, as a repository whose
pull requests run `fmt --check` is: every file canonical. Then prints the wall time of the
installed command (start-up included) for `validate` and for `fmt --check` over all files, on
all cores and on one, and their ratio; and `fmt --check` with one file out of the canonical
layout, which takes the slow path through ruamel.yaml for that file only. Each figure is the
best of a few runs. Timings live here, never in the tests.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate
from run import SCRIPT, best_of


def run(args: list[str], jobs: str | None = None, expect: int = 0) -> None:
    """Run the installed command; stop the bench if it exits otherwise than expected."""
    env = {**os.environ, **({"SCENARIOKIT_JOBS": jobs} if jobs else {})}
    result = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if result.returncode != expect:
        raise SystemExit(f"{' '.join(args[:4])} … exited {result.returncode}:\n{result.stdout}")


def canonical_corpus(count: int, corpus: Path) -> list[Path]:
    """`count` generated files in the canonical layout (kept between runs of the bench)."""
    files = sorted(corpus.glob("scenarios/*/*.yaml")) if corpus.exists() else []
    check = [SCRIPT, "--root", str(corpus), "fmt", "--check"]
    if len(files) == count and subprocess.run(check, capture_output=True).returncode == 0:
        return files
    files = generate(count, corpus)
    print(f"formatting {count} generated files once (untimed)…", flush=True)
    run([SCRIPT, "--root", str(corpus), "fmt"])
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--corpus", type=Path, default=Path(__file__).parent / "corpus-fmt")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    corpus: Path = args.corpus
    files = canonical_corpus(args.files, corpus)
    root = [SCRIPT, "--root", str(corpus)]
    validate = [*root, "validate", str(corpus / "scenarios")]
    check = [*root, "fmt", "--check", str(corpus / "scenarios")]
    print(f"{len(files)} canonical files, {os.cpu_count()} cores")
    rows = []
    for cores, jobs in (("all cores", None), ("1 core", "1")):
        validated = best_of(args.runs, lambda jobs=jobs: run(validate, jobs))
        checked = best_of(args.runs, lambda jobs=jobs: run(check, jobs))
        rows += [
            (f"scenarios validate ({cores})", validated, ""),
            (f"scenarios fmt --check ({cores})", checked, f"{checked / validated:5.2f}x validate"),
        ]
    original = files[0].read_text(encoding="utf-8")
    try:
        files[0].write_text(original.replace("\ntitle: ", "\ntitle:  ", 1), encoding="utf-8")
        one_off = best_of(args.runs, lambda: run(check, expect=1))
    finally:
        files[0].write_text(original, encoding="utf-8")
    rows.append(("fmt --check, 1 file to reformat", one_off, ""))
    for label, seconds, ratio in rows:
        print(f"  {label:38s} {seconds:7.3f} s  {ratio}")


if __name__ == "__main__":
    main()
