"""How `scenarios build` grows with the library: 1,000, 10,000 and 100,000 scenarios.

    python bench/scale.py [--sizes 1000 10000 100000] [--work /tmp/scale] [--rebuilds 3]

For each size, a corpus in the starter library's shape (`generate.py`, with the
templates), then: one full build into a new folder (wall time, and the peak proportional
set size of the whole process tree, sampled every 50 ms as `build.py` does); then
`--rebuilds` one-file rebuilds of that output, each a different file, with a phrase
changed and with a title changed (the median and the range). It prints a table, the growth
from each size to the next beside the growth of the library, and issue 15's limits: the
largest size's full build at most 11x the time of the size ten times smaller, its peak
under 1 GB, a one-file rebuild under 1 s. Exit status 1 when a limit is not met.

Not in CI: 100,000 scenarios are about 1.1 GB of YAML and several GB of output (use a
disk with room: `--work`), and the full build takes minutes. The machine should be quiet:
the time limits compare two runs, the memory limit is the one that a busy machine does
not move. Figures go in bench/README.md with their date and commit.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import ROOT, SCRIPT, _edit_and_measure, measure, settle
from generate import generate

# Issue 15, point 2.
GROWTH_LIMIT = 11.0  # a library ten times larger: at most 11x the full build's time
PEAK_LIMIT_MB = 1024
REBUILD_LIMIT_S = 1.0


def corpus_of(size: int, work: Path) -> Path:
    """The corpus of `size` scenarios under `work`, generated once and kept for reruns."""
    corpus = work / f"corpus-{size}"
    done = corpus / ".complete"
    if not done.exists():
        shutil.rmtree(corpus, ignore_errors=True)
        generate(size, corpus)
        shutil.copytree(ROOT / "templates", corpus / "templates")
        done.touch()
    return corpus


Timing = tuple[float, float]  # wall seconds, peak MB


@dataclass
class Run:
    """One size's figures."""

    size: int
    full: Timing
    phrase: list[Timing]
    title: list[Timing]


def run_size(size: int, work: Path, rebuilds: int) -> Run:
    """One full build of `size` scenarios, then one-file rebuilds of its output."""
    corpus = corpus_of(size, work)
    out = work / f"out-{size}"
    shutil.rmtree(out, ignore_errors=True)
    build = [SCRIPT, "--root", str(corpus), "build", "--out", str(out)]
    settle()
    full = measure(build)
    files = sorted(corpus.glob("scenarios/*/*.yaml"))
    phrase = [
        _edit_and_measure(build, path, "translation: ", "translation: (changed) ")
        for path in files[:rebuilds]
    ]
    title = [_edit_and_measure(build, p, "\ntitle: ", "\ntitle: New ") for p in files[-rebuilds:]]
    return Run(size, full, phrase, title)


def _spread(runs: list[Timing]) -> str:
    times = [t for t, _ in runs]
    return f"{statistics.median(times):.2f} s ({min(times):.2f}–{max(times):.2f})"


def report(runs: list[Run]) -> bool:
    """Print the table, the growth and the limits; whether every limit is met."""
    print("| scenarios | full build | peak memory | rebuild, a phrase | rebuild, a title |")
    print("|---:|---:|---:|---:|---:|")
    for run in runs:
        seconds, peak = run.full
        print(
            f"| {run.size:,} | {seconds:.1f} s | {peak:,.0f} MB | "
            f"{_spread(run.phrase)} | {_spread(run.title)} |"
        )
    met = True
    for before, after in itertools.pairwise(runs):
        growth = after.full[0] / before.full[0]
        size_growth = after.size / before.size
        print(
            f"{before.size:,} → {after.size:,} scenarios ({size_growth:.0f}x): "
            f"full build {growth:.1f}x"
        )
        if size_growth == 10:
            ok = growth <= GROWTH_LIMIT
            met &= ok
            print(f"    limit {GROWTH_LIMIT:.0f}x: {'met' if ok else 'NOT MET'}")
    largest = runs[-1]
    peak = largest.full[1]
    slowest = max(t for t, _ in [*largest.phrase, *largest.title])
    for label, ok in (
        (f"peak memory {peak:,.0f} MB under {PEAK_LIMIT_MB:,} MB", peak < PEAK_LIMIT_MB),
        (f"slowest one-file rebuild {slowest:.2f} s under {REBUILD_LIMIT_S:.0f} s",
         slowest < REBUILD_LIMIT_S),
    ):  # fmt: skip
        met &= ok
        print(f"{largest.size:,} scenarios: {label}: {'met' if ok else 'NOT MET'}")
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--work", type=Path, default=Path(__file__).parent / "work" / "scale")
    parser.add_argument("--rebuilds", type=int, default=3)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    runs = []
    for size in sorted(args.sizes):
        runs.append(run_size(size, args.work, args.rebuilds))
        print(f"{size:,}: full build {runs[-1].full[0]:.1f} s", flush=True)
    return 0 if report(runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
