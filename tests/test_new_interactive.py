"""Authoring that does not throw work away: `new`'s questions, did-you-mean, and quoting.

Interactive `new` checks each answer as it is given and asks again on a bad one; the
values given as options are checked the same way (a usage error naming the nearest good
value); and the quotes `validate` tells a contributor to put around a value are the ones
`fmt` writes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from scenariokit.files.loader import read_source
from tests.helpers import REPO, VALID_TEXT, diagnostics, invoke, make_repo, run_in_terminal

# --- quoting: what validate suggests is what fmt writes ----------------------------------


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("language: es", "language: no", "wrong-type"),
        ("title: Ordering Tapas in Madrid", "title: 2024-05-01", "wrong-type"),
        ("title: Ordering Tapas in Madrid", "title: 2024-02-30", "yaml-value"),
    ],
)
def test_the_quoting_validate_suggests_is_the_quoting_fmt_keeps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, code: str
) -> None:
    relative = "scenarios/restaurant/tapas-bar-madrid.yaml"
    root = make_repo(tmp_path, {relative: VALID_TEXT})
    monkeypatch.chdir(root)
    assert invoke("fmt", relative).exit_code == 0  # canonical first, then the mistake
    path = root / relative
    path.write_text(path.read_text("utf-8").replace(old, new, 1), "utf-8")
    _, found = diagnostics("validate", relative)
    (problem,) = [d for d in found if d["code"] == code]
    suggested = re.search(r"put it in quotes, ('[^']*'|\"[^\"]*\")", problem["message"])
    assert suggested, problem["message"]
    quoted = suggested.group(1)
    assert quoted == f"'{new.split(': ')[1]}'", problem["message"]
    key = new.split(":")[0]
    path.write_text(path.read_text("utf-8").replace(new, f"{key}: {quoted}", 1), "utf-8")
    assert invoke("fmt", "--check", relative).exit_code == 0  # fmt writes it just so
    code_after, _ = diagnostics("validate", relative)
    assert code_after == 0


# --- interactive new: every answer judged as it is given -----------------------------------


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The real templates and restaurant scenarios, in a git repository with a login set."""
    root = make_repo(tmp_path / "project", {})
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "scenarios" / "restaurant", root / "scenarios" / "restaurant")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "config", "github.user", "mgarcia"], cwd=root, check=True)
    monkeypatch.chdir(root)
    return root


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = read_source(path).data
    return data


def test_a_terminal_asks_again_and_keeps_every_earlier_answer(project: Path) -> None:
    answers = [
        "hotel",  # no such template: did you mean hotel-check-in?
        "",  # take the suggestion
        "Check-in in Porto",
        "tapas-bar-madrid",  # taken: did you mean tapas-bar-madrid-2?
        "check-in-porto",
        "pt_br",  # did you mean pt-BR?
        "",
        "",  # the login from git config
        "medium",  # not a level
        "beginner",
        "15 min",  # write 15
        "",
    ]
    shown = run_in_terminal(["new"], project, {"NO_COLOR": "1"}, "\n".join(answers) + "\n")
    assert "Traceback" not in shown
    assert "no template 'hotel': did you mean 'hotel-check-in'?" in shown
    assert "[hotel-check-in, suggested]" in shown
    assert "did you mean 'tapas-bar-madrid-2'?" in shown
    assert "write the language tag as 'pt-BR', not 'pt_br'" in shown
    assert "Language (BCP 47 tag) [pt-BR, suggested]" in shown
    assert "Your GitHub login [mgarcia, from git config github.user]" in shown
    assert "no difficulty 'medium': the levels are beginner, intermediate, advanced" in shown
    assert "Difficulty (beginner, intermediate, advanced) [intermediate, the template's]" in shown
    assert "write 15: the duration is in whole minutes" in shown
    assert "Duration in minutes [15, suggested]" in shown
    path = project / "scenarios" / "travel" / "check-in-porto.yaml"
    doc = load(path)
    assert (doc["title"], doc["language"], doc["created_by"]) == (
        "Check-in in Porto",
        "pt-BR",
        "mgarcia",
    )
    assert (doc["difficulty"], doc["estimated_duration"]) == ("beginner", 15)
    assert "cefr" not in doc  # the template's B1 was the template's level
    assert sum(p["expected_duration_minutes"] for p in doc["phases"]) == 15
    code, found = diagnostics("validate", path)
    assert code == 0
    assert "duration-mismatch" not in {d["code"] for d in found}


def test_a_blank_scenario_is_asked_its_category_difficulty_and_duration(project: Path) -> None:
    answers = ["blank", "Market day", "", "it", "", "shoping", "", "advanced", "20"]
    result = invoke("new", "--interactive", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "no category 'shoping': did you mean 'shopping'?" in result.output
    assert "Category (restaurant, " in result.output
    assert "Duration in minutes [10]" in result.output
    doc = load(project / "scenarios" / "shopping" / "market-day.yaml")
    assert (doc["category"], doc["difficulty"], doc["estimated_duration"]) == (
        "shopping",
        "advanced",
        20,
    )
    assert [p["expected_duration_minutes"] for p in doc["phases"]] == [10, 10]


def test_a_title_too_short_is_told_in_validates_words_and_asked_again(project: Path) -> None:
    answers = ["library-visit", "Hi", "En la biblioteca", "", "", "", "", ""]
    result = invoke("new", "--interactive", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "title is too short: 2 characters, it needs at least 3" in result.output
    assert load(project / "scenarios" / "education" / "en-la-biblioteca.yaml")["title"] == (
        "En la biblioteca"
    )


def test_the_login_found_in_a_noreply_address_says_so(project: Path) -> None:
    subprocess.run(["git", "config", "--unset", "github.user"], cwd=project, check=True)
    subprocess.run(
        ["git", "config", "user.email", "123+hubot@users.noreply.github.com"],
        cwd=project,
        check=True,
    )
    answers = ["library-visit", "En la biblioteca", "", "", "", "", ""]
    result = invoke("new", "--interactive", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "Your GitHub login [hubot, from git config user.email]" in result.output


def test_answers_cut_short_are_given_back_as_a_command(project: Path) -> None:
    result = invoke("new", "--interactive", input="hotel-check-in\nCheck-in in Porto\n")
    assert result.exit_code == 1  # Click's Aborted!, no traceback
    assert (
        "Your answers, to run again: scenarios new --template hotel-check-in "
        "--title 'Check-in in Porto'"
    ) in result.output
    assert not (project / "scenarios" / "travel").exists()


# --- did you mean, on the command line ------------------------------------------------------


def test_options_are_judged_before_anything_is_made(project: Path) -> None:
    base = ["new", "--no-interactive", "--title", "Check-in in Porto", "--author", "octocat"]
    cases = [
        (
            ["--template", "hotel"],
            "--template: no template 'hotel': did you mean 'hotel-check-in'?",
        ),
        (["--template", "hotel-check-in", "--language", "pt_br"], "as 'pt-BR', not 'pt_br'"),
        (["--template", "hotel-check-in", "--language", "Brazilian Portuguese"], "'pt-BR'?"),
        (["--template", "hotel-check-in", "--duration", "15 min"], "--duration: write 15"),
        (["--template", "hotel-check-in", "--difficulty", "advanse"], "did you mean 'advanced'?"),
    ]
    for extra, message in cases:
        result = invoke(*base, *extra)
        assert result.exit_code == 2, extra
        assert message in result.output, result.output
    assert not (project / "scenarios" / "travel").exists()


def test_a_duration_option_is_spread_over_the_phases(project: Path) -> None:
    result = invoke(
        "new", "--no-interactive", "--template", "hotel-check-in", "--title", "Check-in",
        "--id", "check-in-porto", "--duration", "40", "--difficulty", "advanced",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    path = project / "scenarios" / "travel" / "check-in-porto.yaml"
    doc = load(path)
    template = load(project / "templates" / "hotel-check-in.yaml")
    assert doc["estimated_duration"] == 40
    minutes = [p["expected_duration_minutes"] for p in doc["phases"]]
    assert sum(minutes) == 40
    assert minutes == [2 * p["expected_duration_minutes"] for p in template["phases"]]
    code, found = diagnostics("validate", path)
    assert (code, [d["code"] for d in found if d["severity"] == "error"]) == (0, [])
    assert "duration-mismatch" not in {d["code"] for d in found}


def test_duplicate_says_which_scenario_was_meant(project: Path) -> None:
    result = invoke("duplicate", "tapas-bar-madird", "tapas-sevilla", "--author", "octocat")
    assert result.exit_code == 1
    assert "did you mean 'tapas-bar-madrid'?" in result.output
    result = invoke(
        "duplicate",
        "tapas-bar-madrid",
        "tapas-sevilla",
        "--author",
        "octocat",
        "--language",
        "pt_br",
    )
    assert result.exit_code == 2
    assert "write the language tag as 'pt-BR', not 'pt_br'" in result.output
    assert not (project / "scenarios" / "restaurant" / "tapas-sevilla.yaml").exists()


# --- a duration written with its unit, in validate ------------------------------------------


@pytest.mark.parametrize(("written", "number"), [("15 min", 15), ("'15'", 15), ("1 hour", 60)])
def test_validate_says_which_number_to_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written: str, number: int
) -> None:
    relative = "scenarios/restaurant/tapas-bar-madrid.yaml"
    text = VALID_TEXT.replace("estimated_duration: 15", f"estimated_duration: {written}", 1)
    monkeypatch.chdir(make_repo(tmp_path, {relative: text}))
    code, found = diagnostics("validate", relative)
    assert code == 1
    (problem,) = [d for d in found if d["pointer"] == "/estimated_duration"]
    assert problem["message"].endswith(f"; write {number}, without a unit or quotes")


def test_validate_names_the_source_a_misspelt_derived_from_meant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = VALID_TEXT.replace("scenario_id: tapas-bar-madrid", "scenario_id: restaurant-dining")
    copy = VALID_TEXT.replace(
        "is_public: true", "is_public: true\nderived_from: restaurant-dinning"
    )
    root = make_repo(
        tmp_path,
        {
            "templates/restaurant-dining.yaml": template,
            "scenarios/restaurant/tapas-bar-madrid.yaml": copy,
        },
    )
    monkeypatch.chdir(root)
    _, found = diagnostics("validate", "scenarios/restaurant/tapas-bar-madrid.yaml")
    (problem,) = [d for d in found if d["code"] == "unknown-source"]
    assert problem["message"].endswith("otherwise did you mean 'restaurant-dining'?")
