"""`scenarios review` on real git histories: one test per ownership rule."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from tests.conftest import REPO, dump, invoke, make_repo, valid_doc

OCTOCAT = "scenarios/restaurant/octocat-tapas.yaml"
MONALISA = "scenarios/restaurant/monalisa-tapas.yaml"
SYSTEM = "scenarios/restaurant/system-tapas.yaml"


def scenario(scenario_id: str, owner: str, **changes: object) -> str:
    doc = (
        valid_doc()
        | {
            "scenario_id": scenario_id,
            "created_by": owner,
            "is_system_scenario": owner == "maintainers",
        }
        | changes
    )
    return dump(doc)


def git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, env=env, capture_output=True, text=True
    ).stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """main: three scenarios (octocat's, monalisa's, a system one) and CODEOWNERS;
    then a branch `change` is checked out, as in a pull request."""
    root = make_repo(
        tmp_path / "repo",
        {
            ".github/CODEOWNERS": "*  @lead\n/scenarios/  @lead @alice\n",
            OCTOCAT: scenario("octocat-tapas", "octocat"),
            MONALISA: scenario("monalisa-tapas", "monalisa"),
            SYSTEM: scenario("system-tapas", "maintainers"),
            "README.md": "scenarios\n",
        },
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-qm", "base")
    git(root, "switch", "-qc", "change")
    monkeypatch.chdir(root)
    return root


def change(
    root: Path, edits: dict[str, str | None], *, rename: tuple[str, str] | None = None
) -> None:
    """Commit edits on the branch: path → new text, or None to remove the file."""
    if rename:
        git(root, "mv", *rename)
    for path, text in edits.items():
        if text is None:
            git(root, "rm", "-q", path)
        else:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text, encoding="utf-8")
            git(root, "add", path)
    git(root, "commit", "-qm", "change")


def run(author: str, *extra: str) -> tuple[int, str]:
    result = invoke("review", "--base", "main", "--author", author, *extra)
    return result.exit_code, result.output


def test_adding_your_own_scenario(repo: Path) -> None:
    change(
        repo, {"scenarios/travel/my-trip.yaml": scenario("my-trip", "octocat", category="travel")}
    )
    code, output = run("octocat")
    assert code == 0, output
    assert "added    scenarios/travel/my-trip.yaml  Ordering Tapas in Madrid" in output
    assert "all ownership rules hold" in output


def test_adding_under_someone_elses_name(repo: Path) -> None:
    change(
        repo, {"scenarios/travel/my-trip.yaml": scenario("my-trip", "monalisa", category="travel")}
    )
    code, output = run("octocat")
    assert code == 1
    assert "set created_by: octocat (it says 'monalisa') [add-as-yourself]" in output


def test_adding_a_system_scenario(repo: Path) -> None:
    change(
        repo,
        {
            "scenarios/travel/my-trip.yaml": scenario(
                "my-trip", "octocat", category="travel", is_system_scenario=True
            )
        },
    )
    code, output = run("octocat")
    assert code == 1
    assert "[system-flag]" in output


def test_editing_your_own(repo: Path) -> None:
    change(repo, {OCTOCAT: scenario("octocat-tapas", "octocat", title="Better tapas")})
    code, output = run("octocat")
    assert code == 0, output
    assert "edited   scenarios/restaurant/octocat-tapas.yaml  Better tapas  (title)" in output


def test_editing_someone_elses(repo: Path) -> None:
    change(repo, {MONALISA: scenario("monalisa-tapas", "monalisa", title="Mine now")})
    code, output = run("octocat")
    assert code == 1
    assert "only its owner (monalisa) may edit this scenario" in output
    assert "[not-yours]" in output


def test_editing_a_system_scenario(repo: Path) -> None:
    change(repo, {SYSTEM: scenario("system-tapas", "maintainers", title="Changed")})
    code, output = run("octocat")
    assert code == 1
    assert "only maintainers change it" in output
    assert "[system-scenario]" in output


def test_taking_over_ownership(repo: Path) -> None:
    change(repo, {MONALISA: scenario("monalisa-tapas", "octocat")})
    code, output = run("octocat")
    assert code == 1
    assert "[not-yours]" in output
    assert "created_by may not change (from 'monalisa' to 'octocat')" in output


def test_giving_away_your_own(repo: Path) -> None:
    change(repo, {OCTOCAT: scenario("octocat-tapas", "monalisa")})
    code, output = run("octocat")
    assert code == 1
    assert "[owner-changed]" in output


def test_promoting_to_system(repo: Path) -> None:
    change(repo, {OCTOCAT: scenario("octocat-tapas", "octocat", is_system_scenario=True)})
    code, output = run("octocat")
    assert code == 1
    assert "only maintainers make system scenarios" in output


def test_renaming_your_own_and_someone_elses(repo: Path) -> None:
    new = "scenarios/restaurant/octocat-tapas-bar.yaml"
    change(repo, {new: scenario("octocat-tapas-bar", "octocat")}, rename=(OCTOCAT, new))
    code, output = run("octocat")
    assert code == 0, output
    assert f"renamed  {new}  Ordering Tapas in Madrid  (renamed from {OCTOCAT}" in output
    git(repo, "reset", "-q", "--hard", "main")
    other = "scenarios/restaurant/monalisa-tapas-2.yaml"
    change(repo, {other: scenario("monalisa-tapas-2", "monalisa")}, rename=(MONALISA, other))
    code, output = run("octocat")
    assert code == 1
    assert "may rename this scenario" in output


def test_removing_your_own(repo: Path) -> None:
    change(repo, {OCTOCAT: None})
    code, output = run("octocat")
    assert code == 0, output
    assert f"removed  {OCTOCAT}" in output


def test_removing_someone_elses(repo: Path) -> None:
    change(repo, {MONALISA: None})
    code, output = run("octocat")
    assert code == 1
    assert "may remove this scenario" in output


def test_a_maintainer_edits_a_system_scenario(repo: Path) -> None:
    change(
        repo,
        {
            SYSTEM: scenario("system-tapas", "maintainers", title="Revised"),
            MONALISA: scenario("monalisa-tapas", "monalisa", title="Typo fixed"),
        },
    )
    code, output = run("alice")
    assert code == 0, output
    assert "2 scenarios changed by a maintainer: all ownership rules hold" in output


def test_a_pull_request_cannot_make_itself_a_maintainer(repo: Path) -> None:
    change(
        repo,
        {
            ".github/CODEOWNERS": "/scenarios/  @octocat\n",
            SYSTEM: scenario("system-tapas", "maintainers", title="Hijacked"),
        },
    )
    code, output = run("octocat")
    assert code == 1
    assert "[system-scenario]" in output
    assert "error: .github/CODEOWNERS: needs a maintainer: edited outside scenarios/" in output
    assert output.startswith("error: .github/CODEOWNERS: needs a maintainer")


def test_changes_outside_scenarios_are_flagged(repo: Path) -> None:
    change(repo, {"README.md": "changed\n", "templates/t.yaml": "x: 1\n"})
    code, output = run("octocat")
    assert code == 0, output
    assert "note: README.md is outside scenarios/: a maintainer must review it" in output
    assert "note: templates/t.yaml is outside scenarios/" in output


@pytest.mark.parametrize(
    "path",
    [
        "tools/scenariokit/review.py",
        "schemas/scenario.schema.json",
        "site/templates/base.html",
        ".github/workflows/pull-request.yml",
        ".github/scripts/check-pull-request.sh",
        "pyproject.toml",
        ".ci/run",
        "bench/run.py",
        "tests/conftest.py",
        "conftest.py",
        ".vscode/settings.json",
        "scenarios/restaurant/notes.txt",
        "templates/helper.py",
        "docs/guide.md",
    ],
)
def test_code_and_ci_need_a_maintainer(repo: Path, path: str) -> None:
    """Anything that could run or steer code fails the review unless its owner changed it."""
    change(repo, {path: "changed\n"})
    code, output = run("octocat")
    assert code == 1, output
    assert output.startswith(f"error: {path}: needs a maintainer: ")
    assert output.endswith("0 scenarios changed by a contributor: 1 file(s) need a maintainer\n")
    # its owner in the base branch's CODEOWNERS may (here `*  @lead` owns everything)
    code, output = run("lead")
    assert code == 0, output
    assert "needs a maintainer" not in output


def test_markdown_summary(repo: Path) -> None:
    train = (REPO / "scenarios" / "travel" / "train-ticket-lyon.yaml").read_text("utf-8")
    mine = train.replace("created_by: maintainers", "created_by: octocat").replace(
        "is_system_scenario: true", "is_system_scenario: false"
    )
    change(
        repo,
        {
            OCTOCAT: scenario("octocat-tapas", "octocat", title="Better | tapas"),
            "scenarios/travel/train-ticket-lyon.yaml": mine,
            MONALISA: None,
            "README.md": "x\n",
        },
    )
    code, output = run("octocat", "--format", "markdown")
    assert code == 1
    assert output.startswith("## Scenario review for `octocat`\n")  # no @mention
    assert "| change | scenario | title | language | level | phases | what changed |" in output
    assert "| edited | `octocat-tapas` | Better \\| tapas | es | beginner | 3 | title |" in output
    assert (
        "| added | `train-ticket-lyon` | Buying a Train Ticket in Lyon | fr | beginner | 3 "
        "|  |" in output
    )
    assert "| removed | `monalisa-tapas` |" in output
    assert "### Rules broken" in output
    assert "### Other changes (a maintainer must review these)" in output
    assert "- `README.md` (edited)" in output


def test_github_format(repo: Path) -> None:
    change(
        repo, {MONALISA: scenario("monalisa-tapas", "monalisa", title="x y z"), "README.md": "x\n"}
    )
    code, output = run("octocat", "--format", "github")
    assert code == 1
    lines = output.splitlines()
    assert lines[0].startswith(f"::error file={MONALISA},title=not-yours::only its owner")
    assert lines[1] == (
        "::notice file=README.md,title=maintainer review::README.md is outside "
        "scenarios/: a maintainer must review it"
    )


def test_phase_changes_are_described(repo: Path) -> None:
    doc = valid_doc() | {
        "scenario_id": "octocat-tapas",
        "created_by": "octocat",
        "is_system_scenario": False,
    }
    doc["phases"][1]["name"] = "Ordering"
    doc["phases"] = doc["phases"][:2]
    change(repo, {OCTOCAT: dump(doc)})
    _, output = run("octocat")
    assert "phase paying removed" in output
    assert "phase ordering edited" in output


def test_an_unknown_base_is_a_clear_error(repo: Path) -> None:
    result = invoke("review", "--base", "origin/main", "--author", "octocat")
    assert result.exit_code == 1
    assert "cannot find the revision 'origin/main'" in result.stderr
    assert "fetch-depth: 0" in result.stderr
