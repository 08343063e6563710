"""Reading `validate`'s and `fmt`'s output (issue 17, point 6): what is shown, in what order.

Real files in real repositories, through the CLI and the installed script: `--errors-only`,
errors before warnings, the per-file warning cap, GitHub's annotation budget, and
`fmt --check --diff` (whose diff `git apply` must turn the file into what `fmt` writes).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from scenariokit.check.reporters import ANNOTATIONS_SHOWN, MAX_WARNINGS
from tests.helpers import VALID_TEXT, dump, git, invoke, make_repo, run_installed, valid_doc

HOME = "scenarios/restaurant/tapas-bar-madrid.yaml"


def warned_doc(warnings: int, *, error_at_the_end: bool = False) -> dict[str, Any]:
    """The valid scenario with `warnings` placeholders in phase 1 (a warning each)."""
    doc = valid_doc()
    words = doc["phases"][0]["key_vocabulary"]
    placeholders = [f"TODO: palabra {n}" for n in range(warnings)]
    doc["phases"][0]["key_vocabulary"] = placeholders + words[: max(0, 3 - warnings)]
    if error_at_the_end:
        doc["phases"][-1]["expected_duration_minutes"] = "five"
    return doc


def repo_of(tmp_path: Path, docs: dict[str, dict[str, Any]]) -> Path:
    """A repository holding each document under scenarios/restaurant/<id>.yaml."""
    files = {}
    for scenario_id, doc in docs.items():
        files[f"scenarios/restaurant/{scenario_id}.yaml"] = dump(
            doc | {"scenario_id": scenario_id, "title": f"Tapas {scenario_id}"}
        )
    return make_repo(tmp_path, files)


def problem_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if ": error: " in line or ": warning: " in line]


def test_errors_come_before_warnings_in_each_file(tmp_path: Path) -> None:
    root = repo_of(tmp_path, {"aaa": warned_doc(3, error_at_the_end=True), "bbb": warned_doc(2)})
    result = run_installed("--root", root, "validate", cwd=tmp_path)
    assert result.returncode == 1
    lines = problem_lines(result.stdout)
    severities = [(line.split(":")[0].split("/")[-1], line.split(": ")[1]) for line in lines]
    assert severities == [
        ("aaa.yaml", "error"),
        *[("aaa.yaml", "warning")] * 3,
        *[("bbb.yaml", "warning")] * 2,
    ]
    error_line = int(lines[0].split(":")[1])
    assert error_line > max(int(line.split(":")[1]) for line in lines[1:4])  # it is last
    # JSON keeps the file's position order: a tool sorts as it wishes.
    found = json.loads(
        run_installed("--root", root, "validate", "--format", "json", cwd=tmp_path).stdout
    )
    assert [d["severity"] for d in found][:4] == ["warning"] * 3 + ["error"]


def test_errors_only_leaves_warnings_out_but_counts_them(tmp_path: Path) -> None:
    root = repo_of(tmp_path, {"aaa": warned_doc(3, error_at_the_end=True), "bbb": warned_doc(2)})
    result = run_installed("--root", root, "validate", "--errors-only", cwd=tmp_path)
    assert result.returncode == 1
    assert [line.split(": ")[1] for line in problem_lines(result.stdout)] == ["error"]
    assert result.stdout.endswith("1 error, 5 warnings not shown in 2 files\n")
    as_json = run_installed(
        "--root", root, "validate", "--errors-only", "--format", "json", cwd=tmp_path
    )
    assert [d["code"] for d in json.loads(as_json.stdout)] == ["wrong-type"]
    clean = run_installed(
        "--root",
        root,
        "validate",
        "--errors-only",
        root / "scenarios/restaurant/bbb.yaml",
        cwd=tmp_path,
    )
    assert (clean.returncode, clean.stdout) == (0, "0 errors, 2 warnings not shown in 1 file\n")


def test_errors_only_with_strict_shows_the_warnings_as_the_errors_they_are(
    tmp_path: Path,
) -> None:
    root = repo_of(tmp_path, {"bbb": warned_doc(2)})
    result = run_installed("--root", root, "validate", "--strict", "--errors-only", cwd=tmp_path)
    assert result.returncode == 1
    assert len(problem_lines(result.stdout)) == 2
    assert result.stdout.endswith("2 errors, 0 warnings in 1 file\n")


def test_a_file_shows_its_first_warnings_and_counts_the_rest(tmp_path: Path) -> None:
    many = MAX_WARNINGS + 7
    root = repo_of(tmp_path, {"aaa": warned_doc(many, error_at_the_end=True)})
    result = run_installed("--root", root, "validate", cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert [line.split(": ")[1] for line in problem_lines(result.stdout)] == [
        "error",
        *["warning"] * MAX_WARNINGS,
    ]
    assert lines[-2] == (
        "scenarios/restaurant/aaa.yaml: 7 more warnings not shown (--max-warnings 0 shows them all)"
    )
    assert lines[-1] == f"1 error, {many} warnings in 1 file"  # the summary counts them all
    every = run_installed("--root", root, "validate", "--max-warnings", "0", cwd=tmp_path)
    assert len(problem_lines(every.stdout)) == many + 1
    assert "not shown" not in every.stdout
    three = run_installed("--root", root, "validate", "--max-warnings", "3", cwd=tmp_path)
    assert len(problem_lines(three.stdout)) == 4
    assert f"{many - 3} more warnings not shown" in three.stdout
    as_json = run_installed("--root", root, "validate", "--format", "json", cwd=tmp_path)
    assert len(json.loads(as_json.stdout)) == many + 1  # JSON is never capped
    exactly = repo_of(tmp_path / "exactly", {"aaa": warned_doc(MAX_WARNINGS)})
    shown = run_installed("--root", exactly, "validate", cwd=tmp_path)
    assert len(problem_lines(shown.stdout)) == MAX_WARNINGS
    assert "not shown" not in shown.stdout


def test_a_negative_warning_cap_is_a_usage_error(tmp_path: Path) -> None:
    root = repo_of(tmp_path, {"aaa": warned_doc(1)})
    result = run_installed("--root", root, "validate", "--max-warnings", "-1", cwd=tmp_path)
    assert result.returncode == 2
    assert "--max-warnings" in result.stderr
    assert "Traceback" not in result.stderr


def annotated(stdout: str, severity: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith(f"::{severity} ")]


def annotated_files(lines: list[str]) -> list[str]:
    return [line.split("file=")[1].split(",")[0].split("/")[-1] for line in lines]


def test_github_annotates_everything_when_it_fits(tmp_path: Path) -> None:
    root = repo_of(tmp_path, {"aaa": warned_doc(ANNOTATIONS_SHOWN, error_at_the_end=True)})
    result = invoke("--root", root, "validate", "--format", "github")
    assert len(annotated(result.stdout, "error")) == 1
    assert len(annotated(result.stdout, "warning")) == ANNOTATIONS_SHOWN
    assert "not annotated" not in result.stdout


def test_github_folds_the_rest_of_each_file_into_one_annotation(tmp_path: Path) -> None:
    """Three files of eight errors: the first all eight, the others one annotation each."""
    docs = {name: warned_doc(8) for name in ("aaa", "bbb", "ccc")}
    root = repo_of(tmp_path, docs)
    result = invoke("--root", root, "validate", "--format", "github", "--strict")
    errors = annotated(result.stdout, "error")
    assert len(errors) == ANNOTATIONS_SHOWN
    assert annotated_files(errors) == ["aaa.yaml"] * 8 + ["bbb.yaml", "ccc.yaml"]
    assert "not annotated" not in "".join(errors[:8])
    for folded, name in zip(errors[8:], ("bbb.yaml", "ccc.yaml"), strict=True):
        assert "::8 errors in this file, not annotated (GitHub shows 10 a step); the first" in (
            folded
        )
        assert folded.endswith(f"run `scenarios validate {root}/scenarios/restaurant/{name}`")
    # Every problem is still in the log, and the summary counts them all.
    log = result.stdout.split("Every problem (24):\n")[1]
    assert len(problem_lines(log)) == 24
    assert result.stdout.endswith("24 errors, 0 warnings in 3 files\n")


def test_github_with_more_files_than_annotations(tmp_path: Path) -> None:
    """Twelve files: nine annotated (each folding its rest), the tenth counts three files."""
    docs = {f"f{n:02}": warned_doc(2) for n in range(12)}
    root = repo_of(tmp_path, docs)
    result = invoke("--root", root, "validate", "--format", "github")
    warnings = annotated(result.stdout, "warning")
    assert len(warnings) == ANNOTATIONS_SHOWN
    assert annotated(result.stdout, "error") == []
    assert annotated_files(warnings) == [f"f{n:02}.yaml" for n in range(10)]
    assert all("::2 warnings in this file, not annotated" in w for w in warnings[:9])
    assert (
        "::6 warnings in 3 more files are not annotated (GitHub shows 10 a step)" in (warnings[-1])
    )


def test_github_budgets_errors_and_warnings_apart(tmp_path: Path) -> None:
    root = repo_of(tmp_path, {"aaa": warned_doc(15, error_at_the_end=True)})
    result = run_installed("--root", root, "validate", "--format", "github", cwd=tmp_path)
    assert len(annotated(result.stdout, "error")) == 1
    warnings = annotated(result.stdout, "warning")
    assert len(warnings) == ANNOTATIONS_SHOWN
    assert "::6 more warnings in this file, not annotated" in warnings[-1]


def unformatted(tmp_path: Path) -> Path:
    """A repository whose one file has comments, non-ASCII text and flow-style lists."""
    text = VALID_TEXT.replace(
        "title: Ordering Tapas in Madrid", "title: Ordering Tapas in Madrid  # ¡olé!"
    )
    assert "prerequisites: [" in text
    root = make_repo(tmp_path, {HOME: text})
    git(root, "init", "-q")
    return root


@pytest.mark.parametrize("options", [["--check", "--diff"], ["--diff"]])
def test_fmt_diff_shows_what_would_change_and_writes_nothing(
    tmp_path: Path, options: list[str]
) -> None:
    root = unformatted(tmp_path)
    before = (root / HOME).read_bytes()
    result = run_installed("--root", root, "fmt", *options, cwd=root)
    assert result.returncode == 1
    assert (root / HOME).read_bytes() == before
    lines = result.stdout.splitlines()
    assert lines[:3] == [f"would reformat {HOME}", f"--- a/{HOME}", f"+++ b/{HOME}"]
    assert "-prerequisites: [Numbers 1-20, Basic greetings]" in lines
    assert "+  - Numbers 1-20" in lines
    assert result.stdout.endswith(
        "1 file would be reformatted, 0 files already formatted: run `scenarios fmt` and commit\n"
    )
    # The diff is what `fmt` writes: applied, it makes the same file.
    patch = result.stdout.split("\n", 1)[1].rsplit("1 file would be", 1)[0]
    subprocess.run(["git", "apply", "-"], input=patch, text=True, cwd=root, check=True)
    applied = (root / HOME).read_bytes()
    (root / HOME).write_bytes(before)
    assert run_installed("--root", root, "fmt", cwd=root).returncode == 0
    assert (root / HOME).read_bytes() == applied
    assert "# ¡olé!" in applied.decode()


def test_fmt_diff_on_canonical_files_prints_no_diff(tmp_path: Path) -> None:
    root = unformatted(tmp_path)
    assert run_installed("--root", root, "fmt", cwd=root).returncode == 0
    result = run_installed("--root", root, "fmt", "--check", "--diff", cwd=root)
    assert (result.returncode, result.stdout) == (
        0,
        "0 files would be reformatted, 1 file already formatted\n",
    )
