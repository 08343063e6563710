"""Time each of scenariokit's speed optimisations with and without it, at the sizes users have.

    python bench/optimisations.py [--sizes 30,500,2000,10000] [--only validate,...] [--rounds 3]

Four optimisations, each turned off from here by replacing what the library calls with its
plain alternative (the library's code is not changed):

- the event-based loader (`loader._plain_load`) against the safe-loader path every file
  would otherwise take (`loader._safe_load`: PyYAML's constructor, after its pass over the
  events for anchors and depth), on `scenarios validate`'s work (`validate.validate`);
- the string cache (`tokens.terms` and `tokens.site_terms`, `lru_cache`d) against the
  functions it wraps, on a full build (the cache emptied before each build, as in a new
  process);
- the Jinja lookup override (`theme.environment`'s `getattr`, a dictionary's item first)
  against Jinja's own `Environment.getattr`, on a full build, and on the rendering alone of
  every scenario's page and every listing page, in one process;
- the forked workers (`parallel.map_chunks` and `parallel.Background`) against one process
  (`SCENARIOKIT_JOBS=1`), on `validate` and on a full build.

Sizes: 30 is the starter library (this repository's `scenarios/`); other sizes are
generated (`bench/generate.py`). Everything runs in this process (no start-up time): each
round times the workload with every optimisation on, then with each one off in turn, and a
figure is the best of `--rounds` rounds. Builds write into `--scratch` (default /dev/shm
when there is one), each into a new folder, deleted after it is timed.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import shutil
import sys
import tempfile
import time
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import jinja2

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate
from scenariokit.build import run as build
from scenariokit.check import validate
from scenariokit.files import loader
from scenariokit.website import pages as website
from scenariokit.website import search_files as search_index
from scenariokit.website import theme, tokens

ROOT = Path(__file__).resolve().parents[1]
STARTER = 30  # the starter library: this repository
CACHED = (tokens.terms, tokens.site_terms)


@contextlib.contextmanager
def plain_loader_off() -> Iterator[None]:
    """Every file takes the safe loader's path, as files with tags or anchors do."""

    def step_aside(text: str) -> object:
        raise loader._Unusual

    original = loader._plain_load
    loader._plain_load = step_aside
    try:
        yield
    finally:
        loader._plain_load = original


@contextlib.contextmanager
def string_cache_off() -> Iterator[None]:
    """`terms` and `site_terms` unremembered, wherever they are called from."""
    modules = vars(tokens), vars(search_index)
    cached = [(names, names["site_terms"]) for names in modules] + [(vars(tokens), tokens.terms)]
    for names, function in cached:
        names[function.__name__] = function.__wrapped__
    try:
        yield
    finally:
        for names, function in cached:
            names[function.__name__] = function


@contextlib.contextmanager
def jinja_lookup_off() -> Iterator[None]:
    """The theme's environment looks attributes up as Jinja does: the attribute first."""
    environment = theme.environment()
    environment.getattr = types.MethodType(jinja2.Environment.getattr, environment)  # type: ignore[method-assign]
    try:
        yield
    finally:
        del environment.getattr


@contextlib.contextmanager
def forks_off() -> Iterator[None]:
    """One process: what `SCENARIOKIT_JOBS=1` asks of `map_chunks` and `Background`."""
    before = os.environ.get("SCENARIOKIT_JOBS")
    os.environ["SCENARIOKIT_JOBS"] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ["SCENARIOKIT_JOBS"]
        else:
            os.environ["SCENARIOKIT_JOBS"] = before


Toggle = Callable[[], contextlib.AbstractContextManager[None]]
# Per workload: each optimisation's name and how to turn it off.
OFF: dict[str, list[tuple[str, Toggle]]] = {
    "validate": [("event-based loader", plain_loader_off), ("forked workers", forks_off)],
    "page rendering": [("Jinja lookup override", jinja_lookup_off)],
    "full build": [
        ("string cache", string_cache_off),
        ("Jinja lookup override", jinja_lookup_off),
        ("forked workers", forks_off),
    ],
}


def workloads(root: Path, scratch: Path) -> dict[str, Callable[[], None]]:
    """The timed work on the repository at `root`: each call a complete run."""

    def run_validate() -> None:
        report = validate.validate([root / "scenarios"], root)
        if any(d.severity == "error" for d in report.diagnostics):
            raise SystemExit(f"{root}: validate found errors; the bench needs valid files")

    def run_build() -> None:
        out = Path(tempfile.mkdtemp(dir=scratch)) / "out"
        try:
            build.build(root, out)
        finally:
            shutil.rmtree(out.parent)

    context = website.SiteContext(base="", site_url="", repository_url=None, branch="main")
    entries = [
        website.SiteScenario(
            loader.read_source(path).data, path.relative_to(root).as_posix(), None, None
        )
        for path in sorted((root / "scenarios").rglob("*.yaml"))
    ]

    def run_rendering() -> None:
        for entry in entries:
            website.render_scenario(entry, context, None)
        for page in website.listing_pages([website.card(entry) for entry in entries]):
            page.render(context)

    return {"validate": run_validate, "page rendering": run_rendering, "full build": run_build}


def timed(work: Callable[[], None]) -> float:
    """Seconds one run of `work` takes, from a fresh start: collected, caches empty."""
    for function in CACHED:
        function.cache_clear()
    gc.collect()
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def repository(size: int, scratch: Path) -> Path:
    """The starter library, or a generated repository of `size` files in `scratch`."""
    if size == STARTER:
        return ROOT
    corpus = scratch / f"corpus-{size}"
    generate(size, corpus)
    shutil.copytree(ROOT / "templates", corpus / "templates")
    return corpus


def measure(
    size: int, scratch: Path, rounds: int, only: list[str]
) -> list[tuple[str, str, int, float, float]]:
    """Rows of (optimisation, workload, size, best time with, best time without)."""
    root = repository(size, scratch)
    rows = []
    for name, work in workloads(root, scratch).items():
        if only and name not in only:
            continue
        work()  # untimed: templates compiled, modules imported, files in the page cache
        with_ = []
        without: dict[str, list[float]] = {label: [] for label, _ in OFF[name]}
        for _ in range(rounds):
            with_.append(timed(work))
            for label, off in OFF[name]:
                with off():
                    without[label].append(timed(work))
        rows += [(label, name, size, min(with_), min(times)) for label, times in without.items()]
    if root != ROOT:
        shutil.rmtree(root)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="30,500,2000,10000", help="comma-separated file counts")
    parser.add_argument("--only", help=f"comma-separated, of: {', '.join(OFF)}")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each; the best is kept")
    shm = Path("/dev/shm")
    parser.add_argument("--scratch", type=Path, default=shm if shm.is_dir() else None)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="scenariokit-optimisations-", dir=args.scratch))
    print(f"{os.cpu_count()} cores, best of {args.rounds}, scratch {scratch}", flush=True)
    rows = []
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            rows += measure(size, scratch, args.rounds, args.only.split(",") if args.only else [])
            print(f"  {size:,} files measured", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(scratch)
    print("| optimisation | on | files | with | without | without / with |")
    print("|---|---|---|---|---|---|")
    order = ["event-based loader", "string cache", "Jinja lookup override", "forked workers"]
    for label, name, size, on, off in sorted(rows, key=lambda r: (order.index(r[0]), r[1], r[2])):
        print(f"| {label} | {name} | {size:,} | {on:.3f} s | {off:.3f} s | {off / on:.2f}x |")


if __name__ == "__main__":
    main()
