"""The project keeps its own promises: its files validate, CI runs the README's tests, lint."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, invoke


def test_the_repository_validates_strictly() -> None:
    result = invoke("--root", REPO, "validate", "--strict")
    assert result.exit_code == 0, result.stdout


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^(?:\$ )?(.*pytest.*)$", readme.split("## ", 2)[1], re.MULTILINE)
    assert commands, "the README's quick start names no test command"
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[0] in ci.splitlines()


def test_readme_quick_start_has_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:sh|bash|console)\n(.*?)```", quick_start, re.DOTALL)
    assert block is not None
    lines = [line for line in block.group(1).splitlines() if line and not line.startswith("#")]
    assert len(lines) == 2
    assert "scenarios " in lines[0]
    assert "pytest" in lines[1]


def test_the_benchmark_corpus_is_valid(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(REPO / "bench"))
    written = generate(25, tmp_path / "corpus")
    assert len(written) == 25
    sizes = sorted(p.stat().st_size for p in written)
    assert 2_000 < sizes[len(sizes) // 2] < 10_000  # "5 KB-ish"
    result = invoke("--root", tmp_path / "corpus", "validate", "--strict")
    assert result.exit_code == 0, result.stdout
    assert result.stdout == "0 errors, 0 warnings in 25 files\n"


def test_the_library_type_checks() -> None:
    mypy = str(Path(sys.executable).parent / "mypy")  # installed by the test extra
    result = subprocess.run(
        [mypy, "tools/scenariokit"], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout


def test_code_is_ruff_clean() -> None:
    ruff = str(Path(sys.executable).parent / "ruff")  # installed by the test extra
    for args in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [ruff, *args, "tools", "tests", "bench"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


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
