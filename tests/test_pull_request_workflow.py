"""The pull-request workflow judges a pull request with the base branch's tool, end to end.

The end-to-end tests install the tool NOT editable into a virtual environment (as CI's
`pip install ./base` does: the schema and the theme bundled in the package), build a real
git repository with a base branch and a pull request's branch, clone them as CI's two
checkouts, and run the very script the workflow runs, `.github/scripts/check-pull-request.sh`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO, VALID_TEXT, git, invoke, make_repo

# A module of the tool itself, which a pull request may try to change.
REVIEW_MODULE = "tools/scenariokit/review/pull_request.py"

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
SCRIPT = REPO / ".github" / "scripts" / "check-pull-request.sh"
PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
PIN_COMMENT = re.compile(r"uses:\s*(\S+)\s+# v\d+\.\d+\.\d+\s*$")


def unpinned(text: str) -> list[str]:
    """Every `uses:` of a workflow that is not a full commit SHA with its `# vX.Y.Z` tag."""
    workflow = yaml.safe_load(text)
    uses = [
        item["uses"]
        for job in workflow["jobs"].values()
        for item in [job, *job.get("steps", [])]
        if "uses" in item
    ]
    commented = {m.group(1) for m in map(PIN_COMMENT.search, text.splitlines()) if m}
    return [u for u in uses if not u.startswith("./") and not (PIN.match(u) and u in commented)]


def test_there_are_workflows() -> None:
    assert {w.name for w in WORKFLOWS} >= {"pull-request.yml", "pages.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit(workflow: Path) -> None:
    assert unpinned(workflow.read_text("utf-8")) == []


@pytest.mark.parametrize(
    "bad",
    [
        "actions/checkout@v4",
        "actions/checkout@v4.2.2",
        "actions/checkout@11bd71901bbe5b1630ceea73d2759",  # a short SHA
        "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683",  # no tag comment
    ],
)
def test_the_pin_check_catches(bad: str) -> None:
    text = f"on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: {bad}\n"
    assert unpinned(text) == [bad]


def test_the_workflows_pass_actionlint() -> None:
    actionlint = Path(sys.executable).parent / "actionlint"  # from the test extra
    result = subprocess.run(
        [str(actionlint), *map(str, WORKFLOWS)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_pull_request_workflow_trusts_only_the_base() -> None:
    text = (REPO / ".github" / "workflows" / "pull-request.yml").read_text("utf-8")
    workflow = yaml.safe_load(text)
    code = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    assert not [line for line in code if "pull_request_target" in line]
    assert list(workflow[True]) == ["pull_request"]  # YAML 1.1 reads the key `on` as True
    assert workflow["permissions"] == {"contents": "read"}
    steps = workflow["jobs"]["check"]["steps"]
    assert all("permissions" not in job for job in workflow["jobs"].values())
    checkouts = {s["with"]["path"]: s["with"] for s in steps if "checkout" in s.get("uses", "")}
    assert checkouts["base"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    assert checkouts["head"]["ref"] == "${{ github.event.pull_request.head.sha }}"
    assert checkouts["head"]["fetch-depth"] == 0
    assert all(c["persist-credentials"] is False for c in checkouts.values())
    runs = [s["run"] for s in steps if "run" in s]
    assert runs == [
        "python -m pip install ./base",
        'bash base/.github/scripts/check-pull-request.sh base head "$AUTHOR" preview '
        "review-summary.md",
    ]


# --- end to end ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_tool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tool installed as CI installs it from the base checkout: a real, non-editable
    package (dependencies come from this environment), so its schema and theme are the
    copies bundled in it. Returns the folder of its `scenarios` script."""
    venv = tmp_path_factory.mktemp("base-tool") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", venv], check=True)
    subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "install", "-q", "--no-deps", REPO],
        check=True,
        capture_output=True,
        timeout=300,
    )
    where = subprocess.run(
        [venv / "bin" / "python", "-c", "import scenariokit.check.schema as s;"
         "import scenariokit.website.theme as t; print(s.schema_path()); print(t.theme_dir())"],
        check=True, capture_output=True, text=True, cwd=venv,
    ).stdout.split()  # fmt: skip
    assert all(Path(p).is_relative_to(venv) for p in where), where  # bundled, not REPO's
    return venv / "bin"


def scenario(scenario_id: str, owner: str, **replace: str) -> str:
    text = VALID_TEXT.replace("scenario_id: tapas-bar-madrid", f"scenario_id: {scenario_id}")
    text = text.replace("created_by: octocat", f"created_by: {owner}")
    # A title of its own: files that share one are near-copies (tests/test_copies.py).
    text = text.replace("title: Ordering Tapas in Madrid", f"title: Tapas {scenario_id}")
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return text


TRAP = "import pathlib; pathlib.Path({marker!r}).write_text('ran')\n"


def pull_request(
    tmp_path: Path, edits: dict[str, str], then_on_main: dict[str, str] | None = None
) -> tuple[Path, Path, Path]:
    """A repository with `main` and a pull request's branch of `edits`, and CI's checkouts;
    `then_on_main` is committed on main after the branch left it (the base moved on).

    Every trap a careless workflow could spring is in the pull request too: a package and
    a `sitecustomize` at its root (imported by `python -m` or a script run from there), the
    tool's own `__init__`, and its own copy of the check script. Each writes `marker`.
    Returns (base checkout, head checkout, marker).
    """
    marker = tmp_path / "pull-request-code-ran"
    trap = TRAP.format(marker=str(marker))
    origin = make_repo(
        tmp_path / "origin",
        {
            ".github/CODEOWNERS": "*  @lead\n",
            ".github/scripts/check-pull-request.sh": SCRIPT.read_text("utf-8"),
            "tools/scenariokit/__init__.py": '"""scenariokit."""\n',
            REVIEW_MODULE: (REPO / REVIEW_MODULE).read_text("utf-8"),
            "site/static/style.css": (REPO / "site" / "static" / "style.css").read_text("utf-8"),
            "scenarios/restaurant/octocat-tapas.yaml": scenario("octocat-tapas", "octocat"),
        },
    )
    invoke("--root", origin, "fmt", origin / "scenarios")  # canonical, as fmt --check wants
    git(origin, "init", "-q", "-b", "main")
    git(origin, "add", ".")
    git(origin, "commit", "-qm", "base")
    git(origin, "switch", "-qc", "pull-request")
    traps = {
        "sitecustomize.py": trap,
        "scenariokit/__init__.py": trap,
        "scenariokit/__main__.py": trap,
        "tools/scenariokit/__init__.py": trap,
        ".github/scripts/check-pull-request.sh": f"#!/bin/sh\necho ran > '{marker}'\nexit 0\n",
    }
    for relative, text in {**traps, **edits}.items():
        (origin / relative).parent.mkdir(parents=True, exist_ok=True)
        (origin / relative).write_text(text, encoding="utf-8")
    invoke("--root", origin, "fmt", origin / "scenarios")
    git(origin, "add", ".")
    git(origin, "commit", "-qm", "the pull request")
    if then_on_main:
        git(origin, "switch", "-q", "main")
        for relative, text in then_on_main.items():
            (origin / relative).write_text(text, encoding="utf-8")
        invoke("--root", origin, "fmt", origin / "scenarios")
        git(origin, "commit", "-qam", "main moves on")
    base, head = tmp_path / "base", tmp_path / "head"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "main", f"file://{origin}", "base")
    git(tmp_path, "clone", "-q", "--no-checkout", str(origin), "head")
    git(head, "checkout", "-q", "--detach", "origin/pull-request")
    return base, head, marker


def check(base_tool: Path, base: Path, head: Path, author: str) -> tuple[int, str, str]:
    """Run the workflow's script as the workflow does: exit code, log, job summary.

    The summary file it writes for the comment workflow holds the job summary's text.
    """
    summary = base.parent / f"summary-{author}.md"
    posted = base.parent / f"review-summary-{author}.md"
    result = subprocess.run(
        [
            "bash",
            str(SCRIPT),
            str(base),
            str(head),
            author,
            str(base.parent / "preview"),
            str(posted),
        ],
        cwd=base.parent,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "PATH": f"{base_tool}{os.pathsep}{os.environ['PATH']}",
            "GITHUB_STEP_SUMMARY": str(summary),
        },
        timeout=300,
        check=False,
    )
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert posted.read_text("utf-8") == summary.read_text("utf-8")
    return result.returncode, result.stdout, summary.read_text("utf-8")


def test_a_pull_request_cannot_pass_its_own_review(base_tool: Path, tmp_path: Path) -> None:
    """It rewrites the review to pass everything and the schema to allow its invalid
    scenario, which it adds under someone else's name: the base's tool still fails it."""
    schema = json.loads((REPO / "schemas" / "scenario.schema.json").read_text("utf-8"))
    schema["properties"]["difficulty"]["enum"].append("expert")
    theirs = "scenarios/restaurant/monalisa-expert.yaml"
    base, head, marker = pull_request(
        tmp_path,
        {
            REVIEW_MODULE: (
                "import sys\n\ndef review(*args, **kwargs):\n"
                "    print('all ownership rules hold')\n    sys.exit(0)\n"
            ),
            "schemas/scenario.schema.json": json.dumps(schema, indent=2),
            theirs: scenario(
                "monalisa-expert", "monalisa", **{"difficulty: beginner": "difficulty: expert"}
            ),
        },
    )
    code, log, summary = check(base_tool, base, head, "octocat")
    assert code == 1, log
    assert not marker.exists(), "code from the pull request ran"
    # what needs a maintainer opens the summary, before anything else
    assert summary.startswith("## Scenario review for `octocat`\n\n> [!CAUTION]\n")
    caution = summary.split("### Rules broken")[0]  # the top, before the rules and table
    for path in (REVIEW_MODULE, "schemas/scenario.schema.json", "sitecustomize.py"):
        assert f"| `{path}` |" in caution
    assert f"::error file={REVIEW_MODULE},title=needs a maintainer::" in log
    assert "::error file=schemas/scenario.schema.json,title=needs a maintainer::" in log
    assert f"::error file={theirs},title=add-as-yourself::" in log
    # The log lists every file in text too: a cut summary sends the maintainer there.
    assert f"error: {theirs}: a scenario you add must be yours" in log
    # the base's schema judged the scenario: `expert` is no level
    invalid = [line for line in log.splitlines() if line.startswith(f"::error file={theirs},line=")]
    assert invalid, log
    # Validate's annotations come first: GitHub drops a step's errors past 10, and the
    # review's used them up (found by a hostile review); its rules are in the comment too.
    first = next(line for line in log.splitlines() if line.startswith("::error "))
    assert first == invalid[0]
    assert "difficulty" in invalid[0]
    assert "Validate (scenarios validate --strict-since BASE): failed" in log
    assert "Review ownership (scenarios review): failed" in log


def test_the_theme_and_schema_of_a_pull_request_are_not_used(
    base_tool: Path, tmp_path: Path
) -> None:
    """Its stylesheet and schema edits reach neither the checks nor the preview site; the
    maintainer who owns every file (CODEOWNERS `*  @lead`) gets a passing check."""
    schema = json.loads((REPO / "schemas" / "scenario.schema.json").read_text("utf-8"))
    schema["properties"]["title"]["description"] = "PWNED-SCHEMA"
    base, head, marker = pull_request(
        tmp_path,
        {
            "site/static/style.css": "body { background: url(PWNED-THEME) }\n",
            "site/templates/base.html": "PWNED-THEME {{ 1 }}\n",
            "schemas/scenario.schema.json": json.dumps(schema, indent=2),
            "scenarios/restaurant/octocat-bar.yaml": scenario("octocat-bar", "octocat"),
        },
    )
    code, log, summary = check(base_tool, base, head, "octocat")
    assert code == 1, log
    assert "::error file=site/static/style.css,title=needs a maintainer::" in log
    assert "::error file=site/templates/base.html,title=needs a maintainer::" in log
    site = tmp_path / "preview" / "site"
    assert (site / "scenarios" / "octocat-bar" / "index.html").is_file(), log
    built = [p.read_bytes() for p in site.rglob("*") if p.is_file()]
    assert built
    assert not [b for b in built if b"PWNED" in b]
    assert not marker.exists()
    # the owner of every file passes (the preview folder is the build's own: rebuilt)
    # The summary ends with each check's result: the review's own verdict ("ownership
    # rules hold") read as a pass when a check had failed (found by a hostile review).
    assert "| Review ownership (scenarios review) | ❌ failed |" in summary
    assert "**This pull request does not pass its checks yet**" in summary
    code, log, summary = check(base_tool, base, head, "lead")
    assert code == 0, log
    assert "[!CAUTION]" not in summary
    assert "| Validate (scenarios validate --strict-since BASE) | ✅ passed | |" in summary
    assert "**All checks passed.**" in summary
    assert not marker.exists()
    # the preview opens from its folder, on the scenarios the pull request changes, and
    # the summary says how to open it (tests/test_preview.py opens one in Chromium)
    assert "### Preview" in summary
    assert "unzip it and open `index.html`" in summary
    assert "python3 -m http.server" in summary
    home = (site / "index.html").read_text("utf-8")
    assert 'href="scenarios/octocat-bar/index.html"' in home
    assert "octocat-tapas" not in home.split('id="changes"')[1].split("</section>")[0]


def test_ownership_is_judged_on_the_base_as_it_is_now(base_tool: Path, tmp_path: Path) -> None:
    """octocat branched while the scenario was theirs; main then gave it to monalisa. The
    check (base checkout at main's tip, as CI's base sha) refuses octocat's edit."""
    path = "scenarios/restaurant/octocat-tapas.yaml"
    base, head, marker = pull_request(
        tmp_path,
        {
            path: scenario(
                "octocat-tapas",
                "octocat",
                **{"title: Tapas octocat-tapas": "title: Mine, still ordering"},
            )
        },
        then_on_main={path: scenario("octocat-tapas", "monalisa")},
    )
    code, log, summary = check(base_tool, base, head, "octocat")
    assert code == 1, log
    assert f"::error file={path},title=not-yours::only its owner (monalisa) may edit" in log
    assert "it is theirs on " in summary
    assert not marker.exists()


def test_the_script_refuses_a_tool_from_the_pull_request(tmp_path: Path) -> None:
    head = tmp_path / "head"
    (head / "bin").mkdir(parents=True)
    fake = head / "bin" / "scenarios"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    result = subprocess.run(
        ["bash", str(SCRIPT), str(REPO), str(head), "octocat"],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{head / 'bin'}{os.pathsep}{os.environ['PATH']}"},
        check=False,
    )
    assert result.returncode == 2
    assert "comes from the pull request's checkout" in result.stderr


def test_the_script_writes_no_summary_file_into_the_pull_request(tmp_path: Path) -> None:
    head = make_repo(tmp_path / "head", {})
    result = subprocess.run(
        ["bash", str(SCRIPT), str(REPO), str(head), "octocat", str(tmp_path / "preview"),
         str(head / "review-summary.md")],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "SUMMARY_FILE must be outside the pull request's checkout" in result.stderr
    assert not (head / "review-summary.md").exists()


def test_a_review_that_cannot_run_says_so_in_the_summary(tmp_path: Path) -> None:
    """The pull request's checkout lacks the history (a checkout without fetch-depth: 0)."""
    head = make_repo(tmp_path / "head", {})
    git(head, "init", "-q", "-b", "pr")
    git(head, "add", ".")
    git(head, "commit", "-qm", "only the pull request, no base")
    summary = tmp_path / "summary.md"
    posted = tmp_path / "review-summary.md"
    result = subprocess.run(
        ["bash", str(SCRIPT), str(REPO), str(head), "octocat", str(tmp_path / "preview"), posted],
        capture_output=True,
        text=True,
        env={**os.environ, "GITHUB_STEP_SUMMARY": str(summary)},
        timeout=300,
        check=False,
    )
    assert result.returncode == 1
    assert "cannot find the revision" in result.stderr
    assert summary.read_text("utf-8").startswith("> [!CAUTION]\n> **The review could not run**")
    assert posted.read_text("utf-8") == summary.read_text("utf-8")
    assert "Review ownership (scenarios review): failed" in result.stdout
