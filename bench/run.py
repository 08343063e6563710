"""Time `scenarios validate` against the floor of parsing the same files.

    python bench/run.py [--files 2000] [--corpus bench/corpus]

Prints, for one generated corpus: the parse-only floor (PyYAML's C loader reading every
file, in this process, on one core), `scenarios validate` wall time (the installed command,
start-up included) on all cores and on one, their ratios to the floor, the wall time of
validating one file, and check-jsonschema's time on the same files when it is installed.
Each figure is the best of a few runs. Timings live here, never in the tests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

SCRIPT = str(Path(sys.executable).parent / "scenarios")


def best_of(runs: int, action: Callable[[], object]) -> float:
    """The fastest of `runs` timings of `action`, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def parse_floor(files: list[Path]) -> None:
    for path in files:
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)


def command(args: list[str], jobs: str | None = None) -> Callable[[], None]:
    env = {**os.environ, **({"SCENARIOKIT_JOBS": jobs} if jobs else {})}

    def run() -> None:
        result = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(args[:4])} … failed:\n{result.stdout[-2000:]}")

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--corpus", type=Path, default=Path(__file__).parent / "corpus")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    corpus: Path = args.corpus
    existing = sorted(corpus.glob("scenarios/*/*.yaml")) if corpus.exists() else []
    files = existing if len(existing) == args.files else generate(args.files, corpus)
    size = sum(p.stat().st_size for p in files) / len(files) / 1024
    validate = [SCRIPT, "--root", str(corpus), "validate", str(corpus / "scenarios")]
    print(
        f"{len(files)} files of {size:.1f} KB on average, {os.cpu_count()} cores, "
        f"PyYAML C loader: {yaml.__with_libyaml__}"
    )

    floor = best_of(args.runs, lambda: parse_floor(files))
    all_cores = best_of(args.runs, command(validate))
    one_core = best_of(args.runs, command(validate, jobs="1"))
    one_file = best_of(5, command([SCRIPT, "--root", str(corpus), "validate", str(files[0])]))
    rows = [
        ("parse-only floor (C loader, 1 core)", floor, 1.0),
        ("scenarios validate (all cores)", all_cores, all_cores / floor),
        ("scenarios validate (1 core)", one_core, one_core / floor),
        ("scenarios validate, one file", one_file, None),
    ]
    checker = shutil.which("check-jsonschema")
    if checker:
        schema = str(Path(__file__).resolve().parents[1] / "schemas" / "scenario.schema.json")
        other = best_of(1, command([checker, "--schemafile", schema, *map(str, files)]))
        rows.append(("check-jsonschema", other, other / floor))
    for label, seconds, ratio in rows:
        shown = f"{ratio:5.2f}x floor" if ratio is not None else ""
        print(f"  {label:38s} {seconds:7.3f} s  {shown}")
    if checker:
        print(
            f"  check-jsonschema / scenarios validate: {other / all_cores:.1f}x "
            f"({other / one_core:.1f}x on one core)"
        )


if __name__ == "__main__":
    main()
