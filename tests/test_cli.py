"""The command line as users and CI meet it: formats, exit codes, terminals, the script."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import click
import pytest

from scenariokit.check.diagnostics import Diagnostic, Report
from scenariokit.check.reporters import GithubReporter, TextReporter
from scenariokit.check.validate import FILES_PER_PROCESS, check, validate
from scenariokit.cli import cli
from scenariokit.files.repository import read_catalog
from tests.helpers import (
    VALID_TEXT,
    dump,
    installed_command,
    invoke,
    make_repo,
    run_in_terminal,
    run_installed,
    valid_doc,
)

HOME = "scenarios/restaurant/tapas-bar-madrid.yaml"
BAD = VALID_TEXT.replace("difficulty: beginner", "difficulty: easy").replace(
    "language: es", "language: no"
)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def mixed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository (the current folder) with a valid file, one with two errors, one warned."""
    warned = (
        VALID_TEXT.replace("tapas-bar-madrid", "tapas-again")
        .replace("Ordering Tapas in Madrid", "Tapas again")  # not a near-copy
        .replace("expected_duration_minutes: 8", "expected_duration_minutes: 9")
    )
    root = make_repo(
        tmp_path,
        {
            HOME: VALID_TEXT,
            "scenarios/restaurant/tapas-bad.yaml": BAD.replace(
                "tapas-bar-madrid", "tapas-bad"
            ).replace("Ordering Tapas in Madrid", "Bad tapas"),
            "scenarios/restaurant/tapas-again.yaml": warned,
        },
    )
    monkeypatch.chdir(root)
    return root


def test_text_format_lists_problems_and_a_summary(mixed: Path) -> None:
    result = invoke("--root", mixed, "validate")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines == [
        "scenarios/restaurant/tapas-again.yaml:7:21: warning: the phases add up to 16 minutes "
        "but estimated_duration is 15: make them agree [duration-mismatch]",
        "scenarios/restaurant/tapas-bad.yaml:6:13: error: difficulty must be one of beginner, "
        'intermediate, advanced, not "easy" [not-allowed]',
        "scenarios/restaurant/tapas-bad.yaml:8:11: error: language must be text, not false; "
        "YAML reads the unquoted no as the boolean false: put it in quotes, 'no' [wrong-type]",
        "2 errors, 1 warning in 3 files",
    ]


def test_paths_are_shown_relative_to_the_current_folder(
    mixed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(mixed / "scenarios")
    result = invoke("validate", "restaurant/tapas-bad.yaml")
    assert result.stdout.startswith("restaurant/tapas-bad.yaml:6:13: error:")
    assert result.stdout.endswith("2 errors, 0 warnings in 1 file\n")


def test_json_format_is_one_document(mixed: Path) -> None:
    result = invoke("--root", mixed, "validate", "--format", "json")
    assert result.exit_code == 1
    items = json.loads(result.stdout)
    assert [(i["severity"], i["code"], i["pointer"]) for i in items] == [
        ("warning", "duration-mismatch", "/estimated_duration"),
        ("error", "not-allowed", "/difficulty"),
        ("error", "wrong-type", "/language"),
    ]
    assert set(items[0]) == {"path", "line", "column", "severity", "code", "message", "pointer"}


def test_json_of_a_clean_run_is_an_empty_list(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {HOME: VALID_TEXT})
    result = invoke("--root", root, "validate", "--format", "json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])


def test_github_format_is_workflow_commands(mixed: Path) -> None:
    """Errors are annotated first, then warnings; then every problem in the log."""
    result = invoke("--root", mixed, "validate", "--format", "github")
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "::error file=scenarios/restaurant/tapas-bad.yaml,line=6,col=13,title=not-allowed::"
    )
    assert lines[1].startswith("::error file=scenarios/restaurant/tapas-bad.yaml,")
    assert lines[2] == (
        "::warning file=scenarios/restaurant/tapas-again.yaml,line=7,col=21,"
        "title=duration-mismatch::the phases add up to 16 minutes but estimated_duration is 15"
        ": make them agree"
    )
    # Every problem in the log, as plain lines: no group of its own (the pull request's
    # check runs the command in one, and GitHub does not nest them).
    assert lines[3] == "Every problem (3):"
    assert lines[4].startswith("scenarios/restaurant/tapas-again.yaml:7:21: warning: ")
    assert "::group::" not in result.stdout
    assert lines[-1] == "2 errors, 1 warning in 3 files"


def test_github_format_escapes_what_would_break_a_command() -> None:
    report = Report(1, [Diagnostic("a,b:c.yaml", 1, 2, "error", "x", "50% done\nnext")])
    # A line break in contributor text is shown escaped (escape.workflow_data), never kept.
    assert GithubReporter().render(report).splitlines()[0] == (
        "::error file=a%2Cb%3Ac.yaml,line=1,col=2,title=x::50%25 done\\nnext"
    )
    # The log's plain line is no command: `%` stays itself; the line break is still shown.
    assert "a,b:c.yaml:1:2: error: 50% done\\nnext [x]" in GithubReporter().render(report)


def test_text_excerpt_points_a_caret_at_the_column() -> None:
    report = Report(
        1, [Diagnostic("f.yaml", 6, 13, "error", "not-allowed", "bad", excerpt="difficulty: easy")]
    )
    text = TextReporter(excerpts=True).render(report)
    assert text.splitlines()[1:3] == [" 6 | difficulty: easy", "   |             ^"]
    assert not ANSI.search(text)
    assert ANSI.search(TextReporter(excerpts=True, colour=True).render(report))


def test_strict_turns_warnings_into_failure(tmp_path: Path) -> None:
    text = VALID_TEXT.replace("expected_duration_minutes: 8", "expected_duration_minutes: 9")
    root = make_repo(tmp_path, {HOME: text})
    assert invoke("--root", root, "validate").exit_code == 0
    strict = invoke("--root", root, "validate", "--strict")
    assert strict.exit_code == 1
    assert ": error: " in strict.output
    assert "[duration-mismatch]" in strict.output
    assert strict.output.endswith("1 error, 0 warnings in 1 file\n")
    annotations = invoke("--root", root, "validate", "--strict", "--format", "github").output
    assert annotations.startswith("::error file=")
    assert "::warning" not in annotations


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["validate", "no/such/file.yaml"], id="missing path"),
        pytest.param(["validate", "--format", "xml"], id="unknown format"),
        pytest.param(["validate", "--bogus"], id="unknown option"),
        pytest.param(["--root", "."], id="root without schema"),
    ],
)
def test_usage_errors_exit_2(
    tmp_path: Path, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(make_repo(tmp_path, {HOME: VALID_TEXT}) / "scenarios")
    if args[0] == "--root":
        args = [*args, "validate"]
    assert invoke(*args).exit_code == 2


def test_outside_a_repository_without_paths_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("validate")
    assert result.exit_code == 2
    assert "not inside a scenariokit repository" in result.stderr
    assert "--root DIR" in result.stderr


def test_a_file_outside_any_repository_is_still_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "tapas-bar-madrid.yaml").write_text(BAD, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke("validate", "tapas-bar-madrid.yaml")
    assert result.exit_code == 1
    assert "2 errors, 0 warnings in 1 file" in result.stdout


def test_a_file_of_another_repository_is_judged_by_its_own_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run from one checkout on a file of another: that file's ids and folders count.

    Judged by the current folder's catalog, the file's id clashed with this checkout's
    copy, and its folder was not checked at all (it is not under this scenarios/).
    """
    here = make_repo(tmp_path / "here", {HOME: VALID_TEXT})
    elsewhere = make_repo(
        tmp_path / "elsewhere",
        {"scenarios/travel/tapas-bar-madrid.yaml": VALID_TEXT},  # category: restaurant
    )
    monkeypatch.chdir(here)
    other = (elsewhere / "scenarios/travel/tapas-bar-madrid.yaml").resolve()
    for args in [("validate", other), ("validate", other.parent)]:
        result = invoke(*args, "--format", "json")
        assert result.exit_code == 1
        assert [d["code"] for d in json.loads(result.stdout)] == ["category-mismatch"]
    # --root still names the repository whatever the files.
    named = invoke("--root", here, "validate", other, "--format", "json")
    assert "duplicate-id" in [d["code"] for d in json.loads(named.stdout)]


def test_a_broken_file_does_not_stop_the_others(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "scenarios/restaurant/aaa-broken.yaml": "title: [unclosed\n",
            "scenarios/restaurant/bbb-bomb.yaml": "a: &a [x]\nb: [*a, *a]\n",
            "scenarios/restaurant/ccc-bad.yaml": BAD.replace("tapas-bar-madrid", "ccc-bad").replace(
                "Ordering Tapas in Madrid", "Bad tapas"
            ),
            HOME: VALID_TEXT,
        },
    )
    result = invoke("--root", root, "validate", "--format", "json")
    assert [(d["path"].rsplit("/", 1)[1], d["code"]) for d in json.loads(result.stdout)] == [
        ("aaa-broken.yaml", "yaml-syntax"),
        ("bbb-bomb.yaml", "yaml-anchor"),
        ("ccc-bad.yaml", "not-allowed"),
        ("ccc-bad.yaml", "wrong-type"),
    ]


def test_many_files_give_the_same_report_on_several_cores(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {}
    count = FILES_PER_PROCESS * 2 + 7
    for n in range(count):
        doc = valid_doc() | {"scenario_id": f"tapas-{n:04d}", "title": f"Tapas {n}"}
        if n % 50 == 0:
            doc["difficulty"] = "expert"
        files[f"scenarios/restaurant/tapas-{n:04d}.yaml"] = dump(doc)
    root = make_repo(tmp_path, files)
    report = validate([root / "scenarios"], root)
    catalog = read_catalog(root)
    one_by_one = [
        d
        for p in sorted((root / "scenarios").rglob("*.yaml"))
        for d in check(p, catalog).diagnostics
    ]
    assert report.files_checked == count
    assert report.diagnostics == one_by_one
    assert [d.code for d in report.diagnostics] == ["not-allowed"] * 9


def test_every_command_has_help_with_an_example() -> None:
    for name, command in cli.commands.items():
        result = invoke(name, "--help")
        assert result.exit_code == 0, name
        assert command.help, name
        assert "Example:" in result.stdout, name


# --- the installed script, in a subprocess and on a real terminal ---------------------------


def test_installed_script_and_module_agree(mixed: Path) -> None:
    script = run_installed("validate", "--format", "json", cwd=mixed)
    module = subprocess.run(
        [
            installed_command()[0].replace("scenarios", "python"),
            "-m",
            "scenariokit",
            "validate",
            "--format",
            "json",
        ],
        cwd=mixed,
        capture_output=True,
        text=True,
        check=False,
    )
    assert script.returncode == module.returncode == 1
    assert json.loads(script.stdout) == json.loads(module.stdout)
    assert len(json.loads(script.stdout)) == 3
    assert script.stderr == ""


def test_installed_script_never_prints_a_traceback(tmp_path: Path) -> None:
    hostile = {
        f"scenarios/restaurant/case-{n}.yaml": content
        for n, content in enumerate(
            [
                b"\xff\xfe\x00",
                b"[" * 20000,
                b"\x00\x01",
                b"a: !!binary AAAA\n",
                b"? [a]\n: b\n",
                b"- - - -\n",
                b"!!set {a, b}\n",
                b"a: 1e999\n",
            ]
        )
    }
    result = run_installed("validate", cwd=make_repo(tmp_path, hostile))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.endswith("in 8 files\n")


def test_terminal_gets_excerpts_and_colour(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {HOME: BAD})
    output = run_in_terminal(["validate"], root, {"NO_COLOR": "", "TERM": "xterm"})
    assert ANSI.search(output)
    plain = ANSI.sub("", output).replace("\r\n", "\n")
    assert " 6 | difficulty: easy\n   |             ^\n" in plain


def test_no_color_is_respected_on_a_terminal(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {HOME: BAD})
    output = run_in_terminal(["validate"], root, {"NO_COLOR": "1", "TERM": "xterm"})
    assert not ANSI.search(output)
    assert "   |             ^" in output


def test_colour_never_reaches_a_pipe(tmp_path: Path) -> None:
    result = run_installed("validate", cwd=make_repo(tmp_path, {HOME: BAD}), env={"NO_COLOR": ""})
    assert not ANSI.search(result.stdout)
    assert "|" not in result.stdout  # no excerpts either
    assert click.unstyle(result.stdout) == result.stdout
