"""Time `scenarios build` on a generated corpus, and Hugo on the same pages when installed.

    python bench/build.py [--files 10000] [--rounds 3] [--scratch /dev/shm]

Prints, for N generated scenarios: full builds (wall time and peak memory of the whole
process tree), `--rounds` of each tool taken in turn so that a slow minute on a shared
machine slows every tool, with the median and the range; when Debian's `hugo` is on the
PATH, Hugo's builds of the same scenarios as content pages (see `hugo_site`): reduced pages
of the scenario's fields only, then the same pages as ours (layouts in `bench/hugo/`), then
those with a JSON file beside each page as the API has, and the ratios of the medians;
then rebuilds of the first output with nothing changed, and after one file
changed, each a different file, once in a phrase (its page and search words change) and
once in its title (its listings too): the median and range of five of each.

Every full build writes into a new, empty folder, and nothing is deleted between them (see
`settle`). Memory is the peak of the summed proportional set size of the process tree
(pages shared by forked workers count once). Timings live here, never in tests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import DUMPER, generate
from scenariokit.check.languages import language_name
from scenariokit.website.pages import category_name

ROOT = Path(__file__).resolve().parents[1]
HUGO_LAYOUTS = Path(__file__).resolve().parent / "hugo" / "layouts"
SCRIPT = str(Path(sys.executable).parent / "scenarios")
RUNS = 5
# As installed tools run: with Python's bytecode cache. A shell with PYTHONDONTWRITEBYTECODE
# (this machine sets it) would have an editable install compile every module on every run,
# a large part of a rebuild; `pip install .` compiles them once, at install.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

HUGO_LAYOUT = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{{ .Title }}</title></head><body><main><h1>{{ .Title }}</h1><p>{{ .Params.description }}</p>
<dl><dt>You are</dt><dd>{{ .Params.user_role }}</dd><dt>Partner</dt><dd>{{ .Params.ai_role }}</dd>
<dt>Setting</dt><dd>{{ .Params.setting }}</dd></dl>
{{ range $i, $p := .Params.phases }}<section><h2>{{ add $i 1 }} {{ $p.name }}</h2>
<p>{{ $p.description }}</p><h3>Key vocabulary</h3><dl>
{{ range $p.key_vocabulary }}<div><dt lang="{{ $.Params.language }}">{{ .term }}</dt>
<dd>{{ .translation }} {{ .note }}</dd></div>{{ end }}</dl><h3>Essential phrases</h3><dl>
{{ range $p.essential_phrases }}<div><dt lang="{{ $.Params.language }}">{{ .text }}</dt>
<dd>{{ .translation }}</dd></div>{{ end }}</dl><ul>{{ range $p.learning_objectives }}
<li>{{ . }}</li>{{ end }}</ul><p>{{ $p.cultural_notes }}</p></section>{{ end }}</main></body></html>
"""


def settle() -> None:
    """Let the file system forget recent deletions before the full builds are timed.

    This machine's ext4 has no journal, and there a new inode steps over every inode
    deleted in the last 60 seconds, or 360 if its block of the inode table is dirty
    (`recently_deleted` in a kernel profile, up to 15% of a build's samples): creating the
    files of a build right after deleting a previous one cost several times the kernel
    time it cost a minute later (bench/README.md). So the bench deletes
    before it waits, and then only writes into new folders until it is done. A deletion in
    the minutes before the bench can still slow both tools; `--scratch /dev/shm` leaves the
    disk out of the comparison.
    """
    os.sync()
    time.sleep(65)


def measure(args: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak memory (MB, proportional set size) of a command and its processes."""
    started = time.perf_counter()
    process = subprocess.Popen(
        args, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.wait(0.05):
            peak = max(peak, _tree_memory(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, errors = process.communicate()
    stop.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{args[0]} failed:\n{errors.decode()[-2000:]}")
    return time.perf_counter() - started, peak / 1024


def _tree_memory(pid: int) -> int:
    """Memory (KB) of a process and its descendants, from /proc.

    Proportional set size: a page shared by forked workers counts once in all, where
    summing resident sizes would count it in each process.
    """
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            total += int(
                next(line.split()[1] for line in rollup.splitlines() if line.startswith("Pss:"))
            )
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                pending += [int(child) for child in children]
        except (OSError, StopIteration, ValueError):
            continue
    return total


def _edit_and_measure(command: list[str], path: Path, old: str, new: str) -> tuple[float, float]:
    """Change one file, then time the rebuild."""
    text = path.read_text("utf-8")
    assert old in text, f"{path} has no {old!r}"
    path.write_text(text.replace(old, new, 1), "utf-8")
    return measure(command)


def hugo_site(
    corpus: Path, target: Path, *, same_pages: bool = True, with_json: bool = False
) -> Path:
    """The corpus as a Hugo site: one content page per public scenario, with its fields.

    `same_pages`: the layouts in `bench/hugo/`, the site's templates ported to Hugo's, so
    that Hugo writes the same pages: the same markup (base layout, breadcrumbs, role-play
    prompt, listen buttons), the home page with its filters, a page per topic and per
    language listing their scenarios, the sitemap and the site's assets. Otherwise the
    reduced page this bench began with: the scenario's fields only, without the layout
    around them (2.9 KB against 10 KB for the same scenario). `with_json` adds a JSON file
    of each scenario's fields beside its page, as the site's API does. The layouts read
    vocabulary and phrases as mappings, as the generator writes them all, with readings as
    ruby and the partner's lines apart ("You will hear"), as the site shows them.
    """
    shutil.rmtree(target, ignore_errors=True)
    if same_pages:
        shutil.copytree(HUGO_LAYOUTS, target / "layouts")
        shutil.copytree(ROOT / "site" / "static", target / "static" / "assets")
        config = (
            'baseURL = "/"\ndisableKinds = ["RSS", "section", "404"]\n'
            '[taxonomies]\ncategory = "categories"\nlanguage = "languages"\n'
        )
    else:
        (target / "layouts" / "_default").mkdir(parents=True)
        (target / "layouts" / "_default" / "single.html").write_text(HUGO_LAYOUT)
        (target / "layouts" / "_default" / "list.html").write_text(
            "<ul>{{ range .Pages }}<li>{{ .Title }}</li>{{ end }}</ul>"
        )
        config = 'baseURL = "/"\ndisableKinds = ["taxonomy", "term"]\n'
    if with_json:
        config += '[outputs]\npage = ["HTML", "JSON"]\n'  # tables come after the keys
        (target / "layouts" / "_default" / "single.json").write_text("{{ .Params | jsonify }}")
    (target / "config.toml").write_text(config)
    content = target / "content" / "scenarios"
    content.mkdir(parents=True)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in sorted(corpus.glob("scenarios/*/*.yaml")):
        doc = yaml.load(path.read_text("utf-8"), Loader=loader)
        if doc.get("is_public", True):
            if same_pages:  # what the site looks up besides the file, and the taxonomies
                doc |= {
                    "language_name": language_name(doc["language"]),
                    "category_name": category_name(doc["category"]),
                    "categories": [doc["category"]],
                    "languages": [doc["language"]],
                }
            front = yaml.dump(doc, Dumper=DUMPER, allow_unicode=True, sort_keys=False)
            (content / f"{doc['scenario_id']}.md").write_text(f"---\n{front}---\n")
    return target


def _line(label: str, runs: list[tuple[float, float]]) -> str:
    """The median time, the peak memory and the range of some runs of one command."""
    times = sorted(t for t, _ in runs)
    return (
        f"  {label:32}  {statistics.median(times):6.2f} s  {max(m for _, m in runs):6.0f} MB"
        f"   (median of {len(times)}: {times[0]:.2f} to {times[-1]:.2f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10000)
    parser.add_argument("--work", type=Path, default=Path(__file__).parent / "work")
    parser.add_argument("--rounds", type=int, default=3, help="full builds of each tool")
    parser.add_argument(
        "--scratch", type=Path, help="where builds write (default: --work); /dev/shm: no disk"
    )
    args = parser.parse_args()
    corpus = args.work / "corpus"
    runs = (args.scratch or args.work) / "runs"
    generate(args.files, corpus)
    shutil.copytree(ROOT / "templates", corpus / "templates")
    # Each tool: its command, given the folder to build into, and the folder to run it in.
    tools: dict[str, Callable[[Path], tuple[list[str], Path | None]]] = {
        "scenarios build": lambda out: (
            [SCRIPT, "--root", str(corpus), "build", "--out", str(out)],
            None,
        )
    }
    hugo = shutil.which("hugo")
    if hugo:
        for label, same_pages, with_json in (
            ("hugo, reduced pages", False, False),
            ("hugo, same pages", True, False),
            ("hugo, same pages + JSON files", True, True),
        ):
            site = hugo_site(
                corpus, args.work / f"hugo-{len(tools)}", same_pages=same_pages, with_json=with_json
            )
            tools[label] = lambda out, site=site: ([hugo, "--quiet", "-d", str(out)], site)
    shutil.rmtree(runs, ignore_errors=True)
    settle()
    full: dict[str, list[tuple[float, float]]] = {label: [] for label in tools}
    for round_ in range(args.rounds):  # in turn, so that a slow minute slows every tool
        for number, (label, command) in enumerate(tools.items()):
            full[label].append(measure(*command(runs / f"{number}-{round_}")))
    build = tools["scenarios build"](runs / "0-0")[0]
    files = sorted(corpus.glob("scenarios/*/*.yaml"))
    unchanged = [measure(build) for _ in range(RUNS)]
    phrase = [
        _edit_and_measure(build, path, "translation: ", "translation: (changed) ")
        for path in files[:RUNS]
    ]
    title = [_edit_and_measure(build, p, "\ntitle: ", "\ntitle: New ") for p in files[-RUNS:]]
    print(f"{args.files} scenarios, full builds into new folders in {runs}, in turn:")
    for label, timings in full.items():
        print(_line(label, timings))
    ours = full.pop("scenarios build")
    for label, timings in full.items():
        time_ratio = statistics.median(t for t, _ in ours) / statistics.median(
            t for t, _ in timings
        )
        memory_ratio = max(m for _, m in ours) / max(m for _, m in timings)
        print(f"    scenarios build / {label}: time {time_ratio:.2f}x, memory {memory_ratio:.2f}x")
    print("scenarios build, rebuilds of the first output:")
    print(_line("nothing changed", unchanged))
    print(_line("a phrase of one file changed", phrase))
    print(_line("the title of one file changed", title))
    shutil.rmtree(runs, ignore_errors=True)


if __name__ == "__main__":
    main()
