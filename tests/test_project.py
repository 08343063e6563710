"""The project keeps its own promises: its files validate, CI runs the README's tests and lint,
one version, a changelog.

Lint itself (ruff, ruff format, mypy) runs in CI's lint job and in pre-commit, not here: the
tests below hold the workflow and the hooks to it.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

import scenariokit
from tests.helpers import REPO, invoke


def test_the_repository_validates_strictly() -> None:
    result = invoke("--root", REPO, "validate", "--strict")
    assert result.exit_code == 0, result.stdout


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^(?:\$ )?(.*pytest.*)$", readme.split("## ", 2)[1], re.MULTILINE)
    assert commands, "the README's quick start names no test command"
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[0] in ci.splitlines()


TESTS_WORKFLOW = REPO / ".github" / "workflows" / "tests.yml"
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
LINT = [
    "ruff check tools tests bench",
    "ruff format --check tools tests bench",
    "mypy tools/scenariokit tests",
]


def workflow_steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    """Every step of every job, in order."""
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_github_runs_the_tests_on_every_push_and_pull_request() -> None:
    workflow = yaml.safe_load(TESTS_WORKFLOW.read_text(encoding="utf-8"))
    assert set(workflow[True]) == {"push", "pull_request"}  # YAML 1.1 reads `on` as True
    assert workflow[True]["push"] is None  # every branch, not only main
    assert workflow["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in workflow["jobs"].values())
    steps = workflow_steps(workflow)
    assert [s["run"] for s in steps if ".ci/run" in s.get("run", "")] == ["bash .ci/run"]
    uses = [s["uses"] for s in steps if "uses" in s]
    assert uses
    assert [u for u in uses if not SHA_PIN.match(u)] == []
    checkouts = [s for s in steps if s.get("uses", "").startswith("actions/checkout@")]
    assert all(s["with"]["persist-credentials"] is False for s in checkouts)


def test_ci_pre_commit_and_readme_run_the_same_lint() -> None:
    workflow = yaml.safe_load(TESTS_WORKFLOW.read_text(encoding="utf-8"))
    runs = [s["run"] for s in workflow_steps(workflow) if "run" in s]
    assert [r for r in runs if r.split()[0] in {"ruff", "mypy"}] == LINT
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert hooks["ruff"]["entry"].startswith("ruff check")
    assert hooks["ruff-format"]["entry"].startswith("ruff format")
    assert hooks["mypy"]["entry"] == LINT[2]  # the package and the tests, as CI checks them
    assert hooks["mypy"]["pass_filenames"] is False
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "pre-commit run --all-files" in readme
    assert all(command in readme for command in LINT)


def test_the_version_is_written_once() -> None:
    """pyproject.toml takes the version from the package (hatchling's [tool.hatch.version]),
    so the installed metadata, `scenarios --version` and the build's fingerprint agree."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"] == {"path": "tools/scenariokit/__init__.py"}
    assert importlib.metadata.version("scenariokit") == scenariokit.__version__
    assert invoke("--version").stdout == f"scenarios, version {scenariokit.__version__}\n"


def test_the_changelog_names_this_version() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## \[([^\]]+)\]", changelog, re.MULTILINE)
    assert releases[:2] == ["Unreleased", scenariokit.__version__]
    assert "](CHANGELOG.md)" in (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_quick_start_has_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:sh|bash|console)\n(.*?)```", quick_start, re.DOTALL)
    assert block is not None
    lines = [line for line in block.group(1).splitlines() if line and not line.startswith("#")]
    assert len(lines) == 2
    assert "scenarios " in lines[0]
    assert "pytest" in lines[1]


@pytest.mark.parametrize(
    ("shape", "least", "most"),
    [("library", 8_000, 16_000), ("synthetic", 2_000, 10_000)],  # about 11 and 5.5 KB
)
def test_the_benchmark_corpus_is_valid(tmp_path: Path, shape: str, least: int, most: int) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(REPO / "bench"))
    written = generate(25, tmp_path / "corpus", shape=shape)
    assert len(written) == 25
    sizes = sorted(p.stat().st_size for p in written)
    assert least < sizes[len(sizes) // 2] < most
    result = invoke("--root", tmp_path / "corpus", "validate", "--strict")
    assert result.exit_code == 0, result.stdout
    assert result.stdout == "0 errors, 0 warnings in 25 files\n"


def test_the_starter_library_is_complete() -> None:
    """Three system scenarios per category, five languages or more, every level, translated."""
    from collections import Counter

    import yaml

    docs = [
        yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in sorted((REPO / "scenarios").rglob("*.yaml"))
    ]
    assert len(docs) >= 30
    per_category = Counter(d["category"] for d in docs)
    assert len(per_category) == 10
    assert min(per_category.values()) >= 3
    assert len({d["language"].split("-")[0] for d in docs}) >= 5
    assert {d["difficulty"] for d in docs} == {"beginner", "intermediate", "advanced"}
    for doc in docs:
        assert (doc["created_by"], doc["is_system_scenario"]) == ("maintainers", True)
        entries = [e for p in doc["phases"] for e in p["key_vocabulary"] + p["essential_phrases"]]
        untranslated = [e for e in entries if not isinstance(e, dict) or not e.get("translation")]
        assert untranslated == [], doc["scenario_id"]


def test_only_the_command_line_imports_click() -> None:
    """The library is plain functions: a command parses options and makes one call."""
    package = REPO / "tools" / "scenariokit"
    importers = set()
    for module in package.rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text("utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(name.split(".")[0] == "click" for name in names):
                importers.add(module.relative_to(package).as_posix())
    assert importers == {"cli.py"}


# The package's capabilities, each importing only those before it (and the shared modules).
CAPABILITIES = ["files", "check", "website", "build", "author", "review"]
SHARED = {"cli", "errors", "escape", "parallel", "memory", "models", "entry_fields"}


def test_the_package_is_laid_out_by_capability() -> None:
    """Its folders name what it does, each says so, and imports go one way between them."""
    package = REPO / "tools" / "scenariokit"
    folders = {p.name for p in package.iterdir() if (p / "__init__.py").is_file()}
    assert folders == set(CAPABILITIES)
    top = {p.stem for p in package.glob("*.py")} - {"__init__", "__main__"}
    assert top == SHARED
    for module in package.rglob("*.py"):
        tree = ast.parse(module.read_text("utf-8"))
        assert ast.get_docstring(tree) or module.name == "__main__.py", module
        here = module.relative_to(package).parts
        if len(here) == 1:
            continue
        allowed = set(CAPABILITIES[: CAPABILITIES.index(here[0]) + 1]) | SHARED
        for node in ast.walk(tree):
            name = (node.module or "") if isinstance(node, ast.ImportFrom) else ""
            if name.startswith("scenariokit."):
                assert name.split(".")[1] in allowed, (module.name, name)


def test_the_developing_guide_names_modules_that_exist() -> None:
    """DEVELOPING.md's picture and recipes name real modules and functions, so a move or a
    rename that forgets the guide fails here."""
    guide = (REPO / "DEVELOPING.md").read_text("utf-8")
    package = REPO / "tools" / "scenariokit"
    modules = {p.stem for p in package.rglob("*.py")}
    for file in set(re.findall(r"`((?:[a-z_]+/)*[a-z_]+)\.py`", guide)):
        assert (package / f"{file}.py").is_file() or (REPO / f"{file}.py").is_file(), file
    for module, name in set(re.findall(r"`([a-z_]+)\.([a-z_]+)`", guide)):
        if module in modules and name != "py":
            source = next(package.rglob(f"{module}.py")).read_text("utf-8")
            assert re.search(rf"^(?:def|class) {name}\b|^{name}\b", source, re.M), (module, name)
    named = set(re.findall(r"`([a-z_]+)`", guide)) | set(re.findall(r"\b([a-z_]+)\.py\b", guide))
    unnamed = sorted(m for m in modules - {"__init__", "__main__"} if m not in named)
    assert unnamed == [], "DEVELOPING.md's module map misses these modules"
